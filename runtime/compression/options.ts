// Compression options: their types and defaults, and the check that turns them into settings.
import { EVENT_STREAM, isCompressibleMediaType } from "./mediaType";

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

/** Codings offered by default, most preferred first. */
// `@__PURE__`: a bundle that imports the runtime's index but not this module leaves it out.
export const DEFAULT_ENCODINGS: readonly ContentCoding[] = /* @__PURE__ */ Object.freeze(["br", "gzip"]);

const CODINGS: readonly ContentCoding[] = ["br", "gzip"];

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
export interface CompressionSettings {
  readonly encodings: readonly ContentCoding[];
  readonly gzipLevel: number;
  readonly brotliQuality: number;
  compresses(mediaType: string | undefined): boolean;
}

/** Checks options and fills in their defaults; throws a TypeError or RangeError naming the option. */
export function checkCompressionOptions(options: CompressionOptions): CompressionSettings {
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
