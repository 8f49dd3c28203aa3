// The Runtime API client's HTTP/1.1 response parser, fed byte by byte and in odd splits.
import { expect } from "chai";
import { ResponseParser, type RuntimeApiResponse } from "../../runtime/connection";

function feed(text: string | Buffer, splitEvery?: number): RuntimeApiResponse | undefined {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, "latin1");
  const parser = new ResponseParser();
  const step = splitEvery ?? bytes.length;
  let result: RuntimeApiResponse | undefined;
  for (let i = 0; i < bytes.length; i += step) {
    expect(result, "response completed before its last byte").to.equal(undefined);
    result = parser.push(bytes.subarray(i, i + step));
  }
  return result;
}

describe("ResponseParser", () => {
  const lengthResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: r1\r\n" +
    'Content-Length: 11\r\n\r\n{"a":"b c"}';

  for (const split of [undefined, 1, 3, 7]) {
    it(`parses a Content-Length response (split every ${split ?? "all"} bytes)`, () => {
      const response = feed(lengthResponse, split);
      expect(response?.statusCode).to.equal(200);
      expect(response?.headers["lambda-runtime-aws-request-id"]).to.equal("r1");
      expect(response?.body.toString()).to.equal('{"a":"b c"}');
    });

    it(`parses a chunked response with trailers (split every ${split ?? "all"} bytes)`, () => {
      const response = feed(
        "HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-T: 1\r\n\r\n",
        split,
      );
      expect(response?.statusCode).to.equal(202);
      expect(response?.body.toString()).to.equal("hello world");
    });
  }

  it("skips an interim 100 Continue", () => {
    const response = feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
    expect(response?.statusCode).to.equal(202);
    expect(response?.body.length).to.equal(0);
  });

  it("joins repeated headers", () => {
    const response = feed("HTTP/1.1 204 No Content\r\nX-A: 1\r\nx-a: 2\r\n\r\n");
    expect(response?.headers["x-a"]).to.equal("1, 2");
  });

  it("keeps binary bodies intact", () => {
    const body = Buffer.from([0, 1, 2, 255, 13, 10, 0]);
    const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`, "latin1");
    expect(feed(Buffer.concat([head, body]), 2)?.body.equals(body)).to.equal(true);
  });

  it("refuses malformed responses", () => {
    expect(() => feed("HTTP/2 200\r\n\r\n")).to.throw(/malformed status line/);
    expect(() => feed("HTTP/1.1 200 OK\r\nno colon\r\n\r\n")).to.throw(/malformed header/);
    expect(() => feed("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")).to.throw(/content-length/);
    expect(() => feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")).to.throw(/chunk size/);
    expect(() => feed("HTTP/1.1 200 OK\r\n\r\n")).to.throw(/neither content-length nor chunked/);
    expect(() => feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab")).to.throw(/unexpected bytes/);
    expect(() => new ResponseParser().push(Buffer.alloc(70 * 1024, 65))).to.throw(/too large/);
  });
});
