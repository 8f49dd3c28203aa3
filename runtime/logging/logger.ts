// The function's logger: turns a console call into one record and hands it to its destination.
import { currentInvocation, type InvocationScope } from "../invocationScope";
import { jsonRecord, textRecord } from "./format";
import { LogLevels, type LogLevel } from "./levels";
import { formatArguments } from "./safeSerialise";
import type { LogSettings } from "./settings";
import type { LogSink } from "./sinks";

/**
 * Writes records in the function's format, at or above its level, to one destination. It keeps nothing about
 * invocations: each record takes its request id from the invocation running the code that logs
 * (`currentInvocation()`), so records stay right when several invocations run at once.
 */
export class FunctionLogger {
  /** The records' format. */
  readonly format: LogSettings["format"];
  /** The least severe level written. */
  readonly minLevel: LogLevel;
  #sink: LogSink;
  readonly #fallback: () => LogSink;
  #dropped = 0;
  #clockMs = Number.NaN;
  #clockIso = "";

  /**
   * @param settings Format and level.
   * @param sink Where records go.
   * @param fallback Where they go once `sink` fails for good (a closed descriptor).
   */
  constructor(settings: Pick<LogSettings, "format" | "minLevel">, sink: LogSink, fallback: () => LogSink) {
    this.format = settings.format;
    this.minLevel = settings.minLevel;
    this.#sink = sink;
    this.#fallback = fallback;
  }

  /** Where records go now. */
  get destination(): string {
    return this.#sink.name;
  }

  /** Whether records of `level` are written. */
  enabled(level: LogLevel): boolean {
    return level.rank >= this.minLevel.rank;
  }

  /**
   * Writes the record of a console call. Never throws, whatever `args` hold.
   * @param level Its level.
   * @param args The call's arguments (`util.format` semantics).
   */
  log(level: LogLevel, args: readonly unknown[]): void {
    if (level.rank < this.minLevel.rank) return;
    const now = Date.now();
    const scope = currentInvocation();
    let record: string;
    try {
      record =
        this.format === "JSON"
          ? jsonRecord(this.#timestamp(now), scope, level, args)
          : textRecord(this.#timestamp(now), scope, level, formatArguments(args));
    } catch (problem) {
      record = this.#unwritable(now, scope, level, problem);
    }
    this.#deliver(level, now, record);
  }

  /**
   * Writes a message about an error (the runtime's own reports): in JSON, the record also gets the error's
   * `errorType`, `errorMessage` and `stackTrace`. Never throws.
   * @param level Its level.
   * @param message The message.
   * @param error The error it is about.
   */
  logError(level: LogLevel, message: string, error: unknown): void {
    if (level.rank < this.minLevel.rank) return;
    const now = Date.now();
    const scope = currentInvocation();
    let record: string;
    try {
      record =
        this.format === "JSON"
          ? jsonRecord(this.#timestamp(now), scope, level, [message], error)
          : textRecord(this.#timestamp(now), scope, level, message);
    } catch (problem) {
      record = this.#unwritable(now, scope, level, problem);
    }
    this.#deliver(level, now, record);
  }

  /**
   * Sends the records from now on to `sink` (the log socket, once connected).
   * @param sink The new destination.
   */
  useSink(sink: LogSink): void {
    this.#sink = sink;
  }

  #deliver(level: LogLevel, now: number, record: string): void {
    const outcome = this.#sink.write(level, now, record);
    if (outcome === "dropped") {
      this.#dropped++;
      return;
    }
    if (outcome === "failed") {
      const failed = this.#sink;
      this.#sink = this.#fallback();
      this.#notice(
        `[runtime] writing to ${failed.name} failed (${failed.failure?.message ?? "unknown error"}); ` +
          `logging to ${this.#sink.name} from now on.`,
      );
      this.#sink.write(level, now, record);
      return;
    }
    if (this.#dropped > 0) {
      const dropped = this.#dropped;
      this.#dropped = 0;
      this.#notice(
        `[runtime] ${dropped} log record(s) were dropped: ${this.#sink.name} stayed full (its reader is not keeping up).`,
      );
    }
  }

  /** A warning of the runtime's own about logging itself, outside the level filter's reach. */
  #notice(message: string): void {
    const now = Date.now();
    const level = LogLevels.WARN;
    const scope = currentInvocation();
    const record =
      this.format === "JSON"
        ? jsonRecord(this.#timestamp(now), scope, level, [message])
        : textRecord(this.#timestamp(now), scope, level, message);
    this.#sink.write(level, now, record);
  }

  /** A record saying a message could not be written (a string too long to format, say). */
  #unwritable(now: number, scope: InvocationScope | undefined, level: LogLevel, problem: unknown): string {
    let reason: string;
    try {
      reason = problem instanceof Error ? `${problem.name}: ${problem.message}` : String(problem);
    } catch {
      reason = "an error that cannot be printed";
    }
    const message = `[runtime] a ${level.name} message could not be written (${reason}).`;
    return this.format === "JSON"
      ? jsonRecord(this.#timestamp(now), scope, level, [message])
      : textRecord(this.#timestamp(now), scope, level, message);
  }

  /** ISO 8601 for `ms`, computed once per millisecond. */
  #timestamp(ms: number): string {
    if (ms !== this.#clockMs) {
      this.#clockMs = ms;
      this.#clockIso = new Date(ms).toISOString();
    }
    return this.#clockIso;
  }
}
