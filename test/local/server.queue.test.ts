// The local server's invocation queue (FIFO, one in flight), clients that leave, and backpressure on streams.
import { expect } from "chai";
import { request, type ClientRequest } from "node:http";
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

/** Resolves once the client's connection has closed on its side. */
function closed(req: ClientRequest): Promise<void> {
  return new Promise((resolve) =>
    req.socket && req.socket.closed ? resolve() : req.once("close", () => resolve()),
  );
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
    for (const [i, name] of ["A", "B", "C"].entries()) {
      clients.push(clientRequest(t, { method: "POST", path: "/invoke", body: name }));
      // Sent in this order: wait until the server has queued each before sending the next.
      await t.until(() => t.inState("queued").length === i + 1);
    }
    const [a, b, c] = t.inState("queued") as [string, string, string];
    const second = new FakeRuntime(t);
    try {
      const first = await runtime.next();
      expect(first.event.toString()).to.equal("A");
      expect(first.requestId).to.equal(a);
      // A second poller waits while A is in flight, although B and C are queued.
      const secondPoll = second.next();
      await runtime.post(`/2018-06-01/runtime/invocation/${first.requestId}/response`, '"a"');
      const polledB = await secondPoll;
      expect(polledB.event.toString()).to.equal("B");
      const thirdPoll = runtime.next();
      await second.post(`/2018-06-01/runtime/invocation/${polledB.requestId}/response`, '"b"');
      const polledC = await thirdPoll;
      expect(polledC.event.toString()).to.equal("C");
      await runtime.post(`/2018-06-01/runtime/invocation/${polledC.requestId}/response`, '"c"');
    } finally {
      second.close();
    }
    const results = await Promise.all(clients);
    expect(results.map((r) => [r.status, r.body.toString()])).to.deep.equal([
      [200, '"a"'],
      [200, '"b"'],
      [200, '"c"'],
    ]);
    // One in flight: each invocation is dispatched only after the one before it is done.
    const order = t.events
      .filter((event) => event.state === "dispatched" || event.state === "done")
      .map(
        (event) =>
          `${event.requestId === a ? "A" : event.requestId === b ? "B" : event.requestId === c ? "C" : "?"} ${event.state}`,
      );
    expect(order).to.deep.equal([
      "A dispatched",
      "A done",
      "B dispatched",
      "B done",
      "C dispatched",
      "C done",
    ]);
  });

  it("drops a queued request whose client has left", async () => {
    const first = clientRequest(t, { method: "POST", path: "/invoke", body: "first" });
    await t.until(() => t.inState("queued").length === 1);
    const leaving = request({ host: t.host, port: t.port, method: "POST", path: "/invoke", agent: false });
    leaving.on("error", () => undefined);
    leaving.end("leaving");
    await t.until(() => t.inState("queued").length === 2);
    const last = clientRequest(t, { method: "POST", path: "/invoke", body: "last" });
    await t.until(() => t.inState("queued").length === 3);
    const leavingId = t.inState("queued")[1] as string;
    const a = await runtime.next();
    leaving.destroy();
    // Dropped from the queue as soon as its client is gone: done without ever being dispatched.
    await t.until(() => t.inState("done").includes(leavingId));
    expect(t.inState("dispatched")).to.not.include(leavingId);
    await runtime.post(`/2018-06-01/runtime/invocation/${a.requestId}/response`, "1");
    const next = await runtime.next();
    expect(next.event.toString()).to.equal("last");
    await runtime.post(`/2018-06-01/runtime/invocation/${next.requestId}/response`, "2");
    expect((await first).body.toString()).to.equal("1");
    expect((await last).body.toString()).to.equal("2");
    expect(await t.logged(/client closed before the invocation started/)).to.be.a("string");
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
    await closed(leaving);
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
    // Give the writer at least half a second (more on a busy machine only means fewer writes): socket buffers
    // on both hops hold a few MB, nothing close to the whole 64 MB is accepted while the client does not read.
    await sleep(500);
    expect(accepted).to.be.lessThan(24);
    paused();
    await writer;
    await done;
    expect(received).to.equal(total * chunk.length);
    expect(((await answer) as { status: number }).status).to.equal(202);
  });
});
