// The library's public API: the StreamingRestApi component, its arguments, and the bundler.
import type * as pulumi from "@pulumi/pulumi";
import type { StreamingRestApiArgs } from "./args";
import { StreamingRestApi as StreamingRestApiComponent } from "./streamingRestApi";

/** How TypeScript constructs a {@link StreamingRestApi}: with the full {@link StreamingRestApiArgs}. */
export interface StreamingRestApiConstructor {
  /**
   * Creates the component and its children, after checking every argument (a bad one throws a
   * `StreamingRestApiArgumentError` naming it before anything is registered).
   * @param name The component's name: every child's name starts with it.
   * @param args The handler and the settings.
   * @param opts Resource options of the component.
   */
  new (
    name: string,
    args: StreamingRestApiArgs,
    opts?: pulumi.ComponentResourceOptions,
  ): StreamingRestApiComponent;
  readonly prototype: StreamingRestApiComponent;
}

/**
 * Serves streaming HTTP responses from a Lambda function through an API Gateway REST API: the handler is
 * bundled with this project's runtime, which streams through Lambda's Runtime API; the route's integration
 * uses `responseTransferMode: STREAM` and an invoke role scoped to this function.
 *
 * The component class itself, typed for TypeScript with {@link StreamingRestApiArgs}: transforms and the
 * wider TypeScript forms, beyond what Pulumi's schema (and so Python, Go, .NET and YAML) can carry.
 */
// The class is declared with StreamingRestApiSchemaArgs only for Pulumi's schema inference; its constructor
// hands them to resolveArgs, which takes the StreamingRestApiArgs superset: widening the declared type is safe.
export const StreamingRestApi = StreamingRestApiComponent as StreamingRestApiConstructor;
/** A StreamingRestApi component: its outputs and children. */
export type StreamingRestApi = StreamingRestApiComponent;

export { STREAMING_REST_API_TYPE, LEGACY_STREAMING_REST_API_TYPE } from "./streamingRestApi";
export { EXEC_WRAPPER_PATH, LAMBDA_RUNTIME, PLACEHOLDER_HANDLER } from "./functionSettings";
export {
  Architecture,
  ApplicationLogLevel,
  Authorization,
  AuthorizerType,
  EndpointType,
  HttpMethod,
  LogFormat,
  SystemLogLevel,
} from "./enums";
export {
  DEFAULTS,
  DEFAULT_ACCESS_LOG_FORMAT,
  HTTP_METHODS,
  LOG_RETENTION_DAYS,
  MANAGED_INSTANCES_MEMORY_SIZE_MB,
  type AccessLogging,
  type AccessLoggingArgs,
  type Bundle,
  type BundleArgs,
  type CapacityProvider,
  type CognitoAuthorization,
  type Cors,
  type CustomAuthorizer,
  type CustomDomain,
  type StreamingRestApiArgs,
  type StreamingRestApiSchemaArgs,
  type Throttle,
  type ThrottleArgs,
  type VpcConfig,
} from "./args";
export type { StreamingRestApiTransforms } from "./childTransforms";
export type { Transform } from "./transform";
export { StreamingRestApiArgumentError } from "./validation";
export { CORS_SETTINGS_VARIABLE } from "./corsSettings";
export { CAPACITY_PROVIDER_OPERATOR_POLICY_ARN } from "./capacityProvider";
export { buildBundle, BundleError, BOOTSTRAP_SCRIPT, type BundleOptions, type BundleResult } from "./bundle";
