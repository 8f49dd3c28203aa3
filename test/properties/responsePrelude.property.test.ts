// Property-based tests (fast-check) for fetchHandler's web Response -> prelude mapping, through to the client.
import { expect } from "chai";
import fc from "fast-check";
import { encodePrelude, InvalidResponseError, PRELUDE_DELIMITER } from "../../runtime/prelude";
import { responseToPrelude } from "../../runtime/web/responseToPrelude";
import { parsePreludeJson } from "../../local/gateway/preludeParser";
import { headFromPrelude } from "../../local/gateway/responseMapping";

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
/** Headers that frame one connection's body: the gateway sets its own. */
const FRAMING = [
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "trailer",
  "te",
  "upgrade",
];
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** A header name, sometimes Set-Cookie (in any case) or a framing header. */
const headerName = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 8 }) },
  { weight: 2, arbitrary: fc.mixedCase(fc.constant("set-cookie")) },
  { weight: 1, arbitrary: fc.constantFrom("content-type", "x-repeated", "__proto__", ...FRAMING) },
);

/** A value `Headers` accepts: any Latin-1 character but CR, LF and NUL (other controls included). */
const headerValue = fc.string({
  unit: fc.oneof(
    { weight: 8, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom("é", "ÿ", "\u0080", ";", ",", "=", "\t", "\u0001", "\u007f") },
  ),
  maxLength: 16,
});

const responses = fc.record({
  status: fc.integer({ min: 200, max: 599 }),
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 10 }),
});

describe("web Response -> prelude (properties)", () => {
  it("sends the status, every header and every Set-Cookie, or refuses the prelude before anything is sent", () => {
    fc.assert(
      fc.property(responses, ({ status, headers }) => {
        const response = new Response(null, { status, headers });
        const prelude = responseToPrelude(response);
        expect(prelude.statusCode).to.equal(status);
        expect(Object.keys(prelude.headers ?? {})).to.not.include("set-cookie");
        const cookies = response.headers.getSetCookie();
        expect(prelude.multiValueHeaders?.["set-cookie"] ?? []).to.deep.equal(cookies);

        const values = [...response.headers].map(([, value]) => value);
        if (values.some((value) => CONTROL.test(value))) {
          expect(() => encodePrelude(prelude)).to.throw(InvalidResponseError, /control character/);
          return;
        }
        // What API Gateway (as the local server emulates it) reads back and sends the client.
        const bytes = encodePrelude(prelude);
        const parsed = parsePreludeJson(bytes.subarray(0, bytes.length - PRELUDE_DELIMITER.length));
        expect(parsed).to.deep.equal(prelude);
        const head = headFromPrelude(parsed);
        expect(head.statusCode).to.equal(status);
        const received = new Headers();
        for (const [name, lines] of Object.entries(head.headers)) {
          for (const line of lines) received.append(name, line);
        }
        // A repeated header joins as "a, b": two empty values make ", ", whose trailing space no HTTP
        // recipient keeps (it is optional whitespace), so compare values as a client reads them.
        const sent = [...response.headers]
          .filter(([name]) => !FRAMING.includes(name))
          .map(([name, value]) => [name, value.replace(/^[ \t]+|[ \t]+$/g, "")]);
        expect([...received]).to.deep.equal(sent);
      }),
    );
  });
});
