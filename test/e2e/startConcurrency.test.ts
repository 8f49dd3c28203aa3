// End to end: `LOCAL_LAMBDA_CONCURRENCY=3 npm start` serves 3 requests at once, its runtime told to poll 3.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { freePort } from "../helpers/freePort";

const ROOT = path.resolve(__dirname, "../..");

/** The environments (Linux: from /proc) of the processes whose environment holds `marker`. */
function environmentsWithMarker(marker: string): string[][] {
  const found: string[][] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1");
      if (environ.includes(marker)) found.push(environ.split("\0"));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/** Checks `condition` every 100 ms until it holds; fails after `timeoutMs` naming `what`. */
async function eventually(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still not ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A streamed GET: when its first and last body bytes arrived (`performance.now()`), and the body. */
function get(url: string): Promise<{ status: number; body: string; firstAt: number; lastAt: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn("curl", ["-sS", "-N", "-o", "-", "-w", "\n%{http_code}", url]);
    let text = "";
    let firstAt = NaN;
    let lastAt = NaN;
    child.stdout.on("data", (data: Buffer) => {
      firstAt = Number.isNaN(firstAt) ? performance.now() : firstAt;
      lastAt = performance.now();
      text += data.toString();
    });
    child.on("error", reject);
    child.on("close", () => {
      const newline = text.lastIndexOf("\n");
      resolve({ status: Number(text.slice(newline + 1)), body: text.slice(0, newline), firstAt, lastAt });
    });
  });
}

describe("npm start with LOCAL_LAMBDA_CONCURRENCY=3", function () {
  this.timeout(120_000);
  let npm: ChildProcess | undefined;
  let output = "";
  const marker = `E2E_MARKER=${randomUUID()}`;

  after(async () => {
    if (npm && npm.exitCode === null) {
      const exited = new Promise((resolve) => npm?.once("exit", resolve));
      npm.kill("SIGTERM");
      await exited;
    }
    await eventually(() => environmentsWithMarker(marker).length === 0, "all exited", 15_000);
  });

  it("streams 3 requests at once, from a runtime started with AWS_LAMBDA_MAX_CONCURRENCY=3", async () => {
    const port = await freePort();
    const [name, value] = marker.split("=") as [string, string];
    npm = spawn("npm", ["start"], {
      cwd: ROOT,
      env: {
        ...process.env,
        LOCAL_LAMBDA_PORT: String(port),
        LOCAL_LAMBDA_CONCURRENCY: "3",
        AWS_LAMBDA_RUNTIME_API: "",
        AWS_LAMBDA_MAX_CONCURRENCY: "",
        [name]: value,
      },
    });
    npm.stdout?.on("data", (data: Buffer) => (output += data.toString()));
    npm.stderr?.on("data", (data: Buffer) => (output += data.toString()));
    await eventually(() => output.includes("try: curl"), `announced: ${output}`);
    const results = await Promise.all([1, 2, 3].map(() => get(`http://127.0.0.1:${port}/stream`)));
    for (const result of results) {
      expect(result.status, output).to.equal(200);
      expect(result.body).to.equal("1\n2\n3\nStreaming complete!\n");
    }
    // At once: each response began before every other one ended (one at a time, none would).
    for (const a of results) {
      for (const b of results) if (a !== b) expect(a.firstAt).to.be.lessThan(b.lastAt);
    }
    const runtime = environmentsWithMarker(marker).find((environ) =>
      environ.some((variable) => variable.startsWith("LAMBDA_TASK_ROOT=")),
    );
    expect(runtime, "the runtime's process").to.not.equal(undefined);
    expect(runtime).to.include("AWS_LAMBDA_MAX_CONCURRENCY=3");
  });
});
