// The invocation loop: next event, run the handler, report its response or its error, repeat.
//
// Error handling by phase, for streaming handlers:
// - the handler throws (or its deadline passes) before any byte was sent -> `POST /invocation/{id}/error`;
// - it throws after bytes were sent -> the stream ends with error trailers (type + base64 JSON error);
// - it returns without finishing -> the runtime finishes the stream and logs a warning;
// - it throws after finishing -> the error is logged (the response already went out complete).
import type { Invocation, RuntimeApiClient } from "./client";
import { createContext, type FunctionIdentity, type InvocationContext } from "./context";
import { InvocationTimeoutError, toErrorPayload } from "./errors";
import type { BufferedLambdaHandler, ResolvedHandler, StreamingLambdaHandlerFunction } from "./handler";
import { runInInvocation, type InvocationScope } from "./invocationScope";
import { ResponseStream } from "./responseStream";
import type { PreludeHook } from "./cors";

/**
 * Where the runtime's own log lines go. Each is called from the invocation it is about, so a logger can read
 * its request id from `currentInvocation()`; the messages name it too.
 */
export interface RuntimeLogger {
  /** A warning, e.g. a handler that returned without finishing its response. */
  warn(message: string): void;
  /**
   * An error, e.g. a failed handler or Runtime API call.
   * @param message What happened, with the error's type, message and stack.
   * @param error The error the message is about, when there is one, for loggers that record it as fields
   * (the function's JSON records do). @default none
   */
  error(message: string, error?: unknown): void;
}

/** The invocation in progress: its identifiers and, for streaming handlers, its response stream. */
export interface ActiveInvocation extends InvocationScope {
  readonly stream?: ResponseStream;
}

/** Everything the loop needs, passed in so tests need no environment. */
export interface LoopConfig {
  readonly client: RuntimeApiClient;
  readonly handler: ResolvedHandler;
  readonly identity: FunctionIdentity;
  readonly log: RuntimeLogger;
  /** Sets or clears `process.env._X_AMZN_TRACE_ID` for each invocation. */
  readonly setTraceId: (traceId: string | undefined) => void;
  /** Whether to keep going: checked before each `/next`. */
  readonly shouldContinue: () => boolean;
  /** Told when the loop is idle (waiting on `/next`) or busy, so shutdown can be immediate when idle. */
  readonly onIdle?: (idle: boolean) => void;
  /** Told which invocation is in progress (undefined between invocations), so a crash can still report it. */
  readonly onInvocation?: (invocation: ActiveInvocation | undefined) => void;
  /** Completes the prelude of each streamed response for its event (the CORS headers). @default none */
  readonly preludeHookFor?: (event: Buffer) => PreludeHook | undefined;
}

/** Runs invocations until `shouldContinue` says stop. Throws only for Runtime API failures on `/next`. */
export async function runLoop(config: LoopConfig): Promise<void> {
  while (config.shouldContinue()) {
    config.onIdle?.(true);
    const invocation = await config.client.nextInvocation();
    config.onIdle?.(false);
    const context = createContext(invocation, config.identity);
    config.setTraceId(context.traceId);
    const scope: InvocationScope = {
      requestId: invocation.requestId,
      traceId: context.traceId,
      tenantId: context.tenantId,
    };
    // Everything the invocation runs, the handler and the runtime's reports, knows which invocation it is.
    await runInInvocation(scope, () => invoke(config, invocation, context, scope));
    config.onInvocation?.(undefined);
  }
}

/** Runs one invocation's handler and reports its response or its error. */
function invoke(
  config: LoopConfig,
  invocation: Invocation,
  context: InvocationContext,
  scope: InvocationScope,
): Promise<void> {
  if (config.handler.kind === "buffered") {
    config.onInvocation?.(scope);
    return invokeBuffered(config, config.handler, invocation, context);
  }
  return invokeStreaming(config, config.handler.handle, invocation, context, scope);
}

async function invokeStreaming(
  config: LoopConfig,
  handle: StreamingLambdaHandlerFunction,
  invocation: Invocation,
  context: InvocationContext,
  scope: InvocationScope,
): Promise<void> {
  const { client, log } = config;
  const requestId = invocation.requestId;
  const stream = new ResponseStream(
    (contentType) => client.openResponseStream(requestId, contentType),
    config.preludeHookFor?.(invocation.event),
  );
  config.onInvocation?.({ ...scope, stream });
  const outcome = await settle(() => handle(invocation.event, stream, context), context);

  if (outcome.failed) {
    await reportFailure(config, { ...scope, stream }, outcome.error);
  } else if (stream.writable) {
    log.warn(`[runtime] ${requestId}: the handler returned without finish(); finishing the response for it.`);
    await stream.finish();
    await checkStreamAnswer(config, requestId, stream);
  } else {
    await checkStreamAnswer(config, requestId, stream);
  }
}

/**
 * Reports a failed invocation according to how far its response got (see the phases above), and waits for
 * the Runtime API's answer. Never throws: Runtime API failures are logged.
 */
export async function reportFailure(
  config: Pick<LoopConfig, "client" | "log">,
  invocation: ActiveInvocation,
  error: unknown,
): Promise<void> {
  const { client, log } = config;
  const { requestId, stream } = invocation;
  if (!stream?.started) {
    stream?.close();
    await report(log, requestId, "sending the error", () =>
      client.sendInvocationError(requestId, toErrorPayload(error)),
    );
    logHandlerError(log, requestId, error, "before any response byte; reported on /error");
    return;
  }
  if (stream.writable) {
    stream.fail(error);
    logHandlerError(log, requestId, error, "mid-stream; the response ends with error trailers");
  } else if (stream.finished) {
    logHandlerError(log, requestId, error, "after finish; the response had already gone out");
  } else {
    logHandlerError(log, requestId, error, "after the response stream broke");
  }
  await checkStreamAnswer(config, requestId, stream);
}

async function checkStreamAnswer(
  config: Pick<LoopConfig, "client" | "log">,
  requestId: string,
  stream: ResponseStream,
): Promise<void> {
  const answer = stream.result;
  if (!answer) return;
  await report(config.log, requestId, "streaming the response", async () =>
    config.client.checkStreamAnswer(requestId, await answer),
  );
}

async function invokeBuffered(
  config: LoopConfig,
  handler: BufferedLambdaHandler<never, unknown>,
  invocation: Invocation,
  context: InvocationContext,
): Promise<void> {
  const { client, log } = config;
  const requestId = invocation.requestId;
  const outcome = await settle(
    () => handler.handler(parseEvent(invocation.event) as never, context),
    context,
  );
  let body: Buffer | undefined;
  let error: unknown = outcome.failed ? outcome.error : undefined;
  if (!outcome.failed) {
    try {
      body = Buffer.from(JSON.stringify(outcome.value) ?? "null", "utf8");
    } catch (serializationError) {
      error = serializationError;
    }
  }
  if (body !== undefined) {
    await report(log, requestId, "sending the response", () => client.sendResponse(requestId, body));
    return;
  }
  await report(log, requestId, "sending the error", () =>
    client.sendInvocationError(requestId, toErrorPayload(error)),
  );
  logHandlerError(log, requestId, error, "in a buffered invocation; reported on /error");
}

/** setTimeout's upper bound; a longer delay would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Outcome = { failed: false; value: unknown } | { failed: true; error: unknown };

/**
 * Runs the handler and waits for it to settle or for the deadline, whichever comes first. Synchronous
 * throws and rejections with any value (not only Errors) become a failed outcome.
 */
function settle(run: () => unknown, context: InvocationContext): Promise<Outcome> {
  let result: Promise<unknown>;
  try {
    result = Promise.resolve(run());
  } catch (error) {
    return Promise.resolve({ failed: true, error });
  }
  const settled = result.then(
    (value): Outcome => ({ failed: false, value }),
    (error: unknown): Outcome => ({ failed: true, error }),
  );
  if (!context.hasDeadline) return settled;
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(
      () => {
        const error = new InvocationTimeoutError(
          `the handler did not settle before the invocation deadline (${new Date(context.deadlineMs).toISOString()}).`,
        );
        context.abort(error);
        resolve({ failed: true, error });
      },
      Math.min(context.getRemainingTimeInMillis(), MAX_TIMER_MS),
    );
    void settled.then((outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}

function parseEvent(event: Buffer): unknown {
  if (event.length === 0) return undefined;
  return JSON.parse(event.toString("utf8"));
}

/** Runs a Runtime API call for an invocation; a failure is logged with the request id and never thrown. */
async function report(
  log: RuntimeLogger,
  requestId: string,
  what: string,
  call: () => Promise<void>,
): Promise<void> {
  try {
    await call();
  } catch (error) {
    log.error(`[runtime] ${requestId}: ${what} failed: ${(error as Error).message}`, error);
  }
}

function logHandlerError(log: RuntimeLogger, requestId: string, error: unknown, phase: string): void {
  const payload = toErrorPayload(error);
  const stack = payload.stackTrace.length > 0 ? `\n    ${payload.stackTrace.join("\n    ")}` : "";
  log.error(
    `[runtime] ${requestId}: handler failed ${phase}: ${payload.errorType}: ${payload.errorMessage}${stack}`,
    error,
  );
}
