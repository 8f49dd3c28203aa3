// Turns scenario output into results: each comparison computed per round, summarized, checked against its target and for stability.
import os from "node:os";
import type { LoadSample } from "../machineLoad";
import type { Metric, Placement, RatioSpec, ScenarioResult, SeriesRef, Target } from "../scenarios/types";
import {
  differencesPerRound,
  median,
  medianInterval,
  ratiosPerRound,
  summarize,
  type MedianInterval,
  type Summary,
} from "../stats";

/**
 * When a targeted result is stable enough to publish. A result is stable when all of these hold:
 * - `confidence`: the distribution-free confidence interval of its median across rounds (order statistics,
 *   see `medianInterval`) reaches this coverage: enough rounds were run;
 * - the interval lies wholly on one side of the target: a re-run under the same conditions would most likely
 *   give the same verdict;
 * - `maxSpread`: the interval is at most this wide, relative to the median (for a difference: relative to the
 *   median of what is subtracted, e.g. `node -e ""`'s start-up): the figure itself is precise enough to quote;
 * - `maxOtherCores`: processes outside the bench (and the hypervisor, as steal) used at most this many cores
 *   on average during the scenario's rounds: the machine was quiet enough for the numbers to mean this
 *   machine, not its other load.
 */
export const STABILITY_CRITERIA = {
  confidence: 0.95,
  maxSpread: 0.25,
  maxOtherCores: 0.25,
} as const;

/** Whether a result may be published, and why not. */
export interface Stability {
  /** The median's confidence interval across rounds. */
  readonly interval: MedianInterval;
  /** `(high - low) / |median|`; for a difference, over the median of the subtracted series. */
  readonly spread: number;
  /** Why it is not stable, one short phrase each; empty when it is. */
  readonly problems: readonly string[];
}

/** A ratio (or difference, or absolute value) with its per-round values, summary, and verdict. */
export interface RatioResult extends RatioSpec {
  /** One value per round; empty when a side was not measured (e.g. a client left out). */
  readonly perRound: readonly number[];
  readonly summary: Summary | undefined;
  /** The unit of a difference or an absolute value (the numerator's); undefined for a ratio. */
  readonly unit: string | undefined;
  /** Decimals of a difference or an absolute value (the numerator's); undefined for a ratio. */
  readonly digits: number | undefined;
  /** Whether the median meets the target; undefined without a target or without data. */
  readonly met: boolean | undefined;
  /** For a measured result with a target: whether it is stable enough to publish. */
  readonly stability: Stability | undefined;
}

/** What the rest of the machine did during a scenario's rounds. */
export interface ScenarioLoad {
  readonly perRound: readonly LoadSample[];
  /** Mean cores used by processes outside the bench, plus steal, over the scenario's rounds. */
  readonly meanOtherCores: number | undefined;
}

/** A scenario's results. */
export interface ScenarioReport {
  readonly id: string;
  readonly letter: string;
  readonly title: string;
  /** Where its processes ran. */
  readonly placement: Placement;
  /** Wall-clock seconds the scenario took. */
  readonly seconds: number;
  readonly load: ScenarioLoad;
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
  /** 1-minute load average when the run ended (the bench's own processes count in it). */
  readonly loadAtEnd: number;
  /** Scheduling niceness of the harness and the clients (negative with `--priority`). */
  readonly niceness: number;
}

/** Everything a run produced; written as JSON under `.bench/`. */
export interface BenchReport {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly rounds: number;
  readonly quick: boolean;
  /** With `--unpinned`: every scenario ran on any core. */
  readonly unpinned: boolean;
  /** The criteria every targeted result was checked against. */
  readonly stabilityCriteria: typeof STABILITY_CRITERIA;
  readonly clients: readonly { readonly name: string; readonly description: string }[];
  readonly scenarios: readonly ScenarioReport[];
}

/** Computes every comparison of `result` inside each round, and checks its target and its stability. */
export function reportScenario(
  scenario: { id: string; letter: string; title: string; placement: Placement },
  result: ScenarioResult,
  seconds: number,
  loadSamples: readonly LoadSample[],
): ScenarioReport {
  const load: ScenarioLoad = {
    perRound: loadSamples,
    meanOtherCores:
      loadSamples.length === 0
        ? undefined
        : loadSamples.reduce((sum, sample) => sum + sample.otherCores + sample.stealCores, 0) /
          loadSamples.length,
  };
  const ratios = result.ratios.map((spec): RatioResult => {
    const numeratorMetric = result.metrics.find((metric) => metric.id === spec.numerator.metric);
    const numerator = seriesOf(result.metrics, spec.numerator);
    const denominator = spec.denominator ? seriesOf(result.metrics, spec.denominator) : undefined;
    const combine = spec.combine ?? "ratio";
    const perRound =
      numerator === undefined || (spec.denominator && denominator === undefined)
        ? []
        : denominator === undefined
          ? [...numerator]
          : combine === "difference"
            ? differencesPerRound(numerator, denominator)
            : ratiosPerRound(numerator, denominator);
    const summary = perRound.length > 0 ? summarize(perRound) : undefined;
    const met = summary && spec.target ? meets(summary.median, spec.target) : undefined;
    const inUnits = !spec.denominator || combine === "difference";
    return {
      ...spec,
      perRound,
      summary,
      unit: inUnits ? numeratorMetric?.unit : undefined,
      digits: inUnits ? numeratorMetric?.digits : undefined,
      met,
      stability:
        summary && spec.target
          ? stabilityOf(perRound, spec.target, load, spreadScale(combine, summary, denominator))
          : undefined,
    };
  });
  return { ...scenario, seconds, load, metrics: result.metrics, ratios };
}

/** What a result's spread is relative to: its median, or for a difference the subtracted series' median. */
function spreadScale(
  combine: "ratio" | "difference",
  summary: Summary,
  denominator: readonly number[] | undefined,
): number {
  return Math.abs(combine === "difference" && denominator ? median(denominator) : summary.median);
}

/** Checks one targeted result against {@link STABILITY_CRITERIA}. */
function stabilityOf(
  perRound: readonly number[],
  target: Target,
  load: ScenarioLoad,
  scale: number,
): Stability {
  const interval = medianInterval(perRound, STABILITY_CRITERIA.confidence);
  const spread = scale === 0 ? 0 : (interval.high - interval.low) / scale;
  const problems: string[] = [];
  if (perRound.length > 1) {
    if (interval.confidence < STABILITY_CRITERIA.confidence) {
      problems.push(`${perRound.length} rounds give no ${STABILITY_CRITERIA.confidence * 100}% interval`);
    }
    if (meets(interval.low, target) !== meets(interval.high, target))
      problems.push("interval crosses target");
    if (spread > STABILITY_CRITERIA.maxSpread) problems.push(`spread ${Math.round(spread * 100)}%`);
  }
  if (load.meanOtherCores !== undefined && load.meanOtherCores > STABILITY_CRITERIA.maxOtherCores) {
    problems.push(`other load ${load.meanOtherCores.toFixed(2)} cores`);
  }
  return { interval, spread, problems };
}

/** Whether `value` satisfies `target`. */
export function meets(value: number, target: Target): boolean {
  return target.op === ">=" ? value >= target.bound : value <= target.bound;
}

/** The measured results that have a target, and of those the ones that are not stable. */
export function targetedResults(report: BenchReport): {
  targeted: RatioResult[];
  unstable: RatioResult[];
} {
  const targeted = report.scenarios.flatMap((scenario) => scenario.ratios).filter((ratio) => ratio.target);
  const unstable = targeted.filter((ratio) => ratio.stability && ratio.stability.problems.length > 0);
  return { targeted, unstable };
}

/** Describes this machine. */
export function machineInfo(
  node: string,
  loadAtStart: number,
  loadAtEnd: number,
  niceness: number,
): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node,
    loadAtStart,
    loadAtEnd,
    niceness,
  };
}

function seriesOf(metrics: readonly Metric[], ref: SeriesRef): readonly number[] | undefined {
  const values = metrics.find((metric) => metric.id === ref.metric)?.series[ref.series];
  return values && values.length > 0 ? values : undefined;
}
