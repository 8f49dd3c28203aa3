// Streaming compression: negotiation, header rules, and every chunk decodable as it arrives (fast-check).
import { expect } from "chai";
import fc from "fast-check";
import {
  brotliDecompressSync,
  constants,
  createBrotliDecompress,
  createGunzip,
  gunzipSync,
  type BrotliDecompress,
  type Gunzip,
} from "node:zlib";
import {
  compressResponse,
  compressWriter,
  negotiateEncoding,
  type CompressionOptions,
  type ContentCoding,
} from "../../runtime/compression";
import type { LambdaResponseStreamWriter, ResponseChunk } from "../../runtime/handler";
import type { StreamingLambdaStatusAndHeadersResponse } from "../../runtime/prelude";
import { ResponseStreamStateError } from "../../runtime/errors";

/** A decompressor fed piece by piece: `feed` resolves with everything decoded so far, flushed. */
class LiveDecoder {
  readonly #stream: Gunzip | BrotliDecompress;
  #decoded: Buffer[] = [];

  constructor(coding: ContentCoding) {
    this.#stream = coding === "gzip" ? createGunzip() : createBrotliDecompress();
    this.#stream.on("data", (out: Buffer) => this.#decoded.push(out));
  }

  /** Writes `piece`, flushes the decoder, and resolves with all the output so far. */
  feed(piece: Uint8Array): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.#stream.once("error", reject);
      this.#stream.write(piece);
      this.#stream.flush(() => {
        this.#stream.off("error", reject);
        resolve(Buffer.concat(this.#decoded));
      });
    });
  }

  close(): void {
    this.#stream.destroy();
  }
}

/** Decodes a whole compressed body strictly: a missing end is an error. */
function decodeWhole(coding: ContentCoding, bytes: Buffer): Buffer {
  return coding === "gzip" ? gunzipSync(bytes) : brotliDecompressSync(bytes);
}

/** A response writer that records the prelude and each write, as the runtime's writer would receive them. */
class RecordingWriter implements LambdaResponseStreamWriter {
  prelude: StreamingLambdaStatusAndHeadersResponse | undefined;
  readonly writes: Buffer[] = [];
  finished = false;

  async writeStatusAndHeaders(response: StreamingLambdaStatusAndHeadersResponse): Promise<void> {
    this.prelude = response;
  }
  async write(chunk: ResponseChunk): Promise<void> {
    if (this.finished) throw new ResponseStreamStateError("write after finish");
    this.writes.push(Buffer.from(chunk));
  }
  async pipe(): Promise<void> {
    throw new Error("not used");
  }
  async finish(): Promise<void> {
    if (this.finished) throw new ResponseStreamStateError("finish twice");
    this.finished = true;
  }
  async writeAndFinish(chunk: ResponseChunk): Promise<void> {
    await this.write(chunk);
    await this.finish();
  }
}

/** A response body the test feeds one chunk at a time. */
function controlledBody(): {
  body: ReadableStream<Uint8Array>;
  push(chunk: Uint8Array): void;
  end(): void;
} {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return { body, push: (chunk) => controller.enqueue(chunk), end: () => controller.close() };
}

function requestWith(acceptEncoding?: string, method = "GET"): Request {
  return new Request("https://example.com/", {
    method,
    headers: acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding },
  });
}

const coding = fc.constantFrom<ContentCoding>("gzip", "br");
/** Non-empty chunks: text-like and random bytes. */
const chunks = fc.array(
  fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 2048 }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 300 }).map((s) => new Uint8Array(Buffer.from(s))),
  ),
  { minLength: 1, maxLength: 8 },
);

describe("negotiateEncoding", () => {
  const cases: Array<[string | undefined, ContentCoding | undefined, CompressionOptions["encodings"]?]> = [
    [undefined, undefined],
    ["", undefined],
    ["identity", undefined],
    ["gzip", "gzip"],
    ["x-gzip", "gzip"],
    ["GZIP;Q=0.8", "gzip"],
    ["gzip, deflate, br, zstd", "br"],
    ["gzip, br", "gzip", ["gzip", "br"]],
    ["br;q=0.5, gzip", "gzip"],
    ["br;q=0.001", "br"],
    ["*", "br"],
    ["*;q=0, gzip", "gzip"],
    ["br;q=0, *", "gzip"],
    ["br;q=0, gzip;q=0", undefined],
    ["gzip;q=abc", undefined],
    ["gzip;q=1.5", undefined],
    ["deflate", undefined],
    ["gzip, br", "gzip", ["gzip"]],
  ];
  for (const [header, expected, encodings] of cases) {
    it(`${JSON.stringify(header)}${encodings ? ` offering ${encodings.join(",")}` : ""} -> ${expected}`, () => {
      expect(negotiateEncoding(header, encodings)).to.equal(expected);
    });
  }
});

describe("compressResponse (web Responses)", () => {
  it("streams: each chunk decodes completely as it arrives, and the whole body is identical", async () => {
    await fc.assert(
      fc.asyncProperty(coding, chunks, async (chosen, parts) => {
        const source = controlledBody();
        const response = compressResponse(
          requestWith(chosen),
          new Response(source.body, { headers: { "content-type": "text/plain" } }),
        );
        expect(response.headers.get("content-encoding")).to.equal(chosen);
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        const decoder = new LiveDecoder(chosen);
        const received: Buffer[] = [];
        try {
          for (let i = 0; i < parts.length; i++) {
            source.push(parts[i] as Uint8Array);
            // The compressed chunk for this input, before the next input exists.
            const { value, done } = await reader.read();
            expect(done).to.equal(false);
            received.push(Buffer.from(value as Uint8Array));
            const decoded = await decoder.feed(value as Uint8Array);
            expect(decoded.equals(Buffer.concat(parts.slice(0, i + 1))), `after chunk ${i}`).to.equal(true);
          }
          source.end();
          for (let next = await reader.read(); !next.done; next = await reader.read()) {
            received.push(Buffer.from(next.value));
          }
          expect(decodeWhole(chosen, Buffer.concat(received)).equals(Buffer.concat(parts))).to.equal(true);
        } finally {
          decoder.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it("sets Content-Encoding, drops Content-Length, adds to Vary, keeps status and every Set-Cookie", async () => {
    const headers = new Headers([
      ["content-type", "application/json; charset=utf-8"],
      ["content-length", "11"],
      ["vary", "Origin"],
      ["set-cookie", "a=1"],
      ["set-cookie", "b=2"],
    ]);
    const response = compressResponse(
      requestWith("gzip"),
      new Response('{"ok":true}', { status: 201, statusText: "Created", headers }),
    );
    expect(response.status).to.equal(201);
    expect(response.statusText).to.equal("Created");
    expect(response.headers.get("content-encoding")).to.equal("gzip");
    expect(response.headers.has("content-length")).to.equal(false);
    expect(response.headers.get("vary")).to.equal("Origin, Accept-Encoding");
    expect(response.headers.getSetCookie()).to.deep.equal(["a=1", "b=2"]);
    expect(gunzipSync(Buffer.from(await response.arrayBuffer())).toString()).to.equal('{"ok":true}');
  });

  it("leaves alone: event streams (unless asked), encoded bodies, images, HEAD, 204/304, empty bodies", async () => {
    const untouched: Array<[Request, Response]> = [
      [
        requestWith("gzip"),
        new Response("data: x\n\n", { headers: { "content-type": "text/event-stream" } }),
      ],
      [
        requestWith("gzip"),
        new Response("x", { headers: { "content-type": "text/plain", "content-encoding": "br" } }),
      ],
      [requestWith("gzip"), new Response("x", { headers: { "content-type": "image/png" } })],
      [
        requestWith("gzip"),
        new Response("x", {
          status: 206,
          headers: { "content-type": "text/plain", "content-range": "bytes 0-0/9" },
        }),
      ],
      [
        requestWith("gzip"),
        new Response("x", {
          headers: { "content-type": "text/plain", "cache-control": "public, no-transform" },
        }),
      ],
      [requestWith("gzip"), new Response(null, { status: 204, headers: { "content-type": "text/plain" } })],
      [requestWith("gzip"), new Response(null, { status: 304, headers: { "content-type": "text/plain" } })],
      [requestWith("gzip"), new Response(null, { headers: { "content-type": "text/plain" } })],
      [requestWith("gzip"), new Response(new Uint8Array([1, 2]))], // no Content-Type
    ];
    for (const [request, response] of untouched) {
      expect(compressResponse(request, response), response.headers.get("content-type") ?? "none").to.equal(
        response,
      );
    }
    const asked = compressResponse(
      requestWith("gzip"),
      new Response("data: x\n\n", { headers: { "content-type": "text/event-stream" } }),
      { eventStream: true },
    );
    expect(asked.headers.get("content-encoding")).to.equal("gzip");
    expect(gunzipSync(Buffer.from(await asked.arrayBuffer())).toString()).to.equal("data: x\n\n");
  });

  it("gives a HEAD response the headers its GET would get, and no body", async () => {
    const response = compressResponse(
      requestWith("br", "HEAD"),
      new Response(null, { headers: { "content-type": "text/html", "content-length": "1234" } }),
    );
    expect(response.headers.get("content-encoding")).to.equal("br");
    expect(response.headers.has("content-length")).to.equal(false);
    expect(response.headers.get("vary")).to.equal("Accept-Encoding");
    expect(response.body).to.equal(null);
  });

  it("without an accepted coding: the body as is, with Vary: Accept-Encoding", async () => {
    const response = compressResponse(
      requestWith(),
      new Response("plain", { headers: { "content-type": "text/plain", "content-length": "5" } }),
    );
    expect(response.headers.has("content-encoding")).to.equal(false);
    expect(response.headers.get("content-length")).to.equal("5");
    expect(response.headers.get("vary")).to.equal("Accept-Encoding");
    expect(await response.text()).to.equal("plain");
  });

  it("refuses bad options, naming them", () => {
    const response = new Response("x");
    expect(() => compressResponse(requestWith("gzip"), response, { gzipLevel: 10 })).to.throw(
      RangeError,
      /gzipLevel/,
    );
    expect(() => compressResponse(requestWith("gzip"), response, { brotliQuality: 12 })).to.throw(
      RangeError,
      /brotliQuality/,
    );
    expect(() =>
      compressResponse(requestWith("gzip"), response, { encodings: ["deflate" as ContentCoding] }),
    ).to.throw(TypeError, /encodings/);
  });
});

describe("compressWriter (writer handlers)", () => {
  it("compresses each write into one write that decodes completely at once; finish ends the stream", async () => {
    await fc.assert(
      fc.asyncProperty(coding, chunks, fc.boolean(), async (chosen, parts, asText) => {
        const inner = new RecordingWriter();
        const writer = compressWriter(inner, `${chosen};q=1, identity;q=0.5`);
        await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "text/plain" } });
        expect(inner.prelude?.headers?.["Content-Encoding"]).to.equal(chosen);
        const decoder = new LiveDecoder(chosen);
        try {
          for (let i = 0; i < parts.length; i++) {
            const part = parts[i] as Uint8Array;
            await writer.write(asText ? Buffer.from(part).toString("latin1") : part);
            expect(inner.writes, "one write per chunk").to.have.length(i + 1);
            const decoded = await decoder.feed(inner.writes[i] as Buffer);
            const expected = parts
              .slice(0, i + 1)
              .map((p) => (asText ? Buffer.from(Buffer.from(p).toString("latin1")) : p));
            expect(decoded.equals(Buffer.concat(expected)), `after chunk ${i}`).to.equal(true);
          }
          await writer.finish();
          expect(inner.finished).to.equal(true);
          const whole = decodeWhole(chosen, Buffer.concat(inner.writes));
          const sent = parts.map((p) => (asText ? Buffer.from(Buffer.from(p).toString("latin1")) : p));
          expect(whole.equals(Buffer.concat(sent))).to.equal(true);
        } finally {
          decoder.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it("applies the header rules to the prelude's headers and multiValueHeaders, case-insensitively", async () => {
    const inner = new RecordingWriter();
    const writer = compressWriter(inner, "br");
    await writer.writeStatusAndHeaders({
      statusCode: 200,
      headers: { "content-type": "application/json", "CONTENT-LENGTH": "2", "x-keep": "1" },
      multiValueHeaders: { "Content-Length": ["2"], Vary: ["Origin", "Cookie"] },
      cookies: ["a=1", "b=2"],
    });
    expect(inner.prelude).to.deep.equal({
      statusCode: 200,
      headers: {
        "content-type": "application/json",
        "x-keep": "1",
        Vary: "Origin, Cookie, Accept-Encoding",
        "Content-Encoding": "br",
      },
      multiValueHeaders: {},
      cookies: ["a=1", "b=2"],
    });
    await writer.writeAndFinish("{}");
    expect(brotliDecompressSync(Buffer.concat(inner.writes)).toString()).to.equal("{}");
    expect(await writer.write("late").catch((error: unknown) => error)).to.be.instanceOf(
      ResponseStreamStateError,
    );
  });

  it("passes through: event streams, encoded bodies, non-text types, no prelude, no accepted coding", async () => {
    const preludes: StreamingLambdaStatusAndHeadersResponse[] = [
      { statusCode: 200, headers: { "Content-Type": "text/event-stream" } },
      {
        statusCode: 200,
        headers: { "Content-Type": "text/plain" },
        multiValueHeaders: { "content-encoding": ["gzip"] },
      },
      { statusCode: 200, headers: { "Content-Type": "application/octet-stream" } },
      { statusCode: 304, headers: { "Content-Type": "text/plain" } },
      { statusCode: 200 },
      { statusCode: 200, headers: { "Content-Type": "text/plain", "Cache-Control": "no-transform" } },
    ];
    for (const prelude of preludes) {
      const inner = new RecordingWriter();
      const writer = compressWriter(inner, "gzip, br");
      await writer.writeStatusAndHeaders(prelude);
      await writer.writeAndFinish("raw");
      expect(inner.prelude).to.equal(prelude);
      expect(Buffer.concat(inner.writes).toString()).to.equal("raw");
    }
    const noPrelude = new RecordingWriter();
    await compressWriter(noPrelude, "gzip").writeAndFinish("raw");
    expect(Buffer.concat(noPrelude.writes).toString()).to.equal("raw");

    const notAccepted = new RecordingWriter();
    const writer = compressWriter(notAccepted, undefined);
    await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "text/plain" } });
    await writer.writeAndFinish("raw");
    expect(notAccepted.prelude?.headers).to.deep.equal({
      "Content-Type": "text/plain",
      Vary: "Accept-Encoding",
    });
    expect(Buffer.concat(notAccepted.writes).toString()).to.equal("raw");

    const sse = new RecordingWriter();
    const asked = compressWriter(sse, "gzip", { eventStream: true });
    await asked.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "text/event-stream" } });
    await asked.writeAndFinish("data: x\n\n");
    expect(gunzipSync(Buffer.concat(sse.writes)).toString()).to.equal("data: x\n\n");
  });

  it("sync-flushes: what was written so far decodes even before finish", async () => {
    const inner = new RecordingWriter();
    const writer = compressWriter(inner, "gzip");
    await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "text/plain" } });
    await writer.write("hello ");
    await writer.write("world");
    const partial = gunzipSync(Buffer.concat(inner.writes), { finishFlush: constants.Z_SYNC_FLUSH });
    expect(partial.toString()).to.equal("hello world");
    expect(() => gunzipSync(Buffer.concat(inner.writes))).to.throw(/unexpected end/);
  });
});
