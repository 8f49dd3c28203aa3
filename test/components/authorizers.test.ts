// Cognito user pools and Lambda authorizers under Pulumi mocks: the authorizer, the method, the permission.
import { MOCK_ACCOUNT, MOCK_REGION, recorder } from "../helpers/pulumiMocks";
// The mocks above are installed before the component module is loaded.
import { deploy, inputsOf, inScratchProject } from "./mockedStack";
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type { StreamingRestApiArgs } from "../../components";

const USER_POOL = `arn:aws:cognito-idp:${MOCK_REGION}:${MOCK_ACCOUNT}:userpool/${MOCK_REGION}_AbCdEf123`;
const AUTH_FUNCTION = `arn:aws:lambda:${MOCK_REGION}:${MOCK_ACCOUNT}:function:check-token`;

function stateOf(name: string): Record<string, unknown> {
  return recorder.get(name).state;
}

describe("StreamingRestApi authorizers", function () {
  this.timeout(60_000);
  inScratchProject("authorizers");

  it("authorizes with Cognito user pools: the authorizer, and the method bound to it with its scopes", async function () {
    await deploy("auth-cognito", {
      authorization: "COGNITO_USER_POOLS",
      cognito: { userPoolArns: [USER_POOL], scopes: ["reports/read"] },
    });
    expect(inputsOf("auth-cognito-authorizer")).to.deep.equal({
      restApi: recorder.get("auth-cognito-api").id,
      type: "COGNITO_USER_POOLS",
      providerArns: [USER_POOL],
      identitySource: "method.request.header.Authorization",
    });
    expect(inputsOf("auth-cognito-method")).to.deep.include({
      authorization: "COGNITO_USER_POOLS",
      authorizerId: recorder.get("auth-cognito-authorizer").id,
      authorizationScopes: ["reports/read"],
    });
    expect(recorder.has("auth-cognito-authorizer-permission"), "no function to invoke").to.equal(false);
  });

  it("authorizes with a REQUEST Lambda authorizer by default, which only this API's authorizer may invoke", async function () {
    await deploy("auth-custom", { authorization: "CUSTOM", authorizer: { functionArn: AUTH_FUNCTION } });
    const authorizerId = recorder.get("auth-custom-authorizer").id;
    expect(inputsOf("auth-custom-authorizer")).to.deep.equal({
      restApi: recorder.get("auth-custom-api").id,
      type: "REQUEST",
      authorizerUri: `arn:aws:apigateway:${MOCK_REGION}:lambda:path/2015-03-31/functions/${AUTH_FUNCTION}/invocations`,
      identitySource: "method.request.header.Authorization",
      authorizerResultTtlInSeconds: 300,
    });
    expect(inputsOf("auth-custom-method")).to.deep.include({ authorization: "CUSTOM", authorizerId });
    expect(inputsOf("auth-custom-method")).to.not.have.property("authorizationScopes");
    expect(inputsOf("auth-custom-authorizer-permission")).to.deep.equal({
      action: "lambda:InvokeFunction",
      function: AUTH_FUNCTION,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${String(stateOf("auth-custom-api")["executionArn"])}/authorizers/${authorizerId}`,
    });
  });

  it("takes a TOKEN authorizer's header, a cache TTL, and a function ARN that is an output (an alias)", async function () {
    const aliasArn = pulumi.output(`${AUTH_FUNCTION}:live`);
    await deploy("auth-token", {
      authorization: "CUSTOM",
      authorizer: {
        functionArn: aliasArn,
        type: "TOKEN",
        identitySources: ["method.request.header.X-Token"],
        resultTtlInSeconds: 0,
      },
    });
    expect(inputsOf("auth-token-authorizer")).to.deep.include({
      type: "TOKEN",
      identitySource: "method.request.header.X-Token",
      authorizerResultTtlInSeconds: 0,
      authorizerUri: `arn:aws:apigateway:${MOCK_REGION}:lambda:path/2015-03-31/functions/${AUTH_FUNCTION}:live/invocations`,
    });
    expect(inputsOf("auth-token-authorizer-permission")["function"]).to.equal(`${AUTH_FUNCTION}:live`);
  });

  it("joins several REQUEST identity sources as API Gateway reads them", async function () {
    await deploy("auth-sources", {
      authorization: "CUSTOM",
      authorizer: {
        functionArn: AUTH_FUNCTION,
        identitySources: [
          "method.request.header.Authorization",
          "method.request.querystring.tenant",
          "context.sourceIp",
        ],
      },
    });
    expect(inputsOf("auth-sources-authorizer")["identitySource"]).to.equal(
      "method.request.header.Authorization,method.request.querystring.tenant,context.sourceIp",
    );
  });

  it("lets two instances with different authorizers live in one stack, each bound to its own API", async function () {
    await deploy("auth-pair-a", { authorization: "CUSTOM", authorizer: { functionArn: AUTH_FUNCTION } });
    await deploy("auth-pair-b", {
      authorization: "COGNITO_USER_POOLS",
      cognito: { userPoolArns: [USER_POOL] },
    });
    for (const name of ["auth-pair-a", "auth-pair-b"]) {
      expect(inputsOf(`${name}-authorizer`)["restApi"], name).to.equal(recorder.get(`${name}-api`).id);
      expect(inputsOf(`${name}-method`)["authorizerId"], name).to.equal(
        recorder.get(`${name}-authorizer`).id,
      );
    }
    expect(recorder.get("auth-pair-a-authorizer").id).to.not.equal(recorder.get("auth-pair-b-authorizer").id);
    expect(inputsOf("auth-pair-a-method")["authorization"]).to.equal("CUSTOM");
    expect(inputsOf("auth-pair-b-method")["authorization"]).to.equal("COGNITO_USER_POOLS");
    expect(recorder.has("auth-pair-b-authorizer-permission")).to.equal(false);
    expect(String(inputsOf("auth-pair-a-authorizer-permission")["sourceArn"])).to.include(
      String(stateOf("auth-pair-a-api")["executionArn"]),
    );
  });

  it("redeploys when the authorizer's settings change", async function () {
    async function triggerFor(authorizer: StreamingRestApiArgs["authorizer"]): Promise<string> {
      const before = recorder.resources.length;
      await deploy("auth-redeploy", {
        authorization: authorizer === undefined ? "AWS_IAM" : "CUSTOM",
        authorizer,
      });
      const found = recorder.resources
        .slice(before)
        .find((resource) => resource.name === "auth-redeploy-deployment");
      return String(found?.inputs["triggers"]["redeployment"]);
    }
    const cached = await triggerFor({ functionArn: AUTH_FUNCTION });
    expect(await triggerFor({ functionArn: AUTH_FUNCTION }), "unchanged").to.equal(cached);
    expect(await triggerFor({ functionArn: AUTH_FUNCTION, resultTtlInSeconds: 60 }), "TTL").to.not.equal(
      cached,
    );
    expect(await triggerFor(undefined), "IAM").to.not.equal(cached);
  });
});
