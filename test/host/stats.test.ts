import { describe, expect, it } from 'vitest';
import { LogHistogram } from '../../src/host/stats.js';

describe('LogHistogram', () => {
  // The bucket of v by its definition: exact below 128, then 64 sub-buckets
  // per power of two.
  const byDefinition = (v: number) => {
    if (v < 128) return Math.floor(v);
    const e = Math.floor(Math.log2(v));
    return 128 + (e - 7) * 64 + (Math.floor(v / 2 ** (e - 6)) - 64);
  };

  it('puts each value in its bucket, on both sides of every power of two and sub-bucket edge', () => {
    for (let e = 7; e < 40; e++) {
      for (const d of [-65, -64, -63, -1, -0.5, 0, 0.5, 1, 63, 64, 65]) {
        const v = 2 ** e + d * 2 ** Math.max(0, e - 6);
        if (v < 128) continue;
        expect(LogHistogram.index(v), `v=${v}`).toBe(byDefinition(v));
      }
    }
  });

  it('percentiles are within 1/128 of the true value', () => {
    const h = new LogHistogram();
    const xs = Array.from({ length: 5000 }, (_, i) => 100 + i * i * 37);
    for (const x of xs) h.add(x);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = xs[Math.ceil(q * xs.length) - 1];
      expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThan(1 / 128);
    }
  });
});
