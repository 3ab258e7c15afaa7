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

/** t(0.975, df) for df = 1..30 (standard tables, e.g. NIST/SEMATECH e-Handbook §1.3.6.7.2). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/** Two-sided 95% critical value of Student's t with `df` degrees of freedom. */
export function tCritical95(df: number): number {
  if (df < 1) return NaN;
  if (df <= T975.length) return T975[df - 1];
  // Cornish–Fisher expansion of t around the normal quantile; within 1e-4 of the tables for df > 30.
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/**
 * Mean and 95% CI of the values that are finite numbers. The sum runs in
 * the order given, so the same values in the same order give the same bits
 * whichever worker produced them.
 */
export function summarise(values: readonly (number | null)[]): Summary {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: null, ci_low: null, ci_high: null, n: 0 };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  if (n < 2) return { mean, ci_low: null, ci_high: null, n };
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  const half = (tCritical95(n - 1) * Math.sqrt(ss / (n - 1))) / Math.sqrt(n);
  return { mean, ci_low: mean - half, ci_high: mean + half, n };
}
