// Property-based tests (fast-check) for the prelude: no CR/LF/NUL gets through, no NUL in the JSON, round trips.
import { expect } from "chai";
import fc from "fast-check";
import { isUtf8 } from "node:buffer";
import {
  encodePrelude,
  InvalidResponseError,
  PRELUDE_DELIMITER,
  validatePrelude,
  type StreamingLambdaStatusAndHeadersResponse as Prelude,
} from "../../runtime/prelude";
import { parsePreludeJson, PreludeParser } from "../../local/gateway/preludeParser";

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
const LINE_BREAKERS = ["\r", "\n", "\0"] as const;

/** RFC 9110 token: what a header name may be. */
const headerName = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 16 });

/** C0 controls other than tab, and DEL: what a header value may not carry. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

/** Text a header value may carry: any Unicode (lone surrogates included) but {@link CONTROL}. */
const headerValue = fc
  .string({
    unit: fc.oneof(
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
      fc.constantFrom("\t", " ", '"', "\\", "é", "😀", "\u2028", "\ud800", "\udfff", "\u0080", "\u00ff"),
    ),
    maxLength: 24,
  })
  .map((value) => value.replace(CONTROL, ""));

const validPrelude: fc.Arbitrary<Prelude> = fc.record(
  {
    statusCode: fc.integer({ min: 100, max: 599 }),
    headers: fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
    multiValueHeaders: fc.dictionary(headerName, fc.array(headerValue, { maxLength: 3 }), { maxKeys: 3 }),
    cookies: fc.array(headerValue, { maxLength: 3 }),
  },
  { requiredKeys: ["statusCode"] },
);

/** A string with one CR, LF or NUL inserted somewhere. */
const poisoned = (base: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(base, fc.constantFrom(...LINE_BREAKERS), fc.nat())
    .map(
      ([text, bad, at]) => text.slice(0, at % (text.length + 1)) + bad + text.slice(at % (text.length + 1)),
    );

/** Splits bytes at arbitrary points. */
function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    parts.push(bytes.subarray(from, point));
    from = point;
  }
  return parts;
}

function refuses(prelude: Prelude): boolean {
  try {
    encodePrelude(prelude);
    return false;
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidResponseError);
    return true;
  }
}

describe("prelude properties (fast-check)", () => {
  it("encodes any valid prelude as UTF-8 JSON without a NUL byte, then exactly the 8-NUL delimiter", () => {
    fc.assert(
      fc.property(validPrelude, (prelude) => {
        const bytes = encodePrelude(prelude);
        const json = bytes.subarray(0, bytes.length - PRELUDE_DELIMITER.length);
        expect(bytes.indexOf(0), "first NUL is the delimiter's").to.equal(json.length);
        expect(bytes.subarray(json.length).equals(PRELUDE_DELIMITER)).to.equal(true);
        expect(isUtf8(json)).to.equal(true);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips any valid prelude, and any body after it, through PreludeParser however it is chunked", () => {
    fc.assert(
      fc.property(
        validPrelude,
        fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
        fc.array(fc.nat(), { maxLength: 6 }),
        (prelude, body, cuts) => {
          const parser = new PreludeParser();
          let parsed: ReturnType<PreludeParser["push"]>;
          const parts = splitAt(Buffer.concat([encodePrelude(prelude), body]), cuts);
          let index = 0;
          while (!parsed && index < parts.length) parsed = parser.push(parts[index++] as Buffer);
          expect(parsed, "delimiter found").to.not.equal(undefined);
          expect(parsed?.prelude).to.deep.equal(JSON.parse(JSON.stringify(prelude)));
          const rest = Buffer.concat([parsed?.rest ?? Buffer.alloc(0), ...parts.slice(index)]);
          expect(rest.equals(body), "body bytes after the delimiter, NULs included").to.equal(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("refuses a CR, LF or NUL anywhere in a header name, header value, multi-value header or cookie", () => {
    const placements: fc.Arbitrary<(prelude: Prelude) => Prelude>[] = [
      fc.tuple(poisoned(headerName), headerValue).map(([name, value]) => (p: Prelude) => ({
        ...p,
        headers: { ...p.headers, [name]: value },
      })),
      fc.tuple(headerName, poisoned(headerValue)).map(([name, value]) => (p: Prelude) => ({
        ...p,
        headers: { ...p.headers, [name]: value },
      })),
      fc.tuple(headerName, poisoned(headerValue)).map(([name, value]) => (p: Prelude) => ({
        ...p,
        multiValueHeaders: { ...p.multiValueHeaders, [name]: ["fine", value] },
      })),
      poisoned(headerValue).map((cookie) => (p: Prelude) => ({
        ...p,
        cookies: [...(p.cookies ?? []), cookie],
      })),
    ];
    fc.assert(
      fc.property(validPrelude, fc.oneof(...placements), (prelude, poison) => {
        const bad = poison(prelude);
        expect(refuses(bad), JSON.stringify(bad)).to.equal(true);
        expect(() => validatePrelude(bad)).to.throw(InvalidResponseError);
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses header names that are not tokens (spaces, colons, separators, non-ASCII)", () => {
    const notToken = fc
      .string({ unit: "binary", minLength: 1, maxLength: 12 })
      .filter((name) => name.split("").some((c) => !TOKEN_CHARS.includes(c)));
    fc.assert(
      fc.property(notToken, headerValue, (name, value) => {
        expect(refuses({ statusCode: 200, headers: { [name]: value } })).to.equal(true);
      }),
      { numRuns: 500 },
    );
  });

  it("accepts a status code exactly when it is an integer from 100 to 599", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -1000, max: 2000 }), fc.double()), (statusCode) => {
        const valid = Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599;
        expect(refuses({ statusCode }), String(statusCode)).to.equal(!valid);
      }),
      { numRuns: 1000 },
    );
  });

  it("parses any JSON into a well-formed prelude or refuses it with InvalidResponseError, never anything else", () => {
    const field = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.dictionary(fc.oneof(headerName, fc.string()), fc.oneof(fc.string(), fc.array(fc.string()))),
    );
    const candidate = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record(
        {
          statusCode: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.jsonValue({ maxDepth: 1 })),
          headers: field,
          multiValueHeaders: field,
          cookies: fc.oneof(fc.array(fc.string()), fc.jsonValue({ maxDepth: 1 })),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(candidate, (value) => {
        let prelude: Prelude;
        try {
          prelude = parsePreludeJson(Buffer.from(JSON.stringify(value) ?? "null"));
        } catch (error) {
          expect(error).to.be.instanceOf(InvalidResponseError);
          return;
        }
        expect(prelude.statusCode).to.be.a("number");
        const isPlainObject = (v: unknown): boolean =>
          typeof v === "object" && v !== null && !Array.isArray(v);
        if (prelude.headers != null)
          expect(isPlainObject(prelude.headers), "headers is an object").to.equal(true);
        if (prelude.multiValueHeaders != null) {
          expect(isPlainObject(prelude.multiValueHeaders), "multiValueHeaders is an object").to.equal(true);
        }
        const texts = [
          ...Object.entries(prelude.headers ?? {}).flat(),
          ...Object.entries(prelude.multiValueHeaders ?? {}).flat(2),
          ...(prelude.cookies ?? []),
        ];
        for (const text of texts)
          expect(text)
            .to.be.a("string")
            .and.not.match(/[\r\n\0]/);
      }),
      { numRuns: 1000 },
    );
  });

  it("never lets arbitrary bytes through PreludeParser as anything but a valid prelude or InvalidResponseError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const withDelimiter = Buffer.concat([Buffer.from(bytes), PRELUDE_DELIMITER]);
        try {
          const parsed = new PreludeParser().push(withDelimiter);
          expect(parsed).to.not.equal(undefined);
          validatePrelude(parsed!.prelude);
        } catch (error) {
          expect(error).to.be.instanceOf(InvalidResponseError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
