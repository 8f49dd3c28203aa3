// Our runtime when the Runtime API misbehaves: 500s, dropped connections, unreachable, init errors.
import { expect } from "chai";
import * as net from "node:net";
import * as path from "node:path";
import { LambdaRuntime } from "../../runtime";
import { bundleHandler, runChild } from "../helpers/childRuntime";
import { FakeRuntimeApi } from "../helpers/fakeRuntimeApi";
import { LAMBDA_ENV, startHarness, type Harness } from "../helpers/runtimeHarness";

describe("LambdaRuntime when the Runtime API misbehaves", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it("stops with a fatal error naming the path and status when /next answers 500", async () => {
    const api = await new FakeRuntimeApi().start();
    api.responder = (request, res) => {
      res.writeHead(500, { "Content-Type": "application/json" }).end('{"errorType":"ServiceException"}');
      return true;
    };
    harness = await startHarness(async () => undefined, api);
    await harness.done;
    expect(harness.fatal).to.have.length(1);
    expect(harness.fatal[0]?.message).to.equal(
      'the Runtime API answered GET /2018-06-01/runtime/invocation/next with 500: {"errorType":"ServiceException"}',
    );
  });

  it("retries an unreachable Runtime API briefly, then stops naming the address", async () => {
    const closed = net.createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => closed.once("listening", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    closed.close();
    const fatal: Error[] = [];
    const started = Date.now();
    await new LambdaRuntime(async () => undefined, {
      runtimeApi: `127.0.0.1:${port}`,
      env: LAMBDA_ENV,
      log: { warn: () => undefined, error: () => undefined },
      onFatalError: (error) => fatal.push(error),
    }).run();
    expect(fatal[0]?.message).to.match(
      new RegExp(
        `^/2018-06-01/runtime/invocation/next failed 6 times in a row; last: connection to the Lambda Runtime API at 127\\.0\\.0\\.1:${port} failed`,
      ),
    );
    expect(Date.now() - started).to.be.within(500, 5000);
  });

  it("logs a dropped connection during the response POST and serves the next invocation", async () => {
    const api = await new FakeRuntimeApi().start();
    api.responder = (request, res) => {
      if (request.path.includes("/drop/")) {
        res.socket?.destroy();
        return true;
      }
      return false;
    };
    harness = await startHarness(async (_event, writer) => writer.writeAndFinish("data"), api);
    api.enqueue({ requestId: "drop", event: "{}" });
    api.enqueue({ requestId: "next", event: "{}" });
    await api.waitForReplies(2);
    expect(api.replies.map((r) => r.path)).to.deep.equal([
      "/2018-06-01/runtime/invocation/drop/response",
      "/2018-06-01/runtime/invocation/next/response",
    ]);
    expect(harness.logs.join("\n")).to.match(
      /ERROR \[runtime\] drop: streaming the response failed: connection/,
    );
    expect(harness.fatal).to.deep.equal([]);
  });

  it("logs a 413 or 500 answer to a response, naming the path, and keeps serving", async () => {
    const api = await new FakeRuntimeApi().start();
    api.responder = (request, res) => {
      if (request.path.includes("/too-big/")) {
        res.writeHead(413, { "Content-Type": "application/json" }).end('{"errorType":"RequestTooLarge"}');
        return true;
      }
      if (request.path.includes("/broken/")) {
        res.writeHead(500).end();
        return true;
      }
      return false;
    };
    harness = await startHarness(async (_event, writer) => writer.writeAndFinish("x"), api);
    for (const requestId of ["too-big", "broken", "fine"]) api.enqueue({ requestId, event: "{}" });
    await api.waitForReplies(3);
    const logs = harness.logs.join("\n");
    expect(logs).to.include(
      'too-big: streaming the response failed: the Runtime API answered POST /2018-06-01/runtime/invocation/too-big/response with 413: {"errorType":"RequestTooLarge"}',
    );
    expect(logs).to.include("broken: streaming the response failed: the Runtime API answered POST");
    expect(api.replies[2]?.body.toString()).to.equal("x");
  });

  it("reports a handler that throws while loading on /init/error and exits with status 1", async function () {
    this.timeout(20_000);
    const bundle = await bundleHandler(path.join(__dirname, "../fixtures/throwsOnLoad.ts"));
    const api = await new FakeRuntimeApi().start();
    const child = runChild(bundle, api.address);
    try {
      expect(await child.exit).to.equal(1);
      const [initError] = api.replies;
      expect(initError?.path).to.equal("/2018-06-01/runtime/init/error");
      expect(initError?.headers["lambda-runtime-function-error-type"]).to.equal("ReferenceError");
      expect(JSON.parse(initError!.body.toString())).to.include({
        errorType: "ReferenceError",
        errorMessage: "DATABASE_URL is not configured",
      });
      expect(child.stderr()).to.include(
        "the handler failed to load: ReferenceError: DATABASE_URL is not configured",
      );
    } finally {
      await api.close();
    }
  });

  it("reports a handler export that is not a handler on /init/error", async function () {
    this.timeout(20_000);
    const bundle = await bundleHandler(path.join(__dirname, "../fixtures/notAHandler.ts"));
    const api = await new FakeRuntimeApi().start();
    const child = runChild(bundle, api.address);
    try {
      expect(await child.exit).to.equal(1);
      expect(api.replies[0]?.path).to.equal("/2018-06-01/runtime/init/error");
      expect(JSON.parse(api.replies[0]!.body.toString()).errorMessage).to.match(
        /"handler" export must be a streaming handler .* got object/,
      );
    } finally {
      await api.close();
    }
  });

  it("ends the loop cleanly on SIGTERM while waiting for an invocation", async function () {
    this.timeout(20_000);
    const bundle = await bundleHandler(path.join(__dirname, "../fixtures/streamMegabytes.ts"));
    const api = await new FakeRuntimeApi().start();
    const child = runChild(bundle, api.address);
    try {
      while (api.requests.length === 0 && !api.pendingNext) await new Promise((r) => setTimeout(r, 10));
      child.child.kill("SIGTERM");
      expect(await child.exit).to.equal(0);
    } finally {
      await api.close();
    }
  });
});
