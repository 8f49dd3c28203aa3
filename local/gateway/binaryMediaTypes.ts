// A REST API's binaryMediaTypes as API Gateway applies them to request bodies: which are sent base64-encoded.

/**
 * The binary media types the local server applies unless told otherwise: the same default as the component's
 * `binaryMediaTypes` argument. `*` + `/` + `*` matches every request, so every request body reaches the
 * function base64-encoded (`isBase64Encoded: true`) and byte for byte; with response streaming, responses
 * need no binary media type at all.
 */
export const DEFAULT_BINARY_MEDIA_TYPES: readonly string[] = Object.freeze(["*/*"]);

/**
 * What API Gateway takes a request without `Content-Type` to be when matching it: `application/json`, its
 * documented default content type for REST APIs.
 */
export const DEFAULT_REQUEST_CONTENT_TYPE = "application/json";

// A media type pattern: type "/" subtype, each an RFC 9110 token or "*".
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const MEDIA_TYPE_PATTERN = new RegExp(`^${TOKEN}/${TOKEN}$`);

/**
 * Why `pattern` cannot be a binary media type, or `undefined` when it can: `type/subtype`, where either may
 * be `*` (`image/*`, `*` + `/` + `*`).
 * @param pattern One entry of a binaryMediaTypes list.
 */
export function binaryMediaTypeProblem(pattern: string): string | undefined {
  if (!MEDIA_TYPE_PATTERN.test(pattern)) {
    return 'must be a media type "type/subtype", either part possibly "*" (e.g. image/png, image/*, */*)';
  }
  return undefined;
}

/**
 * Reads a comma-separated list of binary media types (as `LOCAL_LAMBDA_BINARY_MEDIA_TYPES` gives them):
 * entries trimmed, empty ones dropped. An empty list means no binary media types (every body is text).
 * @param value The list, e.g. `image/png, application/octet-stream`.
 */
export function parseBinaryMediaTypes(value: string): string[] {
  return value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/**
 * Whether API Gateway treats a request with this `Content-Type` as binary: its media type (parameters left
 * out, any case) matches one of `binaryMediaTypes`, where `*` in the pattern's type or subtype matches any.
 * A request without `Content-Type` is matched as {@link DEFAULT_REQUEST_CONTENT_TYPE}.
 * @param contentType The request's `Content-Type`, if any.
 * @param binaryMediaTypes The API's binary media types.
 */
export function matchesBinaryMediaType(
  contentType: string | undefined,
  binaryMediaTypes: readonly string[],
): boolean {
  const declared = (contentType ?? "").split(";")[0]?.trim().toLowerCase() || DEFAULT_REQUEST_CONTENT_TYPE;
  const [type = "", subtype = ""] = declared.split("/");
  return binaryMediaTypes.some((pattern) => {
    const [patternType = "", patternSubtype = ""] = pattern.toLowerCase().split("/");
    return (
      (patternType === "*" || patternType === type) && (patternSubtype === "*" || patternSubtype === subtype)
    );
  });
}
