// The pack's IAM readers: which resource patterns name one resource, and how documents are parsed.
import { expect } from "chai";
import { parsePolicyDocument, principalIsAnyone } from "../../policy/lib/iamDocument";
import { actionHasWildcard, resourceWildcardProblem } from "../../policy/lib/iamWildcards";
import { componentNameOf, isInComponent, parseUrn } from "../../policy/lib/scope";

describe("policy pack: IAM resource patterns", function () {
  const named = [
    "arn:aws:lambda:eu-west-1:123456789012:function:api-fn-5edf596",
    "arn:aws:lambda:eu-west-1:123456789012:function:api-fn-5edf596:*",
    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/api-2acb8901f6:*",
    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/api-2acb8901f6:log-stream:*",
    "arn:aws:s3:::my-bucket/*",
    "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/index/*",
    "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:sqs:eu-west-1:123456789012:dead-letters",
  ];
  for (const resource of named) {
    it(`accepts ${resource}`, function () {
      expect(resourceWildcardProblem(resource)).to.equal(undefined);
    });
  }

  const broad: [string, string][] = [
    ["*", '"*"'],
    ["arn:aws:lambda:*:123456789012:function:api-fn", "wildcard in its region"],
    ["arn:aws:lambda:eu-west-1:*:function:api-fn", "wildcard in its account"],
    ["arn:*:lambda:eu-west-1:123456789012:function:api-fn", "wildcard in its partition"],
    ["arn:aws:*:eu-west-1:123456789012:function:api-fn", "wildcard in its service"],
    ["arn:aws:lambda:eu-west-1:123456789012:function:*", 'the name "*"'],
    ["arn:aws:lambda:eu-west-1:123456789012:function:api-*", 'the name "api-*"'],
    ["arn:aws:lambda:eu-west-1:123456789012:*", "the name"],
    ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/*", 'the name "/aws/lambda/*"'],
    ["arn:aws:logs:eu-west-1:123456789012:*:x", "wildcard in its resource type"],
    ["arn:aws:s3:::*", 'the name "*"'],
    ["arn:aws:s3:::bucket-?/key", 'the name "bucket-?"'],
    ["arn:aws:kms:eu-west-1:123456789012:key/*", 'the name "*"'],
    ["lambda:*", "not an ARN"],
  ];
  for (const [resource, expected] of broad) {
    it(`refuses ${resource}`, function () {
      expect(resourceWildcardProblem(resource)).to.be.a("string").that.includes(expected);
    });
  }

  it("tells wildcard actions from named ones", function () {
    expect(["*", "s3:*", "lambda:Invoke*", "iam:?assRole"].map(actionHasWildcard)).to.deep.equal([
      true,
      true,
      true,
      true,
    ]);
    expect(actionHasWildcard("lambda:InvokeWithResponseStream")).to.equal(false);
  });
});

describe("policy pack: IAM documents", function () {
  it("reads a JSON string, widening single values and labelling statements", function () {
    const parsed = parsePolicyDocument(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "Logs",
            Effect: "Allow",
            Action: "logs:PutLogEvents",
            Resource: "arn:aws:logs:r:1:log-group:g:*",
          },
          { Effect: "Deny", NotAction: "s3:GetObject", NotResource: ["arn:aws:s3:::b/*"] },
        ],
      }),
    );
    expect(parsed).to.deep.equal({
      ok: true,
      statements: [
        {
          label: "Logs",
          deny: false,
          actions: ["logs:PutLogEvents"],
          resources: ["arn:aws:logs:r:1:log-group:g:*"],
          notAction: false,
          notResource: false,
          principal: undefined,
        },
        {
          label: "#1",
          deny: true,
          actions: [],
          resources: [],
          notAction: true,
          notResource: true,
          principal: undefined,
        },
      ],
    });
  });

  it("reads an object with a single statement", function () {
    const parsed = parsePolicyDocument({ Statement: { Effect: "Allow", Action: ["a:B"], Resource: "*" } });
    expect(parsed.ok && parsed.statements.map((statement) => statement.resources)).to.deep.equal([["*"]]);
  });

  it("reports documents it cannot read", function () {
    expect(parsePolicyDocument("{not json")).to.include({ ok: false });
    expect(parsePolicyDocument("[1]")).to.deep.equal({ ok: false, error: "is not a JSON object" });
    expect(parsePolicyDocument({ Statement: ["x"] })).to.deep.equal({
      ok: false,
      error: "has a statement #0 that is not an object",
    });
  });

  it("recognizes principals that let anyone in", function () {
    expect(principalIsAnyone("*")).to.equal(true);
    expect(principalIsAnyone({ AWS: "*" })).to.equal(true);
    expect(principalIsAnyone({ AWS: ["arn:aws:iam::123456789012:root", "*"] })).to.equal(true);
    expect(principalIsAnyone({ Service: "apigateway.amazonaws.com" })).to.equal(false);
    expect(principalIsAnyone(undefined)).to.equal(false);
  });
});

describe("policy pack: scope", function () {
  const componentUrn = "urn:pulumi:dev::proj::streaming-rest-api:index:StreamingRestApi::api";
  const childUrn =
    "urn:pulumi:dev::proj::streaming-rest-api:index:StreamingRestApi$aws:iam/role:Role::api-role";
  const outsideUrn = "urn:pulumi:dev::proj::aws:iam/role:Role::mine";
  /** A stack not updated since the component's type token changed. */
  const legacyComponentUrn = "urn:pulumi:dev::proj::streaming:index:StreamingRestApi::old";
  const legacyChildUrn = "urn:pulumi:dev::proj::streaming:index:StreamingRestApi$aws:iam/role:Role::old-role";

  it("parses URNs into the type chain and the name", function () {
    expect(parseUrn(childUrn)).to.deep.equal({
      typeChain: ["streaming-rest-api:index:StreamingRestApi", "aws:iam/role:Role"],
      name: "api-role",
    });
    expect(parseUrn("not-a-urn")).to.equal(undefined);
  });

  it("places children of a StreamingRestApi inside it, and nothing else", function () {
    expect(isInComponent(childUrn)).to.equal(true);
    expect(isInComponent(componentUrn)).to.equal(false);
    expect(isInComponent(outsideUrn)).to.equal(false);
    expect(componentNameOf(childUrn, componentUrn)).to.equal("api");
    expect(componentNameOf(outsideUrn, undefined)).to.equal(undefined);
  });

  it("places children of a component under the legacy type token inside it too", function () {
    expect(isInComponent(legacyChildUrn)).to.equal(true);
    expect(isInComponent(legacyComponentUrn)).to.equal(false);
    expect(componentNameOf(legacyChildUrn, legacyComponentUrn)).to.equal("old");
  });
});
