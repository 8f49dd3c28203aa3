// The callers' side of the local server: POST /invoke and the emulated REST API route, each request an invocation.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { OCTET_STREAM_CONTENT_TYPE } from "../runtime/protocol";
import type { AuthDenial } from "./auth/denials";
import { verifySigV4 } from "./auth/sigv4Verifier";
import { gatewayErrorCorsHeaders, preflightHeaders, PREFLIGHT_STATUS } from "./gateway/cors";
import {
  GatewayErrors,
  headFromPrelude,
  MalformedProxyResponseError,
  parseProxyResult,
  rawHeaderList,
  type ResponseHead,
} from "./gateway/responseMapping";
import { buildRestApiEvent } from "./gateway/restApiEvent";
import { EVERY_PATH, resolveRoute } from "./gateway/route";
import {
  cutConnection,
  drained,
  PayloadTooLargeError,
  readBody,
  RequestTimeoutError,
  sendJson,
} from "./http";
import { MAX_PAYLOAD_BYTES } from "./lambdaLimits";
import {
  StreamInterruptedError,
  type FunctionErrorReport,
  type InvocationOutcome,
} from "./runtimeApi/invocation";
import type { LocalRuntimeApi } from "./runtimeApi/runtimeApiServer";
import type { LocalServerSettings } from "./settings";

/** How a caller's request is answered: Lambda's invoke semantics, or API Gateway's proxy integration. */
type CallerMode = "invoke" | "gateway";

/** The path of the plain invoke endpoint: the request body is the event, as is. */
export const INVOKE_PATH = "/invoke";

/**
 * Answers one caller's request (anything but the Runtime API): `POST /invoke` as Lambda's Invoke API does,
 * anything else as the emulated REST API does, which only routes the configured path and method.
 * @param request The caller's request.
 * @param response Its response.
 * @param runtimeApi Where the invocation is queued.
 * @param settings The server's settings (route, timeouts, log).
 */
export async function serveCaller(
  request: IncomingMessage,
  response: ServerResponse,
  runtimeApi: LocalRuntimeApi,
  settings: LocalServerSettings,
): Promise<void> {
  const started = performance.now();
  const record: InvocationRecord = { status: 0, bytes: 0, requestId: "-", note: undefined };
  const logLine = (): void => {
    const ms = Math.round(performance.now() - started);
    const note = record.note ? `: ${record.note}` : "";
    settings.log(
      `${request.method} ${request.url} -> ${record.status || "-"} ${ms} ms ${record.bytes} B ${record.requestId}${note}`,
    );
  };

  const path = (request.url ?? "/").split("?")[0] ?? "/";
  const method = request.method ?? "GET";
  const mode: CallerMode = path === INVOKE_PATH && method === "POST" ? "invoke" : "gateway";
  // API Gateway's own errors carry CORS headers (gateway responses DEFAULT_4XX/5XX), so pages can read them.
  const errorHeaders = mode === "gateway" ? gatewayErrorCorsHeaders(settings.cors, originOf(request)) : {};
  if (mode === "gateway" && answerPreflight(request, response, path, settings, record)) return logLine();
  const match = mode === "gateway" ? resolveRoute(settings.route, method, path) : undefined;
  if (mode === "gateway" && !match) {
    answerUnknownRoute(response, method, settings, record, errorHeaders);
    return logLine();
  }
  const body = await readRequestBody(request, response, settings, record, errorHeaders);
  if (body === undefined) return logLine();
  if (mode === "gateway" && settings.auth) {
    const { method: requestMethod = "GET", url = "/", rawHeaders } = request;
    const signed = { method: requestMethod, url, rawHeaders, body };
    const denial = await verifySigV4(signed, settings.auth.credentials);
    if (denial) {
      answerDenied(response, denial, record, errorHeaders);
      return logLine();
    }
  }

  const gatewayRequestId = randomUUID();
  const event =
    mode === "invoke"
      ? body
      : Buffer.from(
          JSON.stringify(
            buildRestApiEvent(request, body, {
              match,
              stage: settings.stage,
              requestId: gatewayRequestId,
              binaryMediaTypes: settings.binaryMediaTypes,
            }),
          ),
          "utf8",
        );
  const invocation = runtimeApi.enqueue(event, { clientContext: clientContext(request) });
  record.requestId = invocation.requestId;
  response.once("close", () => {
    if (!response.writableFinished) invocation.cancel();
  });
  const idHeader: readonly [string, string] =
    mode === "invoke" ? ["X-Amzn-RequestId", invocation.requestId] : ["x-amzn-RequestId", gatewayRequestId];

  const reply: Reply = { response, mode, idHeader, record, timeoutMs: settings.timeoutMs, errorHeaders };
  await respond(await invocation.outcome, reply);
  if (response.destroyed && !response.writableFinished && !record.note) record.note = "client closed early";
  logLine();
}

/** Answers a request no resource and method match, as API Gateway does: 403 "Missing Authentication Token". */
function answerUnknownRoute(
  response: ServerResponse,
  method: string,
  settings: LocalServerSettings,
  record: InvocationRecord,
  errorHeaders: Readonly<Record<string, string>>,
): void {
  const { route } = settings;
  record.status = GatewayErrors.missingAuthenticationToken.statusCode;
  record.note =
    route.path === EVERY_PATH
      ? `API Gateway has no ${method} method`
      : `no route: the API serves ${route.method} ${route.path} (set LOCAL_LAMBDA_ROUTE and LOCAL_LAMBDA_METHOD ` +
        'to mirror your stack, or LOCAL_LAMBDA_ROUTE="*" for every path)';
  sendJson(
    response,
    record.status,
    { message: GatewayErrors.missingAuthenticationToken.message },
    {
      ...errorHeaders,
      "x-amzn-ErrorType": "MissingAuthenticationTokenException",
      "x-amzn-RequestId": randomUUID(),
    },
  );
}

/**
 * Answers a CORS preflight as the deployed API's OPTIONS method (a mock integration, without authorization)
 * does, when CORS is configured and the path is the route's; returns whether it did.
 */
function answerPreflight(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  settings: LocalServerSettings,
  record: InvocationRecord,
): boolean {
  if (!settings.cors || request.method !== "OPTIONS") return false;
  if (!resolveRoute({ ...settings.route, method: "ANY" }, "OPTIONS", path)) return false;
  const headers = preflightHeaders(settings.cors, originOf(request));
  record.status = PREFLIGHT_STATUS;
  record.note = headers["Access-Control-Allow-Origin"]
    ? "CORS preflight"
    : "CORS preflight, origin not allowed";
  response.writeHead(PREFLIGHT_STATUS, { ...headers, "x-amzn-RequestId": randomUUID() });
  response.end();
  return true;
}

/** Answers a request the route's AWS_IAM authorization refuses, as API Gateway does: 403 and a JSON message. */
function answerDenied(
  response: ServerResponse,
  denial: AuthDenial,
  record: InvocationRecord,
  errorHeaders: Readonly<Record<string, string>>,
): void {
  record.status = denial.statusCode;
  record.note = `AWS_IAM: ${denial.errorType}: ${denial.message.split("\n")[0]}`;
  sendJson(
    response,
    denial.statusCode,
    { message: denial.message },
    { ...errorHeaders, "x-amzn-ErrorType": denial.errorType, "x-amzn-RequestId": randomUUID() },
  );
}

/** The request's `Origin` header, if it sent one. */
function originOf(request: IncomingMessage): string | undefined {
  const origin = request.headers.origin;
  return typeof origin === "string" && origin !== "" ? origin : undefined;
}

/**
 * Reads the whole request body within Lambda's payload limit and the client's time limit; on failure answers
 * the caller (413, 408) and returns `undefined`.
 */
async function readRequestBody(
  request: IncomingMessage,
  response: ServerResponse,
  settings: LocalServerSettings,
  record: InvocationRecord,
  errorHeaders: Readonly<Record<string, string>>,
): Promise<Buffer | undefined> {
  try {
    return await readBody(request, MAX_PAYLOAD_BYTES, settings.clientRequestTimeoutMs);
  } catch (error) {
    if (error instanceof PayloadTooLargeError) {
      record.status = 413;
      record.note = `request body over ${MAX_PAYLOAD_BYTES} bytes`;
      sendJson(
        response,
        413,
        { message: `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes (Lambda's payload limit).` },
        { ...errorHeaders, Connection: "close" },
      );
    } else if (error instanceof RequestTimeoutError) {
      record.status = 408;
      record.note = `request body not received within ${error.timeoutMs} ms`;
      sendJson(response, 408, { message: "Request Timeout" }, { ...errorHeaders, Connection: "close" });
    } else {
      record.note = `client closed while sending its request (${(error as Error).message})`;
    }
    return undefined;
  }
}

/** What the per-invocation log line reports. */
interface InvocationRecord {
  status: number;
  bytes: number;
  requestId: string;
  note: string | undefined;
}

/** Where and how one client request is answered. */
interface Reply {
  readonly response: ServerResponse;
  readonly mode: CallerMode;
  /** The request id header to add: Lambda's on /invoke, API Gateway's on emulated routes. */
  readonly idHeader: readonly [string, string];
  readonly record: InvocationRecord;
  readonly timeoutMs: number;
  /** Headers API Gateway's own error responses carry (CORS); none on /invoke. */
  readonly errorHeaders: Readonly<Record<string, string>>;
}

async function respond(outcome: InvocationOutcome, reply: Reply): Promise<void> {
  const { response, mode, record } = reply;
  switch (outcome.kind) {
    case "buffered":
      return sendBuffered(outcome.body, outcome.contentType, reply);
    case "streamed":
      return sendStreamed(outcome, reply);
    case "failed":
      record.note = `function error ${outcome.error.errorType}: ${outcome.error.errorMessage}`;
      if (mode === "invoke") return sendFunctionError(502, outcome.error, reply);
      return sendGatewayError(GatewayErrors.internal, reply);
    case "timedOut": {
      const seconds = (outcome.timeoutMs / 1000).toFixed(2);
      record.note = `timed out after ${seconds} s without a response`;
      if (mode === "invoke") {
        const error = {
          errorType: "Sandbox.Timedout",
          errorMessage: `Task timed out after ${seconds} seconds`,
        };
        return sendFunctionError(504, error, reply);
      }
      return sendGatewayError(GatewayErrors.timeout, reply);
    }
    case "cancelled":
      if (response.destroyed) {
        record.note = "client closed before the invocation started";
        return;
      }
      record.note = "cancelled: the server is closing";
      return sendGatewayError(GatewayErrors.unavailable, reply, { Connection: "close" });
  }
}

function sendBuffered(payload: Buffer, contentType: string | undefined, reply: Reply): void {
  const { response, record } = reply;
  let head: ResponseHead;
  let body: Buffer;
  if (reply.mode === "invoke") {
    head = { statusCode: 200, headers: { "Content-Type": [contentType ?? "application/json"] } };
    body = payload;
  } else {
    try {
      ({ head, body } = parseProxyResult(payload));
    } catch (error) {
      if (!(error instanceof MalformedProxyResponseError)) throw error;
      record.note = `malformed Lambda proxy response: ${error.message}`;
      return sendGatewayError(GatewayErrors.internal, reply);
    }
  }
  head = withHeader(head, reply.idHeader);
  head.headers["Content-Length"] = [String(body.length)];
  if (response.destroyed) return;
  response.writeHead(head.statusCode, rawHeaderList(head.headers));
  response.end(body);
  record.status = head.statusCode;
  record.bytes = body.length;
}

/**
 * Answers a streamed response. A prelude commits the status and headers at once (as API Gateway sends them
 * when the prelude arrives). Without one, the head waits for the first body byte, so a stream that fails
 * before any byte is still answered as an early error: AWS's Node client reports a handler that throws
 * before writing that way (an empty stream ending with error trailers) rather than on `/error`.
 */
async function sendStreamed(outcome: InvocationOutcome & { kind: "streamed" }, reply: Reply): Promise<void> {
  if (outcome.prelude) {
    return relayStream(outcome.body, outcome.signal, headFromPrelude(outcome.prelude), reply);
  }
  const chunks = outcome.body[Symbol.asyncIterator]();
  let first: IteratorResult<Buffer>;
  try {
    first = await chunks.next();
  } catch (error) {
    return respond(outcomeBeforeFirstByte(error, reply.timeoutMs), reply);
  }
  const head = {
    statusCode: 200,
    headers: { "Content-Type": [outcome.contentType ?? OCTET_STREAM_CONTENT_TYPE] },
  };
  return relayStream(continueWith(first, chunks), outcome.signal, head, reply);
}

/** What a stream that stopped before its first byte amounts to, as if the runtime had never started it. */
function outcomeBeforeFirstByte(error: unknown, timeoutMs: number): InvocationOutcome {
  if (error instanceof StreamInterruptedError) {
    if (error.reason === "deadline") return { kind: "timedOut", timeoutMs };
    if (error.reason === "server-closed") return { kind: "cancelled" };
    if (error.functionError) return { kind: "failed", error: error.functionError };
  }
  return {
    kind: "failed",
    error: { errorType: "Runtime.TruncatedReply", errorMessage: (error as Error).message },
  };
}

async function* continueWith(
  first: IteratorResult<Buffer>,
  rest: AsyncIterator<Buffer>,
): AsyncGenerator<Buffer, void, undefined> {
  for (let next = first; !next.done; next = await rest.next()) yield next.value;
}

/** Streams the body to the client with backpressure; cuts the connection if the stream stops early. */
async function relayStream(
  body: AsyncIterable<Buffer>,
  signal: AbortSignal,
  head: ResponseHead,
  reply: Reply,
): Promise<void> {
  const { response, record } = reply;
  head = withHeader(head, reply.idHeader);
  if (!response.destroyed) {
    response.writeHead(head.statusCode, rawHeaderList(head.headers));
    // Send the status and headers now, before the first body chunk.
    response.flushHeaders();
  }
  record.status = head.statusCode;
  try {
    for await (const chunk of body) {
      // A client that left does not stop the invocation: the body is drained so the runtime can finish.
      if (response.destroyed) continue;
      record.bytes += chunk.length;
      if (!response.write(chunk)) await drained(response, signal);
    }
    response.end();
  } catch (error) {
    cutConnection(response);
    record.note = `stream cut: ${describeInterruption(error)}`;
  }
}

function describeInterruption(error: unknown): string {
  if (!(error instanceof StreamInterruptedError)) return (error as Error).message;
  switch (error.reason) {
    case "function-error":
      return `function error ${error.message}`;
    case "deadline":
      return `deadline passed (${error.message})`;
    default:
      return error.message;
  }
}

function sendGatewayError(
  error: { statusCode: number; message: string },
  reply: Reply,
  headers: Record<string, string> = {},
): void {
  reply.record.status = error.statusCode;
  const [idName, idValue] = reply.idHeader;
  sendJson(
    reply.response,
    error.statusCode,
    { message: error.message },
    { ...reply.errorHeaders, ...headers, [idName]: idValue },
  );
}

function sendFunctionError(statusCode: number, error: FunctionErrorReport, reply: Reply): void {
  reply.record.status = statusCode;
  const [idName, idValue] = reply.idHeader;
  sendJson(reply.response, statusCode, error, { "X-Amz-Function-Error": "Unhandled", [idName]: idValue });
}

/** Adds a header unless the function already set one of that name. */
function withHeader(head: ResponseHead, [name, value]: readonly [string, string]): ResponseHead {
  const present = Object.keys(head.headers).some((key) => key.toLowerCase() === name.toLowerCase());
  return present ? head : { ...head, headers: { ...head.headers, [name]: [value] } };
}

/** `X-Amz-Client-Context` (base64 JSON, as Lambda's Invoke API takes it), decoded for the runtime. */
function clientContext(request: IncomingMessage): string | undefined {
  const value = request.headers["x-amz-client-context"];
  if (typeof value !== "string" || value === "") return undefined;
  return Buffer.from(value, "base64").toString("utf8");
}
