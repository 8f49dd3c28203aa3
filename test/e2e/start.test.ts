// End to end: `npm start` serves the example handler, and the real curl binary sees it stream.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds since curl started at which each body line arrived. */
  lineTimes: number[];
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
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body, lineTimes, exitCode });
    });
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("npm start (the example on the local server) with curl", function () {
  this.timeout(60_000);
  let server: ChildProcess;
  let port: number;
  let output = "";

  before(async () => {
    port = await freePort();
    server = spawn("npm", ["start"], {
      cwd: ROOT,
      env: { ...process.env, LOCAL_LAMBDA_PORT: String(port), AWS_LAMBDA_RUNTIME_API: "" },
      detached: true,
    });
    server.stdout?.on("data", (data: Buffer) => (output += data.toString()));
    server.stderr?.on("data", (data: Buffer) => (output += data.toString()));
    await waitForPort(port, 30_000);
  });

  after(() => {
    // npm runs ts-node runs node: end the whole process group.
    if (server.pid) process.kill(-server.pid, "SIGTERM");
  });

  it("streams 1, 2, 3 about a second apart, then 'Streaming complete!', with the custom header", async () => {
    const result = await curl(`http://127.0.0.1:${port}/stream`);
    expect(result.exitCode, output).to.equal(0);
    expect(result.status).to.equal(200);
    expect(result.headers["content-type"]).to.equal("text/plain");
    expect(result.headers["x-my-custom-header"]).to.equal("streaming-example");
    expect(result.body).to.equal("1\n2\n3\nStreaming complete!\n");
    const [first, second, third, last] = result.lineTimes as [number, number, number, number];
    for (const gap of [second - first, third - second, last - third]) {
      expect(gap, `line arrival times ${result.lineTimes.map(Math.round).join(", ")} ms`).to.be.within(
        800,
        1600,
      );
    }
    // The first line must not wait for the rest: streamed, not buffered.
    expect(first).to.be.below(800);
  });

  it("queues concurrent requests (one invocation at a time) and serves them all", async () => {
    const started = performance.now();
    const results = await Promise.all([1, 2, 3].map(() => curl(`http://127.0.0.1:${port}/stream`)));
    const elapsed = performance.now() - started;
    for (const result of results) {
      expect(result.status).to.equal(200);
      expect(result.body).to.equal("1\n2\n3\nStreaming complete!\n");
    }
    // Each takes ~3 s; served one after the other, three take ~9 s.
    expect(elapsed).to.be.within(8_500, 15_000);
  });
});
