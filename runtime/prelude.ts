// The HTTP status/headers prelude of a streamed response: validation and encoding.
import { describeValue } from "./errors";

/** Status code, headers and cookies of a streamed HTTP response, sent before the body. */
export interface StreamingLambdaStatusAndHeadersResponse {
  /** HTTP status code, 100 to 599. */
  statusCode: number;
  /** Single-value response headers. */
  headers?: Record<string, string>;
  /** Multi-value response headers (each value becomes its own header line). */
  multiValueHeaders?: Record<string, string[]>;
  /** `Set-Cookie` values. */
  cookies?: string[];
}

/** The 8 NUL bytes that end the prelude and start the body. */
export const PRELUDE_DELIMITER: Buffer = Buffer.alloc(8);

/** Thrown when a status code, header name or header value cannot be sent as given. */
export class InvalidResponseError extends Error {
  override name = "InvalidResponseError";
}

// RFC 9110 token characters for header names.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Any control character a header value may not carry: NUL, CR, LF (and the rest of C0 but tab, and DEL).
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Checks a prelude and throws {@link InvalidResponseError} naming the first problem found. */
export function validatePrelude(prelude: StreamingLambdaStatusAndHeadersResponse): void {
  const { statusCode, headers, multiValueHeaders, cookies } = prelude;
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new InvalidResponseError(
      `statusCode must be an integer from 100 to 599, got ${describeValue(statusCode)}.`,
    );
  }
  if (!isObjectOrAbsent(headers)) throw new InvalidResponseError("headers must be an object of strings.");
  for (const [name, value] of Object.entries(headers ?? {})) {
    checkHeader("headers", name, value);
  }
  if (!isObjectOrAbsent(multiValueHeaders)) {
    throw new InvalidResponseError("multiValueHeaders must be an object of string arrays.");
  }
  for (const [name, values] of Object.entries(multiValueHeaders ?? {})) {
    if (!Array.isArray(values)) {
      throw new InvalidResponseError(`multiValueHeaders["${name}"] must be an array of strings.`);
    }
    for (const value of values) checkHeader("multiValueHeaders", name, value);
  }
  if (cookies !== undefined && !Array.isArray(cookies)) {
    throw new InvalidResponseError("cookies must be an array of strings.");
  }
  for (const cookie of cookies ?? []) checkHeader("cookies", "Set-Cookie", cookie);
}

/** Parsed JSON may hold anything: `Object.entries` of a string or number would pass as headers. */
function isObjectOrAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "object" && !Array.isArray(value));
}

function checkHeader(field: string, name: string, value: unknown): void {
  if (!HEADER_NAME.test(name)) {
    throw new InvalidResponseError(
      `${field}: header name ${JSON.stringify(name)} is not a valid HTTP token (no spaces, CR, LF, NUL or separators).`,
    );
  }
  if (typeof value !== "string") {
    throw new InvalidResponseError(`${field}["${name}"] must be a string, got ${typeof value}.`);
  }
  if (FORBIDDEN_IN_VALUE.test(value)) {
    throw new InvalidResponseError(
      `${field}["${name}"] contains a control character (CR, LF, NUL...); remove it or encode the value.`,
    );
  }
}

/**
 * Validates and encodes a prelude: its JSON followed by the 8-NUL delimiter. The JSON never contains a NUL
 * byte (validation refuses control characters, and JSON escapes any that could appear in other strings).
 */
export function encodePrelude(prelude: StreamingLambdaStatusAndHeadersResponse): Buffer {
  validatePrelude(prelude);
  const json: Record<string, unknown> = { statusCode: prelude.statusCode };
  if (prelude.headers) json.headers = prelude.headers;
  if (prelude.multiValueHeaders) json.multiValueHeaders = prelude.multiValueHeaders;
  if (prelude.cookies) json.cookies = prelude.cookies;
  const text = Buffer.from(JSON.stringify(json), "utf8");
  const out = Buffer.allocUnsafe(text.length + PRELUDE_DELIMITER.length);
  text.copy(out, 0);
  out.fill(0, text.length);
  return out;
}
