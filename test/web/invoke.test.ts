// invoke(): every handler style in-process, as a client of API Gateway sees it, streaming as the handler writes.
import { expect } from "chai";
import { setImmediate as nextMacrotask } from "node:timers/promises";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { buffered, fetchHandler, type StreamingLambdaHandler } from "../../runtime";
import { invoke, StreamInterruptedError, type InvokeOptions } from "../../testing";
import { sampleRestApiEvent } from "../fixtures/restApiProxyEvent";
import { BINARY_BODY, COOKIE_LINES, createHonoApp, SSE_TEXT, STREAM_CHUNKS } from "./fixtures/honoApp";

const decoder = new TextDecoder();

/** Captures the runtime's log lines instead of printing them. */
function capturedLog(): { logged(pattern: RegExp): Promise<string>; options: InvokeOptions } {
  const lines: string[] = [];
  const waiting = new Set<() => void>();
  const log = (line: string): void => {
    lines.push(line);
    for (const check of [...waiting]) check();
  };
  return {
    options: { log: { warn: log, error: log } },
    // The runtime logs a failure after reporting it, so the line may come after the response.
    logged: (pattern) =>
      new Promise((resolve) => {
        const check = (): void => {
          const line = lines.find((l) => pattern.test(l));
          if (line === undefined) return;
          waiting.delete(check);
          resolve(line);
        };
        waiting.add(check);
        check();
      }),
  };
}

/** Reads a body to its end, or to the error that cut it. */
async function readAll(body: ReadableStream<Uint8Array> | null): Promise<{ text: string; error?: unknown }> {
  if (!body) return { text: "" };
  const reader = body.getReader();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}

describe("invoke(handler, request)", () => {
  describe("a streaming writer handler", () => {
    it("resolves with the status and headers, and a chunk is readable before the handler writes the next", async () => {
      const order: string[] = [];
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let handlerDone!: Promise<void>;
      const handler: StreamingLambdaHandler = (_event, writer) =>
        (handlerDone = (async () => {
          await writer.writeStatusAndHeaders({ statusCode: 202, headers: { "content-type": "text/plain" } });
          await writer.write("first\n");
          order.push("handler wrote first");
          await released;
          await writer.write("second\n");
          order.push("handler wrote second");
          await writer.finish();
          order.push("handler finished");
        })());
      const response = await invoke(handler, new Request("https://api.example/stream"));
      expect(response.status).to.equal(202);
      expect(response.headers.get("content-type")).to.equal("text/plain");
      expect(response.headers.get("x-amzn-requestid")).to.match(/^[0-9a-f-]{36}$/);
      const reader = response.body!.getReader();
      const first = await reader.read();
      order.push(`test read ${JSON.stringify(decoder.decode(first.value))}`);
      release();
      const rest = await readAll(
        new ReadableStream({
          pull: async (c) => {
            const next = await reader.read();
            if (next.done) c.close();
            else c.enqueue(next.value);
          },
        }),
      );
      await handlerDone;
      expect(rest.text).to.equal("second\n");
      expect(order).to.deep.equal([
        "handler wrote first",
        'test read "first\\n"',
        "handler wrote second",
        "handler finished",
      ]);
    });

    it("answers a body without a prelude as 200 application/octet-stream", async () => {
      const response = await invoke(
        async (_event, writer) => writer.writeAndFinish("raw"),
        new Request("https://a/"),
      );
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.equal("application/octet-stream");
      expect(await response.text()).to.equal("raw");
    });

    it("passes the REST API event API Gateway would build for the Request", async () => {
      let event: APIGatewayProxyEvent | undefined;
      const response = await invoke(
        async (bytes, writer) => {
          event = JSON.parse(bytes.toString());
          await writer.finish();
        },
        new Request("https://api.example:8443/items/a%20b?tag=x&tag=y", {
          method: "POST",
          headers: { "content-type": "application/json", "x-trace": "1" },
          body: '{"name":"été"}',
        }),
      );
      expect(response.status).to.equal(200);
      expect(event?.httpMethod).to.equal("POST");
      expect(event?.path).to.equal("/items/a%20b");
      expect(event?.multiValueQueryStringParameters).to.deep.equal({ tag: ["x", "y"] });
      expect(event?.headers).to.include({ Host: "api.example:8443", "x-trace": "1" });
      expect(event?.requestContext.stage).to.equal("local");
      const body = Buffer.from(event!.body!, event!.isBase64Encoded ? "base64" : "utf8").toString();
      expect(body).to.equal('{"name":"été"}');
    });

    it("base64-encodes the request bodies whose types are binary media types, as the deployed API does", async () => {
      const seen: [string, boolean][] = [];
      const handler: StreamingLambdaHandler = async (bytes, writer) => {
        const event = JSON.parse(bytes.toString()) as APIGatewayProxyEvent;
        seen.push([event.headers["content-type"] ?? "", event.isBase64Encoded]);
        await writer.finish();
      };
      const post = (type: string): Request =>
        new Request("https://a/", { method: "POST", headers: { "content-type": type }, body: "x" });
      await invoke(handler, post("text/plain"));
      await invoke(handler, post("text/plain"), { binaryMediaTypes: ["image/*"] });
      await invoke(handler, post("image/png"), { binaryMediaTypes: ["image/*"] });
      expect(seen).to.deep.equal([
        ["text/plain", true],
        ["text/plain", false],
        ["image/png", true],
      ]);
    });

    it("fails with API Gateway's 502 when the handler throws before any byte; the error goes to the log", async () => {
      const { logged, options } = capturedLog();
      const response = await invoke(
        async () => {
          throw new RangeError("no such table");
        },
        new Request("https://a/"),
        options,
      );
      expect(response.status).to.equal(502);
      expect(response.headers.get("content-type")).to.equal("application/json");
      expect(await response.json()).to.deep.equal({ message: "Internal server error" });
      expect(await logged(/RangeError: no such table/)).to.match(/before any response byte/);
    });

    it("cuts the body with a StreamInterruptedError naming the handler's error when it fails mid-stream", async () => {
      const { options } = capturedLog();
      const response = await invoke(
        async (_event, writer) => {
          await writer.writeStatusAndHeaders({ statusCode: 200 });
          await writer.write("partial");
          throw new RangeError("disk on fire");
        },
        new Request("https://a/"),
        options,
      );
      expect(response.status).to.equal(200);
      const { text, error } = await readAll(response.body);
      expect(text).to.equal("partial");
      expect(error).to.be.instanceOf(StreamInterruptedError);
      expect((error as StreamInterruptedError).functionError).to.deep.include({
        errorType: "RangeError",
        errorMessage: "disk on fire",
      });
    });

    it("aborts context.signal at the deadline and answers 502 when nothing was sent", async () => {
      const { logged, options } = capturedLog();
      let aborted = false;
      const response = await invoke(
        async (_event, _writer, context) => {
          await new Promise((resolve) => context.signal.addEventListener("abort", resolve, { once: true }));
          aborted = context.signal.aborted;
        },
        new Request("https://a/"),
        { ...options, timeoutMs: 100 },
      );
      expect(response.status).to.equal(502);
      expect(aborted).to.equal(true);
      expect(await logged(/InvocationTimeoutError/)).to.match(/before any response byte/);
    });

    it("answers HEAD and 204 without a body, and a handler writing one anyway is never held up", async () => {
      const big = Buffer.alloc(1024 * 1024, 0x61);
      const finished: string[] = [];
      let bothFinished!: () => void;
      const allDone = new Promise<void>((resolve) => (bothFinished = resolve));
      const handler: StreamingLambdaHandler = async (event, writer) => {
        const { httpMethod } = JSON.parse(event.toString()) as APIGatewayProxyEvent;
        await writer.writeStatusAndHeaders({ statusCode: httpMethod === "HEAD" ? 200 : 204 });
        for (let i = 0; i < 4; i++) await writer.write(big);
        await writer.finish();
        if (finished.push(httpMethod) === 2) bothFinished();
      };
      const head = await invoke(handler, new Request("https://a/", { method: "HEAD" }));
      const empty = await invoke(handler, new Request("https://a/", { method: "DELETE" }));
      expect([head.status, head.body]).to.deep.equal([200, null]);
      expect([empty.status, empty.body]).to.deep.equal([204, null]);
      // 4 MiB nobody reads, past the 1 MiB a body holds unread: both handlers still run to their end.
      await allDone;
      expect(finished.sort()).to.deep.equal(["DELETE", "HEAD"]);
    });

    it("refuses a request whose event is over Lambda's 6 MB with a 413, without invoking; the next is served", async () => {
      let invoked = 0;
      const handler: StreamingLambdaHandler = async (_event, writer) => {
        invoked++;
        await writer.writeAndFinish("served");
      };
      const refused = await invoke(
        handler,
        new Request("https://a/upload", { method: "POST", body: Buffer.alloc(7 * 1024 * 1024, 0x61) }),
      );
      expect(refused.status).to.equal(413);
      expect(((await refused.json()) as { message: string }).message).to.match(
        /^Request must be smaller than 6291456 bytes \(Lambda's payload limit\); its event is \d+ bytes\.$/,
      );
      expect(invoked).to.equal(0);
      const next = await invoke(handler, new Request("https://a/"));
      expect(await next.text()).to.equal("served");
      expect(invoked).to.equal(1);
    });

    it("refuses a 1xx status, which a web Response cannot carry, naming it", async () => {
      const { options } = capturedLog();
      const handler: StreamingLambdaHandler = async (_event, writer) => {
        await writer.writeStatusAndHeaders({ statusCode: 103 });
        await writer.finish();
      };
      let caught: unknown;
      await invoke(handler, new Request("https://a/"), options).catch((error: unknown) => (caught = error));
      expect(caught).to.be.instanceOf(RangeError);
      expect((caught as Error).message).to.match(/status 103/);
    });
  });

  describe("a buffered handler", () => {
    it("answers its proxy result as API Gateway does: status, headers, every cookie, a decoded body", async () => {
      const handler = buffered(async (event: APIGatewayProxyEvent) => ({
        statusCode: 201,
        headers: { "x-path": event.path },
        multiValueHeaders: { "Set-Cookie": COOKIE_LINES },
        body: BINARY_BODY.toString("base64"),
        isBase64Encoded: true,
      }));
      const response = await invoke(handler, new Request("https://a/created"));
      expect(response.status).to.equal(201);
      expect(response.headers.get("x-path")).to.equal("/created");
      expect(response.headers.getSetCookie()).to.deep.equal(COOKIE_LINES);
      expect(response.headers.get("content-type")).to.equal("application/json");
      expect(response.headers.get("content-length")).to.equal(String(BINARY_BODY.length));
      expect(Buffer.from(await response.arrayBuffer()).equals(BINARY_BODY)).to.equal(true);
    });

    it("answers a result that is not a proxy result with API Gateway's 502", async () => {
      const response = await invoke(
        buffered(async () => ({ hello: "world" })),
        new Request("https://a/"),
      );
      expect(response.status).to.equal(502);
      expect(await response.json()).to.deep.equal({ message: "Internal server error" });
    });
  });

  describe("a fetch handler (a Hono app)", () => {
    const handler = fetchHandler(createHonoApp());

    it("streams stream() and streamSSE() bodies, and keeps both cookies", async () => {
      const streamed = await invoke(handler, new Request("https://a/stream"));
      expect(await streamed.text()).to.equal(STREAM_CHUNKS.join(""));
      const sse = await invoke(handler, new Request("https://a/sse"));
      expect(sse.headers.get("content-type")).to.equal("text/event-stream");
      expect(await sse.text()).to.equal(SSE_TEXT.join(""));
      const cookies = await invoke(handler, new Request("https://a/cookies"));
      expect(cookies.headers.getSetCookie()).to.deep.equal(COOKIE_LINES);
    });

    it("sends binary bodies byte for byte, both ways", async () => {
      const download = await invoke(handler, new Request("https://a/binary"));
      expect(Buffer.from(await download.arrayBuffer()).equals(BINARY_BODY)).to.equal(true);
      const upload = await invoke(
        handler,
        new Request("https://a/upload", {
          method: "POST",
          headers: { "content-type": "image/png" },
          body: BINARY_BODY,
        }),
      );
      expect(upload.headers.get("content-type")).to.equal("image/png");
      expect(Buffer.from(await upload.arrayBuffer()).equals(BINARY_BODY)).to.equal(true);
    });

    it("answers c.notFound() and unknown routes with 404, HEAD without a body", async () => {
      const missing = await invoke(handler, new Request("https://a/items/missing"));
      expect([missing.status, await missing.text()]).to.deep.equal([404, "404 Not Found"]);
      const unknown = await invoke(handler, new Request("https://a/nothing/here"));
      expect(unknown.status).to.equal(404);
      const head = await invoke(handler, new Request("https://a/stream", { method: "HEAD" }));
      expect([head.status, head.body]).to.deep.equal([200, null]);
    });

    it("takes a REST API event object as the request", async () => {
      const response = await invoke(handler, { ...sampleRestApiEvent(), path: "/json" });
      const json = (await response.json()) as { url: string; stage: string };
      expect(json.url).to.equal("https://abc123xyz.execute-api.us-east-1.amazonaws.com/json?q=1");
      expect(json.stage).to.equal("prod");
    });

    it("holds the app's body back while the client does not read it (backpressure)", async () => {
      const chunk = new Uint8Array(256 * 1024);
      const total = 40;
      let pulls = 0;
      const app = (): Response =>
        new Response(
          new ReadableStream<Uint8Array>(
            {
              pull(controller) {
                if (pulls++ === total) controller.close();
                else controller.enqueue(chunk);
              },
            },
            { highWaterMark: 0 },
          ),
        );
      const response = await invoke(fetchHandler(app), new Request("https://a/"));
      const reader = response.body!.getReader();
      let read = (await reader.read()).value!.length;
      // Let everything that can run without the client run: without backpressure the app would be done.
      await nextMacrotask();
      await nextMacrotask();
      const ahead = pulls;
      expect(ahead, "chunks the app produced while 1 was read").to.be.at.most(8);
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        read += next.value.length;
      }
      expect(read).to.equal(total * chunk.length);
    });
  });

  it("refuses a handler, request or options of the wrong shape, naming the argument", async () => {
    const ok: StreamingLambdaHandler = async (_event, writer) => writer.finish();
    const failures = await Promise.all([
      invoke(undefined as never, new Request("https://a/")).catch((error: Error) => error),
      invoke(ok, 42 as never).catch((error: Error) => error),
      invoke(ok, new Request("https://a/"), { timeoutMs: -1 }).catch((error: Error) => error),
      invoke(ok, new Request("https://a/"), { binaryMediaTypes: ["png"] }).catch((error: Error) => error),
    ]);
    const expected = [
      /^invoke\(handler, request\): handler must be a streaming handler/,
      /^invoke\(handler, request\): request must be a web Request or a REST API proxy event object .*got number/,
      /options\.timeoutMs must be a positive number of ms; got -1/,
      /options\.binaryMediaTypes entry "png" must be a media type "type\/subtype"/,
    ];
    for (const [i, error] of failures.entries()) {
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(expected[i] as RegExp);
    }
  });
});
