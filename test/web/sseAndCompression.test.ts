// fetchHandler with compression and server-sent events, through our runtime and the local server.
import { expect } from "chai";
import { createGunzip } from "node:zlib";
import { eventStreamResponse, fetchHandler, type LambdaRuntime } from "../../runtime";
import { clientRequest, runRuntimeOn, startTestServer, type TestServer } from "../local/harness";

const PIECES = ["first line\n", "second line, a little longer\n", "third\n", "done\n"];

/** A promise with its resolver, for a step one side waits on and the other side takes. */
function step(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("fetchHandler with compression and server-sent events, through the local server", () => {
  let t: TestServer;
  let runtime: LambdaRuntime;
  let running: Promise<void>;
  /** steps[i] resolves once the client has decoded pieces 0..i-1: the app writes piece i only then. */
  let steps: Array<ReturnType<typeof step>> = [];

  before(async () => {
    t = await startTestServer({ route: "*" });
    const app = async (request: Request): Promise<Response> => {
      const path = new URL(request.url).pathname;
      if (path === "/events") {
        return eventStreamResponse(
          async (events) => {
            for (const [i, piece] of PIECES.entries()) {
              await steps[i]?.promise;
              await events.send({ id: String(i), data: piece.trim() });
            }
          },
          { signal: request.signal },
        );
      }
      const headers = new Headers([
        ["content-type", "text/plain; charset=utf-8"],
        ["set-cookie", "a=1; Path=/"],
        ["set-cookie", "b=2; Path=/"],
      ]);
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          for (const [i, piece] of PIECES.entries()) {
            await steps[i]?.promise;
            controller.enqueue(new TextEncoder().encode(piece));
          }
          controller.close();
        },
      });
      return new Response(body, { headers });
    };
    ({ runtime, running } = runRuntimeOn(t, fetchHandler(app, { compression: true })));
  });

  beforeEach(() => {
    steps = PIECES.map((_, i) => {
      const s = step();
      if (i === 0) s.resolve();
      return s;
    });
  });

  after(async () => {
    runtime.stop();
    await t.server.close();
    await running;
  });

  it("gzips for a client that accepts it, each chunk decodable before the app writes the next", async () => {
    const gunzip = createGunzip();
    let decoded = "";
    gunzip.on("data", (data: Buffer) => {
      decoded += data.toString("utf8");
      // Piece i decoded in full: let the app write piece i + 1.
      for (let i = 0; i < PIECES.length; i++) {
        if (decoded === PIECES.slice(0, i + 1).join("")) steps[i + 1]?.resolve();
      }
    });
    const result = await clientRequest(t, {
      path: "/text",
      headers: { "accept-encoding": "gzip" },
      onData: (data) => {
        gunzip.write(data);
        gunzip.flush();
      },
    });
    await new Promise((resolve) => gunzip.end(resolve));
    expect(result.status).to.equal(200);
    expect(result.complete).to.equal(true);
    expect(result.headers["content-encoding"]).to.equal("gzip");
    expect(result.headers["vary"]).to.equal("Accept-Encoding");
    expect(result.headers["content-length"]).to.equal(undefined);
    expect(result.headers["set-cookie"]).to.deep.equal(["a=1; Path=/", "b=2; Path=/"]);
    expect(decoded).to.equal(PIECES.join(""));
  });

  it("sends the body as is to a client that accepts no coding", async () => {
    for (const s of steps) s.resolve();
    const result = await clientRequest(t, { path: "/text" });
    expect(result.headers["content-encoding"]).to.equal(undefined);
    expect(result.headers["vary"]).to.equal("Accept-Encoding");
    expect(result.body.toString()).to.equal(PIECES.join(""));
  });

  it("never compresses an event stream; each event reaches the client before the next is sent", async () => {
    let received = "";
    const result = await clientRequest(t, {
      path: "/events",
      headers: { "accept-encoding": "gzip, br" },
      onData: (data) => {
        received += data.toString("utf8");
        PIECES.forEach((piece, i) => {
          if (received.includes(`data: ${piece.trim()}\n\n`)) steps[i + 1]?.resolve();
        });
      },
    });
    expect(result.headers["content-type"]).to.equal("text/event-stream");
    expect(result.headers["content-encoding"]).to.equal(undefined);
    expect(result.body.toString()).to.equal(
      PIECES.map((piece, i) => `id: ${i}\ndata: ${piece.trim()}\n\n`).join(""),
    );
  });

  it("refuses a bad compression option when the handler is made, naming it", () => {
    const app = (): Response => new Response("x");
    expect(() => fetchHandler(app, { compression: { gzipLevel: 0 } })).to.throw(
      RangeError,
      /options\.compression: compression gzipLevel/,
    );
    expect(() => fetchHandler(app, { compression: "yes" as never })).to.throw(
      TypeError,
      /options\.compression/,
    );
  });
});
