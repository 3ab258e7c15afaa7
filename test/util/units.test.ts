import { describe, expect, it } from 'vitest';
import { formatCpuList, parseCpuList, parseCycles, parseDuration, parseFrequency, parseRate, parseSize, UnitError } from '../../src/util/units.js';

describe('units', () => {
  it('reads durations into ns, with or without spaces and underscores', () => {
    expect(parseDuration('10s')).toBe(10e9);
    expect(parseDuration('750us')).toBe(750_000);
    expect(parseDuration('1.5 ms')).toBe(1_500_000);
    expect(parseDuration('2_000ns')).toBe(2000);
    expect(parseDuration(0)).toBe(0);
  });

  it('refuses a negative time, a bare number and an unknown unit, with a hint', () => {
    expect(() => parseDuration('-1s')).toThrow(UnitError);
    expect(() => parseDuration(5)).toThrow(/needs a unit/);
    try {
      parseDuration('3 fortnights');
      expect.unreachable();
    } catch (e) {
      expect((e as UnitError).message).toMatch(/unknown duration unit "fortnights"/);
      expect((e as UnitError).hint).toMatch(/^use one of ns, us/);
    }
  });

  it('reads frequencies, rates, sizes (binary) and cycle counts', () => {
    expect(parseFrequency('3GHz')).toBe(3e9);
    expect(parseFrequency('2200MHz')).toBe(2.2e9);
    expect(parseRate('500/s')).toBe(500);
    expect(parseRate(250)).toBe(250);
    expect(parseSize('8G')).toBe(8 * 1024 ** 3);
    expect(parseSize('512K')).toBe(512 * 1024);
    expect(parseSize(64)).toBe(64);
    expect(parseCycles('4k')).toBe(4000);
    expect(parseCycles(1550)).toBe(1550);
  });

  it('reads CPU lists as taskset does and prints them back compactly', () => {
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList([5, '1-2', 2])).toEqual([1, 2, 5]);
    expect(parseCpuList(4)).toEqual([4]);
    expect(() => parseCpuList('3-1')).toThrow(/runs backwards/);
    expect(() => parseCpuList('')).toThrow(UnitError);
    expect(formatCpuList([6, 0, 1, 2, 3])).toBe('0-3,6');
    expect(formatCpuList([])).toBe('');
  });
});
