// Property-based tests (fast-check) for fetchHandler's REST API event -> web Request mapping.
import { expect } from "chai";
import fc from "fast-check";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { requestFromEvent } from "../../runtime/web/requestFromEvent";
import { sampleRestApiEvent } from "../fixtures/restApiProxyEvent";

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const HOST = "abc123xyz.execute-api.us-east-1.amazonaws.com";

/** Any text: Unicode graphemes, URL syntax characters and names of Object.prototype members. */
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(..."/?#&=+% ;,:@.".split("")), maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom("constructor", "__proto__", "toString") },
);

/** A path as API Gateway passes it for REST APIs: percent-encoded segments (no `.`/`..`, which URLs resolve). */
const pathSegments = fc.array(
  text.filter((segment) => segment !== "." && segment !== ".."),
  { maxLength: 5 },
);

/** Query parameters in the order a client sent them, names repeated. */
const queryPairs = fc.array(fc.tuple(fc.oneof(text, fc.constantFrom("a", "b")), text), { maxLength: 8 });

/** A header name: a token, never Host (it makes the URL). */
const headerName = fc
  .string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 10 })
  .filter((name) => name.toLowerCase() !== "host");

/** A header value: Unicode (beyond Latin-1 too), no control characters, no surrounding whitespace. */
const headerValue = fc
  .string({
    unit: fc.oneof(
      fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
      fc.constantFrom("é", "ÿ", "€", "日本", "😀", '"', ","),
    ),
    maxLength: 10,
  })
  // eslint-disable-next-line no-control-regex
  .map((value) => value.replace(/[\u0000-\u001f\u007f]/g, "").trim());

const headers = fc.uniqueArray(fc.tuple(headerName, fc.array(headerValue, { minLength: 1, maxLength: 3 })), {
  selector: ([name]) => name.toLowerCase(),
  maxLength: 6,
});

/** A body as API Gateway sends it: none, text, or base64 with `isBase64Encoded`. */
const body = fc.oneof(
  fc.constant({ body: null, isBase64Encoded: false, bytes: Buffer.alloc(0) }),
  fc.string({ unit: "grapheme", maxLength: 40 }).map((value) => ({
    body: value,
    isBase64Encoded: false,
    bytes: Buffer.from(value, "utf8"),
  })),
  fc.uint8Array({ maxLength: 64 }).map((value) => ({
    body: Buffer.from(value).toString("base64"),
    isBase64Encoded: true,
    bytes: Buffer.from(value),
  })),
);

/** Groups pairs by name, keeping the order of values: a multi-value map as API Gateway builds it. */
function multiValueMap(pairs: readonly (readonly [string, string])[]): Record<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [name, value] of pairs) groups.set(name, [...(groups.get(name) ?? []), value]);
  return Object.fromEntries(groups);
}

/** How a Headers value shows text: its UTF-8 bytes, one character per byte, when it goes beyond Latin-1. */
function asByteString(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u00ff]/.test(value) ? Buffer.from(value, "utf8").toString("latin1") : value;
}

describe("REST API event -> web Request (properties)", () => {
  it("keeps the method, the path, every query value in order, every header value, the host and the body", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...METHODS),
        pathSegments,
        queryPairs,
        headers,
        body,
        (method, segments, pairs, headerList, payload) => {
          const path = `/${segments.map(encodeURIComponent).join("/")}`;
          const multiValueQueryStringParameters = pairs.length === 0 ? null : multiValueMap(pairs);
          const multiValueHeaders = Object.fromEntries([["Host", [HOST]], ...headerList]);
          const event: APIGatewayProxyEvent = {
            ...sampleRestApiEvent(),
            httpMethod: method,
            path,
            multiValueQueryStringParameters,
            queryStringParameters: multiValueQueryStringParameters
              ? Object.fromEntries(
                  Object.entries(multiValueQueryStringParameters).map(([n, v]) => [n, v.at(-1)]),
                )
              : null,
            multiValueHeaders,
            headers: Object.fromEntries(Object.entries(multiValueHeaders).map(([n, v]) => [n, v.at(-1)])),
            body: payload.body,
            isBase64Encoded: payload.isBase64Encoded,
          };

          const request = requestFromEvent(event);
          const url = new URL(request.url);
          expect(request.method).to.equal(method);
          expect(url.host).to.equal(HOST);
          expect(url.pathname).to.equal(path);
          expect(url.hash).to.equal("");
          const expectedQuery = Object.entries(multiValueQueryStringParameters ?? {}).flatMap(
            ([name, values]) => values.map((value) => [name, value]),
          );
          expect([...url.searchParams]).to.deep.equal(expectedQuery);
          // Every value, in order, combined as the Fetch standard combines repeated headers.
          const expected = new Headers();
          for (const [name, values] of headerList) {
            for (const value of values) expected.append(name, asByteString(value));
          }
          for (const [name] of headerList) {
            expect(request.headers.get(name), name).to.equal(expected.get(name));
          }
        },
      ),
    );
  });

  it("carries the body, decoded from base64 when the event says so, except on GET and HEAD", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), body, async (method, payload) => {
        const request = requestFromEvent({
          ...sampleRestApiEvent(),
          httpMethod: method,
          body: payload.body,
          isBase64Encoded: payload.isBase64Encoded,
        });
        const received = request.body ? Buffer.from(await request.arrayBuffer()) : null;
        if (method === "GET" || method === "HEAD" || payload.bytes.length === 0) {
          expect(received).to.equal(null);
        } else {
          expect(received?.equals(payload.bytes), received?.toString("hex")).to.equal(true);
        }
      }),
    );
  });
});
