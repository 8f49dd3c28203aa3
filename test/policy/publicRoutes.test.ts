// streaming-public-routes: authorization "NONE" passes only where the policy config allows it.
import { expect } from "chai";
import { publicRoutes } from "../../policy/rules/publicRoutes";
import { deployComponent, subjectOf } from "./componentResources";
import { validateResource, type PolicySubject } from "./policyHarness";

const METHOD = "aws:apigateway/method:Method";

describe("policy streaming-public-routes", function () {
  this.timeout(60_000);
  let signed: PolicySubject;
  let open: PolicySubject;

  before(async function () {
    signed = subjectOf(await deployComponent("policy-signed"), METHOD);
    open = subjectOf(await deployComponent("policy-open", { authorization: "NONE", method: "GET" }), METHOD);
  });

  it("passes the default AWS_IAM method", async function () {
    expect(signed.inputs["authorization"]).to.equal("AWS_IAM");
    expect(await validateResource(publicRoutes, signed)).to.deep.equal({ violations: [] });
  });

  it('refuses authorization "NONE" without an allowance, naming the component and the fix', async function () {
    expect(open.inputs["authorization"]).to.equal("NONE");
    expect(await validateResource(publicRoutes, open)).to.deep.equal({
      violations: [
        'The GET method of StreamingRestApi "policy-open" has authorization "NONE": anyone who knows the URL can ' +
          'invoke the function. Use authorization "AWS_IAM", or allow it with the policy config publicComponents ' +
          '["policy-open"] or allowPublicRoutes: true.',
      ],
    });
  });

  it("passes a public route of a component listed in publicComponents, and only that component", async function () {
    expect(await validateResource(publicRoutes, open, { publicComponents: ["policy-open"] })).to.deep.equal({
      violations: [],
    });
    const other = await validateResource(publicRoutes, open, { publicComponents: ["policy-signed"] });
    expect(other.violations).to.have.length(1);
  });

  it("passes every public route with allowPublicRoutes: true", async function () {
    expect(await validateResource(publicRoutes, open, { allowPublicRoutes: true })).to.deep.equal({
      violations: [],
    });
  });

  it("leaves methods outside a StreamingRestApi alone unless scope is stack", async function () {
    const outside: PolicySubject = {
      ...open,
      urn: "urn:pulumi:test::streaming-rest-api-test::aws:apigateway/method:Method::health",
      parentUrn: undefined,
    };
    expect(await validateResource(publicRoutes, outside)).to.have.property("notApplicable");
    const stackWide = await validateResource(publicRoutes, outside, { scope: "stack" });
    expect(stackWide.violations[0]).to.match(/^The GET method has authorization "NONE"/);
  });
});
