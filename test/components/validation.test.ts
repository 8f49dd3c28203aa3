// Argument checks: defaults, every refusal (naming the argument and the fix), every warning.
import { expect } from "chai";
import { DEFAULT_ACCESS_LOG_FORMAT, DEFAULTS, type StreamingRestApiArgs } from "../../components/args";
import { MAX_COMPONENT_NAME_LENGTH, componentNameProblem } from "../../components/naming";
import {
  StreamingRestApiArgumentError,
  functionTransformProblem,
  resolveArgs,
  streamIncompatibility,
} from "../../components/validation";

const HANDLER = "handler/index.ts";
const USER_POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123";
const FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:check-token";

function refusal(args: Partial<StreamingRestApiArgs>, name = "api"): StreamingRestApiArgumentError {
  try {
    resolveArgs(name, { handler: HANDLER, ...args } as StreamingRestApiArgs);
  } catch (error) {
    expect(error).to.be.instanceOf(StreamingRestApiArgumentError);
    return error as StreamingRestApiArgumentError;
  }
  throw new Error(`expected ${JSON.stringify(args)} to be refused`);
}

describe("StreamingRestApi arguments", function () {
  it("apply the documented defaults", function () {
    const resolved = resolveArgs("api", { handler: HANDLER });
    expect(resolved).to.deep.equal({
      handler: HANDLER,
      handlerExport: "handler",
      memorySize: 128,
      timeout: 60,
      architecture: "arm64",
      reservedConcurrency: undefined,
      environment: undefined,
      kmsKeyArn: undefined,
      deadLetterTargetArn: undefined,
      vpcConfig: undefined,
      tracing: false,
      logRetentionInDays: 14,
      logging: { logFormat: "Text", applicationLogLevel: undefined, systemLogLevel: undefined },
      path: "stream",
      pathSegments: ["stream"],
      method: "ANY",
      stageName: "prod",
      authorization: { kind: "AWS_IAM" },
      endpointType: "REGIONAL",
      integrationTimeoutMs: 60_000,
      binaryMediaTypes: ["*/*"],
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogging: undefined,
      webAclArn: undefined,
      cors: undefined,
      domain: undefined,
      capacityProvider: undefined,
      bundle: { minify: true, sourcemap: true, external: undefined, define: undefined },
      transforms: {},
      warnings: [],
    });
  });

  it("derive the integration timeout from the function timeout", function () {
    expect(resolveArgs("api", { handler: HANDLER, timeout: 1 }).integrationTimeoutMs).to.equal(1_000);
    expect(resolveArgs("api", { handler: HANDLER, timeout: 900 }).integrationTimeoutMs).to.equal(900_000);
    expect(
      resolveArgs("api", { handler: HANDLER, timeout: 900, integrationTimeoutMs: 900_000 }).warnings,
    ).to.deep.equal([]);
  });

  it("accept root, nested, parameter and greedy paths, and lower-case methods", function () {
    expect(resolveArgs("api", { handler: HANDLER, path: "/" }).pathSegments).to.deep.equal([]);
    expect(resolveArgs("api", { handler: HANDLER, path: "/v1/items/{id}/" })).to.include({
      path: "v1/items/{id}",
    });
    expect(resolveArgs("api", { handler: HANDLER, path: "files/{proxy+}" }).pathSegments).to.deep.equal([
      "files",
      "{proxy+}",
    ]);
    expect(resolveArgs("api", { handler: HANDLER, method: "get" as "GET" }).method).to.equal("GET");
  });

  it("resolve access logging: off by default, a created log group with the default format when true", function () {
    expect(resolveArgs("api", { handler: HANDLER, accessLogging: false }).accessLogging).to.equal(undefined);
    expect(
      resolveArgs("api", { handler: HANDLER, accessLogging: true, logRetentionInDays: 30 }).accessLogging,
    ).to.deep.equal({
      destinationArn: undefined,
      format: DEFAULT_ACCESS_LOG_FORMAT,
      retentionInDays: 30,
    });
    const format = JSON.parse(DEFAULT_ACCESS_LOG_FORMAT) as Record<string, string>;
    expect(format["requestId"]).to.equal("$context.requestId");
    expect(format["integrationLatency"]).to.equal("$context.integration.latency");
  });

  it("resolve access logging given as settings, on unless enabled is false", function () {
    expect(resolveArgs("api", { handler: HANDLER, accessLogging: {} }).accessLogging).to.deep.equal({
      destinationArn: undefined,
      format: DEFAULT_ACCESS_LOG_FORMAT,
      retentionInDays: 14,
    });
    expect(
      resolveArgs("api", { handler: HANDLER, accessLogging: { enabled: true, retentionInDays: 90 } })
        .accessLogging,
    ).to.include({ retentionInDays: 90 });
    expect(
      resolveArgs("api", { handler: HANDLER, accessLogging: { enabled: false, retentionInDays: 90 } })
        .accessLogging,
    ).to.equal(undefined);
  });

  it("resolve JSON logs with their levels, and Text logs without", function () {
    expect(
      resolveArgs("api", {
        handler: HANDLER,
        logFormat: "JSON",
        applicationLogLevel: "DEBUG",
        systemLogLevel: "WARN",
      }).logging,
    ).to.deep.equal({ logFormat: "JSON", applicationLogLevel: "DEBUG", systemLogLevel: "WARN" });
    expect(resolveArgs("api", { handler: HANDLER, logFormat: "JSON" }).logging).to.deep.equal({
      logFormat: "JSON",
      applicationLogLevel: undefined,
      systemLogLevel: undefined,
    });
    expect(resolveArgs("api", { handler: HANDLER, logFormat: "Text" }).logging.logFormat).to.equal("Text");
  });

  it("resolve binary media types: the default, a list of patterns, or none", function () {
    expect(resolveArgs("api", { handler: HANDLER }).binaryMediaTypes).to.deep.equal(
      DEFAULTS.binaryMediaTypes,
    );
    const patterns = ["image/png", "image/*", "application/vnd.api+json", "*/*", "application/x-tar"];
    expect(
      resolveArgs("api", { handler: HANDLER, binaryMediaTypes: patterns }).binaryMediaTypes,
    ).to.deep.equal(patterns);
    expect(resolveArgs("api", { handler: HANDLER, binaryMediaTypes: [] }).binaryMediaTypes).to.deep.equal([]);
  });

  it("resolve authorizers with API Gateway's defaults, and REQUEST sources without caching", function () {
    expect(
      resolveArgs("api", { handler: HANDLER, authorization: "CUSTOM", authorizer: { functionArn: FUNCTION } })
        .authorization,
    ).to.deep.equal({
      kind: "CUSTOM",
      functionArn: FUNCTION,
      type: DEFAULTS.authorizerType,
      identitySources: [...DEFAULTS.authorizerIdentitySources],
      resultTtlInSeconds: DEFAULTS.authorizerResultTtlInSeconds,
    });
    expect(DEFAULTS).to.include({ authorizerType: "REQUEST", authorizerResultTtlInSeconds: 300 });
    expect(
      resolveArgs("api", {
        handler: HANDLER,
        authorization: "CUSTOM",
        authorizer: { functionArn: FUNCTION, identitySources: [], resultTtlInSeconds: 0 },
      }).authorization,
    ).to.include({ resultTtlInSeconds: 0 });
    expect(
      resolveArgs("api", {
        handler: HANDLER,
        authorization: "COGNITO_USER_POOLS",
        cognito: { userPoolArns: [USER_POOL] },
      }).authorization,
    ).to.deep.equal({ kind: "COGNITO_USER_POOLS", userPoolArns: [USER_POOL], scopes: [] });
  });

  const refusals: Array<[string, Partial<StreamingRestApiArgs>, string, RegExp]> = [
    [
      "memory below 128 MB",
      { memorySize: 64 },
      "memorySize",
      /memorySize must be .* from 128 to 10240 .*got 64/,
    ],
    ["memory above 10240 MB", { memorySize: 10_241 }, "memorySize", /memorySize .*got 10241/],
    ["fractional memory", { memorySize: 128.5 }, "memorySize", /memorySize/],
    ["a zero timeout", { timeout: 0 }, "timeout", /timeout must be .* from 1 to 900 .*got 0/],
    ["a timeout over 15 minutes", { timeout: 901 }, "timeout", /timeout .*got 901/],
    [
      "an integration timeout under 50 ms",
      { integrationTimeoutMs: 49 },
      "integrationTimeoutMs",
      /from 50 to 900000/,
    ],
    [
      "an integration timeout over 900000 ms",
      { integrationTimeoutMs: 900_001 },
      "integrationTimeoutMs",
      /got 900001/,
    ],
    ["an empty stage name", { stageName: "" }, "stageName", /stageName must be 1 to 128 letters/],
    ["a stage name with a space", { stageName: "pr od" }, "stageName", /"pr od"/],
    ["a stage name with a slash", { stageName: "a/b" }, "stageName", /stageName/],
    ["an empty path segment", { path: "a//b" }, "path", /invalid segment ""/],
    ["a greedy parameter before the end", { path: "{proxy+}/more" }, "path", /must be the last segment/],
    ["a path with a space", { path: "a b" }, "path", /invalid segment "a b"/],
    ["a path with a query", { path: "a?b" }, "path", /invalid segment/],
    ["an unknown method", { method: "FETCH" as "GET" }, "method", /method must be one of ANY, GET/],
    ["an unknown architecture", { architecture: "arm" as "arm64" }, "architecture", /"arm64" or "x86_64"/],
    [
      "a log format in the wrong case",
      { logFormat: "json" as "JSON" },
      "logFormat",
      /"Text" or "JSON" \(got "json"\)/,
    ],
    [
      "an application log level with Text logs",
      { applicationLogLevel: "DEBUG" },
      "applicationLogLevel",
      /logFormat is "Text": Lambda applies log levels to JSON logs only\. Set logFormat to "JSON".*or remove applicationLogLevel/,
    ],
    [
      "a system log level with Text logs",
      { logFormat: "Text", systemLogLevel: "WARN" },
      "systemLogLevel",
      /Set logFormat to "JSON" to filter by level, or remove systemLogLevel/,
    ],
    [
      "an application log level Lambda does not have",
      { logFormat: "JSON", applicationLogLevel: "VERBOSE" as "DEBUG" },
      "applicationLogLevel",
      /"TRACE", "DEBUG", "INFO", "WARN", "ERROR" or "FATAL" \(got "VERBOSE"\)/,
    ],
    [
      "an application-only level as the system log level",
      { logFormat: "JSON", systemLogLevel: "ERROR" as "WARN" },
      "systemLogLevel",
      /"DEBUG", "INFO" or "WARN" \(got "ERROR"\)/,
    ],
    [
      "binary media types that are not a list",
      { binaryMediaTypes: "*/*" as unknown as string[] },
      "binaryMediaTypes",
      /must be a list of media types/,
    ],
    [
      "a binary media type without a subtype",
      { binaryMediaTypes: ["image/png", "image"] },
      "binaryMediaTypes[1]",
      /"image" is not a media type pattern: write "type\/subtype"/,
    ],
    [
      "a binary media type with a partial wildcard",
      { binaryMediaTypes: ["image/p*"] },
      "binaryMediaTypes[0]",
      /is not a media type pattern/,
    ],
    [
      "a binary media type with parameters",
      { binaryMediaTypes: ["text/plain; charset=utf-8"] },
      "binaryMediaTypes[0]",
      /has parameters.*Remove everything from ";" on/,
    ],
    [
      "a binary media type in PATCH-escaped form",
      { binaryMediaTypes: ["image~1png"] },
      "binaryMediaTypes[0]",
      /"~1" for "\/".*Write "\/" itself/,
    ],
    [
      "a binary media type listed twice",
      { binaryMediaTypes: ["image/png", "IMAGE/PNG"] },
      "binaryMediaTypes[1]",
      /listed twice/,
    ],
    [
      "a binary media type that is not a string",
      { binaryMediaTypes: [42 as unknown as string] },
      "binaryMediaTypes[0]",
      /must be a string like "image\/png" \(got number\)/,
    ],
    [
      "an access log switch that is not a boolean",
      { accessLogging: { enabled: "yes" as unknown as boolean } },
      "accessLogging.enabled",
      /true or false/,
    ],
    [
      "an unknown authorization",
      { authorization: "COGNITO" as "NONE" },
      "authorization",
      /"AWS_IAM", "NONE", "COGNITO_USER_POOLS" or "CUSTOM" \(got "COGNITO"\)/,
    ],
    [
      "Cognito authorization without user pools",
      { authorization: "COGNITO_USER_POOLS" },
      "cognito",
      /needs cognito: \{ userPoolArns/,
    ],
    [
      "a custom authorizer without its function",
      { authorization: "CUSTOM" },
      "authorizer",
      /needs authorizer: \{ functionArn \}/,
    ],
    [
      "user pools with another authorization",
      { cognito: { userPoolArns: [USER_POOL] } },
      "cognito",
      /cognito is set but authorization is "AWS_IAM".*Set authorization to "COGNITO_USER_POOLS", or remove cognito/,
    ],
    [
      "an authorizer with another authorization",
      {
        authorization: "COGNITO_USER_POOLS",
        cognito: { userPoolArns: [USER_POOL] },
        authorizer: { functionArn: FUNCTION },
      },
      "authorizer",
      /authorizer is set but authorization is "COGNITO_USER_POOLS"/,
    ],
    [
      "no user pool",
      { authorization: "COGNITO_USER_POOLS", cognito: { userPoolArns: [] } },
      "cognito.userPoolArns",
      /at least one user pool ARN/,
    ],
    [
      "a user pool id instead of its ARN",
      { authorization: "COGNITO_USER_POOLS", cognito: { userPoolArns: ["eu-west-1_AbCdEf123"] } },
      "cognito.userPoolArns",
      /not a user pool ARN/,
    ],
    [
      "a scope with a space",
      { authorization: "COGNITO_USER_POOLS", cognito: { userPoolArns: [USER_POOL], scopes: ["a b"] } },
      "cognito.scopes",
      /without spaces/,
    ],
    [
      "an authorizer function that is not a Lambda function ARN",
      { authorization: "CUSTOM", authorizer: { functionArn: "check-token" } },
      "authorizer.functionArn",
      /not a Lambda function ARN/,
    ],
    [
      "an unknown authorizer type",
      { authorization: "CUSTOM", authorizer: { functionArn: FUNCTION, type: "JWT" as "TOKEN" } },
      "authorizer.type",
      /"REQUEST" or "TOKEN" \(got "JWT"\)/,
    ],
    [
      "a TOKEN authorizer with two identity sources",
      {
        authorization: "CUSTOM",
        authorizer: {
          functionArn: FUNCTION,
          type: "TOKEN",
          identitySources: ["method.request.header.A", "method.request.header.B"],
        },
      },
      "authorizer.identitySources",
      /TOKEN authorizer reads exactly one header/,
    ],
    [
      "a TOKEN authorizer reading the query string",
      {
        authorization: "CUSTOM",
        authorizer: {
          functionArn: FUNCTION,
          type: "TOKEN",
          identitySources: ["method.request.querystring.token"],
        },
      },
      "authorizer.identitySources",
      /one entry "method\.request\.header\.NAME"/,
    ],
    [
      "an identity source API Gateway does not know",
      {
        authorization: "CUSTOM",
        authorizer: { functionArn: FUNCTION, identitySources: ["header.Authorization"] },
      },
      "authorizer.identitySources",
      /not an identity source/,
    ],
    [
      "no identity source while results are cached",
      { authorization: "CUSTOM", authorizer: { functionArn: FUNCTION, identitySources: [] } },
      "authorizer.identitySources",
      /caches by identity source/,
    ],
    [
      "a cache TTL over an hour",
      { authorization: "CUSTOM", authorizer: { functionArn: FUNCTION, resultTtlInSeconds: 3601 } },
      "authorizer.resultTtlInSeconds",
      /0 \(no caching\) to 3600/,
    ],
    [
      "a PRIVATE endpoint",
      { endpointType: "PRIVATE" as "EDGE" },
      "endpointType",
      /PRIVATE APIs need VPC endpoints/,
    ],
    ["an unsupported retention", { logRetentionInDays: 10 }, "logRetentionInDays", /1, 3, 5, 7, 14/],
    ["negative reserved concurrency", { reservedConcurrency: -1 }, "reservedConcurrency", /0 or more/],
    ["a zero rate limit", { throttle: { rateLimit: 0 } }, "throttle.rateLimit", /above 0/],
    ["a fractional burst limit", { throttle: { burstLimit: 1.5 } }, "throttle.burstLimit", /whole number/],
    [
      "an access log format without the request id",
      { accessLogging: { format: "$context.status" } },
      "accessLogging.format",
      /must include \$context\.requestId/,
    ],
    [
      "an access log retention CloudWatch does not offer",
      { accessLogging: { retentionInDays: 2 } },
      "accessLogging.retentionInDays",
      /retention periods/,
    ],
    [
      "an environment that sets the exec wrapper",
      { environment: { AWS_LAMBDA_EXEC_WRAPPER: "/opt/other" } },
      "environment",
      /must not set AWS_LAMBDA_EXEC_WRAPPER/,
    ],
    [
      "a dead-letter target that is not SQS or SNS",
      { deadLetterTargetArn: "arn:aws:s3:::bucket" },
      "deadLetterTargetArn",
      /SQS queue or SNS topic/,
    ],
    ["a KMS key id instead of an ARN", { kmsKeyArn: "1234abcd-12ab" }, "kmsKeyArn", /ARN of a KMS key/],
    ["a classic WAF ARN", { webAclArn: "arn:aws:waf::123456789012:webacl/x" }, "webAclArn", /WAFv2 web ACL/],
    [
      "compression through transform.restApi",
      { transform: { restApi: { minimumCompressionSize: "0" } } },
      "transform.restApi",
      /minimumCompressionSize, which enables content encoding/,
    ],
    [
      "a cache cluster through transform.stage",
      { transform: { stage: { cacheClusterEnabled: true } } },
      "transform.stage",
      /does not support caching with STREAM/,
    ],
    [
      "a buffered integration through transform.integration",
      { transform: { integration: { responseTransferMode: "BUFFERED" } } },
      "transform.integration",
      /responseTransferMode "BUFFERED"/,
    ],
    [
      "a non-proxy integration through transform.integration",
      { transform: { integration: { type: "AWS" } } },
      "transform.integration",
      /needs a Lambda proxy integration/,
    ],
    [
      "cache keys through transform.integration",
      { transform: { integration: { cacheKeyParameters: ["method.request.path.id"] } } },
      "transform.integration",
      /caching/,
    ],
    [
      "caching through transform.methodSettings",
      { transform: { methodSettings: { settings: { cachingEnabled: true } } } },
      "transform.methodSettings",
      /does not support caching with STREAM/,
    ],
    [
      "a transform for a child the component does not have",
      { transform: { functon: { description: "typo" } } as StreamingRestApiArgs["transform"] },
      "transform.functon",
      /names no child of the component\. Use one of: logGroup, role, rolePolicy, function, /,
    ],
    [
      "a transform that is neither an object nor a function",
      { transform: { stage: "prod" } as unknown as StreamingRestApiArgs["transform"] },
      "transform.stage",
      /must be an object of args to merge or a function/,
    ],
    [
      "a runtime override through transform.function",
      { transform: { function: { runtime: "nodejs22.x" } } },
      "transform.function",
      /overrides runtime, which the component builds: the nodejs24\.x runtime.* Remove it from the transform/,
    ],
    [
      "handler and code overrides through transform.function",
      { transform: { function: { handler: "app.handler", code: "s3://bucket/key.zip" as never } } },
      "transform.function",
      /overrides handler, code, .*Remove them from the transform/,
    ],
    [
      "an image package through transform.function",
      { transform: { function: { packageType: "Image", imageUri: "123.dkr.ecr/x:latest" } } },
      "transform.function",
      /overrides imageUri, packageType/,
    ],
    [
      "another exec wrapper through transform.function",
      { transform: { function: { environment: { variables: { AWS_LAMBDA_EXEC_WRAPPER: "/opt/otel" } } } } },
      "transform.function",
      /sets AWS_LAMBDA_EXEC_WRAPPER to "\/opt\/otel": the component sets it to \/var\/task\/bootstrap.*Remove/,
    ],
    ["an empty handler path", { handler: " " }, "handler", /path of the handler module/],
  ];
  for (const [what, args, argument, message] of refusals) {
    it(`refuse ${what}, naming ${argument}`, function () {
      const error = refusal(args);
      expect(error.argument).to.equal(argument);
      expect(error.componentName).to.equal("api");
      expect(error.message).to.match(/^StreamingRestApi "api": /);
      expect(error.message).to.include(argument.split(".").pop());
      expect(error.message).to.match(message);
    });
  }

  it("refuse component names that cannot name IAM roles and functions", function () {
    expect(refusal({}, "has space").argument).to.equal("name");
    expect(refusal({}, "x".repeat(MAX_COMPONENT_NAME_LENGTH + 1)).message).to.include(
      `at most ${MAX_COMPONENT_NAME_LENGTH} characters`,
    );
    expect(componentNameProblem("x".repeat(MAX_COMPONENT_NAME_LENGTH))).to.equal(undefined);
    // The longest auto-named child, `<name>-invoke-role-<7 hex>`, must fit IAM's 64 characters.
    expect(`${"x".repeat(MAX_COMPONENT_NAME_LENGTH)}-invoke-role-abcdef0`.length).to.equal(64);
  });

  it("warn when the integration timeout is shorter than the function's", function () {
    const { warnings } = resolveArgs("api", { handler: HANDLER, timeout: 60, integrationTimeoutMs: 29_000 });
    expect(warnings).to.have.lengthOf(1);
    expect(warnings[0]).to.include(
      "integrationTimeoutMs (29000 ms) is shorter than the function's timeout (60 s)",
    );
    expect(warnings[0]).to.include("Raise integrationTimeoutMs to 60000");
  });

  it("warn about the 30-second idle timeout of EDGE endpoints", function () {
    const { warnings } = resolveArgs("api", { handler: HANDLER, endpointType: "EDGE" });
    expect(warnings).to.have.lengthOf(1);
    expect(warnings[0]).to.match(/EDGE.*30 s without a byte/);
  });

  it("warn that a reserved concurrency of 0 throttles everything", function () {
    expect(resolveArgs("api", { handler: HANDLER, reservedConcurrency: 0 }).warnings[0]).to.include(
      "throttled",
    );
  });

  it("let streaming-compatible transforms through", function () {
    expect(
      streamIncompatibility("restApi", { minimumCompressionSize: "-1", binaryMediaTypes: ["*/*"] }),
    ).to.equal(undefined);
    expect(streamIncompatibility("stage", { cacheClusterEnabled: false, description: "x" })).to.equal(
      undefined,
    );
    expect(
      streamIncompatibility("integration", { responseTransferMode: "STREAM", type: "AWS_PROXY" }),
    ).to.equal(undefined);
    expect(streamIncompatibility("methodSettings", { settings: { cachingEnabled: false } })).to.equal(
      undefined,
    );
  });

  it("let function transforms through that keep what the component builds", function () {
    for (const transform of [
      { runtime: "nodejs24.x", handler: "index.handler", packageType: "Zip", memorySize: 512 },
      { environment: { variables: { FOO: "bar", AWS_LAMBDA_EXEC_WRAPPER: "/var/task/bootstrap" } } },
      { layers: ["arn:aws:lambda:eu-west-1:123456789012:layer:tools:3"] },
    ]) {
      expect(functionTransformProblem(transform), JSON.stringify(transform)).to.equal(undefined);
    }
    // After a function transform: the component's own (unchanged) code passes, a replaced one does not.
    const code = { archive: "bundle.zip" };
    expect(functionTransformProblem({ code }, { code })).to.equal(undefined);
    expect(functionTransformProblem({ code: { archive: "other.zip" } }, { code })).to.include(
      "overrides code",
    );
    expect(functionTransformProblem({ code: undefined }, { code })).to.include("overrides code");
    expect(functionTransformProblem({}, { code })).to.include("overrides code");
  });
});
