// Finds where a streamed response's prelude (JSON, then 8 NULs) ends, copying the prelude and never the body.

/** The content type of a response that starts with a prelude. */
export const PRELUDE_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
/** The prelude ends with this many NUL bytes. */
export const DELIMITER_LENGTH = 8;
/** A prelude longer than this is a client bug: scanning stops so that a body without one is never kept. */
const MAX_PRELUDE_BYTES = 64 * 1024;

/** What a scan found. */
export interface PreludeScan {
  /** The prelude's JSON text, once its delimiter arrived. */
  prelude: string | undefined;
  /** Why the body is not a well-formed prelude and body, once that is known. */
  problem: "no delimiter" | "delimiter not 8 NULs" | undefined;
  /** Bytes after the prelude's delimiter (all bytes when there is no prelude). */
  bodyBytes: number;
  /** When the first byte after the delimiter arrived (`NaN` until then). */
  firstBodyByteAt: number;
}

/**
 * Scans a body in pieces. With `hasPrelude` off every byte counts as body. The pieces are not kept, except
 * the ones that may belong to the prelude (copied, because the caller's buffer is reused).
 */
export class PreludeScanner {
  readonly result: PreludeScan = {
    prelude: undefined,
    problem: undefined,
    bodyBytes: 0,
    firstBodyByteAt: NaN,
  };
  #inPrelude: boolean;
  #parts: Buffer[] = [];
  #scanned = 0;

  constructor(hasPrelude: boolean) {
    this.#inPrelude = hasPrelude;
  }

  /** Scans `buffer[start, end)`, received at `at`. */
  push(buffer: Buffer, start: number, end: number, at: number): void {
    const result = this.result;
    if (!this.#inPrelude) {
      if (result.bodyBytes === 0 && end > start) result.firstBodyByteAt = at;
      result.bodyBytes += end - start;
      return;
    }
    this.#parts.push(Buffer.from(buffer.subarray(start, end)));
    this.#scanned += end - start;
    const seen = this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts);
    const nul = seen.indexOf(0);
    if (nul !== -1 && seen.length >= nul + DELIMITER_LENGTH) {
      this.#inPrelude = false;
      this.#parts = [];
      result.prelude = seen.toString("utf8", 0, nul);
      if (!seen.subarray(nul, nul + DELIMITER_LENGTH).every((byte) => byte === 0)) {
        result.problem = "delimiter not 8 NULs";
      }
      const rest = seen.length - nul - DELIMITER_LENGTH;
      if (rest > 0) result.firstBodyByteAt = at;
      result.bodyBytes = rest;
    } else if (this.#scanned > MAX_PRELUDE_BYTES) {
      this.#parts = [];
      this.#inPrelude = false;
      result.problem = "no delimiter";
    } else if (this.#parts.length > 1) {
      this.#parts = [seen];
    }
  }

  /** The body ended: a prelude still waiting for its delimiter never got one. */
  finish(): void {
    if (this.#inPrelude) this.result.problem ??= "no delimiter";
  }
}
