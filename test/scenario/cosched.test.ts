import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import { stableJson } from '../../src/util/files.js';
import { run } from '../helpers.js';

const SHORT = (extra: string[]) => ({ duration: '300ms', sets: ['warmup=100ms', 'host.kvm.ple=false', ...extra] });

describe('co-scheduling of a guest\'s vCPUs (VMware relaxed and strict)', () => {
  const cfs = run('overcommit-16on4.yaml', SHORT([])).guests[0];
  const relaxed = run('overcommit-16on4.yaml', SHORT(['host.scheduler.kind=cosched-relaxed'])).guests[0];
  const strict = run('overcommit-16on4.yaml', SHORT(['host.scheduler.kind=cosched-strict'])).guests[0];

  it('recovers part of what lock-holder preemption costs the spinlock guest, strict more than relaxed', () => {
    expect(relaxed.throughput.per_second).toBeGreaterThan(2 * cfs.throughput.per_second);
    expect(strict.throughput.per_second).toBeGreaterThan(relaxed.throughput.per_second);
  });

  it('reports the time vCPUs spend co-stopped, as part of steal', () => {
    const costop = (g: typeof cfs) => g.vcpu.reduce((a, v) => a + v.costop_ns, 0);
    expect(costop(cfs)).toBe(0);
    expect(costop(relaxed)).toBeGreaterThan(0);
    expect(costop(strict)).toBeGreaterThan(0);
    for (const v of strict.vcpu) expect(v.costop_ns).toBeLessThanOrEqual(v.time_ns.steal + 1);
  });

  it('leaves 1-vCPU guests alone: results identical to plain CFS', () => {
    const a = run('many-guests-16on4.yaml', { duration: '200ms', sets: ['warmup=50ms'] });
    const b = run('many-guests-16on4.yaml', { duration: '200ms', sets: ['warmup=50ms', 'host.scheduler.kind=cosched-strict'] });
    expect(stableJson(b.guests)).toBe(stableJson(a.guests));
  });

  it('costs an SMP guest sharing the host with small guests (co-stopped while its siblings wait)', () => {
    const text = (kind: string) => `duration: 300ms
warmup: 100ms
host: { cpus: 4, kvm: { ple: false }, scheduler: { kind: ${kind} } }
guests:
  - { name: web, count: 8, smp: 1, workload: { kind: request, rate: 1000/s, service: 100us } }
  - { name: db, smp: 4, workload: { kind: spinlock, critical: 2us, noncritical: 20us } }
`;
    const db = (kind: string) => runScenario(parseScenario(text(kind), 'mix.yaml'), { check: true }).results.guests.find((g) => g.name === 'db')!;
    expect(db('cosched-strict').throughput.per_second).toBeLessThan(0.8 * db('cfs').throughput.per_second);
  });
});
