// (b) Streaming throughput: 100 MiB in 64 KiB chunks per invocation, in MiB/s, with the fake server's CPU load.
import type { StreamEvent } from "../handlers/work";
import { measureBatch, eventBody } from "./batch";
import { checkStreamed } from "./checks";
import { runRounds } from "./rounds";
import { withClient } from "./session";
import type { Scenario } from "./types";

const MIB = 1024 * 1024;
const CHUNK_SIZE = 64 * 1024;
const STREAM: StreamEvent = { chunks: (100 * MIB) / CHUNK_SIZE, chunkSize: CHUNK_SIZE };
const WARMUP: StreamEvent = { chunks: (16 * MIB) / CHUNK_SIZE, chunkSize: CHUNK_SIZE };

export const throughput: Scenario = {
  letter: "b",
  id: "throughput",
  title: "Streaming throughput, 100 MiB in 64 KiB chunks",
  async run(context) {
    const invocations = context.quick ? 1 : 3;
    const table = await runRounds(context, this.id, (client) =>
      withClient(context.node, client, "streamed", async (session) => {
        checkStreamed(await session.serve(1, eventBody(WARMUP)), WARMUP);
        const batch = await measureBatch(session, invocations, eventBody(STREAM));
        checkStreamed(batch.records, STREAM);
        // Time spent streaming only: from each /next answer to its last byte (not the gaps between them).
        const streamingMs = batch.records.reduce((sum, r) => sum + (r.lastByteAt - r.nextAnsweredAt), 0);
        const bytes = batch.records.reduce((sum, r) => sum + r.bodyBytes, 0);
        return {
          mibPerSecond: bytes / MIB / (streamingMs / 1000),
          serverCpuPercent: (100 * batch.serverCpuMs) / batch.wallMs,
          clientCpuPercent: (100 * batch.clientCpuMs) / batch.wallMs,
        };
      }),
    );
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
