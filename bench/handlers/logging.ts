// The work of the logging scenario, shared by every client's handler: many console calls, timed from inside.
import { performance } from "node:perf_hooks";

/** Export name of the logging handler in both clients' logging modules. */
export const LOGGING_EXPORT = "logging";

/** The event of a logging invocation: how many calls of which console method. */
export interface LoggingEvent {
  readonly calls: number;
  /** `log` (INFO) or `debug` (DEBUG, filtered out at `AWS_LAMBDA_LOG_LEVEL=ERROR`). */
  readonly method: "log" | "debug";
}

/** What a logging invocation answers: the time its console calls took, in ms. */
export interface LoggingResult {
  readonly ms: number;
}

/** Reads a {@link LoggingEvent}. @throws TypeError naming what is wrong. */
export function readLoggingEvent(event: unknown): LoggingEvent {
  const { calls, method } = (event ?? {}) as Partial<LoggingEvent>;
  if (!Number.isSafeInteger(calls) || (calls as number) < 1 || (method !== "log" && method !== "debug")) {
    throw new TypeError(
      `logging event must be {"calls": n >= 1, "method": "log" | "debug"}, got ${JSON.stringify(event)}`,
    );
  }
  return { calls: calls as number, method };
}

/**
 * Makes `calls` console calls of `method`, each a format string with two arguments (what a handler logging an
 * item it processed writes), and returns how long they took.
 */
export function runConsoleCalls({ calls, method }: LoggingEvent): LoggingResult {
  const log = method === "log" ? console.log : console.debug;
  const start = performance.now();
  for (let i = 0; i < calls; i++) log("processed item %d of %d: ok", i, calls);
  return { ms: performance.now() - start };
}
