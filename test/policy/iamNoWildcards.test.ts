// streaming-iam-no-wildcards on the component's roles: its own grants pass, widened ones are caught.
import { expect } from "chai";
import { DEFAULT_ALLOWED_MANAGED_POLICY_ARNS, iamNoWildcards } from "../../policy/rules/iamNoWildcards";
import { deployComponent, PERMISSION_OPTIONS, subjectOf, withInputs } from "./componentResources";
import { validateResource, type PolicySubject } from "./policyHarness";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const FUNCTION_ARN_PATTERN = "arn:aws:lambda:eu-west-1:123456789012:function:*";

function statements(subject: PolicySubject): { Sid?: string; Resource: unknown }[] {
  return (
    JSON.parse(String(subject.inputs["policy"])) as { Statement: { Sid?: string; Resource: unknown }[] }
  ).Statement;
}

describe("policy streaming-iam-no-wildcards", function () {
  this.timeout(60_000);
  let defaults: PolicySubject[];
  let everything: PolicySubject[];

  before(async function () {
    defaults = await deployComponent("policy-iam");
    everything = await deployComponent("policy-iamall", PERMISSION_OPTIONS);
  });

  it("checks and passes both roles and both role policies of the defaults", async function () {
    const iam = defaults.filter((subject) => subject.type === ROLE || subject.type === ROLE_POLICY);
    expect(iam.map((subject) => subject.name).sort()).to.deep.equal([
      "policy-iam-invoke-policy",
      "policy-iam-invoke-role",
      "policy-iam-role",
      "policy-iam-role-policy",
    ]);
    for (const subject of iam) {
      expect(await validateResource(iamNoWildcards, subject), subject.name).to.deep.equal({ violations: [] });
    }
  });

  it('accepts Resource "*" only for the X-Ray and VPC actions AWS cannot scope', async function () {
    const rolePolicy = subjectOf(everything, ROLE_POLICY, "policy-iamall-role-policy");
    expect(statements(rolePolicy).map((statement) => [statement.Sid, statement.Resource])).to.deep.equal([
      ["WriteOwnLogs", [`arn:aws:logs:eu-west-1:123456789012:log-group:${logGroupName(everything)}:*`]],
      ["XRayTracing", "*"],
      ["VpcNetworkInterfaces", "*"],
      ["DecryptEnvironment", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
      ["DeadLetterQueue", "arn:aws:sqs:eu-west-1:123456789012:streaming-dlq"],
    ]);
    expect(await validateResource(iamNoWildcards, rolePolicy)).to.deep.equal({ violations: [] });

    const strict = await validateResource(iamNoWildcards, rolePolicy, { wildcardResourceActions: [] });
    expect(strict.violations).to.have.length(2);
    expect(strict.violations[0]).to.match(
      /^policy statement XRayTracing allows xray:PutTraceSegments, .* on "\*"/,
    );
    expect(strict.violations[1]).to.match(
      /^policy statement VpcNetworkInterfaces allows ec2:CreateNetworkInterface/,
    );
  });

  it("refuses a wildcard action or resource added through transform.role", async function () {
    const subjects = await deployComponent("policy-iaminline", {
      transform: {
        role: {
          inlinePolicies: [
            {
              name: "extra",
              policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Sid: "Buckets", Effect: "Allow", Action: ["s3:*"], Resource: "*" }],
              }),
            },
          ],
          managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
        },
      },
    });
    const role = subjectOf(subjects, ROLE, "policy-iaminline-role");
    const outcome = await validateResource(iamNoWildcards, role);
    expect(outcome.violations).to.have.length(3);
    expect(outcome.violations[0]).to.equal(
      'inlinePolicies[extra] statement Buckets allows the wildcard action "s3:*". List the actions it needs by name.',
    );
    expect(outcome.violations[1]).to.include(
      'inlinePolicies[extra] statement Buckets allows s3:* on "*", which is "*"',
    );
    expect(outcome.violations[2]).to.include(
      "managedPolicyArns attaches the AWS managed policy arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    );

    const allowed = await validateResource(iamNoWildcards, role, {
      allowedManagedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    });
    expect(allowed.violations).to.have.length(2);
  });

  it("refuses a trust policy that lets anyone assume the invoke role", async function () {
    const subjects = await deployComponent("policy-iamtrust", {
      transform: {
        invokeRole: {
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
          }),
        },
      },
    });
    const outcome = await validateResource(
      iamNoWildcards,
      subjectOf(subjects, ROLE, "policy-iamtrust-invoke-role"),
    );
    expect(outcome.violations).to.deep.equal([
      'assumeRolePolicy statement #0 lets any principal ("*") assume the role. Name the service or account.',
    ]);
  });

  it("refuses an invoke policy widened to every function, or written with NotAction", async function () {
    const invokePolicy = subjectOf(defaults, ROLE_POLICY, "policy-iam-invoke-policy");
    const widened = withInputs(invokePolicy, {
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "Invoke", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: FUNCTION_ARN_PATTERN },
          {
            Sid: "Rest",
            Effect: "Allow",
            NotAction: "iam:*",
            Resource: "arn:aws:lambda:eu-west-1:123456789012:function:x",
          },
          { Sid: "Guard", Effect: "Deny", Action: "*", Resource: "*" },
        ],
      }),
    });
    const outcome = await validateResource(iamNoWildcards, widened);
    expect(outcome.violations).to.deep.equal([
      `policy statement Invoke allows lambda:InvokeFunction on "${FUNCTION_ARN_PATTERN}", which does not name one ` +
        'resource (the wildcard is in the name "*"). Name the resource\'s ARN (a trailing wildcard after the name ' +
        "is fine, e.g. `<log group ARN>:*`).",
      "policy statement Rest uses NotAction, which allows every other action. List the actions it needs.",
    ]);
  });

  it("reports a policy document that is not JSON", async function () {
    const invokePolicy = subjectOf(defaults, ROLE_POLICY, "policy-iam-invoke-policy");
    const outcome = await validateResource(iamNoWildcards, withInputs(invokePolicy, { policy: "{oops" }));
    expect(outcome.violations).to.have.length(1);
    expect(outcome.violations[0]).to.match(/^policy is not valid JSON/);
  });

  it("checks standalone policies and policy attachments with scope: stack", async function () {
    const stackResource = (type: string, name: string, inputs: Record<string, unknown>): PolicySubject => ({
      type,
      name,
      urn: `urn:pulumi:test::streaming-rest-api-test::${type}::${name}`,
      inputs,
      outputs: {},
    });
    const bucketPolicy = stackResource("aws:iam/policy:Policy", "buckets", {
      policy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*" }],
      },
    });
    expect(
      (await validateResource(iamNoWildcards, bucketPolicy, { scope: "stack" })).violations,
    ).to.deep.equal([
      'policy statement #0 allows s3:GetObject on "arn:aws:s3:::*", which does not name one resource (the wildcard ' +
        'is in the name "*"). Name the resource\'s ARN (a trailing wildcard after the name is fine, e.g. ' +
        "`<log group ARN>:*`).",
    ]);
    const attach = (policyArn: string) =>
      stackResource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", { role: "r", policyArn });
    const admin = await validateResource(
      iamNoWildcards,
      attach("arn:aws:iam::aws:policy/AdministratorAccess"),
      {
        scope: "stack",
      },
    );
    expect(admin.violations).to.have.length(1);
    const own = await validateResource(iamNoWildcards, attach("arn:aws:iam::123456789012:policy/mine"), {
      scope: "stack",
    });
    expect(own).to.deep.equal({ violations: [] });
  });

  it("passes the Lambda Managed Instances operator role and its AWS managed policy, unless the config drops it", async function () {
    const subjects = await deployComponent("policy-iamlmi", {
      memorySize: 2048,
      capacityProvider: { subnetIds: ["subnet-0a1b2c3d"], securityGroupIds: ["sg-0a1b2c3d"] },
    });
    const operator = subjectOf(subjects, ROLE, "policy-iamlmi-lmi-role");
    expect(await validateResource(iamNoWildcards, operator)).to.deep.equal({ violations: [] });
    const attachment = subjectOf(subjects, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    expect(attachment.inputs["policyArn"]).to.equal(DEFAULT_ALLOWED_MANAGED_POLICY_ARNS[0]);
    expect(await validateResource(iamNoWildcards, attachment)).to.deep.equal({ violations: [] });
    const strict = await validateResource(iamNoWildcards, attachment, { allowedManagedPolicyArns: [] });
    expect(strict.violations).to.have.length(1);
    expect(strict.violations[0]).to.include("policyArn attaches the AWS managed policy");
  });

  it("checks roles outside the component only with scope: stack", async function () {
    const outside: PolicySubject = {
      type: ROLE,
      name: "someone-elses-role",
      urn: "urn:pulumi:test::streaming-rest-api-test::aws:iam/role:Role::someone-elses-role",
      inputs: { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
      outputs: {},
    };
    expect(await validateResource(iamNoWildcards, outside)).to.have.property("notApplicable");
    const stackWide = await validateResource(iamNoWildcards, outside, { scope: "stack" });
    expect(stackWide.violations).to.have.length(1);
    expect(stackWide.violations[0]).to.include("arn:aws:iam::aws:policy/AdministratorAccess");
  });
});

function logGroupName(subjects: readonly PolicySubject[]): string {
  return String(
    subjectOf(subjects, "aws:cloudwatch/logGroup:LogGroup", "policy-iamall-logs").outputs["name"],
  );
}
