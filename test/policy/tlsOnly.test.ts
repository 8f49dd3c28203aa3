// streaming-tls-only: the REST API refuses TLS 1.0/1.1 (security policy), or serves only through custom domains.
import { expect } from "chai";
import { tlsOnly } from "../../policy/rules/tlsOnly";
import { deployComponent, subjectOf, withInputs } from "./componentResources";
import { validateResource, type PolicySubject } from "./policyHarness";

const REST_API = "aws:apigateway/restApi:RestApi";

describe("policy streaming-tls-only", function () {
  this.timeout(60_000);
  let unset: PolicySubject;
  let tls12: PolicySubject;

  before(async function () {
    tls12 = subjectOf(await deployComponent("policy-tls12"), REST_API);
    unset = withInputs(tls12, { securityPolicy: undefined });
  });

  it("refuses a REST API without a security policy (API Gateway's default is TLS_1_0)", async function () {
    expect(unset.inputs["securityPolicy"]).to.equal(undefined);
    const outcome = await validateResource(tlsOnly, unset);
    expect(outcome.violations).to.have.length(1);
    expect(outcome.violations[0]).to.match(
      /^The REST API sets no securityPolicy, so its execute-api endpoint accepts TLS 1.0/,
    );
  });

  it("passes the component's default, TLS_1_2", async function () {
    expect(tls12.inputs).to.have.property("securityPolicy", "TLS_1_2");
    expect(await validateResource(tlsOnly, tls12)).to.deep.equal({ violations: [] });
  });

  it("refuses TLS_1_0", async function () {
    const outcome = await validateResource(tlsOnly, withInputs(tls12, { securityPolicy: "TLS_1_0" }));
    expect(outcome.violations).to.deep.equal([
      'The REST API\'s securityPolicy TLS_1_0 is not allowed: use "TLS_1_2" or an enhanced SecurityPolicy_* (TLS 1.2 or later).',
    ]);
  });

  it("passes an enhanced policy only with an endpoint access mode", async function () {
    const enhanced = withInputs(tls12, { securityPolicy: "SecurityPolicy_TLS13_1_3_2025_09" });
    expect((await validateResource(tlsOnly, enhanced)).violations).to.deep.equal([
      'The REST API\'s enhanced securityPolicy SecurityPolicy_TLS13_1_3_2025_09 needs endpointAccessMode ("STRICT" recommended).',
    ]);
    const strict = withInputs(enhanced, { endpointAccessMode: "STRICT" });
    expect(await validateResource(tlsOnly, strict)).to.deep.equal({ violations: [] });
  });

  it("passes a REST API whose execute-api endpoint is disabled", async function () {
    const disabled = withInputs(unset, { disableExecuteApiEndpoint: true });
    expect(await validateResource(tlsOnly, disabled)).to.deep.equal({ violations: [] });
  });

  it("accepts only the configured policies when allowedSecurityPolicies is set", async function () {
    const outcome = await validateResource(tlsOnly, tls12, {
      allowedSecurityPolicies: ["SecurityPolicy_TLS13_1_3_2025_09"],
    });
    expect(outcome.violations).to.deep.equal([
      "The REST API's securityPolicy TLS_1_2 is not allowed: use one of SecurityPolicy_TLS13_1_3_2025_09.",
    ]);
  });

  it("checks custom domains with scope: stack (TLS_1_0 refused, AWS's TLS_1_2 default accepted)", async function () {
    const domain = (securityPolicy?: string): PolicySubject => ({
      type: "aws:apigateway/domainName:DomainName",
      name: "api-domain",
      urn: "urn:pulumi:test::p::aws:apigateway/domainName:DomainName::api-domain",
      inputs: { domainName: "api.example.com", ...(securityPolicy === undefined ? {} : { securityPolicy }) },
      outputs: {},
    });
    expect(await validateResource(tlsOnly, domain("TLS_1_0"))).to.have.property("notApplicable");
    expect(await validateResource(tlsOnly, domain("TLS_1_0"), { scope: "stack" })).to.deep.equal({
      violations: [
        'Custom domain api.example.com uses securityPolicy TLS_1_0: use "TLS_1_2" or an enhanced SecurityPolicy_* (TLS 1.2 or later).',
      ],
    });
    expect(await validateResource(tlsOnly, domain(), { scope: "stack" })).to.deep.equal({ violations: [] });
  });
});
