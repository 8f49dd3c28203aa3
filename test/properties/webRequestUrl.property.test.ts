// Property-based tests (fast-check): fetchHandler's request URL is the one the `URL` class builds from the event's parts.
import { expect } from "chai";
import fc from "fast-check";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { InvalidEventError } from "../../runtime/restApiEvent";
import { requestFromEvent, requestUrl } from "../../runtime/web/requestFromEvent";
import { sampleRestApiEvent } from "../fixtures/restApiProxyEvent";

/** Text of any kind: lone surrogates, controls, spaces, URL syntax, percent-escapes, dot segments. */
const anyText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc.string({
      unit: fc.constantFrom(
        ..."/?#&=+% ;,:@.\\\t\n\r\u0000\u001f\u007f~*-_'()!aZ09é€".split(""),
        "%2e",
        "..",
      ),
      maxLength: 10,
    }),
  },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(..."abc019*-._".split("")), maxLength: 6 }) },
);

/** Mostly characters a URL keeps as they are, with one that it may not now and then. */
const nearlyPlain = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(..."abcXYZ019*-._/".split("")) },
    { weight: 2, arbitrary: fc.constantFrom(..."~!'()+% ?#\\\t\u0000\u001f\u007fé".split("")) },
  ),
  maxLength: 8,
});

/** A path as an event may carry it: usually `/`-led and percent-encoded, sometimes anything. */
const path = fc.oneof(
  fc.array(anyText.map(encodeURIComponent), { maxLength: 4 }).map((segments) => `/${segments.join("/")}`),
  anyText.map((text) => `/${text}`),
  nearlyPlain.map((text) => `/${text}`),
  anyText,
  fc.constantFrom(
    "",
    "/",
    "a/b",
    "\\a",
    "/a ",
    "/a\t",
    "/a\u0000",
    "/a?b",
    "/a#b",
    "//x/./../y",
    "/%2e%2E/z",
  ),
);

/** Query parameters in order, names repeated: plain ones (copied as they are) and any text. */
const queryText = fc.oneof(anyText, nearlyPlain);
const queryPairs = fc.oneof(
  fc.constant([] as [string, string][]),
  fc.array(fc.tuple(nearlyPlain, nearlyPlain), { minLength: 1, maxLength: 3 }),
  fc.array(fc.tuple(queryText, queryText), { maxLength: 6 }),
);

/** Hosts: names, ports, case, IP literals, and a few that are no host at all. */
const host = fc.constantFrom(
  "abc123xyz.execute-api.us-east-1.amazonaws.com",
  "API.Example.COM:8443",
  "example.com:443",
  "localhost:7000",
  "127.0.0.1",
  "1.2.3",
  "[::1]:9000",
  "xn--nxasmq6b.example",
  "a:b:c",
  "example.com:99999",
  "[::1",
);

/** The URL as the `URL` class builds it: the host, then the `pathname` and `search` setters. */
function urlClassHref(hostName: string, eventPath: string, pairs: readonly [string, string][]): string {
  const url = new URL(`https://${hostName}`);
  url.pathname = eventPath;
  url.search = new URLSearchParams([...pairs]).toString();
  return url.href;
}

/** The event with these parts; `queryStringParameters` holds each name's last value, as API Gateway sends it. */
function eventWith(eventPath: string, pairs: readonly [string, string][]): APIGatewayProxyEvent {
  // Grouped through a Map: a name such as `__proto__` becomes a key like any other.
  const groups = new Map<string, string[]>();
  for (const [name, value] of pairs) groups.set(name, [...(groups.get(name) ?? []), value]);
  const multi = Object.fromEntries(groups);
  const single = Object.fromEntries([...groups].map(([name, values]) => [name, values.at(-1) as string]));
  return {
    ...sampleRestApiEvent(),
    path: eventPath,
    multiValueQueryStringParameters: pairs.length === 0 ? null : multi,
    queryStringParameters: pairs.length === 0 ? null : single,
  };
}

describe("REST API event -> request URL (properties)", () => {
  it("is the URL the URL class builds from the host, the path and the query, or an InvalidEventError", () => {
    fc.assert(
      fc.property(host, path, queryPairs, (hostName, eventPath, pairs) => {
        const event = eventWith(eventPath, pairs);
        // The pairs grouped by name, in the order the event lists them (what the request carries).
        const ordered = Object.entries(event.multiValueQueryStringParameters ?? {}).flatMap(
          ([name, values]) => (values ?? []).map((value): [string, string] => [name, value]),
        );
        let expected: string;
        try {
          expected = urlClassHref(hostName, eventPath, ordered);
        } catch {
          const build = (): unknown =>
            requestFromEvent({ ...event, multiValueHeaders: { Host: [hostName] }, headers: {} });
          expect(build).to.throw(InvalidEventError, /is not a host name/);
          return;
        }
        expect(new URL(requestUrl(event, hostName, false)).href).to.equal(expected);
        const request = requestFromEvent({ ...event, multiValueHeaders: { Host: [hostName] }, headers: {} });
        expect(request.url).to.equal(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
