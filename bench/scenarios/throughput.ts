// (b) Streaming throughput: 100 MiB in 64 KiB chunks per invocation, in MiB/s, with the fake server's CPU load.
import { DEPLOYED_CLIENTS } from "../clients/types";
import type { StreamEvent } from "../handlers/work";
import { measureBatch, eventBody, type MeasuredBatch } from "./batch";
import { checkStreamed } from "./checks";
import { runSlicedRounds, type Measurements } from "./rounds";
import type { Scenario } from "./types";

const MIB = 1024 * 1024;
const CHUNK_SIZE = 64 * 1024;
const STREAM: StreamEvent = { chunks: (100 * MIB) / CHUNK_SIZE, chunkSize: CHUNK_SIZE };
const WARMUP: StreamEvent = { chunks: (16 * MIB) / CHUNK_SIZE, chunkSize: CHUNK_SIZE };

export const throughput: Scenario = {
  letter: "b",
  id: "throughput",
  title: "Streaming throughput, 100 MiB in 64 KiB chunks",
  clients: DEPLOYED_CLIENTS,
  placement: "any-core",
  async run(context) {
    // One 100 MiB invocation per slice; the clients take turns, so that drift hits all of them alike.
    const slices = context.quick ? 2 : 8;
    const stream = eventBody(STREAM);
    const table = await runSlicedRounds(context, this.id, {
      kind: "streamed",
      slices,
      async warmUp(session) {
        checkStreamed(await session.serve(1, eventBody(WARMUP)), WARMUP);
      },
      async slice(session) {
        const batch = await measureBatch(session, 1, stream);
        checkStreamed(batch.records, STREAM);
        return batch;
      },
      summarize: summarizeThroughput,
    });
    return {
      metrics: [
        {
          id: "throughput",
          title: "(b) streaming 100 MiB in 64 KiB chunks",
          unit: "MiB/s",
          better: "higher",
          digits: 0,
          series: table.mibPerSecond ?? {},
        },
        {
          id: "throughput-client-cpu",
          title: "(b) client CPU while streaming (100% = one core)",
          unit: "%",
          better: "lower",
          digits: 0,
          series: table.clientCpuPercent ?? {},
        },
        {
          id: "throughput-server-cpu",
          title: "(b) fake server CPU while streaming (100% = one core)",
          unit: "%",
          better: "lower",
          digits: 0,
          series: table.serverCpuPercent ?? {},
        },
      ],
      ratios: [
        {
          id: "throughput:ours/aws",
          title: "(b) streaming MiB/s, ours ÷ AWS",
          numerator: { metric: "throughput", series: "ours" },
          denominator: { metric: "throughput", series: "aws" },
          target: { op: ">=", bound: 1.25 },
        },
        {
          id: "throughput:ours/greedy",
          title: "(b) streaming MiB/s, ours ÷ greedy baseline",
          numerator: { metric: "throughput", series: "ours" },
          denominator: { metric: "throughput", series: "greedy" },
          target: { op: ">=", bound: 0.9 },
        },
        {
          id: "throughput:aws/greedy",
          title: "(b) streaming MiB/s, AWS ÷ greedy baseline",
          numerator: { metric: "throughput", series: "aws" },
          denominator: { metric: "throughput", series: "greedy" },
        },
      ],
    };
  },
};

/**
 * A client's throughput over its batches: MiB/s over the time spent streaming only (from each `/next` answer
 * to its last byte, not the gaps between invocations), and the client's and the fake server's CPU.
 */
export function summarizeThroughput(batches: readonly MeasuredBatch[]): Measurements {
  const records = batches.flatMap((batch) => batch.records);
  const streamingMs = records.reduce((sum, r) => sum + (r.lastByteAt - r.nextAnsweredAt), 0);
  const bytes = records.reduce((sum, r) => sum + r.bodyBytes, 0);
  const wallMs = batches.reduce((sum, batch) => sum + batch.wallMs, 0);
  const cpu = (pick: (batch: MeasuredBatch) => number): number =>
    (100 * batches.reduce((sum, batch) => sum + pick(batch), 0)) / wallMs;
  return {
    mibPerSecond: bytes / MIB / (streamingMs / 1000),
    serverCpuPercent: cpu((batch) => batch.serverCpuMs),
    clientCpuPercent: cpu((batch) => batch.clientCpuMs),
  };
}
