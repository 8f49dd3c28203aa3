// The handler programming model: streaming handlers (the default), buffered handlers, and their context.
import type { StreamingLambdaStatusAndHeadersResponse } from "./prelude";

/** A chunk of response body. Strings are sent as UTF-8. */
export type ResponseChunk = Uint8Array | string;

/** A body that can be piped into a response: a Node `Readable`, a web `ReadableStream`, or any async iterable. */
export type ResponseBody = AsyncIterable<ResponseChunk> | ReadableStream<ResponseChunk>;

/**
 * Writes one streamed response. A state machine: an optional status/headers prelude, then body chunks,
 * then exactly one `finish`. Calls out of that order throw {@link ResponseStreamStateError}.
 */
export interface LambdaResponseStreamWriter {
  /**
   * Sends the HTTP status and headers (the `application/vnd.awslambda.http-integration-response` prelude).
   * Allowed once, before any body byte. Throws `InvalidResponseError` for a status outside 100-599 or a
   * header name/value with CR, LF or NUL, before anything is sent.
   */
  writeStatusAndHeaders(response: StreamingLambdaStatusAndHeadersResponse): Promise<void>;
  /** Sends a body chunk. Resolves once the chunk is handed to the socket (backpressure). */
  write(chunk: ResponseChunk): Promise<void>;
  /** Sends every chunk of `body`, in order, with backpressure. Does not finish the response. */
  pipe(body: ResponseBody): Promise<void>;
  /** Ends the response. Throws if it was already finished. */
  finish(): Promise<void>;
  /** Sends a last chunk and ends the response. */
  writeAndFinish(chunk: ResponseChunk): Promise<void>;
  /** Whether `finish` or `writeAndFinish` has been called. */
  readonly finished: boolean;
}

/** What the runtime knows about the current invocation. */
export interface LambdaContext {
  /** The invocation's request id (`Lambda-Runtime-Aws-Request-Id`). */
  readonly requestId: string;
  /** Alias of {@link requestId}, as in AWS's Node runtime. */
  readonly awsRequestId: string;
  /** The deadline, in milliseconds since the Unix epoch. */
  readonly deadlineMs: number;
  /** Milliseconds left before the deadline. */
  getRemainingTimeInMillis(): number;
  /** ARN used to invoke the function (may carry a version or alias). */
  readonly invokedFunctionArn: string;
  /** X-Ray trace header; also set as `process.env._X_AMZN_TRACE_ID` for the invocation. */
  readonly traceId: string | undefined;
  /**
   * The tenant this invocation serves, for a function with tenant isolation (`Lambda-Runtime-Aws-Tenant-Id`,
   * from the `TenantId` the caller invoked with); `undefined` otherwise. JSON log records carry it as
   * `tenantId`.
   */
  readonly tenantId?: string;
  /** Parsed `Lambda-Runtime-Client-Context`, when the caller sent one. */
  readonly clientContext: unknown;
  /** Parsed `Lambda-Runtime-Cognito-Identity`, when the caller sent one. */
  readonly cognitoIdentity: unknown;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Aborts when the deadline passes: pass it to fetch, timers and streams to stop work in time. */
  readonly signal: AbortSignal;
}

/** A streaming handler as a function: the event's raw bytes, the response writer, the context. */
export type StreamingLambdaHandlerFunction = (
  event: Buffer,
  responseWriter: LambdaResponseStreamWriter,
  context: LambdaContext,
) => Promise<void>;

/**
 * A streaming handler: a function, or an object with a `handle` method of the same shape (so handlers can
 * keep state in a class, like the Swift runtime's `StreamingLambdaHandler` protocol).
 */
export type StreamingLambdaHandler =
  | StreamingLambdaHandlerFunction
  | {
      handle(
        event: Buffer,
        responseWriter: LambdaResponseStreamWriter,
        context: LambdaContext,
      ): Promise<void>;
    };

/** A buffered handler function: the event parsed as JSON in, a JSON-serializable result out. */
export type BufferedLambdaHandlerFunction<TEvent = unknown, TResult = unknown> = (
  event: TEvent,
  context: LambdaContext,
) => Promise<TResult>;

/**
 * The buffered handler function type, under its old name.
 * @deprecated Use {@link BufferedLambdaHandlerFunction}; for any handler the runtime accepts, {@link AnyLambdaHandler}.
 */
export type LambdaHandler<TEvent = unknown, TResult = unknown> = BufferedLambdaHandlerFunction<
  TEvent,
  TResult
>;

/** Marks a handler as buffered; made by {@link buffered}. */
export interface BufferedLambdaHandler<TEvent = unknown, TResult = unknown> {
  readonly kind: "buffered";
  readonly handler: BufferedLambdaHandlerFunction<TEvent, TResult>;
}

/** Any handler the runtime accepts. */
export type AnyLambdaHandler = StreamingLambdaHandler | BufferedLambdaHandler<never, unknown>;

/**
 * Declares a buffered handler: its event is parsed as JSON and its result sent as one JSON response.
 * Handlers are streaming unless wrapped here; the runtime never guesses from a function's arity.
 */
export function buffered<TEvent = unknown, TResult = unknown>(
  handler: BufferedLambdaHandlerFunction<TEvent, TResult>,
): BufferedLambdaHandler<TEvent, TResult> {
  if (typeof handler !== "function") {
    throw new TypeError("buffered(handler): handler must be a function (event, context) => Promise<result>.");
  }
  return { kind: "buffered", handler };
}

/** A handler after the runtime has decided how to call it. */
export type ResolvedHandler =
  | { readonly kind: "streaming"; readonly handle: StreamingLambdaHandlerFunction }
  | BufferedLambdaHandler<never, unknown>;

/**
 * Decides how to call a handler: a function streams, an object with `handle` streams through that method,
 * and `buffered(fn)` is buffered. Never guesses from a function's arity.
 * @param handler What the user exported or passed.
 * @param what How to name it in the error, e.g. `handler`.
 * @throws TypeError naming `what` when `handler` is none of those.
 */
export function resolveHandler(handler: unknown, what: string): ResolvedHandler {
  if (typeof handler === "function") {
    return { kind: "streaming", handle: handler as StreamingLambdaHandlerFunction };
  }
  if (typeof handler === "object" && handler !== null) {
    const candidate = handler as { kind?: unknown; handler?: unknown; handle?: unknown };
    if (candidate.kind === "buffered" && typeof candidate.handler === "function") {
      return handler as BufferedLambdaHandler<never, unknown>;
    }
    if (typeof candidate.handle === "function") {
      const handle = candidate.handle;
      return {
        kind: "streaming",
        handle: (event, writer, context) => handle.call(handler, event, writer, context),
      };
    }
  }
  // A web-standard app (Hono, itty...) exported as it is: say how to serve it.
  const fetchApp = typeof (handler as { fetch?: unknown } | null)?.fetch === "function";
  throw new TypeError(
    `${what} must be a streaming handler (an async function (event, responseWriter, context), or an object ` +
      `with such a handle method) or a buffered one made with buffered(fn); got ${handler === null ? "null" : typeof handler}` +
      (fetchApp ? " with a fetch method: serve a web-standard app with fetchHandler(app)." : "."),
  );
}
