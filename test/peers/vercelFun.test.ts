// Our deployed zip (bootstrap + index.mjs from buildBundle) under @vercel/fun, a Runtime API server we did
// not write: its `provided` runtime execs the zip's bootstrap, as Lambda does.
//
// What fun does differently from Lambda, and so what this checks: `/next` has no Content-Type and no trace
// id; `Lambda-Runtime-Deadline-Ms` is `5000` (not an epoch time: the runtime must not take it as a deadline
// that passed in 1970, so the handler works several timer turns); the process is SIGSTOPped between
// invocations; concurrent invokes start more processes from the same unzipped bootstrap.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { InvokeResult } from "@vercel/fun";
import { findOrFetchNode24 } from "../../bench/node24";
import { buildBundle } from "../../components/bundle";
import { expectedResult, type BatchEvent, type BatchResult } from "./fixtures/bufferedBatchHandler";
import type { FunHostRequest, FunHostResults } from "./helpers/funHost";
import { UUID } from "./helpers/httpAssertions";

const HANDLER_MODULE = path.resolve(__dirname, "fixtures/bufferedBatchHandler.ts");
const FUN_HOST = path.resolve(__dirname, "helpers/funHost.ts");

/** Invocations sent one after another (one runtime process, reused). */
const SEQUENTIAL = 40;
/** Invocations sent at once (fun starts up to 10 runtime processes and reuses them). */
const CONCURRENT = 24;

/** A batch of events: ASCII, non-ASCII and one large text; every `failEvery`-th one asks to fail. */
function batch(first: number, count: number, failEvery: number): BatchEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const id = first + i;
    const text = id === first + 1 ? "é😀 ".repeat(64 * 1024) : `event ${id}: grüße, ☃`;
    return { id, text, ...((i + 1) % failEvery === 0 ? { fail: true } : {}) };
  });
}

/** Runs the events under fun in a child process; resolves with the answers and everything its runtimes logged. */
async function runUnderFun(
  request: FunHostRequest,
  dir: string,
): Promise<FunHostResults & { output: string }> {
  const requestPath = path.join(dir, "request.json");
  const resultsPath = path.join(dir, "results.json");
  writeFileSync(requestPath, JSON.stringify(request));
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", FUN_HOST, requestPath, resultsPath],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (data: Buffer) => (output += data.toString()));
  child.stderr.on("data", (data: Buffer) => (output += data.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`fun host exited with ${code}:\n${output}`);
  return { ...(JSON.parse(readFileSync(resultsPath, "utf8")) as FunHostResults), output };
}

describe("our runtime under @vercel/fun 1.3.6 (buffered, the deployed zip on the `provided` runtime)", function () {
  this.timeout(60_000);
  let dir: string;
  const sequentialEvents = batch(0, SEQUENTIAL, 20);
  const concurrentEvents = batch(1000, CONCURRENT, 12);
  let ran: FunHostResults & { output: string };
  const requestIds = new Set<string>();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "peers-fun-"));
    const bundle = await buildBundle({ handler: HANDLER_MODULE, outDir: dir });
    ran = await runUnderFun(
      {
        zipPath: bundle.zipPath,
        functionName: "peer-fun",
        nodeBinary: findOrFetchNode24(() => undefined).binary,
        sequential: sequentialEvents,
        concurrent: concurrentEvents,
      },
      dir,
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Checks one answer against the event it was for; records its request id. */
  function check(event: BatchEvent, result: InvokeResult): void {
    const payload: unknown = JSON.parse(String(result.Payload));
    expect(result.StatusCode, `invocation ${event.id}`).to.equal(200);
    if (event.fail) {
      expect(result.FunctionError, `invocation ${event.id}`).to.equal("Handled");
      expect(payload).to.include({
        errorType: "RangeError",
        errorMessage: `invocation ${event.id} was asked to fail`,
      });
      const { stackTrace } = payload as { stackTrace: unknown };
      expect(stackTrace).to.be.an("array");
      expect((stackTrace as string[])[0]).to.include("bufferedBatchHandler");
      return;
    }
    expect(result.FunctionError, `invocation ${event.id}: ${String(result.Payload)}`).to.equal(undefined);
    const answer = payload as BatchResult;
    expect({ id: answer.id, upper: answer.upper, bytes: answer.bytes }).to.deep.equal(expectedResult(event));
    expect(answer.functionName).to.equal("peer-fun");
    expect(answer.requestId).to.match(UUID);
    requestIds.add(answer.requestId);
  }

  it(`answers ${SEQUENTIAL} sequential invocations correctly, failures included, in one process`, () => {
    const pids = new Set<number>();
    sequentialEvents.forEach((event, i) => {
      const result = ran.sequential[i] as InvokeResult;
      check(event, result);
      if (!event.fail) pids.add((JSON.parse(String(result.Payload)) as BatchResult).pid);
    });
    expect(pids.size, "a handled error does not cost the process").to.equal(1);
    expect(requestIds.size).to.equal(sequentialEvents.filter((e) => !e.fail).length);
  });

  it(`answers ${CONCURRENT} concurrent invocations correctly`, () => {
    concurrentEvents.forEach((event, i) => check(event, ran.concurrent[i] as InvokeResult));
    const answered = SEQUENTIAL - SEQUENTIAL / 20 + CONCURRENT - CONCURRENT / 12;
    expect(requestIds.size, "every request id is distinct").to.equal(answered);
  });

  it("logs each failed invocation once, with its request id and the handler's stack", () => {
    const failed = [...sequentialEvents, ...concurrentEvents].filter((event) => event.fail);
    for (const event of failed) {
      const lines = ran.output
        .split("\n")
        .filter((line) => line.includes(`RangeError: invocation ${event.id} was asked to fail`));
      expect(lines, `log lines for invocation ${event.id}`).to.have.length(1);
      // One record (its stack on the same line, newlines written as \r): timestamp, request id, level, message.
      const record =
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t([0-9a-f-]{36})\tERROR\t\[runtime\] ([0-9a-f-]{36}): handler failed in a buffered invocation; reported on \/error/.exec(
          lines[0] ?? "",
        );
      expect(record, lines[0]).to.not.equal(null);
      expect(record?.[1], "the record's request id is the invocation's").to.equal(record?.[2]);
    }
    expect(ran.output).to.include("bufferedBatchHandler.ts");
  });
});
