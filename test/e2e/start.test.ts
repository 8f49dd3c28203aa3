// End to end: `npm start` serves a handler, the real curl binary sees it stream, and the process tree behaves.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { freePort } from "../helpers/freePort";

const ROOT = path.resolve(__dirname, "../..");
const THROWS_ON_LOAD = path.join(ROOT, "test", "fixtures", "throwsOnLoad.ts");

interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds since curl started at which each body line arrived. */
  lineTimes: number[];
  /** `performance.now()` when the first and the last body line arrived. */
  firstLineAt: number;
  lastLineAt: number;
  exitCode: number | null;
}

/** Runs `curl -N -i URL` and timestamps each body line as it arrives. */
function curl(url: string): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("curl", ["-sS", "-N", "-i", url]);
    let text = "";
    const lineTimes: number[] = [];
    let headerEnd = -1;
    child.stdout.on("data", (data: Buffer) => {
      text += data.toString("latin1");
      if (headerEnd === -1) headerEnd = text.indexOf("\r\n\r\n");
      if (headerEnd === -1) return;
      const lines = text.slice(headerEnd + 4).split("\n").length - 1;
      while (lineTimes.length < lines) lineTimes.push(performance.now() - started);
    });
    child.on("error", reject);
    child.on("close", (exitCode) => {
      const [head = "", body = ""] = [text.slice(0, headerEnd), text.slice(headerEnd + 4)];
      const [statusLine = "", ...headerLines] = head.split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status: Number(statusLine.split(" ")[1]),
        headers,
        body,
        lineTimes,
        firstLineAt: started + (lineTimes[0] ?? NaN),
        lastLineAt: started + (lineTimes[lineTimes.length - 1] ?? NaN),
        exitCode,
      });
    });
  });
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** Checks `condition` every 100 ms until it holds; fails after `timeoutMs` naming `what`. */
async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still not ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Processes (Linux: from /proc) whose environment holds `marker`. */
function processesWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").includes(marker)) pids.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids;
}

/** `npm start` with its own port and a marker in its environment, its output collected. */
class NpmStart {
  readonly marker = `E2E_MARKER=${randomUUID()}`;
  readonly child: ChildProcess;
  output = "";
  readonly exited: Promise<number | null>;

  constructor(
    readonly port: number,
    args: string[] = [],
    cwd = ROOT,
  ) {
    const [name, value] = this.marker.split("=") as [string, string];
    this.child = spawn("npm", ["start", ...(args.length > 0 ? ["--", ...args] : [])], {
      cwd,
      env: { ...process.env, LOCAL_LAMBDA_PORT: String(port), AWS_LAMBDA_RUNTIME_API: "", [name]: value },
    });
    this.child.stdout?.on("data", (data: Buffer) => (this.output += data.toString()));
    this.child.stderr?.on("data", (data: Buffer) => (this.output += data.toString()));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** Resolves once the handler is bundled and the server announced itself. */
  ready(): Promise<void> {
    return eventually(() => this.output.includes("try: curl"), `announced: ${this.output}`, 60_000);
  }

  /** Ends npm, and (as the test checks elsewhere) everything it started, with SIGTERM to npm alone. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
    await this.exited;
    await eventually(() => processesWithMarker(this.marker).length === 0, "all exited");
  }
}

describe("npm start (a handler on the local server) with curl", function () {
  this.timeout(120_000);

  describe("the example", () => {
    let npm: NpmStart;

    before(async () => {
      npm = new NpmStart(await freePort());
      await npm.ready();
    });

    after(() => npm.stop());

    it("streams 1, 2, 3 a second apart, then 'Streaming complete!', with the custom header", async () => {
      const result = await curl(`http://127.0.0.1:${npm.port}/stream`);
      expect(result.exitCode, npm.output).to.equal(0);
      expect(result.status).to.equal(200);
      expect(result.headers["content-type"]).to.equal("text/plain");
      expect(result.headers["x-my-custom-header"]).to.equal("streaming-example");
      expect(result.body).to.equal("1\n2\n3\nStreaming complete!\n");
      // The handler pauses a second after each line. Lines arrive apart, so the body streamed (a buffered
      // body arrives at once); the bound is generous because a busy machine may delay one line's delivery.
      const [first, second, third, last] = result.lineTimes as [number, number, number, number];
      for (const gap of [second - first, third - second, last - third]) {
        expect(gap, `line arrival times ${result.lineTimes.map(Math.round).join(", ")} ms`).to.be.at.least(
          500,
        );
      }
    });

    it("queues concurrent requests, one invocation at a time, and serves them all", async () => {
      const results = await Promise.all([1, 2, 3].map(() => curl(`http://127.0.0.1:${npm.port}/stream`)));
      for (const result of results) {
        expect(result.status).to.equal(200);
        expect(result.body).to.equal("1\n2\n3\nStreaming complete!\n");
      }
      // One at a time: each response starts only after the one before it has ended.
      const ordered = [...results].sort((a, b) => a.firstLineAt - b.firstLineAt);
      for (let i = 1; i < ordered.length; i++) {
        expect((ordered[i] as CurlResult).firstLineAt).to.be.greaterThan(
          (ordered[i - 1] as CurlResult).lastLineAt,
        );
      }
    });

    it("answers a path the stack does not route as API Gateway does: 403", async () => {
      const result = await curl(`http://127.0.0.1:${npm.port}/does/not/exist`);
      expect(result.status).to.equal(403);
      expect(JSON.parse(result.body)).to.deep.equal({ message: "Missing Authentication Token" });
    });
  });

  it("ends the whole process tree and frees the port when npm alone gets SIGTERM", async () => {
    const npm = new NpmStart(await freePort());
    await npm.ready();
    // npm, its script, the runtime: everything that carries the marker.
    expect(processesWithMarker(npm.marker).length).to.be.at.least(2);
    npm.child.kill("SIGTERM");
    await npm.exited;
    await eventually(() => processesWithMarker(npm.marker).length === 0, "all exited");
    expect(await listening(npm.port)).to.equal(false);
  });

  it("says in one line that the port is taken, and exits 1", async () => {
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => blocker.once("listening", resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const npm = new NpmStart(port);
      expect(await npm.exited).to.equal(1);
      const ours = npm.output.split("\n").filter((line) => line.startsWith("npm start:"));
      expect(ours).to.deep.equal([
        `npm start: the local server cannot listen on 127.0.0.1:${port} (another process uses that port). ` +
          "Set LOCAL_LAMBDA_PORT (or LOCAL_LAMBDA_HOST) to a free address.",
      ]);
      expect(npm.output).to.not.match(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it("resolves --handler against the directory npm runs in, and names --export when the export is missing", async () => {
    const npm = new NpmStart(
      await freePort(),
      ["--handler", "fixtures/crashOnDemand.ts", "--export", "nope"],
      __dirname,
    );
    expect(await npm.exited).to.equal(1);
    expect(npm.output).to.include("npm start: --export: ");
    expect(npm.output).to.include('has no export named "nope"');
    expect(npm.output).to.include("set --export to the name it is exported as");
  });

  it("routes every path to a --handler of your own, and only --route's path when given", async () => {
    const everyPath = new NpmStart(await freePort(), ["--handler", "handler/index.ts"]);
    try {
      await everyPath.ready();
      const result = await curl(`http://127.0.0.1:${everyPath.port}/any/path/at/all`);
      expect(result.status, everyPath.output).to.equal(200);
      expect(result.body).to.equal("1\n2\n3\nStreaming complete!\n");
    } finally {
      await everyPath.stop();
    }
    const onePath = new NpmStart(await freePort(), [
      "--handler",
      "handler/index.ts",
      "--route",
      "/only/here",
    ]);
    try {
      await onePath.ready();
      expect((await curl(`http://127.0.0.1:${onePath.port}/stream`)).status).to.equal(403);
      expect((await curl(`http://127.0.0.1:${onePath.port}/only/here`)).status).to.equal(200);
    } finally {
      await onePath.stop();
    }
  });

  it("prints the usage for a mistyped option, and exits 2", async () => {
    const npm = new NpmStart(await freePort(), ["--hanlder", "x.ts"]);
    expect(await npm.exited).to.equal(2);
    expect(npm.output).to.include("Unknown option '--hanlder'");
    expect(npm.output).to.include("Usage:");
  });

  it("replaces a runtime that crashed, as Lambda does, and serves the next request", async () => {
    const npm = new NpmStart(await freePort(), ["--handler", "fixtures/crashOnDemand.ts"], __dirname);
    try {
      await npm.ready();
      const before = await curl(`http://127.0.0.1:${npm.port}/stream`);
      expect(before.body).to.match(/^served by process \d+\n$/);
      const crashed = await curl(`http://127.0.0.1:${npm.port}/stream?crash=1`);
      // The stream was cut after its first line: curl reports a transfer error, never a clean end.
      expect(crashed.body).to.equal("about to crash\n");
      expect(crashed.exitCode).to.not.equal(0);
      const after = await curl(`http://127.0.0.1:${npm.port}/stream`);
      expect(after.status).to.equal(200);
      expect(after.body).to.match(/^served by process \d+\n$/);
      expect(after.body).to.not.equal(before.body);
      expect(npm.output).to.include("starting a new one, as Lambda does after a crash");
    } finally {
      await npm.stop();
    }
  });

  it("ends with the load error and exit code 1 when the handler fails to load", async () => {
    const npm = new NpmStart(await freePort(), ["--handler", THROWS_ON_LOAD]);
    expect(await npm.exited).to.equal(1);
    expect(npm.output).to.include("ReferenceError: DATABASE_URL is not configured");
    expect(npm.output).to.include("npm start: the handler failed to load");
    await eventually(() => processesWithMarker(npm.marker).length === 0, "all exited");
  });
});
