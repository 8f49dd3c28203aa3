// The Lambda Runtime API served locally: routes `/next`, `/response`, `/error` and `/init/error` to invocations.
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
import { errorFromTrailers, errorReport, errorTypeHeader, truncatedReply } from "./functionErrors";
import {
  Invocation,
  StreamInterruptedError,
  type FunctionErrorReport,
  type InvocationEvent,
  type InvocationExtras,
  type InvocationOutcome,
} from "./invocation";
import { InvocationQueue } from "./invocationQueue";

/** An invocation handed to {@link LocalRuntimeApi.enqueue}, as its caller sees it. */
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
  /**
   * Invocations in flight at once, each on its own `/next` poll: 1 is one Lambda execution environment;
   * more is one on Lambda Managed Instances (`AWS_LAMBDA_MAX_CONCURRENCY`). @default 1
   */
  concurrency?: number;
  /** Sent as `Lambda-Runtime-Invoked-Function-Arn`. */
  functionArn: string;
  /** Where to report what a developer should know (init errors, a queue nobody serves). */
  log: (line: string) => void;
  /**
   * After this many ms with an invocation queued and no runtime polling `/next` (nor busy), say so in the log,
   * once per invocation. @default 3000
   */
  noRuntimeWarningMs?: number;
  /** `host:port` of this Runtime API, for that message. */
  address?: () => string;
  /** Called with the error of a `POST /init/error`, after the waiting invocations failed with it. */
  onInitError?: ((error: FunctionErrorReport) => void) | undefined;
  /** Told each time an invocation changes state. */
  onInvocation?: ((event: InvocationEvent) => void) | undefined;
  /** Told each time a runtime's `GET /next` starts waiting. */
  onPoll?: (() => void) | undefined;
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
 * Serves the Lambda Runtime API (`/2018-06-01/runtime/...`) to any runtime, ours or AWS's, and runs the
 * invocations callers enqueue, `concurrency` at a time (one by default; see {@link InvocationQueue}).
 */
export class LocalRuntimeApi {
  readonly #options: LocalRuntimeApiOptions;
  readonly #queue: InvocationQueue;
  #closed = false;

  constructor(options: LocalRuntimeApiOptions) {
    this.#options = options;
    this.#queue = new InvocationQueue({
      timeoutMs: options.timeoutMs,
      concurrency: options.concurrency ?? 1,
      answerNext: (poll, invocation, event) => this.#answerNext(poll, invocation, event),
      onDeadline: (invocation) => this.#cut(invocation, "deadline"),
      noRuntime: {
        afterMs: options.noRuntimeWarningMs ?? 3000,
        notify: (invocation) => this.#warnNoRuntime(invocation),
      },
    });
  }

  /** Whether a request path belongs to the Runtime API (every path under its version prefix). */
  static owns(path: string): boolean {
    return path.startsWith("/2018-06-01/");
  }

  /**
   * Queues an invocation; it runs when a runtime asks for it and fewer than `concurrency` earlier ones are
   * still running.
   * @param event The event bytes, sent to the runtime as is.
   * @param extras Client context for the runtime.
   */
  enqueue(event: Buffer, extras: InvocationExtras = {}): PendingInvocation {
    const invocation = new Invocation(event, extras, this.#options.onInvocation);
    const pending: PendingInvocation = {
      requestId: invocation.requestId,
      outcome: invocation.outcome,
      cancel: () => {
        if (this.#queue.remove(invocation)) this.#end(invocation, { kind: "cancelled" });
      },
    };
    if (this.#closed) this.#end(invocation, { kind: "cancelled" });
    else this.#queue.enqueue(invocation);
    return pending;
  }

  /**
   * Handles one Runtime API request. Unknown paths get a 404 naming the path; replies for an invocation that
   * is not in flight get 400 `InvalidRequestID`; a second reply for one in flight gets 403.
   */
  handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const method = request.method ?? "GET";
    if (path === NEXT_PATH) {
      if (method !== "GET") return methodNotAllowed(response, method, path, "GET");
      if (this.#closed) return answerClosing(response);
      this.#queue.addPoll(response);
      return this.#options.onPoll?.();
    }
    if (path === INIT_ERROR_PATH) {
      if (method !== "POST") return methodNotAllowed(response, method, path, "POST");
      return void this.#initError(request, response);
    }
    const reply = INVOCATION_PATH.exec(path);
    if (reply) {
      if (method !== "POST") return methodNotAllowed(response, method, path, "POST");
      const invocation = this.#answerable(decodePathSegment(reply[1] ?? ""), response);
      if (!invocation) return;
      invocation.beginReply(request);
      if (reply[2] === "error") return void this.#invocationError(invocation, request, response);
      return void this.#invocationResponse(invocation, request, response);
    }
    sendJson(response, 404, {
      errorType: ApiError.notFound,
      errorMessage: `Unknown Runtime API path: ${method} ${path}`,
    });
  }

  /**
   * Stops serving: pending `GET /next` polls are answered 500 (Lambda's "exit now"), queued invocations are
   * cancelled and those in flight are cut.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const { queued, polls } = this.#queue.drain();
    for (const poll of polls) answerClosing(poll);
    for (const invocation of queued) this.#end(invocation, { kind: "cancelled" });
    for (const inFlight of this.#queue.allInFlight) this.#cut(inFlight, "server-closed");
  }

  #answerNext(poll: ServerResponse, invocation: Invocation, event: Buffer): void {
    const headers: Record<string, string> = {
      [InvocationHeader.requestId]: invocation.requestId,
      [InvocationHeader.deadlineMs]: String(Date.now() + this.#options.timeoutMs),
      [InvocationHeader.invokedFunctionArn]: this.#options.functionArn,
      [InvocationHeader.traceId]: invocation.traceId,
      // AWS's Node client fails without it.
      "Content-Type": "application/json",
      "Content-Length": String(event.length),
    };
    if (invocation.extras.clientContext !== undefined) {
      headers[InvocationHeader.clientContext] = invocation.extras.clientContext;
    }
    poll.writeHead(200, headers);
    poll.end(event);
  }

  #warnNoRuntime(invocation: Invocation): void {
    const address = this.#options.address?.() ?? "this server";
    this.#options.log(
      `invocation ${invocation.requestId} is waiting: no runtime is polling ${NEXT_PATH}. Start a Runtime API ` +
        `client with AWS_LAMBDA_RUNTIME_API=${address} (the request waits until one asks, or its caller gives up).`,
    );
  }

  /** The invocation in flight with this id, if it may still be answered; otherwise replies with the error. */
  #answerable(requestId: string, response: ServerResponse): Invocation | undefined {
    const invocation = this.#queue.inFlightWith(requestId);
    if (!invocation) {
      sendJson(response, 400, {
        errorType: ApiError.invalidRequestId,
        errorMessage: `Invalid request ID: ${requestId} is not an invocation in flight (unknown, or already finished).`,
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

  async #invocationResponse(
    invocation: Invocation,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const contentType = request.headers["content-type"];
    const hasPrelude = contentType?.toLowerCase().startsWith(HTTP_INTEGRATION_CONTENT_TYPE) ?? false;
    const streamed = request.headers[ResponseHeader.responseMode.toLowerCase()] === STREAMING_RESPONSE_MODE;
    if (streamed || hasPrelude) return this.#streamedResponse(invocation, request, response, hasPrelude);
    return this.#wholeReply(
      invocation,
      request,
      response,
      (body) => ({ kind: "buffered", contentType, body }),
      {
        errorType: "Function.ResponseSizeTooLarge",
        errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`,
      },
    );
  }

  /**
   * Reads a reply sent whole (a buffered `/response`, an `/error`) within Lambda's payload limit, settles the
   * invocation with `outcomeOf(body)` and accepts it (202); past the limit, fails it with `tooLarge` and refuses
   * it (413); a connection that breaks first fails it as truncated. The invocation ends either way.
   */
  async #wholeReply(
    invocation: Invocation,
    request: IncomingMessage,
    response: ServerResponse,
    outcomeOf: (body: Buffer) => InvocationOutcome,
    tooLarge: FunctionErrorReport,
  ): Promise<void> {
    try {
      const body = await readBody(request, MAX_PAYLOAD_BYTES);
      invocation.settle(outcomeOf(body));
      sendJson(response, 202, { status: "OK" });
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        invocation.settle({ kind: "failed", error: tooLarge });
        refuseTooLarge(response, error);
      } else {
        // A cut invocation is settled already; otherwise the runtime's connection broke mid-reply.
        invocation.settle({ kind: "failed", error: truncatedReply(error) });
      }
    }
    this.#queue.finish(invocation);
  }

  async #streamedResponse(
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
            invocation.settle({
              kind: "failed",
              error: errorFromTrailers(request.trailers) ?? {
                errorType: "Runtime.InvalidPrelude",
                errorMessage: "The response ended before the prelude's 8-NUL delimiter.",
              },
            });
            sendJson(response, 202, { status: "OK" });
            return this.#queue.finish(invocation);
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
        return this.#queue.finish(invocation);
      }
    }
    invocation.settle({
      kind: "streamed",
      contentType: request.headers["content-type"],
      prelude,
      body: this.#relay(invocation, request, response, chunks, first),
      signal: invocation.cutSignal,
    });
  }

  /** Yields the streamed body and ends the invocation when it ends, reporting trailers and broken streams. */
  async *#relay(
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
      this.#queue.finish(invocation);
    }
  }

  #invocationError(
    invocation: Invocation,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    return this.#wholeReply(
      invocation,
      request,
      response,
      (body) => ({ kind: "failed", error: errorReport(request, body) }),
      {
        errorType: errorTypeHeader(request) ?? "Unknown",
        errorMessage: `(error body over ${MAX_PAYLOAD_BYTES} bytes)`,
      },
    );
  }

  /** Logs the error and fails every queued invocation with it: the runtime could not start. */
  async #initError(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(request, MAX_PAYLOAD_BYTES);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) refuseTooLarge(response, error);
      return;
    }
    const error = errorReport(request, body);
    this.#options.log(`init error: ${error.errorType}: ${error.errorMessage}`);
    for (const invocation of this.#queue.takeQueued()) this.#end(invocation, { kind: "failed", error });
    sendJson(response, 202, { status: "OK" });
    this.#options.onInitError?.(error);
  }

  /** Ends an invocation early: before any answer it times out (or is cancelled); mid-stream, both sides are cut. */
  #cut(invocation: Invocation, reason: "deadline" | "server-closed"): void {
    const seconds = (this.#options.timeoutMs / 1000).toFixed(2);
    invocation.cut(
      reason === "deadline"
        ? { kind: "timedOut", timeoutMs: this.#options.timeoutMs }
        : { kind: "cancelled" },
      new StreamInterruptedError(
        reason,
        reason === "deadline" ? `Task timed out after ${seconds} seconds.` : "The local server closed.",
      ),
    );
    this.#queue.finish(invocation);
  }

  /** Ends an invocation that never ran. */
  #end(invocation: Invocation, outcome: InvocationOutcome): void {
    invocation.end();
    invocation.settle(outcome);
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

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
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
