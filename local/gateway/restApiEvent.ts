// The REST API proxy event (payload format 1.0) API Gateway would send for a local HTTP request.
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { headerValue } from "../../runtime/restApiEvent";
import { DEFAULT_BINARY_MEDIA_TYPES, matchesBinaryMediaType } from "./binaryMediaTypes";
import { catchAll, type ResourceMatch } from "./route";

/** The parts of an HTTP request an event is built from. A `node:http` `IncomingMessage` fits. */
export interface IncomingRequestLike {
  /** Request method, e.g. `GET`. */
  readonly method?: string | undefined;
  /** Request target: path and query string, e.g. `/stream?x=1`. */
  readonly url?: string | undefined;
  /** HTTP version, e.g. `1.1`. */
  readonly httpVersion?: string | undefined;
  /** Header names and values as received, alternating (`IncomingMessage.rawHeaders`): casing kept, no merging. */
  readonly rawHeaders: readonly string[];
  /** The connection: its peer address becomes `sourceIp` and `X-Forwarded-For`. */
  readonly socket: { readonly remoteAddress?: string | undefined; readonly localPort?: number | undefined };
}

/** How a request is mapped to an event. */
export interface RestApiEventOptions {
  /**
   * The resource the request resolved to, with its path parameters (see `resolveRoute`).
   * @default `/` for the root path, `/{proxy+}` for any other (a catch-all API)
   */
  match?: ResourceMatch;
  /** API Gateway stage name, in `requestContext.stage` and `requestContext.path`. @default "local" */
  stage?: string;
  /** `requestContext.requestId`. @default a random UUID */
  requestId?: string;
  /** Time of the request, in `requestContext.requestTime` and `requestTimeEpoch`. @default now */
  now?: Date;
  /**
   * The API's binary media types: a body whose `Content-Type` matches one is sent base64-encoded (see
   * {@link isBinaryBody}).
   * @default DEFAULT_BINARY_MEDIA_TYPES (every type, as the component deploys)
   */
  binaryMediaTypes?: readonly string[];
}

/**
 * Builds the REST API (payload format 1.0) proxy event API Gateway would send for this request, as a Lambda
 * proxy integration does: headers and query strings single- and multi-valued (the single-valued maps keep the
 * last value), header names as the client sent them, `X-Forwarded-*` added, and the body base64-encoded with
 * `isBase64Encoded` when its `Content-Type` matches a binary media type, as UTF-8 text otherwise (see
 * {@link isBinaryBody}).
 * @param request The incoming request (method, target, raw headers, peer address).
 * @param body The whole request body; empty means no body (`body: null`).
 * @param options Route, stage and request id; see {@link RestApiEventOptions}.
 */
export function buildRestApiEvent(
  request: IncomingRequestLike,
  body: Buffer,
  options: RestApiEventOptions = {},
): APIGatewayProxyEvent {
  const stage = options.stage ?? "local";
  const now = options.now ?? new Date();
  const method = (request.method ?? "GET").toUpperCase();
  const target = request.url ?? "/";
  const queryStart = target.indexOf("?");
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = queryStart === -1 ? "" : target.slice(queryStart + 1);
  const sourceIp = clientAddress(request.socket.remoteAddress);
  const { headers, multiValueHeaders } = groupHeaders(request.rawHeaders);
  addForwardingHeaders(headers, multiValueHeaders, sourceIp, request.socket.localPort);
  const { single: queryStringParameters, multi: multiValueQueryStringParameters } = parseQuery(query);
  const { resource, pathParameters } = options.match ?? catchAll(path);
  const host = headerValue(headers, "host") ?? "localhost";
  const binary = isBinaryBody(headerValue(headers, "content-type"), body, options.binaryMediaTypes);

  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      authorizer: undefined,
      domainName: host,
      domainPrefix: host.split(".")[0] ?? host,
      extendedRequestId: randomUUID(),
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp,
        user: null,
        userAgent: headerValue(headers, "user-agent") ?? null,
        userArn: null,
      },
      path: `/${stage}${path}`,
      protocol: `HTTP/${request.httpVersion ?? "1.1"}`,
      requestId: options.requestId ?? randomUUID(),
      requestTime: formatRequestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: "local",
      resourcePath: resource,
      stage,
    },
    body: body.length === 0 ? null : body.toString(binary ? "base64" : "utf8"),
    isBase64Encoded: body.length > 0 && binary,
  };
}

/**
 * Whether API Gateway sends a request body base64-encoded (`isBase64Encoded: true`): when there is one and
 * its `Content-Type` matches one of the API's binary media types (a request without `Content-Type` counts as
 * `application/json`). Otherwise the body is passed as text, its bytes read as UTF-8 (invalid sequences
 * become U+FFFD): send binary bodies with a type the API lists.
 * @param contentType The request's `Content-Type`, if any.
 * @param body The request body.
 * @param binaryMediaTypes The API's binary media types. @default DEFAULT_BINARY_MEDIA_TYPES
 */
export function isBinaryBody(
  contentType: string | undefined,
  body: Buffer,
  binaryMediaTypes: readonly string[] = DEFAULT_BINARY_MEDIA_TYPES,
): boolean {
  return body.length > 0 && matchesBinaryMediaType(contentType, binaryMediaTypes);
}

function groupHeaders(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const groups = new Map<string, string[]>();
  const nameByLowercase = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const rawName = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const name = nameByLowercase.get(rawName.toLowerCase()) ?? rawName;
    nameByLowercase.set(rawName.toLowerCase(), name);
    append(groups, name, value);
  }
  return { headers: lastValues(groups), multiValueHeaders: ownKeys(groups) };
}

function append(groups: Map<string, string[]>, name: string, value: string): void {
  const values = groups.get(name);
  if (values) values.push(value);
  else groups.set(name, [value]);
}

/**
 * A plain object with these keys as own properties. Built with `Object.fromEntries`, not by assignment: a
 * client may send a header or query parameter named `constructor`, `toString` or `__proto__`.
 */
function ownKeys<T>(groups: ReadonlyMap<string, T>): Record<string, T> {
  return Object.fromEntries(groups);
}

function lastValues(groups: ReadonlyMap<string, readonly string[]>): Record<string, string> {
  return Object.fromEntries([...groups].map(([name, values]) => [name, values[values.length - 1] as string]));
}

function addForwardingHeaders(
  headers: Record<string, string>,
  multiValueHeaders: Record<string, string[]>,
  sourceIp: string,
  port: number | undefined,
): void {
  const set = (name: string, value: string): void => {
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase()) ?? name;
    headers[existing] = value;
    multiValueHeaders[existing] = [value];
  };
  const forwardedFor = headerValue(headers, "x-forwarded-for");
  set("X-Forwarded-For", forwardedFor ? `${forwardedFor}, ${sourceIp}` : sourceIp);
  if (port !== undefined && headerValue(headers, "x-forwarded-port") === undefined) {
    set("X-Forwarded-Port", String(port));
  }
  if (headerValue(headers, "x-forwarded-proto") === undefined) set("X-Forwarded-Proto", "http");
}

function parseQuery(query: string): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  const groups = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(query)) append(groups, name, value);
  return groups.size === 0
    ? { single: null, multi: null }
    : { single: lastValues(groups), multi: ownKeys(groups) };
}

function clientAddress(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return "127.0.0.1";
  return remoteAddress.startsWith("::ffff:") ? remoteAddress.slice("::ffff:".length) : remoteAddress;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** API Gateway's `requestTime` format, e.g. `09/Apr/2015:12:34:56 +0000` (UTC). */
function formatRequestTime(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, "0");
  return (
    `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}
