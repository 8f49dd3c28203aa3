// Number and range formatting shared by the tables and the chart.
import type { Target } from "../scenarios/types";
import type { Summary } from "../stats";

/** `value` with `digits` decimals and thin thousands grouping (1 234 567). */
export function formatNumber(value: number, digits: number): string {
  const [whole = "", fraction] = Math.abs(value).toFixed(digits).split(".");
  const grouped = whole.length > 4 ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, " ") : whole;
  return `${value < 0 ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}

/** `median (min–max)`, or just the value when there was one sample. */
export function formatSummary(summary: Summary, digits: number): string {
  const median = formatNumber(summary.median, digits);
  if (summary.min === summary.max) return median;
  return `${median} (${formatNumber(summary.min, digits)}–${formatNumber(summary.max, digits)})`;
}

/** `≥ 1.25` / `≤ 0.6`. */
export function formatTarget(target: Target, digits: number): string {
  return `${target.op === ">=" ? "≥" : "≤"} ${formatNumber(target.bound, digits)}`;
}

/** Decimals for a ratio: 2, or 0 for byte counts and other large values. */
export function ratioDigits(value: number): number {
  return Math.abs(value) >= 100 ? 0 : 2;
}

/**
 * Decimals for a ratio next to its target: as {@link ratioDigits}, plus one more while the two would print
 * alike (a missed 0.903 must not read as "0.90, target ≤ 0.90").
 */
export function ratioDigitsAgainst(value: number, target: Target | undefined): number {
  let digits = ratioDigits(value);
  while (
    target &&
    digits < 4 &&
    value !== target.bound &&
    value.toFixed(digits) === target.bound.toFixed(digits)
  ) {
    digits++;
  }
  return digits;
}
