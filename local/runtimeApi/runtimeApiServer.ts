// The Lambda Runtime API, served locally: a FIFO of invocations, the /next long-poll and the runtime's replies.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { InvalidResponseError, type StreamingLambdaStatusAndHeadersResponse } from "../../runtime/prelude";
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  InvocationHeader,
  ResponseHeader,
  RUNTIME_API_PREFIX,
  STREAMING_RESPONSE_MODE,
} from "../../runtime/protocol";
import { PreludeParser } from "../gateway/preludeParser";
import { PayloadTooLargeError, readBody, sendJson } from "../http";
import { MAX_PAYLOAD_BYTES } from "../lambdaLimits";

/** An error the function (or Lambda on its behalf) reported, in Lambda's error shape. */
export interface FunctionErrorReport {
  /** e.g. `TypeError`, `Runtime.InitError`, `Function.ResponseSizeTooLarge`. */
  errorType: string;
  /** Human-readable message. */
  errorMessage: string;
  /** Stack frames, when the runtime sent them. */
  stackTrace?: string[];
}

/** A streamed response stopped before its end. */
export class StreamInterruptedError extends Error {
  override name = "StreamInterruptedError";
  /**
   * @param reason Why: the function reported an error in the trailers, the runtime's connection closed, the
   *   deadline passed, or the server is closing.
   * @param message What happened, for the log.
   * @param functionError The error from the trailers, for `function-error`.
   */
  constructor(
    readonly reason: "function-error" | "runtime-disconnected" | "deadline" | "server-closed",
    message: string,
    readonly functionError?: FunctionErrorReport,
  ) {
    super(message);
  }
}

/** How an invocation ended, as far as its caller can tell when the first answer arrives. */
export type InvocationOutcome =
  /** The runtime sent the whole response at once. */
  | { readonly kind: "buffered"; readonly contentType: string | undefined; readonly body: Buffer }
  /**
   * The runtime is streaming. `body` yields the bytes after the prelude as they arrive and throws a
   * {@link StreamInterruptedError} if the stream stops early. Iterate it to its end even when the client has
   * gone (discarding the bytes): the invocation is over, and the next one can start, only when it ends.
   * `signal` aborts when the invocation is cut (deadline, server closing), to stop waiting on a slow client.
   */
  | {
      readonly kind: "streamed";
      readonly contentType: string | undefined;
      readonly prelude: StreamingLambdaStatusAndHeadersResponse | undefined;
      readonly body: AsyncIterable<Buffer>;
      readonly signal: AbortSignal;
    }
  /** The function failed before sending any response byte (`/error`, `/init/error`, an unusable response). */
  | { readonly kind: "failed"; readonly error: FunctionErrorReport }
  /** The deadline passed before any response byte arrived. */
  | { readonly kind: "timedOut"; readonly timeoutMs: number }
  /** The server closed before the invocation was answered. */
  | { readonly kind: "cancelled" };

/** An invocation handed to {@link LocalRuntimeApi.enqueue}. */
export interface PendingInvocation {
  /** The Lambda request id the runtime sees (a random UUID). */
  readonly requestId: string;
  /** Settles with the first answer; never rejects. */
  readonly outcome: Promise<InvocationOutcome>;
  /** The caller went away: a queued invocation is dropped; one already running goes on to its end. */
  cancel(): void;
}

/** Settings of {@link LocalRuntimeApi}. */
export interface LocalRuntimeApiOptions {
  /** Time an invocation may run, from dispatch, in ms (sent as `Lambda-Runtime-Deadline-Ms`). */
  timeoutMs: number;
  /** Sent as `Lambda-Runtime-Invoked-Function-Arn`. */
  functionArn: string;
  /** Where to report what a developer should know (init errors). */
  log: (line: string) => void;
}

/** Extra context for one invocation. */
export interface InvocationExtras {
  /** Sent as `Lambda-Runtime-Client-Context` (JSON text). */
  clientContext?: string | undefined;
}

type InvocationState = "queued" | "dispatched" | "responding" | "done";

class Invocation implements PendingInvocation {
  readonly requestId = randomUUID();
  readonly traceId = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`;
  readonly outcome: Promise<InvocationOutcome>;
  readonly cut = new AbortController();
  state: InvocationState = "queued";
  /** The runtime's response or error request being read, destroyed when the invocation is cut. */
  runtimeRequest: IncomingMessage | undefined;
  timer: NodeJS.Timeout | undefined;
  private settled = false;
  private resolve!: (outcome: InvocationOutcome) => void;

  constructor(
    public event: Buffer,
    readonly extras: InvocationExtras,
    private readonly onCancel: (invocation: Invocation) => void,
  ) {
    this.outcome = new Promise((resolve) => (this.resolve = resolve));
  }

  /** Delivers the first answer; later calls are ignored. */
  settle(outcome: InvocationOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(outcome);
  }

  cancel(): void {
    this.onCancel(this);
  }
}

/** Runtime API error types, as Lambda names them. */
const ApiError = {
  invalidRequestId: "InvalidRequestID",
  invalidStateTransition: "InvalidStateTransition",
  tooLarge: "RequestEntityTooLarge",
  notFound: "NotFound",
  methodNotAllowed: "MethodNotAllowed",
  closing: "LocalServer.Closing",
} as const;

const NEXT_PATH = `${RUNTIME_API_PREFIX}/invocation/next`;
const INIT_ERROR_PATH = `${RUNTIME_API_PREFIX}/init/error`;
const INVOCATION_PATH = new RegExp(`^${RUNTIME_API_PREFIX}/invocation/([^/]+)/(response|error)$`);

/**
 * Serves the Lambda Runtime API (`/2018-06-01/runtime/...`) to any runtime, ours or AWS's, and queues the
 * invocations callers enqueue. One invocation runs at a time, like one Lambda instance: the next is handed to
 * a `GET /next` poller only when the previous one has ended (response complete, error reported, or cut).
 */
export class LocalRuntimeApi {
  private readonly queue: Invocation[] = [];
  private readonly pollers: ServerResponse[] = [];
  private inFlight: Invocation | undefined;
  private closed = false;

  constructor(private readonly options: LocalRuntimeApiOptions) {}

  /** Whether a request path belongs to the Runtime API (every path under its version prefix). */
  static owns(path: string): boolean {
    return path.startsWith("/2018-06-01/");
  }

  /**
   * Queues an invocation; it runs when the runtime asks for it and every earlier one has ended.
   * @param event The event bytes, sent to the runtime as is.
   * @param extras Client context for the runtime.
   */
  enqueue(event: Buffer, extras: InvocationExtras = {}): PendingInvocation {
    const invocation = new Invocation(event, extras, (i) => this.cancel(i));
    if (this.closed) {
      invocation.state = "done";
      invocation.settle({ kind: "cancelled" });
      return invocation;
    }
    this.queue.push(invocation);
    this.dispatch();
    return invocation;
  }

  /**
   * Handles one Runtime API request. Unknown paths get a 404 naming the path; replies for an invocation that
   * is not in flight get 400 `InvalidRequestID`; a second reply for the one in flight gets 403.
   */
  handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const method = request.method ?? "GET";
    const invocationMatch = INVOCATION_PATH.exec(path);
    if (path === NEXT_PATH) {
      if (method === "GET") return this.next(response);
      return methodNotAllowed(response, method, path, "GET");
    }
    if (path === INIT_ERROR_PATH) {
      if (method === "POST") return void this.initError(request, response);
      return methodNotAllowed(response, method, path, "POST");
    }
    if (invocationMatch) {
      if (method !== "POST") return methodNotAllowed(response, method, path, "POST");
      const requestId = decodePathSegment(invocationMatch[1] ?? "");
      const invocation = this.answerable(requestId, response);
      if (!invocation) return;
      invocation.state = "responding";
      invocation.runtimeRequest = request;
      if (invocationMatch[2] === "error") return void this.invocationError(invocation, request, response);
      return void this.invocationResponse(invocation, request, response);
    }
    sendJson(response, 404, {
      errorType: ApiError.notFound,
      errorMessage: `Unknown Runtime API path: ${method} ${path}`,
    });
  }

  /**
   * Stops serving: pending `GET /next` polls are answered 500 (Lambda's "exit now"), queued invocations are
   * cancelled and the one in flight is cut.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const poller of this.pollers.splice(0)) answerClosing(poller);
    for (const invocation of this.queue.splice(0)) {
      invocation.state = "done";
      invocation.settle({ kind: "cancelled" });
    }
    if (this.inFlight) this.cutInvocation(this.inFlight, "server-closed");
  }

  private next(response: ServerResponse): void {
    if (this.closed) return answerClosing(response);
    this.pollers.push(response);
    response.once("close", () => {
      const index = this.pollers.indexOf(response);
      if (index !== -1) this.pollers.splice(index, 1);
    });
    this.dispatch();
  }

  /** Hands the oldest queued invocation to the oldest waiting poller, when none is in flight. */
  private dispatch(): void {
    while (!this.inFlight && this.queue.length > 0 && this.pollers.length > 0) {
      const poller = this.pollers.shift() as ServerResponse;
      if (poller.destroyed || poller.writableEnded) continue;
      const invocation = this.queue.shift() as Invocation;
      this.inFlight = invocation;
      invocation.state = "dispatched";
      const deadlineMs = Date.now() + this.options.timeoutMs;
      invocation.timer = setTimeout(() => this.cutInvocation(invocation, "deadline"), this.options.timeoutMs);
      const headers: Record<string, string> = {
        [InvocationHeader.requestId]: invocation.requestId,
        [InvocationHeader.deadlineMs]: String(deadlineMs),
        [InvocationHeader.invokedFunctionArn]: this.options.functionArn,
        [InvocationHeader.traceId]: invocation.traceId,
        // AWS's Node client fails without it.
        "Content-Type": "application/json",
        "Content-Length": String(invocation.event.length),
      };
      if (invocation.extras.clientContext !== undefined) {
        headers[InvocationHeader.clientContext] = invocation.extras.clientContext;
      }
      poller.writeHead(200, headers);
      poller.end(invocation.event);
      invocation.event = Buffer.alloc(0);
    }
  }

  private cancel(invocation: Invocation): void {
    if (invocation.state !== "queued") return;
    const index = this.queue.indexOf(invocation);
    if (index !== -1) this.queue.splice(index, 1);
    invocation.state = "done";
    invocation.settle({ kind: "cancelled" });
  }

  /** The in-flight invocation with this id, if it may still be answered; otherwise replies with the error. */
  private answerable(requestId: string, response: ServerResponse): Invocation | undefined {
    const invocation = this.inFlight;
    if (!invocation || invocation.requestId !== requestId) {
      sendJson(response, 400, {
        errorType: ApiError.invalidRequestId,
        errorMessage: `Invalid request ID: ${requestId} is not the invocation in flight (unknown, or already finished).`,
      });
      return undefined;
    }
    if (invocation.state !== "dispatched") {
      sendJson(response, 403, {
        errorType: ApiError.invalidStateTransition,
        errorMessage: `Invocation ${requestId} has already been answered.`,
      });
      return undefined;
    }
    return invocation;
  }

  private async invocationResponse(
    invocation: Invocation,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const contentType = request.headers["content-type"];
    const hasPrelude = contentType?.toLowerCase().startsWith(HTTP_INTEGRATION_CONTENT_TYPE) ?? false;
    const streamed = request.headers[ResponseHeader.responseMode.toLowerCase()] === STREAMING_RESPONSE_MODE;
    if (streamed || hasPrelude) return this.streamedResponse(invocation, request, response, hasPrelude);
    try {
      const body = await readBody(request, MAX_PAYLOAD_BYTES);
      invocation.settle({ kind: "buffered", contentType, body });
      sendJson(response, 202, { status: "OK" });
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        invocation.settle({
          kind: "failed",
          error: {
            errorType: "Function.ResponseSizeTooLarge",
            errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`,
          },
        });
        refuseTooLarge(response, error);
      } else {
        // A cut invocation is settled already; otherwise the runtime's connection broke mid-reply.
        invocation.settle({ kind: "failed", error: truncatedReply(error) });
      }
    }
    this.finish(invocation);
  }

  private async streamedResponse(
    invocation: Invocation,
    request: IncomingMessage,
    response: ServerResponse,
    hasPrelude: boolean,
  ): Promise<void> {
    const chunks = (request as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    let prelude: StreamingLambdaStatusAndHeadersResponse | undefined;
    let first: Buffer = Buffer.alloc(0);
    if (hasPrelude) {
      try {
        const parser = new PreludeParser();
        for (;;) {
          const { value, done } = await chunks.next();
          if (done) {
            const trailerError = errorFromTrailers(request.trailers);
            invocation.settle({
              kind: "failed",
              error: trailerError ?? {
                errorType: "Runtime.InvalidPrelude",
                errorMessage: "The response ended before the prelude's 8-NUL delimiter.",
              },
            });
            sendJson(response, 202, { status: "OK" });
            return this.finish(invocation);
          }
          const parsed = parser.push(value);
          if (parsed) {
            prelude = parsed.prelude;
            first = parsed.rest;
            break;
          }
        }
      } catch (error) {
        if (error instanceof InvalidResponseError) {
          invocation.settle({
            kind: "failed",
            error: { errorType: "Runtime.InvalidPrelude", errorMessage: error.message },
          });
          sendJson(
            response,
            400,
            { errorType: "InvalidPrelude", errorMessage: error.message },
            { Connection: "close" },
          );
        }
        // A cut invocation is settled already; otherwise the runtime's connection broke mid-prelude.
        invocation.settle({ kind: "failed", error: truncatedReply(error) });
        return this.finish(invocation);
      }
    }
    invocation.settle({
      kind: "streamed",
      contentType: request.headers["content-type"],
      prelude,
      body: this.relay(invocation, request, response, chunks, first),
      signal: invocation.cut.signal,
    });
  }

  /** Yields the streamed body and ends the invocation when it ends, reporting trailers and broken streams. */
  private async *relay(
    invocation: Invocation,
    request: IncomingMessage,
    response: ServerResponse,
    chunks: AsyncIterator<Buffer>,
    first: Buffer,
  ): AsyncGenerator<Buffer, void, undefined> {
    let complete = false;
    try {
      if (first.length > 0) yield first;
      for (;;) {
        const { value, done } = await chunks.next();
        if (done) break;
        yield value;
      }
      complete = true;
      sendJson(response, 202, { status: "OK" });
      const trailerError = errorFromTrailers(request.trailers);
      if (trailerError) {
        throw new StreamInterruptedError(
          "function-error",
          `${trailerError.errorType}: ${trailerError.errorMessage}`,
          trailerError,
        );
      }
    } catch (error) {
      if (error instanceof StreamInterruptedError) throw error;
      throw new StreamInterruptedError(
        "runtime-disconnected",
        `The runtime's connection closed mid-stream (${(error as Error).message}).`,
      );
    } finally {
      if (!complete) request.destroy();
      this.finish(invocation);
    }
  }

  private async invocationError(
    invocation: Invocation,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    try {
      const body = await readBody(request, MAX_PAYLOAD_BYTES);
      invocation.settle({ kind: "failed", error: errorReport(request, body) });
      sendJson(response, 202, { status: "OK" });
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        invocation.settle({
          kind: "failed",
          error: {
            errorType: headerText(request, ResponseHeader.errorType) ?? "Unknown",
            errorMessage: `(error body over ${MAX_PAYLOAD_BYTES} bytes)`,
          },
        });
        refuseTooLarge(response, error);
      } else {
        invocation.settle({ kind: "failed", error: truncatedReply(error) });
      }
    }
    this.finish(invocation);
  }

  /** Logs the error and fails every queued invocation with it: the runtime could not start. */
  private async initError(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(request, MAX_PAYLOAD_BYTES);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        refuseTooLarge(response, error);
      }
      return;
    }
    const error = errorReport(request, body);
    this.options.log(`init error: ${error.errorType}: ${error.errorMessage}`);
    for (const invocation of this.queue.splice(0)) {
      invocation.state = "done";
      invocation.settle({ kind: "failed", error });
    }
    sendJson(response, 202, { status: "OK" });
  }

  /** Ends an invocation early: before any answer it times out (or is cancelled); mid-stream, both sides are cut. */
  private cutInvocation(invocation: Invocation, reason: "deadline" | "server-closed"): void {
    if (invocation.state === "done") return;
    invocation.settle(
      reason === "deadline" ? { kind: "timedOut", timeoutMs: this.options.timeoutMs } : { kind: "cancelled" },
    );
    invocation.cut.abort();
    const message =
      reason === "deadline"
        ? `Task timed out after ${(this.options.timeoutMs / 1000).toFixed(2)} seconds.`
        : "The local server closed.";
    invocation.runtimeRequest?.destroy(new StreamInterruptedError(reason, message));
    this.finish(invocation);
  }

  /** Frees the in-flight slot and dispatches the next invocation. */
  private finish(invocation: Invocation): void {
    if (invocation.state === "done") return;
    invocation.state = "done";
    clearTimeout(invocation.timer);
    if (this.inFlight === invocation) this.inFlight = undefined;
    this.dispatch();
  }
}

function methodNotAllowed(response: ServerResponse, method: string, path: string, allowed: string): void {
  sendJson(
    response,
    405,
    {
      errorType: ApiError.methodNotAllowed,
      errorMessage: `${method} is not allowed on ${path}; use ${allowed}.`,
    },
    { Allow: allowed },
  );
}

function answerClosing(response: ServerResponse): void {
  if (response.destroyed || response.writableEnded) return;
  sendJson(
    response,
    500,
    {
      errorType: ApiError.closing,
      errorMessage: "The local server is shutting down; the runtime should exit.",
    },
    { Connection: "close" },
  );
}

/** The error an invocation fails with when the runtime's connection breaks before its reply is complete. */
function truncatedReply(cause: unknown): FunctionErrorReport {
  return {
    errorType: "Runtime.TruncatedReply",
    errorMessage: `The runtime's connection closed before its reply was complete (${(cause as Error).message}).`,
  };
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function headerText(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads an `/error` or `/init/error` body: Lambda's error JSON, with the type header taking precedence. */
function errorReport(request: IncomingMessage, body: Buffer): FunctionErrorReport {
  const typeHeader = headerText(request, ResponseHeader.errorType);
  const parsed = parseErrorJson(body.toString("utf8"));
  return {
    errorType: typeHeader ?? parsed?.errorType ?? "Unknown",
    errorMessage: parsed?.errorMessage ?? body.toString("utf8"),
    ...(parsed?.stackTrace ? { stackTrace: parsed.stackTrace } : {}),
  };
}

/** The error a streamed response's trailers report, if any (the body trailer is base64 JSON). */
function errorFromTrailers(trailers: NodeJS.Dict<string>): FunctionErrorReport | undefined {
  const errorType = trailers[ResponseHeader.errorType.toLowerCase()];
  const encoded = trailers[ResponseHeader.errorBody.toLowerCase()];
  if (errorType === undefined && encoded === undefined) return undefined;
  const text = encoded === undefined ? "" : Buffer.from(encoded, "base64").toString("utf8");
  const parsed = parseErrorJson(text);
  return {
    errorType: errorType ?? parsed?.errorType ?? "Unknown",
    errorMessage: parsed?.errorMessage ?? text,
    ...(parsed?.stackTrace ? { stackTrace: parsed.stackTrace } : {}),
  };
}

function parseErrorJson(text: string): Partial<FunctionErrorReport> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    const { errorType, errorMessage, stackTrace } = value as Record<string, unknown>;
    return {
      ...(typeof errorType === "string" ? { errorType } : {}),
      ...(typeof errorMessage === "string" ? { errorMessage } : {}),
      ...(Array.isArray(stackTrace) ? { stackTrace: stackTrace.map(String) } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Answers a reply over Lambda's payload limit as Lambda does, and closes the connection it came on. */
function refuseTooLarge(response: ServerResponse, error: Error): void {
  sendJson(
    response,
    413,
    { errorType: ApiError.tooLarge, errorMessage: error.message },
    { Connection: "close" },
  );
}
