// (e) Cold start: from spawning the process to its first GET /next, against `node -e ""` as the floor.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FakeRuntimeApi } from "../../test/helpers/fakeRuntimeApi";
import { BARE_CLIENTS, DEPLOYED_CLIENTS } from "../clients/types";
import { sandboxEnvironment } from "../environment";
import { spawnClient, timeToExit } from "../processes";
import { median } from "../stats";
import { withClient } from "./session";
import type { RatioSpec, Scenario } from "./types";

/** Name of the reference series: an empty Node program, spawn to exit. */
export const EMPTY_NODE = 'node -e ""';

/** The most our plainly bundled runtime may add to an empty Node program's start-up, in ms. */
export const PLAIN_START_BUDGET_MS = 5;

/**
 * Name of the second reference series: the least any JavaScript Runtime API client can do, a module that
 * loads `node:net`, connects and sends `GET /next` (spawn to that request). It shows what of a client's
 * start-up is Node's and what is the client's own.
 */
export const NET_FLOOR = "node:net floor";

/** The node:net floor's module (ESM, like the bundles it is compared with). */
const NET_FLOOR_SOURCE =
  'const net = process.getBuiltinModule("node:net");\n' +
  'const [host, port] = (process.env.AWS_LAMBDA_RUNTIME_API ?? "").split(":");\n' +
  "net.connect({ host, port: Number(port) })\n" +
  "  .write(`GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: ${host}:${port}\\r\\n\\r\\n`);\n";

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
    const floorFile = path.join(context.buildDir, "net-floor", "index.mjs");
    mkdirSync(path.dirname(floorFile), { recursive: true });
    writeFileSync(floorFile, NET_FLOOR_SOURCE);
    const floorLine = { command: node, args: [floorFile] };
    const floor = context.pinning ? context.pinning.wrap(floorLine) : floorLine;
    const contestants: { name: string; spawn(): Promise<number> }[] = [
      { name: EMPTY_NODE, spawn: () => timeToExit(command, args, emptyEnv) },
      { name: NET_FLOOR, spawn: () => timeToFirstNext(floor.command, floor.args, emptyEnv) },
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
        {
          id: `cold-start:${NET_FLOOR}-${EMPTY_NODE}`,
          title: `(e) cold start, ${NET_FLOOR} − ${EMPTY_NODE} (what loading node:net and connecting costs)`,
          numerator: { metric: "cold-start", series: NET_FLOOR },
          denominator: { metric: "cold-start", series: EMPTY_NODE },
          combine: "difference",
        },
        {
          id: `cold-start:ours-bare-${NET_FLOOR}`,
          title: `(e) cold start, ours-bare − ${NET_FLOOR} (the runtime's own start-up)`,
          numerator: { metric: "cold-start", series: "ours-bare" },
          denominator: { metric: "cold-start", series: NET_FLOOR },
          combine: "difference",
        },
      ],
    };
  },
};

/** Spawns `command args` against a fresh fake Runtime API; resolves with ms from spawn to its first `/next`. */
async function timeToFirstNext(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<number> {
  const api = await new FakeRuntimeApi().start();
  const child = spawnClient(command, args, { ...env, AWS_LAMBDA_RUNTIME_API: api.address });
  try {
    return (await Promise.race([api.firstNextAt, child.crashed])) - child.spawnedAt;
  } finally {
    await child.stop();
    await api.close();
  }
}
