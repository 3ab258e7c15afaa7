import { batchMeans } from './interval.js';

/**
 * MSER-5 (White, "An effective truncation heuristic for bias reduction in
 * simulation output", Simulation 69(6), 1997; White, Cobb & Spratt, WSC
 * 2000): average the series in batches of 5, Z_1..Z_b, and truncate the d
 * batches that minimise
 *
 *   MSER(d) = Σ_{j>d} (Z_j − Z̄_d)² / (b − d)²,
 *
 * the squared standard error of the mean of what is left. Only d ≤ b/2 is
 * considered: a minimum in the second half means the run is too short to
 * tell its transient from its steady state.
 */
export interface Truncation {
  /** Windows to drop from the start of the series. */
  windows: number;
  /** The minimum fell in the second half of the series' range (d = b/2): the run may be too short. */
  atLimit: boolean;
}

export function mser5(series: ArrayLike<number>): Truncation {
  const z = batchMeans(series, 5);
  const b = z.length;
  if (b < 2) return { windows: 0, atLimit: false };
  // Suffix sums give every MSER(d) in one pass from the end.
  const sum = new Float64Array(b + 1);
  const sq = new Float64Array(b + 1);
  for (let j = b - 1; j >= 0; j--) {
    sum[j] = sum[j + 1] + z[j];
    sq[j] = sq[j + 1] + z[j] * z[j];
  }
  const limit = Math.floor(b / 2);
  let best = 0;
  let bestVal = Infinity;
  for (let d = 0; d <= limit; d++) {
    const n = b - d;
    // Σ (Z − Z̄)² = Σ Z² − (Σ Z)² / n
    const ss = Math.max(0, sq[d] - (sum[d] * sum[d]) / n);
    const v = ss / (n * n);
    if (v < bestVal) {
      bestVal = v;
      best = d;
    }
  }
  return { windows: best * 5, atLimit: best === limit && limit > 0 };
}
