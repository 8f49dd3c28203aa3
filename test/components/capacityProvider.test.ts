// Lambda Managed Instances under Pulumi mocks: an existing capacity provider, one the component creates, checks.
import { MOCK_ACCOUNT, MOCK_REGION, recorder, settle } from "../helpers/pulumiMocks";
// The mocks above are installed before the component module is loaded.
import { deploy, EXAMPLE_HANDLER, inputsOf, inScratchProject } from "./mockedStack";
import { expect } from "chai";
import { StreamingRestApi, StreamingRestApiArgumentError, type StreamingRestApiArgs } from "../../components";
import { isGravitonInstanceType } from "../../components/capacityProviderSettings";

const PROVIDER_ARN = `arn:aws:lambda:${MOCK_REGION}:${MOCK_ACCOUNT}:capacity-provider:shared-fleet`;

describe("StreamingRestApi capacityProvider (Lambda Managed Instances)", function () {
  this.timeout(60_000);
  inScratchProject("lmi");

  it("places the function on an existing capacity provider, published to $LATEST.PUBLISHED", async function () {
    await deploy("lmi-existing", {
      memorySize: 4096,
      capacityProvider: {
        arn: PROVIDER_ARN,
        perExecutionEnvironmentMaxConcurrency: 128,
        memoryGibPerVcpu: 2,
      },
    });
    const fn = inputsOf("lmi-existing-fn");
    expect(fn).to.deep.include({
      memorySize: 4096,
      publish: true,
      publishTo: "LATEST_PUBLISHED",
      capacityProviderConfig: {
        lambdaManagedInstancesCapacityProviderConfig: {
          capacityProviderArn: PROVIDER_ARN,
          perExecutionEnvironmentMaxConcurrency: 128,
          executionEnvironmentMemoryGibPerVcpu: 2,
        },
      },
    });
    // 4096 MB at 2 GiB per vCPU: two vCPUs, two worker threads. Lambda sets AWS_LAMBDA_MAX_CONCURRENCY itself.
    expect(fn["environment"]["variables"]).to.deep.equal({
      AWS_LAMBDA_NODEJS_WORKER_COUNT: "2",
      AWS_LAMBDA_EXEC_WRAPPER: "/var/task/bootstrap",
    });
    expect(recorder.has("lmi-existing-lmi")).to.equal(false);
    expect(recorder.has("lmi-existing-lmi-role")).to.equal(false);
  });

  it("creates a capacity provider with its operator role in the given subnets, for the function's architecture", async function () {
    await deploy("lmi-created", {
      memorySize: 2048,
      capacityProvider: {
        subnetIds: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
        securityGroupIds: ["sg-0a1b2c3d"],
        instanceTypes: ["m7g.large", "c7g.xlarge"],
        maxVCpuCount: 64,
      },
    });
    const role = inputsOf("lmi-created-lmi-role");
    expect(JSON.parse(String(role["assumeRolePolicy"])).Statement).to.deep.equal([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    expect(inputsOf("lmi-created-lmi-role-policy")).to.deep.equal({
      role: recorder.get("lmi-created-lmi-role").state["name"],
      policyArn: "arn:aws:iam::aws:policy/AWSLambdaManagedEC2ResourceOperator",
    });
    expect(inputsOf("lmi-created-lmi")).to.deep.equal({
      vpcConfig: { subnetIds: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"], securityGroupIds: ["sg-0a1b2c3d"] },
      permissionsConfig: {
        capacityProviderOperatorRoleArn: recorder.get("lmi-created-lmi-role").state["arn"],
      },
      instanceRequirements: [
        {
          architectures: ["arm64"],
          allowedInstanceTypes: ["m7g.large", "c7g.xlarge"],
          excludedInstanceTypes: [],
        },
      ],
      capacityProviderScalingConfigs: [{ maxVcpuCount: 64, scalingMode: "Auto", scalingPolicies: [] }],
    });
    const fn = inputsOf("lmi-created-fn");
    expect(fn["capacityProviderConfig"]).to.deep.equal({
      lambdaManagedInstancesCapacityProviderConfig: {
        capacityProviderArn: recorder.get("lmi-created-lmi").state["arn"],
      },
    });
    // Without memoryGibPerVcpu the vCPUs are unknown: the runtime counts them itself.
    expect(fn["environment"]["variables"]).to.not.have.property("AWS_LAMBDA_NODEJS_WORKER_COUNT");
    expect(fn["environment"]["variables"]).to.not.have.property("AWS_LAMBDA_MAX_CONCURRENCY");
  });

  it("lets Lambda choose x86_64 instance types, and keeps your own worker count", async function () {
    await deploy("lmi-x86", {
      memorySize: 8192,
      architecture: "x86_64",
      environment: { AWS_LAMBDA_NODEJS_WORKER_COUNT: "1" },
      capacityProvider: {
        subnetIds: ["subnet-0a1b2c3d"],
        securityGroupIds: ["sg-0a1b2c3d"],
        memoryGibPerVcpu: 4,
      },
    });
    expect(inputsOf("lmi-x86-lmi")["instanceRequirements"]).to.deep.equal([
      { architectures: ["x86_64"], allowedInstanceTypes: [], excludedInstanceTypes: [] },
    ]);
    expect(inputsOf("lmi-x86-lmi")).to.not.have.property("capacityProviderScalingConfigs");
    expect(inputsOf("lmi-x86-fn")["environment"]["variables"]["AWS_LAMBDA_NODEJS_WORKER_COUNT"]).to.equal(
      "1",
    );
  });

  it("keeps functions without capacityProvider unpublished, off any capacity provider", async function () {
    await deploy("lmi-none", {});
    for (const absent of ["capacityProviderConfig", "publish", "publishTo"]) {
      expect(inputsOf("lmi-none-fn"), absent).to.not.have.property(absent);
    }
  });

  it("refuses, before anything is created, what Lambda Managed Instances do not support", async function () {
    const subnets = { subnetIds: ["subnet-0a1b2c3d"], securityGroupIds: ["sg-0a1b2c3d"] };
    const cases: Array<[Partial<StreamingRestApiArgs>, string, RegExp]> = [
      [
        { capacityProvider: { arn: PROVIDER_ARN } },
        "memorySize",
        /outside Lambda Managed Instances' range, 2048 to 32768/,
      ],
      [{ memorySize: 40_000, capacityProvider: { arn: PROVIDER_ARN } }, "memorySize", /from 128 to 32768/],
      [{ memorySize: 12_288 }, "memorySize", /up to 32768 MB on Lambda Managed Instances/],
      [
        { memorySize: 2048, capacityProvider: {} },
        "capacityProvider",
        /needs arn .* or subnetIds and securityGroupIds/,
      ],
      [
        { memorySize: 2048, capacityProvider: { arn: PROVIDER_ARN, subnetIds: ["subnet-0a1b2c3d"] } },
        "capacityProvider.arn",
        /existing capacity provider, while subnetIds describe one the component creates\. Choose one/,
      ],
      [
        { memorySize: 2048, capacityProvider: { arn: "shared-fleet" } },
        "capacityProvider.arn",
        /capacity-provider:NAME/,
      ],
      [
        { memorySize: 2048, capacityProvider: { subnetIds: ["subnet-0a1b2c3d"] } },
        "capacityProvider.securityGroupIds",
        /required with subnetIds/,
      ],
      [
        { memorySize: 2048, capacityProvider: { subnetIds: [], securityGroupIds: ["sg-0a1b2c3d"] } },
        "capacityProvider.subnetIds",
        /at least one id/,
      ],
      [
        { memorySize: 2048, capacityProvider: { subnetIds: ["vpc-123"], securityGroupIds: ["sg-0a1b2c3d"] } },
        "capacityProvider.subnetIds",
        /not an id like "subnet-/,
      ],
      [
        { memorySize: 2048, capacityProvider: { ...subnets, instanceTypes: ["m7i.large"] } },
        "capacityProvider.instanceTypes",
        /"m7i.large" is an x86_64 type, but the function's architecture is "arm64"/,
      ],
      [
        {
          memorySize: 2048,
          architecture: "x86_64",
          capacityProvider: { ...subnets, instanceTypes: ["c8g.large"] },
        },
        "capacityProvider.instanceTypes",
        /Graviton \(arm64\) type.*set architecture to "arm64"/,
      ],
      [
        { memorySize: 2048, capacityProvider: { ...subnets, instanceTypes: ["large"] } },
        "capacityProvider.instanceTypes",
        /not an EC2 instance type/,
      ],
      [
        { memorySize: 2048, capacityProvider: { ...subnets, maxVCpuCount: 1 } },
        "capacityProvider.maxVCpuCount",
        /2 to 15000/,
      ],
      [
        {
          memorySize: 2048,
          capacityProvider: { arn: PROVIDER_ARN, perExecutionEnvironmentMaxConcurrency: 1601 },
        },
        "capacityProvider.perExecutionEnvironmentMaxConcurrency",
        /1 to 1600/,
      ],
      [
        { memorySize: 2048, capacityProvider: { arn: PROVIDER_ARN, memoryGibPerVcpu: 1 } },
        "capacityProvider.memoryGibPerVcpu",
        /2 to 8/,
      ],
      [
        { memorySize: 2048, capacityProvider: { arn: PROVIDER_ARN, memoryGibPerVcpu: 4 } },
        "capacityProvider.memoryGibPerVcpu",
        /less than one vCPU\. Raise memorySize to 4096/,
      ],
    ];
    for (const [index, [args, argument, message]] of cases.entries()) {
      const name = `lmi-refused-${index}`;
      let refusal: unknown;
      try {
        new StreamingRestApi(name, { handler: EXAMPLE_HANDLER, ...args });
      } catch (error) {
        refusal = error;
      }
      expect(refusal, JSON.stringify(args)).to.be.instanceOf(StreamingRestApiArgumentError);
      expect((refusal as StreamingRestApiArgumentError).argument, JSON.stringify(args)).to.equal(argument);
      expect((refusal as Error).message, JSON.stringify(args)).to.match(message);
      await settle();
      expect(recorder.has(name)).to.equal(false);
    }
  });

  it("tells Graviton instance types from x86 ones by their family", function () {
    for (const type of [
      "m7g.large",
      "c7gn.xlarge",
      "r8gd.2xlarge",
      "x2gd.medium",
      "t4g.small",
      "im4gn.large",
    ]) {
      expect(isGravitonInstanceType(type), type).to.equal(true);
    }
    for (const type of ["m7i.large", "c7a.xlarge", "m5.large", "r7iz.large", "g5.xlarge", "m7i-flex.large"]) {
      expect(isGravitonInstanceType(type), type).to.equal(false);
    }
  });
});
