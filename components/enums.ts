// The arguments' fixed choices: `as const` objects, literal unions in TypeScript and enums in the Pulumi schema.
//
// Pulumi's schema inference turns `const X = {...} as const` followed by `type X = (typeof X)[keyof typeof X]`
// into a schema enum named X (member names from the keys), while TypeScript users keep writing the plain
// strings ("arm64", "GET"). Declare the object before the type: the inference reads the first declaration.

/** Instruction set of the function. */
export const Architecture = {
  /** AWS Graviton (ARM), the cheaper one per GB-second. */
  Arm64: "arm64",
  /** x86-64. */
  X86_64: "x86_64",
} as const;
/** Instruction set of the function: `"arm64"` or `"x86_64"`. */
export type Architecture = (typeof Architecture)[keyof typeof Architecture];

/** HTTP method of an API Gateway REST API method. */
export const HttpMethod = {
  /** Every method. */
  Any: "ANY",
  Get: "GET",
  Post: "POST",
  Put: "PUT",
  Patch: "PATCH",
  Delete: "DELETE",
  Head: "HEAD",
  Options: "OPTIONS",
} as const;
/** An API Gateway REST API method: `"ANY"` (every method) or one HTTP method. */
export type HttpMethod = (typeof HttpMethod)[keyof typeof HttpMethod];

/** How callers of the route are authorized. */
export const Authorization = {
  /** Requests signed with SigV4 by a principal allowed `execute-api:Invoke`. */
  AwsIam: "AWS_IAM",
  /** A public route. */
  None: "NONE",
  /** A token issued by an Amazon Cognito user pool (the `cognito` argument names the pools). */
  CognitoUserPools: "COGNITO_USER_POOLS",
  /** A Lambda authorizer function (the `authorizer` argument names it). */
  Custom: "CUSTOM",
} as const;
/** How callers of the route are authorized: `"AWS_IAM"`, `"NONE"`, `"COGNITO_USER_POOLS"` or `"CUSTOM"`. */
export type Authorization = (typeof Authorization)[keyof typeof Authorization];

/** What a Lambda authorizer function receives. */
export const AuthorizerType = {
  /** The request's headers, query string, stage variables and context, as chosen by the identity sources. */
  Request: "REQUEST",
  /** One header's value (a bearer token), as the single identity source names it. */
  Token: "TOKEN",
} as const;
/** What a Lambda authorizer function receives: `"REQUEST"` or `"TOKEN"`. */
export type AuthorizerType = (typeof AuthorizerType)[keyof typeof AuthorizerType];

/** API Gateway endpoint type. */
export const EndpointType = {
  /** In the stack's region; a stream may be idle for up to 5 minutes. */
  Regional: "REGIONAL",
  /** Behind CloudFront's edge; a stream ends after 30 s without a byte. */
  Edge: "EDGE",
} as const;
/** API Gateway endpoint type: `"REGIONAL"` or `"EDGE"`. */
export type EndpointType = (typeof EndpointType)[keyof typeof EndpointType];

/** The format of the function's logs in CloudWatch (Lambda's `loggingConfig.logFormat`). */
export const LogFormat = {
  /** Plain text lines. */
  Text: "Text",
  /** One JSON object per message; the only format Lambda applies log levels to. */
  Json: "JSON",
} as const;
/** The format of the function's logs: `"Text"` or `"JSON"`. */
export type LogFormat = (typeof LogFormat)[keyof typeof LogFormat];

/** The most detailed application log level Lambda keeps, from `TRACE` (everything) to `FATAL`. */
export const ApplicationLogLevel = {
  Trace: "TRACE",
  Debug: "DEBUG",
  Info: "INFO",
  Warn: "WARN",
  Error: "ERROR",
  Fatal: "FATAL",
} as const;
/** An application log level, `"TRACE"` to `"FATAL"`. */
export type ApplicationLogLevel = (typeof ApplicationLogLevel)[keyof typeof ApplicationLogLevel];

/** The most detailed Lambda platform (system) log level Lambda keeps, from `DEBUG` to `WARN`. */
export const SystemLogLevel = {
  Debug: "DEBUG",
  Info: "INFO",
  Warn: "WARN",
} as const;
/** A system log level: `"DEBUG"`, `"INFO"` or `"WARN"`. */
export type SystemLogLevel = (typeof SystemLogLevel)[keyof typeof SystemLogLevel];

/** The values of a choice object, e.g. `choiceValues(Architecture)` is `["arm64", "x86_64"]`. */
export function choiceValues<TChoice extends string>(choices: Readonly<Record<string, TChoice>>): TChoice[] {
  return Object.values(choices);
}
