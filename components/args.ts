// The StreamingRestApi's public arguments, with their defaults: the contract other stacks import.
// Service submodules rather than "@pulumi/aws": type-checking a consumer's program loads far fewer typings.
import type * as apigateway from "@pulumi/aws/apigateway";
import type * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as iam from "@pulumi/aws/iam";
import type * as lambda from "@pulumi/aws/lambda";
import type * as awsInputs from "@pulumi/aws/types/input";
import type * as wafv2 from "@pulumi/aws/wafv2";
import type * as pulumi from "@pulumi/pulumi";
import type { Transform } from "./transform";

/** HTTP methods an API Gateway REST API method can have (`ANY` matches all of them). */
export const HTTP_METHODS = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
/** An API Gateway REST API method. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Stage-wide request throttling (API Gateway's token bucket). */
export interface ThrottleArgs {
  /**
   * Steady-state requests per second.
   * @default 50
   */
  rateLimit?: number;
  /**
   * Requests allowed in a burst above the steady rate (the bucket size).
   * @default 100
   */
  burstLimit?: number;
}

/**
 * Access logging settings. Writing access logs to CloudWatch Logs needs API Gateway's account-wide CloudWatch
 * role (`apigateway.Account`, once per account and region); without it the stage fails to deploy.
 * A Kinesis Data Firehose `destinationArn` does not need it.
 */
export interface AccessLoggingArgs {
  /**
   * Where to send access logs: a CloudWatch Logs log group ARN, or a Firehose delivery stream whose name
   * starts with `amazon-apigateway-`.
   * @default a log group the component creates (`/aws/apigateway/<name>-…`)
   */
  destinationArn?: pulumi.Input<string>;
  /**
   * The log line format (`$context` variables); it must include `$context.requestId`.
   * @default a JSON line with request id, caller, method, path, status, latencies and integration status
   */
  format?: string;
  /**
   * Retention of the log group the component creates.
   * @default the function's `logRetentionInDays`
   */
  retentionInDays?: number;
}

/** How the handler is bundled with the runtime (esbuild). */
export interface BundleArgs {
  /**
   * Minify the bundle.
   * @default true
   */
  minify?: boolean;
  /**
   * Ship a source map and run Node with `--enable-source-maps`, so stack traces point at your sources. Node's
   * source-map support costs about 6 MiB of peak RSS; `false` saves it (stack traces then point into
   * `index.mjs`, readable with `minify: false`).
   * @default true
   */
  sourcemap?: boolean;
  /**
   * Modules to leave out of the bundle (provide them with a layer).
   * @default none
   */
  external?: string[];
  /**
   * esbuild `define`: identifiers replaced by JavaScript expressions at bundle time.
   * @default none
   */
  define?: Record<string, string>;
}

/**
 * Per-child overrides, applied last: one key per child the component creates. Each is a partial args object
 * (merged over the component's, shallowly: yours win) or a function editing the args and resource options in
 * place. Transforms that would break streaming or stop the runtime from starting are refused with an error
 * naming `transform.<key>`.
 */
export interface StreamingRestApiTransforms {
  /**
   * The Lambda function. `AWS_LAMBDA_EXEC_WRAPPER` stays in its environment whatever the transform does to
   * `environment` (your other variables are kept); setting it to another value, or overriding `runtime`,
   * `handler` or the code (`code`, `s3Bucket`, `s3Key`, `s3ObjectVersion`, `imageUri`, `packageType`), is
   * refused: the component builds those. Add variables with the `environment` argument.
   * @default none
   */
  function?: Transform<lambda.FunctionArgs>;
  /**
   * The function's execution role.
   * @default none
   */
  role?: Transform<iam.RoleArgs>;
  /**
   * The execution role's inline policy: writing to the function's log group, plus X-Ray, VPC, KMS and
   * dead-letter permissions when those arguments are set.
   * @default none
   */
  rolePolicy?: Transform<iam.RolePolicyArgs>;
  /**
   * The role API Gateway assumes to invoke the function.
   * @default none
   */
  invokeRole?: Transform<iam.RoleArgs>;
  /**
   * The invoke role's inline policy: `lambda:InvokeFunction` and `lambda:InvokeWithResponseStream` on this
   * function only.
   * @default none
   */
  invokeRolePolicy?: Transform<iam.RolePolicyArgs>;
  /**
   * The function's log group.
   * @default none
   */
  logGroup?: Transform<cloudwatch.LogGroupArgs>;
  /**
   * The REST API. Compression (`minimumCompressionSize`) is refused: STREAM does not support it.
   * @default none
   */
  restApi?: Transform<apigateway.RestApiArgs>;
  /**
   * The API Gateway resources of `path`, one per segment (none for `/`). Applied to each; a function
   * transform gets each one's name (`<name>-path-<index>`, 0 for the first segment).
   * @default none
   */
  pathResource?: Transform<apigateway.ResourceArgs>;
  /**
   * The route's method (e.g. to add a Cognito or Lambda authorizer). Created with `deleteBeforeReplace`, so
   * that a change of method or path removes the old method and its integration before the new ones exist.
   * @default none
   */
  method?: Transform<apigateway.MethodArgs>;
  /**
   * The streaming integration. It must stay `AWS_PROXY` with `responseTransferMode: "STREAM"`, without cache
   * keys.
   * @default none
   */
  integration?: Transform<apigateway.IntegrationArgs>;
  /**
   * The deployment. Its `triggers.redeployment` is a hash of the route's settings (after their transforms):
   * replacing it yourself means route changes no longer redeploy the stage.
   * @default none
   */
  deployment?: Transform<apigateway.DeploymentArgs>;
  /**
   * The stage. A cache cluster is refused: STREAM does not support caching.
   * @default none
   */
  stage?: Transform<apigateway.StageArgs>;
  /**
   * The stage-wide method settings (`*\/*`), which carry the throttling. Caching (`settings.cachingEnabled`)
   * is refused: STREAM does not support it.
   * @default none
   */
  methodSettings?: Transform<apigateway.MethodSettingsArgs>;
  /**
   * The access-log group, created with `accessLogging` when it has no `destinationArn`.
   * @default none
   */
  accessLogGroup?: Transform<cloudwatch.LogGroupArgs>;
  /**
   * The association of the stage with the `webAclArn` web ACL, created with `webAclArn` only.
   * @default none
   */
  webAclAssociation?: Transform<wafv2.WebAclAssociationArgs>;
}

/** Arguments of {@link StreamingRestApi}. Numbers and choices are plain values so they are checked at construction. */
export interface StreamingRestApiArgs {
  /**
   * Path of the handler module to bundle with the runtime (TypeScript or JavaScript), relative to the
   * working directory of `pulumi up` (the project directory) or absolute. A directory means its `index` module.
   */
  handler: string;
  /**
   * The handler module's export to run. Checked at bundle time.
   * @default "handler"
   */
  handlerExport?: string;
  /**
   * Function memory in MB, 128 to 10240 (CPU grows with it).
   * @default 128
   */
  memorySize?: number;
  /**
   * Function timeout in seconds, 1 to 900. A stream longer than this is cut off.
   * @default 60
   */
  timeout?: number;
  /**
   * Instruction set of the function.
   * @default "arm64"
   */
  architecture?: "arm64" | "x86_64";
  /**
   * Environment variables of the function. `AWS_LAMBDA_EXEC_WRAPPER` is reserved (it starts our runtime).
   * @default none (the component sets only `AWS_LAMBDA_EXEC_WRAPPER`)
   */
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Concurrent executions reserved for (and capping) the function. `0` stops all invocations.
   * @default unset: the function shares the account's unreserved concurrency
   */
  reservedConcurrency?: number;
  /**
   * KMS key that encrypts the function's environment variables (the role gets `kms:Decrypt` on it).
   * @default unset: Lambda encrypts them with an AWS managed key
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * SQS queue or SNS topic for failed events. Lambda uses it for asynchronous invocations only: requests
   * through API Gateway are synchronous and never reach it.
   * @default unset
   */
  deadLetterTargetArn?: pulumi.Input<string>;
  /**
   * Subnets and security groups to attach the function to a VPC (the role gets the EC2 network permissions).
   * @default unset: the function is not in a VPC
   */
  vpcConfig?: pulumi.Input<awsInputs.lambda.FunctionVpcConfig>;
  /**
   * X-Ray active tracing on the function and the stage.
   * @default false
   */
  tracing?: boolean;
  /**
   * Retention of the function's log group, created by the component. One of CloudWatch's values (1, 3, 5, 7,
   * 14, 30, ... 3653 days).
   * @default 14
   */
  logRetentionInDays?: number;
  /**
   * Resource path of the route, below the stage: segments of letters, digits and `._-~`, path parameters
   * like `{id}`, and a greedy `{proxy+}` as the last segment. `/` is the API's root.
   * @default "stream"
   */
  path?: string;
  /**
   * HTTP method of the route.
   * @default "ANY"
   */
  method?: HttpMethod;
  /**
   * Name of the stage (letters, digits, `-` and `_`), the first segment of the URL path.
   * @default "prod"
   */
  stageName?: string;
  /**
   * `AWS_IAM`: callers sign requests with SigV4 and need `execute-api:Invoke`. `NONE`: the route is public.
   * @default "AWS_IAM"
   */
  authorization?: "AWS_IAM" | "NONE";
  /**
   * API endpoint type. `EDGE` ends a stream after 30 s without a byte; `REGIONAL` allows 5 minutes.
   * @default "REGIONAL"
   */
  endpointType?: "REGIONAL" | "EDGE";
  /**
   * How long API Gateway waits for the whole streamed response, 50 to 900000 ms.
   * @default the function's timeout (in ms), so API Gateway never ends a stream the function is still writing
   */
  integrationTimeoutMs?: number;
  /**
   * Stage-wide throttling.
   * @default `{ rateLimit: 50, burstLimit: 100 }`
   */
  throttle?: ThrottleArgs;
  /**
   * Access logging on the stage. Off by default: CloudWatch access logs need API Gateway's account-wide
   * CloudWatch role, which a fresh account lacks (see {@link AccessLoggingArgs}).
   * @default false
   */
  accessLogging?: boolean | AccessLoggingArgs;
  /**
   * A regional WAFv2 web ACL to associate with the stage.
   * @default unset: no web ACL
   */
  webAclArn?: pulumi.Input<string>;
  /**
   * Bundling options.
   * @default `{ minify: true, sourcemap: true }`
   */
  bundle?: BundleArgs;
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
 * (`logRetentionInDays`).
 */
export const DEFAULTS = {
  handlerExport: "handler",
  memorySize: 128,
  timeout: 60,
  architecture: "arm64",
  logRetentionInDays: 14,
  tracing: false,
  path: "stream",
  method: "ANY",
  stageName: "prod",
  authorization: "AWS_IAM",
  endpointType: "REGIONAL",
  throttle: { rateLimit: 50, burstLimit: 100 },
  accessLogging: false,
  accessLogFormat: DEFAULT_ACCESS_LOG_FORMAT,
  bundle: { minify: true, sourcemap: true },
} as const;

/** API Gateway's STREAM-mode integration timeout range, in milliseconds. */
export const INTEGRATION_TIMEOUT_MS = { min: 50, max: 900_000 } as const;
/** Lambda's memory range, in MB. */
export const MEMORY_SIZE_MB = { min: 128, max: 10_240 } as const;
/** Lambda's timeout range, in seconds. */
export const TIMEOUT_SECONDS = { min: 1, max: 900 } as const;
