// streaming-public-routes: authorization "NONE" passes only where the policy config allows it.
import { expect } from "chai";
import { ChildSuffix } from "../../components/naming";
import { ComponentChild } from "../../policy/lib/scope";
import { publicRoutes } from "../../policy/rules/publicRoutes";
import { deployComponent, subjectOf, withInputs } from "./componentResources";
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
          'invoke the function. Use authorization "AWS_IAM", "COGNITO_USER_POOLS" or "CUSTOM", or allow it with ' +
          'the policy config publicComponents ["policy-open"] or allowPublicRoutes: true.',
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

  it("treats Cognito user pools and Lambda authorizers as authenticated", async function () {
    const cognito = subjectOf(
      await deployComponent("policy-cognito", {
        authorization: "COGNITO_USER_POOLS",
        cognito: {
          userPoolArns: ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123"],
        },
      }),
      METHOD,
    );
    const custom = subjectOf(
      await deployComponent("policy-custom", {
        authorization: "CUSTOM",
        authorizer: { functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:check-token" },
      }),
      METHOD,
      "policy-custom-method",
    );
    expect(cognito.inputs["authorization"]).to.equal("COGNITO_USER_POOLS");
    expect(custom.inputs["authorization"]).to.equal("CUSTOM");
    for (const subject of [cognito, custom]) {
      expect(await validateResource(publicRoutes, subject)).to.deep.equal({ violations: [] });
    }
    // An authorization the policy does not know is not taken for authenticated.
    const unknown = await validateResource(publicRoutes, withInputs(custom, { authorization: "OPEN" }));
    expect(unknown.violations[0]).to.match(/has authorization "OPEN"/);
  });

  it("passes the component's CORS preflight, and no other public OPTIONS method", async function () {
    const subjects = await deployComponent("policy-cors", {
      cors: { allowOrigins: ["https://app.example.com"] },
    });
    const preflight = subjectOf(subjects, METHOD, "policy-cors-cors-method");
    expect(preflight.inputs).to.include({ httpMethod: "OPTIONS", authorization: "NONE" });
    expect(await validateResource(publicRoutes, preflight)).to.deep.equal({ violations: [] });
    expect(
      await validateResource(publicRoutes, subjectOf(subjects, METHOD, "policy-cors-method")),
    ).to.deep.equal({
      violations: [],
    });
    // The route's own method made public, or a preflight turned into a GET, is reported.
    const route = subjectOf(subjects, METHOD, "policy-cors-method");
    const publicRoute = withInputs(route, { authorization: "NONE", httpMethod: "OPTIONS" });
    expect((await validateResource(publicRoutes, publicRoute)).violations).to.have.length(1);
    const notPreflight = withInputs(preflight, { httpMethod: "GET" });
    expect((await validateResource(publicRoutes, notPreflight)).violations).to.have.length(1);
  });

  it("names the preflight as the component does", function () {
    expect(ComponentChild.corsMethod).to.equal(ChildSuffix.corsMethod);
    expect(ComponentChild.corsIntegration).to.equal(ChildSuffix.corsIntegration);
  });
});
