// Property-based tests (fast-check) for the local server's request -> REST API event mapping.
import { expect } from "chai";
import fc from "fast-check";
import { isUtf8 } from "node:buffer";
import { request } from "node:http";
import { LambdaRuntime } from "../../runtime";
import { buildRestApiEvent, type IncomingRequestLike } from "../../local/gateway/restApiEvent";
import { EVERY_PATH, PROXY_RESOURCE, resolveRoute } from "../../local/gateway/route";
import { parseRestApiEvent, restApiEventBody, type APIGatewayProxyEvent } from "../../runtime/restApiEvent";
import { runRuntimeOn, startTestServer, type TestServer } from "../local/harness";

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
/** Names that are also properties of every plain object: a map keyed by them must still work. */
const OBJECT_MEMBER_NAMES = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"];

/** A header name (a token), sometimes one that shadows an Object.prototype member; never X-Forwarded-*. */
const headerName = fc
  .oneof(
    {
      weight: 5,
      arbitrary: fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 10 }),
    },
    { weight: 1, arbitrary: fc.constantFrom(...OBJECT_MEMBER_NAMES) },
  )
  .chain((name) => fc.mixedCase(fc.constant(name)))
  .filter((name) => !name.toLowerCase().startsWith("x-forwarded-") && name.toLowerCase() !== "host");

/** A header value as it arrives over HTTP: visible ASCII and inner spaces, no surrounding whitespace. */
const headerValue = fc
  .string({ unit: fc.constantFrom(..." !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~".split("")), maxLength: 12 })
  .map((value) => value.trim());

/** Any text for query names, values and path segments: Unicode, reserved characters, object member names. */
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(..."/?#&=+% ;,:@".split("")), maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(...OBJECT_MEMBER_NAMES) },
);

const queryPairs = fc.array(
  fc.tuple(
    text.filter((name) => name !== ""),
    text,
  ),
  { maxLength: 6 },
);
const pathSegments = fc.array(
  text.filter((segment) => segment !== ""),
  { minLength: 1, maxLength: 4 },
);
const headerPairs = fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 });

const TEXT_TYPES = ["text/plain", "application/json", "application/problem+json", "text/xml; charset=utf-8"];
const BINARY_TYPES = [
  "application/octet-stream",
  "image/png",
  "application/pdf",
  "multipart/form-data; boundary=x",
];
const contentType = fc.constantFrom(undefined, ...TEXT_TYPES, ...BINARY_TYPES);
/** binaryMediaTypes lists an API might have, with which of the types above each treats as binary. */
const MEDIA_TYPE_LISTS: Array<{ list: string[]; binary: Array<string | undefined> }> = [
  { list: ["*/*"], binary: [undefined, ...TEXT_TYPES, ...BINARY_TYPES] },
  { list: ["image/*", "application/octet-stream"], binary: ["image/png", "application/octet-stream"] },
  {
    list: ["multipart/form-data", "application/pdf"],
    binary: ["multipart/form-data; boundary=x", "application/pdf"],
  },
  // A request without Content-Type is matched as application/json.
  { list: ["application/json"], binary: [undefined, "application/json"] },
  { list: ["text/*"], binary: ["text/plain", "text/xml; charset=utf-8"] },
  { list: [], binary: [] },
];
const mediaTypeList = fc.constantFrom(...MEDIA_TYPE_LISTS);

function target(segments: string[], query: Array<[string, string]>): string {
  const path = `/${segments.map(encodeURIComponent).join("/")}`;
  if (query.length === 0) return path;
  return `${path}?${query.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join("&")}`;
}

/** The multi-valued map expected for these pairs: values in order, grouped by name (`caseless`: first casing). */
function grouped(pairs: Array<[string, string]>, caseless: boolean): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const casing = new Map<string, string>();
  for (const [name, value] of pairs) {
    const key = caseless ? (casing.get(name.toLowerCase()) ?? name) : name;
    casing.set(name.toLowerCase(), key);
    groups.set(key, [...(groups.get(key) ?? []), value]);
  }
  return groups;
}

/**
 * Own entries, sorted by name (JavaScript lists integer-like keys first, whatever the insertion order). Own
 * only: a `__proto__` key must be an own property, not the object's prototype.
 */
function ownEntries(map: object | null): Array<[string, unknown]> {
  if (map === null) return [];
  return sortedByName(Reflect.ownKeys(map).map((key) => [String(key), (map as never)[key]]));
}

function sortedByName<T>(entries: Array<[string, T]>): Array<[string, T]> {
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function fakeRequest(url: string, rawHeaders: string[]): IncomingRequestLike {
  return {
    method: "POST",
    url,
    httpVersion: "1.1",
    rawHeaders,
    socket: { remoteAddress: "::ffff:127.0.0.1", localPort: 7000 },
  };
}

/** Checks the event's query maps against the pairs sent. */
function expectQuery(event: APIGatewayProxyEvent, pairs: Array<[string, string]>): void {
  const expected = grouped(pairs, false);
  if (expected.size === 0) {
    expect(event.queryStringParameters).to.equal(null);
    expect(event.multiValueQueryStringParameters).to.equal(null);
    return;
  }
  expect(ownEntries(event.multiValueQueryStringParameters)).to.deep.equal(sortedByName([...expected]));
  expect(ownEntries(event.queryStringParameters)).to.deep.equal(
    sortedByName([...expected].map(([name, values]) => [name, values[values.length - 1]])),
  );
}

/** Checks the event's header maps against the pairs sent, ignoring the ones the server or client adds. */
function expectHeaders(event: APIGatewayProxyEvent, pairs: Array<[string, string]>, added: RegExp): void {
  const ours = (map: object): Array<[string, unknown]> =>
    ownEntries(map).filter(([name]) => !added.test(name) && !/^x-forwarded-/i.test(name));
  const expected = grouped(pairs, true);
  expect(ours(event.multiValueHeaders)).to.deep.equal(sortedByName([...expected]));
  expect(ours(event.headers)).to.deep.equal(
    sortedByName([...expected].map(([name, values]) => [name, values[values.length - 1]])),
  );
}

describe("REST API event mapping properties (fast-check)", () => {
  it("maps any path and query string: path as sent, query single- and multi-valued, decoded, in order", () => {
    fc.assert(
      fc.property(pathSegments, queryPairs, (segments, pairs) => {
        const url = target(segments, pairs);
        const event = buildRestApiEvent(fakeRequest(url, []), Buffer.alloc(0));
        expect(event.path).to.equal(url.split("?")[0]);
        expect(event.requestContext.path).to.equal(`/local${event.path}`);
        expectQuery(event, pairs);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on a raw query string, and keeps the single-valued map the last of each multi-value", () => {
    const rawQuery = fc.string({ unit: fc.constantFrom(..."ab=&%+2F;?# \u00e9".split("")), maxLength: 16 });
    fc.assert(
      fc.property(rawQuery, (query) => {
        const event = buildRestApiEvent(fakeRequest(`/stream?${query}`, []), Buffer.alloc(0));
        const multi = ownEntries(event.multiValueQueryStringParameters) as Array<[string, string[]]>;
        const single = ownEntries(event.queryStringParameters);
        expect(single).to.deep.equal(multi.map(([name, values]) => [name, values[values.length - 1]]));
      }),
      { numRuns: 500 },
    );
  });

  it("resolves any path: the route binds {id} and {key+} decoded, other paths have no route, * routes all", () => {
    const any = (path: string) => ({ path, method: "ANY" as const });
    fc.assert(
      fc.property(pathSegments, (segments) => {
        const encoded = segments.map(encodeURIComponent);
        expect(resolveRoute(any("/items/{id}"), "GET", `/items/${encoded[0]}`)).to.deep.equal({
          resource: "/items/{id}",
          pathParameters: { id: segments[0] },
        });
        expect(resolveRoute(any("/files/{key+}"), "GET", `/files/${encoded.join("/")}`)).to.deep.equal({
          resource: "/files/{key+}",
          pathParameters: { key: segments.join("/") },
        });
        const other = `/${encoded.join("/")}`;
        if (other !== "/stream") expect(resolveRoute(any("/stream"), "GET", other)).to.equal(undefined);
        expect(resolveRoute(any(EVERY_PATH), "GET", other)).to.deep.equal({
          resource: PROXY_RESOURCE,
          pathParameters: { proxy: segments.join("/") },
        });
      }),
      { numRuns: 500 },
    );
  });

  it("maps any header list: last value in headers, every value in multiValueHeaders, first casing wins", () => {
    fc.assert(
      fc.property(headerPairs, (pairs) => {
        const event = buildRestApiEvent(fakeRequest("/stream", pairs.flat()), Buffer.alloc(0));
        expectHeaders(event, pairs, /^$/);
        expect(event.headers["X-Forwarded-For"]).to.equal("127.0.0.1");
      }),
      { numRuns: 500 },
    );
  });

  it("sends a body matching a binary media type base64-encoded, never losing a byte; others as UTF-8", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), contentType, mediaTypeList, (bytes, type, types) => {
        const body = Buffer.from(bytes);
        const headers = type === undefined ? [] : ["Content-Type", type];
        const event = buildRestApiEvent(fakeRequest("/stream", headers), body, {
          binaryMediaTypes: types.list,
        });
        const binary = body.length > 0 && types.binary.includes(type);
        expect(event.isBase64Encoded).to.equal(binary);
        expect(event.body === null).to.equal(body.length === 0);
        if (binary || isUtf8(body)) expect(restApiEventBody(event).equals(body)).to.equal(true);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips any built event through JSON and parseRestApiEvent unchanged", () => {
    fc.assert(
      fc.property(
        pathSegments,
        queryPairs,
        headerPairs,
        fc.uint8Array({ maxLength: 32 }),
        (segments, q, h, b) => {
          const event = buildRestApiEvent(fakeRequest(target(segments, q), h.flat()), Buffer.from(b));
          const json = JSON.stringify(event);
          expect(JSON.stringify(parseRestApiEvent(Buffer.from(json)))).to.equal(json);
        },
      ),
      { numRuns: 300 },
    );
  });

  describe("over HTTP, through the local server and our runtime", () => {
    let t: TestServer;
    let runtime: LambdaRuntime;
    let running: Promise<void>;

    before(async () => {
      // Every path reaches the function (a catch-all API), so any generated path can be sent.
      t = await startTestServer({ route: EVERY_PATH });
      // The function answers with the event it received, so the client sees the mapping.
      ({ runtime, running } = runRuntimeOn(t, async (event, writer) => writer.writeAndFinish(event)));
    });

    after(async () => {
      runtime.stop();
      await t.server.close();
      await running;
    });

    /** Sends a request with headers in this exact order and casing; resolves with the event the function got. */
    function send(url: string, headers: Array<[string, string]>, body: Buffer, type: string | undefined) {
      // Given as a list, headers are sent as is: Node adds no Host header of its own.
      const raw = [
        ["Host", `${t.host}:${t.port}`],
        ...headers,
        ...(type === undefined ? [] : [["Content-Type", type]]),
      ].flat();
      return new Promise<APIGatewayProxyEvent>((resolve, reject) => {
        const req = request(
          { host: t.host, port: t.port, method: "PUT", path: url, headers: raw, agent: false },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              try {
                resolve(parseRestApiEvent(Buffer.concat(chunks)));
              } catch (error) {
                reject(new Error(`${res.statusCode}: ${Buffer.concat(chunks).toString()}`, { cause: error }));
              }
            });
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    }

    it("maps real requests: path, query, headers as sent, binary bodies base64-encoded", async () => {
      await fc.assert(
        fc.asyncProperty(
          pathSegments,
          queryPairs,
          headerPairs,
          fc.uint8Array({ maxLength: 64 }),
          contentType,
          async (segments, pairs, headers, bytes, type) => {
            const url = target(segments, pairs);
            const body = Buffer.from(bytes);
            const event = await send(url, headers, body, type);
            expect(event.httpMethod).to.equal("PUT");
            expect(event.path).to.equal(url.split("?")[0]);
            expectQuery(event, pairs);
            expectHeaders(
              event,
              headers,
              /^(host|connection|content-length|content-type|transfer-encoding)$/i,
            );
            // The server runs with the default binaryMediaTypes, */*: every body arrives base64, byte for byte.
            expect(restApiEventBody(event).equals(body)).to.equal(true);
            expect(event.isBase64Encoded).to.equal(body.length > 0);
          },
        ),
        { numRuns: 40 },
      );
    });
  });
});
