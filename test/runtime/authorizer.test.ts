// Reading what an authorizer handed the function: Cognito claims and scopes, a Lambda authorizer's context.
import { expect } from "chai";
import { authorizerClaims, authorizerContext, authorizerScopes, parseRestApiEvent } from "../../runtime";
import { sampleRestApiEvent } from "../fixtures/restApiProxyEvent";

/** The bytes of a REST API event whose requestContext has `authorizer`, as a streaming handler receives them. */
function eventBytes(authorizer: unknown): Buffer {
  const event = sampleRestApiEvent();
  return Buffer.from(JSON.stringify({ ...event, requestContext: { ...event.requestContext, authorizer } }));
}

describe("authorizer helpers", function () {
  it("read a Cognito user pools token's claims, every one a string, and its scopes", function () {
    const event = parseRestApiEvent(
      eventBytes({
        claims: {
          sub: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
          email: "alice@example.com",
          email_verified: "true",
          "cognito:groups": "admins,readers",
          scope: "reports/read  reports/write",
        },
      }),
    );
    const claims = authorizerClaims<"email" | "cognito:groups">(event);
    expect(claims?.sub).to.equal("a1b2c3d4-5678-90ab-cdef-EXAMPLE11111");
    expect(claims?.email).to.equal("alice@example.com");
    expect(claims?.["cognito:groups"]).to.equal("admins,readers");
    expect(authorizerScopes(event)).to.deep.equal(["reports/read", "reports/write"]);
    // The claims object is not part of the (Lambda authorizer) context.
    expect(authorizerContext(event)).to.deep.equal({});
  });

  it("read a Lambda authorizer's context with its principal, numbers and booleans as strings", function () {
    const event = parseRestApiEvent(
      eventBytes({
        principalId: "user-42",
        tenantId: "acme",
        admin: true,
        quota: 10,
        integrationLatency: 12,
        nested: {},
      }),
    );
    const context = authorizerContext<"tenantId" | "admin" | "quota">(event);
    expect(context).to.deep.equal({
      principalId: "user-42",
      tenantId: "acme",
      admin: "true",
      quota: "10",
      integrationLatency: "12",
    });
    expect(context?.tenantId).to.equal("acme");
    expect(authorizerClaims(event)).to.equal(undefined);
    expect(authorizerScopes(event)).to.deep.equal([]);
  });

  it("find nothing when the route has no authorizer (AWS_IAM, NONE, the local server)", function () {
    for (const authorizer of [undefined, null, "not an object", ["a"]]) {
      const event = parseRestApiEvent(eventBytes(authorizer));
      expect(authorizerClaims(event), String(authorizer)).to.equal(undefined);
      expect(authorizerContext(event), String(authorizer)).to.equal(undefined);
      expect(authorizerScopes(event), String(authorizer)).to.deep.equal([]);
    }
    expect(authorizerContext({})).to.equal(undefined);
    expect(authorizerContext({ requestContext: null })).to.equal(undefined);
  });
});
