// The event bytes an invocation gets for a web Request (as the emulated REST API builds it) or a given event.
import type { APIGatewayProxyEvent } from "aws-lambda";
import { buildRestApiEvent, type RestApiEventOptions } from "../local/gateway/restApiEvent";

/** An event for one invocation, and the HTTP method it stands for. */
export interface InvocationEvent {
  /** The event's JSON bytes, as the runtime receives them. */
  readonly bytes: Buffer;
  /** The request method, upper case (`HEAD` responses carry no body). */
  readonly method: string;
}

/**
 * The event for `request`: a web `Request` becomes the REST API proxy event (payload format 1.0) the local
 * server's emulated API Gateway builds for it (stage `local`, a catch-all resource, the client at 127.0.0.1,
 * `Host` from the URL when the request has none); an object is taken as the event itself.
 * @param request A web `Request`, or an event object.
 * @param argument How to name `request` in an error.
 * @param options How the emulated API builds the event (its binary media types). @default the local server's
 * @throws TypeError naming `argument` when `request` is neither.
 */
export async function invocationEvent(
  request: Request | APIGatewayProxyEvent,
  argument: string,
  options: Pick<RestApiEventOptions, "binaryMediaTypes"> = {},
): Promise<InvocationEvent> {
  if (request instanceof Request) {
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : Buffer.alloc(0);
    const rawHeaders: string[] = request.headers.has("host") ? [] : ["Host", url.host];
    for (const [name, value] of request.headers) rawHeaders.push(name, value);
    const event = buildRestApiEvent(
      {
        method: request.method,
        url: `${url.pathname}${url.search}`,
        httpVersion: "1.1",
        rawHeaders,
        socket: { remoteAddress: "127.0.0.1", localPort: Number(url.port) || undefined },
      },
      body,
      options,
    );
    return { bytes: Buffer.from(JSON.stringify(event), "utf8"), method: request.method.toUpperCase() };
  }
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    const kind = request === null ? "null" : Array.isArray(request) ? "an array" : typeof request;
    throw new TypeError(
      `${argument} must be a web Request or a REST API proxy event object (payload format 1.0); got ${kind}.`,
    );
  }
  const method = typeof request.httpMethod === "string" ? request.httpMethod.toUpperCase() : "";
  let json: string;
  try {
    json = JSON.stringify(request);
  } catch (error) {
    throw new TypeError(`${argument} must be an event that JSON can carry: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { bytes: Buffer.from(json, "utf8"), method };
}
