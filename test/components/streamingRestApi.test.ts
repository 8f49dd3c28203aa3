// StreamingRestApi under Pulumi mocks: each child's inputs, outputs, options, transforms, refusals and warnings.
import {
  MOCK_ACCOUNT,
  MOCK_REGION,
  promiseOf,
  recorder,
  registeredUrns,
  settle,
  type RecordedResource,
} from "../helpers/pulumiMocks";
// The mocks above are installed before the component module is loaded.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  StreamingRestApi,
  StreamingRestApiArgumentError,
  type StreamingRestApiArgs,
  type StreamingRestApiTransforms,
  type Transform,
} from "../../components";
import { ChildSuffix } from "../../components/naming";
import { readZip } from "./zipReader";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const HANDLER = path.join(REPO_ROOT, "handler", "index.ts");
/**
 * Components bundle into `<working directory>/.build/<name>/`. The tests work in a scratch directory (the
 * handler path is absolute), so they leave the repository alone and never share a build directory with
 * another run.
 */
const PROJECT_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "streaming-rest-api-component-"));
const BUILD_DIR = path.join(fs.realpathSync(PROJECT_DIR), ".build");

interface PolicyJson {
  Statement: Array<{
    Sid?: string;
    Action: string | string[];
    Resource?: string | string[];
    Principal?: unknown;
  }>;
}

/** Creates a component and waits until every child has reached the mocks. */
async function deploy(
  name: string,
  args: Partial<StreamingRestApiArgs> = {},
  opts?: pulumi.ComponentResourceOptions,
): Promise<StreamingRestApi> {
  const api = new StreamingRestApi(name, { handler: HANDLER, ...args }, opts);
  await settle();
  return api;
}

function inputsOf(name: string): RecordedResource["inputs"] {
  return recorder.get(name).inputs;
}

function stateOf(name: string): Record<string, unknown> {
  return recorder.get(name).state;
}

function policy(json: unknown): PolicyJson {
  return JSON.parse(String(json)) as PolicyJson;
}

/** Constructs, expecting a refusal; returns it. */
function refusal(name: string, args: Partial<StreamingRestApiArgs>): StreamingRestApiArgumentError {
  try {
    new StreamingRestApi(name, { handler: HANDLER, ...args });
  } catch (error) {
    expect(error).to.be.instanceOf(StreamingRestApiArgumentError);
    return error as StreamingRestApiArgumentError;
  }
  throw new Error(`expected ${name} to be refused`);
}

/** Collects what `pulumi.log.warn` prints while `construct` runs (without an engine it goes to console.warn). */
function warningsDuring(construct: () => void): string[] {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...parts: unknown[]) => void warnings.push(parts.map(String).join(" "));
  try {
    construct();
  } finally {
    console.warn = original;
  }
  return warnings;
}

describe("StreamingRestApi", function () {
  // Each deployment bundles the handler (esbuild): seconds apiece on a busy machine.
  this.timeout(60_000);
  afterEach(function () {
    expect(recorder.unexpected, "unexpected resources or provider calls").to.deep.equal([]);
  });
  let originalDirectory: string;
  before(function () {
    originalDirectory = process.cwd();
    process.chdir(PROJECT_DIR);
  });
  after(function () {
    process.chdir(originalDirectory);
    fs.rmSync(PROJECT_DIR, { recursive: true, force: true });
  });

  describe("with defaults", function () {
    let api: StreamingRestApi;
    before(async function () {
      api = await deploy("defaults");
    });

    it("creates exactly its children, named after it and parented to it", function () {
      expect(
        recorder.childrenOf("defaults").map((resource) => `${resource.type} ${resource.name}`),
      ).to.have.members([
        "aws:cloudwatch/logGroup:LogGroup defaults-logs",
        "aws:iam/role:Role defaults-role",
        "aws:iam/rolePolicy:RolePolicy defaults-role-policy",
        "aws:lambda/function:Function defaults-fn",
        "aws:iam/role:Role defaults-invoke-role",
        "aws:iam/rolePolicy:RolePolicy defaults-invoke-policy",
        "aws:apigateway/restApi:RestApi defaults-api",
        "aws:apigateway/resource:Resource defaults-path-0",
        "aws:apigateway/method:Method defaults-method",
        "aws:apigateway/integration:Integration defaults-integration",
        "aws:apigateway/deployment:Deployment defaults-deployment",
        "aws:apigateway/stage:Stage defaults-stage",
        "aws:apigateway/methodSettings:MethodSettings defaults-throttling",
      ]);
      const childUrns = registeredUrns().filter(
        (urn) => urn.endsWith("::defaults") === false && /::defaults-/.test(urn),
      );
      expect(childUrns).to.have.lengthOf(13);
      for (const urn of childUrns) expect(urn).to.include("::streaming-rest-api:index:StreamingRestApi$");
    });

    it("runs our runtime on nodejs24.x through AWS_LAMBDA_EXEC_WRAPPER", async function () {
      const fn = inputsOf("defaults-fn");
      expect(fn).to.deep.include({
        runtime: "nodejs24.x",
        handler: "index.handler",
        architectures: ["arm64"],
        memorySize: 128,
        timeout: 60,
        role: stateOf("defaults-role")["arn"],
        environment: { variables: { AWS_LAMBDA_EXEC_WRAPPER: "/var/task/bootstrap" } },
        loggingConfig: { logFormat: "Text", logGroup: stateOf("defaults-logs")["name"] },
      });
      for (const absent of [
        "tracingConfig",
        "reservedConcurrentExecutions",
        "kmsKeyArn",
        "deadLetterConfig",
        "vpcConfig",
      ]) {
        expect(fn, absent).to.not.have.property(absent);
      }
      expect(inputsOf("defaults-logs")).to.deep.equal({
        namePrefix: "/aws/lambda/defaults-",
        retentionInDays: 14,
      });
    });

    it("ships the deterministic zip as a FileArchive: bootstrap executable, the bundle, its map", async function () {
      const code = inputsOf("defaults-fn")["code"] as pulumi.asset.FileArchive;
      const zipPath = await code.path;
      expect(zipPath).to.equal(path.join(BUILD_DIR, "defaults", "function.zip"));
      const entries = readZip(fs.readFileSync(zipPath));
      expect(entries.map((entry) => [entry.name, entry.unixMode.toString(8)])).to.deep.equal([
        ["bootstrap", "100755"],
        ["index.mjs", "100644"],
        ["index.mjs.map", "100644"],
      ]);
      expect(await promiseOf(api.bundleBytes)).to.equal(entries[1]?.contents.length);
    });

    it("integrates the route as a streaming Lambda proxy through the invoke role", function () {
      const functionArn = String(stateOf("defaults-fn")["arn"]);
      expect(inputsOf("defaults-integration")).to.deep.equal({
        restApi: recorder.get("defaults-api").id,
        resourceId: recorder.get("defaults-path-0").id,
        httpMethod: "ANY",
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: `arn:aws:apigateway:${MOCK_REGION}:lambda:path/2021-11-15/functions/${functionArn}/response-streaming-invocations`,
        responseTransferMode: "STREAM",
        timeoutMilliseconds: 60_000,
        credentials: stateOf("defaults-invoke-role")["arn"],
      });
      expect(inputsOf("defaults-path-0")).to.deep.equal({
        restApi: recorder.get("defaults-api").id,
        parentId: stateOf("defaults-api")["rootResourceId"],
        pathPart: "stream",
      });
      expect(inputsOf("defaults-method")).to.deep.equal({
        restApi: recorder.get("defaults-api").id,
        resourceId: recorder.get("defaults-path-0").id,
        httpMethod: "ANY",
        authorization: "AWS_IAM",
      });
      expect(inputsOf("defaults-api")).to.deep.include({
        endpointConfiguration: { types: "REGIONAL" },
        securityPolicy: "TLS_1_2",
        binaryMediaTypes: ["*/*"],
      });
    });

    it("lets only API Gateway assume the invoke role, to invoke only this function", function () {
      const invokeRole = inputsOf("defaults-invoke-role");
      expect(policy(invokeRole["assumeRolePolicy"]).Statement).to.deep.equal([
        { Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
      const functionArn = String(stateOf("defaults-fn")["arn"]);
      const invokePolicy = inputsOf("defaults-invoke-policy");
      expect(invokePolicy["role"]).to.equal(stateOf("defaults-invoke-role")["name"]);
      expect(policy(invokePolicy["policy"]).Statement).to.deep.equal([
        {
          Sid: "InvokeThisFunction",
          Effect: "Allow",
          Action: ["lambda:InvokeFunction", "lambda:InvokeWithResponseStream"],
          Resource: [functionArn, `${functionArn}:*`],
        },
      ]);
      expect(String(invokePolicy["policy"])).to.not.include('"*"');
    });

    it("scopes the execution role to the function's own log group", function () {
      expect(policy(inputsOf("defaults-role")["assumeRolePolicy"]).Statement[0]?.Principal).to.deep.equal({
        Service: "lambda.amazonaws.com",
      });
      const rolePolicy = inputsOf("defaults-role-policy");
      expect(rolePolicy["role"]).to.equal(stateOf("defaults-role")["name"]);
      expect(policy(rolePolicy["policy"]).Statement).to.deep.equal([
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [`${String(stateOf("defaults-logs")["arn"])}:*`],
        },
      ]);
    });

    it("deploys a stage on the latest deployment, throttled for every method", function () {
      const restApiId = recorder.get("defaults-api").id;
      expect(inputsOf("defaults-deployment")).to.deep.include({ restApi: restApiId });
      expect(inputsOf("defaults-deployment")["triggers"]["redeployment"]).to.match(/^[0-9a-f]{64}$/);
      expect(inputsOf("defaults-stage")).to.deep.include({
        restApi: restApiId,
        deployment: recorder.get("defaults-deployment").id,
        stageName: "prod",
        xrayTracingEnabled: false,
      });
      expect(inputsOf("defaults-stage")).to.not.have.property("accessLogSettings");
      expect(inputsOf("defaults-stage")).to.not.have.property("cacheClusterEnabled");
      expect(inputsOf("defaults-throttling")).to.deep.equal({
        restApi: restApiId,
        stageName: "prod",
        methodPath: "*/*",
        settings: { throttlingRateLimit: 50, throttlingBurstLimit: 100 },
      });
    });

    it("outputs the route's URL and the children's identifiers", async function () {
      const restApiId = recorder.get("defaults-api").id;
      expect(await promiseOf(api.url)).to.equal(
        `https://${restApiId}.execute-api.${MOCK_REGION}.amazonaws.com/prod/stream`,
      );
      expect(await promiseOf(api.functionArn)).to.equal(stateOf("defaults-fn")["arn"]);
      expect(await promiseOf(api.functionArn)).to.match(
        new RegExp(`^arn:aws:lambda:${MOCK_REGION}:${MOCK_ACCOUNT}:function:defaults-fn-`),
      );
      expect(await promiseOf(api.functionName)).to.equal(stateOf("defaults-fn")["name"]);
      expect(await promiseOf(api.restApiId)).to.equal(restApiId);
      expect(await promiseOf(api.stageName)).to.equal("prod");
      expect(await promiseOf(api.invokeRoleArn)).to.equal(stateOf("defaults-invoke-role")["arn"]);
      expect(await promiseOf(api.function.arn)).to.equal(stateOf("defaults-fn")["arn"]);
      expect(await promiseOf(api.stage.invokeUrl)).to.equal(
        `https://${restApiId}.execute-api.${MOCK_REGION}.amazonaws.com/prod`,
      );
    });
  });

  describe("with options", function () {
    it("passes function settings through and grants only the permissions they need", async function () {
      await deploy("options", {
        memorySize: 1024,
        timeout: 300,
        architecture: "x86_64",
        environment: { STAGE: "test" },
        reservedConcurrency: 5,
        tracing: true,
        logRetentionInDays: 30,
        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc",
        deadLetterTargetArn: "arn:aws:sns:eu-west-1:123456789012:failures",
        vpcConfig: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] },
        integrationTimeoutMs: 300_000,
      });
      expect(inputsOf("options-fn")).to.deep.include({
        memorySize: 1024,
        timeout: 300,
        architectures: ["x86_64"],
        environment: { variables: { STAGE: "test", AWS_LAMBDA_EXEC_WRAPPER: "/var/task/bootstrap" } },
        reservedConcurrentExecutions: 5,
        tracingConfig: { mode: "Active" },
        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc",
        deadLetterConfig: { targetArn: "arn:aws:sns:eu-west-1:123456789012:failures" },
        vpcConfig: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] },
      });
      expect(inputsOf("options-logs")["retentionInDays"]).to.equal(30);
      expect(inputsOf("options-stage")["xrayTracingEnabled"]).to.equal(true);
      expect(inputsOf("options-integration")["timeoutMilliseconds"]).to.equal(300_000);
      const sids = policy(inputsOf("options-role-policy")["policy"]).Statement.map(
        (statement) => statement.Sid,
      );
      expect(sids).to.deep.equal([
        "WriteOwnLogs",
        "XRayTracing",
        "VpcNetworkInterfaces",
        "DecryptEnvironment",
        "DeadLetterQueue",
      ]);
    });

    it("sends JSON logs with their levels through the function's loggingConfig", async function () {
      await deploy("json-logs", { logFormat: "JSON", applicationLogLevel: "WARN", systemLogLevel: "DEBUG" });
      expect(inputsOf("json-logs-fn")["loggingConfig"]).to.deep.equal({
        logFormat: "JSON",
        logGroup: stateOf("json-logs-logs")["name"],
        applicationLogLevel: "WARN",
        systemLogLevel: "DEBUG",
      });
    });

    it("sets the binary media types given, or none", async function () {
      await deploy("binary-types", { binaryMediaTypes: ["image/png", "application/octet-stream"] });
      expect(inputsOf("binary-types-api")["binaryMediaTypes"]).to.deep.equal([
        "image/png",
        "application/octet-stream",
      ]);
      await deploy("text-bodies", { binaryMediaTypes: [] });
      expect(inputsOf("text-bodies-api")["binaryMediaTypes"] ?? []).to.deep.equal([]);
    });

    it("routes a nested path with a greedy parameter through chained resources", async function () {
      const api = await deploy("nested", {
        path: "v1/files/{proxy+}",
        method: "GET",
        stageName: "v1",
        authorization: "NONE",
      });
      const root = stateOf("nested-api")["rootResourceId"];
      expect([0, 1, 2].map((index) => inputsOf(`nested-path-${index}`))).to.deep.equal([
        { restApi: recorder.get("nested-api").id, parentId: root, pathPart: "v1" },
        {
          restApi: recorder.get("nested-api").id,
          parentId: recorder.get("nested-path-0").id,
          pathPart: "files",
        },
        {
          restApi: recorder.get("nested-api").id,
          parentId: recorder.get("nested-path-1").id,
          pathPart: "{proxy+}",
        },
      ]);
      expect(inputsOf("nested-method")).to.deep.include({
        resourceId: recorder.get("nested-path-2").id,
        httpMethod: "GET",
        authorization: "NONE",
      });
      expect(inputsOf("nested-integration")["httpMethod"]).to.equal("GET");
      expect(await promiseOf(api.url)).to.match(/\/v1\/v1\/files\/\{proxy\+\}$/);
    });

    it("serves the API's root for path /", async function () {
      const api = await deploy("rooted", { path: "/" });
      expect(
        recorder
          .childrenOf("rooted")
          .some((resource) => resource.type === "aws:apigateway/resource:Resource"),
      ).to.equal(false);
      expect(inputsOf("rooted-method")["resourceId"]).to.equal(stateOf("rooted-api")["rootResourceId"]);
      expect(await promiseOf(api.url)).to.match(/\/prod\/$/);
    });

    it("logs access to a log group it creates, in JSON with the request id", async function () {
      await deploy("logged", { accessLogging: { retentionInDays: 90 } });
      expect(inputsOf("logged-access-logs")).to.deep.equal({
        namePrefix: "/aws/apigateway/logged-",
        retentionInDays: 90,
      });
      const settings = inputsOf("logged-stage")["accessLogSettings"];
      expect(settings["destinationArn"]).to.equal(stateOf("logged-access-logs")["arn"]);
      expect(JSON.parse(settings["format"])).to.include({
        requestId: "$context.requestId",
        status: "$context.status",
      });
    });

    it("sends access logs to a given destination without creating a log group", async function () {
      const firehose = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/amazon-apigateway-logs";
      await deploy("firehose", {
        accessLogging: { destinationArn: firehose, format: '{"id":"$context.requestId"}' },
      });
      expect(recorder.has("firehose-access-logs")).to.equal(false);
      expect(inputsOf("firehose-stage")["accessLogSettings"]).to.deep.equal({
        destinationArn: firehose,
        format: '{"id":"$context.requestId"}',
      });
    });

    it("associates a WAFv2 web ACL with the stage", async function () {
      const webAclArn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/abc";
      await deploy("guarded", { webAclArn });
      expect(inputsOf("guarded-waf")).to.deep.equal({
        resourceArn: stateOf("guarded-stage")["arn"],
        webAclArn,
      });
    });

    it("lets two instances live in one stack without sharing a child", async function () {
      const first = await deploy("twin-a");
      const second = await deploy("twin-b");
      const a = recorder.childrenOf("twin-a");
      const b = recorder.childrenOf("twin-b");
      expect(a).to.have.lengthOf(13);
      expect(b).to.have.lengthOf(13);
      expect(a.map((resource) => resource.name.replace("twin-a-", ""))).to.have.members(
        b.map((resource) => resource.name.replace("twin-b-", "")),
      );
      expect(await promiseOf(first.functionName)).to.not.equal(await promiseOf(second.functionName));
      expect(await promiseOf(first.url)).to.not.equal(await promiseOf(second.url));
      expect(inputsOf("twin-a-logs")["namePrefix"]).to.not.equal(inputsOf("twin-b-logs")["namePrefix"]);
    });
  });

  describe("transform", function () {
    it("applies partial args last (yours win) and function edits of args", async function () {
      await deploy("transformed", {
        transform: {
          function: { description: "custom description", ephemeralStorage: { size: 1024 } },
          role: (args) => {
            args.path = "/streaming/";
          },
          invokeRole: { maxSessionDuration: 7200 },
          logGroup: (args) => {
            args.retentionInDays = 3;
          },
          restApi: { binaryMediaTypes: ["application/octet-stream"] },
          method: { apiKeyRequired: true },
          integration: (args) => {
            args.timeoutMilliseconds = 120_000;
          },
          stage: { description: "custom stage" },
        },
      });
      expect(inputsOf("transformed-fn")).to.deep.include({
        description: "custom description",
        ephemeralStorage: { size: 1024 },
        runtime: "nodejs24.x",
      });
      expect(inputsOf("transformed-role")["path"]).to.equal("/streaming/");
      expect(inputsOf("transformed-invoke-role")["maxSessionDuration"]).to.equal(7200);
      expect(inputsOf("transformed-logs")["retentionInDays"]).to.equal(3);
      expect(inputsOf("transformed-api")["binaryMediaTypes"]).to.deep.equal(["application/octet-stream"]);
      expect(inputsOf("transformed-method")["apiKeyRequired"]).to.equal(true);
      expect(inputsOf("transformed-integration")).to.deep.include({
        timeoutMilliseconds: 120_000,
        responseTransferMode: "STREAM",
      });
      expect(inputsOf("transformed-stage")).to.deep.include({
        description: "custom stage",
        stageName: "prod",
      });
    });

    it("passes resource options through a function transform", async function () {
      const provider = new aws.Provider("other-region", { region: "us-west-2" });
      const api = await deploy("rehomed", {
        transform: {
          function: (_args, opts) => {
            opts.provider = provider;
          },
        },
      });
      expect(recorder.get("rehomed-fn").provider).to.match(/::other-region::/);
      expect(recorder.get("rehomed-role").provider ?? "").to.not.match(/::other-region::/);
      // The component still parents the transformed child.
      expect(await promiseOf(api.function.urn)).to.include(
        "::streaming-rest-api:index:StreamingRestApi$aws:lambda/function:Function::",
      );
    });

    /** One case per child the component creates beyond the eight keys above: its transform reaches it. */
    const childTransforms: Array<{
      child: string;
      args?: Partial<StreamingRestApiArgs>;
      transform: StreamingRestApiTransforms;
      check: (name: string) => void;
    }> = [
      {
        child: "the execution role's policy",
        transform: { rolePolicy: { namePrefix: "exec-" } },
        check: (name) => expect(inputsOf(`${name}-role-policy`)["namePrefix"]).to.equal("exec-"),
      },
      {
        child: "the invoke role's policy",
        transform: { invokeRolePolicy: { namePrefix: "invoke-" } },
        check: (name) => expect(inputsOf(`${name}-invoke-policy`)["namePrefix"]).to.equal("invoke-"),
      },
      {
        child: "each path resource, by name",
        args: { path: "reports/{id}" },
        transform: {
          pathResource: (args, _opts, childName) => {
            args.pathPart = `${String(args.pathPart)}-${childName.split("-").pop()}`;
          },
        },
        check: (name) =>
          expect([0, 1].map((index) => inputsOf(`${name}-path-${index}`)["pathPart"])).to.deep.equal([
            "reports-0",
            "{id}-1",
          ]),
      },
      {
        child: "the deployment",
        transform: { deployment: { description: "custom deployment" } },
        check: (name) => expect(inputsOf(`${name}-deployment`)["description"]).to.equal("custom deployment"),
      },
      {
        child: "the access-log group",
        args: { accessLogging: true },
        transform: { accessLogGroup: { retentionInDays: 365 } },
        check: (name) => expect(inputsOf(`${name}-access-logs`)["retentionInDays"]).to.equal(365),
      },
      {
        child: "the stage-wide method settings",
        transform: {
          methodSettings: (args) => {
            args.settings = pulumi
              .output(args.settings)
              .apply((settings) => ({ ...settings, metricsEnabled: true }));
          },
        },
        check: (name) =>
          expect(inputsOf(`${name}-throttling`)["settings"]).to.deep.equal({
            throttlingRateLimit: 50,
            throttlingBurstLimit: 100,
            metricsEnabled: true,
          }),
      },
      {
        child: "the web ACL association",
        args: { webAclArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/abc" },
        transform: { webAclAssociation: { region: "eu-west-1" } },
        check: (name) => expect(inputsOf(`${name}-waf`)["region"]).to.equal("eu-west-1"),
      },
    ];
    for (const [index, { child, args, transform, check }] of childTransforms.entries()) {
      const key = Object.keys(transform)[0] ?? "";
      it(`applies transform.${key} to ${child}`, async function () {
        const name = `child-transform-${index}`;
        await deploy(name, { ...args, transform });
        check(name);
      });
    }

    it("gives every child a transform key (the children of every option)", async function () {
      await deploy("all-children", {
        accessLogging: true,
        webAclArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/abc",
        cors: { allowOrigins: ["https://app.example.com"] },
        authorization: "CUSTOM",
        authorizer: { functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:check-token" },
        domain: {
          name: "api.example.com",
          certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d",
          hostedZoneId: "Z0123456789ABCDEFGHIJ",
        },
        memorySize: 2048,
        capacityProvider: { subnetIds: ["subnet-0a1b2c3d"], securityGroupIds: ["sg-0a1b2c3d"] },
      });
      const suffixes = recorder
        .childrenOf("all-children")
        .map((resource) => resource.name.replace("all-children-", "").replace(/-\d+$/, ""));
      expect(new Set(suffixes)).to.deep.equal(new Set(Object.values(ChildSuffix)));
    });

    describe("of the function keeps AWS_LAMBDA_EXEC_WRAPPER", function () {
      const WRAPPER = { AWS_LAMBDA_EXEC_WRAPPER: "/var/task/bootstrap" };

      it("when an object transform replaces environment (a shallow merge)", async function () {
        await deploy("wrapper-object", {
          environment: { STAGE: "test" },
          transform: { function: { environment: { variables: { FOO: "bar" } } } },
        });
        expect(inputsOf("wrapper-object-fn")["environment"]).to.deep.equal({
          variables: { FOO: "bar", ...WRAPPER },
        });
      });

      it("when a function transform replaces or removes environment", async function () {
        await deploy("wrapper-function", {
          transform: {
            function: (args) => {
              args.environment = { variables: pulumi.output({ FOO: "from-output" }) };
            },
          },
        });
        expect(inputsOf("wrapper-function-fn")["environment"]).to.deep.equal({
          variables: { FOO: "from-output", ...WRAPPER },
        });
        await deploy("wrapper-removed", {
          environment: { STAGE: "test" },
          transform: {
            function: (args) => {
              delete args.environment;
            },
          },
        });
        expect(inputsOf("wrapper-removed-fn")["environment"]).to.deep.equal({ variables: WRAPPER });
      });

      it("and the rest of the function's args, with the transform's edits", async function () {
        await deploy("wrapper-kept-args", {
          environment: { STAGE: "test" },
          transform: {
            function: (args) => {
              args.memorySize = 2048;
            },
          },
        });
        expect(inputsOf("wrapper-kept-args-fn")).to.deep.include({
          memorySize: 2048,
          runtime: "nodejs24.x",
          handler: "index.handler",
          environment: { variables: { STAGE: "test", ...WRAPPER } },
        });
      });
    });

    describe("of the function is refused, naming transform.function", function () {
      const refused: Array<[string, Transform<aws.lambda.FunctionArgs>, RegExp]> = [
        [
          "another exec wrapper",
          (args) => {
            args.environment = { variables: { AWS_LAMBDA_EXEC_WRAPPER: "/opt/otel-handler" } };
          },
          /sets AWS_LAMBDA_EXEC_WRAPPER to "\/opt\/otel-handler".*Remove AWS_LAMBDA_EXEC_WRAPPER/,
        ],
        [
          "another runtime",
          (args) => {
            args.runtime = "nodejs22.x";
          },
          /overrides runtime, which the component builds/,
        ],
        [
          "another handler",
          (args) => {
            args.handler = "app.handler";
          },
          /overrides handler/,
        ],
        [
          "other code",
          (args) => {
            args.code = new pulumi.asset.FileArchive("other.zip");
          },
          /overrides code.*change the handler module/,
        ],
        [
          "no code",
          (args) => {
            delete args.code;
          },
          /overrides code/,
        ],
      ];
      for (const [what, transform, message] of refused) {
        it(`when a function transform sets ${what}`, function () {
          const error = refusal(`refused-fn-${what.replace(/ /g, "-")}`, {
            transform: { function: transform },
          });
          expect(error.argument).to.equal("transform.function");
          expect(error.message).to.match(message);
        });
      }
    });

    it("deletes the method before replacing it, so a new method or path never deploys beside the old one", async function () {
      const registered = new Map<string, pulumi.CustomResourceOptions>();
      let seenByTransform: boolean | undefined;
      await deploy(
        "replaced-method",
        {
          transform: {
            method: (_args, opts) => {
              seenByTransform = opts.deleteBeforeReplace;
            },
          },
        },
        {
          // A Pulumi resource transformation on the component sees each child's final options.
          transformations: [
            ({ type, name, opts }) => {
              registered.set(`${type} ${name}`, opts as pulumi.CustomResourceOptions);
              return undefined;
            },
          ],
        },
      );
      expect(seenByTransform, "the options transform.method receives").to.equal(true);
      expect(
        registered.get("aws:apigateway/method:Method replaced-method-method")?.deleteBeforeReplace,
        "the method's registered options",
      ).to.equal(true);
      const others = [...registered].filter(
        ([key, opts]) => !key.endsWith("-method") && opts.deleteBeforeReplace,
      );
      expect(
        others.map(([key]) => key),
        "no other child",
      ).to.deep.equal([]);
    });

    it("refuses a function transform that enables caching on the stage", function () {
      const error = refusal("cached", {
        transform: {
          stage: (args) => {
            args.cacheClusterEnabled = true;
          },
        },
      });
      expect(error.argument).to.equal("transform.stage");
      expect(error.message).to.include("does not support caching with STREAM");
    });
  });

  describe("redeployment", function () {
    // Ten deployments of the same component in one test.
    this.timeout(180_000);
    // Two runs of one program: the same names (so the same mock ids), different route settings.
    async function triggerFor(args: Partial<StreamingRestApiArgs>): Promise<string> {
      const before = recorder.resources.length;
      await deploy("redeploy", args);
      const deployment = recorder.resources
        .slice(before)
        .find((resource) => resource.name === "redeploy-deployment");
      return String(deployment?.inputs["triggers"]["redeployment"]);
    }

    it("keeps the deployment for unchanged routes and replaces it for any route change", async function () {
      const baseline = await triggerFor({});
      expect(await triggerFor({}), "unchanged").to.equal(baseline);
      expect(
        await triggerFor({ memorySize: 256, throttle: { rateLimit: 5 } }),
        "function and stage settings",
      ).to.equal(baseline);
      const changed = {
        method: await triggerFor({ method: "POST" }),
        authorization: await triggerFor({ authorization: "NONE" }),
        path: await triggerFor({ path: "other" }),
        integrationTimeout: await triggerFor({ integrationTimeoutMs: 120_000 }),
        integrationTransform: await triggerFor({
          transform: { integration: { passthroughBehavior: "NEVER" } },
        }),
        methodTransform: await triggerFor({ transform: { method: { apiKeyRequired: true } } }),
        restApiTransform: await triggerFor({ transform: { restApi: { binaryMediaTypes: ["image/png"] } } }),
        binaryMediaTypes: await triggerFor({ binaryMediaTypes: ["application/octet-stream"] }),
        pathResourceTransform: await triggerFor({
          transform: {
            pathResource: (args) => {
              args.pathPart = "renamed";
            },
          },
        }),
      };
      for (const [what, trigger] of Object.entries(changed)) expect(trigger, what).to.not.equal(baseline);
      expect(new Set(Object.values(changed)).size).to.equal(Object.keys(changed).length);
    });
  });

  describe("refusals and warnings", function () {
    const cases: Array<[string, Partial<StreamingRestApiArgs>, string]> = [
      ["memory", { memorySize: 100 }, "memorySize"],
      ["timeout", { timeout: 1000 }, "timeout"],
      ["integration-timeout", { integrationTimeoutMs: 10 }, "integrationTimeoutMs"],
      ["stage-name", { stageName: "no spaces" }, "stageName"],
      ["route-path", { path: "a//b" }, "path"],
      ["http-method", { method: "CONNECT" as "GET" }, "method"],
      ["log-level-with-text", { applicationLogLevel: "ERROR" }, "applicationLogLevel"],
      ["binary-media-type", { binaryMediaTypes: ["png"] }, "binaryMediaTypes[0]"],
      ["missing-handler", { handler: "handler/missing.ts" }, "handler"],
      ["missing-export", { handlerExport: "handlr" }, "handlerExport"],
      ["compression", { transform: { restApi: { minimumCompressionSize: "1024" } } }, "transform.restApi"],
      ["caching", { transform: { stage: { cacheClusterEnabled: true } } }, "transform.stage"],
      [
        "settings-caching",
        { transform: { methodSettings: { settings: { cachingEnabled: true } } } },
        "transform.methodSettings",
      ],
      ["runtime-override", { transform: { function: { runtime: "nodejs22.x" } } }, "transform.function"],
      [
        "wrapper-override",
        { transform: { function: { environment: { variables: { AWS_LAMBDA_EXEC_WRAPPER: "/opt/x" } } } } },
        "transform.function",
      ],
      [
        "unknown-child",
        { transform: { stages: {} } as StreamingRestApiArgs["transform"] },
        "transform.stages",
      ],
    ];
    for (const [label, args, argument] of cases) {
      it(`refuses ${label} (${argument}) before registering anything`, async function () {
        const name = `refused-${label}`;
        const error = refusal(name, args);
        expect(error.argument).to.equal(argument);
        await settle();
        expect(recorder.has(name), "the component itself").to.equal(false);
        expect(recorder.childrenOf(name)).to.deep.equal([]);
        expect(fs.existsSync(path.join(BUILD_DIR, name)), "no bundle written").to.equal(false);
      });
    }

    it("names esbuild's message when the handler export is missing", function () {
      const error = refusal("refused-export-message", { handlerExport: "handlr" });
      expect(error.message).to.match(/^StreamingRestApi "refused-export-message": handlerExport: /);
      expect(error.message).to.include('No matching export in "');
      expect(error.message).to.include('for import "handlr"');
    });

    it("warns through pulumi.log about a short integration timeout and an EDGE endpoint", async function () {
      const warnings = warningsDuring(
        () =>
          new StreamingRestApi("warned", {
            handler: HANDLER,
            integrationTimeoutMs: 29_000,
            endpointType: "EDGE",
          }),
      );
      await settle();
      expect(warnings).to.have.lengthOf(2);
      expect(warnings[0]).to.include(
        "integrationTimeoutMs (29000 ms) is shorter than the function's timeout (60 s)",
      );
      expect(warnings[1]).to.include('endpointType "EDGE"');
      expect(inputsOf("warned-api")["endpointConfiguration"]).to.deep.equal({ types: "EDGE" });
    });
  });
});
