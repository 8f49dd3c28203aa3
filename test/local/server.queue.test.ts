// The local server's invocation queue (FIFO, one in flight), clients that leave, and backpressure on big streams.
import { expect } from "chai";
import { request } from "node:http";
import {
  clientRequest,
  FakeRuntime,
  HTTP_INTEGRATION,
  preludeBytes,
  sleep,
  startTestServer,
  write,
  type TestServer,
} from "./harness";

/** Resolves with "pending" if `promise` has not settled within `ms`. */
async function stillPending<T>(promise: Promise<T>, ms: number): Promise<T | "pending"> {
  return Promise.race([promise, sleep(ms).then(() => "pending" as const)]);
}

describe("local server: queue and backpressure", () => {
  let t: TestServer;
  let runtime: FakeRuntime;

  beforeEach(async () => {
    t = await startTestServer();
    runtime = new FakeRuntime(t);
  });

  afterEach(async () => {
    runtime.close();
    await t.server.close();
  });

  it("queues concurrent requests FIFO, one in flight, and serves them all", async () => {
    const clients = [];
    for (const name of ["A", "B", "C"]) {
      clients.push(clientRequest(t, { method: "POST", path: "/invoke", body: name }));
      await sleep(20);
    }
    const second = new FakeRuntime(t);
    try {
      const first = await runtime.next();
      expect(first.event.toString()).to.equal("A");
      // A second poller gets nothing while A is in flight, even though B and C are queued.
      const secondPoll = second.next();
      expect(await stillPending(secondPoll, 150)).to.equal("pending");
      await runtime.post(`/2018-06-01/runtime/invocation/${first.requestId}/response`, '"a"');
      const b = await secondPoll;
      expect(b.event.toString()).to.equal("B");
      expect(b.requestId).to.not.equal(first.requestId);
      const thirdPoll = runtime.next();
      expect(await stillPending(thirdPoll, 100)).to.equal("pending");
      await second.post(`/2018-06-01/runtime/invocation/${b.requestId}/response`, '"b"');
      const c = await thirdPoll;
      expect(c.event.toString()).to.equal("C");
      await runtime.post(`/2018-06-01/runtime/invocation/${c.requestId}/response`, '"c"');
    } finally {
      second.close();
    }
    const results = await Promise.all(clients);
    expect(results.map((r) => [r.status, r.body.toString()])).to.deep.equal([
      [200, '"a"'],
      [200, '"b"'],
      [200, '"c"'],
    ]);
  });

  it("drops a queued request whose client has left", async () => {
    const first = clientRequest(t, { method: "POST", path: "/invoke", body: "first" });
    await sleep(20);
    const leaving = request({ host: t.host, port: t.port, method: "POST", path: "/invoke", agent: false });
    leaving.on("error", () => undefined);
    leaving.end("leaving");
    await sleep(20);
    const last = clientRequest(t, { method: "POST", path: "/invoke", body: "last" });
    const a = await runtime.next();
    leaving.destroy();
    await sleep(20);
    await runtime.post(`/2018-06-01/runtime/invocation/${a.requestId}/response`, "1");
    const next = await runtime.next();
    expect(next.event.toString()).to.equal("last");
    await runtime.post(`/2018-06-01/runtime/invocation/${next.requestId}/response`, "2");
    expect((await first).body.toString()).to.equal("1");
    expect((await last).body.toString()).to.equal("2");
    expect(t.logs.some((l) => l.includes("client closed before the invocation started"))).to.equal(true);
  });

  it("lets a stream whose client left run to its end, then serves the next request", async () => {
    const leaving = request({ host: t.host, port: t.port, path: "/stream", agent: false });
    leaving.on("error", () => undefined);
    const headers = new Promise<void>((resolve) => leaving.on("response", () => resolve()));
    leaving.end();
    const { requestId } = await runtime.next();
    const { req, answer } = runtime.stream(requestId, HTTP_INTEGRATION);
    await write(req, preludeBytes({ statusCode: 200 }));
    await headers;
    leaving.destroy();
    await sleep(30);
    for (let i = 0; i < 8; i++) await write(req, Buffer.alloc(256 * 1024, i));
    req.end();
    // The runtime is told its response was accepted: the invocation ended normally.
    expect(await answer).to.deep.equal({ status: 202, body: '{"status":"OK"}' });
    const next = clientRequest(t, { method: "POST", path: "/invoke", body: "next" });
    const invocation = await runtime.next();
    expect(invocation.event.toString()).to.equal("next");
    await runtime.post(`/2018-06-01/runtime/invocation/${invocation.requestId}/response`, "ok");
    expect((await next).body.toString()).to.equal("ok");
  });

  it("applies backpressure: a client that stops reading stops the runtime's writes", async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x5a);
    const total = 64;
    let received = 0;
    let paused: () => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      const req = request({ host: t.host, port: t.port, path: "/stream", agent: false }, (res) => {
        res.pause();
        paused = () => res.resume();
        res.on("data", (c: Buffer) => (received += c.length));
        res.on("end", resolve);
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
    const { requestId } = await runtime.next();
    const { req, answer } = runtime.stream(requestId, HTTP_INTEGRATION);
    await write(req, preludeBytes({ statusCode: 200 }));
    let accepted = 0;
    const writer = (async () => {
      for (let i = 0; i < total; i++) {
        await write(req, chunk);
        accepted++;
      }
      req.end();
    })();
    await sleep(500);
    // Socket buffers on both hops hold a few MB; nothing close to the whole 64 MB is accepted.
    expect(accepted).to.be.lessThan(24);
    paused();
    await writer;
    await done;
    expect(received).to.equal(total * chunk.length);
    expect(((await answer) as { status: number }).status).to.equal(202);
  });

  it("relays 200 MiB without buffering it: RSS growth stays far below the payload", async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x33);
    const total = 200;
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    let received = 0;
    const done = new Promise<void>((resolve, reject) => {
      const req = request({ host: t.host, port: t.port, path: "/stream", agent: false }, (res) => {
        res.on("data", (c: Buffer) => (received += c.length));
        res.on("end", resolve);
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
    const { requestId } = await runtime.next();
    const { req, answer } = runtime.stream(requestId, "application/octet-stream");
    const started = performance.now();
    for (let i = 0; i < total; i++) await write(req, chunk);
    req.end();
    await done;
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    expect(received).to.equal(total * chunk.length);
    expect(((await answer) as { status: number }).status).to.equal(202);
    const growthMiB = (peak - baseline) / 1024 / 1024;
    expect(growthMiB).to.be.lessThan(100);
    t.logs.push(`measured: 200 MiB in ${seconds.toFixed(2)} s, peak RSS growth ${growthMiB.toFixed(1)} MiB`);
  });
});
