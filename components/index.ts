// The library's public API: the StreamingRestApi component, its arguments, and the bundler.
export { StreamingRestApi, STREAMING_REST_API_TYPE } from "./streamingRestApi";
export { EXEC_WRAPPER_PATH, LAMBDA_RUNTIME, PLACEHOLDER_HANDLER } from "./functionSettings";
export {
  DEFAULTS,
  DEFAULT_ACCESS_LOG_FORMAT,
  HTTP_METHODS,
  LOG_RETENTION_DAYS,
  type AccessLoggingArgs,
  type BundleArgs,
  type HttpMethod,
  type StreamingRestApiArgs,
  type StreamingRestApiTransforms,
  type ThrottleArgs,
} from "./args";
export type { Transform } from "./transform";
export { StreamingRestApiArgumentError } from "./validation";
export { buildBundle, BundleError, BOOTSTRAP_SCRIPT, type BundleOptions, type BundleResult } from "./bundle";
