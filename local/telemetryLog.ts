// Reads the framed log records a runtime writes to its telemetry descriptor, and prints them as lines (npm start).
import type { Readable } from "node:stream";
import { FRAME_HEADER_BYTES, FRAME_LEVEL_MASK } from "../runtime/logging/frames";

/** The high 16 bits of every frame type. */
const FRAME_MAGIC = 0xa55a;

/** One record read from a telemetry stream. */
export interface TelemetryRecord {
  /** The frame type, as written (format bit and level bits included). */
  readonly type: number;
  readonly format: "TEXT" | "JSON";
  /** The level's rank, 1 (`TRACE`) to 6 (`FATAL`). */
  readonly levelRank: number;
  /** Microseconds since the Unix epoch, from the header. */
  readonly timestampUs: number;
  /** The record's text, as written (a Text record ends with its newline). */
  readonly record: string;
}

/**
 * Splits a byte stream of telemetry frames into records, however the bytes are chunked. Bytes that do not
 * start a frame are not framed output at all: they are handed back as {@link TelemetryFrameReader.unframed}
 * text, from there to the end.
 */
export class TelemetryFrameReader {
  #pending: Buffer = Buffer.alloc(0);
  #framed = true;

  /**
   * Takes the next bytes and returns the records they complete.
   * @param chunk The bytes read.
   * @returns Complete records, and any bytes that are not frames (after the first, nothing is decoded).
   */
  push(chunk: Buffer): { records: TelemetryRecord[]; unframed: string } {
    if (!this.#framed) return { records: [], unframed: chunk.toString("utf8") };
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const records: TelemetryRecord[] = [];
    let offset = 0;
    while (this.#pending.length - offset >= FRAME_HEADER_BYTES) {
      const type = this.#pending.readUInt32BE(offset);
      if (type >>> 16 !== FRAME_MAGIC) {
        this.#framed = false;
        const rest = this.#pending.subarray(offset).toString("utf8");
        this.#pending = Buffer.alloc(0);
        return { records, unframed: rest };
      }
      const length = this.#pending.readUInt32BE(offset + 4);
      if (this.#pending.length - offset < FRAME_HEADER_BYTES + length) break;
      const start = offset + FRAME_HEADER_BYTES;
      records.push({
        type,
        format: (type & 1) === 1 ? "TEXT" : "JSON",
        levelRank: (type & FRAME_LEVEL_MASK) >>> 2,
        timestampUs:
          this.#pending.readUInt32BE(offset + 8) * 2 ** 32 + this.#pending.readUInt32BE(offset + 12),
        record: this.#pending.toString("utf8", start, start + length),
      });
      offset = start + length;
    }
    this.#pending = this.#pending.subarray(offset);
    return { records, unframed: "" };
  }

  /** Bytes of a frame that has not fully arrived. */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}

/**
 * Prints every record read from `stream` (a runtime's telemetry descriptor) as it arrives: a Text record as
 * written, its message's own newlines kept, so a stack trace reads as one; a JSON record on one line.
 * @param stream The reading end of the descriptor.
 * @param out Where the lines go (a terminal).
 * @returns Resolves when `stream` ends or closes.
 */
export function printTelemetryLog(stream: Readable, out: { write(text: string): unknown }): Promise<void> {
  const reader = new TelemetryFrameReader();
  stream.on("data", (chunk: Buffer) => {
    const { records, unframed } = reader.push(chunk);
    for (const { record } of records) out.write(record.endsWith("\n") ? record : `${record}\n`);
    if (unframed) out.write(unframed);
  });
  return new Promise((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
}
