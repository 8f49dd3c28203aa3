// streaming-integration: the component's integration streams; a buffered or non-proxy one is caught.
import { expect } from "chai";
import { STREAMING_INVOKE_URI, streamingIntegration } from "../../policy/rules/streamingIntegration";
import { deployComponent, subjectOf, withInputs } from "./componentResources";
import { validateResource, type PolicySubject } from "./policyHarness";

const INTEGRATION = "aws:apigateway/integration:Integration";

describe("policy streaming-integration", function () {
  this.timeout(60_000);
  let integration: PolicySubject;
  let functionArn: string;

  before(async function () {
    const subjects = await deployComponent("policy-stream");
    integration = subjectOf(subjects, INTEGRATION);
    functionArn = String(subjectOf(subjects, "aws:lambda/function:Function").outputs["arn"]);
  });

  it("passes the component's integration: AWS_PROXY, POST, the streaming URI, STREAM", async function () {
    expect(integration.inputs).to.deep.include({
      type: "AWS_PROXY",
      integrationHttpMethod: "POST",
      responseTransferMode: "STREAM",
      uri: `arn:aws:apigateway:eu-west-1:lambda:path/2021-11-15/functions/${functionArn}/response-streaming-invocations`,
    });
    expect(await validateResource(streamingIntegration, integration)).to.deep.equal({ violations: [] });
  });

  it("refuses the buffered invoke URI", async function () {
    const buffered = withInputs(integration, {
      uri: `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
    });
    const outcome = await validateResource(streamingIntegration, buffered);
    expect(outcome.violations).to.have.length(1);
    expect(outcome.violations[0]).to.include("(that is the buffered Invoke URI)");
  });

  it("refuses BUFFERED transfer mode, and a missing one", async function () {
    for (const mode of ["BUFFERED", undefined]) {
      const outcome = await validateResource(
        streamingIntegration,
        withInputs(integration, { responseTransferMode: mode }),
      );
      expect(outcome.violations, String(mode)).to.deep.equal([
        'The integration\'s responseTransferMode is "BUFFERED": set "STREAM", or API Gateway waits for the whole ' +
          "response (which Lambda caps at 6 MB).",
      ]);
    }
  });

  it("refuses a non-proxy integration called with GET", async function () {
    const outcome = await validateResource(
      streamingIntegration,
      withInputs(integration, { type: "AWS", integrationHttpMethod: "GET" }),
    );
    expect(outcome.violations).to.deep.equal([
      'The integration type is "AWS": streaming needs a Lambda proxy ("AWS_PROXY").',
      'The integration calls Lambda with "GET": Lambda is invoked with "POST".',
    ]);
  });

  it("accepts qualified function ARNs and other partitions, and nothing but the streaming path", function () {
    const path = (arn: string) =>
      `arn:aws-us-gov:apigateway:us-gov-west-1:lambda:path/2021-11-15/functions/${arn}`;
    const fn = "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:api-fn";
    expect(STREAMING_INVOKE_URI.test(path(`${fn}/response-streaming-invocations`))).to.equal(true);
    expect(STREAMING_INVOKE_URI.test(path(`${fn}:live/response-streaming-invocations`))).to.equal(true);
    expect(STREAMING_INVOKE_URI.test(path(`${fn}/invocations`))).to.equal(false);
    expect(STREAMING_INVOKE_URI.test(path("${stageVariables.fn}/response-streaming-invocations"))).to.equal(
      false,
    );
  });

  it("leaves integrations outside a StreamingRestApi alone", async function () {
    const outside = {
      ...integration,
      urn: "urn:pulumi:test::p::aws:apigateway/integration:Integration::mine",
    };
    expect(await validateResource(streamingIntegration, outside)).to.have.property("notApplicable");
  });

  it("passes the component's CORS preflight MOCK integration, and refuses it reaching anything", async function () {
    const subjects = await deployComponent("policy-preflight", {
      cors: { allowOrigins: ["https://app.example.com"] },
    });
    const preflight = subjectOf(subjects, INTEGRATION, "policy-preflight-cors-integration");
    expect(preflight.inputs).to.include({ type: "MOCK", httpMethod: "OPTIONS" });
    expect(await validateResource(streamingIntegration, preflight)).to.deep.equal({ violations: [] });
    const proxied = await validateResource(
      streamingIntegration,
      withInputs(preflight, { type: "HTTP_PROXY" }),
    );
    expect(proxied.violations).to.deep.equal([
      'The CORS preflight integration has type "HTTP_PROXY": it runs without authorization, so it must be a ' +
        '"MOCK" integration that reaches nothing. Remove the transform.corsIntegration override of type.',
    ]);
    // The route's own integration is still held to STREAM.
    const route = subjectOf(subjects, INTEGRATION, "policy-preflight-integration");
    expect(await validateResource(streamingIntegration, route)).to.deep.equal({ violations: [] });
    expect(
      (await validateResource(streamingIntegration, withInputs(route, { type: "MOCK" }))).violations,
    ).to.have.length(1);
  });
});
