// Markdown tables of a run: the ratios against their targets, and every measurement per client.
import { CLIENT_NAMES } from "../clients/types";
import { summarize } from "../stats";
import { formatNumber, formatSummary, formatTarget, ratioDigits, ratioDigitsAgainst } from "./format";
import type { BenchReport, RatioResult } from "./results";

/** The ratio table: median (min–max) across rounds, target, verdict, and whether the verdict is stable. */
export function ratioTable(report: BenchReport): string {
  const rows = report.scenarios.flatMap((scenario) => scenario.ratios);
  const lines = [
    "| Ratio or difference (computed inside each round) | Median (min–max) | Target | Met | Stable |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const ratio of rows) {
    lines.push(
      `| ${ratio.title} | ${formatRatio(ratio)} | ${targetText(ratio)} | ${verdict(ratio)} | ${stableText(ratio)} |`,
    );
  }
  return lines.join("\n");
}

/** The measurement table: one row per metric, one column per client (and reference). */
export function measurementTable(report: BenchReport): string {
  const metrics = report.scenarios.flatMap((scenario) => scenario.metrics);
  const columns = [
    ...CLIENT_NAMES.filter((name) => metrics.some((metric) => metric.series[name] !== undefined)),
    ...new Set(
      metrics
        .flatMap((metric) => Object.keys(metric.series))
        .filter((name) => !(CLIENT_NAMES as readonly string[]).includes(name)),
    ),
  ];
  const lines = [
    `| Measurement | Unit | ${columns.join(" | ")} |`,
    `| --- | --- | ${columns.map(() => "---").join(" | ")} |`,
  ];
  for (const metric of metrics) {
    const cells = columns.map((name) => {
      const values = metric.series[name];
      return values && values.length > 0 ? formatSummary(summarize(values), metric.digits) : "";
    });
    const unit = `${metric.unit} (${metric.better === "higher" ? "↑" : "↓"})`;
    lines.push(`| ${metric.title} | ${unit} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Decimals for a result: its metric's for a difference or an absolute value, else as a ratio near its target. */
function digitsOf(ratio: RatioResult, value: number): number {
  return ratio.digits ?? ratioDigitsAgainst(value, ratio.target);
}

/** ` ms` for a difference in ms; nothing for a ratio. */
function unitSuffix(ratio: RatioResult): string {
  return ratio.unit === undefined ? "" : ` ${ratio.unit}`;
}

function formatRatio(ratio: RatioResult): string {
  if (!ratio.summary) return "not measured";
  return `${formatSummary(ratio.summary, digitsOf(ratio, ratio.summary.median))}${unitSuffix(ratio)}`;
}

function targetText(ratio: RatioResult): string {
  if (!ratio.target) return "";
  const digits = ratio.digits ?? ratioDigits(ratio.target.bound);
  return `${formatTarget(ratio.target, digits)}${unitSuffix(ratio)}`;
}

function verdict(ratio: RatioResult): string {
  if (ratio.met === undefined) return ratio.target ? "n/a" : "";
  return ratio.met ? "yes" : `**no**`;
}

/** `yes`, or why not (`**no**: interval crosses target`); empty without a target. */
function stableText(ratio: RatioResult): string {
  const stability = ratio.stability;
  if (!stability) return "";
  return stability.problems.length === 0 ? "yes" : `**no**: ${stability.problems.join("; ")}`;
}

/** The median's confidence interval, e.g. `95% interval 0.49–0.55`. */
function intervalText(ratio: RatioResult): string {
  const stability = ratio.stability;
  if (!stability) return "";
  const { low, high, confidence } = stability.interval;
  const digits = digitsOf(ratio, ratio.summary?.median ?? low);
  return `${Math.floor(confidence * 100)}% interval ${formatNumber(low, digits)}–${formatNumber(high, digits)}${unitSuffix(ratio)}`;
}

/**
 * One line per target, for the console's closing summary: the verdict, then STABLE or UNSTABLE (with why),
 * then the value, its target and the median's confidence interval.
 */
export function targetSummary(report: BenchReport): string[] {
  return report.scenarios
    .flatMap((scenario) => scenario.ratios)
    .filter((ratio) => ratio.target)
    .map((ratio) => {
      const value = ratio.summary ? formatRatio(ratio) : "not measured";
      const status = ratio.met === undefined ? "n/a " : ratio.met ? "MET " : "MISS";
      const problems = ratio.stability?.problems ?? [];
      const stable = !ratio.stability ? "        " : problems.length === 0 ? "STABLE  " : "UNSTABLE";
      const why = problems.length > 0 ? ` — not stable: ${problems.join("; ")}` : "";
      const interval = ratio.stability ? `; ${intervalText(ratio)}` : "";
      return `${status} ${stable} ${ratio.title}: ${value}, target ${targetText(ratio)}${interval}${why}`;
    });
}
