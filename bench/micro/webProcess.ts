// Out-of-process check of our web handlers: each bundled and started as deployed, CPU per small streamed response.
//
// Run: `npx ts-node --transpile-only bench/micro/webProcess.ts [--rounds N] [--per-round N] [--profile DIR]
// [--module FILE]`.
// A quicker loop than `npm run bench -- --only web-small-streamed` while working on fetchHandler: our three
// web handlers only (no AWS client, no pinning), each in its own process started through the bundle's
// bootstrap against its own fake Runtime API, interleaved round after round; prints the client CPU per
// invocation (the figure that, with the fake's own CPU, decides (i)'s invocations/s on one core) and the
// per-round ratios. `--profile DIR` writes each client's V8 CPU profile there (the bundles then unminified);
// `--module FILE` serves the handlers of another copy of bench/handlers/oursWeb.ts, for instance a snapshot
// of the tree before a change (its imports must resolve there, node_modules included).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { BundleFile, buildBundle } from "../../components/bundle";
import { FakeRuntimeApi } from "../../test/helpers/fakeRuntimeApi";
import { sandboxEnvironment } from "../environment";
import { webEvent } from "../handlers/webApp";
import { readCpuMs, spawnClient, type ClientProcess } from "../processes";
import { median, ratiosPerRound, summarize } from "../stats";
import { eventBody } from "../scenarios/batch";
import { checkWebStreamed } from "../scenarios/checks";

const HANDLERS = ["writer", "plainFetch", "honoFetch"] as const;
const SMALL = { chunks: 4, chunkSize: 256 };
const EVENT = eventBody(webEvent(SMALL));
const MODULE = path.join(__dirname, "..", "handlers", "oursWeb.ts");

interface Client {
  readonly name: string;
  readonly api: FakeRuntimeApi;
  readonly process: ClientProcess;
}

/** Bundles `handlerExport` as the component does and starts it through its bootstrap, with `--cpu-prof` if asked. */
async function startClient(
  handlerExport: string,
  buildRoot: string,
  handlerModule: string,
  profileDir?: string,
): Promise<Client> {
  const outDir = path.join(buildRoot, handlerExport);
  // Unminified when profiling, so that the profile names our functions.
  await buildBundle({ handler: handlerModule, handlerExport, outDir, minify: profileDir === undefined });
  const api = await new FakeRuntimeApi({ keepBodyBytes: 64 * 1024, deadlineInMs: 15 * 60 * 1000 }).start();
  const env = sandboxEnvironment({
    runtimeApi: api.address,
    taskRoot: outDir,
    handler: `index.${handlerExport}`,
    nodeBinary: process.execPath,
  });
  // The bootstrap starts node with the heap sizes Lambda would; a profile is asked for through NODE_OPTIONS.
  if (profileDir) env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${profileDir}`;
  const bootstrap = path.join(outDir, BundleFile.bootstrap);
  return { name: handlerExport, api, process: spawnClient("/bin/sh", [bootstrap, process.execPath], env) };
}

/** Resolves when the process exits, or after 10 s. */
async function exitOrTimeout(child: ClientProcess): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)));
  await Promise.race([child.crashed.catch(() => undefined), timeout]);
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "5" },
      "per-round": { type: "string", default: "1000" },
      profile: { type: "string" },
      module: { type: "string", default: MODULE },
    },
  });
  const rounds = Number(values.rounds);
  const perRound = Number(values["per-round"]);
  const buildRoot = mkdtempSync(path.join(os.tmpdir(), "web-process-"));
  const clients: Client[] = [];
  try {
    for (const name of HANDLERS) {
      clients.push(await startClient(name, buildRoot, path.resolve(values.module), values.profile));
    }
    for (const client of clients) checkWebStreamed(await client.api.serve(500, EVENT), SMALL);
    const cpu = new Map<string, number[]>(HANDLERS.map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const client of clients) {
        const before = await readCpuMs(client.process.pid);
        checkWebStreamed(await client.api.serve(perRound, EVENT), SMALL);
        const after = await readCpuMs(client.process.pid);
        cpu.get(client.name)?.push((after - before) * (1000 / perRound));
      }
    }
    console.log(`client CPU µs per invocation, median (min-max) of ${rounds} rounds of ${perRound}:`);
    for (const [name, samples] of cpu) {
      const { median: mid, min, max } = summarize(samples);
      console.log(`  ${name.padEnd(12)} ${mid.toFixed(0)} (${min.toFixed(0)}-${max.toFixed(0)})`);
    }
    const of = (name: string): number[] => cpu.get(name) ?? [];
    for (const name of ["plainFetch", "honoFetch"]) {
      console.log(
        `writer ÷ ${name} (per-round median): ${median(ratiosPerRound(of("writer"), of(name))).toFixed(2)}`,
      );
    }
  } finally {
    // SIGTERM lets the runtime exit by itself, so `--cpu-prof` writes its profile; stop() makes sure it is gone.
    for (const client of clients) process.kill(client.process.pid, "SIGTERM");
    await Promise.all(clients.map((client) => exitOrTimeout(client.process)));
    await Promise.all(clients.map((client) => client.process.stop()));
    await Promise.all(clients.map((client) => client.api.close()));
    rmSync(buildRoot, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
