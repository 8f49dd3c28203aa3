// End to end: the Hono example (handler/hono/app.ts) under `npm start -- --handler ... --export handler`, with curl.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PIXEL_PNG } from "../../handler/hono/app";
import { pngImage } from "../fixtures/png";
import { headerValues, startCurl, type CurlResult } from "../web/curl";
import { freePort } from "../helpers/freePort";

const ROOT = path.resolve(__dirname, "../..");

/** `npm start` serving the Hono example on every path, its output collected. */
class HonoExample {
  readonly child: ChildProcess;
  output = "";
  readonly exited: Promise<number | null>;
  readonly #announced: Promise<void>;

  constructor(readonly port: number) {
    this.child = spawn("npm", ["start", "--", "--handler", "handler/hono/app.ts", "--export", "handler"], {
      cwd: ROOT,
      env: {
        ...process.env,
        LOCAL_LAMBDA_PORT: String(port),
        // Unset, as the README's command runs it: --handler routes every path to the app.
        LOCAL_LAMBDA_ROUTE: "",
        AWS_LAMBDA_RUNTIME_API: "",
      },
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
    this.#announced = new Promise((resolve, reject) => {
      const collect = (data: Buffer): void => {
        this.output += data.toString();
        if (this.output.includes("try: curl")) resolve();
      };
      this.child.stdout?.on("data", collect);
      this.child.stderr?.on("data", collect);
      void this.exited.then((code) => reject(new Error(`npm start exited (${code}):\n${this.output}`)));
    });
  }

  /** Resolves once the handler is bundled and the server announced itself. */
  ready(): Promise<void> {
    return this.#announced;
  }

  url(pathAndQuery: string): string {
    return `http://127.0.0.1:${this.port}${pathAndQuery}`;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
    await this.exited;
  }
}

describe("the Hono example under npm start, with curl", function () {
  this.timeout(120_000);
  let example: HonoExample;
  let scratch: string;

  before(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "hono-example-"));
    example = new HonoExample(await freePort());
    await example.ready();
  });

  after(async () => {
    await example.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs curl on `pathAndQuery` and records when the body first held each of `marks`. */
  async function curlWithArrivals(pathAndQuery: string, marks: string[]) {
    const run = startCurl(example.url(pathAndQuery));
    const started = performance.now();
    const arrivals = marks.map((mark) => run.bodyIncludes(mark).then(() => performance.now() - started));
    const result = await run.done;
    return { result, arrivals: await Promise.all(arrivals) };
  }

  function expectOk(result: CurlResult): void {
    expect(result.exitCode, `${result.stderr}\n${example.output}`).to.equal(0);
  }

  it("GET /stream: 1, 2, 3 a second apart, then 'Streaming complete!'", async () => {
    const { result, arrivals } = await curlWithArrivals("/stream", ["1\n", "2\n", "3\n", "complete!\n"]);
    expectOk(result);
    expect(result.status).to.equal(200);
    expect(headerValues(result, "content-type")).to.deep.equal(["text/plain; charset=utf-8"]);
    expect(result.body.toString()).to.equal("1\n2\n3\nStreaming complete!\n");
    // The app pauses a second after each number; a buffered body would arrive at once (generous bound).
    for (let i = 1; i < arrivals.length; i++) {
      const gap = (arrivals[i] as number) - (arrivals[i - 1] as number);
      expect(gap, `arrivals ${arrivals.map(Math.round).join(", ")} ms`).to.be.at.least(500);
    }
  });

  it("GET /events: three server-sent events, each as it is sent", async () => {
    const { result, arrivals } = await curlWithArrivals("/events", [
      '{"tick":1}',
      '{"tick":2}',
      '{"tick":3}',
    ]);
    expectOk(result);
    expect(headerValues(result, "content-type")).to.deep.equal(["text/event-stream"]);
    expect(headerValues(result, "cache-control")).to.deep.equal(["no-cache"]);
    expect(result.body.toString()).to.equal(
      [1, 2, 3].map((i) => `event: tick\ndata: {"tick":${i}}\nid: ${i}\n\n`).join(""),
    );
    expect((arrivals[1] as number) - (arrivals[0] as number)).to.be.at.least(500);
  });

  it("GET /json: JSON with the path the app saw and the invocation's request id", async () => {
    const { result } = await curlWithArrivals("/json", []);
    expectOk(result);
    expect(result.status).to.equal(200);
    expect(headerValues(result, "content-type")).to.deep.equal(["application/json"]);
    const body = JSON.parse(result.body.toString());
    expect(body).to.include({ message: "Hello from Hono", path: "/json" });
    expect(body.requestId).to.match(/^[0-9a-f-]{36}$/);
  });

  it("GET /cookies: both Set-Cookie headers", async () => {
    const { result } = await curlWithArrivals("/cookies", []);
    expectOk(result);
    expect(headerValues(result, "set-cookie")).to.deep.equal([
      "session=abc123; Path=/; HttpOnly; Secure; SameSite=Lax",
      "theme=dark; Path=/",
    ]);
  });

  it("GET /pixel.png and POST /echo: PNG bytes identical both ways", async () => {
    const { result: pixel } = await curlWithArrivals("/pixel.png", []);
    expectOk(pixel);
    expect(headerValues(pixel, "content-type")).to.deep.equal(["image/png"]);
    expect(pixel.body.equals(Buffer.from(PIXEL_PNG))).to.equal(true);
    expect(pixel.body.subarray(1, 4).toString()).to.equal("PNG");

    const png = pngImage(40, 30);
    const file = path.join(scratch, "upload.png");
    writeFileSync(file, png);
    const upload = await startCurl(example.url("/echo"), [
      "-X",
      "POST",
      "-H",
      "Content-Type: image/png",
      "--data-binary",
      `@${file}`,
    ]).done;
    expectOk(upload);
    expect(upload.status).to.equal(200);
    expect(headerValues(upload, "content-type")).to.deep.equal(["image/png"]);
    expect(upload.body.equals(png)).to.equal(true);
  });

  it("404s: c.notFound() for an unknown item, the app's notFound for an unknown path", async () => {
    const { result: item } = await curlWithArrivals("/items/3", []);
    expectOk(item);
    expect(item.status).to.equal(404);
    expect(JSON.parse(item.body.toString())).to.deep.equal({ message: "no route for GET /items/3" });
    const { result: known } = await curlWithArrivals("/items/2", []);
    expect(JSON.parse(known.body.toString())).to.deep.equal({ name: "second" });
    const { result: other } = await curlWithArrivals("/nope?x=1", []);
    expect(other.status).to.equal(404);
    expect(JSON.parse(other.body.toString())).to.deep.equal({ message: "no route for GET /nope" });
  });
});
