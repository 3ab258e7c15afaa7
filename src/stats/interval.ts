/**
 * Confidence intervals for figures of one simulation run.
 *
 * A run gives one long, autocorrelated series per figure (throughput in
 * each sampling window, say), not independent replicates. The method of
 * non-overlapping batch means (Law & Kelton, *Simulation Modeling and
 * Analysis*, 5th ed., §9.5.3) groups the n window values into k batches of
 * m consecutive windows; for m large enough the batch means are nearly
 * independent and normal, and
 *
 *   mean ± t(0.975, k−1) · s_b / √k,   s_b² = Σ (b_i − b̄)² / (k − 1)
 *
 * is an approximate 95 % interval of the steady-state mean. The batch size
 * starts at one window and doubles while the lag-1 autocorrelation of the
 * batch means is significant (|r₁| > z(0.975)/√k, the large-sample test of
 * zero correlation), as long as at least `MIN_BATCHES` batches remain. If
 * the correlation never becomes insignificant the interval is still given,
 * flagged `correlated` (it is then too narrow).
 *
 * Percentiles use the same idea on quantiles (batch quantiles, or
 * "sectioning": Law & Kelton §9.7): the percentile of each of k sections of
 * the window, with the t interval of their mean placed around the whole
 * window's percentile.
 *
 * Intervals respect the figure's range: a share stays within [0, 1], a rate
 * or a time does not go below 0.
 */

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

/** Fewest batches an interval is built from (Law & Kelton recommend 10 to 30). */
export const MIN_BATCHES = 10;
/** Sections a run's latency percentiles are computed in, for their intervals. */
export const SECTIONS = 10;
const Z975 = 1.959964;

/** A 95 % confidence interval: its bounds, and how it was made. */
export interface Ci95 {
  low: number;
  high: number;
  /** Batches (or sections) the interval comes from. */
  batches: number;
  /** The batch means were still correlated at the largest batch size tried: the interval is too narrow. */
  correlated?: true;
}

/** The range a figure lives in. */
export type Range = 'share' | 'nonnegative';

function clampTo(range: Range, x: number): number {
  const lo = Math.max(0, x);
  return range === 'share' ? Math.min(1, lo) : lo;
}

function meanOf(xs: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i];
  return s / (to - from);
}

/** Lag-1 autocorrelation of xs (0 when they do not vary). */
export function lag1(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 3) return 0;
  const m = meanOf(xs, 0, n);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i] - m;
    den += d * d;
    if (i + 1 < n) num += d * (xs[i + 1] - m);
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Means of k consecutive batches of m values (the n − k·m values left at the
 * end are dropped). With `den`, each batch's value is a ratio of sums,
 * Σ xs / Σ den over the batch (a batch with Σ den = 0 counts as 0).
 */
export function batchMeans(xs: ArrayLike<number>, m: number, den?: ArrayLike<number>): number[] {
  const k = Math.floor(xs.length / m);
  const out = new Array<number>(k);
  for (let b = 0; b < k; b++) {
    if (!den) out[b] = meanOf(xs, b * m, (b + 1) * m);
    else {
      let num = 0;
      let d = 0;
      for (let i = b * m; i < (b + 1) * m; i++) (num += xs[i]), (d += den[i]);
      out[b] = d > 0 ? num / d : 0;
    }
  }
  return out;
}

/** Half-width of the t interval of the mean of independent values xs. */
function halfWidth(xs: readonly number[]): number {
  const k = xs.length;
  const m = meanOf(xs, 0, k);
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return (tCritical95(k - 1) * Math.sqrt(ss / (k - 1))) / Math.sqrt(k);
}

/**
 * The batch-means interval around `value` (the figure over the whole window)
 * from its per-window series (or, with `den`, the ratio of two per-window
 * series), or null when the series is too short for `MIN_BATCHES` batches.
 */
export function batchMeansCi(value: number, series: ArrayLike<number>, range: Range, den?: ArrayLike<number>): Ci95 | null {
  if (series.length < MIN_BATCHES) return null;
  let m = 1;
  let means = batchMeans(series, m, den);
  let correlated = Math.abs(lag1(means)) > Z975 / Math.sqrt(means.length);
  while (correlated && Math.floor(series.length / (2 * m)) >= MIN_BATCHES) {
    m *= 2;
    means = batchMeans(series, m, den);
    correlated = Math.abs(lag1(means)) > Z975 / Math.sqrt(means.length);
  }
  return around(value, halfWidth(means), means.length, range, correlated);
}

/** The sectioning interval around `value` (a percentile of the whole window) from the same percentile in each section. */
export function sectionCi(value: number, sections: readonly number[], range: Range): Ci95 | null {
  const xs = sections.filter((x) => Number.isFinite(x));
  if (xs.length < 3) return null;
  return around(value, halfWidth(xs), xs.length, range, false);
}

function around(value: number, h: number, batches: number, range: Range, correlated: boolean): Ci95 {
  const ci: Ci95 = { low: clampTo(range, value - h), high: clampTo(range, value + h), batches };
  if (correlated) ci.correlated = true;
  return ci;
}

/** Half the interval's width relative to the value (0.008 for ±0.8 %), or null when it has none. */
export function relativeHalfWidth(value: number, ci: Ci95 | null | undefined): number | null {
  if (!ci) return null;
  const h = (ci.high - ci.low) / 2;
  if (value === 0) return h === 0 ? 0 : Infinity;
  return h / Math.abs(value);
}
