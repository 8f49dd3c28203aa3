// Load on the local server with the example handler: 1,000 sequential and 50 concurrent requests, all complete.
import { expect } from "chai";
import { createHandler } from "../../handler";
import { LambdaRuntime } from "../../runtime";
import { clientRequest, runRuntimeOn, startTestServer, type ClientResult, type TestServer } from "./harness";

const EXPECTED_BODY = "1\n2\n3\nStreaming complete!\n";

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number;
}

function summary(label: string, totalMs: number, latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  return (
    `${label}: ${latencies.length} requests in ${ms(totalMs)}; per request p50 ${ms(percentile(sorted, 0.5))}, ` +
    `p99 ${ms(percentile(sorted, 0.99))}, max ${ms(sorted[sorted.length - 1] as number)}`
  );
}

/** Asserts one response is the example handler's, complete: status, headers and every chunk in order. */
function expectFullResponse(result: ClientResult, index: number): void {
  const label = `request ${index}`;
  expect(result.status, label).to.equal(200);
  expect(result.headers["content-type"], label).to.equal("text/plain");
  expect(result.headers["x-my-custom-header"], label).to.equal("streaming-example");
  expect(result.complete, `${label} complete`).to.equal(true);
  expect(result.body.toString(), label).to.equal(EXPECTED_BODY);
}

describe("local server under load, with the example handler", function () {
  this.timeout(60_000);
  let t: TestServer;
  let runtime: LambdaRuntime;
  let running: Promise<void>;
  const figures: string[] = [];

  before(async () => {
    t = await startTestServer();
    ({ runtime, running } = runRuntimeOn(t, createHandler(1)));
  });

  after(async () => {
    runtime.stop();
    await t.server.close();
    await running;
    console.log(`\n  Load figures (example handler, createHandler(1)):\n    ${figures.join("\n    ")}\n`);
  });

  it("serves 1,000 sequential requests, each complete with the full body", async () => {
    const latencies: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 1000; i++) {
      const sent = performance.now();
      const result = await clientRequest(t, { path: `/stream?n=${i}` });
      latencies.push(performance.now() - sent);
      expectFullResponse(result, i);
    }
    figures.push(summary("sequential", performance.now() - started, latencies));
    expect(t.logs.filter((line) => / -> 200 /.test(line))).to.have.length(1000);
  });

  it("serves 50 concurrent requests, none refused, one at a time, each complete with the full body", async () => {
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const sent = performance.now();
        const result = await clientRequest(t, { path: `/stream?c=${i}` });
        return { result, latency: performance.now() - sent };
      }),
    );
    figures.push(
      summary(
        "50 concurrent (queued FIFO, one instance)",
        performance.now() - started,
        results.map((r) => r.latency),
      ),
    );
    results.forEach(({ result }, i) => expectFullResponse(result, i));
    // One Lambda instance: the server dispatches each invocation only once the one before it is done.
    const states = t.events
      .filter((event) => event.state === "dispatched" || event.state === "done")
      .slice(-100)
      .map((event) => event.state);
    expect(states).to.deep.equal(Array.from({ length: 50 }, () => ["dispatched", "done"]).flat());
  });
});
