// CORS on streamed responses: the settings' checks, the headers per origin, and the preludes on the wire, per handler style.
import { expect } from "chai";
import {
  buffered,
  LambdaRuntime,
  type AnyLambdaHandler,
  type LambdaResponseStreamWriter,
} from "../../runtime";
import {
  allowedOrigin,
  CORS_SETTINGS_VARIABLE,
  corsResponseHeaders,
  CorsSettingsError,
  originOfEvent,
  parseCorsSettings,
  withCorsHeaders,
  type CorsSettings,
} from "../../runtime/cors";
import { fetchHandler } from "../../runtime/web/fetchHandler";
import { sampleRestApiEvent } from "../fixtures/restApiProxyEvent";
import { FakeRuntimeApi, PRELUDE_CONTENT_TYPE } from "../helpers/fakeRuntimeApi";
import { LAMBDA_ENV } from "../helpers/runtimeHarness";

const APP = "https://app.example.com";
const SETTINGS: CorsSettings = {
  allowOrigins: [APP, "http://localhost:5173"],
  exposeHeaders: ["x-request-id"],
  allowCredentials: true,
};

describe("runtime CORS settings (STREAMING_REST_API_CORS)", () => {
  it("parses the component's JSON and refuses what cannot work, naming the variable", () => {
    expect(parseCorsSettings(JSON.stringify(SETTINGS))).to.deep.equal(SETTINGS);
    const refusals: [string, RegExp][] = [
      ["{not json", /STREAMING_REST_API_CORS is not valid JSON/],
      ["[]", /must be a JSON object/],
      ['{"allowOrigins":[]}', /allowOrigins must be a non-empty array/],
      ['{"allowOrigins":["https://app.example.com/"]}', /"https:\/\/app.example.com\/" is not a URL origin/],
      ['{"allowOrigins":["app.example.com"]}', /is not a URL origin/],
      [
        '{"allowOrigins":["*"],"allowCredentials":true}',
        /allowCredentials cannot be used with the origin "\*"/,
      ],
      ['{"allowOrigins":["*"],"maxAge":-1}', /maxAge must be a whole number/],
      ['{"allowOrigins":["*"],"exposeHeaders":"x-a"}', /exposeHeaders must be an array/],
    ];
    for (const [text, message] of refusals) {
      expect(() => parseCorsSettings(text), text).to.throw(CorsSettingsError, message);
    }
  });

  it("allows listed origins (echoed, Vary: Origin), any origin with *, and nothing else", () => {
    expect(allowedOrigin(SETTINGS, APP)).to.equal(APP);
    expect(allowedOrigin(SETTINGS, "https://evil.example.com")).to.equal(undefined);
    expect(allowedOrigin(SETTINGS, undefined)).to.equal(undefined);
    expect(allowedOrigin({ allowOrigins: ["*"] }, "https://any.example")).to.equal("*");
    expect(corsResponseHeaders(SETTINGS, APP)).to.deep.equal({
      "Access-Control-Allow-Origin": APP,
      Vary: "Origin",
      "Access-Control-Allow-Credentials": "true",
      "Access-Control-Expose-Headers": "x-request-id",
    });
    expect(corsResponseHeaders({ allowOrigins: ["*"] }, APP)).to.deep.equal({
      "Access-Control-Allow-Origin": "*",
    });
  });

  it("reads Origin from an event's headers or multiValueHeaders, in any case", () => {
    expect(originOfEvent({ headers: { ORIGIN: APP } })).to.equal(APP);
    expect(originOfEvent({ headers: {}, multiValueHeaders: { origin: [APP] } })).to.equal(APP);
    expect(originOfEvent({ headers: null, multiValueHeaders: null })).to.equal(undefined);
    expect(originOfEvent("not an event")).to.equal(undefined);
  });

  it("merges Vary with the handler's, and leaves a prelude with any Access-Control-* header alone", () => {
    const cors = corsResponseHeaders(SETTINGS, APP) as Record<string, string>;
    const merged = withCorsHeaders({ statusCode: 200, headers: { vary: "Accept-Encoding" } }, cors);
    expect(merged.headers?.vary).to.equal("Accept-Encoding, Origin");
    const multi = withCorsHeaders({ statusCode: 200, multiValueHeaders: { Vary: ["Accept"] } }, cors);
    expect(multi.multiValueHeaders?.Vary).to.deep.equal(["Accept", "Origin"]);
    const own = { statusCode: 200, multiValueHeaders: { "access-control-allow-origin": ["*"] } };
    expect(withCorsHeaders(own, cors)).to.equal(own);
  });
});

describe("runtime CORS on the wire (prelude bytes sent to the Runtime API)", () => {
  let api: FakeRuntimeApi;
  let runtime: LambdaRuntime;
  let done: Promise<void>;
  const fatal: Error[] = [];

  async function start(
    handler: AnyLambdaHandler,
    origins: (string | undefined)[],
    env: Record<string, string> = { [CORS_SETTINGS_VARIABLE]: JSON.stringify(SETTINGS) },
  ): Promise<void> {
    api = await new FakeRuntimeApi().start();
    origins.forEach((origin, i) => {
      const event = sampleRestApiEvent();
      if (origin !== undefined) {
        // As API Gateway sends it: single- and multi-valued maps, the client's casing.
        event.headers.origin = origin;
        event.multiValueHeaders.origin = [origin];
      }
      api.enqueue({ requestId: `req-${i}`, event: JSON.stringify(event) });
    });
    fatal.length = 0;
    runtime = new LambdaRuntime(handler, {
      runtimeApi: api.address,
      env: { ...LAMBDA_ENV, ...env },
      log: { warn: () => undefined, error: () => undefined },
      onFatalError: (error) => fatal.push(error),
    });
    done = runtime.run();
  }

  afterEach(async () => {
    runtime.stop();
    await api.close();
    await done;
  });

  /** The prelude each invocation's reply carried, parsed, in queue order. */
  async function preludes(
    count: number,
  ): Promise<{ statusCode: number; headers?: Record<string, string> }[]> {
    await api.waitForReplies(count);
    return api.invocations.map((invocation) => {
      const reply = invocation.reply;
      expect(reply?.headers["content-type"], invocation.requestId).to.equal(PRELUDE_CONTENT_TYPE);
      return JSON.parse(reply?.prelude ?? "null");
    });
  }

  it("adds the headers for an allowed origin only: not for another origin, nor without an Origin", async () => {
    await start(
      async (_event: Buffer, writer: LambdaResponseStreamWriter) => {
        await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "text/plain" } });
        await writer.writeAndFinish("hi");
      },
      [APP, "https://evil.example.com", undefined],
    );
    const [allowed, other, none] = await preludes(3);
    expect(allowed?.headers).to.deep.equal({
      "Content-Type": "text/plain",
      "Access-Control-Allow-Origin": APP,
      Vary: "Origin",
      "Access-Control-Allow-Credentials": "true",
      "Access-Control-Expose-Headers": "x-request-id",
    });
    expect(other?.headers).to.deep.equal({ "Content-Type": "text/plain" });
    expect(none?.headers).to.deep.equal({ "Content-Type": "text/plain" });
  });

  it("leaves the headers of a handler that set Access-Control-* itself", async () => {
    await start(
      async (_event: Buffer, writer: LambdaResponseStreamWriter) => {
        await writer.writeStatusAndHeaders({
          statusCode: 201,
          headers: { "access-control-allow-origin": "https://mine.example" },
        });
        await writer.finish();
      },
      [APP],
    );
    const [prelude] = await preludes(1);
    expect(prelude).to.deep.equal({
      statusCode: 201,
      headers: { "access-control-allow-origin": "https://mine.example" },
    });
  });

  it("gives a prelude to responses that never write one: body only, and nothing at all", async () => {
    let call = 0;
    await start(
      async (_event: Buffer, writer: LambdaResponseStreamWriter) => {
        // The first writes a body without a prelude; the second returns without a byte (the runtime finishes it).
        if (call++ === 0) await writer.writeAndFinish("body only");
      },
      [APP, APP],
    );
    const [bodyOnly, nothing] = await preludes(2);
    for (const prelude of [bodyOnly, nothing]) {
      expect(prelude?.statusCode).to.equal(200);
      expect(prelude?.headers?.["Content-Type"]).to.equal("application/octet-stream");
      expect(prelude?.headers?.["Access-Control-Allow-Origin"]).to.equal(APP);
    }
    expect(api.invocations[0]?.reply?.body.subarray(-9).toString()).to.equal("body only");
  });

  it("applies to object handlers (handle method) and fetch handlers (fetchHandler(app)) alike", async () => {
    const objectHandler = {
      async handle(_event: Buffer, writer: LambdaResponseStreamWriter) {
        await writer.writeStatusAndHeaders({ statusCode: 202 });
        await writer.finish();
      },
    };
    await start(objectHandler, [APP]);
    expect((await preludes(1))[0]?.headers?.["Access-Control-Allow-Origin"]).to.equal(APP);
    runtime.stop();
    await api.close();
    await done;

    const app = { fetch: () => new Response("from fetch", { headers: { "x-request-id": "r1" } }) };
    await start(fetchHandler(app), [APP]);
    const [prelude] = await preludes(1);
    expect(
      prelude?.headers?.["Access-Control-Allow-Origin"] ?? multiValue(prelude, "access-control-allow-origin"),
    ).to.equal(APP);
  });

  it("adds the headers to a buffered handler's proxy result, and leaves other results alone", async () => {
    let call = 0;
    await start(
      buffered(async () =>
        call++ === 0
          ? { statusCode: 200, headers: { "Content-Type": "application/json" }, body: "{}" }
          : { n: 1 },
      ),
      [APP, APP],
    );
    await api.waitForReplies(2);
    const [proxy, plain] = api.invocations.map((invocation) => JSON.parse(String(invocation.reply?.body)));
    expect(proxy.headers).to.deep.include({ "Access-Control-Allow-Origin": APP, Vary: "Origin" });
    expect(plain).to.deep.equal({ n: 1 });
  });

  it("reports settings that are not JSON on /init/error and stops, as a function that cannot start", async () => {
    await start(async () => undefined, [], { [CORS_SETTINGS_VARIABLE]: "{oops" });
    const refused = await api.initFailed.then(
      () => undefined,
      (error: unknown) => error,
    );
    await done;
    expect(String(refused)).to.match(/CorsSettingsError/);
    expect(fatal.map((error) => error.message).join()).to.match(/STREAMING_REST_API_CORS is not valid JSON/);
  });
});

/** A header the prelude carries in `multiValueHeaders` (the fetch adapter may put headers there). */
function multiValue(prelude: unknown, name: string): string | undefined {
  const multi =
    (prelude as { multiValueHeaders?: Record<string, string[]> } | undefined)?.multiValueHeaders ?? {};
  const key = Object.keys(multi).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : multi[key]?.[0];
}
