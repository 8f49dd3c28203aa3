// The StreamingRestApi's public arguments, with their defaults: the contract other stacks import.
//
// Two layers. `StreamingRestApiSchemaArgs` is what every Pulumi language can pass: Pulumi infers the
// component's schema from it (see PulumiPlugin.yaml), so it holds only what that inference accepts (plain
// values, `pulumi.Input<T>`, arrays, string-keyed maps, interfaces, and enums written as in ./enums), and its
// TSDoc text becomes each argument's description: no `{@link}` (the schema would get "[object Object]"), and
// the default stated in the text ("Default: ..."), since the schema keeps no `@default` tag.
// `StreamingRestApiArgs` extends it with what only TypeScript can express: `transform` functions and unions.
import type * as pulumi from "@pulumi/pulumi";
import type * as awsInputs from "@pulumi/aws/types/input";
import type { StreamingRestApiTransforms } from "./childTransforms";
import {
  choiceValues,
  HttpMethod,
  type ApplicationLogLevel,
  type Architecture,
  type Authorization,
  type AuthorizerType,
  type EndpointType,
  type LogFormat,
  type SystemLogLevel,
} from "./enums";

/** HTTP methods an API Gateway REST API method can have (`ANY` matches all of them). */
export const HTTP_METHODS: readonly HttpMethod[] = Object.freeze(choiceValues(HttpMethod));

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Stage-wide request throttling (API Gateway's token bucket). */
export interface Throttle {
  /**
   * Steady-state requests per second. Default: 50.
   * @default 50
   */
  rateLimit?: number;
  /**
   * Requests allowed in a burst above the steady rate (the bucket size). Default: 100.
   * @default 100
   */
  burstLimit?: number;
}

/**
 * Access logging settings. Writing access logs to CloudWatch Logs needs API Gateway's account-wide CloudWatch
 * role (`apigateway.Account`, once per account and region); without it the stage fails to deploy.
 * A Kinesis Data Firehose `destinationArn` does not need it.
 */
export interface AccessLogging {
  /**
   * Whether the stage writes access logs; settings given with `enabled: false` are kept but unused.
   * Default: true (the settings were given).
   * @default true
   */
  enabled?: boolean;
  /**
   * Where to send access logs: a CloudWatch Logs log group ARN, or a Firehose delivery stream whose name
   * starts with `amazon-apigateway-`. Default: a log group the component creates
   * (`/aws/apigateway/<name>-...`).
   * @default a log group the component creates (`/aws/apigateway/<name>-…`)
   */
  destinationArn?: pulumi.Input<string>;
  /**
   * The log line format (`$context` variables); it must include `$context.requestId`. Default: a JSON line
   * with request id, caller, method, path, status, latencies and integration status.
   * @default a JSON line with request id, caller, method, path, status, latencies and integration status
   */
  format?: string;
  /**
   * Retention of the log group the component creates, in days (one of CloudWatch's values). Default: the
   * function's `logRetentionInDays`.
   * @default the function's `logRetentionInDays`
   */
  retentionInDays?: number;
}

/** How the handler is bundled with the runtime (esbuild). */
export interface Bundle {
  /**
   * Minify the bundle. Default: true.
   * @default true
   */
  minify?: boolean;
  /**
   * Ship a source map and run Node with `--enable-source-maps`, so stack traces point at your sources. Node's
   * source-map support costs about 6 MiB of peak RSS; `false` saves it (stack traces then point into
   * `index.mjs`, readable with `minify: false`). Default: true.
   * @default true
   */
  sourcemap?: boolean;
  /**
   * Modules to leave out of the bundle (provide them with a layer). Default: none.
   * @default none
   */
  external?: string[];
  /**
   * esbuild `define`: identifiers replaced by JavaScript expressions at bundle time. Default: none.
   * @default none
   */
  define?: Record<string, string>;
}

/** The function's network attachment to a VPC. */
export interface VpcConfig {
  /** Subnets to attach the function to (at least one per Availability Zone you want it in). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups of the function's network interfaces. */
  securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Allow outbound IPv6 traffic from dual-stack subnets. Default: false.
   * @default false
   */
  ipv6AllowedForDualStack?: pulumi.Input<boolean>;
}

/**
 * Cross-origin resource sharing: which web pages (origins) may call the route from a browser. The API answers
 * preflights (`OPTIONS`, without authorization) itself, API Gateway's own error responses carry
 * `Access-Control-Allow-Origin`, and the function adds the CORS headers to its streamed responses (the
 * runtime reads these settings from the `STREAMING_REST_API_CORS` environment variable).
 */
export interface Cors {
  /**
   * Origins allowed to read responses: exact URL origins, `scheme://host[:port]` in lower case without a path
   * or trailing slash (e.g. `https://app.example.com`, `http://localhost:5173`), or the one entry `*` for
   * any origin (not with `allowCredentials`).
   */
  allowOrigins: string[];
  /**
   * Request headers a preflight allows. Default: Content-Type, X-Amz-Date, Authorization, X-Api-Key,
   * X-Amz-Security-Token and X-Amz-Content-Sha256 (what SigV4-signed and token requests send).
   * @default Content-Type, X-Amz-Date, Authorization, X-Api-Key, X-Amz-Security-Token, X-Amz-Content-Sha256
   */
  allowHeaders?: string[];
  /**
   * Methods a preflight allows. Default: the route's method and OPTIONS (every method for ANY).
   * @default the route's method and OPTIONS (every method for ANY)
   */
  allowMethods?: string[];
  /**
   * Response headers a page's script may read beyond the CORS-safelisted ones. Default: none.
   * @default none
   */
  exposeHeaders?: string[];
  /**
   * Whether requests with credentials (cookies, HTTP authentication) may read responses; not with the origin
   * `*`. Default: false.
   * @default false
   */
  allowCredentials?: boolean;
  /**
   * How long, in seconds, a browser may cache a preflight's answer. Default: 600.
   * @default 600
   */
  maxAge?: number;
}

/** The Amazon Cognito user pools whose tokens the route accepts (`authorization: "COGNITO_USER_POOLS"`). */
export interface CognitoAuthorization {
  /** ARNs of the user pools (`arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID`), at least one. */
  userPoolArns: pulumi.Input<string>[];
  /**
   * OAuth scopes the route requires, any one of which an access token must carry (e.g.
   * `reports/read`). Without scopes the route takes an ID token; with them, an access token. Default: none.
   * @default none
   */
  scopes?: string[];
}

/** The Lambda authorizer function that admits callers of the route (`authorization: "CUSTOM"`). */
export interface CustomAuthorizer {
  /**
   * ARN of the authorizer function (it may be qualified with a version or alias). API Gateway is allowed to
   * invoke it from this API's authorizer only.
   */
  functionArn: pulumi.Input<string>;
  /**
   * What the function receives: "REQUEST" (headers, query string, stage variables and context) or "TOKEN"
   * (the value of one header). Default: "REQUEST".
   * @default "REQUEST"
   */
  type?: AuthorizerType;
  /**
   * Where the caller's identity is: `method.request.header.NAME`, and for REQUEST authorizers also
   * `method.request.querystring.NAME`, `stageVariables.NAME` or `context.NAME`. A TOKEN authorizer takes
   * exactly one header. A request missing one is refused (401) without calling the function. Default: the
   * Authorization header (`method.request.header.Authorization`).
   * @default ["method.request.header.Authorization"]
   */
  identitySources?: string[];
  /**
   * How long API Gateway caches the function's answer for the same identity, 0 (no caching) to 3600 seconds.
   * Default: 300.
   * @default 300
   */
  resultTtlInSeconds?: number;
}

/** A custom domain name serving the route, on a REGIONAL endpoint. */
export interface CustomDomain {
  /** The host name, e.g. `api.example.com` (no scheme, path or wildcard). */
  name: string;
  /**
   * ARN of an AWS Certificate Manager certificate for the name, in the stack's region (REGIONAL domains take
   * a certificate from their own region).
   */
  certificateArn: pulumi.Input<string>;
  /**
   * The path the API is mounted at on the domain, e.g. `v1` or `reports/v1` (segments of letters, digits and
   * `$-_.+!*'()`). Default: none, the domain's root.
   * @default none: the domain's root
   */
  basePath?: string;
  /**
   * A Route 53 hosted zone for the name: the component adds alias A and AAAA records pointing the name at the
   * domain. Default: unset, no DNS records (point the name at the domain's regional name yourself).
   * @default unset: no DNS records
   */
  hostedZoneId?: pulumi.Input<string>;
}

/**
 * Lambda Managed Instances: the function runs on EC2 capacity that Lambda manages, each execution
 * environment serving many invocations at once. Either an existing capacity provider (`arn`) or the subnets
 * of one the component creates (with its operator role).
 */
export interface CapacityProvider {
  /**
   * ARN of an existing capacity provider to place the function on. Not with `subnetIds`, `securityGroupIds`,
   * `instanceTypes` or `maxVCpuCount`, which describe a capacity provider the component creates. Default:
   * unset, the component creates one.
   * @default unset: the component creates one in `subnetIds`
   */
  arn?: pulumi.Input<string>;
  /**
   * Subnets of the capacity provider the component creates (several Availability Zones recommended). Default:
   * none; required unless `arn` is given.
   * @default none (required unless `arn` is given)
   */
  subnetIds?: pulumi.Input<string>[];
  /**
   * Security groups of the instances of the capacity provider the component creates. Default: none; required
   * with `subnetIds`.
   * @default none (required with `subnetIds`)
   */
  securityGroupIds?: pulumi.Input<string>[];
  /**
   * EC2 instance types the created capacity provider may use (e.g. `m7g.large`), matching the function's
   * architecture (Graviton types, like `m7g` or `c8g`, for arm64). Default: any type Lambda chooses.
   * @default any type Lambda chooses for the architecture
   */
  instanceTypes?: string[];
  /**
   * Most vCPUs the created capacity provider runs across its instances, 2 to 15000. Default: Lambda's.
   * @default Lambda's default
   */
  maxVCpuCount?: number;
  /**
   * Most invocations one execution environment serves at once, 1 to 1600 (Lambda hands the runtime this
   * limit as `AWS_LAMBDA_MAX_CONCURRENCY`). Default: Lambda's (64 per vCPU for Node.js).
   * @default Lambda's: 64 per vCPU for Node.js
   */
  perExecutionEnvironmentMaxConcurrency?: number;
  /**
   * Memory per vCPU of an execution environment, in GiB, 2 to 8: the function's `memorySize` divided by it
   * gives its vCPUs. Default: Lambda's.
   * @default Lambda's default
   */
  memoryGibPerVcpu?: number;
}

/** The same settings for TypeScript users: {@link Throttle}. */
export type ThrottleArgs = Throttle;
/** The same settings for TypeScript users: {@link AccessLogging}. */
export type AccessLoggingArgs = AccessLogging;
/** The same settings for TypeScript users: {@link Bundle}. */
export type BundleArgs = Bundle;

/**
 * Arguments of the StreamingRestApi that every Pulumi language can pass (Python, Go, .NET, YAML and
 * TypeScript): the component's schema is inferred from this interface. Numbers and choices are plain values
 * so they are checked at construction.
 */
export interface StreamingRestApiSchemaArgs {
  // The function.
  /**
   * Path of the handler module to bundle with the runtime (TypeScript or JavaScript): absolute, or relative
   * to the directory the Pulumi program runs in (the project directory, in every language). A directory means
   * its `index` module.
   */
  handler: string;
  /**
   * The handler module's export to run. Checked at bundle time. Default: "handler".
   * @default "handler"
   */
  handlerExport?: string;
  /**
   * Function memory in MB, 128 to 10240 (CPU grows with it); 2048 to 32768 on Lambda Managed Instances
   * (`capacityProvider`). Default: 128.
   * @default 128
   */
  memorySize?: number;
  /**
   * Function timeout in seconds, 1 to 900. A stream longer than this is cut off. Default: 60.
   * @default 60
   */
  timeout?: number;
  /**
   * Instruction set of the function. Default: "arm64".
   * @default "arm64"
   */
  architecture?: Architecture;
  /**
   * Environment variables of the function. `AWS_LAMBDA_EXEC_WRAPPER` is reserved (it starts our runtime).
   * Default: none (the component sets only `AWS_LAMBDA_EXEC_WRAPPER`).
   * @default none (the component sets only `AWS_LAMBDA_EXEC_WRAPPER`)
   */
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Concurrent executions reserved for (and capping) the function. `0` stops all invocations. Default: unset,
   * the function shares the account's unreserved concurrency.
   * @default unset: the function shares the account's unreserved concurrency
   */
  reservedConcurrency?: number;
  /**
   * KMS key that encrypts the function's environment variables (the role gets `kms:Decrypt` on it). Default:
   * unset, Lambda encrypts them with an AWS managed key.
   * @default unset: Lambda encrypts them with an AWS managed key
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * SQS queue or SNS topic for failed events. Lambda uses it for asynchronous invocations only: requests
   * through API Gateway are synchronous and never reach it. Default: unset.
   * @default unset
   */
  deadLetterTargetArn?: pulumi.Input<string>;
  /**
   * Subnets and security groups to attach the function to a VPC (the role gets the EC2 network permissions).
   * Default: unset, the function is not in a VPC.
   * @default unset: the function is not in a VPC
   */
  vpcConfig?: pulumi.Input<VpcConfig>;
  /**
   * X-Ray active tracing on the function and the stage. Default: false.
   * @default false
   */
  tracing?: boolean;
  /**
   * Run the function on Lambda Managed Instances: on an existing capacity provider, or on one the component
   * creates. Needs `memorySize` of 2048 MB or more (up to 32768). Default: unset, Lambda's default compute.
   * @default unset: Lambda's default compute, one invocation per execution environment
   */
  capacityProvider?: CapacityProvider;

  // The function's logs.
  /**
   * Retention of the function's log group, created by the component. One of CloudWatch's values (1, 3, 5, 7,
   * 14, 30, ... 3653 days). Default: 14.
   * @default 14
   */
  logRetentionInDays?: number;
  /**
   * Format of the function's logs: "Text" lines or one "JSON" object per message. Lambda passes it to the
   * runtime as `AWS_LAMBDA_LOG_FORMAT`. Default: "Text".
   * @default "Text"
   */
  logFormat?: LogFormat;
  /**
   * The most detailed application log level kept (`console` calls below it are dropped), "TRACE" to "FATAL".
   * Lambda applies log levels to JSON logs only: set `logFormat` to "JSON" to use it. Lambda passes it to the
   * runtime as `AWS_LAMBDA_LOG_LEVEL`. Default: unset, Lambda's default ("INFO") with JSON logs.
   * @default unset: Lambda's default ("INFO") with JSON logs
   */
  applicationLogLevel?: ApplicationLogLevel;
  /**
   * The most detailed Lambda platform log level kept, "DEBUG", "INFO" or "WARN". JSON logs only, like
   * `applicationLogLevel`. Default: unset, Lambda's default ("INFO") with JSON logs.
   * @default unset: Lambda's default ("INFO") with JSON logs
   */
  systemLogLevel?: SystemLogLevel;

  // The route.
  /**
   * Resource path of the route, below the stage: segments of letters, digits and `._-~`, path parameters
   * like `{id}`, and a greedy `{proxy+}` as the last segment. `/` is the API's root. Default: "stream".
   * @default "stream"
   */
  path?: string;
  /**
   * HTTP method of the route. Default: "ANY".
   * @default "ANY"
   */
  method?: HttpMethod;
  /**
   * Name of the stage (letters, digits, `-` and `_`), the first segment of the URL path. Default: "prod".
   * @default "prod"
   */
  stageName?: string;
  /**
   * `AWS_IAM`: callers sign requests with SigV4 and need `execute-api:Invoke`. `COGNITO_USER_POOLS`: callers
   * send a token of the user pools named in `cognito`. `CUSTOM`: the Lambda authorizer named in `authorizer`
   * admits them. `NONE`: the route is public. Default: "AWS_IAM".
   * @default "AWS_IAM"
   */
  authorization?: Authorization;
  /**
   * The user pools whose tokens the route accepts; with `authorization: "COGNITO_USER_POOLS"` only, and
   * required there. Default: unset.
   * @default unset
   */
  cognito?: CognitoAuthorization;
  /**
   * The Lambda authorizer that admits callers; with `authorization: "CUSTOM"` only, and required there.
   * Default: unset.
   * @default unset
   */
  authorizer?: CustomAuthorizer;
  /**
   * Cross-origin resource sharing for browsers: preflights, CORS headers on API Gateway's errors and on the
   * streamed responses. Default: unset, no CORS (browsers on other origins cannot read responses).
   * @default unset: no CORS
   */
  cors?: Cors;
  /**
   * A custom domain name for the route (REGIONAL, TLS 1.2), optionally with Route 53 alias records; `url` then
   * uses it. Default: unset, the stage's execute-api URL.
   * @default unset: the stage's execute-api URL
   */
  domain?: CustomDomain;
  /**
   * API endpoint type. `EDGE` ends a stream after 30 s without a byte; `REGIONAL` allows 5 minutes. Default:
   * "REGIONAL".
   * @default "REGIONAL"
   */
  endpointType?: EndpointType;
  /**
   * How long API Gateway waits for the whole streamed response, 50 to 900000 ms. Default: the function's
   * timeout (in ms), so API Gateway never ends a stream the function is still writing.
   * @default the function's timeout (in ms), so API Gateway never ends a stream the function is still writing
   */
  integrationTimeoutMs?: number;
  /**
   * The REST API's binary media types: `type/subtype` patterns, either part possibly `*`. A request body whose
   * `Content-Type` matches one reaches the function byte for byte, base64-encoded (`isBase64Encoded: true`,
   * which the runtime's body helpers decode); any other arrives as UTF-8 text. Streamed responses need none.
   * An empty list sends every body as text. Default: the one pattern `*`/`*`, so every body is byte-exact.
   * @default the one pattern `*`/`*` (every media type)
   */
  binaryMediaTypes?: string[];

  // The stage.
  /**
   * Stage-wide throttling. Default: 50 requests per second, bursts of 100.
   * @default `{ rateLimit: 50, burstLimit: 100 }`
   */
  throttle?: Throttle;
  /**
   * Access logging on the stage, on when given (an empty object takes every default). CloudWatch access logs
   * need API Gateway's account-wide CloudWatch role, which a fresh account lacks. Default: unset, no access
   * logs.
   * @default unset: no access logs
   */
  accessLogging?: AccessLogging;
  /**
   * A regional WAFv2 web ACL to associate with the stage. Default: unset, no web ACL.
   * @default unset: no web ACL
   */
  webAclArn?: pulumi.Input<string>;

  // The bundle.
  /**
   * Bundling options. Default: minified, with a source map.
   * @default `{ minify: true, sourcemap: true }`
   */
  bundle?: Bundle;
}

/**
 * Arguments of {@link StreamingRestApi} in TypeScript: {@link StreamingRestApiSchemaArgs}, plus `transform`
 * and the wider forms of `accessLogging` and `vpcConfig` that only TypeScript can express.
 */
export interface StreamingRestApiArgs extends Omit<
  StreamingRestApiSchemaArgs,
  "accessLogging" | "vpcConfig"
> {
  /**
   * Subnets and security groups to attach the function to a VPC (the role gets the EC2 network permissions).
   * @default unset: the function is not in a VPC
   */
  vpcConfig?: pulumi.Input<VpcConfig | awsInputs.lambda.FunctionVpcConfig>;
  /**
   * Access logging on the stage: `true` for every default, or the settings (see {@link AccessLoggingArgs}).
   * Off by default: CloudWatch access logs need API Gateway's account-wide CloudWatch role, which a fresh
   * account lacks.
   * @default false
   */
  accessLogging?: boolean | AccessLoggingArgs;
  /**
   * Per-child overrides, applied last (see {@link StreamingRestApiTransforms}).
   * @default none
   */
  transform?: StreamingRestApiTransforms;
}

/** `$context` variables of the default access log line (a JSON object, one per request). */
const DEFAULT_ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  requestTime: "$context.requestTime",
  sourceIp: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  caller: "$context.identity.caller",
  userArn: "$context.identity.userArn",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  protocol: "$context.protocol",
  status: "$context.status",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationStatus: "$context.integration.status",
  integrationLatency: "$context.integration.latency",
  integrationError: "$context.integration.error",
  errorResponseType: "$context.error.responseType",
};

/** The default access log format: one JSON object per request. */
export const DEFAULT_ACCESS_LOG_FORMAT = JSON.stringify(DEFAULT_ACCESS_LOG_FIELDS);

/**
 * The defaults of {@link StreamingRestApiArgs}, in one place. Two are derived from other arguments instead:
 * `integrationTimeoutMs` (the function's `timeout`, in ms) and `accessLogging.retentionInDays`
 * (`logRetentionInDays`), and so is `cors.allowMethods` (the route's method and OPTIONS). `binaryMediaTypes`,
 * `corsAllowHeaders` and `corsMaxAge` are also the local server's defaults, so that a request body and a
 * preflight are answered the same way locally and deployed. The `authorizer*` entries are API Gateway's own
 * defaults, made explicit.
 */
export const DEFAULTS = {
  handlerExport: "handler",
  memorySize: 128,
  timeout: 60,
  architecture: "arm64",
  logRetentionInDays: 14,
  logFormat: "Text",
  tracing: false,
  path: "stream",
  method: "ANY",
  stageName: "prod",
  authorization: "AWS_IAM",
  endpointType: "REGIONAL",
  binaryMediaTypes: ["*/*"],
  throttle: { rateLimit: 50, burstLimit: 100 },
  accessLogging: false,
  accessLogFormat: DEFAULT_ACCESS_LOG_FORMAT,
  bundle: { minify: true, sourcemap: true },
  corsAllowHeaders: [
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-Content-Sha256",
  ],
  corsMaxAge: 600,
  authorizerType: "REQUEST",
  authorizerIdentitySources: ["method.request.header.Authorization"],
  authorizerResultTtlInSeconds: 300,
} as const satisfies Record<string, unknown> & {
  architecture: Architecture;
  logFormat: LogFormat;
  method: HttpMethod;
  authorization: Authorization;
  endpointType: EndpointType;
  binaryMediaTypes: readonly string[];
  authorizerType: AuthorizerType;
};

/** API Gateway's STREAM-mode integration timeout range, in milliseconds. */
export const INTEGRATION_TIMEOUT_MS = { min: 50, max: 900_000 } as const;
/** Lambda's memory range, in MB. */
export const MEMORY_SIZE_MB = { min: 128, max: 10_240 } as const;
/** Lambda Managed Instances' memory range, in MB (2 GB and 1 vCPU at least; 32 GB and 16 vCPUs at most). */
export const MANAGED_INSTANCES_MEMORY_SIZE_MB = { min: 2_048, max: 32_768 } as const;
/** Lambda's timeout range, in seconds. */
export const TIMEOUT_SECONDS = { min: 1, max: 900 } as const;
