// fetchHandler on our runtime against the fake Runtime API: the bytes on the wire for each response and error.
import { expect } from "chai";
import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import type { APIGatewayProxyEvent } from "aws-lambda";
import {
  fetchHandler,
  LambdaRuntime,
  type FetchApp,
  type FetchHandlerEnv,
  type FetchHandlerOptions,
} from "../../runtime";
import { sampleRestApiEvent } from "../fixtures/restApiProxyEvent";
import type { Exchange } from "../helpers/fakeRuntimeApi";
import { startHarness, stopAllHarnesses, type Harness } from "../helpers/runtimeHarness";

const PRELUDE_TYPE = "application/vnd.awslambda.http-integration-response";
const NULS = Buffer.alloc(8);

/** A REST API event for `GET /stream?q=1` on stage `prod`, with changes. */
function restEvent(changes: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return { ...sampleRestApiEvent(), body: null, ...changes };
}

/** The body after the prelude's 8 NULs (the whole body without a prelude). */
function bodyAfterPrelude(reply: Exchange | undefined): Buffer {
  const body = reply?.body ?? Buffer.alloc(0);
  const end = reply?.prelude === undefined ? -1 : body.indexOf(NULS);
  return end === -1 ? body : body.subarray(end + NULS.length);
}

function preludeOf(reply: Exchange | undefined): unknown {
  expect(reply?.headers["content-type"]).to.equal(PRELUDE_TYPE);
  return JSON.parse(reply?.prelude ?? "null");
}

/** The error JSON an `/error` post or an error trailer carries. */
function errorOf(reply: Exchange | undefined): { errorType: string; errorMessage: string } {
  const error = reply?.error;
  expect(error, "the reply carries an error").to.not.equal(undefined);
  return { errorType: error!.errorType, errorMessage: JSON.parse(error!.errorMessage).errorMessage };
}

/** A Response whose body stream is driven by `pull`, recording whether it was cancelled. */
function pulledResponse(
  pull: (controller: ReadableStreamDefaultController<Uint8Array>, pulls: number) => void | Promise<void>,
  init: ResponseInit = {},
): { response: Response; cancelled: () => unknown } {
  let pulls = 0;
  let cancelReason: unknown = "(not cancelled)";
  const body = new ReadableStream<Uint8Array>(
    {
      pull: (controller) => pull(controller, pulls++),
      cancel: (reason) => {
        cancelReason = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { response: new Response(body, init), cancelled: () => cancelReason };
}

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describe("fetchHandler on the runtime, against a fake Runtime API", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    harness = undefined;
    await stopAllHarnesses();
  });

  /** Runs one invocation per event and returns each one's reply, as recorded on the wire. */
  async function serve(
    app: FetchApp,
    events: (APIGatewayProxyEvent | string)[],
    options?: FetchHandlerOptions,
  ): Promise<(Exchange | undefined)[]> {
    harness = await startHarness(
      fetchHandler(app, options),
      (api) =>
        events.forEach((event, i) =>
          api.enqueue({
            requestId: `req-${i}`,
            event: typeof event === "string" ? event : JSON.stringify(event),
          }),
        ),
      { recordRaw: true },
    );
    await harness.api.waitForReplies(events.length);
    return events.map((_, i) => harness!.api.repliesTo(`req-${i}`)[0]);
  }

  it("sends the status, every header, each Set-Cookie in multiValueHeaders, then the body", async () => {
    const cookies = ["a=1; Path=/", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly"];
    const [reply] = await serve(
      () =>
        new Response("hello", {
          status: 201,
          headers: [
            ["Content-Type", "text/plain"],
            ["X-Repeated", "1"],
            ["x-repeated", "2"],
            ["Set-Cookie", cookies[0] as string],
            ["set-cookie", cookies[1] as string],
          ],
        }),
      [restEvent()],
    );
    expect(preludeOf(reply)).to.deep.equal({
      statusCode: 201,
      headers: { "content-type": "text/plain", "x-repeated": "1, 2" },
      multiValueHeaders: { "set-cookie": cookies },
    });
    expect(reply?.body.subarray(reply.prelude!.length, reply.prelude!.length + 8).equals(NULS)).to.equal(
      true,
    );
    expect(bodyAfterPrelude(reply).toString()).to.equal("hello");
    expect(reply?.state).to.equal("complete");
    expect(reply?.error).to.equal(undefined);
  });

  it("sends the prelude of a null or empty body: 204, 304 and a redirect keep their status and headers", async () => {
    const replies = await serve(
      (request) => {
        const path = new URL(request.url).pathname;
        if (path === "/204") return new Response(null, { status: 204, headers: { "x-kept": "yes" } });
        if (path === "/304") return new Response(null, { status: 304, headers: { etag: '"v1"' } });
        return new Response("", { status: 302, headers: { location: "/elsewhere" } });
      },
      [restEvent({ path: "/204" }), restEvent({ path: "/304" }), restEvent({ path: "/302" })],
    );
    expect(replies.map(preludeOf)).to.deep.equal([
      { statusCode: 204, headers: { "x-kept": "yes" } },
      { statusCode: 304, headers: { etag: '"v1"' } },
      { statusCode: 302, headers: { "content-type": "text/plain;charset=UTF-8", location: "/elsewhere" } },
    ]);
    for (const reply of replies) {
      expect(bodyAfterPrelude(reply).length).to.equal(0);
      expect(reply?.state).to.equal("complete");
    }
  });

  it("answers HEAD with the status and headers only, and cancels the app's body", async () => {
    const stream = pulledResponse((controller) => controller.enqueue(text("never sent")), {
      headers: { "content-length": "10", "content-type": "text/plain" },
    });
    let method = "";
    const [reply] = await serve(
      (request) => {
        method = request.method;
        return stream.response;
      },
      [restEvent({ httpMethod: "HEAD" })],
    );
    expect(method).to.equal("HEAD");
    expect(preludeOf(reply)).to.deep.equal({
      statusCode: 200,
      headers: { "content-length": "10", "content-type": "text/plain" },
    });
    expect(bodyAfterPrelude(reply).length).to.equal(0);
    expect(stream.cancelled()).to.equal(undefined);
  });

  it("fails the invocation on /error when the app throws before a Response exists; the next is served", async () => {
    const [failed, next] = await serve(
      (request) => {
        if (new URL(request.url).pathname === "/boom") throw new RangeError("no such table");
        return new Response("fine");
      },
      [restEvent({ path: "/boom" }), restEvent()],
    );
    expect(failed?.path).to.equal("/2018-06-01/runtime/invocation/req-0/error");
    expect(errorOf(failed)).to.deep.equal({ errorType: "RangeError", errorMessage: "no such table" });
    expect(bodyAfterPrelude(next).toString()).to.equal("fine");
  });

  it("names what an app returned instead of a Response, on /error; the next invocation is served", async () => {
    const returns: unknown[] = [undefined, { status: 200, body: "looks like one" }, "text", 42];
    const replies = await serve(
      (request) => {
        const index = Number(new URL(request.url).searchParams.get("i"));
        return (index < returns.length ? returns[index] : new Response("ok")) as Response;
      },
      [0, 1, 2, 3, 4].map((i) => restEvent({ multiValueQueryStringParameters: { i: [String(i)] } })),
    );
    const messages = replies.slice(0, 4).map((reply) => {
      expect(reply?.path).to.match(/\/error$/);
      const error = errorOf(reply);
      expect(error.errorType).to.equal("TypeError");
      return error.errorMessage;
    });
    expect(messages[0]).to.match(/^the app returned undefined instead of a Response/);
    expect(messages[1]).to.match(
      /^the app returned an object \{"status":200,"body":"looks like one"\} instead/,
    );
    expect(messages[2]).to.match(/^the app returned a string "text" instead/);
    expect(messages[3]).to.match(/^the app returned number 42 instead/);
    expect(bodyAfterPrelude(replies[4]).toString()).to.equal("ok");
  });

  it("ends the stream with error trailers when the body stream fails after bytes were sent; the next is served", async () => {
    const [cut, next] = await serve(
      (request) => {
        if (new URL(request.url).pathname !== "/fails") return new Response("next one");
        return pulledResponse((controller, pulls) => {
          if (pulls === 0) controller.enqueue(text("partial"));
          else controller.error(new RangeError("disk on fire"));
        }).response;
      },
      [restEvent({ path: "/fails" }), restEvent()],
    );
    expect(preludeOf(cut)).to.deep.equal({ statusCode: 200, headers: {} });
    expect(bodyAfterPrelude(cut).toString()).to.equal("partial");
    expect(cut?.trailers["lambda-runtime-function-error-type"]).to.equal("RangeError");
    expect(errorOf(cut)).to.deep.equal({ errorType: "RangeError", errorMessage: "disk on fire" });
    expect(harness!.logs.join("\n")).to.match(/mid-stream.*RangeError: disk on fire/s);
    expect(bodyAfterPrelude(next).toString()).to.equal("next one");
  });

  it("names a body chunk that is not bytes, in the trailers", async () => {
    const [reply] = await serve(
      () =>
        pulledResponse((controller, pulls) => {
          if (pulls === 0) controller.enqueue(text("ok "));
          else controller.enqueue(42 as unknown as Uint8Array);
        }).response,
      [restEvent()],
    );
    expect(bodyAfterPrelude(reply).toString()).to.equal("ok ");
    const error = errorOf(reply);
    expect(error.errorType).to.equal("TypeError");
    expect(error.errorMessage).to.match(
      /yielded a chunk of type number; a body stream must yield Uint8Array/,
    );
  });

  it("refuses a Set-Cookie with CR/LF or another control character before anything is sent", async () => {
    const hono = new Hono();
    // Hono refuses the cookie itself (setCookie throws); its error handler answers instead.
    hono.onError((error, c) => c.text(`refused: ${error.message}`, 500));
    hono.get("/hono", (c) => {
      setCookie(c, "a", "1");
      setCookie(c, "b", "2", { path: "/\r\nX-Injected: 1" });
      return c.text("never");
    });
    const replies = await serve(
      (request) => {
        const path = new URL(request.url).pathname;
        if (path === "/hono") return hono.fetch(request);
        if (path === "/crlf")
          return new Response("never", { headers: { "set-cookie": "a=1\r\nX-Injected: 1" } });
        if (path === "/del") return new Response("never", { headers: { "set-cookie": "a=1\u007f" } });
        return new Response("served");
      },
      ["/hono", "/crlf", "/del", "/next"].map((path) => restEvent({ path })),
    );
    expect(preludeOf(replies[0])).to.deep.equal({
      statusCode: 500,
      headers: { "content-type": "text/plain; charset=UTF-8" },
      // The cookie set before the bad one; the bad one never became a header.
      multiValueHeaders: { "set-cookie": ["a=1; Path=/"] },
    });
    expect(bodyAfterPrelude(replies[0]).toString()).to.match(
      /^refused: path must not contain ";", "\\r", or "\\n"/,
    );
    for (const reply of replies.slice(1, 3)) expect(reply?.path).to.match(/\/error$/);
    expect(errorOf(replies[1]).errorType).to.equal("TypeError");
    expect(errorOf(replies[1]).errorMessage).to.match(/invalid header value/);
    expect(errorOf(replies[2])).to.deep.include({ errorType: "InvalidResponseError" });
    expect(errorOf(replies[2]).errorMessage).to.match(/set-cookie.*control character/i);
    expect(bodyAfterPrelude(replies[3]).toString()).to.equal("served");
  });

  it("fails on /error for an event that is not a REST API event", async () => {
    const [reply] = await serve(() => new Response("never"), ['{"version":"2.0","rawPath":"/"}']);
    expect(reply?.path).to.match(/\/error$/);
    expect(errorOf(reply).errorType).to.equal("InvalidEventError");
  });

  it("builds the request: method, URL without the stage by default, query, headers, decoded bodies", async () => {
    const seen: unknown[] = [];
    const app = async (request: Request, env: FetchHandlerEnv): Promise<Response> => {
      seen.push({
        method: request.method,
        url: request.url,
        accept: request.headers.get("accept"),
        body: request.body ? Buffer.from(await request.arrayBuffer()).toString("hex") : null,
        stage: env.event.requestContext.stage,
        requestId: env.context.requestId,
      });
      return new Response(null, { status: 204 });
    };
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const events = [
      restEvent({ multiValueHeaders: { ...restEvent().multiValueHeaders, Accept: ["a/b", "c/d"] } }),
      restEvent({ httpMethod: "POST", body: bytes.toString("base64"), isBase64Encoded: true }),
      restEvent({ httpMethod: "PUT", body: "héllo", isBase64Encoded: false }),
      restEvent({ httpMethod: "GET", body: "ignored on GET" }),
    ];
    await serve(app, events);
    const host = "https://abc123xyz.execute-api.us-east-1.amazonaws.com";
    expect(seen).to.deep.equal([
      {
        method: "GET",
        url: `${host}/stream?q=1`,
        accept: "a/b, c/d",
        body: null,
        stage: "prod",
        requestId: "req-0",
      },
      {
        method: "POST",
        url: `${host}/stream?q=1`,
        accept: null,
        body: bytes.toString("hex"),
        stage: "prod",
        requestId: "req-1",
      },
      {
        method: "PUT",
        url: `${host}/stream?q=1`,
        accept: null,
        body: Buffer.from("héllo").toString("hex"),
        stage: "prod",
        requestId: "req-2",
      },
      {
        method: "GET",
        url: `${host}/stream?q=1`,
        accept: null,
        body: null,
        stage: "prod",
        requestId: "req-3",
      },
    ]);
  });

  it("keeps the stage prefix (requestContext.path) when asked", async () => {
    const urls: string[] = [];
    await serve(
      (request) => {
        urls.push(request.url);
        return new Response(null, { status: 204 });
      },
      [restEvent()],
      { keepStagePrefix: true },
    );
    expect(urls).to.deep.equal(["https://abc123xyz.execute-api.us-east-1.amazonaws.com/prod/stream?q=1"]);
  });

  it("awaits executionCtx.waitUntil() work after the response and before the next invocation", async () => {
    const order: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    harness = await startHarness(
      fetchHandler((_request, _env, executionCtx) => {
        executionCtx.waitUntil(
          released.then(() => {
            order.push("first waitUntil done");
            // Added while the handler waits: waited for too.
            executionCtx.waitUntil(Promise.resolve().then(() => order.push("nested waitUntil done")));
          }),
        );
        return new Response("sent first");
      }),
      (api) => api.enqueue({ requestId: "req-0", event: JSON.stringify(restEvent()) }),
    );
    const api = harness.api;
    await api.waitForReplies(1);
    expect(bodyAfterPrelude(api.repliesTo("req-0")[0]).toString()).to.equal("sent first");
    order.push("response complete");
    expect(api.exchanges.filter((e) => e.isNext)).to.have.length(1);
    release();
    await api.until(() => api.exchanges.filter((e) => e.isNext).length === 2, "the next poll");
    order.push("next poll");
    expect(order).to.deep.equal([
      "response complete",
      "first waitUntil done",
      "nested waitUntil done",
      "next poll",
    ]);
  });

  it("logs a rejected waitUntil() promise after the complete response", async () => {
    const [reply] = await serve(
      (_request, _env, executionCtx) => {
        executionCtx.waitUntil(Promise.reject(new Error("analytics down")));
        return new Response("complete");
      },
      [restEvent()],
    );
    expect(bodyAfterPrelude(reply).toString()).to.equal("complete");
    expect(reply?.error).to.equal(undefined);
    await harness!.api.until(() => harness!.logs.some((l) => /analytics down/.test(l)), "the log line");
    expect(harness!.logs.join("\n")).to.match(/after finish.*Error: analytics down/s);
  });

  it("aborts request.signal at the deadline and ends the stream with the timeout in the trailers", async () => {
    let sawAbort = false;
    harness = await startHarness(
      fetchHandler(
        (request) =>
          pulledResponse(async (controller, pulls) => {
            if (pulls === 0) return controller.enqueue(text("tick "));
            if (new URL(request.url).pathname !== "/waits") return controller.close();
            await new Promise((resolve) => request.signal.addEventListener("abort", resolve, { once: true }));
            sawAbort = request.signal.aborted;
            controller.close();
          }).response,
      ),
      (api) => {
        api.enqueue({
          requestId: "req-0",
          event: JSON.stringify(restEvent({ path: "/waits" })),
          headers: { "Lambda-Runtime-Deadline-Ms": String(Date.now() + 300) },
        });
        api.enqueue({ requestId: "req-1", event: JSON.stringify(restEvent()) });
      },
    );
    await harness.api.waitForReplies(2);
    const [cut, next] = [harness.api.repliesTo("req-0")[0], harness.api.repliesTo("req-1")[0]];
    expect(sawAbort).to.equal(true);
    expect(bodyAfterPrelude(cut).toString()).to.equal("tick ");
    expect(errorOf(cut).errorType).to.equal("InvocationTimeoutError");
    expect(next?.state).to.equal("complete");
  });

  it("says to wrap a web-standard app exported as it is with fetchHandler(app)", () => {
    expect(() => new LambdaRuntime(new Hono() as never)).to.throw(
      TypeError,
      /got object with a fetch method: serve a web-standard app with fetchHandler\(app\)\.$/,
    );
  });

  it("refuses an app or options of the wrong shape, naming the argument", () => {
    expect(() => fetchHandler(undefined as never)).to.throw(
      TypeError,
      /^fetchHandler\(app\): app must be .*got undefined/,
    );
    expect(() => fetchHandler({ handle() {} } as never)).to.throw(
      TypeError,
      /fetchHandler\(app\).*got an object/,
    );
    expect(() => fetchHandler(() => new Response(), null as never)).to.throw(
      TypeError,
      /options must be an object/,
    );
    expect(() => fetchHandler(() => new Response(), { keepStagePrefix: "yes" as never })).to.throw(
      TypeError,
      /options\.keepStagePrefix must be true or false; got a string "yes"/,
    );
  });
});
