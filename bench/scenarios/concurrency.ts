// (j) Concurrent invocations (AWS_LAMBDA_MAX_CONCURRENCY, Lambda Managed Instances): our runtime against itself.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { buildBundle, BundleFile } from "../../components/bundle";
import type { Invocation } from "../../test/helpers/fakeRuntimeApi";
import { SHELL, writeManagedBootstrap } from "../clients/managedBootstrap";
import type { Launch, PreparedClient } from "../clients/types";
import {
  HASHING_EXPORT,
  hashRounds,
  PACED_EXPORT,
  SMALL_EXPORT,
  type HashingEvent,
  type PacedEvent,
} from "../handlers/concurrency";
import type { StreamEvent } from "../handlers/work";
import { readCpuMs, readMemory } from "../processes";
import { median } from "../stats";
import { eventBody } from "./batch";
import { checkStreamed } from "./checks";
import { withClient, type ClientSession } from "./session";
import type { Metric, RatioSpec, Scenario, ScenarioContext } from "./types";

/** The bench handlers for concurrency, bundled as deployed. */
const HANDLERS_MODULE = path.join(__dirname, "..", "handlers", "concurrency.ts");
/** The managed runtime client's entry on Lambda: passed along, and ignored by our bootstrap. */
const MANAGED_RUNTIME_ENTRY = "/var/runtime/index.mjs";

/** 20 chunks 25 ms apart: about half a second of a slow upstream per invocation. */
const PACED: PacedEvent = { chunks: 20, chunkSize: 64, intervalMs: 25 };
const PACED_CHECK: StreamEvent = { chunks: 1, chunkSize: PACED.chunks * PACED.chunkSize };
/** The small streamed response of scenario (d): a prelude, then four 256-byte writes. */
const SMALL: StreamEvent = { chunks: 4, chunkSize: 256 };
/** How long one CPU-bound invocation hashes, about. */
const HASHING_MS = 20;
/** Concurrent invocations of the wide configurations (AWS's default is 64 per vCPU). */
const WIDE = 64;
/** Concurrent invocations of the CPU-bound configurations: enough to keep two workers busy. */
const CPU_CONCURRENCY = 8;
const KIB = 1024;

/** One way of starting our runtime: the variables Lambda (Managed Instances) would set. */
interface Configuration {
  readonly name: string;
  readonly handlerExport: string;
  readonly env: Readonly<Record<string, string>>;
}

const CONFIGURATIONS = {
  /** One at a time, as today: the variable unset. */
  single: { name: "n1", handlerExport: SMALL_EXPORT, env: {} },
  /** One at a time, the variable set to 1: must be the same code path. */
  singleSet: { name: "n1-set", handlerExport: SMALL_EXPORT, env: { AWS_LAMBDA_MAX_CONCURRENCY: "1" } },
  /** 64 at once, one worker per CPU (the default). */
  wide: { name: "n64", handlerExport: SMALL_EXPORT, env: { AWS_LAMBDA_MAX_CONCURRENCY: String(WIDE) } },
  widePaced: { name: "n64", handlerExport: PACED_EXPORT, env: { AWS_LAMBDA_MAX_CONCURRENCY: String(WIDE) } },
  /** 64 at once on one worker, and 2 on one worker: for memory per invocation and per poller. */
  memoryWide: {
    name: "n64-w1",
    handlerExport: PACED_EXPORT,
    env: { AWS_LAMBDA_MAX_CONCURRENCY: String(WIDE), AWS_LAMBDA_NODEJS_WORKER_COUNT: "1" },
  },
  memoryNarrow: {
    name: "n2-w1",
    handlerExport: PACED_EXPORT,
    env: { AWS_LAMBDA_MAX_CONCURRENCY: "2", AWS_LAMBDA_NODEJS_WORKER_COUNT: "1" },
  },
  /** CPU-bound, 8 at once, on one worker and on two. */
  oneWorker: {
    name: "w1",
    handlerExport: HASHING_EXPORT,
    env: { AWS_LAMBDA_MAX_CONCURRENCY: String(CPU_CONCURRENCY), AWS_LAMBDA_NODEJS_WORKER_COUNT: "1" },
  },
  twoWorkers: {
    name: "w2",
    handlerExport: HASHING_EXPORT,
    env: { AWS_LAMBDA_MAX_CONCURRENCY: String(CPU_CONCURRENCY), AWS_LAMBDA_NODEJS_WORKER_COUNT: "2" },
  },
} as const satisfies Record<string, Configuration>;

/** Builds one bundle per handler and returns how to start each configuration, as deployed. */
async function prepare(buildDir: string): Promise<(configuration: Configuration) => PreparedClient> {
  const bootstrap = writeManagedBootstrap(buildDir);
  const outDirs = new Map<string, string>();
  for (const handlerExport of [PACED_EXPORT, HASHING_EXPORT, SMALL_EXPORT]) {
    const outDir = path.join(buildDir, "concurrency", handlerExport);
    await buildBundle({ handler: HANDLERS_MODULE, handlerExport, outDir });
    outDirs.set(handlerExport, outDir);
  }
  return (configuration) => {
    const outDir = outDirs.get(configuration.handlerExport) as string;
    const launch: Launch = {
      command: SHELL,
      args: [bootstrap, MANAGED_RUNTIME_ENTRY],
      env: { AWS_LAMBDA_EXEC_WRAPPER: path.join(outDir, BundleFile.bootstrap), ...configuration.env },
      taskRoot: outDir,
      handler: `index.${configuration.handlerExport}`,
    };
    return {
      name: "ours",
      description: `our runtime, ${configuration.name}`,
      launch: () => launch,
    };
  };
}

/** From the first `/next` answer to the last response byte of a batch served at once, in ms. */
function wallMs(records: readonly Invocation[]): number {
  const start = Math.min(...records.map((record) => record.nextAnsweredAt));
  const end = Math.max(...records.map((record) => record.lastByteAt));
  return end - start;
}

/** Waits until `count` `/next` polls wait at once: every poller (on every worker) is up. */
function pollersUp(session: ClientSession, count: number): Promise<void> {
  const api = session.api;
  return session.guard(
    api.until(
      () =>
        api.exchanges.filter((exchange) => exchange.isNext && exchange.answer === undefined).length >= count,
      `${count} waiting polls`,
    ),
  );
}

/** Rounds of `rounds` chained SHA-256 digests that take about `HASHING_MS` here (median of 5 timings). */
function calibrateHashing(): number {
  const probe = 4000;
  hashRounds(probe);
  const timings = Array.from({ length: 5 }, () => {
    const start = performance.now();
    hashRounds(probe);
    return performance.now() - start;
  });
  return Math.max(1, Math.round((probe * HASHING_MS) / median(timings)));
}

/** Per-round values by metric, then series. */
type Table = Record<string, Record<string, number[]>>;

function record(table: Table, metric: string, series: string, value: number): void {
  ((table[metric] ??= {})[series] ??= []).push(value);
}

export const concurrency: Scenario = {
  letter: "j",
  id: "concurrency",
  title: "Concurrent invocations (AWS_LAMBDA_MAX_CONCURRENCY): our runtime at N = 64 and on 2 workers",
  clients: [],
  placement: "any-core",
  async run(context: ScenarioContext) {
    const clientFor = await prepare(context.buildDir);
    const place = { node: context.node, pinning: undefined };
    const hashing: HashingEvent = { rounds: calibrateHashing() };
    context.log(`  concurrency: ${hashing.rounds} SHA-256 rounds take about ${HASHING_MS} ms here`);
    const smallCount = context.quick ? 1000 : 3000;
    const cpuCount = context.quick ? 24 : 48;
    const table: Table = {};
    const session = <T>(configuration: Configuration, use: (session: ClientSession) => Promise<T>) =>
      withClient(place, clientFor(configuration), "streamed", use);

    const smallRate = (configuration: Configuration, pollers: number) => async (): Promise<void> =>
      session(configuration, async (client) => {
        await pollersUp(client, pollers);
        checkStreamed(await client.serve(smallCount / 5, eventBody(SMALL)), SMALL);
        const clientBefore = await readCpuMs(client.process.pid);
        const serverBefore = process.cpuUsage();
        const records = await client.serve(smallCount, eventBody(SMALL));
        const server = process.cpuUsage(serverBefore);
        const clientMs = (await readCpuMs(client.process.pid)) - clientBefore;
        checkStreamed(records, SMALL);
        record(table, "rate", configuration.name, records.length / (wallMs(records) / 1000));
        record(table, "client-cpu", configuration.name, (clientMs * 1000) / records.length);
        record(table, "server-cpu", configuration.name, (server.user + server.system) / records.length);
      });

    const pacedWalls = async (): Promise<void> =>
      session(CONFIGURATIONS.widePaced, async (client) => {
        await pollersUp(client, WIDE);
        checkStreamed(await client.serve(WIDE, eventBody(PACED)), PACED_CHECK);
        const one = await client.serve(1, eventBody(PACED));
        const many = await client.serve(WIDE, eventBody(PACED));
        checkStreamed([...one, ...many], PACED_CHECK);
        record(table, "paced-1", "n64", wallMs(one));
        record(table, "paced-64", "n64", wallMs(many));
      });

    const memory = async (): Promise<void> => {
      const idle: Record<string, number> = {};
      for (const configuration of [CONFIGURATIONS.memoryNarrow, CONFIGURATIONS.memoryWide]) {
        const pollers = Number(configuration.env.AWS_LAMBDA_MAX_CONCURRENCY);
        await session(configuration, async (client) => {
          await pollersUp(client, pollers);
          // One at a time first: the code is warm and one invocation has been in flight.
          for (let i = 0; i < 2; i++) checkStreamed(await client.serve(1, eventBody(PACED)), PACED_CHECK);
          const before = await readMemory(client.process.pid);
          idle[configuration.name] = before.rss;
          if (configuration !== CONFIGURATIONS.memoryWide) return;
          checkStreamed(await client.serve(WIDE, eventBody(PACED)), PACED_CHECK);
          const after = await readMemory(client.process.pid);
          record(table, "rss-per-invocation", "n64-w1", (after.peakRss - before.peakRss) / (WIDE - 1) / KIB);
        });
      }
      const narrow = idle[CONFIGURATIONS.memoryNarrow.name] as number;
      const wide = idle[CONFIGURATIONS.memoryWide.name] as number;
      record(table, "rss-per-poller", "n64-w1", (wide - narrow) / (WIDE - 2) / KIB);
    };

    const cpuRate = (configuration: Configuration) => async (): Promise<void> =>
      session(configuration, async (client) => {
        await pollersUp(client, CPU_CONCURRENCY);
        const check: StreamEvent = { chunks: 1, chunkSize: 64 };
        checkStreamed(await client.serve(CPU_CONCURRENCY, eventBody(hashing)), check);
        const records = await client.serve(cpuCount, eventBody(hashing));
        checkStreamed(records, check);
        record(table, "cpu-rate", configuration.name, records.length / (wallMs(records) / 1000));
      });

    const steps = [
      smallRate(CONFIGURATIONS.single, 1),
      smallRate(CONFIGURATIONS.singleSet, 1),
      smallRate(CONFIGURATIONS.wide, WIDE),
      pacedWalls,
      memory,
      cpuRate(CONFIGURATIONS.oneWorker),
      cpuRate(CONFIGURATIONS.twoWorkers),
    ];
    for (let round = 0; round < context.rounds; round++) {
      const order = round % 2 === 0 ? steps : [...steps].reverse();
      await context.load.measure(async () => {
        for (const step of order) await step();
      });
      context.log(`  ${this.id}: round ${round + 1}/${context.rounds}`);
    }
    return { metrics: metrics(table), ratios: RATIOS };
  },
};

function metrics(table: Table): Metric[] {
  return [
    {
      id: "lmi-paced-1",
      title: "(j) one paced stream (20 chunks 25 ms apart), N = 64",
      unit: "ms",
      better: "lower",
      digits: 0,
      series: table["paced-1"] ?? {},
    },
    {
      id: "lmi-paced-64",
      title: "(j) 64 paced streams at once, first /next to last byte, N = 64",
      unit: "ms",
      better: "lower",
      digits: 0,
      series: table["paced-64"] ?? {},
    },
    {
      id: "lmi-small-rate",
      title: "(j) small streamed invocations/s (n1: variable unset; n1-set: = 1; n64: = 64)",
      unit: "inv/s",
      better: "higher",
      digits: 0,
      series: table.rate ?? {},
    },
    {
      id: "lmi-small-client-cpu",
      title: "(j) client CPU per small streamed invocation (all its threads)",
      unit: "µs",
      better: "lower",
      digits: 0,
      series: table["client-cpu"] ?? {},
    },
    {
      id: "lmi-small-server-cpu",
      title: "(j) fake Runtime API CPU per small streamed invocation (the harness)",
      unit: "µs",
      better: "lower",
      digits: 0,
      series: table["server-cpu"] ?? {},
    },
    {
      id: "lmi-rss-per-invocation",
      title: "(j) peak RSS growth per extra in-flight paced stream, 64 at once on one worker",
      unit: "KiB",
      better: "lower",
      digits: 1,
      series: table["rss-per-invocation"] ?? {},
    },
    {
      id: "lmi-rss-per-poller",
      title: "(j) RSS per idle poller (N = 64 vs N = 2, one worker)",
      unit: "KiB",
      better: "lower",
      digits: 1,
      series: table["rss-per-poller"] ?? {},
    },
    {
      id: "lmi-cpu-rate",
      title: `(j) CPU-bound invocations/s (about ${HASHING_MS} ms of hashing each), N = ${CPU_CONCURRENCY}, 1 or 2 workers`,
      unit: "inv/s",
      better: "higher",
      digits: 1,
      series: table["cpu-rate"] ?? {},
    },
  ];
}

const RATIOS: readonly RatioSpec[] = [
  {
    id: "lmi-paced:64/1",
    title: "(j) 64 concurrent paced streams ÷ one, wall time",
    numerator: { metric: "lmi-paced-64", series: "n64" },
    denominator: { metric: "lmi-paced-1", series: "n64" },
    target: { op: "<=", bound: 1.3 },
  },
  {
    id: "lmi-small-rate:n64/n1",
    title: "(j) small streamed inv/s, N = 64 ÷ N = 1",
    numerator: { metric: "lmi-small-rate", series: "n64" },
    denominator: { metric: "lmi-small-rate", series: "n1" },
    target: { op: ">=", bound: 3 },
  },
  {
    id: "lmi-small-rate:n1-set/n1",
    title: "(j) small streamed inv/s, AWS_LAMBDA_MAX_CONCURRENCY=1 ÷ unset (the same path)",
    numerator: { metric: "lmi-small-rate", series: "n1-set" },
    denominator: { metric: "lmi-small-rate", series: "n1" },
  },
  {
    id: "lmi-rss-per-invocation",
    title: "(j) peak RSS growth per extra in-flight streamed invocation",
    numerator: { metric: "lmi-rss-per-invocation", series: "n64-w1" },
    target: { op: "<=", bound: 64 },
  },
  {
    id: "lmi-cpu-rate:w2/w1",
    title: "(j) CPU-bound inv/s, 2 workers ÷ 1",
    numerator: { metric: "lmi-cpu-rate", series: "w2" },
    denominator: { metric: "lmi-cpu-rate", series: "w1" },
    target: { op: ">=", bound: 1.7 },
  },
];
