import { describe, expect, it } from 'vitest';
import { describeOutcome, evaluate, ExprError, parseCheck, resolveMetric } from '../../src/sweep/expect.js';
import type { Summary } from '../../src/sweep/stats.js';

const S = (mean: number | null, half = 0, n = 3): Summary => ({ mean, ci_low: mean === null ? null : mean - half, ci_high: mean === null ? null : mean + half, n });
const point = (m: Record<string, Summary>) => ({ summary: m });
const one = point({ 'guests.db.throughput': S(100_000, 5000), 'guests.db.p99_latency': S(3_000_000, 100_000), 'guests.db.steal': S(0.25), 'host.busy': S(0.9) });
const base = point({ 'guests.db.throughput': S(120_000), 'guests.db.p99_latency': S(1_000_000), 'guests.db.steal': S(0), 'host.busy': S(0.5) });

const run = (src: string, at = one, b: typeof base | null = base) => evaluate(parseCheck(src), at, b);

describe('expect: checks', () => {
  it('units: time, percent, k/M, rates', () => {
    expect(run('p99_latency < 5ms').status).toBe('pass');
    expect(run('p99_latency < 3000us').status).toBe('fail');
    expect(run('p99_latency <= 3000us').status).toBe('pass');
    expect(run('steal < 30%').status).toBe('pass');
    expect(run('steal < 0.2').status).toBe('fail');
    expect(run('throughput >= 100k').status).toBe('pass');
    expect(run('throughput > 100k/s').status).toBe('fail');
  });
  it('full metric paths and the one-guest shorthand', () => {
    expect(run('guests.db.throughput == 100000').status).toBe('pass');
    expect(resolveMetric('p99_latency', new Set(Object.keys(one.summary)))).toBe('guests.db.p99_latency');
    const two = new Set(['guests.a.throughput', 'guests.b.throughput', 'guests.a.p99_latency']);
    expect(resolveMetric('p99_latency', two)).toBeNull();
  });
  it('baseline is the same metric at the baseline point', () => {
    expect(run('throughput >= 0.8 * baseline').status).toBe('pass');
    expect(run('throughput >= 0.9 * baseline').status).toBe('fail');
    expect(run('p99_latency < 2 * baseline').status).toBe('fail');
    expect(run('p99_latency < 2 * baseline.host.busy * 1ms').status).toBe('fail');
    const o = run('throughput >= 0.9 * baseline');
    expect(o.value).toBe(100_000);
    expect(o.limit).toBeCloseTo(108_000);
    expect(describeOutcome(o)).toBe('expected >= 108.0k, got 100.0k ±5000');
    expect(run('steal < 50% and host.busy > 0.5').got).toBe('(expected < 50.0%, got 25.0%) and (expected > 50.0%, got 90.0%)');
  });
  it('statistics of a metric, arithmetic, functions and logic', () => {
    expect(run('throughput.ci_low > 96k').status).toBe('fail');
    expect(run('throughput.ci_high > 104k').status).toBe('pass');
    expect(run('throughput.n >= 3').status).toBe('pass');
    expect(run('(throughput - baseline) / baseline > -20%').status).toBe('pass');
    expect(run('abs(throughput - baseline) < 10k or steal < 1%').status).toBe('fail');
    expect(run('steal < 50% and host.busy > 0.5 && not (p99_latency > 10ms)').status).toBe('pass');
    expect(run('max(steal, host.busy) < 95%').status).toBe('pass');
  });
  it('a metric without a value fails the check, saying which', () => {
    const o = run('p99_latency < 5ms', point({ 'guests.db.throughput': S(1), 'guests.db.p99_latency': S(null, 0, 0) }));
    expect(o.status).toBe('fail');
    expect(o.message).toMatch(/no value for p99_latency/);
    expect(run('throughput > baseline', one, null).message).toMatch(/no value for baseline/);
  });
  it('rejects bad checks with the offset of the problem', () => {
    const bad = (src: string, msg: RegExp, at?: number) => {
      try {
        parseCheck(src);
      } catch (e) {
        expect(e).toBeInstanceOf(ExprError);
        expect((e as Error).message).toMatch(msg);
        if (at !== undefined) expect((e as ExprError).offset).toBe(at);
        return;
      }
      throw new Error(`accepted: ${src}`);
    };
    bad('p99_latency < 5 parsecs', /unexpected/, 16);
    bad('p99_latency < 5xs', /unknown unit "xs"/, 15);
    bad('p99_latency', /must compare/);
    bad('p99_latency < 5ms <', /unexpected/);
    bad('p99_latency = 5ms', /lone "="/, 12);
    bad('p99_latency < 50%', /compares a time with a fraction/);
    bad('throughput + p99_latency > 1', /mixes a rate and a time/);
  });
  it('accepts guest names with dashes', () => {
    const c = parseCheck('guests.web-1.throughput > 0');
    expect(c.refs.map((r) => r.name)).toEqual(['guests.web-1.throughput']);
    expect(parseCheck('throughput > 2 * baseline').usesBaseline).toBe(true);
  });
});

describe('expect: checks that mean something', () => {
  it('"with 95% confidence" needs the whole interval on the right side', () => {
    // throughput 100k ± 5k: above 94k for sure, above 97k only on average.
    expect(run('throughput > 94k with 95% confidence').status).toBe('pass');
    expect(run('throughput > 97k').status).toBe('pass');
    expect(run('throughput > 97k with 95% confidence').status).toBe('fail');
    expect(run('p99_latency < 3.2ms with 95% confidence').status).toBe('pass');
    expect(run('p99_latency < 3.05ms with 95% confidence').status).toBe('fail');
    // Against a metric with an interval of its own: both intervals count.
    const wide = point({ 'guests.db.throughput': S(100_000, 5000) });
    const near = point({ 'guests.db.throughput': S(97_000, 2000) });
    expect(run('throughput > 0.9 * baseline with 95% confidence', wide, near).status).toBe('pass');
    expect(run('throughput > baseline with 95% confidence', wide, near).status).toBe('fail');
    expect(run('throughput > baseline', wide, near).status).toBe('pass');
  });

  it('only 95 % and only ordered comparisons take "with confidence"', () => {
    expect(() => parseCheck('throughput > 5k with 90% confidence')).toThrow(/only 95% intervals/);
    expect(() => parseCheck('throughput == 5k with 95% confidence')).toThrow(/needs <, <=, > or >=/);
  });

  it('a check on fewer than 3 replicates cannot be decided, and says why', () => {
    const two = point({ 'guests.db.throughput': S(100_000, 5000, 2) });
    const o = run('throughput > 50k', two, null);
    expect(o.status).toBe('undecided');
    expect(o.message).toMatch(/cannot be decided from 2 replicates \(at least 3/);
    expect(run('throughput > 50k', point({ 'guests.db.throughput': S(100_000, 5000, 3) }), null).status).toBe('pass');
  });

  it('a failing row says what was expected and what came, with its interval', () => {
    const o = run('throughput > 110k');
    expect(o.status).toBe('fail');
    expect(describeOutcome(o)).toBe('expected > 110.0k, got 100.0k ±5000');
  });
});
