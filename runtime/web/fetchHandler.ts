// fetchHandler(app): serves a web-standard `fetch(Request) → Response` app (Hono, srvx, itty...) as a streaming handler.
import { compressResponse, readCompressionOption, type CompressionOptions } from "../compression";
import { describeValue } from "../errors";
import type { LambdaContext, LambdaResponseStreamWriter, StreamingLambdaHandlerFunction } from "../handler";
import { parseRestApiEvent, type APIGatewayProxyEvent } from "../restApiEvent";
import { InvocationExecutionContext, type FetchExecutionContext } from "./executionContext";
import { requestFromEvent } from "./requestFromEvent";
import { sendResponse } from "./sendResponse";

export type { FetchExecutionContext };

/**
 * The `env` a fetch-style app receives as its second argument (`c.env` in Hono): the REST API proxy event the
 * request was built from, and the invocation's context (`requestId`, `getRemainingTimeInMillis()`, `signal`...).
 */
export interface FetchHandlerEnv {
  /** The REST API proxy event (payload format 1.0), parsed: `requestContext`, `pathParameters`, `stageVariables`... */
  readonly event: APIGatewayProxyEvent;
  /** The Lambda invocation's context. */
  readonly context: LambdaContext;
}

/** A fetch-style app as a function. */
export type FetchFunction = (
  request: Request,
  env: FetchHandlerEnv,
  executionCtx: FetchExecutionContext,
) => Response | Promise<Response>;

/** A fetch-style app: a function, or an object with a `fetch` method (a Hono, srvx, itty or h3 app). */
export type FetchApp =
  | FetchFunction
  | {
      fetch(
        request: Request,
        env: FetchHandlerEnv,
        executionCtx: FetchExecutionContext,
      ): Response | Promise<Response>;
    };

/** Options of {@link fetchHandler}. */
export interface FetchHandlerOptions {
  /**
   * Build `request.url` from `requestContext.path`, which starts with the stage (`/prod/items/1`) or a custom
   * domain's base path, instead of the event's `path` (`/items/1`), which has neither: for an app whose routes
   * include the stage.
   * @default false
   */
  keepStagePrefix?: boolean;
  /**
   * Compress responses for clients that accept it (API Gateway does no content encoding in STREAM mode):
   * `true` for gzip or brotli by `Accept-Encoding` with the defaults, or {@link CompressionOptions}. Each
   * chunk is flushed as it is written, so streams stay live; `text/event-stream`, responses that already
   * have a `Content-Encoding`, and media types not worth it are left alone (see `compressResponse`).
   * @default false
   */
  compression?: boolean | CompressionOptions;
}

/**
 * Turns a web-standard app (`fetch(request, env, executionCtx) → Response`) into a streaming handler, for the
 * runtime, the component, the local server and `npm start` alike:
 *
 * ```ts
 * export const handler = fetchHandler(app); // app: new Hono(), an itty router, (request, env) => Response
 * ```
 *
 * Each invocation parses the REST API proxy event, builds the `Request` (see `requestFromEvent`: method, URL
 * with the path without the stage and every query value, every header value, the body decoded from base64
 * when `isBase64Encoded`, `request.signal` aborting at the invocation's deadline), calls the app with
 * `env = { event, context }` ({@link FetchHandlerEnv}) and a minimal `executionCtx`
 * ({@link FetchExecutionContext}), and streams its `Response`: status and headers at once, every `Set-Cookie`
 * kept (see `responseToPrelude`), then each body chunk as the app enqueues it, with backpressure. A HEAD
 * request gets the status and headers only. Then the handler waits for the `executionCtx.waitUntil()` promises,
 * after the response is complete and before the invocation ends.
 *
 * Errors, by phase: an event that is not a REST API event, or an app that throws or rejects before a `Response`
 * exists, or returns something else (named in the error), fails the invocation (API Gateway answers 502); an
 * error from the body stream after the status was sent ends the stream with error trailers (the client sees a
 * cut transfer).
 * @param app The app: a function `(request, env) => Response | Promise<Response>`, or an object whose `fetch`
 *   method is one (called as a method, so `this` is the app).
 * @param options See {@link FetchHandlerOptions}.
 * @throws TypeError naming the argument when `app` or `options` is not of that shape.
 */
export function fetchHandler(
  app: FetchApp,
  options: FetchHandlerOptions = {},
): StreamingLambdaHandlerFunction {
  const callApp = appCaller(app);
  const keepStagePrefix = readOptions(options);
  const compression = readCompressionOption(
    options.compression,
    "fetchHandler(app, options): options.compression",
  );
  return async (eventBytes: Buffer, writer: LambdaResponseStreamWriter, context: LambdaContext) => {
    const event = parseRestApiEvent(eventBytes);
    const signal = context.signal;
    const request = requestFromEvent(event, { keepStagePrefix, signal });
    const executionCtx = new InvocationExecutionContext();
    try {
      const returned = callApp(request, { event, context }, executionCtx);
      // A Response the app returned as it is goes on without a turn of the microtask queue.
      const appResponse = returned instanceof Response ? returned : await returned;
      const response = compression ? compressResponse(request, appResponse, compression) : appResponse;
      await sendResponse(response, writer, { withoutBody: request.method === "HEAD", signal });
    } catch (error) {
      if (executionCtx.pending) await executionCtx.settle();
      throw error;
    }
    if (!executionCtx.pending) return;
    const failures = await executionCtx.settle();
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      throw new AggregateError(failures, `${failures.length} executionCtx.waitUntil() promises rejected.`);
    }
  };
}

type AppCaller = (
  request: Request,
  env: FetchHandlerEnv,
  executionCtx: FetchExecutionContext,
) => Response | Promise<Response>;

/**
 * Checks the app's shape once, and returns how to call it: the call gives the app's `Response` as it is, or a
 * promise of it (checked to be one) when the app returned anything else, a promise or a thenable.
 */
function appCaller(app: FetchApp): AppCaller {
  let call: FetchFunction;
  if (typeof app === "function") {
    call = app;
  } else if (typeof app === "object" && app !== null && typeof app.fetch === "function") {
    call = (request, env, executionCtx) => app.fetch(request, env, executionCtx);
  } else {
    throw new TypeError(
      "fetchHandler(app): app must be an object with a fetch(request, env, executionCtx) method (a Hono, " +
        `srvx or itty app) or a function (request, env) => Response; got ${describeArgument(app)}.`,
    );
  }
  return (request, env, executionCtx) => {
    const returned: unknown = call(request, env, executionCtx);
    return returned instanceof Response ? returned : awaitResponse(returned);
  };
}

/** Waits for what the app returned and checks that it is a `Response`. */
async function awaitResponse(returned: unknown): Promise<Response> {
  const settled: unknown = await returned;
  if (!isResponse(settled)) {
    throw new TypeError(
      `the app returned ${describeArgument(settled)} instead of a Response; return a Response (or a promise of ` +
        "one), e.g. new Response(body, { status, headers }).",
    );
  }
  return settled;
}

function readOptions(options: FetchHandlerOptions): boolean {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `fetchHandler(app, options): options must be an object; got ${describeArgument(options)}.`,
    );
  }
  const { keepStagePrefix = false } = options;
  if (typeof keepStagePrefix !== "boolean") {
    throw new TypeError(
      `fetchHandler(app, options): options.keepStagePrefix must be true or false; got ${describeArgument(keepStagePrefix)}.`,
    );
  }
  return keepStagePrefix;
}

/** A `Response`, or one from another copy of the Fetch classes (a polyfill, another realm) that works alike. */
function isResponse(value: unknown): value is Response {
  if (value instanceof Response) return true;
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Record<keyof Response, unknown>>;
  return (
    typeof candidate.status === "number" &&
    typeof (candidate.headers as Headers | undefined)?.getSetCookie === "function" &&
    "body" in candidate
  );
}

/** Names a value in an error: its type (and class), and a short rendering. */
function describeArgument(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  const rendered = describeValue(value);
  const short = rendered.length > 100 ? `${rendered.slice(0, 97)}...` : rendered;
  switch (typeof value) {
    case "string":
      return `a string ${JSON.stringify(short)}`;
    case "function":
      return "a function";
    case "object": {
      const className = (value as object).constructor?.name;
      return `${className && className !== "Object" ? `a ${className}` : "an object"} ${short}`;
    }
    default:
      return `${typeof value} ${short}`;
  }
}
