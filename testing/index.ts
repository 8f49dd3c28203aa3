// Public API of `streaming-rest-api/testing`: run a handler in-process as Lambda and API Gateway would, in tests.
export { invoke, type InvokeOptions } from "./invoke";
export { StreamInterruptedError } from "../local/runtimeApi/invocation";
export type { FunctionErrorReport } from "../local/runtimeApi/invocation";
