// The local server with LOCAL_LAMBDA_CONCURRENCY over 1: N invocations in flight, N concurrent /next, like LMI.
import { expect } from "chai";
import { LambdaRuntime, type StreamingLambdaHandler } from "../../runtime";
import { resolveSettings } from "../../local/settings";
import {
  clientRequest,
  FakeRuntime,
  HTTP_INTEGRATION,
  preludeBytes,
  startTestServer,
  write,
  type TestServer,
} from "./harness";

const RUNTIME_PATH = "/2018-06-01/runtime/invocation";

describe("local server: LOCAL_LAMBDA_CONCURRENCY", () => {
  describe("the setting", () => {
    it("defaults to 1 and reads LOCAL_LAMBDA_CONCURRENCY; the option wins", () => {
      expect(resolveSettings({}, {}).concurrency).to.equal(1);
      expect(resolveSettings({}, { LOCAL_LAMBDA_CONCURRENCY: "8" }).concurrency).to.equal(8);
      expect(resolveSettings({ concurrency: 3 }, { LOCAL_LAMBDA_CONCURRENCY: "8" }).concurrency).to.equal(3);
    });

    it("refuses what is not a whole number of at least 1, naming the variable or the option", () => {
      expect(() => resolveSettings({}, { LOCAL_LAMBDA_CONCURRENCY: "0" })).to.throw(
        RangeError,
        /^LOCAL_LAMBDA_CONCURRENCY must be a whole number of at least 1 .*got 0\.$/,
      );
      expect(() => resolveSettings({}, { LOCAL_LAMBDA_CONCURRENCY: "two" })).to.throw(
        RangeError,
        /^LOCAL_LAMBDA_CONCURRENCY must be an integer, got "two"\.$/,
      );
      expect(() => resolveSettings({ concurrency: 1.5 }, {})).to.throw(RangeError, /^concurrency must be/);
    });
  });

  describe("the Runtime API, played by hand", () => {
    let t: TestServer;
    const runtimes: FakeRuntime[] = [];
    const runtime = (): FakeRuntime => {
      const fake = new FakeRuntime(t);
      runtimes.push(fake);
      return fake;
    };

    beforeEach(async () => {
      t = await startTestServer({ concurrency: 3 });
    });

    afterEach(async () => {
      for (const fake of runtimes.splice(0)) fake.close();
      await t.server.close();
    });

    it("hands out up to N invocations to N concurrent polls, the next one only when one ends", async () => {
      expect(t.server.concurrency).to.equal(3);
      const clients = ["A", "B", "C", "D"].map((name) =>
        clientRequest(t, { method: "POST", path: "/invoke", body: name }),
      );
      await t.until(() => t.inState("queued").length === 4);
      const pollers = [runtime(), runtime(), runtime(), runtime()];
      const [a, b, c] = await Promise.all(pollers.slice(0, 3).map((poller) => poller.next()));
      expect([a, b, c].map((polled) => polled?.event.toString()).sort()).to.deep.equal(["A", "B", "C"]);
      // A fourth poll waits: three are in flight.
      const fourth = (pollers[3] as FakeRuntime).next();
      await t.until(() => t.polls === 4);
      expect(t.inState("dispatched")).to.have.length(3);
      // Replies to any invocation in flight are accepted, in any order.
      const second = b as { requestId: string; event: Buffer };
      expect(
        await (pollers[1] as FakeRuntime).post(`${RUNTIME_PATH}/${second.requestId}/response`, '"b"'),
      ).to.include({ status: 202 });
      const d = await fourth;
      expect(d.event.toString()).to.equal("D");
      for (const [index, polled] of [a, c, d].entries()) {
        const poller = pollers[[0, 2, 3][index] as number] as FakeRuntime;
        const name = polled?.event.toString().toLowerCase();
        await poller.post(`${RUNTIME_PATH}/${polled?.requestId}/response`, `"${name}"`);
      }
      const results = await Promise.all(clients);
      expect(results.map((r) => [r.status, r.body.toString()])).to.deep.equal([
        [200, '"a"'],
        [200, '"b"'],
        [200, '"c"'],
        [200, '"d"'],
      ]);
      // D was dispatched only after B, the first to end, was done.
      const order = t.events.map((event) => `${event.requestId} ${event.state}`);
      expect(order.indexOf(`${d.requestId} dispatched`)).to.be.greaterThan(
        order.indexOf(`${second.requestId} done`),
      );
    });

    it("refuses a reply for an invocation not in flight (400) and a second reply while one arrives (403)", async () => {
      const clients = ["A", "B"].map((name) =>
        clientRequest(t, { method: "POST", path: "/invoke", body: name }),
      );
      const pollers = [runtime(), runtime()];
      const [a, b] = await Promise.all(pollers.map((poller) => poller.next()));
      const [first, second] = pollers as [FakeRuntime, FakeRuntime];
      const unknown = await first.post(`${RUNTIME_PATH}/not-a-request-id/response`, "{}");
      expect(unknown.status).to.equal(400);
      expect(JSON.parse(unknown.body)).to.include({ errorType: "InvalidRequestID" });
      const stream = first.stream(a?.requestId as string, "application/octet-stream");
      await write(stream.req, "a");
      await t.until(() => t.inState("replying").length === 1);
      const meanwhile = await second.post(`${RUNTIME_PATH}/${a?.requestId}/response`, '"again"');
      expect(meanwhile.status).to.equal(403);
      stream.req.end();
      expect(await stream.answer).to.include({ status: 202 });
      expect(await second.post(`${RUNTIME_PATH}/${a?.requestId}/response`, '"late"')).to.include({
        status: 400,
      });
      expect(await second.post(`${RUNTIME_PATH}/${b?.requestId}/error`, "{}")).to.include({ status: 202 });
      const [answerA, answerB] = await Promise.all(clients);
      expect(answerA?.body.toString()).to.equal("a");
      expect(answerB?.status).to.equal(502);
    });

    it("relays interleaved streams to their own clients, byte for byte", async () => {
      const clients = ["A", "B"].map((name) =>
        clientRequest(t, { path: "/stream", headers: { "x-name": name } }),
      );
      const pollers = [runtime(), runtime()];
      const polled = await Promise.all(pollers.map((poller) => poller.next()));
      const streams = polled.map((invocation, index) =>
        (pollers[index] as FakeRuntime).stream(invocation.requestId, HTTP_INTEGRATION),
      );
      const nameOf = (index: number): string =>
        (JSON.parse(polled[index]?.event.toString() ?? "{}") as { headers: Record<string, string> }).headers[
          "x-name"
        ] ?? "?";
      for (const [index, stream] of streams.entries()) {
        await write(stream.req, preludeBytes({ statusCode: 200, headers: { "x-stream": nameOf(index) } }));
      }
      for (let round = 0; round < 5; round++) {
        for (const [index, stream] of streams.entries()) await write(stream.req, `${nameOf(index)}${round};`);
      }
      for (const stream of streams) stream.req.end();
      const results = await Promise.all(clients);
      for (const [index, result] of results.entries()) {
        const name = ["A", "B"][index] as string;
        expect(result.headers["x-stream"]).to.equal(name);
        expect(result.body.toString()).to.equal([0, 1, 2, 3, 4].map((round) => `${name}${round};`).join(""));
        expect(result.complete).to.equal(true);
      }
    });

    it("cuts every invocation in flight when it closes", async () => {
      const clients = ["A", "B", "C"].map((name) =>
        clientRequest(t, { method: "POST", path: "/invoke", body: name }),
      );
      await Promise.all([runtime(), runtime(), runtime()].map((poller) => poller.next()));
      await t.server.close();
      const results = await Promise.all(clients);
      expect(results.map((result) => result.status)).to.deep.equal([503, 503, 503]);
    });
  });

  describe("with our runtime polling N at once", () => {
    it("runs N handlers at the same time (each waits until all N have started)", async () => {
      const concurrency = 4;
      const t = await startTestServer({ concurrency });
      let started = 0;
      let release: () => void = () => undefined;
      const allStarted = new Promise<void>((resolve) => (release = resolve));
      const handler: StreamingLambdaHandler = async (event, writer, context) => {
        if (++started === concurrency) release();
        await allStarted;
        await writer.writeStatusAndHeaders({ statusCode: 200 });
        await writer.writeAndFinish(`${context.requestId} ${event.toString()}`);
      };
      const runtime = new LambdaRuntime(handler, {
        runtimeApi: t.server.runtimeApi,
        maxConcurrency: concurrency,
        workers: 0,
        env: {},
        log: { warn: () => undefined, error: () => undefined },
        onFatalError: () => undefined,
      });
      const running = runtime.run();
      try {
        const results = await Promise.all(
          [1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
            clientRequest(t, { method: "POST", path: "/invoke", body: String(n) }),
          ),
        );
        for (const [index, result] of results.entries()) {
          const requestId = result.headers["x-amzn-requestid"];
          expect(result.body.toString()).to.equal(`${requestId} ${index + 1}`);
        }
        expect(started).to.equal(8);
      } finally {
        runtime.stop();
        await t.server.close();
        await running;
      }
    });
  });
});
