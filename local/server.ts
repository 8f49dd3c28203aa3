// The local server: the Runtime API plus, on the same port, POST /invoke and API Gateway (REST API) emulation.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { OCTET_STREAM_CONTENT_TYPE } from "../runtime/protocol";
import { buildRestApiEvent } from "./gateway/restApiEvent";
import {
  GatewayErrors,
  headFromPrelude,
  MalformedProxyResponseError,
  parseProxyResult,
  rawHeaderList,
  type ResponseHead,
} from "./gateway/responseMapping";
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
  LocalRuntimeApi,
  StreamInterruptedError,
  type FunctionErrorReport,
  type InvocationOutcome,
} from "./runtimeApi/runtimeApiServer";

/** Settings of the local server. Every field is optional. */
export interface LocalServerOptions {
  /** Interface to bind. Loopback unless told otherwise. @default process.env.LOCAL_LAMBDA_HOST ?? "127.0.0.1" */
  host?: string;
  /** Port to bind; 0 picks a free one. @default Number(process.env.LOCAL_LAMBDA_PORT ?? 7000) */
  port?: number;
  /**
   * The API Gateway resource requests are matched against: a matching path becomes an event with
   * `resource` = this route; other paths become `/{proxy+}` events. `{name}` / `{name+}` segments bind
   * `pathParameters`.
   * @default "/stream"
   */
  route?: string;
  /**
   * Time an invocation may run, in ms, from the moment the runtime receives it; sent as
   * `Lambda-Runtime-Deadline-Ms`. Past it, a request still waiting for its first byte gets a 504 and a stream
   * is cut.
   * @default Number(process.env.LOCAL_LAMBDA_TIMEOUT_MS ?? 60000)
   */
  timeoutMs?: number;
  /** API Gateway stage name, in `requestContext.stage`. @default "local" */
  stage?: string;
  /**
   * Time a client may take to send its request headers, and then its body, in ms. Past it the client gets a
   * 408 and its connection is closed, so a stalled or trickling client holds nothing. The runtime's own
   * requests are not limited (a streamed response is a request that may last 15 minutes).
   * @default 30000
   */
  clientRequestTimeoutMs?: number;
  /** Where to write one line per invocation and per error a developer should see. @default stderr */
  log?: (line: string) => void;
}

/** A running local server. */
export interface LocalServer {
  /** `host:port` to use as `AWS_LAMBDA_RUNTIME_API` (the Runtime API is served on the same port). */
  readonly runtimeApi: string;
  /** Base URL, e.g. `http://127.0.0.1:7000`. */
  readonly url: string;
  /** Stops the server: answers pending `/next` polls, cancels queued requests, cuts the one in flight. */
  close(): Promise<void>;
}

interface Settings {
  host: string;
  port: number;
  route: string;
  timeoutMs: number;
  stage: string;
  clientRequestTimeoutMs: number;
  log: (line: string) => void;
}

/** How a client request is answered: Lambda's invoke semantics, or API Gateway's proxy integration. */
type ClientMode = "invoke" | "gateway";

/** The path of the plain invoke endpoint: the request body is the event, as is. */
export const INVOKE_PATH = "/invoke";

/**
 * Starts the local server. One port serves the Lambda Runtime API (`/2018-06-01/runtime/...`, for the
 * in-process runtime or any other Runtime API client), `POST /invoke` (body = event, as is), and every other
 * path and method as an API Gateway REST API with a Lambda proxy integration (the request becomes a payload
 * 1.0 event). Responses stream to the client chunk by chunk as the runtime sends them.
 *
 * Errors, by phase. Before any response byte, a function error is a 502: `{"message":"Internal server
 * error"}` on emulated routes (as API Gateway answers), the function's error JSON with
 * `X-Amz-Function-Error: Unhandled` on `/invoke`. After bytes were sent (error trailers, the runtime's
 * connection closing, the deadline), the client's connection is cut so it sees a failed transfer. A passed
 * deadline before any byte is a 504.
 * @param options See {@link LocalServerOptions}.
 * @throws When the port cannot be bound (the message names the address).
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const settings = resolveSettings(options);
  const runtimeApi = new LocalRuntimeApi({
    timeoutMs: settings.timeoutMs,
    functionArn: functionArn(),
    log: settings.log,
  });
  // No request timeout: the runtime's streamed response is a request that may last 15 minutes. Clients get
  // `clientRequestTimeoutMs` for their headers (headersTimeout, checked at least every second) and their body.
  const timeouts = {
    requestTimeout: 0,
    headersTimeout: settings.clientRequestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, Math.max(10, settings.clientRequestTimeoutMs / 4)),
  };
  const server = createServer(timeouts, (request, response) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (LocalRuntimeApi.owns(path)) return runtimeApi.handle(request, response);
    const mode: ClientMode = path === INVOKE_PATH && request.method === "POST" ? "invoke" : "gateway";
    serveClient(request, response, mode, runtimeApi, settings).catch((error: unknown) => {
      settings.log(
        `internal error serving ${request.method} ${request.url}: ${(error as Error).stack ?? error}`,
      );
      response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(
        new Error(
          `The local server cannot listen on ${settings.host}:${settings.port}: ${error.message}. ` +
            "Set LOCAL_LAMBDA_PORT (or LOCAL_LAMBDA_HOST) to a free address.",
          { cause: error },
        ),
      ),
    );
    server.listen({ host: settings.host, port: settings.port }, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = connectableHost(settings.host);
  let closing: Promise<void> | undefined;
  return {
    runtimeApi: `${host}:${port}`,
    url: `http://${host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        runtimeApi.close();
        // Let the answers to cancelled requests reach their sockets before connections are closed.
        await nextTurn();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 1000);
        await closed;
        clearTimeout(force);
      })()),
  };
}

/** Answers one client request: reads it, queues the invocation, then relays the outcome. */
async function serveClient(
  request: IncomingMessage,
  response: ServerResponse,
  mode: ClientMode,
  runtimeApi: LocalRuntimeApi,
  settings: Settings,
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

  let body: Buffer;
  try {
    body = await readBody(request, MAX_PAYLOAD_BYTES, settings.clientRequestTimeoutMs);
  } catch (error) {
    if (error instanceof PayloadTooLargeError) {
      record.status = 413;
      record.note = `request body over ${MAX_PAYLOAD_BYTES} bytes`;
      sendJson(
        response,
        413,
        { message: `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes (Lambda's payload limit).` },
        { Connection: "close" },
      );
    } else if (error instanceof RequestTimeoutError) {
      record.status = 408;
      record.note = `request body not received within ${error.timeoutMs} ms`;
      sendJson(response, 408, { message: "Request Timeout" }, { Connection: "close" });
    } else {
      record.note = `client closed while sending its request (${(error as Error).message})`;
    }
    return logLine();
  }

  const gatewayRequestId = randomUUID();
  const event =
    mode === "invoke"
      ? body
      : Buffer.from(
          JSON.stringify(
            buildRestApiEvent(request, body, {
              route: settings.route,
              stage: settings.stage,
              requestId: gatewayRequestId,
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

  const reply: Reply = { response, mode, idHeader, record, timeoutMs: settings.timeoutMs };
  await respond(await invocation.outcome, reply);
  if (response.destroyed && !response.writableFinished && !record.note) record.note = "client closed early";
  logLine();
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
  readonly mode: ClientMode;
  /** The request id header to add: Lambda's on /invoke, API Gateway's on emulated routes. */
  readonly idHeader: readonly [string, string];
  readonly record: InvocationRecord;
  readonly timeoutMs: number;
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
  sendJson(reply.response, error.statusCode, { message: error.message }, { ...headers, [idName]: idValue });
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

function functionArn(): string {
  const region = process.env.AWS_REGION ?? "us-east-1";
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? "local";
  return `arn:aws:lambda:${region}:000000000000:function:${name}`;
}

/** The address clients should connect to: loopback for a wildcard bind, brackets around IPv6 literals. */
function connectableHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

function resolveSettings(options: LocalServerOptions): Settings {
  const env = process.env;
  const port = options.port ?? integerFromEnv("LOCAL_LAMBDA_PORT", env.LOCAL_LAMBDA_PORT, 7000);
  const timeoutMs =
    options.timeoutMs ?? integerFromEnv("LOCAL_LAMBDA_TIMEOUT_MS", env.LOCAL_LAMBDA_TIMEOUT_MS, 60000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port must be an integer from 0 to 65535, got ${port}.`);
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new RangeError(`timeoutMs must be a positive integer (milliseconds), got ${timeoutMs}.`);
  }
  const clientRequestTimeoutMs = options.clientRequestTimeoutMs ?? 30000;
  if (!Number.isInteger(clientRequestTimeoutMs) || clientRequestTimeoutMs < 1) {
    throw new RangeError(
      `clientRequestTimeoutMs must be a positive integer (milliseconds), got ${clientRequestTimeoutMs}.`,
    );
  }
  const route = options.route ?? "/stream";
  if (!route.startsWith("/"))
    throw new RangeError(`route must start with "/", got ${JSON.stringify(route)}.`);
  return {
    host: options.host ?? (env.LOCAL_LAMBDA_HOST || "127.0.0.1"),
    port,
    route,
    timeoutMs,
    stage: options.stage ?? "local",
    clientRequestTimeoutMs,
    log: options.log ?? ((line) => process.stderr.write(`[local-server] ${line}\n`)),
  };
}

function integerFromEnv(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed))
    throw new RangeError(`${name} must be an integer, got ${JSON.stringify(value)}.`);
  return parsed;
}
