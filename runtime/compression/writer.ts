// Compresses what a writer handler writes: the compressing response writer and its prelude's headers.
import { ResponseStreamStateError } from "../errors";
import type { LambdaResponseStreamWriter, ResponseBody, ResponseChunk } from "../handler";
import type { StreamingLambdaStatusAndHeadersResponse } from "../prelude";
import { ChunkEncoder, toBytes } from "./chunkEncoder";
import { mayCompress, negotiateEncoding, withVary } from "./negotiation";
import {
  checkCompressionOptions,
  type CompressionOptions,
  type CompressionSettings,
  type ContentCoding,
} from "./options";

/**
 * Wraps a writer handler's response writer so that what the handler writes is compressed for the client.
 * The decision is made when the handler calls `writeStatusAndHeaders`, by the rules of
 * {@link compressResponse} (its headers, status and `Content-Type`); chunks are then compressed and flushed
 * one by one, each its own write. Call `finish()` as usual: it writes the compressed stream's end (a response
 * whose handler returns without `finish` is finished by the runtime, but misses that end, and strict
 * decoders report it as truncated). A handler that writes no prelude is not compressed.
 * @param writer The response writer the runtime handed to the handler.
 * @param acceptEncoding The request's `Accept-Encoding` (for a REST API event:
 *   `restApiEventHeader(event, "accept-encoding")`, or its `multiValueHeaders` joined with `, `).
 * @param options Codings, levels, which types; see {@link CompressionOptions}.
 * @throws RangeError or TypeError for options out of range, naming the option.
 */
export function compressWriter(
  writer: LambdaResponseStreamWriter,
  acceptEncoding: string | undefined,
  options: CompressionOptions = {},
): LambdaResponseStreamWriter {
  return new CompressingWriter(writer, acceptEncoding, checkCompressionOptions(options));
}

/** The writer handed to a writer handler by {@link compressWriter}. */
class CompressingWriter implements LambdaResponseStreamWriter {
  readonly #writer: LambdaResponseStreamWriter;
  readonly #acceptEncoding: string | undefined;
  readonly #settings: CompressionSettings;
  #encoder: ChunkEncoder | undefined;
  #finished = false;

  constructor(
    writer: LambdaResponseStreamWriter,
    acceptEncoding: string | undefined,
    settings: CompressionSettings,
  ) {
    this.#writer = writer;
    this.#acceptEncoding = acceptEncoding;
    this.#settings = settings;
  }

  get finished(): boolean {
    return this.#finished || this.#writer.finished;
  }

  async writeStatusAndHeaders(response: StreamingLambdaStatusAndHeadersResponse): Promise<void> {
    const { prelude, coding } = this.#decide(response);
    await this.#writer.writeStatusAndHeaders(prelude);
    // Only once the prelude went out: a refused prelude leaves the body uncompressed, as it was declared.
    if (coding !== undefined) this.#encoder = new ChunkEncoder(coding, this.#settings);
  }

  async write(chunk: ResponseChunk): Promise<void> {
    if (this.#encoder === undefined) return this.#writer.write(chunk);
    this.#assertOpen("write");
    const out = await this.#encoder.encode(toBytes(chunk));
    if (out.length > 0) await this.#writer.write(out);
  }

  async pipe(body: ResponseBody): Promise<void> {
    for await (const chunk of body as AsyncIterable<ResponseChunk>) await this.write(chunk);
  }

  async finish(): Promise<void> {
    if (this.#encoder === undefined) return this.#writer.finish();
    this.#assertOpen("finish");
    this.#finished = true;
    const out = await this.#encoder.end();
    if (out.length > 0) await this.#writer.write(out);
    return this.#writer.finish();
  }

  async writeAndFinish(chunk: ResponseChunk): Promise<void> {
    await this.write(chunk);
    await this.finish();
  }

  #assertOpen(operation: string): void {
    if (this.#finished) {
      throw new ResponseStreamStateError(`${operation} after finish: the response has already ended.`);
    }
  }

  /** Decides from the prelude whether to compress: the prelude to send, and the coding (if any). */
  #decide(response: StreamingLambdaStatusAndHeadersResponse): {
    prelude: StreamingLambdaStatusAndHeadersResponse;
    coding: ContentCoding | undefined;
  } {
    // A malformed prelude goes to the writer as is, which refuses it with its own error.
    if (typeof response !== "object" || response === null) return { prelude: response, coding: undefined };
    const headers = new PreludeHeaders(response);
    if (!mayCompress(response.statusCode, (name) => headers.get(name), this.#settings)) {
      return { prelude: response, coding: undefined };
    }
    headers.set("Vary", withVary(headers.get("vary")));
    const coding = negotiateEncoding(this.#acceptEncoding, this.#settings.encodings);
    if (coding !== undefined) {
      headers.set("Content-Encoding", coding);
      headers.delete("content-length");
    }
    return { prelude: headers.toPrelude(), coding };
  }
}

/** A prelude's `headers` and `multiValueHeaders`, read and edited case-insensitively, copied, never mutated. */
class PreludeHeaders {
  readonly #prelude: StreamingLambdaStatusAndHeadersResponse;
  readonly #single: Record<string, string>;
  readonly #multi: Record<string, string[]>;

  constructor(prelude: StreamingLambdaStatusAndHeadersResponse) {
    this.#prelude = prelude;
    this.#single = { ...(prelude.headers ?? {}) };
    this.#multi = { ...(prelude.multiValueHeaders ?? {}) };
  }

  /** The value (several joined with `, `), or undefined. */
  get(name: string): string | undefined {
    const values = [
      ...keysNamed(this.#single, name).map((key) => this.#single[key] as string),
      ...keysNamed(this.#multi, name).flatMap((key) => this.#multi[key] ?? []),
    ];
    return values.length === 0 ? undefined : values.join(", ");
  }

  set(name: string, value: string): void {
    this.delete(name);
    this.#single[name] = value;
  }

  delete(name: string): void {
    for (const key of keysNamed(this.#single, name)) delete this.#single[key];
    for (const key of keysNamed(this.#multi, name)) delete this.#multi[key];
  }

  toPrelude(): StreamingLambdaStatusAndHeadersResponse {
    const prelude: StreamingLambdaStatusAndHeadersResponse = { ...this.#prelude, headers: this.#single };
    if (this.#prelude.multiValueHeaders) prelude.multiValueHeaders = this.#multi;
    return prelude;
  }
}

function keysNamed(map: Record<string, unknown>, name: string): string[] {
  const wanted = name.toLowerCase();
  return Object.keys(map).filter((key) => key.toLowerCase() === wanted);
}
