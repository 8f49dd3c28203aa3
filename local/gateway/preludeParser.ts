// Reads the status/headers prelude off the front of a streamed response, as API Gateway does.
import {
  InvalidResponseError,
  PRELUDE_DELIMITER,
  validatePrelude,
  type StreamingLambdaStatusAndHeadersResponse,
} from "../../runtime/prelude";

/**
 * Splits a prelude from the front of a streamed body, chunk by chunk. Feed it chunks until it returns a
 * result; the result's `rest` is the first part of the body.
 */
export class PreludeParser {
  #buffered: Buffer = Buffer.alloc(0);
  readonly #maxBytes: number;

  /**
   * @param maxBytes Upper bound on a prelude's size, so a body without a delimiter cannot grow memory without
   *   end. @default 1 MiB
   */
  constructor(maxBytes = 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  /**
   * Adds a chunk. Returns `undefined` while the delimiter has not arrived yet, then the parsed prelude and
   * whatever followed the delimiter. Throws {@link InvalidResponseError} for malformed or oversized preludes.
   */
  push(chunk: Buffer): { prelude: StreamingLambdaStatusAndHeadersResponse; rest: Buffer } | undefined {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    const end = this.#buffered.indexOf(PRELUDE_DELIMITER);
    if (end === -1) {
      if (this.#buffered.length > this.#maxBytes) {
        throw new InvalidResponseError(`no prelude delimiter within the first ${this.#maxBytes} bytes.`);
      }
      return undefined;
    }
    const prelude = parsePreludeJson(this.#buffered.subarray(0, end));
    return { prelude, rest: this.#buffered.subarray(end + PRELUDE_DELIMITER.length) };
  }
}

/** Parses and validates the JSON part of a prelude. */
export function parsePreludeJson(json: Buffer): StreamingLambdaStatusAndHeadersResponse {
  let value: unknown;
  try {
    value = JSON.parse(json.toString("utf8"));
  } catch (error) {
    throw new InvalidResponseError(`prelude is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidResponseError("prelude must be a JSON object.");
  }
  const prelude = value as StreamingLambdaStatusAndHeadersResponse;
  validatePrelude(prelude);
  return prelude;
}
