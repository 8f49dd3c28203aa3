// The local server end to end: clients on /invoke and emulated routes, a fake runtime on the Runtime API.
import { expect } from "chai";
import { request, type IncomingMessage } from "node:http";
import { LocalServerListenError, startLocalServer } from "../../local/server";
import {
  clientRequest,
  FakeRuntime,
  HTTP_INTEGRATION,
  preludeBytes,
  startTestServer,
  write,
  type TestServer,
} from "./harness";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("local server", () => {
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

  it("exposes its address as AWS_LAMBDA_RUNTIME_API and as a URL", () => {
    expect(t.server.runtimeApi).to.match(/^127\.0\.0\.1:\d+$/);
    expect(t.server.url).to.equal(`http://${t.server.runtimeApi}`);
    expect(t.port).to.be.greaterThan(0);
  });

  describe("configuration", () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const name of [
        "LOCAL_LAMBDA_HOST",
        "LOCAL_LAMBDA_PORT",
        "LOCAL_LAMBDA_TIMEOUT_MS",
        "LOCAL_LAMBDA_ROUTE",
        "LOCAL_LAMBDA_METHOD",
      ]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });

    it("reads LOCAL_LAMBDA_HOST, LOCAL_LAMBDA_PORT and LOCAL_LAMBDA_TIMEOUT_MS", async () => {
      process.env.LOCAL_LAMBDA_HOST = "127.0.0.1";
      process.env.LOCAL_LAMBDA_PORT = "0";
      process.env.LOCAL_LAMBDA_TIMEOUT_MS = "1234";
      const fromEnv = await startTestServer({}, { fromEnvironment: true });
      const { server } = fromEnv;
      const envRuntime = new FakeRuntime(fromEnv);
      try {
        expect(fromEnv.host).to.equal("127.0.0.1");
        expect(fromEnv.port).to.be.greaterThan(0);
        const sent = Date.now();
        const client = clientRequest(fromEnv, { method: "POST", path: "/invoke", body: "{}" });
        const invocation = await envRuntime.next();
        const received = Date.now();
        // Dispatched between sending and receiving, with the configured 1234 ms (the default is 60 s).
        const deadline = Number(invocation.headers["lambda-runtime-deadline-ms"]);
        expect(deadline).to.be.within(sent + 1234, received + 1234);
        await envRuntime.post(`/2018-06-01/runtime/invocation/${invocation.requestId}/response`, "{}");
        await client;
      } finally {
        envRuntime.close();
        await server.close();
      }
    });

    it("reads LOCAL_LAMBDA_ROUTE and LOCAL_LAMBDA_METHOD", async () => {
      process.env.LOCAL_LAMBDA_ROUTE = "/items/{id}";
      process.env.LOCAL_LAMBDA_METHOD = "post";
      const server = await startTestServer();
      try {
        expect(server.server.route).to.equal("POST /items/{id}");
        expect((await clientRequest(server, { method: "GET", path: "/items/1" })).status).to.equal(403);
      } finally {
        await server.server.close();
      }
    });

    it("refuses malformed settings, naming them", async () => {
      process.env.LOCAL_LAMBDA_PORT = "seven thousand";
      let error: unknown;
      await startLocalServer({ log: () => undefined }).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(RangeError);
      expect((error as Error).message).to.include("LOCAL_LAMBDA_PORT");
      await startLocalServer({ port: 70000 }).catch((e: unknown) => (error = e));
      expect((error as Error).message).to.include("port must be an integer from 0 to 65535");
      await startLocalServer({ port: 0, route: "stream" }).catch((e: unknown) => (error = e));
      expect((error as Error).message).to.include('route must start with "/"');
      process.env.LOCAL_LAMBDA_PORT = "0";
      process.env.LOCAL_LAMBDA_METHOD = "FETCH";
      await startLocalServer({ log: () => undefined }).catch((e: unknown) => (error = e));
      expect((error as Error).message).to.match(/^LOCAL_LAMBDA_METHOD must be one of ANY, GET, POST/);
      delete process.env.LOCAL_LAMBDA_METHOD;
      process.env.LOCAL_LAMBDA_ROUTE = "/{proxy+}/x";
      await startLocalServer({ log: () => undefined }).catch((e: unknown) => (error = e));
      expect((error as Error).message).to.match(/^LOCAL_LAMBDA_ROUTE may have a greedy/);
    });

    it("says which address is taken when the port is in use", async () => {
      let error: unknown;
      await startLocalServer({ host: "127.0.0.1", port: t.port, log: () => undefined }).catch(
        (e: unknown) => (error = e),
      );
      expect(error).to.be.instanceOf(LocalServerListenError);
      expect((error as LocalServerListenError).code).to.equal("EADDRINUSE");
      expect((error as Error).message).to.equal(
        `the local server cannot listen on 127.0.0.1:${t.port} (another process uses that port). ` +
          "Set LOCAL_LAMBDA_PORT (or LOCAL_LAMBDA_HOST) to a free address.",
      );
    });
  });

  describe("POST /invoke", () => {
    it("hands the body to the runtime as is, with the Runtime API headers, and returns a buffered reply as is", async () => {
      const event = Buffer.from('{"name":"world","n":[1,2]}');
      const client = clientRequest(t, { method: "POST", path: "/invoke", body: event });
      const before = Date.now();
      const invocation = await runtime.next();
      expect(invocation.status).to.equal(200);
      expect(invocation.event.equals(event)).to.equal(true);
      expect(invocation.requestId).to.match(UUID);
      expect(invocation.headers["content-type"]).to.equal("application/json");
      const deadline = Number(invocation.headers["lambda-runtime-deadline-ms"]);
      expect(deadline).to.be.within(before + 59_000, Date.now() + 60_000);
      expect(invocation.headers["lambda-runtime-invoked-function-arn"]).to.match(
        /^arn:aws:lambda:[^:]+:\d{12}:function:/,
      );
      expect(invocation.headers["lambda-runtime-trace-id"]).to.match(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);

      const answer = await runtime.post(
        `/2018-06-01/runtime/invocation/${invocation.requestId}/response`,
        '{"greeting":"hello"}',
        { "Content-Type": "application/json" },
      );
      expect(answer).to.deep.equal({ status: 202, body: '{"status":"OK"}' });

      const result = await client;
      expect(result.status).to.equal(200);
      expect(result.headers["content-type"]).to.equal("application/json");
      expect(result.headers["content-length"]).to.equal("20");
      expect(result.headers["x-amzn-requestid"]).to.equal(invocation.requestId);
      expect(result.body.toString()).to.equal('{"greeting":"hello"}');
      expect(
        t.logs.some((l) => l.startsWith("POST /invoke -> 200 ") && l.includes(invocation.requestId)),
      ).to.equal(true);
    });

    it("streams a response without a prelude as 200 application/octet-stream, bytes exact", async () => {
      const client = clientRequest(t, { method: "POST", path: "/invoke", body: "{}" });
      const { requestId } = await runtime.next();
      const { req, answer } = runtime.stream(requestId, "application/octet-stream");
      const binary = Buffer.from([0, 1, 2, 255, 254, 0, 0, 0, 0, 0, 0, 0, 0, 10]);
      await write(req, "hello ");
      await write(req, binary);
      req.end();
      expect(await answer).to.deep.equal({ status: 202, body: '{"status":"OK"}' });
      const result = await client;
      expect(result.status).to.equal(200);
      expect(result.headers["content-type"]).to.equal("application/octet-stream");
      expect(result.headers["transfer-encoding"]).to.equal("chunked");
      expect(result.headers["content-length"]).to.equal(undefined);
      expect(result.body.equals(Buffer.concat([Buffer.from("hello "), binary]))).to.equal(true);
      expect(result.complete).to.equal(true);
    });

    it("applies a prelude on /invoke too", async () => {
      const client = clientRequest(t, { method: "POST", path: "/invoke", body: "{}" });
      const { requestId } = await runtime.next();
      const { req } = runtime.stream(requestId, HTTP_INTEGRATION);
      req.end(
        Buffer.concat([
          preludeBytes({ statusCode: 202, headers: { "X-Kind": "invoke" } }),
          Buffer.from("ok"),
        ]),
      );
      const result = await client;
      expect(result.status).to.equal(202);
      expect(result.headers["x-kind"]).to.equal("invoke");
      expect(result.body.toString()).to.equal("ok");
    });

    it("answers an error before any byte with 502, the function's error JSON and X-Amz-Function-Error", async () => {
      const client = clientRequest(t, { method: "POST", path: "/invoke", body: "{}" });
      const { requestId } = await runtime.next();
      const error = {
        errorType: "TypeError",
        errorMessage: "boom",
        stackTrace: ["at handler (index.js:1:1)"],
      };
      const answer = await runtime.post(
        `/2018-06-01/runtime/invocation/${requestId}/error`,
        JSON.stringify(error),
        {
          "Lambda-Runtime-Function-Error-Type": "TypeError",
          "Content-Type": "application/json",
        },
      );
      expect(answer.status).to.equal(202);
      const result = await client;
      expect(result.status).to.equal(502);
      expect(result.headers["x-amz-function-error"]).to.equal("Unhandled");
      expect(JSON.parse(result.body.toString())).to.deep.equal(error);
      expect(t.logs.some((l) => l.includes("-> 502") && l.includes("TypeError: boom"))).to.equal(true);
    });
  });

  describe("API Gateway emulation", () => {
    it("turns the request into a REST API payload 1.0 event for the configured route", async () => {
      const client = clientRequest(t, {
        path: "/stream?x=1&x=2&y=z%20w",
        headers: { "X-Custom": "A", Accept: "text/plain" },
      });
      const invocation = await runtime.next();
      const event = JSON.parse(invocation.event.toString()) as Record<string, unknown>;
      expect(event.resource).to.equal("/stream");
      expect(event.path).to.equal("/stream");
      expect(event.httpMethod).to.equal("GET");
      expect(event.pathParameters).to.equal(null);
      expect(event.queryStringParameters).to.deep.equal({ x: "2", y: "z w" });
      expect(event.multiValueQueryStringParameters).to.deep.equal({ x: ["1", "2"], y: ["z w"] });
      expect((event.headers as Record<string, string>)["X-Custom"]).to.equal("A");
      expect((event.multiValueHeaders as Record<string, string[]>)["Accept"]).to.deep.equal(["text/plain"]);
      expect(event.body).to.equal(null);
      expect(event.isBase64Encoded).to.equal(false);
      const context = event.requestContext as Record<string, unknown>;
      expect(context.stage).to.equal("local");
      expect(context.requestId).to.match(UUID);
      expect(context.requestId).to.not.equal(invocation.requestId);
      await runtime.post(
        `/2018-06-01/runtime/invocation/${invocation.requestId}/response`,
        '{"statusCode":204}',
      );
      expect((await client).status).to.equal(204);
    });

    it("answers paths and methods outside the route as API Gateway does (403), never invoking the function", async () => {
      for (const [method, path] of [
        ["GET", "/does/not/exist"],
        ["GET", "/"],
        ["POST", "/streams"],
        ["PROPFIND", "/stream"],
      ] as const) {
        const result = await clientRequest(t, { method, path });
        expect(result.status, `${method} ${path}`).to.equal(403);
        expect(result.headers["x-amzn-errortype"]).to.equal("MissingAuthenticationTokenException");
        expect(JSON.parse(result.body.toString())).to.deep.equal({ message: "Missing Authentication Token" });
      }
      expect(await t.logged(/GET \/does\/not\/exist -> 403 .*ANY \/stream.*LOCAL_LAMBDA_ROUTE/)).to.be.a(
        "string",
      );
      // Nothing was queued: the next request on the route is the first invocation.
      const client = clientRequest(t, { method: "DELETE", path: "/stream" });
      const invocation = await runtime.next();
      expect(JSON.parse(invocation.event.toString())).to.include({
        httpMethod: "DELETE",
        resource: "/stream",
      });
      await runtime.post(
        `/2018-06-01/runtime/invocation/${invocation.requestId}/response`,
        '{"statusCode":200}',
      );
      expect((await client).status).to.equal(200);
    });

    it("routes only the route's method when it has one", async () => {
      const server = await startTestServer({ route: "/items/{id}", method: "GET" });
      const fake = new FakeRuntime(server);
      try {
        expect((await clientRequest(server, { method: "POST", path: "/items/7" })).status).to.equal(403);
        const client = clientRequest(server, { path: "/items/7" });
        const invocation = await fake.next();
        expect(JSON.parse(invocation.event.toString())).to.deep.include({
          resource: "/items/{id}",
          pathParameters: { id: "7" },
        });
        await fake.post(
          `/2018-06-01/runtime/invocation/${invocation.requestId}/response`,
          '{"statusCode":200}',
        );
        expect((await client).status).to.equal(200);
      } finally {
        fake.close();
        await server.server.close();
      }
    });

    it('with route "*", maps every path to / or /{proxy+} and sends a binary body base64-encoded', async () => {
      runtime.close();
      await t.server.close();
      t = await startTestServer({ route: "*" });
      runtime = new FakeRuntime(t);
      const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10]);
      const client = clientRequest(t, {
        method: "PUT",
        path: "/images/cat.png",
        headers: { "Content-Type": "image/png" },
        body: binary,
      });
      const invocation = await runtime.next();
      const event = JSON.parse(invocation.event.toString()) as Record<string, unknown>;
      expect(event.resource).to.equal("/{proxy+}");
      expect(event.pathParameters).to.deep.equal({ proxy: "images/cat.png" });
      expect(event.httpMethod).to.equal("PUT");
      expect(event.isBase64Encoded).to.equal(true);
      expect(Buffer.from(event.body as string, "base64").equals(binary)).to.equal(true);
      await runtime.post(
        `/2018-06-01/runtime/invocation/${invocation.requestId}/response`,
        '{"statusCode":200}',
      );
      await client;
    });

    it("streams with a prelude: status, headers, multi-value headers and cookies reach the client; body bytes exact", async () => {
      const client = clientRequest(t, { path: "/stream" });
      const { requestId } = await runtime.next();
      const { req, answer } = runtime.stream(requestId, HTTP_INTEGRATION);
      const prelude = preludeBytes({
        statusCode: 201,
        headers: { "Content-Type": "text/plain", "x-my-custom-header": "streaming-example" },
        multiValueHeaders: { "X-Multi": ["a", "b"] },
        cookies: ["session=abc; HttpOnly", "theme=dark; Path=/"],
      });
      // The prelude arrives split, with the split inside the 8 NULs.
      await write(req, prelude.subarray(0, 20));
      await write(req, prelude.subarray(20, prelude.length - 3));
      await write(req, Buffer.concat([prelude.subarray(prelude.length - 3), Buffer.from("1\n")]));
      await write(req, "2\n");
      await write(req, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0xff]));
      req.end();
      expect(await answer).to.deep.equal({ status: 202, body: '{"status":"OK"}' });

      const result = await client;
      expect(result.status).to.equal(201);
      expect(result.headers["content-type"]).to.equal("text/plain");
      expect(result.headers["x-my-custom-header"]).to.equal("streaming-example");
      expect(result.headers["set-cookie"]).to.deep.equal(["session=abc; HttpOnly", "theme=dark; Path=/"]);
      const multi = result.rawHeaders.filter((_, i) => i % 2 === 1 && result.rawHeaders[i - 1] === "X-Multi");
      expect(multi).to.deep.equal(["a", "b"]);
      expect(result.headers["transfer-encoding"]).to.equal("chunked");
      expect(result.headers["content-length"]).to.equal(undefined);
      expect(result.headers["x-amzn-requestid"]).to.match(UUID);
      const expected = Buffer.concat([Buffer.from("1\n2\n"), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0xff])]);
      expect(result.body.equals(expected)).to.equal(true);
      expect(result.complete).to.equal(true);
    });

    it("sends a prelude with an empty body: status and headers arrive, body empty, response complete", async () => {
      const client = clientRequest(t, { method: "DELETE", path: "/stream" });
      const { requestId } = await runtime.next();
      const { req, answer } = runtime.stream(requestId, HTTP_INTEGRATION);
      req.end(preludeBytes({ statusCode: 418, headers: { "X-Teapot": "yes" } }));
      expect(((await answer) as { status: number }).status).to.equal(202);
      const result = await client;
      expect(result.status).to.equal(418);
      expect(result.headers["x-teapot"]).to.equal("yes");
      expect(result.body.length).to.equal(0);
      expect(result.complete).to.equal(true);
      expect(result.error).to.equal(undefined);
    });

    it("flushes the status and headers, then each chunk, before the runtime sends the next", async () => {
      const response = new Promise<IncomingMessage>((resolve, reject) => {
        const req = request({ host: t.host, port: t.port, path: "/stream", agent: false }, resolve);
        req.on("error", reject);
        req.end();
      });
      const { requestId } = await runtime.next();
      const { req, answer } = runtime.stream(requestId, HTTP_INTEGRATION);
      await write(req, preludeBytes({ statusCode: 200, headers: { "Content-Type": "text/plain" } }));
      // The head reaches the client while the runtime has sent nothing but the prelude.
      const res = await response;
      expect(res.statusCode).to.equal(200);
      expect(res.headers["content-type"]).to.equal("text/plain");
      const body = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      // Each line reaches the client before the runtime writes the next one: nothing waits in a buffer.
      for (const line of ["1\n", "2\n", "3\n"]) {
        await write(req, line);
        const { value } = await body.next();
        expect(String(value)).to.equal(line);
      }
      req.end();
      expect((await body.next()).done).to.equal(true);
      expect(await answer).to.deep.equal({ status: 202, body: '{"status":"OK"}' });
    });

    it("answers an empty stream that ends in error trailers (AWS's client's early throw) as an early error", async () => {
      const errorBody = { errorType: "TypeError", errorMessage: "thrown before writing" };
      const trailers = {
        "Lambda-Runtime-Function-Error-Type": "TypeError",
        "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(errorBody)).toString("base64"),
      };
      const gateway = clientRequest(t, { path: "/stream" });
      const first = await runtime.next();
      const a = runtime.stream(first.requestId, "application/octet-stream");
      a.req.addTrailers(trailers);
      a.req.end();
      const viaGateway = await gateway;
      expect(viaGateway.status).to.equal(502);
      expect(JSON.parse(viaGateway.body.toString())).to.deep.equal({ message: "Internal server error" });
      expect(viaGateway.complete).to.equal(true);

      const invoke = clientRequest(t, { method: "POST", path: "/invoke", body: "{}" });
      const second = await runtime.next();
      const b = runtime.stream(second.requestId, "application/octet-stream");
      b.req.addTrailers(trailers);
      b.req.end();
      const viaInvoke = await invoke;
      expect(viaInvoke.status).to.equal(502);
      expect(viaInvoke.headers["x-amz-function-error"]).to.equal("Unhandled");
      expect(JSON.parse(viaInvoke.body.toString())).to.deep.equal(errorBody);
    });

    it("answers an error before any byte with API Gateway's 502 and logs the function's error", async () => {
      const client = clientRequest(t, { path: "/stream" });
      const { requestId } = await runtime.next();
      await runtime.post(
        `/2018-06-01/runtime/invocation/${requestId}/error`,
        JSON.stringify({ errorType: "RangeError", errorMessage: "no such item" }),
        { "Lambda-Runtime-Function-Error-Type": "RangeError" },
      );
      const result = await client;
      expect(result.status).to.equal(502);
      expect(JSON.parse(result.body.toString())).to.deep.equal({ message: "Internal server error" });
      expect(
        t.logs.some((l) => l.includes("GET /stream -> 502") && l.includes("RangeError: no such item")),
      ).to.equal(true);
    });

    it("cuts the client's connection on a mid-stream error, after the bytes sent so far, and logs it", async () => {
      const client = clientRequest(t, { path: "/stream" });
      const { requestId } = await runtime.next();
      const { req, answer } = runtime.stream(requestId, HTTP_INTEGRATION);
      await write(req, Buffer.concat([preludeBytes({ statusCode: 200 }), Buffer.from("1\n")]));
      await write(req, "2\n");
      const errorBody = { errorType: "Error", errorMessage: "database went away" };
      req.addTrailers({
        "Lambda-Runtime-Function-Error-Type": "Error",
        "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(errorBody)).toString("base64"),
      });
      req.end();
      expect(((await answer) as { status: number }).status).to.equal(202);
      const result = await client;
      expect(result.status).to.equal(200);
      expect(result.body.toString()).to.equal("1\n2\n");
      expect(result.complete).to.equal(false);
      expect(result.error).to.be.instanceOf(Error);
      expect(
        t.logs.some((l) => l.includes("stream cut") && l.includes("Error: database went away")),
      ).to.equal(true);
    });

    it("cuts the client's connection when the runtime's connection closes mid-stream", async () => {
      let firstChunk: () => void = () => undefined;
      const received = new Promise<void>((resolve) => (firstChunk = resolve));
      const client = clientRequest(t, { path: "/stream", onData: () => firstChunk() });
      const { requestId } = await runtime.next();
      const { req } = runtime.stream(requestId, HTTP_INTEGRATION);
      await write(req, Buffer.concat([preludeBytes({ statusCode: 200 }), Buffer.from("partial")]));
      await received;
      req.destroy();
      const result = await client;
      expect(result.body.toString()).to.equal("partial");
      expect(result.complete).to.equal(false);
      expect(result.error).to.be.instanceOf(Error);
      expect(
        t.logs.some((l) => l.includes("stream cut") && l.includes("runtime's connection closed")),
      ).to.equal(true);
    });

    it("interprets a buffered reply as a proxy result: status, merged headers, base64 body", async () => {
      const client = clientRequest(t, { path: "/stream" });
      const { requestId } = await runtime.next();
      const result = {
        statusCode: 201,
        headers: { "Content-Type": "image/png", "X-Number": 7 },
        multiValueHeaders: { "X-Multi": ["a", "b"] },
        body: Buffer.from([1, 2, 3, 0, 255]).toString("base64"),
        isBase64Encoded: true,
      };
      await runtime.post(`/2018-06-01/runtime/invocation/${requestId}/response`, JSON.stringify(result));
      const received = await client;
      expect(received.status).to.equal(201);
      expect(received.headers["content-type"]).to.equal("image/png");
      expect(received.headers["x-number"]).to.equal("7");
      expect(received.headers["x-multi"]).to.equal("a, b");
      expect(received.headers["content-length"]).to.equal("5");
      expect(received.body.equals(Buffer.from([1, 2, 3, 0, 255]))).to.equal(true);
    });

    it("answers a malformed buffered reply with 502 and says why in the log", async () => {
      const client = clientRequest(t, { path: "/stream" });
      const { requestId } = await runtime.next();
      await runtime.post(`/2018-06-01/runtime/invocation/${requestId}/response`, '{"hello":"world"}');
      const received = await client;
      expect(received.status).to.equal(502);
      expect(JSON.parse(received.body.toString())).to.deep.equal({ message: "Internal server error" });
      expect(
        t.logs.some((l) => l.includes("malformed Lambda proxy response") && l.includes("statusCode")),
      ).to.equal(true);
    });

    it("answers a malformed prelude with 502 (and tells the runtime 400)", async () => {
      const client = clientRequest(t, { path: "/stream" });
      const { requestId } = await runtime.next();
      const { req, answer } = runtime.stream(requestId, HTTP_INTEGRATION);
      req.end(Buffer.concat([Buffer.from('{"statusCode":99}'), Buffer.alloc(8), Buffer.from("body")]));
      const reply = (await answer) as { status: number; body: string };
      expect(reply.status).to.equal(400);
      expect(JSON.parse(reply.body).errorType).to.equal("InvalidPrelude");
      expect((await client).status).to.equal(502);
    });
  });

  describe("with no runtime polling (npm run emulator before a client starts)", () => {
    it("says in the log that a request waits for a runtime, naming the address to give one", async () => {
      const server = await startTestServer({ noRuntimeWarningMs: 50 });
      const fake = new FakeRuntime(server);
      try {
        const client = clientRequest(server, { path: "/stream" });
        const line = await server.logged(/is waiting: no runtime is polling/);
        expect(line).to.include(`AWS_LAMBDA_RUNTIME_API=${server.server.runtimeApi}`);
        // A runtime that starts later serves the request.
        const invocation = await fake.next();
        await fake.post(
          `/2018-06-01/runtime/invocation/${invocation.requestId}/response`,
          '{"statusCode":200}',
        );
        expect((await client).status).to.equal(200);
      } finally {
        fake.close();
        await server.server.close();
      }
    });
  });

  describe("limits and robustness", () => {
    it("refuses request bodies over 6 MB with 413, by Content-Length or while counting a chunked body", async () => {
      const big = Buffer.alloc(6 * 1024 * 1024 + 1, 0x61);
      const declared = await clientRequest(t, { method: "POST", path: "/invoke", body: big });
      expect(declared.status).to.equal(413);
      expect(JSON.parse(declared.body.toString()).message).to.include("6291456");

      const chunked = await new Promise<number>((resolve, reject) => {
        const req = request(
          { host: t.host, port: t.port, method: "POST", path: "/stream", agent: false },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        for (let i = 0; i < 7; i++) req.write(Buffer.alloc(1024 * 1024, 0x62));
        req.end();
      });
      expect(chunked).to.equal(413);
      // Exactly 6 MB is accepted.
      const client = clientRequest(t, { method: "POST", path: "/invoke", body: big.subarray(1) });
      const { event, requestId } = await runtime.next();
      expect(event.length).to.equal(6 * 1024 * 1024);
      await runtime.post(`/2018-06-01/runtime/invocation/${requestId}/response`, "{}");
      expect((await client).status).to.equal(200);
    });

    it("answers unknown Runtime API paths with 404 naming the path, wrong methods with 405", async () => {
      const unknown = await runtime.post("/2018-06-01/runtime/invocation/abc/frobnicate", "");
      expect(unknown.status).to.equal(404);
      expect(JSON.parse(unknown.body)).to.deep.equal({
        errorType: "NotFound",
        errorMessage: "Unknown Runtime API path: POST /2018-06-01/runtime/invocation/abc/frobnicate",
      });
      const wrongMethod = await runtime.post("/2018-06-01/runtime/invocation/next", "");
      expect(wrongMethod.status).to.equal(405);
    });

    it("refuses replies for unknown request ids (400) and a second reply for the same id", async () => {
      const unknown = await runtime.post("/2018-06-01/runtime/invocation/not-a-real-id/response", "{}");
      expect(unknown.status).to.equal(400);
      expect(JSON.parse(unknown.body).errorType).to.equal("InvalidRequestID");

      const client = clientRequest(t, { method: "POST", path: "/invoke", body: "{}" });
      const { requestId } = await runtime.next();
      const path = `/2018-06-01/runtime/invocation/${requestId}/response`;
      const { req, answer } = runtime.stream(requestId, "application/octet-stream");
      await write(req, "first");
      // While the first reply streams, a second one (on another connection) is refused with 403.
      const other = new FakeRuntime(t);
      const during = await other.post(`/2018-06-01/runtime/invocation/${requestId}/error`, "{}");
      other.close();
      expect(during.status).to.equal(403);
      expect(JSON.parse(during.body).errorType).to.equal("InvalidStateTransition");
      req.end();
      await answer;
      // Once it has ended, the id is no longer in flight.
      const after = await runtime.post(path, "{}");
      expect(after.status).to.equal(400);
      expect((await client).body.toString()).to.equal("first");
    });

    it("answers 504 when the deadline passes before any byte, and refuses the late reply", async () => {
      const fast = await startTestServer({ timeoutMs: 300 });
      const fastRuntime = new FakeRuntime(fast);
      try {
        const sent = Date.now();
        const client = clientRequest(fast, { path: "/stream" });
        const invocation = await fastRuntime.next();
        const received = Date.now();
        const deadline = Number(invocation.headers["lambda-runtime-deadline-ms"]);
        expect(deadline).to.be.within(sent + 300, received + 300);
        const result = await client;
        // Not before the deadline (timers may fire a millisecond early); a busy machine may answer later.
        expect(Date.now()).to.be.at.least(deadline - 5);
        expect(result.status).to.equal(504);
        expect(JSON.parse(result.body.toString())).to.deep.equal({ message: "Endpoint request timed out" });
        const late = await fastRuntime.post(
          `/2018-06-01/runtime/invocation/${invocation.requestId}/response`,
          "{}",
        );
        expect(late.status).to.equal(400);
        expect(fast.logs.some((l) => l.includes("-> 504") && l.includes("timed out after 0.30 s"))).to.equal(
          true,
        );
      } finally {
        fastRuntime.close();
        await fast.server.close();
      }
    });

    it("answers 504 with Lambda's timeout error on /invoke", async () => {
      const fast = await startTestServer({ timeoutMs: 200 });
      const fastRuntime = new FakeRuntime(fast);
      try {
        const client = clientRequest(fast, { method: "POST", path: "/invoke", body: "{}" });
        await fastRuntime.next();
        const result = await client;
        expect(result.status).to.equal(504);
        expect(result.headers["x-amz-function-error"]).to.equal("Unhandled");
        expect(JSON.parse(result.body.toString())).to.deep.equal({
          errorType: "Sandbox.Timedout",
          errorMessage: "Task timed out after 0.20 seconds",
        });
      } finally {
        fastRuntime.close();
        await fast.server.close();
      }
    });

    it("answers 504 when a stream without a prelude has sent nothing by the deadline", async () => {
      const fast = await startTestServer({ timeoutMs: 250 });
      const fastRuntime = new FakeRuntime(fast);
      try {
        const client = clientRequest(fast, { path: "/stream" });
        const { requestId } = await fastRuntime.next();
        const { answer } = fastRuntime.stream(requestId, "application/octet-stream");
        const result = await client;
        expect(result.status).to.equal(504);
        expect(JSON.parse(result.body.toString())).to.deep.equal({ message: "Endpoint request timed out" });
        expect(await answer).to.be.instanceOf(Error);
      } finally {
        fastRuntime.close();
        await fast.server.close();
      }
    });

    it("cuts a stream still running at the deadline, on both sides", async () => {
      const fast = await startTestServer({ timeoutMs: 400 });
      const fastRuntime = new FakeRuntime(fast);
      try {
        const client = clientRequest(fast, { path: "/stream" });
        const { requestId } = await fastRuntime.next();
        const { req, answer } = fastRuntime.stream(requestId, HTTP_INTEGRATION);
        await write(req, Buffer.concat([preludeBytes({ statusCode: 200 }), Buffer.from("tick\n")]));
        const result = await client;
        expect(result.status).to.equal(200);
        expect(result.body.toString()).to.equal("tick\n");
        expect(result.complete).to.equal(false);
        expect(await answer).to.be.instanceOf(Error);
        expect(fast.logs.some((l) => l.includes("stream cut: deadline passed"))).to.equal(true);
      } finally {
        fastRuntime.close();
        await fast.server.close();
      }
    });

    it("sends the init error to waiting clients and logs it", async () => {
      const client = clientRequest(t, { path: "/stream" });
      await t.until(() => t.inState("queued").length === 1);
      const answer = await runtime.post(
        "/2018-06-01/runtime/init/error",
        JSON.stringify({
          errorType: "Runtime.ImportModuleError",
          errorMessage: "Cannot find module 'handler'",
        }),
        { "Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError" },
      );
      expect(answer.status).to.equal(202);
      expect((await client).status).to.equal(502);
      expect(t.logs).to.include("init error: Runtime.ImportModuleError: Cannot find module 'handler'");
    });

    it("close() answers pending polls with 500, queued clients with 503, and the one in flight with 503", async () => {
      const poll = runtime.next();
      // The first poller takes this invocation; the second client's waits in the queue, and so does a second poll.
      const client = clientRequest(t, { path: "/stream" });
      const { requestId } = await poll;
      expect(requestId).to.match(UUID);
      const queued = clientRequest(t, { path: "/stream" });
      const secondPoll = new FakeRuntime(t);
      const pending = secondPoll.next();
      await t.until(() => t.inState("queued").length === 2 && t.polls === 2);
      await t.server.close();
      expect((await pending).status).to.equal(500);
      expect((await queued).status).to.equal(503);
      expect((await client).status).to.equal(503);
      secondPoll.close();
    });
  });
});
