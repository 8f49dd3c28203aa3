// Checks StreamingRestApi arguments before any child exists, fills in defaults and lists the warnings.
import {
  DEFAULTS,
  HTTP_METHODS,
  INTEGRATION_TIMEOUT_MS,
  LOG_RETENTION_DAYS,
  MANAGED_INSTANCES_MEMORY_SIZE_MB,
  MEMORY_SIZE_MB,
  TIMEOUT_SECONDS,
  type AccessLoggingArgs,
  type StreamingRestApiArgs,
} from "./args";
import { resolveAuthorization, type ResolvedAuthorization } from "./authorization";
import { resolveBinaryMediaTypes } from "./binaryMediaTypes";
import { resolveCapacityProvider, type ResolvedCapacityProvider } from "./capacityProviderSettings";
import { checkChoice, isIntegerIn, isPlainObject, type Fail } from "./checks";
import type { StreamingRestApiTransforms } from "./childTransforms";
import { CORS_SETTINGS_VARIABLE, resolveCors, type ResolvedCors } from "./corsSettings";
import { resolveDomain, type ResolvedDomain } from "./domainSettings";
import { Architecture, EndpointType, type HttpMethod } from "./enums";
import {
  COMPONENT_BUILT_FUNCTION_ARGS,
  EXEC_WRAPPER_PATH,
  EXEC_WRAPPER_VARIABLE,
  LAMBDA_RUNTIME,
  PLACEHOLDER_HANDLER,
} from "./functionSettings";
import { resolveLogging, type ResolvedLogging } from "./logging";
import { ChildSuffix, componentNameProblem } from "./naming";

/** An argument the component cannot work with; the message names the argument and the fix. */
export class StreamingRestApiArgumentError extends Error {
  constructor(
    /** The component's name. */
    readonly componentName: string,
    /** The argument at fault, e.g. `memorySize` or `transform.stage`. */
    readonly argument: string,
    message: string,
  ) {
    super(`StreamingRestApi ${JSON.stringify(componentName)}: ${message}`);
    this.name = "StreamingRestApiArgumentError";
  }
}

/** Access logging, resolved. */
export interface ResolvedAccessLogging {
  /** Where logs go; `undefined` means a log group the component creates. */
  readonly destinationArn: AccessLoggingArgs["destinationArn"];
  readonly format: string;
  readonly retentionInDays: number;
}

/** Arguments with defaults applied and values checked: everything the children are built from. */
export interface ResolvedArgs {
  readonly handler: string;
  readonly handlerExport: string;
  readonly memorySize: number;
  readonly timeout: number;
  readonly architecture: Architecture;
  readonly reservedConcurrency: number | undefined;
  readonly environment: StreamingRestApiArgs["environment"];
  readonly kmsKeyArn: StreamingRestApiArgs["kmsKeyArn"];
  readonly deadLetterTargetArn: StreamingRestApiArgs["deadLetterTargetArn"];
  readonly vpcConfig: StreamingRestApiArgs["vpcConfig"];
  readonly tracing: boolean;
  readonly logRetentionInDays: number;
  /** Lambda's loggingConfig: format and levels. */
  readonly logging: ResolvedLogging;
  /** The route path without leading or trailing `/` (empty for the root). */
  readonly path: string;
  /** Its segments, in order (none for the root). */
  readonly pathSegments: readonly string[];
  readonly method: HttpMethod;
  readonly stageName: string;
  /** How callers are authorized, with the authorizer's settings for COGNITO_USER_POOLS and CUSTOM. */
  readonly authorization: ResolvedAuthorization;
  readonly endpointType: EndpointType;
  readonly integrationTimeoutMs: number;
  readonly binaryMediaTypes: readonly string[];
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly accessLogging: ResolvedAccessLogging | undefined;
  readonly webAclArn: StreamingRestApiArgs["webAclArn"];
  /** CORS with its defaults applied, or `undefined` without cors. */
  readonly cors: ResolvedCors | undefined;
  /** The custom domain, or `undefined` without one. */
  readonly domain: ResolvedDomain | undefined;
  /** Lambda Managed Instances, or `undefined` on Lambda's default compute. */
  readonly capacityProvider: ResolvedCapacityProvider | undefined;
  readonly bundle: {
    readonly minify: boolean;
    readonly sourcemap: boolean;
    readonly external: readonly string[] | undefined;
    readonly define: Readonly<Record<string, string>> | undefined;
  };
  readonly transforms: StreamingRestApiTransforms;
  /** What the user should know but that does not stop the deployment. */
  readonly warnings: readonly string[];
}

/** Why an `environment` argument may not set the exec wrapper (checked here, or once an output is known). */
export const ENVIRONMENT_WRAPPER_REFUSAL =
  `environment must not set ${EXEC_WRAPPER_VARIABLE}: the component sets it to ${EXEC_WRAPPER_PATH} to start ` +
  "its runtime. Remove it.";

/** Why an `environment` argument may not set the CORS settings when `cors` is given. */
export const ENVIRONMENT_CORS_REFUSAL =
  `environment must not set ${CORS_SETTINGS_VARIABLE} when cors is given: the component sets it from cors for the ` +
  "runtime. Remove it from environment.";

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const PATH_SEGMENT = /^[A-Za-z0-9._~:@-]+$/;
const PATH_PARAMETER = /^\{[A-Za-z_][A-Za-z0-9_]*\}$/;
const GREEDY_PATH_PARAMETER = /^\{[A-Za-z_][A-Za-z0-9_]*\+\}$/;

/**
 * Checks `args` and applies the defaults. Throws {@link StreamingRestApiArgumentError} for the first
 * problem found; never touches Pulumi, so it runs before the component registers anything.
 */
export function resolveArgs(name: string, args: StreamingRestApiArgs): ResolvedArgs {
  const fail = (argument: string, message: string): never => {
    throw new StreamingRestApiArgumentError(name, argument, message);
  };
  const nameProblem = componentNameProblem(name);
  if (nameProblem !== undefined) fail("name", `the component name ${nameProblem}.`);
  if (typeof args !== "object" || args === null)
    fail("args", "args must be an object with at least `handler`.");
  if (typeof args.handler !== "string" || args.handler.trim() === "") {
    fail("handler", 'handler must be the path of the handler module, e.g. "handler/index.ts".');
  }

  const memorySize = args.memorySize ?? DEFAULTS.memorySize;
  // Lambda Managed Instances take up to 32768 MB; resolveCapacityProvider checks their own range.
  const memoryLimit =
    args.capacityProvider === undefined
      ? MEMORY_SIZE_MB
      : { ...MEMORY_SIZE_MB, max: MANAGED_INSTANCES_MEMORY_SIZE_MB.max };
  if (!isIntegerIn(memorySize, memoryLimit.min, memoryLimit.max)) {
    fail(
      "memorySize",
      `memorySize must be a whole number of MB from ${memoryLimit.min} to ${memoryLimit.max} ` +
        `(got ${String(memorySize)}). Set memorySize within that range` +
        (args.capacityProvider === undefined && typeof memorySize === "number" && memorySize > memoryLimit.max
          ? ` (up to ${MANAGED_INSTANCES_MEMORY_SIZE_MB.max} MB on Lambda Managed Instances, with capacityProvider).`
          : "."),
    );
  }
  const timeout = args.timeout ?? DEFAULTS.timeout;
  if (!isIntegerIn(timeout, TIMEOUT_SECONDS.min, TIMEOUT_SECONDS.max)) {
    fail(
      "timeout",
      `timeout must be a whole number of seconds from ${TIMEOUT_SECONDS.min} to ${TIMEOUT_SECONDS.max} ` +
        `(got ${String(timeout)}). Set timeout within that range (Lambda's maximum is 15 minutes).`,
    );
  }
  const architecture = checkChoice(
    "architecture",
    args.architecture ?? DEFAULTS.architecture,
    Architecture,
    fail,
  );
  const reservedConcurrency = args.reservedConcurrency;
  if (reservedConcurrency !== undefined && !isIntegerIn(reservedConcurrency, 0, Number.MAX_SAFE_INTEGER)) {
    fail(
      "reservedConcurrency",
      `reservedConcurrency must be a whole number, 0 or more (got ${String(reservedConcurrency)}). ` +
        "Leave it unset to share the account's unreserved concurrency.",
    );
  }
  const logRetentionInDays = args.logRetentionInDays ?? DEFAULTS.logRetentionInDays;
  checkRetention("logRetentionInDays", logRetentionInDays, fail);
  const logging = resolveLogging(args, fail);

  const { path, pathSegments } = parseRoutePath(args.path ?? DEFAULTS.path, fail);
  const method = (
    typeof args.method === "string" ? args.method.toUpperCase() : DEFAULTS.method
  ) as HttpMethod;
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    fail("method", `method must be one of ${HTTP_METHODS.join(", ")} (got ${JSON.stringify(args.method)}).`);
  }
  const stageName = args.stageName ?? DEFAULTS.stageName;
  if (typeof stageName !== "string" || !STAGE_NAME.test(stageName)) {
    fail(
      "stageName",
      `stageName must be 1 to 128 letters, digits, "-" or "_" (got ${JSON.stringify(stageName)}). ` +
        'Use a name like "prod" or "v1".',
    );
  }
  const authorization = resolveAuthorization(args, fail);
  const endpointType = checkChoice(
    "endpointType",
    args.endpointType ?? DEFAULTS.endpointType,
    EndpointType,
    fail,
    "PRIVATE APIs need VPC endpoints and a resource policy, which this component does not manage.",
  );
  const integrationTimeoutMs =
    args.integrationTimeoutMs ?? Math.min(timeout * 1000, INTEGRATION_TIMEOUT_MS.max);
  if (!isIntegerIn(integrationTimeoutMs, INTEGRATION_TIMEOUT_MS.min, INTEGRATION_TIMEOUT_MS.max)) {
    fail(
      "integrationTimeoutMs",
      `integrationTimeoutMs must be a whole number of milliseconds from ${INTEGRATION_TIMEOUT_MS.min} to ` +
        `${INTEGRATION_TIMEOUT_MS.max}, API Gateway's range for STREAM integrations (got ${String(integrationTimeoutMs)}). ` +
        "Leave it unset to follow the function's timeout.",
    );
  }
  const binaryMediaTypes = resolveBinaryMediaTypes(args.binaryMediaTypes, fail);
  const throttle = {
    rateLimit: args.throttle?.rateLimit ?? DEFAULTS.throttle.rateLimit,
    burstLimit: args.throttle?.burstLimit ?? DEFAULTS.throttle.burstLimit,
  };
  if (
    typeof throttle.rateLimit !== "number" ||
    !Number.isFinite(throttle.rateLimit) ||
    throttle.rateLimit <= 0
  ) {
    fail(
      "throttle.rateLimit",
      `throttle.rateLimit must be a number of requests per second above 0 (got ${String(throttle.rateLimit)}).`,
    );
  }
  if (!isIntegerIn(throttle.burstLimit, 0, Number.MAX_SAFE_INTEGER)) {
    fail(
      "throttle.burstLimit",
      `throttle.burstLimit must be a whole number of requests, 0 or more (got ${String(throttle.burstLimit)}).`,
    );
  }

  const accessLogging = resolveAccessLogging(args.accessLogging, logRetentionInDays, fail);
  const cors = resolveCors(args.cors, method, fail);
  const domain = resolveDomain(args.domain, endpointType, fail);
  const capacityProvider = resolveCapacityProvider(args.capacityProvider, memorySize, architecture, fail);
  const environment = args.environment;
  if (isPlainObject(environment) && Object.hasOwn(environment, EXEC_WRAPPER_VARIABLE)) {
    fail("environment", ENVIRONMENT_WRAPPER_REFUSAL);
  }
  if (
    cors !== undefined &&
    isPlainObject(environment) &&
    Object.hasOwn(environment, CORS_SETTINGS_VARIABLE)
  ) {
    fail("environment", ENVIRONMENT_CORS_REFUSAL);
  }
  checkArn(
    "deadLetterTargetArn",
    args.deadLetterTargetArn,
    ["sqs", "sns"],
    "an SQS queue or SNS topic",
    fail,
  );
  checkArn("kmsKeyArn", args.kmsKeyArn, ["kms"], "a KMS key", fail);
  checkArn("webAclArn", args.webAclArn, ["wafv2"], "a WAFv2 web ACL", fail);
  checkTransforms(args.transform, fail);

  const warnings: string[] = [];
  if (integrationTimeoutMs < timeout * 1000) {
    warnings.push(
      `integrationTimeoutMs (${integrationTimeoutMs} ms) is shorter than the function's timeout (${timeout} s): ` +
        "API Gateway will cut off streams the function is still writing, and the function keeps running. " +
        `Raise integrationTimeoutMs to ${timeout * 1000} or lower timeout.`,
    );
  }
  if (endpointType === "EDGE") {
    warnings.push(
      'endpointType "EDGE": edge-optimized endpoints end a streamed response after 30 s without a byte ' +
        '(REGIONAL allows 5 minutes). Use "REGIONAL" unless you need the CloudFront edge.',
    );
  }
  if (reservedConcurrency === 0) {
    warnings.push(
      "reservedConcurrency is 0: every invocation will be throttled. Unset it to serve requests.",
    );
  }

  return {
    handler: args.handler,
    handlerExport: args.handlerExport ?? DEFAULTS.handlerExport,
    memorySize,
    timeout,
    architecture,
    reservedConcurrency,
    environment: args.environment,
    kmsKeyArn: args.kmsKeyArn,
    deadLetterTargetArn: args.deadLetterTargetArn,
    vpcConfig: args.vpcConfig,
    tracing: args.tracing ?? DEFAULTS.tracing,
    logRetentionInDays,
    logging,
    path,
    pathSegments,
    method,
    stageName,
    authorization,
    endpointType,
    integrationTimeoutMs,
    binaryMediaTypes,
    throttle,
    accessLogging,
    webAclArn: args.webAclArn,
    cors,
    domain,
    capacityProvider,
    bundle: {
      minify: args.bundle?.minify ?? DEFAULTS.bundle.minify,
      sourcemap: args.bundle?.sourcemap ?? DEFAULTS.bundle.sourcemap,
      external: args.bundle?.external,
      define: args.bundle?.define,
    },
    transforms: args.transform ?? {},
    warnings,
  };
}

/** Splits and checks a route path: `"a/{id}/{proxy+}"` gives three segments; `"/"` is the root. */
function parseRoutePath(raw: unknown, fail: Fail): { path: string; pathSegments: string[] } {
  if (typeof raw !== "string")
    return fail("path", `path must be a string like "stream" (got ${typeof raw}).`);
  const path = raw.replace(/^\/+/, "").replace(/\/+$/, "");
  if (path === "") return { path, pathSegments: [] };
  const pathSegments = path.split("/");
  pathSegments.forEach((segment, index) => {
    const last = index === pathSegments.length - 1;
    if (GREEDY_PATH_PARAMETER.test(segment) && !last) {
      fail(
        "path",
        `path ${JSON.stringify(raw)}: a greedy parameter like ${segment} must be the last segment.`,
      );
    }
    if (
      !PATH_SEGMENT.test(segment) &&
      !PATH_PARAMETER.test(segment) &&
      !GREEDY_PATH_PARAMETER.test(segment)
    ) {
      fail(
        "path",
        `path ${JSON.stringify(raw)} has an invalid segment ${JSON.stringify(segment)}. Use letters, digits and ` +
          '"._-~:@", a parameter like "{id}", or a greedy "{proxy+}" last.',
      );
    }
  });
  return { path, pathSegments };
}

function resolveAccessLogging(
  raw: StreamingRestApiArgs["accessLogging"],
  logRetentionInDays: number,
  fail: Fail,
): ResolvedAccessLogging | undefined {
  if ((raw ?? DEFAULTS.accessLogging) === false) return undefined;
  const settings = (raw === true ? {} : raw) as AccessLoggingArgs;
  if (typeof settings !== "object" || settings === null) {
    return fail("accessLogging", "accessLogging must be true, false or an object of settings.");
  }
  const enabled = settings.enabled ?? true;
  if (typeof enabled !== "boolean") {
    return fail(
      "accessLogging.enabled",
      `accessLogging.enabled must be true or false (got ${typeof enabled}).`,
    );
  }
  if (!enabled) return undefined;
  const format = settings.format ?? DEFAULTS.accessLogFormat;
  if (!format.includes("$context.requestId")) {
    fail(
      "accessLogging.format",
      "accessLogging.format must include $context.requestId (API Gateway requires it). Add it to the format.",
    );
  }
  const retentionInDays = settings.retentionInDays ?? logRetentionInDays;
  checkRetention("accessLogging.retentionInDays", retentionInDays, fail);
  return { destinationArn: settings.destinationArn, format, retentionInDays };
}

function checkRetention(argument: string, days: unknown, fail: Fail): void {
  if (!(LOG_RETENTION_DAYS as readonly unknown[]).includes(days)) {
    fail(
      argument,
      `${argument} must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")} days ` +
        `(got ${String(days)}).`,
    );
  }
}

/** Checks an ARN given as a plain string (outputs are checked by AWS at deploy time). */
function checkArn(
  argument: string,
  value: unknown,
  services: readonly string[],
  description: string,
  fail: Fail,
): void {
  if (typeof value !== "string") return;
  const service = value.split(":")[2];
  if (!value.startsWith("arn:") || service === undefined || !services.includes(service)) {
    fail(argument, `${argument} must be the ARN of ${description} (got ${JSON.stringify(value)}).`);
  }
}

/**
 * Checks `transform` before anything is created: every key names a child, every value is an object or a
 * function, and object transforms neither break streaming nor stop the runtime from starting. Function
 * transforms are checked the same way when their child is created (see {@link transformProblem}).
 */
function checkTransforms(transforms: unknown, fail: Fail): void {
  if (transforms === undefined) return;
  if (!isPlainObject(transforms)) {
    fail(
      "transform",
      "transform must be an object with one entry per child to override, e.g. { stage: {...} }.",
    );
  }
  for (const [child, transform] of Object.entries(transforms)) {
    if (!Object.hasOwn(ChildSuffix, child)) {
      fail(
        `transform.${child}`,
        `transform.${child} names no child of the component. Use one of: ${Object.keys(ChildSuffix).join(", ")}.`,
      );
    }
    if (transform === undefined || typeof transform === "function") continue;
    if (!isPlainObject(transform)) {
      fail(
        `transform.${child}`,
        `transform.${child} must be an object of args to merge or a function (args, opts, name) => void.`,
      );
    }
    const problem = transformProblem(child, transform);
    if (problem !== undefined) fail(`transform.${child}`, problem);
  }
}

/**
 * Why a child's (transformed) args would break streaming or keep our runtime from starting, as a message
 * naming `transform.<child>`, or `undefined` when they would not. `built` holds the args the component
 * computed (for the function: an untouched `code` passes). Values that are not plain (outputs) are left to
 * AWS, except the exec wrapper, which the function's environment checks once known.
 */
export function transformProblem(
  child: string,
  args: Readonly<Record<string, unknown>>,
  built: Readonly<Record<string, unknown>> = {},
): string | undefined {
  return child === "function" ? functionTransformProblem(args, built) : streamIncompatibility(child, args);
}

/** Values of component-built function args that a transform may repeat without changing anything. */
const HARMLESS_FUNCTION_VALUES: Readonly<Record<string, unknown>> = {
  runtime: LAMBDA_RUNTIME,
  handler: PLACEHOLDER_HANDLER,
  packageType: "Zip",
};

/**
 * Why transformed function args would keep our runtime from starting: an override of what the component
 * builds (runtime, handler, code), or `AWS_LAMBDA_EXEC_WRAPPER` set to another value.
 */
export function functionTransformProblem(
  args: Readonly<Record<string, unknown>>,
  built: Readonly<Record<string, unknown>> = {},
): string | undefined {
  const overridden = COMPONENT_BUILT_FUNCTION_ARGS.filter(
    (key) =>
      (Object.hasOwn(args, key) || Object.hasOwn(built, key)) &&
      args[key] !== built[key] &&
      !(Object.hasOwn(HARMLESS_FUNCTION_VALUES, key) && args[key] === HARMLESS_FUNCTION_VALUES[key]),
  );
  if (overridden.length > 0) {
    return (
      `transform.function overrides ${overridden.join(", ")}, which the component builds: the ${LAMBDA_RUNTIME} ` +
      `runtime, the placeholder handler "${PLACEHOLDER_HANDLER}" and the zip of your bundled handler with the ` +
      `bootstrap that starts our runtime. Remove ${overridden.length === 1 ? "it" : "them"} from the transform ` +
      "(to change the code, change the handler module)."
    );
  }
  const environment = args["environment"];
  const variables = isPlainObject(environment) ? environment["variables"] : undefined;
  const wrapper = isPlainObject(variables) ? variables[EXEC_WRAPPER_VARIABLE] : undefined;
  return typeof wrapper === "string" ? execWrapperProblem(wrapper) : undefined;
}

/** Why a transformed environment's `AWS_LAMBDA_EXEC_WRAPPER` would keep our runtime from starting. */
export function execWrapperProblem(wrapper: string): string | undefined {
  if (wrapper === EXEC_WRAPPER_PATH) return undefined;
  return (
    `transform.function sets ${EXEC_WRAPPER_VARIABLE} to ${JSON.stringify(wrapper)}: the component sets it to ` +
    `${EXEC_WRAPPER_PATH}, the bootstrap that starts its runtime, and keeps it after every transform. Remove ` +
    `${EXEC_WRAPPER_VARIABLE} from the transform.`
  );
}

/**
 * Why a child's (transformed) args break streaming, or `undefined` if they do not, as a message naming
 * `transform.<child>`. Values that are not plain (outputs) are left to AWS.
 */
export function streamIncompatibility(
  child: string,
  args: Readonly<Record<string, unknown>>,
): string | undefined {
  const where = `transform.${child}`;
  switch (child) {
    case "restApi": {
      const size = args["minimumCompressionSize"];
      if (
        (typeof size === "string" || typeof size === "number") &&
        String(size) !== "" &&
        Number(size) > -1
      ) {
        return (
          `${where} sets minimumCompressionSize, which enables content encoding: API Gateway does not support ` +
          "it with STREAM responses. Remove minimumCompressionSize."
        );
      }
      return undefined;
    }
    case "stage":
      if (args["cacheClusterEnabled"] === true) {
        return (
          `${where} enables cacheClusterEnabled: API Gateway does not support caching with STREAM responses. ` +
          "Remove cacheClusterEnabled."
        );
      }
      return undefined;
    case "methodSettings": {
      const settings = args["settings"];
      if (isPlainObject(settings) && settings["cachingEnabled"] === true) {
        return (
          `${where} enables settings.cachingEnabled: API Gateway does not support caching with STREAM ` +
          "responses. Remove cachingEnabled."
        );
      }
      return undefined;
    }
    case "corsIntegration": {
      const type = args["type"];
      if (typeof type === "string" && type !== "MOCK") {
        return (
          `${where} sets type ${JSON.stringify(type)}: the preflight is answered by a MOCK integration, without ` +
          "authorization, and must not reach the function or anything else. Remove it."
        );
      }
      return undefined;
    }
    case "integration": {
      const mode = args["responseTransferMode"];
      if (typeof mode === "string" && mode !== "STREAM") {
        return `${where} sets responseTransferMode ${JSON.stringify(mode)}: this component streams. Remove it.`;
      }
      const type = args["type"];
      if (typeof type === "string" && type !== "AWS_PROXY") {
        return `${where} sets type ${JSON.stringify(type)}: STREAM needs a Lambda proxy integration (AWS_PROXY). Remove it.`;
      }
      const cacheKeys = args["cacheKeyParameters"];
      if (Array.isArray(cacheKeys) && cacheKeys.length > 0) {
        return `${where} sets cacheKeyParameters: API Gateway does not support caching with STREAM responses. Remove them.`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
