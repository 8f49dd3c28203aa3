// The local server: the Lambda Runtime API plus, on the same port, POST /invoke and the emulated REST API route.
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import { CORS_SETTINGS_VARIABLE } from "../runtime/cors";
import { INVOKE_PATH, serveCaller } from "./callerRequests";
import { LocalRuntimeApi } from "./runtimeApi/runtimeApiServer";
import { resolveSettings, type LocalServerOptions, type LocalServerSettings } from "./settings";

export { INVOKE_PATH };
export type { LocalServerOptions };

/** A running local server. */
export interface LocalServer {
  /** `host:port` to use as `AWS_LAMBDA_RUNTIME_API` (the Runtime API is served on the same port). */
  readonly runtimeApi: string;
  /** Base URL, e.g. `http://127.0.0.1:7000`. */
  readonly url: string;
  /** The route requests must match to reach the function, e.g. `ANY /stream`. */
  readonly route: string;
  /**
   * Variables a deployment would set in the function's environment for these settings: with CORS,
   * `STREAMING_REST_API_CORS` (the settings as JSON), so the runtime adds the CORS headers to streamed
   * responses as it does when deployed. Give them to the runtime's process (`npm start` does; an in-process
   * `LambdaRuntime` that started this server reads them itself).
   */
  readonly functionEnvironment: Readonly<Record<string, string>>;
  /**
   * Invocations served at once (`LOCAL_LAMBDA_CONCURRENCY`): over 1, the runtime should poll that many at
   * once, as it does with `AWS_LAMBDA_MAX_CONCURRENCY` set to it (`npm start` sets it).
   */
  readonly concurrency: number;
  /** Stops the server: answers pending `/next` polls, cancels queued requests, cuts those in flight. */
  close(): Promise<void>;
}

/** Thrown by {@link startLocalServer} when its address cannot be bound (in use, not local...). */
export class LocalServerListenError extends Error {
  override name = "LocalServerListenError";
  constructor(
    /** The address that could not be bound, `host:port`. */
    readonly address: string,
    /** The system's error code, e.g. `EADDRINUSE`. */
    readonly code: string | undefined,
    options: { cause: unknown },
  ) {
    super(
      `the local server cannot listen on ${address}` +
        (code === "EADDRINUSE" ? " (another process uses that port)" : code ? ` (${code})` : "") +
        ". Set LOCAL_LAMBDA_PORT (or LOCAL_LAMBDA_HOST) to a free address.",
      options,
    );
  }
}

/**
 * Starts the local server. One port serves the Lambda Runtime API (`/2018-06-01/runtime/...`, for the
 * in-process runtime or any other Runtime API client), `POST /invoke` (body = event, as is), and the
 * configured route as an API Gateway REST API with a Lambda proxy integration (the request becomes a payload
 * 1.0 event); other paths get API Gateway's 403 for an unknown route. Responses stream to the client chunk by
 * chunk as the runtime sends them.
 *
 * Errors, by phase. Before any response byte, a function error is a 502: `{"message":"Internal server
 * error"}` on emulated routes (as API Gateway answers), the function's error JSON with
 * `X-Amz-Function-Error: Unhandled` on `/invoke`. After bytes were sent (error trailers, the runtime's
 * connection closing, the deadline), the client's connection is cut so it sees a failed transfer. A passed
 * deadline before any byte is a 504.
 * @param options See {@link LocalServerOptions}.
 * @throws RangeError for a malformed setting, naming it.
 * @throws {LocalServerListenError} When the port cannot be bound.
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const settings = resolveSettings(options);
  let address = `${settings.host}:${settings.port}`;
  const runtimeApi = new LocalRuntimeApi({
    timeoutMs: settings.timeoutMs,
    concurrency: settings.concurrency,
    functionArn: functionArn(),
    log: settings.log,
    noRuntimeWarningMs: settings.noRuntimeWarningMs,
    address: () => address,
    onInitError: settings.onInitError,
    onInvocation: settings.onInvocation,
    onPoll: settings.onPoll,
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
    serveCaller(request, response, runtimeApi, settings).catch((error: unknown) => {
      settings.log(
        `internal error serving ${request.method} ${request.url}: ${(error as Error).stack ?? error}`,
      );
      response.destroy();
    });
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) =>
    answerMalformedRequest(error, socket, settings),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new LocalServerListenError(address, error.code, { cause: error })),
    );
    server.listen({ host: settings.host, port: settings.port }, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = connectableHost(settings.host);
  address = `${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    runtimeApi: address,
    url: `http://${address}`,
    route: `${settings.route.method} ${settings.route.path}`,
    concurrency: settings.concurrency,
    functionEnvironment: settings.cors ? { [CORS_SETTINGS_VARIABLE]: JSON.stringify(settings.cors) } : {},
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

/** Status and message for requests Node's HTTP parser refuses, by its error code. */
const MALFORMED_ANSWERS: Readonly<Record<string, readonly [number, string]>> = {
  HPE_INVALID_METHOD: [400, "Bad Request: unknown HTTP method"],
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large"],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout"],
};

/**
 * Answers a request that cannot be parsed (an unknown method, broken framing, headers too large or too slow)
 * with a JSON body saying why, closes the connection, and logs it; never invokes the function.
 */
function answerMalformedRequest(
  error: NodeJS.ErrnoException,
  socket: Socket,
  settings: LocalServerSettings,
): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, message] = MALFORMED_ANSWERS[error.code ?? ""] ?? [400, "Bad Request"];
  const body = JSON.stringify({ message });
  const reason = status === 400 ? "Bad Request" : message;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  settings.log(`refused a malformed request with ${status}: ${error.code ?? "?"} (${error.message})`);
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
