// Binary media types on the local server: API Gateway's matching, the setting, and PNG bodies end to end.
import { expect } from "chai";
import { DEFAULTS as COMPONENT_DEFAULTS } from "../../components/args";
import {
  DEFAULT_BINARY_MEDIA_TYPES,
  matchesBinaryMediaType,
  parseBinaryMediaTypes,
} from "../../local/gateway/binaryMediaTypes";
import { resolveSettings } from "../../local/settings";
import { parseRestApiEvent, restApiEventBody, type LambdaRuntime } from "../../runtime";
import { pngImage } from "../fixtures/png";
import { clientRequest, runRuntimeOn, startTestServer, type TestServer } from "./harness";

describe("binary media types", () => {
  it("match as API Gateway matches them: type/subtype wildcards, any case, parameters ignored", () => {
    const cases: Array<[string | undefined, string[], boolean]> = [
      ["image/png", ["*/*"], true],
      ["text/plain", ["*/*"], true],
      [undefined, ["*/*"], true],
      ["image/png", ["image/*"], true],
      ["Image/PNG; charset=binary", ["image/png"], true],
      ["image/png", ["IMAGE/*"], true],
      ["image/png", ["*/png"], true],
      ["image/jpeg", ["*/png"], false],
      ["text/png", ["image/*"], false],
      ["application/octet-stream", ["image/*", "application/octet-stream"], true],
      ["application/json", ["application/octet-stream"], false],
      // No Content-Type: API Gateway's default, application/json.
      [undefined, ["application/json"], true],
      [undefined, ["application/*"], true],
      [undefined, ["image/*"], false],
      ["", ["application/json"], true],
      ["image/png", [], false],
    ];
    for (const [type, list, expected] of cases) {
      expect(matchesBinaryMediaType(type, list), `${type} against ${list.join(",")}`).to.equal(expected);
    }
  });

  it("default to every type, the component's default; LOCAL_LAMBDA_BINARY_MEDIA_TYPES or the option change it", () => {
    expect(DEFAULT_BINARY_MEDIA_TYPES).to.deep.equal(["*/*"]);
    expect(resolveSettings({}, {}).binaryMediaTypes).to.deep.equal(["*/*"]);
    expect(
      resolveSettings({}, { LOCAL_LAMBDA_BINARY_MEDIA_TYPES: " image/png, application/octet-stream ," })
        .binaryMediaTypes,
    ).to.deep.equal(["image/png", "application/octet-stream"]);
    expect(resolveSettings({}, { LOCAL_LAMBDA_BINARY_MEDIA_TYPES: "" }).binaryMediaTypes).to.deep.equal([]);
    expect(
      resolveSettings({ binaryMediaTypes: ["image/*"] }, { LOCAL_LAMBDA_BINARY_MEDIA_TYPES: "*/*" })
        .binaryMediaTypes,
    ).to.deep.equal(["image/*"]);
    expect(parseBinaryMediaTypes("a/b,,c/d")).to.deep.equal(["a/b", "c/d"]);
  });

  it("default to exactly the component's binaryMediaTypes default (components/args.ts)", () => {
    expect([...DEFAULT_BINARY_MEDIA_TYPES]).to.deep.equal([...COMPONENT_DEFAULTS.binaryMediaTypes]);
  });

  it("refuse an entry that is not a media type, naming the variable or the option", () => {
    expect(() => resolveSettings({}, { LOCAL_LAMBDA_BINARY_MEDIA_TYPES: "image/png;image" })).to.throw(
      RangeError,
      /LOCAL_LAMBDA_BINARY_MEDIA_TYPES: "image\/png;image" must be a media type/,
    );
    expect(() => resolveSettings({ binaryMediaTypes: ["png"] }, {})).to.throw(
      RangeError,
      /^binaryMediaTypes: "png" must be a media type/,
    );
  });
});

describe("PNG bodies through the local server and our runtime", () => {
  let t: TestServer;
  let runtime: LambdaRuntime;
  let running: Promise<void>;
  /** What the handler saw of the last request: its event's encoding flag. */
  let seen: { isBase64Encoded: boolean; contentType: string | undefined } | undefined;

  before(async () => {
    t = await startTestServer({ route: "/image" });
    // The handler echoes the uploaded bytes (decoded from the event) back as the response body, in two writes.
    ({ runtime, running } = runRuntimeOn(t, async (raw, writer) => {
      const event = parseRestApiEvent(raw);
      const body = restApiEventBody(event);
      seen = { isBase64Encoded: event.isBase64Encoded, contentType: event.headers["Content-Type"] };
      await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "image/png" } });
      await writer.write(body.subarray(0, 7));
      await writer.writeAndFinish(body.subarray(7));
    }));
  });

  after(async () => {
    runtime.stop();
    await t.server.close();
    await running;
  });

  it("uploads a PNG base64-encoded in the event and streams it back, bytes identical", async () => {
    const png = pngImage();
    const result = await clientRequest(t, {
      method: "POST",
      path: "/image",
      headers: { "Content-Type": "image/png" },
      body: png,
    });
    expect(seen).to.deep.equal({ isBase64Encoded: true, contentType: "image/png" });
    expect(result.status).to.equal(200);
    expect(result.headers["content-type"]).to.equal("image/png");
    expect(result.complete).to.equal(true);
    expect(result.body.equals(png)).to.equal(true);
  });

  it("sends a body without Content-Type base64-encoded too (application/json matches */*)", async () => {
    const png = pngImage(3, 2);
    const result = await clientRequest(t, { method: "PUT", path: "/image", body: png });
    expect(seen?.isBase64Encoded).to.equal(true);
    expect(result.body.equals(png)).to.equal(true);
  });
});

describe("a text-only binaryMediaTypes list, through the local server", () => {
  let t: TestServer;
  let runtime: LambdaRuntime;
  let running: Promise<void>;

  before(async () => {
    t = await startTestServer({ route: "/echo", binaryMediaTypes: ["image/*"] });
    ({ runtime, running } = runRuntimeOn(t, async (raw, writer) => {
      const event = parseRestApiEvent(raw);
      await writer.writeAndFinish(
        JSON.stringify({ body: event.body, isBase64Encoded: event.isBase64Encoded }),
      );
    }));
  });

  after(async () => {
    runtime.stop();
    await t.server.close();
    await running;
  });

  it("passes a body whose type matches none as UTF-8 text, isBase64Encoded false", async () => {
    const result = await clientRequest(t, {
      method: "POST",
      path: "/echo",
      headers: { "Content-Type": "application/json" },
      body: '{"name":"Zoë"}',
    });
    expect(JSON.parse(result.body.toString())).to.deep.equal({
      body: '{"name":"Zoë"}',
      isBase64Encoded: false,
    });
  });
});
