// The work every benchmark handler does, shared so that every client sends the same bytes in the same chunks.

/** Export name of the streaming handler in every client's handler module. */
export const STREAMED_EXPORT = "streamed";
/** Export name of the tiny buffered handler in every client's handler module. */
export const BUFFERED_EXPORT = "bufferedTiny";

/** The event of a streamed invocation: how many chunks of how many bytes to send. */
export interface StreamEvent {
  /** Number of body chunks. */
  readonly chunks: number;
  /** Bytes per chunk. */
  readonly chunkSize: number;
}

/** Status and headers every streamed response starts with (the HTTP integration prelude). */
export const STREAM_PRELUDE = Object.freeze({
  statusCode: 200,
  headers: Object.freeze({ "content-type": "application/octet-stream" }),
});

/** The result of the tiny buffered handler: an API Gateway proxy response. */
export const TINY_RESULT = Object.freeze({
  statusCode: 200,
  headers: Object.freeze({ "content-type": "application/json" }),
  body: '{"ok":true}',
});

/** The event of a tiny buffered invocation. */
export const TINY_EVENT = Object.freeze({ path: "/tiny" });

const chunks = new Map<number, Buffer>();

/** One reusable chunk of `size` bytes of `x`, allocated once per size so no handler pays for filling it. */
export function chunkOf(size: number): Buffer {
  let chunk = chunks.get(size);
  if (!chunk) {
    chunk = Buffer.alloc(size, "x");
    chunks.set(size, chunk);
  }
  return chunk;
}

/** Reads a parsed {@link StreamEvent}. @throws TypeError when a field is not a non-negative integer. */
export function readStreamEvent(event: unknown): StreamEvent {
  const { chunks: count, chunkSize } = (event ?? {}) as Partial<StreamEvent>;
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(chunkSize) || count! < 0 || chunkSize! <= 0) {
    throw new TypeError(
      `bench event must be {"chunks": n >= 0, "chunkSize": n > 0}, got ${JSON.stringify(event)}`,
    );
  }
  return { chunks: count!, chunkSize: chunkSize! };
}
