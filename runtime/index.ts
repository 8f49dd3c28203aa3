// Public API of the runtime that ships in every function: handler model, response writer, runtime, event helpers.
// Nothing here loads the local server (that is `streaming-rest-api/local`, a development tool).
export { LambdaRuntime, type LambdaRuntimeOptions } from "./lambdaRuntime";
export type { LocalRuntimeApiServer, StartLocalServer } from "./localServerLoader";
export {
  buffered,
  type AnyLambdaHandler,
  type BufferedLambdaHandler,
  type BufferedLambdaHandlerFunction,
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
} from "./restApiEvent";
export { authorizerClaims, authorizerContext, authorizerScopes, type AuthorizedEvent } from "./authorizer";
export {
  fetchHandler,
  type FetchApp,
  type FetchExecutionContext,
  type FetchFunction,
  type FetchHandlerEnv,
  type FetchHandlerOptions,
} from "./web/fetchHandler";
export {
  eventStreamResponse,
  formatServerSentEvent,
  writeEventStream,
  EventStreamClosedError,
  type EventStreamOptions,
  type EventStreamSender,
  type ServerSentEvent,
} from "./sse";
export {
  compressResponse,
  compressWriter,
  isCompressibleMediaType,
  negotiateEncoding,
  type CompressionOptions,
  type ContentCoding,
} from "./compression";
