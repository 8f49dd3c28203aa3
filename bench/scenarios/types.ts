// The shapes scenarios produce: per-round series of measurements, and the ratios (with targets) built from them.
import type { ClientName, PreparedClient } from "../clients/types";
import type { LoadMonitor } from "../machineLoad";
import type { NodeInstall } from "../node24";
import type { Pinning } from "../placement";

/** What every scenario gets. */
export interface ScenarioContext {
  /** The Node 24 every client runs on. */
  readonly node: NodeInstall;
  /** The clients to compare, in report order: those of {@link Scenario.clients} that were selected. */
  readonly clients: readonly PreparedClient[];
  /**
   * For a scenario placed on {@link Placement one core}: the CPU the harness (with the fake Runtime API) runs
   * on, and how to start every client there. Undefined when processes may run on any core.
   */
  readonly pinning: Pinning | undefined;
  /** Records what the rest of the machine did during each round. */
  readonly load: LoadMonitor;
  /** Interleaved rounds per scenario. */
  readonly rounds: number;
  /** Fewer invocations per round (`--quick`). */
  readonly quick: boolean;
  /** Where the bundle-size scenario builds. */
  readonly buildDir: string;
  /** Progress output. */
  log(line: string): void;
}

/** One measured quantity: a value per round for each client (or reference, such as `node -e ""`). */
export interface Metric {
  /** Stable key, used by ratios and in the JSON. */
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  /** Which direction is better, for readers of the table. */
  readonly better: "higher" | "lower";
  /** Decimals to print. */
  readonly digits: number;
  /** Per-round values, keyed by client name or reference name; index = round. */
  readonly series: Readonly<Record<string, readonly number[]>>;
}

/** A side of a ratio: one series of one metric. */
export interface SeriesRef {
  readonly metric: string;
  readonly series: string;
}

/** A pass/fail bound on a ratio, a difference, or an absolute value (when there is no denominator). */
export interface Target {
  readonly op: ">=" | "<=";
  readonly bound: number;
}

/**
 * A comparison computed inside each round (numerator round i combined with denominator round i), optionally
 * with a target: a ratio (numerator ÷ denominator), or a difference (numerator − denominator, in the metric's
 * unit). Without a denominator it is the numerator itself (e.g. a bundle's bytes).
 */
export interface RatioSpec {
  readonly id: string;
  readonly title: string;
  readonly numerator: SeriesRef;
  readonly denominator?: SeriesRef;
  /** How numerator and denominator combine. @default "ratio" */
  readonly combine?: "ratio" | "difference";
  readonly target?: Target;
}

/** What a scenario returns. */
export interface ScenarioResult {
  readonly metrics: readonly Metric[];
  readonly ratios: readonly RatioSpec[];
}

/**
 * Where a scenario's processes run. `one-core`: the harness (and the fake Runtime API in it) and every client
 * pinned to one CPU, so that other load on the machine lands on the other cores and no measurement depends on
 * how fast an idle core wakes up. `any-core`: wherever the scheduler puts them.
 */
export type Placement = "one-core" | "any-core";

/** A benchmark scenario, selectable with `--only <id>`. */
export interface Scenario {
  /** The letter, (a) to (g). */
  readonly letter: string;
  /** Short id for `--only`. */
  readonly id: string;
  readonly title: string;
  /** The clients it measures (those the run selected). */
  readonly clients: readonly ClientName[];
  /** Where its processes run (`--unpinned` makes every scenario `any-core`). */
  readonly placement: Placement;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}
