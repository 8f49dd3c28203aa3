// (h) The same Hono app streaming 100 MiB: on AWS's client through streamHandle, on ours through fetchHandler; and fetchHandler's cost.
import { WEB_CLIENTS } from "../clients/types";
import { webEvent } from "../handlers/webApp";
import type { StreamEvent } from "../handlers/work";
import { eventBody, measureBatch } from "./batch";
import { checkWebStreamed } from "./checks";
import { runSlicedRounds } from "./rounds";
import { summarizeThroughput } from "./throughput";
import type { RatioSpec, Scenario } from "./types";

const MIB = 1024 * 1024;
const CHUNK_SIZE = 64 * 1024;
const STREAM: StreamEvent = { chunks: (100 * MIB) / CHUNK_SIZE, chunkSize: CHUNK_SIZE };
const WARMUP: StreamEvent = { chunks: (16 * MIB) / CHUNK_SIZE, chunkSize: CHUNK_SIZE };

/** A ratio of one metric between two clients of the web scenarios. */
export function webRatio(
  metric: string,
  numerator: string,
  denominator: string,
  title: string,
  target?: RatioSpec["target"],
): RatioSpec {
  return {
    id: `${metric}:${numerator}/${denominator}`,
    title,
    numerator: { metric, series: numerator },
    denominator: { metric, series: denominator },
    ...(target ? { target } : {}),
  };
}

export const webThroughput: Scenario = {
  letter: "h",
  id: "web-throughput",
  title: "Web apps: the same Hono app streaming 100 MiB in 64 KiB chunks",
  clients: WEB_CLIENTS,
  placement: "any-core",
  async run(context) {
    const slices = context.quick ? 2 : 8;
    const stream = eventBody(webEvent(STREAM));
    const table = await runSlicedRounds(context, this.id, {
      kind: "streamed",
      slices,
      async warmUp(session) {
        checkWebStreamed(await session.serve(1, eventBody(webEvent(WARMUP))), WARMUP);
      },
      async slice(session) {
        const batch = await measureBatch(session, 1, stream);
        checkWebStreamed(batch.records, STREAM);
        return batch;
      },
      summarize: summarizeThroughput,
    });
    return {
      metrics: [
        {
          id: "web-throughput",
          title: "(h) web app streaming 100 MiB in 64 KiB chunks",
          unit: "MiB/s",
          better: "higher",
          digits: 0,
          series: table.mibPerSecond ?? {},
        },
        {
          id: "web-throughput-client-cpu",
          title: "(h) client CPU while streaming (100% = one core)",
          unit: "%",
          better: "lower",
          digits: 0,
          series: table.clientCpuPercent ?? {},
        },
      ],
      ratios: [
        webRatio(
          "web-throughput",
          "ours-hono",
          "aws-hono",
          "(h) Hono app MiB/s, ours (fetchHandler) ÷ AWS (streamHandle)",
          {
            op: ">=",
            bound: 1.3,
          },
        ),
        webRatio(
          "web-throughput",
          "ours-fetch",
          "ours-writer",
          "(h) MiB/s, fetchHandler (bare fetch) ÷ writer API",
          {
            op: ">=",
            bound: 0.85,
          },
        ),
        webRatio(
          "web-throughput",
          "ours-hono",
          "ours-writer",
          "(h) MiB/s, Hono app via fetchHandler ÷ writer API",
        ),
      ],
    };
  },
};
