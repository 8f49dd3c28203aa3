// (e) Cold start: from spawning the process to its first GET /next, against `node -e ""` as the floor.
import { BARE_CLIENTS, DEPLOYED_CLIENTS } from "../clients/types";
import { sandboxEnvironment } from "../environment";
import { timeToExit } from "../processes";
import { median } from "../stats";
import { withClient } from "./session";
import type { RatioSpec, Scenario } from "./types";

/** Name of the reference series: an empty Node program, spawn to exit. */
export const EMPTY_NODE = 'node -e ""';

/** The most our plainly bundled runtime may add to an empty Node program's start-up, in ms. */
export const PLAIN_START_BUDGET_MS = 5;

const versus = (numerator: string, denominator: string, title: string, bound?: number): RatioSpec => ({
  id: `cold-start:${numerator}/${denominator}`,
  title,
  numerator: { metric: "cold-start", series: numerator },
  denominator: { metric: "cold-start", series: denominator },
  ...(bound === undefined ? {} : { target: { op: "<=", bound } }),
});

export const coldStart: Scenario = {
  letter: "e",
  id: "cold-start",
  title: "Cold start: process spawn to first GET /next",
  clients: [...DEPLOYED_CLIENTS, ...BARE_CLIENTS],
  placement: "any-core",
  async run(context) {
    const spawns = context.quick ? 3 : 7;
    const node = context.node.binary;
    // The same clean environment the clients get, so only the work differs.
    const emptyEnv = sandboxEnvironment({
      runtimeApi: "127.0.0.1:9001",
      taskRoot: "/",
      handler: "",
      nodeBinary: node,
    });
    const emptyLine = { command: node, args: ["-e", ""] };
    const { command, args } = context.pinning ? context.pinning.wrap(emptyLine) : emptyLine;
    const contestants: { name: string; spawn(): Promise<number> }[] = [
      { name: EMPTY_NODE, spawn: () => timeToExit(command, args, emptyEnv) },
      ...context.clients.map((client) => ({
        name: client.name as string,
        spawn: () =>
          withClient(context, client, "streamed", async (session) => {
            const firstNextAt = await session.guard(session.api.firstNextAt);
            return firstNextAt - session.process.spawnedAt;
          }),
      })),
    ];
    // Spawns interleaved (A B C, C B A, ...) within each round, so that drift over the round hits all alike.
    const series: Record<string, number[]> = {};
    for (let round = 0; round < context.rounds; round++) {
      const times = new Map<string, number[]>(contestants.map(({ name }) => [name, []]));
      await context.load.measure(async () => {
        for (let i = 0; i < spawns; i++) {
          const order = (round + i) % 2 === 0 ? contestants : [...contestants].reverse();
          for (const contestant of order) times.get(contestant.name)?.push(await contestant.spawn());
        }
      });
      for (const [name, values] of times) (series[name] ??= []).push(median(values));
      context.log(`  ${this.id}: round ${round + 1}/${context.rounds}`);
    }
    return {
      metrics: [
        {
          id: "cold-start",
          title: `(e) cold start, spawn to first /next (${EMPTY_NODE}: spawn to exit)`,
          unit: "ms",
          better: "lower",
          digits: 1,
          series,
        },
      ],
      ratios: [
        versus("ours", "aws", "(e) cold start, ours ÷ AWS", 0.9),
        versus("ours", EMPTY_NODE, `(e) cold start, ours ÷ ${EMPTY_NODE}`),
        versus("ours-bare", "aws-bare", "(e) cold start, ours-bare ÷ aws-bare", 0.9),
        {
          id: `cold-start:ours-bare-${EMPTY_NODE}`,
          title: `(e) cold start, ours-bare − ${EMPTY_NODE}`,
          numerator: { metric: "cold-start", series: "ours-bare" },
          denominator: { metric: "cold-start", series: EMPTY_NODE },
          combine: "difference",
          target: { op: "<=", bound: PLAIN_START_BUDGET_MS },
        },
      ],
    };
  },
};
