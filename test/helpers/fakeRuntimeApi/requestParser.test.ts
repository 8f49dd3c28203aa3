// The fake's HTTP/1.1 request parser: pieces of any size, zero-copy body slices, trailers, malformed input.
import { expect } from "chai";
import { HttpParseError, RequestParser, type RequestHead } from "./requestParser";

interface Parsed {
  heads: RequestHead[];
  body: string;
  /** Whether every body slice was a view of the buffer handed to `push` (nothing copied). */
  slicesOfInput: boolean;
  ends: Array<{ trailers: Readonly<Record<string, string>>; lastChunk: boolean; offset: number }>;
}

/** Feeds `wire` to a fresh parser in pieces of `pieceBytes` bytes, each in a buffer of its own. */
function parse(wire: string, pieceBytes = Infinity): Parsed {
  const parsed: Parsed = { heads: [], body: "", slicesOfInput: true, ends: [] };
  let current = Buffer.alloc(0);
  const parser = new RequestParser({
    head: (head) => parsed.heads.push(head),
    body: (buffer, start, end) => {
      parsed.slicesOfInput &&= buffer === current;
      parsed.body += buffer.toString("latin1", start, end);
    },
    end: (trailers, lastChunk, _at, offset) => parsed.ends.push({ trailers, lastChunk, offset }),
  });
  const bytes = Buffer.from(wire, "latin1");
  for (let i = 0; i < bytes.length; i += Math.min(pieceBytes, bytes.length)) {
    current = Buffer.from(bytes.subarray(i, i + pieceBytes));
    parser.push(current, 0, current.length, 0);
  }
  return parsed;
}

const STREAMED =
  "POST /2018-06-01/runtime/invocation/a/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" +
  "Trailer: Lambda-Runtime-Function-Error-Type\r\n\r\n" +
  "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nLambda-Runtime-Function-Error-Type: Error\r\nX-B: 1\r\n\r\n";

describe("fake Runtime API: request parser", () => {
  it("parses a chunked request with trailers, whole or one byte at a time", () => {
    for (const pieceBytes of [Infinity, 1, 7]) {
      const parsed = parse(STREAMED, pieceBytes);
      expect(parsed.heads).to.have.length(1);
      expect(parsed.heads[0]).to.deep.include({
        method: "POST",
        path: "/2018-06-01/runtime/invocation/a/response",
      });
      expect(parsed.heads[0]?.headers["transfer-encoding"]).to.equal("chunked");
      expect(parsed.body).to.equal("hello world");
      expect(parsed.slicesOfInput, "body slices are views of the input").to.equal(true);
      expect(parsed.ends.map((e) => [e.trailers, e.lastChunk])).to.deep.equal([
        [{ "lambda-runtime-function-error-type": "Error", "x-b": "1" }, true],
      ]);
    }
  });

  it("tells a clean last chunk, a Content-Length body and an empty body apart, and where each ends", () => {
    const first = "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n";
    const second = "POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz";
    const third = "GET /c HTTP/1.1\r\nX-Twice: 1\r\nx-twice: 2\r\n\r\n";
    const parsed = parse(first + second + third);
    expect(parsed.heads.map((h) => h.path)).to.deep.equal(["/a", "/b", "/c"]);
    expect(parsed.heads[2]?.headers["x-twice"]).to.equal("1, 2");
    expect(parsed.body).to.equal("abxyz");
    expect(parsed.ends).to.deep.equal([
      { trailers: {}, lastChunk: true, offset: first.length },
      { trailers: {}, lastChunk: false, offset: first.length + second.length },
      { trailers: {}, lastChunk: false, offset: first.length + second.length + third.length },
    ]);
  });

  it("refuses what is not HTTP with 400, and an endless head with 431", () => {
    const refusal = (wire: string): HttpParseError => {
      try {
        parse(wire);
      } catch (error) {
        return error as HttpParseError;
      }
      throw new Error(`parsed ${JSON.stringify(wire.slice(0, 40))}`);
    };
    expect(refusal("SSH-2.0-OpenSSH_9.6\r\n\r\n")).to.include({ status: 400 });
    expect(refusal("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc")).to.include({
      status: 400,
      message: "chunk data not followed by CRLF",
    });
    expect(refusal("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").status).to.equal(400);
    expect(refusal("POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n").status).to.equal(400);
    expect(refusal(`GET /a HTTP/1.1\r\nX: ${"a".repeat(70_000)}`).status).to.equal(431);
  });
});
