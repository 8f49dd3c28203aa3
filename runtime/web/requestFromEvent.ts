// The web `Request` a fetch-style app receives for a REST API proxy event (payload format 1.0).
import type { APIGatewayProxyEvent } from "aws-lambda";
import { InvalidEventError, restApiEventBody } from "../restApiEvent";

/** How {@link requestFromEvent} builds the request. */
export interface RequestFromEventOptions {
  /**
   * Take the URL's path from `requestContext.path`, which starts with the stage (`/prod/items/1`) or, on a
   * custom domain, its base path mapping, instead of the event's `path` (`/items/1`), which has neither.
   * @default false
   */
  keepStagePrefix?: boolean;
  /** Becomes `request.signal`: the app sees it abort when this does (the invocation's deadline). @default none */
  signal?: AbortSignal;
}

/** Host of the URL when the event names none (no `Host` header, no `requestContext.domainName`). */
export const FALLBACK_HOST = "localhost";

// RFC 9110 token: what a method and a header name may be.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A host (name or IP literal, optional port) without anything that would change how the URL parses.
const HOST = /^[^\s/?#@\\]+$/;
// A path that reads the same at the end of a whole URL as through the `pathname` setter: it starts with `/`
// and has no `?` or `#` (which would start the query or fragment) and no space or control character (which
// the whole-URL parser strips from the end, or drops, where the setter escapes them).
// eslint-disable-next-line no-control-regex
const PLAIN_PATH = /^\/[^?#\u0000-\u0020]*$/;
// A query name or value that `application/x-www-form-urlencoded` serializes as it is.
const PLAIN_QUERY_TEXT = /^[\w*.-]*$/;
// Characters a `Headers` value (a ByteString) cannot carry as they are.
const BEYOND_LATIN1 = /[\u0100-\uffff]/;
// What a `Headers` value refuses.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_VALUE = /[\r\n\u0000]/;

/**
 * Builds the `Request` for a REST API proxy event, as the app would have received it from the client:
 * - method: `httpMethod`;
 * - URL: `https://{Host header, else requestContext.domainName}{path}?{query}`, where `path` is the event's
 *   `path` (without the stage; see {@link RequestFromEventOptions.keepStagePrefix}) and the query string holds
 *   every value of `multiValueQueryStringParameters` in order (`queryStringParameters` fills in names it lacks);
 * - headers: every value of `multiValueHeaders` (`headers` fills in names it lacks). A value with characters
 *   beyond Latin-1 is passed as its UTF-8 bytes read as Latin-1, as Node's HTTP server does, since a `Headers`
 *   value is a byte string: `Buffer.from(value, "latin1").toString("utf8")` gives the text back;
 * - body: decoded from base64 when `isBase64Encoded`, the text's UTF-8 bytes otherwise; none for GET and HEAD,
 *   nor when the event has none.
 *
 * Built for a request per invocation: the URL as one string the `Request` parses once, the headers appended
 * to `request.headers` one by one (what the constructor does with `init.headers`, without its conversion of
 * a list of pairs), each checked by `Headers` itself and named in the error when it refuses one.
 * @param event A parsed REST API proxy event (see `parseRestApiEvent`).
 * @param options Path source and abort signal; see {@link RequestFromEventOptions}.
 * @throws {InvalidEventError} When a method, host, header name or header value cannot be part of a request.
 */
export function requestFromEvent(
  event: APIGatewayProxyEvent,
  options: RequestFromEventOptions = {},
): Request {
  const method = event.httpMethod.toUpperCase();
  if (!TOKEN.test(method)) {
    throw new InvalidEventError(
      `event.httpMethod ${JSON.stringify(event.httpMethod)} is not an HTTP method.`,
    );
  }
  const host = hostHeader(event) || event.requestContext?.domainName || FALLBACK_HOST;
  const url = requestUrl(event, host, options.keepStagePrefix ?? false);
  const init: RequestInit = {};
  // GET is the default; the Fetch standard refuses a body on GET and HEAD.
  if (method !== "GET") init.method = method;
  if (method !== "GET" && method !== "HEAD") {
    const body = restApiEventBody(event);
    if (body.length > 0) init.body = body;
  }
  if (options.signal) init.signal = options.signal;
  let request: Request;
  try {
    request = new Request(url, init);
  } catch (error) {
    // A host that passed the character check can still be no host (`a:b:c`, a port out of range).
    if (!URL.canParse(`https://${host}`)) throw invalidHost(host, error);
    throw new InvalidEventError(`event cannot become a Request: ${(error as Error).message}`, {
      cause: error,
    });
  }
  appendHeaders(request.headers, event);
  return request;
}

/**
 * The request URL of an event: host, path (percent-encoded as API Gateway passes it; a `?` or `#` in it is
 * escaped) and the query string from every query parameter value, in order.
 * @param event A parsed REST API proxy event.
 * @param host The request's host: its `Host` header, else `requestContext.domainName`, else {@link FALLBACK_HOST}.
 * @param keepStagePrefix Take the path from `requestContext.path`.
 * @returns The URL as a string the `URL` class parses to what it would have built from these parts: a plain
 *   path (the usual case) is copied as it is, any other goes through the `pathname` setter.
 * @throws {InvalidEventError} When the host has characters that would change how the URL parses.
 */
export function requestUrl(event: APIGatewayProxyEvent, host: string, keepStagePrefix: boolean): string {
  if (!HOST.test(host)) throw invalidHost(host);
  const path = (keepStagePrefix ? event.requestContext?.path : undefined) ?? event.path;
  const query = queryString(event);
  if (PLAIN_PATH.test(path)) return `https://${host}${path}${query === "" ? "" : `?${query}`}`;
  let url: URL;
  try {
    url = new URL(`https://${host}`);
  } catch (error) {
    throw invalidHost(host, error);
  }
  // The pathname setter escapes what cannot stay as it is (`?`, `#`, spaces) and keeps percent-escapes.
  url.pathname = path;
  url.search = query;
  return url.href;
}

function invalidHost(host: string, cause?: unknown): InvalidEventError {
  return new InvalidEventError(`the request's host ${JSON.stringify(host)} is not a host name.`, { cause });
}

/**
 * Every query parameter value, in order (multi-value names first, then single-value names they lack), as
 * `URLSearchParams` serializes them.
 */
function queryString(event: APIGatewayProxyEvent): string {
  const multi = event.multiValueQueryStringParameters ?? {};
  const single = event.queryStringParameters ?? {};
  let query = "";
  for (const name of Object.keys(multi)) {
    for (const value of multi[name] ?? []) {
      if (!PLAIN_QUERY_TEXT.test(name) || !PLAIN_QUERY_TEXT.test(value)) return encodedQuery(multi, single);
      query += `${query === "" ? "" : "&"}${name}=${value}`;
    }
  }
  for (const name of Object.keys(single)) {
    const value = single[name];
    if (value === undefined || Object.hasOwn(multi, name)) continue;
    if (!PLAIN_QUERY_TEXT.test(name) || !PLAIN_QUERY_TEXT.test(value)) return encodedQuery(multi, single);
    query += `${query === "" ? "" : "&"}${name}=${value}`;
  }
  return query;
}

/** {@link queryString} for names or values that need escaping: through `URLSearchParams`. */
function encodedQuery(
  multi: Record<string, string[] | undefined>,
  single: Record<string, string | undefined>,
): string {
  const params = new URLSearchParams();
  for (const name of Object.keys(multi)) {
    for (const value of multi[name] ?? []) params.append(name, value);
  }
  for (const name of Object.keys(single)) {
    const value = single[name];
    if (value !== undefined && !Object.hasOwn(multi, name)) params.append(name, value);
  }
  return params.toString();
}

/** The first value of the request's `Host` header (any case), from `multiValueHeaders`, else `headers`. */
function hostHeader(event: APIGatewayProxyEvent): string | undefined {
  const multi = event.multiValueHeaders ?? {};
  for (const name of Object.keys(multi)) {
    if (isHost(name)) return multi[name]?.[0];
  }
  const single = event.headers ?? {};
  for (const name of Object.keys(single)) {
    if (isHost(name)) return single[name];
  }
  return undefined;
}

function isHost(name: string): boolean {
  return name.length === 4 && name.toLowerCase() === "host";
}

/**
 * Appends the request headers of an event to `headers` (each value on its own, so repeated values combine
 * exactly as the Fetch standard combines them): every value of `multiValueHeaders`, then the `headers` whose
 * names (in any case) it lacks.
 * @param headers The request's headers.
 * @param event A parsed REST API proxy event.
 * @throws {InvalidEventError} Naming a header whose name is not a token or whose value has CR, LF or NUL.
 */
export function appendHeaders(headers: Request["headers"], event: APIGatewayProxyEvent): void {
  const multi = event.multiValueHeaders ?? {};
  const names = Object.keys(multi);
  for (const name of names) {
    for (const value of multi[name] ?? []) appendHeader(headers, name, value);
  }
  const single = event.headers ?? {};
  let namesInMulti: Set<string> | undefined;
  for (const name of Object.keys(single)) {
    const value = single[name];
    // API Gateway gives both maps the same names: only a name missing as it is needs a case-blind look.
    if (value === undefined || Object.hasOwn(multi, name)) continue;
    namesInMulti ??= new Set(names.map((known) => known.toLowerCase()));
    if (!namesInMulti.has(name.toLowerCase())) appendHeader(headers, name, value);
  }
}

/** Appends one header; `Headers` checks it, and a refusal is named. */
function appendHeader(headers: Request["headers"], name: string, value: string): void {
  const byteString = BEYOND_LATIN1.test(value) ? Buffer.from(value, "utf8").toString("latin1") : value;
  try {
    headers.append(name, byteString);
  } catch (error) {
    if (!TOKEN.test(name)) {
      throw new InvalidEventError(`request header name ${JSON.stringify(name)} is not an HTTP token.`, {
        cause: error,
      });
    }
    if (FORBIDDEN_IN_VALUE.test(value)) {
      throw new InvalidEventError(
        `request header ${JSON.stringify(name)} has a value a request cannot carry (CR, LF or NUL).`,
        { cause: error },
      );
    }
    throw new InvalidEventError(
      `request header ${JSON.stringify(name)} cannot be part of a request: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
