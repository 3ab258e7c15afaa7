import { describe, expect, it } from 'vitest';
import { cyclesToNs, formatNs, nsToCycles, nsToCyclesNearest, nsToSeconds, periodNs } from '../../src/engine/time.js';

describe('time units', () => {
  it('converts cycles and ns at a frequency without overshooting', () => {
    expect(cyclesToNs(3000, 3e9)).toBe(1000);
    expect(nsToCycles(1000, 3e9)).toBe(3000);
    expect(nsToCycles(1, 2.2e9)).toBe(2);
  });

  it('turns a duration parameter into whole cycles, to the nearest', () => {
    expect(nsToCyclesNearest(1, 2.2e9)).toBe(2);
    expect(nsToCyclesNearest(1, 2.6e9)).toBe(3);
    expect(nsToCycles(1, 2.6e9)).toBe(2);
  });

  it('gives tick periods and seconds in the same units the model counts', () => {
    expect(periodNs(1000)).toBe(1_000_000);
    expect(periodNs(300)).toBe(3_333_333);
    expect(nsToSeconds(1_500_000_000)).toBe(1.5);
    expect(formatNs(1_500_000)).toBe('1.50ms');
  });
});
