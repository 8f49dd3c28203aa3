// Streaming compression (gzip, brotli) negotiated from Accept-Encoding, flushed after every chunk.
export { compressResponse } from "./webResponse";
export { compressWriter } from "./writer";
export { isCompressibleMediaType } from "./mediaType";
export { negotiateEncoding } from "./negotiation";
export {
  DEFAULT_ENCODINGS,
  readCompressionOption,
  type CompressionOptions,
  type ContentCoding,
} from "./options";
