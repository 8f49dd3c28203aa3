// The same handler's console calls under AWS's aws-lambda-ric and under our runtime, with a pipe standing in
// for Lambda's telemetry descriptor and without one, in Text and JSON: the same records, field by field, the
// same levels and the same framing. The differences are few, deliberate, and listed in the README ("Logs").
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { sandboxEnvironment } from "../../bench/environment";
import { bundleHandler } from "../helpers/childRuntime";
import { FakeRuntimeApi, type QueuedEvent } from "../helpers/fakeRuntimeApi";
import { ISO_TIMESTAMP, parseFrames, textFields } from "../logging/helpers";
import { prepareAwsRic, type PreparedAwsRic } from "./helpers/awsRicPeer";

/** A fresh machine compiles curl, aws-lambda-cpp and the addon: give it time. */
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const RIC_HANDLERS = path.resolve(__dirname, "fixtures", "awsRicLogHandlers.ts");
const OURS_HANDLER = path.resolve(__dirname, "fixtures", "oursLogHandler.ts");
const TENANT = "tenant-7";

/** The invocations every run serves, in order. */
const EVENTS: readonly QueuedEvent[] = [
  { requestId: "req-logs", event: '"logs"', headers: { "Lambda-Runtime-Aws-Tenant-Id": TENANT } },
  { requestId: "req-nothing", event: '"nothing"' },
  { requestId: "req-throws", event: '"throws"' },
];

type Client = "aws" | "ours";
type Format = "Text" | "JSON";

/** One record as both clients can be compared on: everything but the timestamp, which was checked. */
type Comparable = Record<string, unknown> & { requestId: unknown; level: unknown };

describe("logs: aws-lambda-ric 4.0.2 and our runtime, the same handler's console calls", function () {
  this.timeout(60_000);
  let prepared: PreparedAwsRic;
  let oursBundle: string;

  before(async function () {
    this.timeout(INSTALL_TIMEOUT_MS);
    prepared = await prepareAwsRic((line) => console.log(`      ${line}`), RIC_HANDLERS);
    oursBundle = await bundleHandler(OURS_HANDLER, "logs");
  });

  /**
   * Runs `client` for {@link EVENTS} with `env`, its logs on a pipe as descriptor 3 (`pipe`) or on stdout,
   * and returns its records, checked for shape (ISO timestamps; on the pipe, whole frames whose header's
   * timestamp is the record's) and made comparable.
   */
  async function recordsOf(
    client: Client,
    format: Format,
    pipe: boolean,
    extraEnv: Record<string, string> = {},
  ): Promise<Comparable[]> {
    const api = await new FakeRuntimeApi().start();
    const entry = client === "aws" ? prepared.ric.entry : oursBundle;
    const env = {
      ...sandboxEnvironment({
        runtimeApi: api.address,
        taskRoot: client === "aws" ? prepared.taskRoot : path.dirname(oursBundle),
        handler: "index.logs",
        nodeBinary: prepared.node.binary,
      }),
      AWS_LAMBDA_LOG_FORMAT: format,
      ...(pipe ? { _LAMBDA_TELEMETRY_LOG_FD: "3" } : {}),
      ...extraEnv,
    };
    const child = spawn(prepared.node.binary, [entry], {
      env,
      stdio: ["ignore", "pipe", "pipe", pipe ? "pipe" : "ignore"],
    });
    const telemetry: Buffer[] = [];
    let stdout = "";
    let stderr = "";
    (child.stdio[3] as Readable | null)?.on("data", (data: Buffer) => telemetry.push(data));
    child.stdout?.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr?.on("data", (data: Buffer) => (stderr += data.toString()));
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    try {
      for (const event of EVENTS) api.enqueue(event);
      await Promise.race([
        api
          .waitForReplies(EVENTS.length)
          .then(() => api.until(() => api.pollWaiting, `${client} polling after the last invocation`)),
        closed.then(() => {
          throw new Error(`${client} exited early:\n${stdout}\n${stderr}`);
        }),
      ]);
    } finally {
      child.kill("SIGKILL");
      await closed;
      await api.close();
    }
    expect(stderr, `${client} wrote nothing to stderr`).to.equal("");
    if (!pipe) {
      const lines = stdout.split("\n");
      expect(lines.pop(), "stdout ends with a line end").to.equal("");
      return lines.map((line) => comparable(format, line, undefined));
    }
    expect(stdout, `${client} wrote nothing to stdout with a telemetry descriptor`).to.equal("");
    return parseFrames(Buffer.concat(telemetry)).map((frame) => {
      if (format === "Text")
        expect(frame.text.endsWith("\n"), "a Text frame ends with its newline").to.equal(true);
      else expect(frame.text.endsWith("}"), "a JSON frame is the object alone").to.equal(true);
      const record = comparable(
        format,
        format === "Text" ? frame.text.slice(0, -1) : frame.text,
        frame.timestampUs,
      );
      return { frameType: `0x${frame.type.toString(16)}`, ...record };
    });
  }

  /** A record without its timestamp, once checked (and, from a frame, checked against the header's). */
  function comparable(format: Format, text: string, headerUs: bigint | undefined): Comparable {
    const record: Record<string, unknown> =
      format === "Text" ? { ...textFields(text) } : (JSON.parse(text) as Record<string, unknown>);
    expect(record.timestamp, text).to.match(ISO_TIMESTAMP);
    if (headerUs !== undefined)
      expect(headerUs).to.equal(BigInt(Date.parse(record.timestamp as string)) * 1000n);
    delete record.timestamp;
    return record as Comparable;
  }

  /** The records of one invocation (`-`: those written outside any). */
  const of = (records: Comparable[], requestId: string): Comparable[] =>
    records.filter((record) => record.requestId === requestId);

  for (const format of ["Text", "JSON"] as const) {
    for (const pipe of [true, false]) {
      describe(`${format}, ${pipe ? "on a telemetry pipe" : "on stdout"}`, () => {
        let aws: Comparable[];
        let ours: Comparable[];
        before(async () => {
          [aws, ours] = await Promise.all([recordsOf("aws", format, pipe), recordsOf("ours", format, pipe)]);
        });

        it("writes the handler's console calls as the same records: fields, levels, messages, framing", () => {
          const ourLogs = of(ours, "req-logs");
          if (format === "JSON") {
            // Ours carries the invocation's tenant id; aws-lambda-ric 4.0.2 has it in the context only.
            for (const record of ourLogs) expect(record.tenantId).to.equal(TENANT);
            for (const record of of(aws, "req-logs")) expect(record).to.not.have.property("tenantId");
            for (const record of ourLogs) delete record.tenantId;
          }
          expect(of(ours, "-")).to.deep.equal(of(aws, "-"));
          expect(of(aws, "-")).to.have.length(1);
          expect(ourLogs).to.deep.equal(of(aws, "req-logs"));
          expect(ourLogs).to.have.length(14);
        });

        it("writes the same levels for the runtime's report of a failed handler, with its request id", () => {
          const [awsFailure, ...awsMore] = of(aws, "req-throws");
          const [ourFailure, ...oursMore] = of(ours, "req-throws");
          expect([awsMore, oursMore]).to.deep.equal([[], []]);
          expect(ourFailure?.level).to.equal("ERROR").and.to.equal(awsFailure?.level);
          if (pipe) expect(ourFailure?.frameType).to.equal(awsFailure?.frameType);
          // The wording differs: "Invoke Error ..." there, "[runtime] req-throws: handler failed ..." here.
          const words = (record: Comparable | undefined): string => JSON.stringify(record);
          for (const record of [awsFailure, ourFailure]) {
            expect(words(record)).to.include("TypeError").and.include("handler failed");
          }
        });

        it("differs as listed for console.log() without arguments", () => {
          const [awsRecord] = of(aws, "req-nothing");
          const [ourRecord] = of(ours, "req-nothing");
          if (format === "Text") {
            expect([awsRecord?.message, ourRecord?.message]).to.deep.equal(["undefined", ""]);
          } else {
            expect(awsRecord).to.not.have.property("message");
            expect(ourRecord?.message).to.equal("");
          }
        });
      });
    }
  }

  it("filters the same levels with AWS_LAMBDA_LOG_LEVEL", async () => {
    const env = { AWS_LAMBDA_LOG_LEVEL: "WARN" };
    const [aws, ours] = await Promise.all([
      recordsOf("aws", "Text", true, env),
      recordsOf("ours", "Text", true, env),
    ]);
    const levels = (records: Comparable[]): unknown[] =>
      of(records, "req-logs").map((record) => [record.frameType, record.level]);
    expect(levels(ours)).to.deep.equal(levels(aws));
    expect(levels(ours).map((pair) => (pair as unknown[])[1])).to.deep.equal([
      "WARN",
      "ERROR",
      "ERROR",
      "FATAL",
    ]);
    expect(of(ours, "-")).to.deep.equal([]);
    expect(of(aws, "-")).to.deep.equal([]);
  });
});
