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

/** Element-wise differences `minuends[i] - subtrahends[i]`, one per round. @throws RangeError when the arrays differ in length. */
export function differencesPerRound(minuends: readonly number[], subtrahends: readonly number[]): number[] {
  if (minuends.length !== subtrahends.length) {
    throw new RangeError(`difference of ${minuends.length} rounds and ${subtrahends.length} rounds`);
  }
  return minuends.map((value, round) => value - (subtrahends[round] as number));
}

/** A distribution-free confidence interval for the median. */
export interface MedianInterval {
  readonly low: number;
  readonly high: number;
  /** The probability that the interval holds the true median (at least the asked-for level, unless too few samples). */
  readonly confidence: number;
}

/**
 * The confidence interval for the median from order statistics: the widest-trimmed `[x(k), x(n+1-k)]` of the
 * sorted samples whose coverage, `1 - 2·P(Binomial(n, 1/2) < k)`, is at least `level`. It assumes nothing about
 * the distribution. With 9 samples it is `[x(2), x(8)]` (96.1%); with fewer than 6 even `[min, max]` covers
 * less than 95%, and that is what is returned, with its real coverage.
 * @param level @default 0.95
 * @throws RangeError when `samples` is empty.
 */
export function medianInterval(samples: readonly number[], level = 0.95): MedianInterval {
  if (samples.length === 0) throw new RangeError("interval of no samples");
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  // Coverage of [x(k), x(n+1-k)] is 1 - 2·P(B <= k-1) for B ~ Binomial(n, 1/2); k = 1 is [min, max].
  let k = 1;
  let tail = 1 / 2 ** n; // P(B <= k-1)
  let coefficient = 1; // C(n, k-1)
  for (;;) {
    coefficient = (coefficient * (n - k + 1)) / k; // C(n, k)
    const wider = tail + coefficient / 2 ** n; // P(B <= k)
    if (k + 1 > (n + 1) / 2 || 1 - 2 * wider < level) break;
    tail = wider;
    k++;
  }
  return {
    low: sorted[k - 1] as number,
    high: sorted[n - k] as number,
    confidence: Math.max(0, 1 - 2 * tail),
  };
}
