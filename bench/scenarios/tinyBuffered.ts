// (a) Tiny buffered invocations per second: back-to-back requests answered with a small JSON result.
import { DEPLOYED_CLIENTS } from "../clients/types";
import { TINY_EVENT } from "../handlers/work";
import { measureBatch, eventBody } from "./batch";
import { checkBuffered } from "./checks";
import { runSlicedRounds } from "./rounds";
import type { Scenario } from "./types";

const EVENT = eventBody(TINY_EVENT);

export const tinyBuffered: Scenario = {
  letter: "a",
  id: "tiny-buffered",
  title: "Tiny buffered invocations per second",
  clients: DEPLOYED_CLIENTS,
  placement: "one-core",
  async run(context) {
    const warmup = context.quick ? 200 : 500;
    const slices = context.quick ? 4 : 6;
    const perSlice = context.quick ? 250 : 500;
    const table = await runSlicedRounds(context, this.id, {
      kind: "buffered",
      slices,
      async warmUp(session) {
        checkBuffered(await session.serve(warmup, EVENT));
      },
      async slice(session) {
        const batch = await measureBatch(session, perSlice, EVENT);
        checkBuffered(batch.records);
        return batch;
      },
      summarize(batches) {
        const count = batches.reduce((sum, batch) => sum + batch.records.length, 0);
        const wallMs = batches.reduce((sum, batch) => sum + batch.wallMs, 0);
        const clientCpuMs = batches.reduce((sum, batch) => sum + batch.clientCpuMs, 0);
        return {
          invocationsPerSecond: count / (wallMs / 1000),
          cpuPerInvocation: (clientCpuMs * 1000) / count,
        };
      },
    });
    return {
      metrics: [
        {
          id: "tiny-buffered-rate",
          title: "(a) tiny buffered invocations/s",
          unit: "inv/s",
          better: "higher",
          digits: 0,
          series: table.invocationsPerSecond ?? {},
        },
        {
          id: "tiny-buffered-cpu",
          title: "(a) client CPU per tiny buffered invocation",
          unit: "µs",
          better: "lower",
          digits: 0,
          series: table.cpuPerInvocation ?? {},
        },
      ],
      ratios: [
        {
          id: "tiny-buffered-rate:ours/aws",
          title: "(a) tiny buffered inv/s, ours ÷ AWS",
          numerator: { metric: "tiny-buffered-rate", series: "ours" },
          denominator: { metric: "tiny-buffered-rate", series: "aws" },
          target: { op: ">=", bound: 1.05 },
        },
      ],
    };
  },
};
