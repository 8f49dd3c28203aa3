// The pack as a whole: its policies' settings, and its verdict on the component's defaults.
import { expect } from "chai";
import { LEGACY_STREAMING_REST_API_TYPE, STREAMING_REST_API_TYPE } from "../../components";
import { POLICY_PACK_NAME, policies } from "../../policy/policies";
import { COMPONENT_TYPE, LEGACY_COMPONENT_TYPE } from "../../policy/lib/scope";
import { deployComponent, EVERY_OPTION } from "./componentResources";
import { runPack, validateResource, validateStack, type PolicySubject } from "./policyHarness";

describe("policy pack", function () {
  let defaults: PolicySubject[];

  before(async function () {
    this.timeout(60_000);
    defaults = await deployComponent("policy-defaults");
  });

  it("names six distinct, mandatory policies", function () {
    expect(POLICY_PACK_NAME).to.equal("streaming-rest-api-security");
    expect(policies.map((policy) => policy.name)).to.deep.equal([
      "streaming-iam-no-wildcards",
      "streaming-public-routes",
      "streaming-log-retention",
      "streaming-stage-throttling",
      "streaming-integration",
      "streaming-tls-only",
    ]);
    for (const policy of policies) expect(policy.enforcementLevel, policy.name).to.equal("mandatory");
  });

  it("recognizes the component by its real type token, and by the legacy one", function () {
    expect(COMPONENT_TYPE).to.equal(STREAMING_REST_API_TYPE);
    expect(LEGACY_COMPONENT_TYPE).to.equal(LEGACY_STREAMING_REST_API_TYPE);
  });

  it("checks every resource the component creates with at least one policy", async function () {
    const checked = new Set<string>();
    for (const policy of policies) {
      if ("validateStack" in policy) {
        const outcome = await validateStack(policy, defaults);
        if (outcome.notApplicable === undefined) checked.add("aws:apigateway/stage:Stage");
        continue;
      }
      for (const subject of defaults) {
        const outcome = await validateResource(policy, subject);
        if (outcome.notApplicable === undefined) checked.add(subject.type);
      }
    }
    expect([...checked].sort()).to.deep.equal([
      "aws:apigateway/integration:Integration",
      "aws:apigateway/method:Method",
      "aws:apigateway/restApi:RestApi",
      "aws:apigateway/stage:Stage",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:lambda/function:Function",
    ]);
  });

  it("passes the component's defaults (TLS 1.2 included)", async function () {
    expect(await runPack(policies, defaults)).to.deep.equal([]);
  });

  it("reports a REST API whose TLS policy is transformed back to TLS_1_0", async function () {
    this.timeout(60_000);
    const subjects = await deployComponent("policy-tls10", {
      transform: { restApi: { securityPolicy: "TLS_1_0" } },
    });
    const findings = await runPack(policies, subjects);
    expect(findings.map(({ policy, resource }) => ({ policy, resource }))).to.deep.equal([
      { policy: "streaming-tls-only", resource: "policy-tls10-api" },
    ]);
  });

  it("passes every optional feature turned on (tracing, VPC, KMS, DLQ, access logs, WAF, CORS, authorizer, domain, LMI)", async function () {
    this.timeout(60_000);
    const subjects = await deployComponent("policy-everything", {
      ...EVERY_OPTION,
      reservedConcurrency: 10,
      transform: { restApi: { securityPolicy: "TLS_1_2" } },
    });
    expect(await runPack(policies, subjects)).to.deep.equal([]);
  });
});
