// The telemetry frame Lambda reads from `_LAMBDA_TELEMETRY_LOG_FD`: a 16-byte header, then one record.
//
// Header, big-endian: frame type (4 bytes), record length in bytes (4), timestamp in microseconds since the
// Unix epoch (8). The frame type is a fixed pattern whose lowest bit tells the format (1: Text, 0: JSON),
// with the level's rank in bits 2-4, so Lambda can filter and label a record without parsing it.
import type { LogLevel } from "./levels";
import type { LogFormat } from "./settings";

/** Bytes of a frame's header. */
export const FRAME_HEADER_BYTES = 16;

/** The frame type of a Text record, before the level's bits. */
export const TEXT_FRAME_TYPE = 0xa55a0003;

/** The frame type of a JSON record, before the level's bits. */
export const JSON_FRAME_TYPE = 0xa55a0002;

/** The bits of a frame type that hold the level's rank (1-6). */
export const FRAME_LEVEL_MASK = 0b11100;

/**
 * The frame type of a record.
 * @param format The record's format.
 * @param level The record's level.
 */
export function frameType(format: LogFormat, level: LogLevel): number {
  return ((format === "JSON" ? JSON_FRAME_TYPE : TEXT_FRAME_TYPE) | (level.rank << 2)) >>> 0;
}

/** Frames are built here when they fit, so that writing one costs no allocation. */
const SCRATCH_BYTES = 64 * 1024;

const TWO_POW_32 = 2 ** 32;

/** Builds frames, reusing one buffer: each frame is valid until the next is built. */
export class FrameEncoder {
  #scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

  /**
   * Encodes one record as a frame.
   * @param type Its frame type (see {@link frameType}).
   * @param timestampMs When it was logged, in milliseconds since the epoch.
   * @param record The record, written as UTF-8.
   * @returns The frame's bytes: a view of a shared buffer, valid until the next call.
   */
  encode(type: number, timestampMs: number, record: string): Buffer {
    let buffer = this.#scratch;
    let length: number;
    // A UTF-16 code unit takes at most 3 bytes of UTF-8: short records are written without measuring first.
    if (record.length * 3 <= buffer.length - FRAME_HEADER_BYTES) {
      length = buffer.write(record, FRAME_HEADER_BYTES, "utf8");
    } else {
      length = Buffer.byteLength(record, "utf8");
      buffer = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
      buffer.write(record, FRAME_HEADER_BYTES, "utf8");
    }
    const micros = Math.round(timestampMs * 1000);
    const high = Math.floor(micros / TWO_POW_32);
    buffer.writeUInt32BE(type, 0);
    buffer.writeUInt32BE(length, 4);
    buffer.writeUInt32BE(high, 8);
    buffer.writeUInt32BE(micros - high * TWO_POW_32, 12);
    return buffer.subarray(0, FRAME_HEADER_BYTES + length);
  }
}
