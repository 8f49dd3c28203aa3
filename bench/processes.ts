// Client processes: spawning with a clean environment, and reading their memory and CPU time from /proc.
import { spawn, type ChildProcess, type ChildProcessByStdio } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import type { Readable } from "node:stream";

/** Keep this much of a client's output, to explain a crash. */
const OUTPUT_TAIL_BYTES = 8 * 1024;

/** A running client. */
export interface ClientProcess {
  readonly pid: number;
  /** `performance.now()` just before the spawn. */
  readonly spawnedAt: number;
  /** Rejects if the process exits before {@link stop} is called; never resolves otherwise. */
  readonly crashed: Promise<never>;
  /** Kills the process (SIGKILL) and waits for it to be gone. */
  stop(): Promise<void>;
  /** With a telemetry pipe: what was read from it (as it came; the bytes themselves are dropped). */
  readonly telemetry?: TelemetryCount;
}

/** Bytes read from a client's telemetry pipe. */
export interface TelemetryCount {
  /** Bytes read so far. */
  bytes(): number;
  /** Resolves once `bytes` bytes in all have been read. */
  atLeast(bytes: number): Promise<void>;
}

/** Options of {@link spawnClient}. */
export interface SpawnOptions {
  /**
   * Give the process a pipe as descriptor 3, read as fast as it is written, as Lambda hands a runtime its
   * telemetry descriptor (the caller sets `_LAMBDA_TELEMETRY_LOG_FD=3`). @default false
   */
  readonly telemetryPipe?: boolean;
}

/** Spawns `node args...` with exactly `env` (nothing inherited). */
export function spawnClient(
  node: string,
  args: readonly string[],
  env: Record<string, string>,
  options: SpawnOptions = {},
): ClientProcess {
  const spawnedAt = performance.now();
  const child = spawn(node, args, {
    env,
    stdio: ["ignore", "pipe", "pipe", options.telemetryPipe ? "pipe" : "ignore"],
  }) as ChildProcessByStdio<null, Readable, Readable>;
  const telemetry = options.telemetryPipe
    ? countBytes(child.stdio[3] as NodeJS.ReadableStream | null)
    : undefined;
  let tail = "";
  const keep = (data: Buffer): void => {
    tail = (tail + data.toString("utf8")).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const crashed = new Promise<never>((_, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (!stopping) reject(new Error(`client exited early (code ${code}, signal ${signal}):\n${tail}`));
    });
  });
  crashed.catch(() => {});
  return {
    pid: child.pid ?? -1,
    spawnedAt,
    crashed,
    ...(telemetry ? { telemetry } : {}),
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Counts the bytes of `stream` as they are read. */
function countBytes(stream: NodeJS.ReadableStream | null): TelemetryCount {
  let count = 0;
  const waiting: Array<{ bytes: number; resolve: () => void }> = [];
  stream?.on("data", (data: Buffer) => {
    count += data.length;
    for (let i = waiting.length - 1; i >= 0; i--) {
      const waiter = waiting[i] as (typeof waiting)[number];
      if (count >= waiter.bytes) {
        waiting.splice(i, 1);
        waiter.resolve();
      }
    }
  });
  return {
    bytes: () => count,
    atLeast: (bytes) =>
      count >= bytes ? Promise.resolve() : new Promise((resolve) => waiting.push({ bytes, resolve })),
  };
}

/** Spawns `node args...` and resolves with milliseconds from spawn to exit (e.g. `node -e ""`). */
export async function timeToExit(
  node: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<number> {
  const start = performance.now();
  const child: ChildProcess = spawn(node, args, { env, stdio: "ignore" });
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", () => resolve());
  });
  return performance.now() - start;
}

/** Resident memory of a process, in bytes. */
export interface Memory {
  /** Peak resident set size so far (`VmHWM`). */
  readonly peakRss: number;
  /** Current resident set size (`VmRSS`). */
  readonly rss: number;
}

/** Reads a live process's memory from `/proc/<pid>/status` (Linux). */
export async function readMemory(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { peakRss: kib("VmHWM"), rss: kib("VmRSS") };
}

/**
 * CPU time a live process has used so far, in milliseconds, summed over all its threads (main thread, libuv
 * pool, V8's GC and compiler threads): the first field of each `/proc/<pid>/task/<tid>/schedstat`, in ns.
 */
export async function readCpuMs(pid: number): Promise<number> {
  const tasks = await readdir(`/proc/${pid}/task`);
  let ns = 0;
  for (const tid of tasks) {
    try {
      const stat = await readFile(`/proc/${pid}/task/${tid}/schedstat`, "utf8");
      ns += Number(stat.split(" ")[0]);
    } catch {
      // The thread ended between readdir and readFile: its time is gone with it.
    }
  }
  return ns / 1e6;
}
