// (e) Cold start: from spawning the process to its first GET /next, against `node -e ""` as the floor.
import { sandboxEnvironment } from "../environment";
import { timeToExit } from "../processes";
import { median } from "../stats";
import { runRounds } from "./rounds";
import { withClient } from "./session";
import type { Scenario } from "./types";

/** Name of the reference series: an empty Node program, spawn to exit. */
export const EMPTY_NODE = 'node -e ""';

export const coldStart: Scenario = {
  letter: "e",
  id: "cold-start",
  title: "Cold start: process spawn to first GET /next",
  async run(context) {
    const spawns = context.quick ? 3 : 5;
    const node = context.node.binary;
    const table = await runRounds(
      context,
      this.id,
      async (client) => {
        const times: number[] = [];
        for (let i = 0; i < spawns; i++) {
          times.push(
            await withClient(context.node, client, "streamed", async (session) => {
              const firstNextAt = await session.guard(session.api.firstNextAt);
              return firstNextAt - session.process.spawnedAt;
            }),
          );
        }
        return { spawnToNext: median(times) };
      },
      [
        {
          name: EMPTY_NODE,
          async measure() {
            // The same clean environment the clients get, so only the work differs.
            const env = sandboxEnvironment({
              runtimeApi: "127.0.0.1:9001",
              taskRoot: "/",
              handler: "",
              nodeBinary: node,
            });
            const times: number[] = [];
            for (let i = 0; i < spawns; i++) times.push(await timeToExit(node, ["-e", ""], env));
            return { spawnToNext: median(times) };
          },
        },
      ],
    );
    return {
      metrics: [
        {
          id: "cold-start",
          title: `(e) cold start, spawn to first /next (${EMPTY_NODE}: spawn to exit)`,
          unit: "ms",
          better: "lower",
          digits: 1,
          series: table.spawnToNext ?? {},
        },
      ],
      ratios: [
        {
          id: "cold-start:ours/aws",
          title: "(e) cold start, ours ÷ AWS",
          numerator: { metric: "cold-start", series: "ours" },
          denominator: { metric: "cold-start", series: "aws" },
          target: { op: "<=", bound: 0.9 },
        },
        {
          id: `cold-start:ours/${EMPTY_NODE}`,
          title: `(e) cold start, ours ÷ ${EMPTY_NODE}`,
          numerator: { metric: "cold-start", series: "ours" },
          denominator: { metric: "cold-start", series: EMPTY_NODE },
        },
      ],
    };
  },
};
