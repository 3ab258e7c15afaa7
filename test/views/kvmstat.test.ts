import { describe, expect, it } from 'vitest';
import { mergeExitStat, perfKvmStatReport, relStddev, type KvmExitStat } from '../../src/views/kvmstat.js';

/** An event's figures from its samples, computed here the plain way (two passes). */
function stat(name: string, samplesNs: number[]): KvmExitStat {
  const n = samplesNs.length;
  const sum = samplesNs.reduce((a, b) => a + b, 0);
  const mean = sum / n;
  return { name, count: n, timeNs: sum, minNs: Math.min(...samplesNs), maxNs: Math.max(...samplesNs), meanNs: mean, m2: samplesNs.reduce((a, x) => a + (x - mean) ** 2, 0) };
}

describe('perf kvm stat report', () => {
  const hlt = stat('HLT', [100_000, 300_000, 200_000]);
  const io = stat('IO_INSTRUCTION', [4_000, 4_000, 5_000, 3_000, 4_000]);
  const ext = stat('EXTERNAL_INTERRUPT', [1_000]);
  const text = perfKvmStatReport({ events: [hlt, ext, io] });
  const lines = text.split('\n');

  it('opens with two blank lines and the analysis target, then a blank line', () => {
    expect(lines.slice(0, 4)).toEqual(['', '', 'Analyze events for all VMs, all VCPUs:', '']);
  });

  it('prints the header as print_result does: %40s %10s %9s %9s %11s %11s %16s, a trailing space, a blank line', () => {
    expect(lines[4]).toBe(`${'VM-EXIT'.padStart(40)} ${'Samples'.padStart(10)} ${'Samples%'.padStart(9)} ${'Time%'.padStart(9)} ${'Min Time'.padStart(11)} ${'Max Time'.padStart(11)} ${'Avg time'.padStart(16)} `);
    expect(lines[5]).toBe('');
  });

  it('sorts rows by sample count, most first', () => {
    expect(lines.slice(6, 9).map((l) => l.trim().split(/\s+/)[0])).toEqual(['IO_INSTRUCTION', 'HLT', 'EXTERNAL_INTERRUPT']);
  });

  it('prints each field of a row in its format', () => {
    // 5 of 9 samples; 20,000 of 621,000 ns; min 3us, max 5us, mean 4us;
    // stddev of the samples sqrt(2e6/4) = 707.1 ns, of the mean /sqrt(5) = 316.2 ns = 7.91% of 4us.
    expect(lines[6]).toBe(`${'IO_INSTRUCTION'.padStart(40)} ${'5'.padStart(10)}    55.56%     3.22%      3.00us      5.00us      4.00us ( +-   7.91% )`);
    expect(lines[7]).toBe(`${'HLT'.padStart(40)} ${'3'.padStart(10)}    33.33%    96.62%    100.00us    300.00us    200.00us ( +-  28.87% )`);
    // One sample: no spread (stddev_stats returns 0 below two samples).
    expect(lines[8]).toBe(`${'EXTERNAL_INTERRUPT'.padStart(40)} ${'1'.padStart(10)}    11.11%     0.16%      1.00us      1.00us      1.00us ( +-   0.00% )`);
  });

  it('closes with the totals, in us with two decimals', () => {
    expect(lines.slice(9)).toEqual(['', 'Total Samples:9, Total events handled time:621.00us.', '', '']);
  });

  it('names the QEMU process for -p, takes the old 20-wide name column, and sorts by mean time with --key time', () => {
    const t = perfKvmStatReport({ events: [hlt, io], pid: 4242 }, { nameWidth: 20, sortKey: 'time' }).split('\n');
    expect(t[2]).toBe('Analyze events for pid(s) 4242, all VCPUs:');
    expect(t[4].startsWith(`${'VM-EXIT'.padStart(20)} `)).toBe(true);
    expect(t[6].startsWith(`${'HLT'.padStart(20)} `)).toBe(true);
  });

  it('names one vCPU for --vcpu', () => {
    expect(perfKvmStatReport({ events: [io], pid: 7, vcpu: 3 }).split('\n')[2]).toBe('Analyze events for pid(s) 7, VCPU 3:');
    expect(perfKvmStatReport({ events: [io], vcpu: 0 }).split('\n')[2]).toBe('Analyze events for all VMs, VCPU 0:');
  });

  it('leaves out reasons with no samples', () => {
    const empty: KvmExitStat = { name: 'CPUID', count: 0, timeNs: 0, minNs: 0, maxNs: 0, meanNs: 0, m2: 0 };
    expect(perfKvmStatReport({ events: [empty, ext] })).not.toContain('CPUID');
  });

  it("merging two vCPUs' figures equals the figures of all their samples", () => {
    const a = [5_000, 7_000, 1_000];
    const b = [2_000, 9_000];
    const m = mergeExitStat(stat('HLT', a), stat('HLT', b));
    const all = stat('HLT', [...a, ...b]);
    expect(m.count).toBe(all.count);
    expect(m.timeNs).toBe(all.timeNs);
    expect(m.minNs).toBe(1_000);
    expect(m.maxNs).toBe(9_000);
    expect(m.meanNs).toBeCloseTo(all.meanNs, 9);
    expect(m.m2).toBeCloseTo(all.m2, 6);
    expect(relStddev(m)).toBeCloseTo(relStddev(all), 9);
  });
});
