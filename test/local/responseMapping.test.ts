// How the local server maps a function's reply to an HTTP response, as API Gateway's proxy integration does.
import { expect } from "chai";
import {
  headFromPrelude,
  MalformedProxyResponseError,
  parseProxyResult,
  rawHeaderList,
} from "../../local/gateway/responseMapping";

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe("headFromPrelude", () => {
  it("merges headers and multi-value headers (multi-value wins) and adds one Set-Cookie per cookie", () => {
    const head = headFromPrelude({
      statusCode: 207,
      headers: { "Content-Type": "text/plain", "X-Both": "single", "set-cookie": "from=header" },
      multiValueHeaders: { "x-both": ["m1", "m2"] },
      cookies: ["a=1", "b=2; Secure"],
    });
    expect(head).to.deep.equal({
      statusCode: 207,
      headers: {
        "x-both": ["m1", "m2"],
        "Content-Type": ["text/plain"],
        "set-cookie": ["from=header", "a=1", "b=2; Secure"],
      },
    });
  });

  it("drops framing headers a streamed body cannot honour", () => {
    const head = headFromPrelude({
      statusCode: 200,
      headers: { "Content-Length": "10", "Transfer-Encoding": "gzip", Connection: "close", "X-Ok": "1" },
    });
    expect(head.headers).to.deep.equal({ "X-Ok": ["1"] });
  });
});

describe("parseProxyResult", () => {
  it("reads status, headers, multi-value headers and a text body", () => {
    const result = parseProxyResult(
      json({
        statusCode: 404,
        headers: { "X-A": "1", "X-N": 2, "X-B": true },
        multiValueHeaders: { "X-M": ["a"] },
        body: "nope",
      }),
    );
    expect(result.head).to.deep.equal({
      statusCode: 404,
      headers: {
        "X-M": ["a"],
        "X-A": ["1"],
        "X-N": ["2"],
        "X-B": ["true"],
        "Content-Type": ["application/json"],
      },
    });
    expect(result.body.toString()).to.equal("nope");
  });

  it("gives a result without Content-Type application/json, as API Gateway does", () => {
    expect(parseProxyResult(json({ statusCode: 200, body: "{}" })).head.headers).to.deep.equal({
      "Content-Type": ["application/json"],
    });
    expect(
      parseProxyResult(json({ statusCode: 200, headers: { "content-type": "text/csv" } })).head.headers,
    ).to.deep.equal({
      "content-type": ["text/csv"],
    });
  });

  it("decodes a base64 body and defaults a missing body to empty", () => {
    const binary = parseProxyResult(json({ statusCode: 200, body: "AAEC/w==", isBase64Encoded: true }));
    expect(binary.body.equals(Buffer.from([0, 1, 2, 255]))).to.equal(true);
    expect(parseProxyResult(json({ statusCode: 204 })).body.length).to.equal(0);
  });

  it("refuses what API Gateway would call a malformed Lambda proxy response", () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from("plain text"), /not JSON/],
      [json([1]), /not a JSON object/],
      [json({ body: "x" }), /statusCode/],
      [json({ statusCode: 700 }), /statusCode/],
      [json({ statusCode: "200" }), /statusCode/],
      [json({ statusCode: 200, body: { a: 1 } }), /body must be a string/],
      [
        json({ statusCode: 200, headers: { "X-A": { nested: true } } }),
        /must be a string, number or boolean/,
      ],
      [json({ statusCode: 200, headers: { "Bad Name": "x" } }), /not a valid HTTP token/],
      [json({ statusCode: 200, headers: { "X-A": "a\r\nInjected: 1" } }), /control character/],
      [json({ statusCode: 200, multiValueHeaders: { "X-A": "a" } }), /must be an array/],
      [json({ statusCode: 200, isBase64Encoded: "true" }), /isBase64Encoded must be a boolean/],
    ];
    for (const [payload, message] of cases) {
      expect(() => parseProxyResult(payload), payload.toString()).to.throw(
        MalformedProxyResponseError,
        message,
      );
    }
  });
});

describe("rawHeaderList", () => {
  it("flattens to name/value pairs, one per header line", () => {
    expect(rawHeaderList({ "Set-Cookie": ["a=1", "b=2"], "X-A": ["x"] })).to.deep.equal([
      "Set-Cookie",
      "a=1",
      "Set-Cookie",
      "b=2",
      "X-A",
      "x",
    ]);
  });
});
