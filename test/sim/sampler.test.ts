import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import type { Series } from '../../src/report/results.js';

const text = (extra = '') => `duration: 40ms
warmup: 5ms
report: { sample_interval: 2ms }
host: { cpus: 2 }
guests:
  - name: web
    smp: "2,maxcpus=4"
    workload: { kind: request, rate: 20k/s, service: 30us }
${extra}`;

/** Every series of a run, with its name. */
function all(s: Series): [string, unknown[]][] {
  return [
    ['t_ns', s.t_ns],
    ...s.pcpu.flatMap((p) => Object.entries(p.share).map(([k, v]) => [`cpu${p.cpu}.${k}`, v] as [string, unknown[]])),
    ...s.guests.flatMap((g) => [[`${g.name}.throughput`, g.throughput], [`${g.name}.steal`, g.steal_share], [`${g.name}.latency`, g.latency_mean_ns]] as [string, unknown[]][]),
    ...s.vcpu_psr.map((r) => [`psr ${r.guest}/${r.cpu}`, r.psr] as [string, unknown[]]),
  ];
}

describe('time-series sampling', () => {
  it('takes one sample per interval after warm-up, a value in every series for each', () => {
    const s = runScenario(parseScenario(text(), 's.yaml')).results.series!;
    expect(s.t_ns).toEqual(Array.from({ length: 20 }, (_, i) => 5e6 + (i + 1) * 2e6));
    for (const [name, v] of all(s)) expect(v.length, name).toBe(20);
    // Each window's pCPU state shares add up to the window.
    for (const p of s.pcpu) for (let j = 0; j < 20; j++) expect(Object.values(p.share).reduce((a, x) => a + x[j], 0)).toBeCloseTo(1, 3);
    expect(s.guests[0].throughput.some((x) => x > 0)).toBe(true);
  });

  it('a run stopped early keeps the samples it took, every series as long as the others', () => {
    const s = runScenario(parseScenario(text(), 's.yaml'), { maxEvents: 2000 }).results;
    expect(s.run.partial).toBe(true);
    const n = s.series!.t_ns.length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(20);
    for (const [name, v] of all(s.series!)) expect(v.length, name).toBe(n);
  });

  it('a vCPU hot-plugged during the run gets a row that is -1 (not there) before it existed', () => {
    const s = runScenario(parseScenario(text('timeline:\n  - { at: 20ms, guest: web, monitor: cpu-add 3 }\n'), 's.yaml')).results.series!;
    const row = s.vcpu_psr.find((r) => r.cpu === 2)!;
    expect(row.psr).toHaveLength(20);
    // Samples at 7, 9, ... 19 ms come before the cpu-add at 20 ms.
    expect(row.psr.slice(0, 7).every((x) => x === -1)).toBe(true);
    expect(row.psr.slice(7).some((x) => x >= 0)).toBe(true);
  });
});
