// Streaming compression (gzip, brotli) negotiated from Accept-Encoding, flushed after every chunk.
import type * as Zlib from "node:zlib";
import { ResponseStreamStateError } from "./errors";
import type { LambdaResponseStreamWriter, ResponseBody, ResponseChunk } from "./handler";
import type { StreamingLambdaStatusAndHeadersResponse } from "./prelude";

/** A content coding this module can produce. */
export type ContentCoding = "br" | "gzip";

/** How responses are compressed. Every field is optional. */
export interface CompressionOptions {
  /**
   * The codings offered, in order of preference when the client weighs them equally (same q-value). The
   * default prefers brotli: it is smaller for text at the same speed at quality 4, and every browser that
   * sends `br` decodes it.
   * @default ["br", "gzip"]
   */
  encodings?: readonly ContentCoding[];
  /**
   * Which `Content-Type`s are compressed (the media type, lowercase, without parameters, or `undefined`
   * when the response has none). `text/event-stream` is decided by {@link eventStream}, never by this.
   * @default {@link isCompressibleMediaType}: text, JSON, XML, JavaScript, SVG, ndjson and the like
   */
  compressible?: (mediaType: string | undefined) => boolean;
  /**
   * Compress `text/event-stream` responses too. Off by default: each event is flushed anyway, so the saving
   * is small, and some clients and proxies mishandle compressed event streams.
   * @default false
   */
  eventStream?: boolean;
  /** gzip level, 1 (fastest) to 9 (smallest). @default 6 (zlib's default) */
  gzipLevel?: number;
  /**
   * brotli quality, 0 (fastest) to 11 (smallest). Node's default, 11, is meant for static files and is far
   * too slow for a live stream.
   * @default 4
   */
  brotliQuality?: number;
}

/**
 * node:zlib, loaded on first use: not part of Node's start-up snapshot, it costs milliseconds to load, which
 * a function that never compresses (most `fetchHandler` apps) should not pay at every cold start.
 */
function zlib(): typeof Zlib {
  return process.getBuiltinModule("node:zlib");
}

/** Codings offered by default, most preferred first. */
// `@__PURE__`: a bundle that imports the runtime's index but not this module leaves it out.
export const DEFAULT_ENCODINGS: readonly ContentCoding[] = /* @__PURE__ */ Object.freeze(["br", "gzip"]);

const CODINGS: readonly ContentCoding[] = ["br", "gzip"];
const EVENT_STREAM = "text/event-stream";
/** Statuses whose responses have no body to compress. */
const BODYLESS_STATUS = /* @__PURE__ */ new Set([204, 205, 304]);

/**
 * Whether a media type is worth compressing: `text/*` (but `text/event-stream`, see
 * {@link CompressionOptions.eventStream}), JSON, XML and their `+json` / `+xml` types, JavaScript, ndjson,
 * SVG, form data, WebAssembly. Images, audio, video, archives and unknown types (already compressed or
 * not worth it) are not.
 * @param mediaType A media type, lowercase, without parameters; `undefined` when there is none.
 */
export function isCompressibleMediaType(mediaType: string | undefined): boolean {
  if (mediaType === undefined) return false;
  if (mediaType === EVENT_STREAM) return false;
  if (mediaType.startsWith("text/")) return true;
  if (/[/+](json|xml)$/.test(mediaType)) return true;
  return [
    "application/javascript",
    "application/x-javascript",
    "application/ecmascript",
    "application/x-ndjson",
    "application/ndjson",
    "application/jsonl",
    "application/graphql",
    "application/x-www-form-urlencoded",
    "application/wasm",
    "image/svg+xml",
  ].includes(mediaType);
}

/**
 * Chooses the coding for a request's `Accept-Encoding`, as RFC 9110 section 12.5.3 defines it: the offered
 * coding with the highest q-value; one the header does not name takes the q-value of `*`, if present; `q=0`
 * refuses it; `x-gzip` counts as `gzip`; ties go to the first in `encodings`. Without the header, or with
 * an empty one, nothing is compressed (a client that sent none may not decode any coding). `identity` is
 * always acceptable to this module: when no offered coding is, the response goes out uncompressed even if
 * the client refused `identity` (rather than a 406).
 * @param acceptEncoding The request's `Accept-Encoding` (several header lines joined with `, `).
 * @param encodings The codings offered, most preferred first. @default {@link DEFAULT_ENCODINGS}
 * @returns The coding to use, or `undefined` for none.
 */
export function negotiateEncoding(
  acceptEncoding: string | null | undefined,
  encodings: readonly ContentCoding[] = DEFAULT_ENCODINGS,
): ContentCoding | undefined {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const element of acceptEncoding.split(",")) {
    const [rawCoding = "", ...params] = element.split(";");
    const coding = rawCoding.trim().toLowerCase();
    if (coding === "") continue;
    let q = 1;
    for (const param of params) {
      const [name = "", value = ""] = param.split("=");
      if (name.trim().toLowerCase() !== "q") continue;
      q = /^\s*(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/.test(value) ? Number(value) : Number.NaN;
    }
    if (Number.isNaN(q)) continue; // a malformed weight: ignore the element
    const key = coding === "x-gzip" ? "gzip" : coding;
    weights.set(key, Math.max(weights.get(key) ?? 0, q));
  }
  let best: ContentCoding | undefined;
  let bestQ = 0;
  for (const coding of encodings) {
    const q = weights.get(coding) ?? weights.get("*") ?? 0;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}

/**
 * Compresses a web `Response` for `request`, streaming: the body goes through gzip or brotli (chosen by
 * {@link negotiateEncoding}), flushed after every chunk, so each chunk the app writes reaches the client as
 * soon as it would uncompressed, decodable at once. The response is returned unchanged when it has no body
 * (but for HEAD), a status without one (204, 205, 304, 1xx), a `Content-Encoding` or a `Content-Range`
 * already, `Cache-Control: no-transform`, or a media type not {@link CompressionOptions.compressible
 * compressible} (or `text/event-stream` without `eventStream`). Otherwise it gets `Vary: Accept-Encoding`,
 * and, when the client accepts an offered coding, `Content-Encoding` and no `Content-Length` (the length
 * changes). A HEAD response gets the headers its GET would, with no body. Other headers, every `Set-Cookie`
 * included, are kept.
 * @param request The request, for its `Accept-Encoding` and its method.
 * @param response The app's response.
 * @param options Codings, levels, which types; see {@link CompressionOptions}.
 * @throws RangeError or TypeError for options out of range, naming the option.
 */
export function compressResponse(
  request: Pick<Request, "headers" | "method">,
  response: Response,
  options: CompressionOptions = {},
): Response {
  const settings = checkCompressionOptions(options);
  const head = request.method === "HEAD";
  const header = (name: string): string | undefined => response.headers.get(name) ?? undefined;
  if ((response.body === null && !head) || !mayCompress(response.status, header, settings)) return response;
  const headers = copyHeaders(response.headers);
  headers.set("vary", withVary(header("vary")));
  const coding = negotiateEncoding(request.headers.get("accept-encoding"), settings.encodings);
  if (coding === undefined) return replaceHeaders(response, headers, response.body);
  headers.set("content-encoding", coding);
  headers.delete("content-length");
  if (head || response.body === null) {
    cancelUnsent(response.body);
    return replaceHeaders(response, headers, null);
  }
  const encoder = new ChunkEncoder(coding, settings);
  const body = (response.body as ReadableStream<Uint8Array>).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        const out = await encoder.encode(chunk);
        if (out.length > 0) controller.enqueue(out);
      },
      async flush(controller) {
        const out = await encoder.end();
        if (out.length > 0) controller.enqueue(out);
      },
      cancel() {
        encoder.destroy();
      },
    }),
  );
  return replaceHeaders(response, headers, body);
}

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

/**
 * Reads a `compression` option as handlers take it (`fetchHandler`'s): `true` for the defaults, `false` or
 * absent for none, or {@link CompressionOptions}, checked now so that a mistake fails at start-up.
 * @param value The option's value.
 * @param name How to name the option in errors, e.g. `fetchHandler(app, options): options.compression`.
 * @returns The options to pass to {@link compressResponse}, or `undefined` for no compression.
 * @throws TypeError or RangeError naming `name` and the field.
 */
export function readCompressionOption(
  value: boolean | CompressionOptions | undefined,
  name: string,
): CompressionOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return {};
  if (typeof value !== "object" || value === null) {
    throw new TypeError(
      `${name} must be true, false or an object of compression options; got ${typeof value}.`,
    );
  }
  try {
    checkCompressionOptions(value);
  } catch (error) {
    const Type = error instanceof RangeError ? RangeError : TypeError;
    throw new Type(`${name}: ${(error as Error).message}`);
  }
  return value;
}

/** Options after checking, with the type decision made into one function. */
interface CompressionSettings {
  readonly encodings: readonly ContentCoding[];
  readonly gzipLevel: number;
  readonly brotliQuality: number;
  compresses(mediaType: string | undefined): boolean;
}

function checkCompressionOptions(options: CompressionOptions): CompressionSettings {
  const {
    encodings = DEFAULT_ENCODINGS,
    compressible = isCompressibleMediaType,
    eventStream = false,
    gzipLevel = 6,
    brotliQuality = 4,
  } = options ?? {};
  if (!Array.isArray(encodings) || encodings.some((coding) => !CODINGS.includes(coding))) {
    throw new TypeError(
      `compression encodings must be an array of "br" and "gzip", got ${JSON.stringify(encodings)}.`,
    );
  }
  if (typeof compressible !== "function") {
    throw new TypeError("compression compressible must be a function (mediaType) => boolean.");
  }
  if (!Number.isInteger(gzipLevel) || gzipLevel < 1 || gzipLevel > 9) {
    throw new RangeError(`compression gzipLevel must be an integer from 1 to 9, got ${gzipLevel}.`);
  }
  if (!Number.isInteger(brotliQuality) || brotliQuality < 0 || brotliQuality > 11) {
    throw new RangeError(`compression brotliQuality must be an integer from 0 to 11, got ${brotliQuality}.`);
  }
  return {
    encodings,
    gzipLevel,
    brotliQuality,
    compresses: (mediaType) => (mediaType === EVENT_STREAM ? eventStream : compressible(mediaType)),
  };
}

/**
 * One compressor, fed chunk by chunk: each `encode` resolves with everything the chunk produced, flushed
 * (`Z_SYNC_FLUSH` / `BROTLI_OPERATION_FLUSH`), so the output so far decodes completely; `end` resolves with
 * the stream's end. Calls are served in order.
 */
class ChunkEncoder {
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

/** `Vary` with `Accept-Encoding` added (unless already there, or `*`). */
function withVary(vary: string | undefined): string {
  if (!vary) return "Accept-Encoding";
  const fields = vary.split(",").map((field) => field.trim().toLowerCase());
  return fields.includes("accept-encoding") || fields.includes("*") ? vary : `${vary}, Accept-Encoding`;
}

/**
 * Whether a response may be compressed, from its status and headers: a status with a body, no
 * `Content-Encoding` or `Content-Range` yet, no `Cache-Control: no-transform`, and a media type the settings
 * compress.
 */
function mayCompress(
  status: number,
  header: (name: string) => string | undefined,
  settings: CompressionSettings,
): boolean {
  return (
    status >= 200 &&
    !BODYLESS_STATUS.has(status) &&
    header("content-encoding") === undefined &&
    header("content-range") === undefined &&
    !/(^|,)\s*no-transform\s*(,|$)/i.test(header("cache-control") ?? "") &&
    settings.compresses(mediaTypeOf(header("content-type")))
  );
}

/** The media type of a `Content-Type`: lowercase, without parameters. */
function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return mediaType === "" ? undefined : mediaType;
}

/** The headers of a fetch `Response` (Node's, from undici). */
type FetchHeaders = Response["headers"];

/** A mutable copy: every entry, each `Set-Cookie` on its own. */
function copyHeaders(source: FetchHeaders): FetchHeaders {
  const headers = new Headers();
  source.forEach((value, name) => headers.append(name, value));
  return headers;
}

/** Cancels a body that will not be sent (a HEAD response's), so its producer stops. */
function cancelUnsent(body: ReadableStream<Uint8Array> | null): void {
  body?.cancel().catch(() => undefined);
}

function replaceHeaders(
  response: Response,
  headers: FetchHeaders,
  body: ReadableStream<Uint8Array> | null,
): Response {
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

function toBytes(chunk: ResponseChunk): Uint8Array {
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  if (chunk instanceof Uint8Array) return chunk;
  throw new TypeError(`write(chunk): chunk must be a string or a Uint8Array (Buffer), got ${typeof chunk}.`);
}
