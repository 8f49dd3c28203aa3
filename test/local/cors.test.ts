// The local server's CORS parity (LOCAL_LAMBDA_CORS_ORIGINS): preflights, API Gateway's own errors, streamed responses.
import { expect } from "chai";
import { LambdaRuntime, type LambdaResponseStreamWriter } from "../../runtime";
import { CORS_SETTINGS_VARIABLE } from "../../runtime/cors";
import { startLocalServer, type LocalServer } from "../../local/server";
import { resolveSettings } from "../../local/settings";
import { clientRequest, startTestServer, type TestServer } from "./harness";

const PAGE = "http://127.0.0.1:5173";
const OTHER = "http://127.0.0.1:6000";
const CREDENTIALS = { accessKeyId: "AKIDLOCALCORS0000001", secretAccessKey: "not-a-real-secret" };

describe("local server CORS settings", () => {
  it("reads LOCAL_LAMBDA_CORS_ORIGINS and fills in the preflight's defaults from the route", () => {
    const settings = resolveSettings({}, { LOCAL_LAMBDA_CORS_ORIGINS: `${PAGE}, https://app.example.com` });
    expect(settings.cors).to.deep.equal({
      allowOrigins: [PAGE, "https://app.example.com"],
      allowCredentials: false,
      allowHeaders: [
        "Content-Type",
        "X-Amz-Date",
        "Authorization",
        "X-Api-Key",
        "X-Amz-Security-Token",
        "X-Amz-Content-Sha256",
      ],
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
      maxAge: 600,
    });
    const get = resolveSettings({ method: "GET" }, { LOCAL_LAMBDA_CORS_ORIGINS: "*" });
    expect(get.cors?.allowMethods).to.deep.equal(["GET", "OPTIONS"]);
    expect(resolveSettings({}, {}).cors).to.equal(undefined);
  });

  it("refuses an origin that is not a URL origin, naming the variable", () => {
    expect(() => resolveSettings({}, { LOCAL_LAMBDA_CORS_ORIGINS: "https://app.example.com/path" })).to.throw(
      RangeError,
      /^LOCAL_LAMBDA_CORS_ORIGINS\.allowOrigins: "https:\/\/app\.example\.com\/path" is not a URL origin/,
    );
    expect(() => resolveSettings({ cors: { allowOrigins: ["*"], allowCredentials: true } }, {})).to.throw(
      RangeError,
      /^cors: allowCredentials cannot be used with the origin "\*"/,
    );
  });

  it("reads LOCAL_LAMBDA_AUTH and the server's own credentials, and refuses what it cannot check", () => {
    const env = { LOCAL_LAMBDA_AUTH: "AWS_IAM", AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "s" };
    expect(resolveSettings({}, env).auth).to.deep.equal({
      credentials: { accessKeyId: "AKID", secretAccessKey: "s" },
    });
    expect(resolveSettings({}, { ...env, AWS_SESSION_TOKEN: "t" }).auth?.credentials.sessionToken).to.equal(
      "t",
    );
    expect(resolveSettings({}, {}).auth).to.equal(undefined);
    expect(() => resolveSettings({}, { LOCAL_LAMBDA_AUTH: "AWS_IAM" })).to.throw(
      RangeError,
      /^LOCAL_LAMBDA_AUTH=AWS_IAM .*set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    expect(() => resolveSettings({}, { LOCAL_LAMBDA_AUTH: "COGNITO_USER_POOLS" })).to.throw(
      RangeError,
      /^LOCAL_LAMBDA_AUTH must be NONE or AWS_IAM/,
    );
  });
});

describe("local server with LOCAL_LAMBDA_CORS_ORIGINS and the project's runtime", () => {
  let t: TestServer;
  let runtime: LambdaRuntime;
  let running: Promise<void>;

  /** Serves `handler` in-process with the function environment the server asks for, as `npm start` does. */
  function serve(handler: (event: Buffer, writer: LambdaResponseStreamWriter) => Promise<void>): void {
    runtime = new LambdaRuntime(handler, {
      runtimeApi: t.server.runtimeApi,
      env: { ...t.server.functionEnvironment },
      log: { warn: () => undefined, error: () => undefined },
      onFatalError: () => undefined,
    });
    running = runtime.run();
  }

  beforeEach(async () => {
    t = await startTestServer({ cors: { allowOrigins: [PAGE] }, auth: "AWS_IAM", credentials: CREDENTIALS });
  });

  afterEach(async () => {
    runtime?.stop();
    await t.server.close();
    await running;
  });

  it("answers preflights itself, without authorization and without invoking the function", async () => {
    serve(async () => {
      throw new Error("a preflight must not reach the function");
    });
    const preflight = await clientRequest(t, {
      method: "OPTIONS",
      path: "/stream",
      headers: { Origin: PAGE, "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers).to.deep.include({
      "access-control-allow-origin": PAGE,
      "access-control-allow-methods": "GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS",
      "access-control-max-age": "600",
      vary: "Origin",
    });
    expect(preflight.headers["access-control-allow-headers"]).to.include("Authorization");
    const refused = await clientRequest(t, {
      method: "OPTIONS",
      path: "/stream",
      headers: { Origin: OTHER },
    });
    expect(refused.status).to.equal(204);
    expect(refused.headers["access-control-allow-origin"]).to.equal(undefined);
    expect(t.events).to.deep.equal([]);
  });

  it("puts Access-Control-Allow-Origin on API Gateway's own errors for an allowed origin only", async () => {
    serve(async () => undefined);
    const unsigned = await clientRequest(t, { path: "/stream", headers: { Origin: PAGE } });
    expect(unsigned.status).to.equal(403);
    expect(unsigned.headers["access-control-allow-origin"]).to.equal(PAGE);
    const unknown = await clientRequest(t, { path: "/nowhere", headers: { Origin: PAGE } });
    expect(unknown.status).to.equal(403);
    expect(unknown.headers["access-control-allow-origin"]).to.equal(PAGE);
    const other = await clientRequest(t, { path: "/stream", headers: { Origin: OTHER } });
    expect(other.status).to.equal(403);
    expect(other.headers["access-control-allow-origin"]).to.equal(undefined);
  });
});

describe("local server CORS on streamed responses and 502s", () => {
  let server: LocalServer | undefined;
  let runtime: LambdaRuntime;
  let running: Promise<void>;

  afterEach(async () => {
    runtime.stop();
    await server?.close();
    await running;
  });

  it("a runtime that starts the server itself takes its CORS settings: streamed responses carry the headers", async () => {
    let call = 0;
    runtime = new LambdaRuntime(
      async (_event: Buffer, writer: LambdaResponseStreamWriter) => {
        if (call++ === 2) throw new Error("fails before any byte");
        await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "text/plain" } });
        await writer.writeAndFinish("streamed");
      },
      {
        // No runtimeApi and no STREAMING_REST_API_CORS: the runtime starts the server and reads what it asks for.
        env: {},
        startLocalServer: async () => {
          server = await startLocalServer({
            host: "127.0.0.1",
            port: 0,
            cors: { allowOrigins: [PAGE], exposeHeaders: ["x-amzn-RequestId"] },
            log: () => undefined,
          });
          serverReady();
          return server;
        },
        log: { warn: () => undefined, error: () => undefined },
        onFatalError: () => undefined,
      },
    );
    let serverReady = (): void => undefined;
    const ready = new Promise<void>((resolve) => (serverReady = resolve));
    running = runtime.run();
    await ready;
    const started = server as LocalServer;
    expect(started.functionEnvironment[CORS_SETTINGS_VARIABLE]).to.be.a("string");
    const [host, port] = started.runtimeApi.split(":");
    const t = { host, port: Number(port) } as TestServer;

    const allowed = await clientRequest(t, { path: "/stream", headers: { Origin: PAGE } });
    expect(allowed.status).to.equal(200);
    expect(allowed.body.toString()).to.equal("streamed");
    expect(allowed.headers).to.deep.include({
      "access-control-allow-origin": PAGE,
      "access-control-expose-headers": "x-amzn-RequestId",
      "content-type": "text/plain",
    });
    const other = await clientRequest(t, { path: "/stream", headers: { Origin: OTHER } });
    expect(other.status).to.equal(200);
    expect(other.headers["access-control-allow-origin"]).to.equal(undefined);
    const failed = await clientRequest(t, { path: "/stream", headers: { Origin: PAGE } });
    expect(failed.status).to.equal(502);
    expect(failed.headers["access-control-allow-origin"]).to.equal(PAGE);
  });
});
