// The local server under bad input: oversized bodies, malformed HTTP, slow clients, and where it listens.
import { expect } from "chai";
import { once } from "node:events";
import * as net from "node:net";
import { networkInterfaces } from "node:os";
import { LambdaRuntime, type StreamingLambdaHandler } from "../../runtime";
import { MAX_PAYLOAD_BYTES } from "../../local/lambdaLimits";
import { startLocalServer } from "../../local/server";
import { clientRequest, runRuntimeOn, sleep, startTestServer, type TestServer } from "./harness";

/** Echoes the event's size, so a test can tell what reached the function. */
const sizeEcho: StreamingLambdaHandler = async (event, writer) => {
  await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "text/plain" } });
  await writer.writeAndFinish(`event ${event.length} B`);
};

/** What a raw TCP client saw: the bytes the server sent, and when (ms after connecting) it closed. */
interface RawResult {
  text: string;
  closedAfterMs: number | undefined;
}

/**
 * Connects with a raw socket, sends `parts` (strings are sent `gapMs` apart), and collects the answer until
 * the server closes the connection or `waitMs` passes.
 */
async function rawClient(port: number, parts: string[], gapMs = 0, waitMs = 2000): Promise<RawResult> {
  const socket = net.connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  const started = performance.now();
  let text = "";
  let closedAfterMs: number | undefined;
  socket.on("data", (data: Buffer) => (text += data.toString("latin1")));
  socket.on("error", () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.on("close", () => {
      closedAfterMs = performance.now() - started;
      resolve();
    }),
  );
  const sending = (async () => {
    for (const part of parts) {
      if (socket.destroyed) return;
      socket.write(part, "latin1");
      if (gapMs > 0) await sleep(gapMs);
    }
  })();
  await Promise.race([closed, sleep(waitMs)]);
  socket.destroy();
  await sending;
  return { text, closedAfterMs };
}

describe("local server robustness", () => {
  let t: TestServer | undefined;
  let runtime: LambdaRuntime | undefined;
  let running: Promise<void> | undefined;

  /** A local server with our runtime serving `handler` in-process. */
  async function serve(handler: StreamingLambdaHandler, options: Parameters<typeof startTestServer>[0] = {}) {
    t = await startTestServer(options);
    ({ runtime, running } = runRuntimeOn(t, handler));
    return t;
  }

  afterEach(async () => {
    runtime?.stop();
    await t?.server.close();
    await running;
    t = runtime = running = undefined;
  });

  describe("request bodies over 6 MB", () => {
    it("accepts exactly 6 MiB on an emulated route and refuses one byte more with 413, never invoking the function", async () => {
      const server = await serve(sizeEcho, { route: "/upload" });
      const body = Buffer.alloc(MAX_PAYLOAD_BYTES, 0x41);
      const refused = await clientRequest(server, {
        method: "POST",
        path: "/upload",
        headers: { "Content-Type": "application/octet-stream" },
        body: Buffer.concat([body, Buffer.from("!")]),
      });
      expect(refused.status).to.equal(413);
      expect(refused.headers.connection).to.equal("close");
      const accepted = await clientRequest(server, {
        method: "POST",
        path: "/upload",
        headers: { "Content-Type": "application/octet-stream" },
        body,
      });
      expect(accepted.status).to.equal(200);
      // The event carries the body base64-encoded: 4/3 of 6 MiB plus the event's other fields.
      const eventSize = Number(/^event (\d+) B$/.exec(accepted.body.toString())?.[1]);
      expect(eventSize).to.be.within((MAX_PAYLOAD_BYTES * 4) / 3, (MAX_PAYLOAD_BYTES * 4) / 3 + 4096);
      // Only the accepted request reached the function.
      expect(server.logs.filter((line) => / -> 200 /.test(line))).to.have.length(1);
      expect(server.logs.filter((line) => / -> 413 /.test(line))).to.have.length(1);
    });

    it("refuses a declared 100 MB body with 413 before the client has sent it", async () => {
      const server = await serve(sizeEcho);
      const head =
        "POST /invoke HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
        `Content-Length: ${100 * 1000 * 1000}\r\n\r\n`;
      const result = await rawClient(server.port, [head, "{"]);
      expect(result.text).to.match(/^HTTP\/1\.1 413 /);
      expect(result.text).to.include("Lambda's payload limit");
      // Closed by the server, not by the raw client giving up (it waits 2 s at least).
      expect(result.closedAfterMs, "the server closed the connection").to.be.a("number");
    });
  });

  describe("malformed HTTP", () => {
    const malformed: Array<[string, string, RegExp]> = [
      ["a request line that is not HTTP", "GARBAGE\r\n\r\n", /^HTTP\/1\.1 400 /],
      [
        "an unknown HTTP method",
        "FETCH /stream HTTP/1.1\r\nHost: x\r\n\r\n",
        /^HTTP\/1\.1 400 Bad Request\r\n[^]*\r\n\r\n\{"message":"Bad Request: unknown HTTP method"\}$/,
      ],
      [
        "a header line without a colon",
        "GET /stream HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
        /^HTTP\/1\.1 400 /,
      ],
      [
        "both Content-Length and Transfer-Encoding (request smuggling)",
        "POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        /^HTTP\/1\.1 400 /,
      ],
      [
        "a malformed chunk size",
        "POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        /^HTTP\/1\.1 400 /,
      ],
      [
        "headers over 16 KiB",
        `GET /stream HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
        /^HTTP\/1\.1 431 /,
      ],
    ];
    for (const [what, bytes, answer] of malformed) {
      it(`answers ${what} with ${answer.source.slice(12, 15)} and closes, while other clients are served`, async () => {
        const server = await serve(sizeEcho);
        const bad = rawClient(server.port, [bytes]);
        const good = clientRequest(server, { path: "/stream" });
        const [badResult, goodResult] = await Promise.all([bad, good]);
        expect(badResult.text).to.match(answer);
        expect(badResult.closedAfterMs, "closed").to.be.a("number");
        expect(goodResult.status).to.equal(200);
        expect(goodResult.complete).to.equal(true);
        // Nothing malformed reached the function: one invocation, the good one.
        expect(server.logs.filter((line) => / -> \d+ /.test(line))).to.have.length(1);
      });
    }
  });

  describe("slow clients", () => {
    it("times out a client that never finishes its headers (slowloris) with 408, serving others meanwhile", async function () {
      this.timeout(20_000);
      const server = await serve(sizeEcho, { clientRequestTimeoutMs: 1000 });
      const trickle = [
        "GET /stream HTTP/1.1\r\nHost: x\r\n",
        ..."X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".split(""),
      ];
      let slowClosed = false;
      const slow = rawClient(server.port, trickle, 50, 10_000).finally(() => (slowClosed = true));
      const others = await Promise.all([1, 2, 3].map(() => clientRequest(server, { path: "/stream" })));
      // Served while the slow client still held its connection open.
      expect(slowClosed, "the others were served before the slow client was cut").to.equal(false);
      expect(others.map((r) => r.status)).to.deep.equal([200, 200, 200]);
      const slowResult = await slow;
      expect(slowResult.text).to.match(/^HTTP\/1\.1 408 /);
      expect(slowResult.closedAfterMs, "not before its time was up").to.be.at.least(1000);
    });

    it("times out a client that stops sending its body with 408, never invoking the function", async function () {
      this.timeout(10_000);
      const server = await serve(sizeEcho, { clientRequestTimeoutMs: 300 });
      const head =
        "POST /invoke HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
      const slow = rawClient(server.port, [head, '{"partial":'], 0, 10_000);
      const other = await clientRequest(server, { method: "POST", path: "/invoke", body: "{}" });
      const slowResult = await slow;
      expect(other.status).to.equal(200);
      expect(other.body.toString()).to.equal("event 2 B");
      expect(slowResult.text).to.match(/^HTTP\/1\.1 408 /);
      expect(slowResult.closedAfterMs, "not before its time was up").to.be.at.least(300);
      expect(server.logs.filter((line) => / -> 200 /.test(line))).to.have.length(1);
    });

    it("cuts a client that stops reading a stream at the deadline, then serves the queued request", async function () {
      this.timeout(10_000);
      const chunk = Buffer.alloc(64 * 1024, 0x62);
      const server = await serve(
        async (event, writer) => {
          await writer.writeStatusAndHeaders({ statusCode: 200 });
          if (event.toString() === "big") for (let i = 0; i < 1024; i++) await writer.write(chunk);
          await writer.writeAndFinish("done");
        },
        { timeoutMs: 500 },
      );
      const head = "POST /invoke HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nbig";
      // The raw client sends its request, then never reads: 64 MiB cannot fit in the socket buffers.
      const stalled = net.connect({ host: "127.0.0.1", port: server.port });
      stalled.on("error", () => undefined);
      await once(stalled, "connect");
      stalled.pause();
      stalled.write(head);
      // The stalled request is the one in flight before the next is sent.
      await server.until(() => server.inState("dispatched").length === 1);
      const queued = await clientRequest(server, { method: "POST", path: "/invoke", body: "small" });
      expect(queued.status).to.equal(200);
      expect(queued.body.toString()).to.equal("done");
      // Served only once the stalled one had ended, at its deadline.
      const [stalledId, queuedId] = server.inState("dispatched") as [string, string];
      const order = server.events.map((event) => `${event.requestId} ${event.state}`);
      expect(order.indexOf(`${stalledId} done`)).to.be.lessThan(order.indexOf(`${queuedId} dispatched`));
      expect(server.logs.some((line) => /stream cut: deadline passed/.test(line))).to.equal(true);
      // When the stalled client reads at last, it finds a cut stream: no terminating chunk.
      let received = "";
      stalled.on("data", (data: Buffer) => (received = (received + data.toString("latin1")).slice(-16)));
      const closed = once(stalled, "close");
      stalled.resume();
      await closed;
      expect(received.endsWith("0\r\n\r\n")).to.equal(false);
    });
  });

  describe("binding", () => {
    const saved = process.env.LOCAL_LAMBDA_HOST;
    afterEach(() => {
      if (saved === undefined) delete process.env.LOCAL_LAMBDA_HOST;
      else process.env.LOCAL_LAMBDA_HOST = saved;
    });

    it("listens on loopback only by default: another interface's address is refused", async () => {
      delete process.env.LOCAL_LAMBDA_HOST;
      const server = await startLocalServer({ port: 0, log: () => undefined });
      try {
        const [host, port] = server.runtimeApi.split(":");
        expect(host).to.equal("127.0.0.1");
        const loopback = net.connect({ host: "127.0.0.1", port: Number(port) });
        await once(loopback, "connect");
        loopback.destroy();
        const external = Object.values(networkInterfaces())
          .flat()
          .find((address) => address && !address.internal && address.family === "IPv4");
        if (external) {
          const attempt = net.connect({ host: external.address, port: Number(port) });
          const [error] = (await once(attempt, "error")) as [NodeJS.ErrnoException];
          expect(error.code, `connecting to ${external.address}`).to.equal("ECONNREFUSED");
        }
      } finally {
        await server.close();
      }
    });
  });
});
