// Which media types are worth compressing, and the media type of a Content-Type.

/** The media type of server-sent events, which {@link CompressionOptions.eventStream} decides. */
export const EVENT_STREAM = "text/event-stream";

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

/** The media type of a `Content-Type`: lowercase, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return mediaType === "" ? undefined : mediaType;
}
