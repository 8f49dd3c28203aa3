// Lambda Runtime API protocol: paths, header names and one pure request builder per call.

/** Version prefix of every Runtime API path. */
export const RUNTIME_API_PREFIX = "/2018-06-01/runtime";

/** Header names the Runtime API sends with `GET /invocation/next`. */
export const InvocationHeader = {
  requestId: "lambda-runtime-aws-request-id",
  deadlineMs: "lambda-runtime-deadline-ms",
  invokedFunctionArn: "lambda-runtime-invoked-function-arn",
  traceId: "lambda-runtime-trace-id",
  clientContext: "lambda-runtime-client-context",
  cognitoIdentity: "lambda-runtime-cognito-identity",
  tenantId: "lambda-runtime-aws-tenant-id",
} as const;

/** Header names the runtime sends with responses and errors. */
export const ResponseHeader = {
  responseMode: "Lambda-Runtime-Function-Response-Mode",
  errorType: "Lambda-Runtime-Function-Error-Type",
  errorBody: "Lambda-Runtime-Function-Error-Body",
} as const;

/** Value of the response-mode header for a streamed response. */
export const STREAMING_RESPONSE_MODE = "streaming";

/** Content type announcing a status/headers prelude followed by 8 NUL bytes and the body. */
export const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";

/** Content type of a streamed response without a prelude (what AWS's Node client sends too). */
export const OCTET_STREAM_CONTENT_TYPE = "application/octet-stream";

/** The `Trailer` header value announcing the error trailers of a streamed response. */
export const ERROR_TRAILERS = `${ResponseHeader.errorType}, ${ResponseHeader.errorBody}`;

/** An HTTP request to the Runtime API, without its body. */
export interface RuntimeApiRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** `GET /invocation/next`: long-polls for the next event. */
export function nextInvocationRequest(): RuntimeApiRequest {
  return { method: "GET", path: `${RUNTIME_API_PREFIX}/invocation/next`, headers: {} };
}

/** `POST /invocation/{id}/response` with the whole body (buffered mode). */
export function bufferedResponseRequest(requestId: string, contentLength: number): RuntimeApiRequest {
  return {
    method: "POST",
    path: invocationPath(requestId, "response"),
    headers: { "Content-Type": "application/json", "Content-Length": String(contentLength) },
  };
}

/** `POST /invocation/{id}/response` as a chunked stream that may end with error trailers. */
export function streamingResponseRequest(requestId: string, contentType: string): RuntimeApiRequest {
  return {
    method: "POST",
    path: invocationPath(requestId, "response"),
    headers: {
      [ResponseHeader.responseMode]: STREAMING_RESPONSE_MODE,
      "Content-Type": contentType,
      "Transfer-Encoding": "chunked",
      Trailer: ERROR_TRAILERS,
    },
  };
}

/** `POST /invocation/{id}/error`: the invocation failed before any response byte was sent. */
export function invocationErrorRequest(
  requestId: string,
  errorType: string,
  contentLength: number,
): RuntimeApiRequest {
  return {
    method: "POST",
    path: invocationPath(requestId, "error"),
    headers: errorHeaders(errorType, contentLength),
  };
}

/** `POST /init/error`: the function could not start (bad configuration, handler failed to load). */
export function initErrorRequest(errorType: string, contentLength: number): RuntimeApiRequest {
  return {
    method: "POST",
    path: `${RUNTIME_API_PREFIX}/init/error`,
    headers: errorHeaders(errorType, contentLength),
  };
}

function invocationPath(requestId: string, action: "response" | "error"): string {
  return `${RUNTIME_API_PREFIX}/invocation/${encodeURIComponent(requestId)}/${action}`;
}

function errorHeaders(errorType: string, contentLength: number): Record<string, string> {
  return {
    [ResponseHeader.errorType]: errorType,
    "Content-Type": "application/json",
    "Content-Length": String(contentLength),
  };
}
