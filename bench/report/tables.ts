// Markdown tables of a run: the ratios against their targets, and every measurement per client.
import { CLIENT_NAMES } from "../clients/types";
import { summarize } from "../stats";
import { formatSummary, formatTarget, ratioDigits, ratioDigitsAgainst } from "./format";
import type { BenchReport, RatioResult } from "./results";

/** The ratio table: median (min–max) across rounds, target, verdict. */
export function ratioTable(report: BenchReport): string {
  const rows = report.scenarios.flatMap((scenario) => scenario.ratios);
  const lines = [
    "| Ratio (computed inside each round) | Median (min–max) | Target | Met |",
    "| --- | --- | --- | --- |",
  ];
  for (const ratio of rows) {
    lines.push(`| ${ratio.title} | ${formatRatio(ratio)} | ${targetText(ratio)} | ${verdict(ratio)} |`);
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

function formatRatio(ratio: RatioResult): string {
  if (!ratio.summary) return "not measured";
  return formatSummary(ratio.summary, ratioDigitsAgainst(ratio.summary.median, ratio.target));
}

function targetText(ratio: RatioResult): string {
  return ratio.target ? formatTarget(ratio.target, ratioDigits(ratio.target.bound)) : "";
}

function verdict(ratio: RatioResult): string {
  if (ratio.met === undefined) return ratio.target ? "n/a" : "";
  return ratio.met ? "yes" : `**no**`;
}

/** One line per target, for the console's closing summary. */
export function targetSummary(report: BenchReport): string[] {
  return report.scenarios
    .flatMap((scenario) => scenario.ratios)
    .filter((ratio) => ratio.target)
    .map((ratio) => {
      const value = ratio.summary ? formatRatio(ratio) : "not measured";
      const status = ratio.met === undefined ? "n/a " : ratio.met ? "MET " : "MISS";
      return `${status} ${ratio.title}: ${value}, target ${targetText(ratio)}`;
    });
}
