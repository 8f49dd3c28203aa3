// What the logging tests share: a sink that keeps records, and a strict reader of telemetry frames.
import { expect } from "chai";
import type { LogLevel } from "../../runtime/logging/levels";
import type { LogSink, SinkOutcome } from "../../runtime/logging/sinks";

/** A record a {@link CaptureSink} received. */
export interface CapturedRecord {
  readonly level: LogLevel;
  readonly timestampMs: number;
  readonly record: string;
}

/** A sink that keeps every record, answering `outcome` (written, unless told otherwise). */
export class CaptureSink implements LogSink {
  readonly records: CapturedRecord[] = [];
  failure: Error | undefined;
  outcome: SinkOutcome = "written";

  constructor(readonly name = "the capture sink") {}

  write(level: LogLevel, timestampMs: number, record: string): SinkOutcome {
    if (this.outcome === "written") this.records.push({ level, timestampMs, record });
    return this.outcome;
  }

  /** The records' texts. */
  get texts(): string[] {
    return this.records.map((entry) => entry.record);
  }
}

/** One frame, decoded field by field. */
export interface Frame {
  readonly type: number;
  readonly length: number;
  /** Microseconds since the epoch, as the header's signed 64-bit big-endian integer. */
  readonly timestampUs: bigint;
  readonly payload: Buffer;
  readonly text: string;
}

/**
 * Reads `bytes` as back-to-back frames and fails the test unless they are exactly that: every header's
 * length matches the bytes that follow, and nothing is left over.
 */
export function parseFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    expect(bytes.length - offset, `a whole 16-byte header at ${offset}`).to.be.at.least(16);
    const type = bytes.readUInt32BE(offset);
    const length = bytes.readInt32BE(offset + 4);
    const timestampUs = bytes.readBigInt64BE(offset + 8);
    expect(length, `length at ${offset}`).to.be.at.least(0);
    expect(bytes.length - offset - 16, `the payload of the frame at ${offset}`).to.be.at.least(length);
    const payload = bytes.subarray(offset + 16, offset + 16 + length);
    frames.push({ type, length, timestampUs, payload, text: payload.toString("utf8") });
    offset += 16 + length;
  }
  return frames;
}

/** The frame types AWS's runtime writes: the format's pattern OR the level's rank shifted by two. */
export const FRAME_TYPES = {
  TEXT: {
    TRACE: 0xa55a0007,
    DEBUG: 0xa55a000b,
    INFO: 0xa55a000f,
    WARN: 0xa55a0013,
    ERROR: 0xa55a0017,
    FATAL: 0xa55a001b,
  },
  JSON: {
    TRACE: 0xa55a0006,
    DEBUG: 0xa55a000a,
    INFO: 0xa55a000e,
    WARN: 0xa55a0012,
    ERROR: 0xa55a0016,
    FATAL: 0xa55a001a,
  },
} as const;

/** `timestamp<TAB>requestId<TAB>LEVEL<TAB>message` split into its fields (the message may hold tabs). */
export function textFields(line: string): {
  timestamp: string;
  requestId: string;
  level: string;
  message: string;
} {
  const [timestamp = "", requestId = "", level = "", ...rest] = line.split("\t");
  return { timestamp, requestId, level, message: rest.join("\t") };
}

/** An ISO 8601 UTC timestamp with milliseconds, as `Date.prototype.toISOString` writes it. */
export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
