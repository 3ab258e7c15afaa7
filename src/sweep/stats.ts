import { tCritical95, type Range } from '../stats/interval.js';

/**
 * A figure rounded to 12 significant digits: far finer than any run can
 * measure, and coarse enough that binary rounding of a sum or a quotient
 * (0.23550000000000001) does not reach the results.
 */
export const clean = (x: number): number => (Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(12)) : x);


export { tCritical95 };

/**
 * Summaries over a point's replicates: the mean and a 95% confidence
 * interval of the mean, mean ± t(0.975, n-1) · s / √n, with s the sample
 * standard deviation. Student's t, not the normal 1.96, because sweeps run
 * few replicates: with n = 3 the interval is 2.2 times wider than 1.96
 * would make it.
 */

export interface Summary {
  mean: number | null;
  /** Bounds of the 95% confidence interval of the mean; null with fewer than two values. */
  ci_low: number | null;
  ci_high: number | null;
  /** Replicates that reported the metric. */
  n: number;
}

/**
 * Mean and 95% CI of the values that are finite numbers. The sum runs in
 * the order given, so the same values in the same order give the same bits
 * whichever worker produced them.
 */
export function summarise(values: readonly (number | null)[], range?: Range): Summary {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: null, ci_low: null, ci_high: null, n: 0 };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = clean(sum / n);
  if (n < 2) return { mean, ci_low: null, ci_high: null, n };
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  const half = (tCritical95(n - 1) * Math.sqrt(ss / (n - 1))) / Math.sqrt(n);
  // A share stays in [0, 1] and a rate or a time at or above 0, as a run's own intervals do.
  const clamp = (x: number) => (range === undefined ? x : range === 'share' ? Math.min(1, Math.max(0, x)) : Math.max(0, x));
  return { mean, ci_low: clean(clamp(mean - half)), ci_high: clean(clamp(mean + half)), n };
}
