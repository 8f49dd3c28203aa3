// The web-standard app every web scenario serves (Hono), the same work without Hono, and the event that asks for it.
import { Hono } from "hono";
import { stream } from "hono/streaming";
import { STREAM_PRELUDE, chunkOf, readStreamEvent, type StreamEvent } from "./work";

/** The path the web scenarios request: `GET /bytes?chunks=N&size=S`. */
export const WEB_PATH = "/bytes";

/** The content type every web response declares (the bench prelude's). */
export const WEB_CONTENT_TYPE = STREAM_PRELUDE.headers["content-type"];

/** Reads `chunks` and `size` from a query string's values. @throws TypeError when they are not integers. */
export function streamFromQuery(chunks: string | undefined, size: string | undefined): StreamEvent {
  return readStreamEvent({ chunks: Number(chunks), chunkSize: Number(size) });
}

/**
 * A Hono app, written as a Hono user would: `GET /bytes` streams `chunks` chunks of `size` bytes with
 * `hono/streaming`'s `stream`, each write awaited.
 */
export function createBenchHonoApp(): Hono {
  const app = new Hono();
  app.get(WEB_PATH, (c) => {
    const { chunks, chunkSize } = streamFromQuery(c.req.query("chunks"), c.req.query("size"));
    const chunk = chunkOf(chunkSize);
    c.header("Content-Type", WEB_CONTENT_TYPE);
    return stream(c, async (body) => {
      for (let i = 0; i < chunks; i++) await body.write(chunk);
    });
  });
  return app;
}

/**
 * The same work as a bare fetch function, no framework: a `Response` whose body enqueues each chunk when the
 * reader pulls it.
 */
export function benchFetchFunction(request: Request): Response {
  const url = new URL(request.url);
  const { chunks, chunkSize } = streamFromQuery(
    url.searchParams.get("chunks") ?? undefined,
    url.searchParams.get("size") ?? undefined,
  );
  const chunk = chunkOf(chunkSize);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent++;
      controller.enqueue(chunk);
    },
  });
  return new Response(body, { headers: { "content-type": WEB_CONTENT_TYPE } });
}

/**
 * The REST API proxy event (payload format 1.0) API Gateway would send for `GET /prod/bytes?chunks=N&size=S`,
 * with the headers a curl client sends through a REGIONAL endpoint.
 */
export function webEvent(event: StreamEvent): object {
  const query = { chunks: String(event.chunks), size: String(event.chunkSize) };
  const host = "abc123xyz.execute-api.us-east-1.amazonaws.com";
  const headers = {
    Accept: "*/*",
    Host: host,
    "User-Agent": "curl/8.7.1",
    "X-Amzn-Trace-Id": "Root=1-67890abc-1234567890abcdef01234567",
    "X-Forwarded-For": "203.0.113.1",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Proto": "https",
  };
  return {
    resource: WEB_PATH,
    path: WEB_PATH,
    httpMethod: "GET",
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: query,
    multiValueQueryStringParameters: Object.fromEntries(
      Object.entries(query).map(([name, value]) => [name, [value]]),
    ),
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourceId: "a1b2c3",
      resourcePath: WEB_PATH,
      httpMethod: "GET",
      extendedRequestId: "Ab1CdEfGhIjKlMn=",
      requestTime: "30/Nov/2025:10:30:00 +0000",
      path: `/prod${WEB_PATH}`,
      accountId: "123456789012",
      protocol: "HTTP/1.1",
      stage: "prod",
      domainPrefix: "abc123xyz",
      requestTimeEpoch: 1764498600000,
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      identity: { sourceIp: "203.0.113.1", userAgent: "curl/8.7.1" },
      domainName: host,
      apiId: "abc123xyz",
    },
    body: null,
    isBase64Encoded: false,
  };
}
