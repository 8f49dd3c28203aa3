// Order statistics for benchmark samples: median, percentiles, and min–max summaries.

/** Median, minimum and maximum of a set of samples. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/**
 * The `p`-th percentile (0..100) of `samples`, by linear interpolation between the closest ranks.
 * @throws RangeError when `samples` is empty or `p` is outside 0..100.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError("percentile of no samples");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = Float64Array.from(samples).sort();
  const rank = (p / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.min(below + 1, sorted.length - 1);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (rank - below);
}

/** The median of `samples` (the mean of the two middle values for an even count). */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Median, minimum and maximum of `samples`. @throws RangeError when `samples` is empty. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError("summary of no samples");
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

/**
 * Element-wise ratios `numerators[i] / denominators[i]`: one ratio per round, so that a slow round slows
 * both sides of its own ratio and cancels out.
 * @throws RangeError when the arrays differ in length.
 */
export function ratiosPerRound(numerators: readonly number[], denominators: readonly number[]): number[] {
  if (numerators.length !== denominators.length) {
    throw new RangeError(`ratio of ${numerators.length} rounds to ${denominators.length} rounds`);
  }
  return numerators.map((value, round) => value / (denominators[round] as number));
}
