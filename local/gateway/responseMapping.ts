// How API Gateway turns a function's reply into the client's HTTP response: preludes, proxy results, errors.
import {
  InvalidResponseError,
  validatePrelude,
  type StreamingLambdaStatusAndHeadersResponse,
} from "../../runtime/prelude";

/** Status and headers of an HTTP response. Header names keep their casing; each value is one header line. */
export interface ResponseHead {
  /** HTTP status code. */
  statusCode: number;
  /** Header lines by name. */
  headers: Record<string, string[]>;
}

/** A buffered proxy result, ready to send. */
export interface ProxyResponse {
  /** Status and headers. */
  head: ResponseHead;
  /** The decoded body. */
  body: Buffer;
}

/** An error response API Gateway itself sends (the function's own error details never reach the client). */
export interface GatewayError {
  /** HTTP status code. */
  statusCode: number;
  /** The `message` of the JSON body. */
  message: string;
}

/** The error responses a REST API sends for failed integrations, as API Gateway words them. */
export const GatewayErrors = {
  /** The function failed, or its response could not be read as a proxy result. */
  internal: { statusCode: 502, message: "Internal server error" },
  /** The integration did not answer before its timeout. */
  timeout: { statusCode: 504, message: "Endpoint request timed out" },
  /** The request is larger than the function's payload limit. */
  tooLarge: { statusCode: 413, message: "Request Too Long" },
  /** No resource and method match the request (API Gateway's misleading name for an unknown route). */
  missingAuthenticationToken: { statusCode: 403, message: "Missing Authentication Token" },
  /** The local server is shutting down. */
  unavailable: { statusCode: 503, message: "Service Unavailable" },
} as const satisfies Record<string, GatewayError>;

/** Thrown by {@link parseProxyResult} for a buffered reply API Gateway would reject as malformed. */
export class MalformedProxyResponseError extends Error {
  override name = "MalformedProxyResponseError";
}

// Headers that describe one connection or the body's framing: the local server sets its own.
const CONNECTION_HEADERS = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "content-length",
]);

/**
 * The HTTP response head a streamed prelude describes: its status, its headers merged with its multi-value
 * headers (a name present in both keeps the multi-value list, as API Gateway merges them), and one
 * `Set-Cookie` line per cookie. Framing headers (`Content-Length`, `Transfer-Encoding`, `Connection`...) are
 * dropped: a streamed body is sent chunked.
 * @param prelude A validated prelude (see `PreludeParser`).
 */
export function headFromPrelude(prelude: StreamingLambdaStatusAndHeadersResponse): ResponseHead {
  const headers = mergeHeaders(prelude.headers ?? {}, prelude.multiValueHeaders ?? {});
  const cookies = prelude.cookies ?? [];
  if (cookies.length > 0) {
    const name = Object.keys(headers).find((key) => key.toLowerCase() === "set-cookie") ?? "Set-Cookie";
    headers[name] = [...(headers[name] ?? []), ...cookies];
  }
  return { statusCode: prelude.statusCode, headers };
}

/**
 * Reads a buffered reply as API Gateway's Lambda proxy integration does:
 * `{ statusCode, headers?, multiValueHeaders?, body?, isBase64Encoded? }`. Header values that are numbers or
 * booleans are sent as text, and a result without `Content-Type` gets `application/json`, as API Gateway does.
 * @param payload The function's response bytes.
 * @throws {MalformedProxyResponseError} For anything else (API Gateway answers those with a 502).
 */
export function parseProxyResult(payload: Buffer): ProxyResponse {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString("utf8"));
  } catch {
    throw new MalformedProxyResponseError("the response is not JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MalformedProxyResponseError("the response is not a JSON object.");
  }
  const result = value as Record<string, unknown>;
  const headers = scalarHeaders(result.headers);
  const multiValueHeaders = scalarListHeaders(result.multiValueHeaders);
  const statusCode = result.statusCode;
  try {
    validatePrelude({ statusCode: statusCode as number, headers, multiValueHeaders });
  } catch (error) {
    if (error instanceof InvalidResponseError) throw new MalformedProxyResponseError(error.message);
    throw error;
  }
  const body = result.body ?? "";
  if (typeof body !== "string") throw new MalformedProxyResponseError("body must be a string.");
  const isBase64Encoded = result.isBase64Encoded ?? false;
  if (typeof isBase64Encoded !== "boolean") {
    throw new MalformedProxyResponseError("isBase64Encoded must be a boolean.");
  }
  const merged = mergeHeaders(headers, multiValueHeaders);
  if (!Object.keys(merged).some((name) => name.toLowerCase() === "content-type")) {
    merged["Content-Type"] = ["application/json"];
  }
  return {
    head: { statusCode: statusCode as number, headers: merged },
    body: Buffer.from(body, isBase64Encoded ? "base64" : "utf8"),
  };
}

function scalarHeaders(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new MalformedProxyResponseError("headers must be an object.");
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) out[name] = scalarText(v, `headers["${name}"]`);
  return out;
}

function scalarListHeaders(value: unknown): Record<string, string[]> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new MalformedProxyResponseError("multiValueHeaders must be an object.");
  }
  const out: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(value)) {
    if (!Array.isArray(list))
      throw new MalformedProxyResponseError(`multiValueHeaders["${name}"] must be an array.`);
    out[name] = list.map((v: unknown) => scalarText(v, `multiValueHeaders["${name}"]`));
  }
  return out;
}

function scalarText(value: unknown, field: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new MalformedProxyResponseError(`${field} must be a string, number or boolean.`);
}

function mergeHeaders(
  single: Readonly<Record<string, string>>,
  multi: Readonly<Record<string, readonly string[]>>,
): Record<string, string[]> {
  // No prototype: a header named `__proto__` must become a key like any other, not vanish on assignment.
  const merged = Object.create(null) as Record<string, string[]>;
  const seen = new Set<string>();
  for (const [name, values] of Object.entries(multi)) {
    if (CONNECTION_HEADERS.has(name.toLowerCase())) continue;
    merged[name] = [...values];
    seen.add(name.toLowerCase());
  }
  for (const [name, value] of Object.entries(single)) {
    if (CONNECTION_HEADERS.has(name.toLowerCase()) || seen.has(name.toLowerCase())) continue;
    merged[name] = [value];
  }
  return merged;
}

/**
 * Flattens a head's headers into the `[name, value, name, value...]` list `ServerResponse.writeHead` takes,
 * so repeated headers stay separate lines and names keep their casing.
 * @param headers Header lines by name.
 */
export function rawHeaderList(headers: Readonly<Record<string, readonly string[]>>): string[] {
  const list: string[] = [];
  for (const [name, values] of Object.entries(headers)) {
    for (const value of values) list.push(name, value);
  }
  return list;
}
