// Where records go: framed on Lambda's telemetry descriptor, as lines on a descriptor, or as lines on stdout.
import { writeAtOnce, writeWholeSync } from "./fdWrite";
import { FrameEncoder, frameType } from "./frames";
import type { LogLevel } from "./levels";
import type { LogFormat } from "./settings";

/** What became of a record: written, dropped (its destination stayed full), or not written (it failed). */
export type SinkOutcome = "written" | "dropped" | "failed";

/** A destination for finished records. */
export interface LogSink {
  /** Names the destination in the runtime's own messages, e.g. `the telemetry descriptor 3`. */
  readonly name: string;
  /** Why the last write failed, after a `failed` outcome. */
  readonly failure: Error | undefined;
  /**
   * Writes one record, synchronously: when this returns, it is on its way, after every earlier one.
   * @param level The record's level.
   * @param timestampMs When it was logged (the timestamp in the record).
   * @param record The record, without a line end.
   */
  write(level: LogLevel, timestampMs: number, record: string): SinkOutcome;
}

/** Lambda's telemetry descriptor: one frame per record, so a multi-line message stays one log event. */
export class TelemetryFdSink implements LogSink {
  readonly name: string;
  failure: Error | undefined;
  readonly #fd: number;
  readonly #format: LogFormat;
  readonly #encoder = new FrameEncoder();

  /**
   * @param fd The descriptor (`_LAMBDA_TELEMETRY_LOG_FD`).
   * @param format The records' format, which the frame type carries.
   */
  constructor(fd: number, format: LogFormat) {
    this.#fd = fd;
    this.#format = format;
    this.name = `the telemetry descriptor ${fd}`;
  }

  write(level: LogLevel, timestampMs: number, record: string): SinkOutcome {
    // A Text record ends with a newline inside its frame, a JSON one does not, as AWS's runtime writes them.
    const body = this.#format === "TEXT" ? `${record}\n` : record;
    const frame = this.#encoder.encode(frameType(this.#format, level), timestampMs, body);
    return outcomeOf(this, writeWholeSync(this.#fd, frame));
  }
}

/** A descriptor taking one line per record (the connection to Lambda Managed Instances' log socket). */
export class LineFdSink implements LogSink {
  readonly name: string;
  failure: Error | undefined;
  readonly #fd: number;

  /**
   * @param fd The descriptor.
   * @param name What it is, for the runtime's messages.
   */
  constructor(fd: number, name: string) {
    this.#fd = fd;
    this.name = name;
  }

  write(_level: LogLevel, _timestampMs: number, record: string): SinkOutcome {
    return outcomeOf(this, writeWholeSync(this.#fd, Buffer.from(`${oneLine(record)}\n`, "utf8")));
  }
}

/** The part of a writable stream {@link StdoutSink} uses. */
export interface LineStream {
  write(chunk: string | Uint8Array): unknown;
  once(event: "error", listener: (error: Error) => void): unknown;
  removeListener(event: "error", listener: (error: Error) => void): unknown;
  readonly isTTY?: boolean;
  /** Its descriptor (`process.stdout` has one on the main thread, not in a worker). */
  readonly fd?: number;
  /** Bytes it holds, not yet written. */
  readonly writableLength?: number;
}

/**
 * Standard output, one line per record. A message's own newlines become `\r`, so that Lambda (which cuts
 * stdout at newlines) keeps it one event, as AWS's runtime does; in a terminal, where nothing cuts lines,
 * they stay newlines so that a stack trace reads as one.
 *
 * A line goes straight to the descriptor when the stream holds nothing back (so it is out before a
 * `process.exit` that follows, and after everything written before it); what the descriptor does not take
 * at once is left to the stream, which keeps the order and never blocks.
 */
export class StdoutSink implements LogSink {
  readonly name = "stdout";
  readonly failure: Error | undefined = undefined;
  readonly #stream: LineStream;
  readonly #keepNewlines: boolean;

  /** @param stream Where the lines go. @default process.stdout */
  constructor(stream: LineStream = process.stdout) {
    this.#stream = stream;
    this.#keepNewlines = stream.isTTY === true;
  }

  write(_level: LogLevel, _timestampMs: number, record: string): SinkOutcome {
    const line = `${this.#keepNewlines ? record : oneLine(record)}\n`;
    const fd = this.#stream.fd;
    if (typeof fd === "number" && this.#stream.writableLength === 0) {
      const bytes = Buffer.from(line, "utf8");
      const written = writeAtOnce(fd, bytes);
      if (written < bytes.length) this.#queue(written === 0 ? line : bytes.subarray(written));
      return "written";
    }
    this.#queue(line);
    return "written";
  }

  #queue(chunk: string | Uint8Array): void {
    // As `console` does: an error writing (a closed pipe) must not crash the function.
    this.#stream.once("error", ignore);
    try {
      this.#stream.write(chunk);
    } catch {
      // A synchronous write error: the line is lost, as it would be with console.log.
    } finally {
      this.#stream.removeListener("error", ignore);
    }
  }
}

function ignore(): void {}

/** `record` with each newline turned into a carriage return. */
function oneLine(record: string): string {
  return record.includes("\n") ? record.replaceAll("\n", "\r") : record;
}

function outcomeOf(
  sink: { failure: Error | undefined },
  outcome: ReturnType<typeof writeWholeSync>,
): SinkOutcome {
  if (outcome.kind === "written") return "written";
  if (outcome.kind === "full") return "dropped";
  sink.failure = outcome.error;
  return "failed";
}
