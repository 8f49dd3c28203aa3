// The deployed bundle with a pipe standing in for Lambda's telemetry descriptor: the bytes it writes, frame by
// frame, and the lines it writes to stdout without one.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { bundleHandler } from "../helpers/childRuntime";
import { FakeRuntimeApi, type QueuedEvent } from "../helpers/fakeRuntimeApi";
import { FRAME_TYPES, ISO_TIMESTAMP, parseFrames, textFields, type Frame } from "./helpers";

const FIXTURE = path.join(__dirname, "fixtures", "loggingHandler.ts");

/** What a function run left behind. */
interface FunctionRun {
  /** The frames on the telemetry pipe (none without one). */
  readonly frames: Frame[];
  readonly stdout: string;
  readonly stderr: string;
  /** The bodies of the responses, parsed, by request id. */
  readonly responses: Record<string, unknown>;
  /** `Date.now()` before the process started and after it ended. */
  readonly startedMs: number;
  readonly endedMs: number;
}

describe("function logs on a telemetry pipe and on stdout", function () {
  this.timeout(60_000);
  let bundle: string;
  const apis: FakeRuntimeApi[] = [];

  before(async () => {
    bundle = await bundleHandler(FIXTURE);
  });
  afterEach(async () => {
    await Promise.all(apis.splice(0).map((api) => api.close()));
  });

  /**
   * Runs the bundle for `events` (each answered before the next), with `_LAMBDA_TELEMETRY_LOG_FD=3` on a pipe
   * when `pipe`, then stops it once it polls for more, and collects everything it wrote.
   */
  async function runFunction(
    events: QueuedEvent[],
    env: Record<string, string>,
    pipe: boolean,
  ): Promise<FunctionRun> {
    const api = await new FakeRuntimeApi().start();
    apis.push(api);
    const startedMs = Date.now();
    const child = spawn(process.execPath, [bundle], {
      env: {
        PATH: process.env.PATH ?? "",
        AWS_LAMBDA_RUNTIME_API: api.address,
        AWS_LAMBDA_FUNCTION_NAME: "logging-fn",
        ...(pipe ? { _LAMBDA_TELEMETRY_LOG_FD: "3" } : {}),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe", pipe ? "pipe" : "ignore"],
    });
    const telemetry: Buffer[] = [];
    let stdout = "";
    let stderr = "";
    (child.stdio[3] as Readable | null)?.on("data", (data: Buffer) => telemetry.push(data));
    child.stdout?.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr?.on("data", (data: Buffer) => (stderr += data.toString()));
    // "close": every stream, the telemetry pipe included, has been read to its end.
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    try {
      for (const event of events) api.enqueue(event);
      await api.waitForReplies(events.length);
      // Polling again: the invocations are over, the runtime's own records about them written.
      await api.until(() => api.pollWaiting, "the runtime polling after the last invocation");
    } finally {
      child.kill("SIGTERM");
      await closed;
    }
    const responses: Record<string, unknown> = {};
    for (const event of events) {
      const reply = api.repliesTo(event.requestId).find((exchange) => exchange.path.endsWith("/response"));
      const body = reply?.body.toString() ?? "";
      // The fixture answers with a JSON report, except where it streams something else ("unfinished").
      if (body.startsWith("{") && body.endsWith("}")) responses[event.requestId] = JSON.parse(body);
    }
    return {
      frames: parseFrames(Buffer.concat(telemetry)),
      stdout,
      stderr,
      responses,
      startedMs,
      endedMs: Date.now(),
    };
  }

  const everyLevel = (requestId: string, headers?: QueuedEvent["headers"]): QueuedEvent => ({
    requestId,
    event: '"every-level"',
    headers,
  });

  it("writes one Text frame per record: header, exact length, microsecond timestamp, level bits", async () => {
    const run = await runFunction([everyLevel("req-text")], {}, true);
    expect(run.stdout, "nothing on stdout").to.equal("");
    const { frames } = run;
    expect(frames.map((frame) => frame.type)).to.deep.equal([
      FRAME_TYPES.TEXT.INFO,
      FRAME_TYPES.TEXT.TRACE,
      FRAME_TYPES.TEXT.DEBUG,
      FRAME_TYPES.TEXT.INFO,
      FRAME_TYPES.TEXT.INFO,
      FRAME_TYPES.TEXT.WARN,
      FRAME_TYPES.TEXT.ERROR,
      FRAME_TYPES.TEXT.FATAL,
      FRAME_TYPES.TEXT.INFO,
    ]);
    let previous = 0n;
    for (const frame of frames) {
      expect(frame.length).to.equal(frame.payload.length).and.to.equal(Buffer.byteLength(frame.text));
      expect(frame.text.endsWith("\n"), "a Text record ends with its newline").to.equal(true);
      const fields = textFields(frame.text.slice(0, -1));
      expect(fields.timestamp).to.match(ISO_TIMESTAMP);
      expect(frame.timestampUs, "the header's time is the record's").to.equal(
        BigInt(Date.parse(fields.timestamp)) * 1000n,
      );
      expect(Number(frame.timestampUs / 1000n)).to.be.within(run.startedMs, run.endedMs);
      expect(frame.timestampUs >= previous, "in order").to.equal(true);
      previous = frame.timestampUs;
    }
    const records = frames.map((frame) => textFields(frame.text.slice(0, -1)));
    expect(records.map((record) => [record.requestId, record.level, record.message])).to.deep.equal([
      ["-", "INFO", "module loaded"],
      ["req-text", "TRACE", "trace 1"],
      ["req-text", "DEBUG", "debug"],
      ["req-text", "INFO", "info"],
      ["req-text", "INFO", "log formatted"],
      ["req-text", "WARN", "warn"],
      [
        "req-text",
        "ERROR",
        "Error: three lines\n    at first (handler.js:1:1)\n    at second (handler.js:2:2)",
      ],
      ["req-text", "FATAL", "fatal"],
      ["req-text", "INFO", "multi\nline"],
    ]);
    expect(run.responses["req-text"]).to.deep.include({ telemetryFdInEnv: null });
  });

  it("writes a 3-line stack trace as one frame", async () => {
    const { frames } = await runFunction([everyLevel("req-stack")], {}, true);
    const errors = frames.filter((frame) => frame.type === FRAME_TYPES.TEXT.ERROR);
    expect(errors).to.have.length(1);
    expect(errors[0]?.text.trimEnd().split("\n")).to.have.length(3);
  });

  it("writes JSON frames with the JSON level bits, no line end, and the tenant id", async () => {
    const run = await runFunction(
      [everyLevel("req-json", { "Lambda-Runtime-Aws-Tenant-Id": "tenant-9" })],
      { AWS_LAMBDA_LOG_FORMAT: "JSON" },
      true,
    );
    const { frames } = run;
    expect(frames.map((frame) => frame.type)).to.deep.equal([
      FRAME_TYPES.JSON.INFO,
      FRAME_TYPES.JSON.TRACE,
      FRAME_TYPES.JSON.DEBUG,
      FRAME_TYPES.JSON.INFO,
      FRAME_TYPES.JSON.INFO,
      FRAME_TYPES.JSON.WARN,
      FRAME_TYPES.JSON.ERROR,
      FRAME_TYPES.JSON.FATAL,
      FRAME_TYPES.JSON.INFO,
    ]);
    const records = frames.map((frame) => {
      expect(frame.text.endsWith("}"), frame.text).to.equal(true);
      return JSON.parse(frame.text) as Record<string, unknown>;
    });
    for (const [index, record] of records.entries()) {
      expect(frames[index]?.timestampUs).to.equal(BigInt(Date.parse(record.timestamp as string)) * 1000n);
    }
    expect(records[0]).to.deep.include({ level: "INFO", requestId: "-", message: "module loaded" });
    expect(records[0]).to.not.have.property("tenantId");
    for (const record of records.slice(1)) {
      expect(record).to.include({ requestId: "req-json", tenantId: "tenant-9" });
    }
    expect(records[6]?.message).to.deep.equal({
      errorType: "Error",
      errorMessage: "three lines",
      stackTrace: ["Error: three lines", "    at first (handler.js:1:1)", "    at second (handler.js:2:2)"],
    });
    expect(run.responses["req-json"]).to.deep.equal({
      requestId: "req-json",
      tenantId: "tenant-9",
      telemetryFdInEnv: null,
    });
  });

  it("writes only the levels at or above AWS_LAMBDA_LOG_LEVEL", async () => {
    const { frames } = await runFunction([everyLevel("req-warn")], { AWS_LAMBDA_LOG_LEVEL: "warn" }, true);
    expect(frames.map((frame) => textFields(frame.text).level)).to.deep.equal(["WARN", "ERROR", "FATAL"]);
  });

  it("gives each invocation's records its own request id, a timer's after the handler returned too", async () => {
    const { frames } = await runFunction(
      [
        { requestId: "first", event: '"later"' },
        { requestId: "second", event: '"later"' },
      ],
      {},
      true,
    );
    const fromTimer = frames
      .map((frame) => textFields(frame.text))
      .filter((r) => r.message.startsWith("from a timer"));
    expect(fromTimer.map((record) => record.requestId)).to.deep.equal(["first", "second"]);
  });

  it("writes the runtime's own messages through the same log, at their level, with the request id", async () => {
    const text = await runFunction(
      [
        { requestId: "fails", event: '"throws"' },
        { requestId: "unfinished", event: '"unfinished"' },
      ],
      {},
      true,
    );
    const records = text.frames.slice(1).map((frame) => ({ type: frame.type, ...textFields(frame.text) }));
    expect(records.map((record) => [record.type, record.requestId, record.level])).to.deep.equal([
      [FRAME_TYPES.TEXT.ERROR, "fails", "ERROR"],
      [FRAME_TYPES.TEXT.WARN, "unfinished", "WARN"],
    ]);
    expect(records[0]?.message).to.match(
      /^\[runtime\] fails: handler failed before any response byte.*TypeError: handler failed\n/,
    );
    expect(records[1]?.message).to.include("the handler returned without finish()");

    const json = await runFunction(
      [{ requestId: "fails", event: '"throws"' }],
      { AWS_LAMBDA_LOG_FORMAT: "JSON" },
      true,
    );
    const record = JSON.parse(json.frames[1]?.text ?? "") as Record<string, unknown>;
    expect(json.frames[1]?.type).to.equal(FRAME_TYPES.JSON.ERROR);
    expect(record).to.include({
      level: "ERROR",
      requestId: "fails",
      errorType: "TypeError",
      errorMessage: "handler failed",
    });
    expect(record.stackTrace).to.be.an("array").with.length.greaterThan(1);
  });

  it("writes lines to stdout without a descriptor, a message's newlines as \\r", async () => {
    const run = await runFunction([everyLevel("req-stdout")], {}, false);
    const lines = run.stdout.split("\n");
    expect(lines.pop(), "the output ends with a line end").to.equal("");
    expect(lines).to.have.length(9);
    const records = lines.map(textFields);
    expect(records[6]).to.include({
      requestId: "req-stdout",
      level: "ERROR",
      message: "Error: three lines\r    at first (handler.js:1:1)\r    at second (handler.js:2:2)",
    });
    expect(records[8]).to.include({ level: "INFO", message: "multi\rline" });
    expect(run.stderr).to.equal("");
  });

  it("writes one JSON object per line to stdout without a descriptor", async () => {
    const run = await runFunction([everyLevel("req-stdout-json")], { AWS_LAMBDA_LOG_FORMAT: "JSON" }, false);
    const records = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record.level)).to.deep.equal([
      "INFO",
      "TRACE",
      "DEBUG",
      "INFO",
      "INFO",
      "WARN",
      "ERROR",
      "FATAL",
      "INFO",
    ]);
    expect(records[8]).to.include({ requestId: "req-stdout-json", message: "multi\nline" });
  });

  it("writes one JSON line per record to the provider socket on Lambda Managed Instances", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "log-socket-"));
    const socketPath = path.join(dir, "logs.sock");
    let received = "";
    const server = createServer((socket) =>
      socket.on("data", (data: Buffer) => (received += data.toString())),
    );
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const run = await runFunction(
        [everyLevel("req-socket")],
        {
          AWS_LAMBDA_MAX_CONCURRENCY: "1",
          AWS_LAMBDA_LOG_FORMAT: "JSON",
          _LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET: socketPath,
        },
        false,
      );
      expect(run.stdout).to.equal("");
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const lines = received.split("\n");
      expect(lines.pop()).to.equal("");
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records.map((record) => [record.requestId, record.level])).to.deep.equal([
        ["-", "INFO"],
        ["req-socket", "TRACE"],
        ["req-socket", "DEBUG"],
        ["req-socket", "INFO"],
        ["req-socket", "INFO"],
        ["req-socket", "WARN"],
        ["req-socket", "ERROR"],
        ["req-socket", "FATAL"],
        ["req-socket", "INFO"],
      ]);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
