// Turns scenario output into results: each ratio computed per round, summarized, and checked against its target.
import os from "node:os";
import type { Metric, RatioSpec, ScenarioResult, SeriesRef, Target } from "../scenarios/types";
import { ratiosPerRound, summarize, type Summary } from "../stats";

/** A ratio with its per-round values, summary, and verdict. */
export interface RatioResult extends RatioSpec {
  /** One value per round; empty when a side was not measured (e.g. a client left out). */
  readonly perRound: readonly number[];
  readonly summary: Summary | undefined;
  /** Whether the median meets the target; undefined without a target or without data. */
  readonly met: boolean | undefined;
}

/** A scenario's results. */
export interface ScenarioReport {
  readonly id: string;
  readonly letter: string;
  readonly title: string;
  /** Wall-clock seconds the scenario took. */
  readonly seconds: number;
  readonly metrics: readonly Metric[];
  readonly ratios: readonly RatioResult[];
}

/** The machine the numbers come from. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** 1-minute load average when the run started: above ~0.5, other processes were competing for the CPU. */
  readonly loadAtStart: number;
  /** Scheduling niceness of the harness and the clients (negative with `--priority`). */
  readonly niceness: number;
}

/** Everything a run produced; written as JSON under `.bench/`. */
export interface BenchReport {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly rounds: number;
  readonly quick: boolean;
  readonly clients: readonly { readonly name: string; readonly description: string }[];
  readonly scenarios: readonly ScenarioReport[];
}

/** Computes every ratio of `result` inside each round and checks its target. */
export function reportScenario(
  scenario: { id: string; letter: string; title: string },
  result: ScenarioResult,
  seconds: number,
): ScenarioReport {
  const ratios = result.ratios.map((spec): RatioResult => {
    const numerator = seriesOf(result.metrics, spec.numerator);
    const denominator = spec.denominator ? seriesOf(result.metrics, spec.denominator) : undefined;
    const perRound =
      numerator === undefined || (spec.denominator && denominator === undefined)
        ? []
        : denominator === undefined
          ? [...numerator]
          : ratiosPerRound(numerator, denominator);
    const summary = perRound.length > 0 ? summarize(perRound) : undefined;
    const met = summary && spec.target ? meets(summary.median, spec.target) : undefined;
    return { ...spec, perRound, summary, met };
  });
  return { ...scenario, seconds, metrics: result.metrics, ratios };
}

/** Whether `value` satisfies `target`. */
export function meets(value: number, target: Target): boolean {
  return target.op === ">=" ? value >= target.bound : value <= target.bound;
}

/** Describes this machine. */
export function machineInfo(node: string, loadAtStart: number, niceness: number): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node,
    loadAtStart,
    niceness,
  };
}

function seriesOf(metrics: readonly Metric[], ref: SeriesRef): readonly number[] | undefined {
  const values = metrics.find((metric) => metric.id === ref.metric)?.series[ref.series];
  return values && values.length > 0 ? values : undefined;
}
