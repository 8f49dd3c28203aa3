// The ratio chart: one row per target, the median as a bar, min–max as a whisker, the target as a tick.
import { formatNumber, formatTarget, ratioDigits, ratioDigitsAgainst } from "./format";
import type { BenchReport, RatioResult } from "./results";

const WIDTH = 990;
const ROW_HEIGHT = 34;
const TOP = 62;
const BOTTOM = 44;
const LABEL_WIDTH = 390;
const PLOT_WIDTH = 340;
const PLOT_LEFT = LABEL_WIDTH + 10;
const TEXT_LEFT = PLOT_LEFT + PLOT_WIDTH + 14;
const MET = "#2e7d32";
const MISSED = "#c62828";
const NEUTRAL = "#607d8b";
const UNSTABLE = "#ef6c00";

/** A chart row: a ratio on the shared axis (a difference or an absolute value is drawn as a share of its bound). */
interface Row {
  readonly label: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly target: number | undefined;
  readonly met: boolean | undefined;
  /** Whether the result passed the stability criteria. */
  readonly stable: boolean;
  readonly text: string;
}

/** Renders every ratio that has a target (and was measured) as an SVG document. */
export function ratioChart(report: BenchReport): string {
  const rows = report.scenarios
    .flatMap((scenario) => scenario.ratios)
    .filter((ratio) => ratio.target && ratio.summary)
    .map(toRow);
  const axisMax = Math.max(
    2,
    Math.ceil(Math.max(...rows.map((row) => Math.max(row.max, row.target ?? 0))) * 4) / 4,
  );
  const x = (value: number): number => PLOT_LEFT + (Math.max(0, value) / axisMax) * PLOT_WIDTH;
  const height = TOP + rows.length * ROW_HEIGHT + BOTTOM;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="600">${escape(title())}</text>`,
    `<text x="16" y="44" fill="#555">${escape(subtitle(report))}</text>`,
  ];
  for (let tick = 0; tick <= axisMax + 1e-9; tick += axisMax > 3 ? 1 : 0.5) {
    const at = x(tick);
    parts.push(
      `<line x1="${at}" y1="${TOP - 6}" x2="${at}" y2="${TOP + rows.length * ROW_HEIGHT}" stroke="${tick === 1 ? "#9e9e9e" : "#e0e0e0"}"/>`,
      `<text x="${at}" y="${TOP + rows.length * ROW_HEIGHT + 16}" text-anchor="middle" fill="#555">${formatNumber(tick, 1)}×</text>`,
    );
  }
  rows.forEach((row, index) => {
    const middle = TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2;
    const color = !row.stable ? UNSTABLE : row.met === undefined ? NEUTRAL : row.met ? MET : MISSED;
    parts.push(
      `<text x="${LABEL_WIDTH}" y="${middle + 4}" text-anchor="end">${escape(row.label)}</text>`,
      `<rect x="${PLOT_LEFT}" y="${middle - 8}" width="${x(row.median) - PLOT_LEFT}" height="16" fill="${color}" fill-opacity="0.75"/>`,
      `<line x1="${x(row.min)}" y1="${middle}" x2="${x(row.max)}" y2="${middle}" stroke="#212121" stroke-width="1.5"/>`,
      `<line x1="${x(row.min)}" y1="${middle - 5}" x2="${x(row.min)}" y2="${middle + 5}" stroke="#212121" stroke-width="1.5"/>`,
      `<line x1="${x(row.max)}" y1="${middle - 5}" x2="${x(row.max)}" y2="${middle + 5}" stroke="#212121" stroke-width="1.5"/>`,
    );
    if (row.target !== undefined) {
      const at = x(row.target);
      parts.push(
        `<line x1="${at}" y1="${middle - 13}" x2="${at}" y2="${middle + 13}" stroke="#000" stroke-width="2.5" stroke-dasharray="4 2"/>`,
      );
    }
    parts.push(`<text x="${TEXT_LEFT}" y="${middle + 4}" fill="${color}">${escape(row.text)}</text>`);
  });
  parts.push(
    `<text x="16" y="${height - 12}" fill="#555">${escape(
      "Bar: median of per-round values; whisker: min–max; dashed tick: target. Green: met; red: missed; orange: not stable.",
    )}</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}

function toRow(ratio: RatioResult): Row {
  const summary = ratio.summary!;
  const target = ratio.target!;
  const digits = ratio.digits ?? ratioDigitsAgainst(summary.median, target);
  const unit = ratio.unit === undefined ? "" : ` ${ratio.unit}`;
  const range =
    summary.min === summary.max
      ? ""
      : ` (${formatNumber(summary.min, digits)}–${formatNumber(summary.max, digits)})`;
  const targetText = `${formatTarget(target, ratio.digits ?? ratioDigits(target.bound))}${unit}`;
  const problems = ratio.stability?.problems ?? [];
  const stable = problems.length === 0;
  const text = `${formatNumber(summary.median, digits)}${range}${unit}, target ${targetText}${stable ? "" : ", not stable"}`;
  if (ratio.unit === undefined) {
    return { label: ratio.title, ...summary, target: target.bound, met: ratio.met, stable, text };
  }
  // A difference or an absolute value (ms, bytes): drawn as the share of its bound, with the bound at 1×.
  const share = (value: number): number => value / target.bound;
  return {
    label: `${ratio.title} (÷ ${formatNumber(target.bound, digits)}${unit})`,
    median: share(summary.median),
    min: share(summary.min),
    max: share(summary.max),
    target: 1,
    met: ratio.met,
    stable,
    text,
  };
}

function title(): string {
  return `Our runtime vs AWS's Node.js client (aws-lambda-ric) and bare node:http baselines`;
}

function subtitle(report: BenchReport): string {
  const { machine } = report;
  return `${report.date.slice(0, 10)} · ${machine.cores} × ${machine.cpu} · Node ${machine.node} · ${report.rounds} interleaved rounds`;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
