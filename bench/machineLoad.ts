// How busy the rest of the machine was during each round: CPU used by processes outside the bench, and steal.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

/** Clock ticks per second of `/proc/stat` and `/proc/<pid>/stat` (`getconf CLK_TCK`; 100 on Linux everywhere). */
const TICKS_PER_SECOND = 100;

/** What the rest of the machine did during one round, in cores (1 = one core busy for the whole round). */
export interface LoadSample {
  /**
   * CPU used by everything but the bench (its harness, the fake Runtime API and the clients it started):
   * other processes, and kernel threads. Our own loopback traffic is charged to us.
   */
  readonly otherCores: number;
  /** CPU time the hypervisor gave to someone else while this machine's CPUs wanted to run (`steal`). */
  readonly stealCores: number;
  /** Wall-clock seconds of the round. */
  readonly seconds: number;
}

interface Counters {
  readonly at: number;
  /** Busy ticks of all CPUs: user, nice, system, irq, softirq (guest time is inside user and nice). */
  readonly busy: number;
  readonly steal: number;
  /** Ticks of this process and of its children that have been waited for (all the clients of past rounds). */
  readonly own: number;
}

/** Reads the counters, or undefined where `/proc` is missing (not Linux). */
function readCounters(): Counters | undefined {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const [, user, nice, system, , , irq, softirq, steal] = cpu.trim().split(/\s+/).map(Number);
    // Fields after the command (which may contain spaces): state is field 3, utime..cstime are 14..17.
    const self = readFileSync("/proc/self/stat", "utf8");
    const fields = self
      .slice(self.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    const own = fields.slice(11, 15).reduce((sum, value) => sum + value, 0);
    const busy = [user, nice, system, irq, softirq].reduce<number>((sum, value) => sum + (value ?? 0), 0);
    return { at: performance.now(), busy, steal: steal ?? 0, own };
  } catch {
    return undefined;
  }
}

/**
 * Samples the machine's load around each round of a scenario. A round's own clients must have exited (and
 * been waited for) before the round ends, so that their CPU time counts as the bench's own.
 */
export class LoadMonitor {
  readonly #samples: LoadSample[] = [];

  /** One sample per measured round, in order; empty where `/proc` is not available. */
  get samples(): readonly LoadSample[] {
    return this.#samples;
  }

  /** Runs `round` and records what the rest of the machine did meanwhile. */
  async measure<T>(round: () => Promise<T>): Promise<T> {
    const before = readCounters();
    const result = await round();
    const after = readCounters();
    if (before && after && after.at > before.at) {
      const seconds = (after.at - before.at) / 1000;
      const cores = (ticks: number): number => Math.max(0, ticks / TICKS_PER_SECOND / seconds);
      this.#samples.push({
        otherCores: cores(after.busy - before.busy - (after.own - before.own)),
        stealCores: cores(after.steal - before.steal),
        seconds,
      });
    }
    return result;
  }
}
