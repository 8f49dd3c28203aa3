// Our runtime against the fake Runtime API: the bytes on the wire for each kind of response and error.
// (How it copes with misbehaving handlers and Runtime APIs: test/faults/.)
import { expect } from "chai";
import { buffered, ResponseStreamStateError, type LambdaResponseStreamWriter } from "../../runtime";
import { startHarness, stopAllHarnesses, type Harness } from "../helpers/runtimeHarness";

const PRELUDE_TYPE = "application/vnd.awslambda.http-integration-response";
const NULS = Buffer.alloc(8);

function decodeErrorTrailer(value: string | undefined): { errorType: string; errorMessage: string } {
  expect(value, "error body trailer").to.be.a("string");
  return JSON.parse(Buffer.from(value as string, "base64").toString("utf8"));
}

describe("LambdaRuntime against a fake Runtime API", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    harness = undefined;
    await stopAllHarnesses();
  });

  /** Runs one invocation of `event` and returns the replies, with their bytes on the wire recorded. */
  async function invoke(handler: Parameters<typeof startHarness>[0], event = "{}") {
    harness = await startHarness(handler, (api) => api.enqueue({ requestId: "req-0", event }), {
      recordRaw: true,
    });
    await harness.api.waitForReplies(1);
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
    expect(reply?.lastChunk).to.equal(true);
    // On the wire: the prelude and its 8 NULs in one chunk, then one chunk per write, and a clean last chunk
    // without trailers.
    const raw = reply?.raw.toString("latin1") ?? "";
    const headEnd = raw.indexOf("\r\n\r\n");
    expect(raw.slice(0, headEnd)).to.match(
      /^POST \/2018-06-01\/runtime\/invocation\/req-0\/response HTTP\/1\.1\r\n/,
    );
    const preludeChunk = `${json}${"\0".repeat(8)}`;
    expect(raw.slice(headEnd + 4)).to.equal(
      `${Buffer.byteLength(preludeChunk).toString(16)}\r\n${preludeChunk}\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n`,
    );
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
    // On the wire: the last chunk carries both trailers, then the empty line.
    const encoded = reply?.trailers["lambda-runtime-function-error-body"];
    expect(reply?.raw.toString("latin1")).to.match(
      new RegExp(
        `\r\n0\r\nLambda-Runtime-Function-Error-Type: RangeError\r\n` +
          `Lambda-Runtime-Function-Error-Body: ${encoded?.replace(/[+/=]/g, "\\$&")}\r\n\r\n$`,
      ),
    );
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
});
