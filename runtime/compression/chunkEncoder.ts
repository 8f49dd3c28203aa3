// One compressor (node:zlib, loaded at first use), fed chunk by chunk and flushed after each.
import type * as Zlib from "node:zlib";
import type { ResponseChunk } from "../handler";
import type { CompressionSettings, ContentCoding } from "./options";

/**
 * node:zlib, loaded on first use: not part of Node's start-up snapshot, it costs milliseconds to load, which
 * a function that never compresses (most `fetchHandler` apps) should not pay at every cold start.
 */
function zlib(): typeof Zlib {
  return process.getBuiltinModule("node:zlib");
}

/**
 * One compressor, fed chunk by chunk: each `encode` resolves with everything the chunk produced, flushed
 * (`Z_SYNC_FLUSH` / `BROTLI_OPERATION_FLUSH`), so the output so far decodes completely; `end` resolves with
 * the stream's end. Calls are served in order.
 */
export class ChunkEncoder {
  readonly #stream: Zlib.Gzip | Zlib.BrotliCompress;
  #output: Buffer[] = [];
  #failure: Error | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(coding: ContentCoding, settings: CompressionSettings) {
    const { constants, createBrotliCompress, createGzip } = zlib();
    this.#stream =
      coding === "gzip"
        ? createGzip({ level: settings.gzipLevel, flush: constants.Z_SYNC_FLUSH })
        : createBrotliCompress({
            flush: constants.BROTLI_OPERATION_FLUSH,
            params: { [constants.BROTLI_PARAM_QUALITY]: settings.brotliQuality },
          });
    this.#stream.on("data", (out: Buffer) => this.#output.push(out));
    this.#stream.on("error", (error) => (this.#failure ??= error));
  }

  /** Compresses and flushes `chunk`; resolves with the bytes it produced. */
  encode(chunk: Uint8Array): Promise<Buffer> {
    if (chunk.length === 0) return Promise.resolve(Buffer.alloc(0));
    return this.#serially(
      () =>
        new Promise<void>((resolve, reject) =>
          this.#stream.write(chunk, (error) => (error ? reject(error) : resolve())),
        ),
    );
  }

  /** Ends the compressed stream; resolves with its last bytes. */
  end(): Promise<Buffer> {
    return this.#serially(
      () =>
        new Promise<void>((resolve, reject) => {
          this.#stream.once("end", resolve);
          this.#stream.once("error", reject);
          this.#stream.end();
        }),
    );
  }

  /** Frees the compressor (the body was cancelled). */
  destroy(): void {
    this.#stream.destroy();
  }

  #serially(step: () => Promise<void>): Promise<Buffer> {
    const run = this.#queue.then(async () => {
      if (this.#failure) throw this.#failure;
      await step();
      if (this.#failure) throw this.#failure;
      const out = this.#output.length === 1 ? (this.#output[0] as Buffer) : Buffer.concat(this.#output);
      this.#output = [];
      return out;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** A written chunk as bytes (a string as UTF-8); throws a TypeError for anything else. */
export function toBytes(chunk: ResponseChunk): Uint8Array {
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  if (chunk instanceof Uint8Array) return chunk;
  throw new TypeError(`write(chunk): chunk must be a string or a Uint8Array (Buffer), got ${typeof chunk}.`);
}
