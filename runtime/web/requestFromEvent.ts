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

// The Fetch standard refuses a body on these.
const METHODS_WITHOUT_BODY = new Set(["GET", "HEAD"]);
// RFC 9110 token: what a method and a header name may be.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A host (name or IP literal, optional port) without anything that would change how the URL parses.
const HOST = /^[^\s/?#@\\]+$/;
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
  const headers = requestHeaders(event);
  const host = headers.find(([name]) => name.toLowerCase() === "host")?.[1];
  const url = requestUrl(event, host, options.keepStagePrefix ?? false);
  const body = METHODS_WITHOUT_BODY.has(method) ? undefined : restApiEventBody(event);
  try {
    return new Request(url, {
      method,
      headers,
      ...(body && body.length > 0 ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    throw new InvalidEventError(`event cannot become a Request: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The request URL of an event: host, path (percent-encoded as API Gateway passes it; a `?` or `#` in it is
 * escaped) and the query string from every query parameter value, in order.
 * @param event A parsed REST API proxy event.
 * @param hostHeader The request's `Host` header, if any.
 * @param keepStagePrefix Take the path from `requestContext.path`.
 */
export function requestUrl(
  event: APIGatewayProxyEvent,
  hostHeader: string | null | undefined,
  keepStagePrefix: boolean,
): URL {
  const host = hostHeader || event.requestContext?.domainName || FALLBACK_HOST;
  if (!HOST.test(host)) {
    throw new InvalidEventError(`the request's host ${JSON.stringify(host)} is not a host name.`);
  }
  let url: URL;
  try {
    url = new URL(`https://${host}`);
  } catch {
    throw new InvalidEventError(`the request's host ${JSON.stringify(host)} is not a host name.`);
  }
  // The pathname setter escapes what cannot stay as it is (`?`, `#`, spaces) and keeps percent-escapes.
  url.pathname = (keepStagePrefix ? event.requestContext?.path : undefined) ?? event.path;
  url.search = queryString(event).toString();
  return url;
}

/** Every query parameter value, in order: multi-value names first, then single-value names they lack. */
function queryString(event: APIGatewayProxyEvent): URLSearchParams {
  const params = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [name, values] of Object.entries(multi)) {
    for (const value of values ?? []) params.append(name, value);
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && !Object.hasOwn(multi, name)) params.append(name, value);
  }
  return params;
}

/**
 * The request headers of an event, as name/value pairs for `new Request` (each value appended on its own, so
 * repeated values combine exactly as the Fetch standard combines them): every value of `multiValueHeaders`,
 * then the `headers` whose names (in any case) it lacks.
 * @param event A parsed REST API proxy event.
 * @throws {InvalidEventError} Naming a header whose name is not a token or whose value has CR, LF or NUL.
 */
export function requestHeaders(event: APIGatewayProxyEvent): [string, string][] {
  const pairs: [string, string][] = [];
  const multi = event.multiValueHeaders ?? {};
  const seen = new Set<string>();
  for (const [name, values] of Object.entries(multi)) {
    seen.add(name.toLowerCase());
    for (const value of values ?? []) pairs.push(headerPair(name, value));
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && !seen.has(name.toLowerCase())) pairs.push(headerPair(name, value));
  }
  return pairs;
}

function headerPair(name: string, value: string): [string, string] {
  if (!TOKEN.test(name)) {
    throw new InvalidEventError(`request header name ${JSON.stringify(name)} is not an HTTP token.`);
  }
  if (FORBIDDEN_IN_VALUE.test(value)) {
    throw new InvalidEventError(
      `request header ${JSON.stringify(name)} has a value a request cannot carry (CR, LF or NUL).`,
    );
  }
  return [name, BEYOND_LATIN1.test(value) ? Buffer.from(value, "utf8").toString("latin1") : value];
}
