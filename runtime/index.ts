// Public API of the runtime: handler model, response writer, runtime, local server and event helpers.
export { LambdaRuntime, runHandlerModule, type LambdaRuntimeOptions } from "./lambdaRuntime";
export {
  buffered,
  type AnyLambdaHandler,
  type BufferedLambdaHandler,
  type LambdaContext,
  type LambdaHandler,
  type LambdaResponseStreamWriter,
  type ResponseBody,
  type ResponseChunk,
  type StreamingLambdaHandler,
  type StreamingLambdaHandlerFunction,
} from "./handler";
export { InvalidResponseError, type StreamingLambdaStatusAndHeadersResponse } from "./prelude";
export { InvocationTimeoutError, ResponseStreamStateError, RuntimeApiError } from "./errors";
export type { RuntimeLogger } from "./loop";
export {
  parseRestApiEvent,
  restApiEventBody,
  restApiEventHeader,
  InvalidEventError,
  type APIGatewayProxyEvent,
  type APIGatewayProxyResult,
} from "./apiGatewayEvent";
export { startLocalServer, type LocalServer, type LocalServerOptions } from "./localServer";
