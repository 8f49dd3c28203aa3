// Public API of the local server (`streaming-rest-api/local`): a development tool, never part of a function.
export { startLocalServer, LocalServerListenError, INVOKE_PATH, type LocalServer } from "./server";
export type { LocalServerOptions } from "./settings";
export { EVERY_PATH, type RouteMethod } from "./gateway/route";
export { DEFAULT_BINARY_MEDIA_TYPES } from "./gateway/binaryMediaTypes";
export type { FunctionErrorReport, InvocationEvent, InvocationState } from "./runtimeApi/invocation";
