// Pinning to one CPU with taskset: the harness (all its threads) while a scenario runs, and the clients it starts.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Where `taskset` (util-linux) is, or undefined when it is not installed. */
function findTaskset(): string | undefined {
  const folders = (process.env.PATH ?? "").split(path.delimiter).concat(["/usr/bin", "/bin"]);
  return folders.map((folder) => path.join(folder, "taskset")).find((file) => existsSync(file));
}

/** The CPUs this process may run on (`Cpus_allowed_list`, e.g. `0-1`), or undefined without /proc. */
function allowedCpus(): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

/** The highest CPU number in a list such as `0-3,6`. */
function lastCpu(list: string): number {
  return Math.max(...list.split(/[,-]/).map(Number));
}

/** Sets the CPU affinity of every thread of `pid`; returns whether taskset succeeded. */
function setAffinity(taskset: string, pid: number, cpus: string): boolean {
  return spawnSync(taskset, ["-a", "-p", "-c", cpus, String(pid)], { stdio: "ignore" }).status === 0;
}

/** A command line. */
export interface CommandLine {
  readonly command: string;
  readonly args: readonly string[];
}

/** A way to run on one CPU: the CPU, and how to start a process there. */
export interface Pinning {
  readonly cpu: number;
  /** `line`, run through `taskset -c <cpu>` (which execs it, so the pid stays the process's own). */
  wrap(line: CommandLine): CommandLine;
}

/** Why pinning is not possible here, or undefined when it is. */
export function pinningUnavailable(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (!findTaskset()) return "taskset (util-linux) is not installed";
  if (!allowedCpus()) return "/proc/self/status has no Cpus_allowed_list";
  return undefined;
}

/**
 * Runs `run` with this process (every thread: the event loop with the fake Runtime API, libuv's pool, V8's
 * helpers) pinned to the last CPU it may use, then gives it back the CPUs it had. Threads started meanwhile
 * inherit the pinning. `run` gets the {@link Pinning} to start its clients with, or undefined when pinning is
 * not possible (see {@link pinningUnavailable}), in which case nothing is pinned.
 */
export async function onOneCpu<T>(run: (pinning: Pinning | undefined) => Promise<T>): Promise<T> {
  const taskset = findTaskset();
  const allowed = allowedCpus();
  if (process.platform !== "linux" || !taskset || !allowed) return run(undefined);
  const cpu = lastCpu(allowed);
  if (!setAffinity(taskset, process.pid, String(cpu))) return run(undefined);
  try {
    return await run({
      cpu,
      wrap: (line) => ({ command: taskset, args: ["-c", String(cpu), line.command, ...line.args] }),
    });
  } finally {
    setAffinity(taskset, process.pid, allowed);
  }
}
