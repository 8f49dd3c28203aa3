// (a) Tiny buffered invocations per second: back-to-back requests answered with a small JSON result.
import { TINY_EVENT } from "../handlers/work";
import { measureBatch, eventBody } from "./batch";
import { checkBuffered } from "./checks";
import { runRounds } from "./rounds";
import { withClient } from "./session";
import type { Scenario } from "./types";

const EVENT = eventBody(TINY_EVENT);

export const tinyBuffered: Scenario = {
  letter: "a",
  id: "tiny-buffered",
  title: "Tiny buffered invocations per second",
  async run(context) {
    const warmup = context.quick ? 200 : 500;
    const count = context.quick ? 1000 : 3000;
    const table = await runRounds(context, this.id, (client) =>
      withClient(context.node, client, "buffered", async (session) => {
        checkBuffered(await session.serve(warmup, EVENT));
        const batch = await measureBatch(session, count, EVENT);
        checkBuffered(batch.records);
        return {
          invocationsPerSecond: count / (batch.wallMs / 1000),
          cpuPerInvocation: (batch.clientCpuMs * 1000) / count,
        };
      }),
    );
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
