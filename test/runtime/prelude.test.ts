// The status/headers prelude: validation, encoding (JSON + 8 NULs) and incremental parsing.
import { expect } from "chai";
import { encodePrelude, InvalidResponseError, validatePrelude } from "../../runtime/prelude";
import { parsePreludeJson, PreludeParser } from "../../local/gateway/preludeParser";

describe("prelude", () => {
  it("encodes JSON followed by exactly 8 NUL bytes", () => {
    const bytes = encodePrelude({
      statusCode: 200,
      headers: { "Content-Type": "text/plain" },
      cookies: ["a=b"],
    });
    const json = '{"statusCode":200,"headers":{"Content-Type":"text/plain"},"cookies":["a=b"]}';
    expect(bytes.subarray(0, bytes.length - 8).toString()).to.equal(json);
    expect([...bytes.subarray(bytes.length - 8)]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(bytes.indexOf(0)).to.equal(json.length);
  });

  it("refuses status codes outside 100-599 and non-integers", () => {
    for (const statusCode of [99, 600, 200.5, NaN, -1]) {
      expect(() => validatePrelude({ statusCode }), String(statusCode)).to.throw(
        InvalidResponseError,
        /statusCode/,
      );
    }
  });

  it("describes any bad statusCode without throwing something else", () => {
    // {"toString":0} made String(statusCode) itself throw a TypeError (found by the fast-check properties).
    expect(() => parsePreludeJson(Buffer.from('{"statusCode":{"toString":0}}'))).to.throw(
      InvalidResponseError,
      'statusCode must be an integer from 100 to 599, got {"toString":0}.',
    );
    expect(() => validatePrelude({ statusCode: 200n as never })).to.throw(InvalidResponseError, /got 200\./);
  });

  it("refuses CR, LF and NUL in header values, cookies and multi-value headers", () => {
    for (const bad of ["a\r\nb", "a\nb", "a\u0000b"]) {
      expect(() => validatePrelude({ statusCode: 200, headers: { x: bad } })).to.throw(InvalidResponseError);
      expect(() => validatePrelude({ statusCode: 200, multiValueHeaders: { x: ["ok", bad] } })).to.throw(
        InvalidResponseError,
      );
      expect(() => validatePrelude({ statusCode: 200, cookies: [bad] })).to.throw(InvalidResponseError);
    }
  });

  it("refuses invalid header names", () => {
    for (const name of ["", "a b", "a:b", "a\r\n", "é"]) {
      expect(() => validatePrelude({ statusCode: 200, headers: { [name]: "v" } }), name).to.throw(
        /header name/,
      );
    }
  });

  it("parses a prelude split across chunks and returns the body's first bytes", () => {
    const encoded = Buffer.concat([
      encodePrelude({ statusCode: 404, headers: { a: "b" } }),
      Buffer.from("body"),
    ]);
    const parser = new PreludeParser();
    let result: ReturnType<PreludeParser["push"]>;
    let consumed = 0;
    while (!result) {
      result = parser.push(encoded.subarray(consumed, consumed + 3));
      consumed += 3;
    }
    expect(result.prelude).to.deep.equal({ statusCode: 404, headers: { a: "b" } });
    expect(Buffer.concat([result.rest, encoded.subarray(consumed)]).toString()).to.equal("body");
  });

  it("refuses a stream without a delimiter past the size bound", () => {
    const parser = new PreludeParser(16);
    expect(() => parser.push(Buffer.from("x".repeat(17)))).to.throw(/delimiter/);
  });
});
