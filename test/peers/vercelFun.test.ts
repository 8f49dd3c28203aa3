// Our deployed zip (bootstrap + index.mjs from buildBundle) under @vercel/fun, a Runtime API server we did
// not write: its `provided` runtime execs the zip's bootstrap, as Lambda does.
//
// What fun does differently from Lambda, and so what this checks: `/next` has no Content-Type and no trace
// id; `Lambda-Runtime-Deadline-Ms` is `5000` (not an epoch time: the runtime must not take it as a deadline
// that passed in 1970, so the handler works several timer turns); the process is SIGSTOPped between
// invocations; concurrent invokes start more processes from the same unzipped bootstrap.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createFunction, type InvokeResult, type Lambda } from "@vercel/fun";
import { findOrFetchNode24 } from "../../bench/node24";
import { buildBundle } from "../../components/bundle";
import { expectedResult, type BatchEvent, type BatchResult } from "./fixtures/bufferedBatchHandler";
import { UUID } from "./helpers/httpAssertions";

const HANDLER_MODULE = path.resolve(__dirname, "fixtures/bufferedBatchHandler.ts");

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

describe("our runtime under @vercel/fun 1.3.6 (buffered, the deployed zip on the `provided` runtime)", function () {
  this.timeout(60_000);
  let outDir: string;
  let fn: Lambda | undefined;
  const requestIds = new Set<string>();

  before(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), "peers-fun-"));
    const bundle = await buildBundle({ handler: HANDLER_MODULE, outDir });
    const node = findOrFetchNode24(() => undefined);
    fn = await createFunction({
      FunctionName: "peer-fun",
      Code: { ZipFile: readFileSync(bundle.zipPath) },
      Handler: "index.handler",
      Runtime: "provided",
      MemorySize: 128,
      // The bootstrap runs `node` from PATH, as /var/lang/bin provides it on Lambda.
      Environment: {
        Variables: { PATH: `${path.dirname(node.binary)}${path.delimiter}${process.env.PATH}` },
      },
    });
  });

  after(async () => {
    await fn?.destroy();
    rmSync(outDir, { recursive: true, force: true });
  });

  async function invoke(event: BatchEvent): Promise<InvokeResult> {
    return fn!.invoke({ InvocationType: "RequestResponse", Payload: JSON.stringify(event) });
  }

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

  it(`answers ${SEQUENTIAL} sequential invocations correctly, failures included, in one process`, async () => {
    const events = batch(0, SEQUENTIAL, 20);
    const pids = new Set<number>();
    for (const event of events) {
      const result = await invoke(event);
      check(event, result);
      if (!event.fail) pids.add((JSON.parse(String(result.Payload)) as BatchResult).pid);
    }
    expect(pids.size, "a handled error does not cost the process").to.equal(1);
    expect(requestIds.size).to.equal(events.filter((e) => !e.fail).length);
  });

  it(`answers ${CONCURRENT} concurrent invocations correctly`, async () => {
    const events = batch(1000, CONCURRENT, 12);
    const results = await Promise.all(events.map((event) => invoke(event)));
    events.forEach((event, i) => check(event, results[i] as InvokeResult));
    const answered = SEQUENTIAL - SEQUENTIAL / 20 + CONCURRENT - CONCURRENT / 12;
    expect(requestIds.size, "every request id is distinct").to.equal(answered);
  });
});
