import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { batchMeans, batchMeansCi, lag1, sectionCi, tCritical95 } from '../../src/stats/interval.js';
import { mser5 } from '../../src/stats/mser.js';

/** A standard normal draw (Box–Muller) from a seeded stream. */
function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** AR(1) around `mean`: x_t = mean + phi (x_{t-1} − mean) + e_t, started in steady state. */
function ar1(rng: () => number, n: number, phi: number, mean = 100): number[] {
  const out: number[] = [];
  let x = normal(rng) / Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) {
    x = phi * x + normal(rng);
    out.push(mean + x);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('batch means', () => {
  it('t(0.975) matches the tables', () => {
    expect(tCritical95(9)).toBe(2.262);
    expect(tCritical95(29)).toBe(2.045);
    expect(tCritical95(60)).toBeCloseTo(2.0003, 3);
    expect(tCritical95(120)).toBeCloseTo(1.9799, 3);
  });

  it('lag-1 autocorrelation of an AR(1) series is near phi', () => {
    const rng = seedrandom('lag1');
    expect(lag1(ar1(rng, 20000, 0.8))).toBeCloseTo(0.8, 1);
    expect(Math.abs(lag1(ar1(rng, 20000, 0)))).toBeLessThan(0.03);
  });

  it('ratio batches divide sums, not means', () => {
    expect(batchMeans([1, 3, 0, 0], 2, [2, 2, 0, 4])).toEqual([1, 0]);
    expect(batchMeans([1, 2, 3, 4, 5], 2)).toEqual([1.5, 3.5]);
  });

  // The property that matters: the interval covers the true mean about 95 %
  // of the time, also for strongly correlated series (where a naive interval
  // over the raw windows covers far less).
  for (const phi of [0, 0.5, 0.9]) {
    it(`covers the mean of AR(1), phi=${phi}, in about 95 % of runs`, () => {
      const rng = seedrandom(`cover-${phi}`);
      let covered = 0;
      let naive = 0;
      const runs = 300;
      for (let k = 0; k < runs; k++) {
        const xs = ar1(rng, 1000, phi);
        const ci = batchMeansCi(mean(xs), xs, 'nonnegative')!;
        if (ci.low <= 100 && 100 <= ci.high) covered++;
        const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
        if (Math.abs(mean(xs) - 100) <= (1.96 * sd) / Math.sqrt(xs.length)) naive++;
      }
      expect(covered / runs).toBeGreaterThan(phi === 0.9 ? 0.88 : 0.91);
      expect(covered / runs).toBeLessThan(0.99);
      if (phi === 0.9) expect(naive / runs).toBeLessThan(0.6);
    });
  }

  it('keeps a share in [0, 1] and a rate at or above 0', () => {
    const xs = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0];
    const share = batchMeansCi(mean(xs), xs, 'share')!;
    expect(share.low).toBe(0);
    expect(share.high).toBeLessThanOrEqual(1);
    const ys = [1, 1, 1, 1, 1, 1, 1, 1, 0.9, 1, 1, 1];
    expect(batchMeansCi(mean(ys), ys, 'share')!.high).toBe(1);
  });

  it('says nothing for fewer than 10 windows or 3 sections', () => {
    expect(batchMeansCi(1, [1, 2, 3, 4, 5, 6, 7, 8, 9], 'nonnegative')).toBeNull();
    expect(sectionCi(1, [1, 2], 'nonnegative')).toBeNull();
    expect(sectionCi(2, [1, 2, 3], 'nonnegative')!.low).toBeLessThan(2);
  });
});

describe('MSER-5', () => {
  it('cuts an initial transient and nothing from a stationary series', () => {
    const rng = seedrandom('mser');
    const steady = ar1(rng, 1000, 0.3);
    expect(mser5(steady).windows).toBeLessThan(50);
    // A start 30 standard deviations low, decaying over ~100 windows.
    const transient = steady.map((x, i) => x - 30 * Math.exp(-i / 30));
    const cut = mser5(transient);
    expect(cut.windows).toBeGreaterThanOrEqual(60);
    expect(cut.windows).toBeLessThan(300);
    expect(cut.atLimit).toBe(false);
  });

  it('says when the minimum is at the limit (the run is too short)', () => {
    const rising = Array.from({ length: 200 }, (_, i) => i);
    expect(mser5(rising).atLimit).toBe(true);
  });
});
