// A real Hono app, served by fetchHandler on our runtime and the local server, as curl sees it.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fetchHandler, type LambdaRuntime } from "../../runtime";
import { runRuntimeOn, startTestServer, type TestServer } from "../local/harness";
import { headerValues, startCurl, type CurlRun } from "./curl";
import {
  BINARY_BODY,
  COOKIE_LINES,
  createHonoApp,
  SSE_TEXT,
  STREAM_CHUNKS,
  type HonoAppHooks,
} from "./fixtures/honoApp";

describe("a Hono app through fetchHandler and the local server, with curl", function () {
  this.timeout(60_000);
  let t: TestServer;
  let runtime: LambdaRuntime;
  let running: Promise<void>;
  let hooks: HonoAppHooks = {};
  const runtimeLog: string[] = [];
  let scratch: string;

  before(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "hono-local-"));
    t = await startTestServer({ route: "*" });
    const app = createHonoApp({
      beforeChunk: (index) => hooks.beforeChunk?.(index) ?? Promise.resolve(),
      chunkWritten: (index) => hooks.chunkWritten?.(index),
    });
    ({ runtime, running } = runRuntimeOn(t, fetchHandler(app), (line) => runtimeLog.push(line)));
  });

  afterEach(() => {
    hooks = {};
  });

  after(async () => {
    runtime.stop();
    await t.server.close();
    await running;
    rmSync(scratch, { recursive: true, force: true });
  });

  const url = (pathAndQuery: string): string => `${t.server.url}${pathAndQuery}`;

  /**
   * Requests `path` while the app writes its chunks one at a time: chunk i is written only once curl has
   * printed every chunk before it. A server that held chunks back would never let the app go on.
   * @returns The order of what happened, and when each chunk reached curl.
   */
  async function streamedInSteps(pathAndQuery: string, pieces: string[]) {
    const order: string[] = [];
    const arrivals: number[] = [];
    const prefix = (count: number): string => pieces.slice(0, count).join("");
    hooks = {
      // Called once the request reached the app, so after `curl` below is set.
      beforeChunk: async (index) => {
        if (index > 0) await curl.bodyIncludes(prefix(index));
        order.push(`app writes ${index}`);
      },
    };
    const curl: CurlRun = startCurl(url(pathAndQuery));
    const started = performance.now();
    for (const index of pieces.keys()) {
      // A chunk that never arrives shows in `order`; curl exiting first is not an error of its own.
      curl.bodyIncludes(prefix(index + 1)).then(
        () => {
          order.push(`curl has ${index}`);
          arrivals.push(performance.now() - started);
        },
        () => undefined,
      );
    }
    const result = await curl.done;
    return { result, order, arrivals };
  }

  const interleaved = (count: number): string[] =>
    Array.from({ length: count }, (_, i) => [`app writes ${i}`, `curl has ${i}`]).flat();

  it("streams hono/streaming stream() chunk by chunk: each reaches curl before the app writes the next", async () => {
    const { result, order, arrivals } = await streamedInSteps("/stream", STREAM_CHUNKS);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.status).to.equal(200);
    expect(headerValues(result, "content-type")).to.deep.equal(["text/plain; charset=utf-8"]);
    expect(result.body.toString()).to.equal(STREAM_CHUNKS.join(""));
    expect(order, `arrivals (ms): ${arrivals.map(Math.round).join(", ")}`).to.deep.equal(
      interleaved(STREAM_CHUNKS.length),
    );
  });

  it("streams streamSSE() event by event, with the event-stream headers and multi-line data framed", async () => {
    const { result, order, arrivals } = await streamedInSteps("/sse", SSE_TEXT);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.status).to.equal(200);
    expect(headerValues(result, "content-type")).to.deep.equal(["text/event-stream"]);
    expect(headerValues(result, "cache-control")).to.deep.equal(["no-cache"]);
    expect(result.body.toString()).to.equal(SSE_TEXT.join(""));
    expect(order, `arrivals (ms): ${arrivals.map(Math.round).join(", ")}`).to.deep.equal(
      interleaved(SSE_TEXT.length),
    );
  });

  it("sends both cookies of two setCookie() calls as separate Set-Cookie lines", async () => {
    const result = await startCurl(url("/cookies")).done;
    expect(result.status).to.equal(200);
    expect(headerValues(result, "set-cookie")).to.deep.equal(COOKIE_LINES);
    expect(headerValues(result, "content-type")).to.deep.equal(["application/json"]);
    expect(JSON.parse(result.body.toString())).to.deep.equal({ cookies: 2 });
  });

  it("answers with the app's statuses: c.notFound(), an unknown route, a redirect, 204", async () => {
    const [missing, unknown, redirect, empty, found] = await Promise.all(
      ["/items/missing", "/no/such/route", "/redirect", "/empty", "/items/42"].map(
        (p) => startCurl(url(p)).done,
      ),
    );
    expect([missing?.status, missing?.body.toString()]).to.deep.equal([404, "404 Not Found"]);
    expect(unknown?.status).to.equal(404);
    expect(redirect?.status).to.equal(302);
    expect(redirect && headerValues(redirect, "location")).to.deep.equal(["/json"]);
    expect([empty?.status, empty?.body.length]).to.deep.equal([204, 0]);
    expect([found?.status, found?.body.toString()]).to.deep.equal([200, "42"]);
  });

  it("sends a binary body byte for byte", async () => {
    const result = await startCurl(url("/binary")).done;
    expect(result.status).to.equal(200);
    expect(headerValues(result, "content-type")).to.deep.equal(["image/png"]);
    expect(result.body.equals(BINARY_BODY)).to.equal(true);
  });

  it("hands the app a binary request body byte for byte (a PNG upload)", async () => {
    const upload = Buffer.concat([BINARY_BODY, randomBytes(64 * 1024)]);
    const file = path.join(scratch, "upload.png");
    writeFileSync(file, upload);
    const result = await startCurl(url("/upload"), [
      "-X",
      "POST",
      "-H",
      "Content-Type: image/png",
      "--data-binary",
      `@${file}`,
    ]).done;
    expect(result.status, result.body.toString()).to.equal(200);
    expect(result.body.length).to.equal(upload.length);
    expect(result.body.equals(upload)).to.equal(true);
  });

  it("builds the request URL from the path and every repeated, non-ASCII query value, in order", async () => {
    const result = await startCurl(url("/json?tag=b&tag=a&tag=b&name=%C3%A9t%C3%A9&e=")).done;
    expect(result.status).to.equal(200);
    const json = JSON.parse(result.body.toString());
    expect(json.query).to.deep.equal({ tag: ["b", "a", "b"], name: ["été"], e: [""] });
    expect(json.stage).to.equal("local");
    expect(new URL(json.url).pathname).to.equal("/json");
    expect(json.requestId).to.be.a("string").and.not.equal("");
  });

  it("answers HEAD with the status and headers only", async () => {
    const result = await startCurl(url("/stream"), ["-I"]).done;
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.status).to.equal(200);
    expect(headerValues(result, "content-type")).to.deep.equal(["text/plain; charset=utf-8"]);
    expect(result.body.length).to.equal(0);
  });

  it("refuses a 7 MB request body with a 413 that says why, then serves the next request", async () => {
    const file = path.join(scratch, "big.bin");
    writeFileSync(file, Buffer.alloc(7 * 1024 * 1024, 0x61));
    const refused = await startCurl(url("/upload"), [
      "-X",
      "POST",
      "-H",
      "Content-Type: application/octet-stream",
      "--data-binary",
      `@${file}`,
    ]).done;
    expect(refused.status, refused.stderr).to.equal(413);
    expect(JSON.parse(refused.body.toString()).message).to.match(/smaller than 6291456 bytes/);
    const next = await startCurl(url("/items/7")).done;
    expect([next.status, next.body.toString()]).to.deep.equal([200, "7"]);
  });
});
