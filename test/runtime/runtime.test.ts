// Our runtime against a fake Runtime API: the bytes on the wire for each kind of response and error.
import { expect } from "chai";
import { buffered, ResponseStreamStateError, type LambdaResponseStreamWriter } from "../../runtime";
import * as path from "node:path";
import { bundleHandler, runChild } from "../helpers/childRuntime";
import { FakeRuntimeApi } from "../helpers/fakeRuntimeApi";
import { startHarness, type Harness } from "../helpers/runtimeHarness";

const PRELUDE_TYPE = "application/vnd.awslambda.http-integration-response";
const NULS = Buffer.alloc(8);

function decodeErrorTrailer(value: string | undefined): { errorType: string; errorMessage: string } {
  expect(value, "error body trailer").to.be.a("string");
  return JSON.parse(Buffer.from(value as string, "base64").toString("utf8"));
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("LambdaRuntime against a fake Runtime API", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function invoke(handler: Parameters<typeof startHarness>[0], event = "{}", count = 1) {
    harness = await startHarness(handler);
    for (let i = 0; i < count; i++) harness.api.enqueue({ requestId: `req-${i}`, event });
    await harness.api.waitForReplies(count);
    return harness.api.replies;
  }

  it("sends a buffered reply as one JSON POST to /response", async () => {
    let seen: unknown;
    const [reply] = await invoke(
      buffered(async (event: { name: string }, context) => {
        seen = { event, requestId: context.requestId, fn: context.functionName };
        return { hello: event.name };
      }),
      '{"name":"world"}',
    );
    expect(seen).to.deep.equal({ event: { name: "world" }, requestId: "req-0", fn: "test-fn" });
    expect(reply?.method).to.equal("POST");
    expect(reply?.path).to.equal("/2018-06-01/runtime/invocation/req-0/response");
    expect(reply?.headers["content-type"]).to.equal("application/json");
    expect(reply?.headers["lambda-runtime-function-response-mode"]).to.equal(undefined);
    expect(reply?.body.toString()).to.equal('{"hello":"world"}');
  });

  it("streams a prelude (JSON, exactly 8 NULs) then the body, chunked, with trailers announced", async () => {
    const [reply] = await invoke(async (_event, writer) => {
      await writer.writeStatusAndHeaders({
        statusCode: 201,
        headers: { "Content-Type": "text/plain", "x-custom": "yes" },
        multiValueHeaders: { "x-multi": ["a", "b"] },
        cookies: ["c=1; Secure"],
      });
      await writer.write("hello ");
      await writer.write(Buffer.from("world"));
      await writer.finish();
    });
    expect(reply?.path).to.equal("/2018-06-01/runtime/invocation/req-0/response");
    expect(reply?.headers["lambda-runtime-function-response-mode"]).to.equal("streaming");
    expect(reply?.headers["content-type"]).to.equal(PRELUDE_TYPE);
    expect(reply?.headers["transfer-encoding"]).to.equal("chunked");
    expect(reply?.headers["trailer"]).to.equal(
      "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
    );
    const json =
      '{"statusCode":201,"headers":{"Content-Type":"text/plain","x-custom":"yes"},' +
      '"multiValueHeaders":{"x-multi":["a","b"]},"cookies":["c=1; Secure"]}';
    expect(reply?.body.equals(Buffer.concat([Buffer.from(json), NULS, Buffer.from("hello world")]))).to.equal(
      true,
    );
    expect(reply?.trailers).to.deep.equal({});
    // On the wire: chunk framing and a clean last chunk without trailers.
    const raw = harness!.api.rawText();
    expect(raw).to.include(`\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n`);
  });

  it("delivers a prelude with an empty body", async () => {
    const [reply] = await invoke(async (_event, writer) => {
      await writer.writeStatusAndHeaders({ statusCode: 204, headers: { "x-empty": "1" } });
      await writer.finish();
    });
    expect(reply?.headers["content-type"]).to.equal(PRELUDE_TYPE);
    expect(reply?.body.toString("latin1")).to.equal(
      '{"statusCode":204,"headers":{"x-empty":"1"}}' + "\0".repeat(8),
    );
  });

  it("streams without a prelude as application/octet-stream", async () => {
    const [reply] = await invoke(async (_event, writer) => writer.writeAndFinish("raw bytes"));
    expect(reply?.headers["content-type"]).to.equal("application/octet-stream");
    expect(reply?.body.toString()).to.equal("raw bytes");
  });

  it("accepts a handler object with a handle method and keeps `this`", async () => {
    class Greeter {
      greeting = "hi from a class";
      async handle(_event: Buffer, writer: LambdaResponseStreamWriter): Promise<void> {
        await writer.writeAndFinish(this.greeting);
      }
    }
    const [reply] = await invoke(new Greeter());
    expect(reply?.body.toString()).to.equal("hi from a class");
  });

  it("pipes a Node Readable, a web ReadableStream and an async generator", async () => {
    const { Readable } = await import("node:stream");
    const [reply] = await invoke(async (_event, writer) => {
      await writer.pipe(Readable.from([Buffer.from("a"), Buffer.from("b")]));
      await writer.pipe(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("c"));
            controller.close();
          },
        }),
      );
      await writer.pipe(
        (async function* () {
          yield "d";
          yield new Uint8Array([0x65]);
        })(),
      );
      await writer.finish();
    });
    expect(reply?.body.toString()).to.equal("abcde");
  });

  it("ends a stream that fails mid-way with real trailers carrying the base64 JSON error", async () => {
    const [reply] = await invoke(async (_event, writer) => {
      await writer.writeStatusAndHeaders({ statusCode: 200 });
      await writer.write("partial");
      throw new RangeError("the database went away");
    });
    expect(reply?.headers["content-type"]).to.equal(PRELUDE_TYPE);
    expect(reply?.body.subarray(-7).toString()).to.equal("partial");
    expect(reply?.trailers["lambda-runtime-function-error-type"]).to.equal("RangeError");
    const error = decodeErrorTrailer(reply?.trailers["lambda-runtime-function-error-body"]);
    expect(error.errorType).to.equal("RangeError");
    expect(error.errorMessage).to.equal("the database went away");
    expect(harness!.logs.join("\n")).to.match(/mid-stream.*RangeError: the database went away/s);
    expect(harness!.api.rawText()).to.match(/0\r\nLambda-Runtime-Function-Error-Type: RangeError\r\n/);
  });

  it("reports an error before any byte on /error and never opens a response", async () => {
    const replies = await invoke(async () => {
      throw new TypeError("bad input");
    });
    expect(replies).to.have.length(1);
    const [reply] = replies;
    expect(reply?.path).to.equal("/2018-06-01/runtime/invocation/req-0/error");
    expect(reply?.headers["lambda-runtime-function-error-type"]).to.equal("TypeError");
    const body = JSON.parse(reply!.body.toString());
    expect(body.errorType).to.equal("TypeError");
    expect(body.errorMessage).to.equal("bad input");
    expect(body.stackTrace[0]).to.match(/runtime\.test\.ts/);
  });

  it("reports non-Error rejections, synchronous throws and cyclic objects", async () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const thrown: unknown[] = ["just a string", undefined, cyclic];
    let i = 0;
    const replies = await invoke(
      (() => {
        const value = thrown[i++];
        if (i === 2) throw value; // synchronous throw from a non-async function
        return Promise.reject(value);
      }) as never,
      "{}",
      3,
    );
    const bodies = replies.map((r) => JSON.parse(r.body.toString()));
    expect(replies.map((r) => r.path.split("/").pop())).to.deep.equal(["error", "error", "error"]);
    expect(bodies[0]).to.include({ errorType: "string", errorMessage: "just a string" });
    expect(bodies[1]).to.include({ errorType: "undefined", errorMessage: "undefined" });
    expect(bodies[2]).to.include({ errorType: "object", errorMessage: '{"a":1,"self":"[Circular]"}' });
  });

  it("finishes a stream the handler forgot to finish, with a warning", async () => {
    const [reply] = await invoke(async (_event, writer) => {
      await writer.write("unfinished");
    });
    expect(reply?.body.toString()).to.equal("unfinished");
    expect(reply?.trailers).to.deep.equal({});
    expect(harness!.logs.join("\n")).to.match(/WARN .*without finish/);
  });

  it("throws typed errors for double finish, write after finish, late or second preludes", async () => {
    const errors: unknown[] = [];
    const attempt = async (fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
        errors.push("no error");
      } catch (error) {
        errors.push(error);
      }
    };
    await invoke(async (_event, writer) => {
      await writer.writeStatusAndHeaders({ statusCode: 200 });
      await attempt(() => writer.writeStatusAndHeaders({ statusCode: 200 }));
      await writer.write("x");
      await writer.writeAndFinish("y");
      await attempt(() => writer.finish());
      await attempt(() => writer.write("z"));
      await attempt(() => writer.writeAndFinish("z"));
    });
    expect(errors).to.have.length(4);
    for (const error of errors) expect(error).to.be.instanceOf(ResponseStreamStateError);
    expect(harness!.api.replies[0]?.body.subarray(-2).toString()).to.equal("xy");
  });

  it("refuses a prelude after body bytes, and invalid headers before anything is sent", async () => {
    const errors: string[] = [];
    const [reply] = await invoke(async (_event, writer) => {
      await writer
        .writeStatusAndHeaders({ statusCode: 200, headers: { x: "a\r\nInjected: 1" } })
        .catch((e) => {
          errors.push(`${e.name}: ${e.message}`);
        });
      await writer
        .writeStatusAndHeaders({ statusCode: 700 })
        .catch((e) => errors.push(`${e.name}: ${e.message}`));
      await writer.write("body");
      await writer
        .writeStatusAndHeaders({ statusCode: 200 })
        .catch((e) => errors.push(`${e.name}: ${e.message}`));
      await writer.finish();
    });
    expect(errors[0]).to.match(/^InvalidResponseError: .*control character/);
    expect(errors[1]).to.match(/^InvalidResponseError: statusCode/);
    expect(errors[2]).to.match(/^ResponseStreamStateError: .*before the first body byte/);
    expect(reply?.headers["content-type"]).to.equal("application/octet-stream");
    expect(reply?.body.toString()).to.equal("body");
  });

  it("refuses invalid chunk types with a TypeError, mid-stream via trailers", async () => {
    const [reply] = await invoke(async (_event, writer) => {
      await writer.write("ok");
      await writer.write(42 as never);
    });
    expect(reply?.trailers["lambda-runtime-function-error-type"]).to.equal("TypeError");
    expect(decodeErrorTrailer(reply?.trailers["lambda-runtime-function-error-body"]).errorMessage).to.match(
      /chunk must be a string or a Uint8Array/,
    );
  });

  it("passes the invocation's context and sets _X_AMZN_TRACE_ID", async () => {
    let context: Record<string, unknown> = {};
    await invoke(async (_event, writer, ctx) => {
      context = {
        requestId: ctx.requestId,
        arn: ctx.invokedFunctionArn,
        trace: ctx.traceId,
        envTrace: process.env._X_AMZN_TRACE_ID,
        remaining: ctx.getRemainingTimeInMillis(),
        memory: ctx.memoryLimitInMB,
        logGroup: ctx.logGroupName,
        clientContext: ctx.clientContext,
        aborted: ctx.signal.aborted,
      };
      await writer.finish();
    });
    expect(context.requestId).to.equal("req-0");
    expect(context.arn).to.equal("arn:aws:lambda:us-east-1:123456789012:function:test");
    expect(context.trace).to.match(/^Root=1-/);
    expect(context.envTrace).to.equal(context.trace);
    expect(context.remaining).to.be.within(55_000, 60_000);
    expect(context.memory).to.equal("128");
    expect(context.logGroup).to.equal("/aws/lambda/test-fn");
    expect(context.clientContext).to.equal(undefined);
    expect(context.aborted).to.equal(false);
  });

  it("fails an invocation whose handler never settles when the deadline passes, and serves the next", async () => {
    let aborted = false;
    harness = await startHarness(async (event, writer, context) => {
      if (event.toString() === '"hang"') {
        context.signal.addEventListener("abort", () => (aborted = true));
        return new Promise<void>(() => undefined);
      }
      await writer.writeAndFinish("next one served");
    });
    harness.api.enqueue({
      requestId: "hang",
      event: '"hang"',
      headers: { "Lambda-Runtime-Deadline-Ms": String(Date.now() + 150) },
    });
    harness.api.enqueue({ requestId: "after", event: '"ok"' });
    await harness.api.waitForReplies(2);
    const [first, second] = harness.api.replies;
    expect(first?.path).to.equal("/2018-06-01/runtime/invocation/hang/error");
    expect(first?.headers["lambda-runtime-function-error-type"]).to.equal("InvocationTimeoutError");
    expect(aborted).to.equal(true);
    expect(second?.body.toString()).to.equal("next one served");
  });

  it("streams 200 MiB with flat memory: peak RSS does not grow with the payload (child process)", async function () {
    this.timeout(60_000);
    const bundle = await bundleHandler(path.join(__dirname, "../fixtures/streamMegabytes.ts"));
    const api = await new FakeRuntimeApi().start();
    api.countOnly = true;
    const child = runChild(bundle, api.address);
    try {
      api.enqueue({ requestId: "small", event: "10" });
      api.enqueue({ requestId: "large", event: "200" });
      await api.waitForReplies(2);
      const [small, large] = api.replies;
      expect(small?.bodyLength).to.be.greaterThan(10 * 1024 * 1024);
      expect(large?.bodyLength).to.be.greaterThan(200 * 1024 * 1024);
      expect(large?.trailers).to.deep.equal({});
      await waitFor(() => (child.stderr().match(/peakRss=/g) ?? []).length === 2);
      const [peakSmall, peakLarge] = [...child.stderr().matchAll(/peakRss=(\d+)/g)].map((m) => Number(m[1]));
      const growth = (peakLarge as number) - (peakSmall as number);
      // Buffering would add ~190 MiB; the socket's high-water mark is 1 MiB.
      expect(growth, `peak RSS 10 MiB: ${peakSmall}, 200 MiB: ${peakLarge}`).to.be.below(16 * 1024 * 1024);
    } finally {
      child.child.kill();
      await api.close();
    }
  });
});
