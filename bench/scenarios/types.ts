// The shapes scenarios produce: per-round series of measurements, and the ratios (with targets) built from them.
import type { NodeInstall } from "../node24";
import type { PreparedClient } from "../clients/types";

/** What every scenario gets. */
export interface ScenarioContext {
  /** The Node 24 every client runs on. */
  readonly node: NodeInstall;
  /** The clients to compare, in report order. */
  readonly clients: readonly PreparedClient[];
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

/** A pass/fail bound on a ratio (or on an absolute value when the ratio has no denominator). */
export interface Target {
  readonly op: ">=" | "<=";
  readonly bound: number;
}

/** A ratio computed inside each round (numerator round i / denominator round i), optionally with a target. */
export interface RatioSpec {
  readonly id: string;
  readonly title: string;
  readonly numerator: SeriesRef;
  /** Without a denominator the "ratio" is the numerator itself (e.g. bundle bytes against a byte limit). */
  readonly denominator?: SeriesRef;
  readonly target?: Target;
}

/** What a scenario returns. */
export interface ScenarioResult {
  readonly metrics: readonly Metric[];
  readonly ratios: readonly RatioSpec[];
}

/** A benchmark scenario, selectable with `--only <id>`. */
export interface Scenario {
  /** The letter, (a) to (g). */
  readonly letter: string;
  /** Short id for `--only`. */
  readonly id: string;
  readonly title: string;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}
