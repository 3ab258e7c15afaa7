import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import { spinlock } from '../../src/workloads/spinlock.js';
import { KVM_HC_KICK_CPU } from '../../src/cpu/kvm-abi.js';

function run(workload: string, opts: { cpus?: number; smp?: number } = {}) {
  const text = `duration: 300ms
warmup: 50ms
host: { cpus: ${opts.cpus ?? 4}, freq: 3GHz }
guests:
  - name: g
    smp: ${opts.smp ?? 2}
    workload: ${workload}
`;
  return runScenario(parseScenario(text, 'w.yaml'), { check: true }).results.guests[0];
}

const defaults = (over: Record<string, unknown>) => ({ ...Object.fromEntries(Object.entries(spinlock.params).map(([k, f]) => [k, (f as { default?: unknown }).default])), ...over });

describe('spinlock workload', () => {
  it('tas and ticket locks both serialise the critical section', () => {
    for (const lock of ['tas', 'ticket']) {
      const g = run(`{ kind: spinlock, lock: ${lock}, critical: 10us, noncritical: 10us }`, { smp: 4, cpus: 4 });
      // The lock allows at most one critical section at a time: <= 1 / 10 us.
      expect(g.throughput.per_second, lock).toBeLessThan(1 / 10e-6);
      expect(g.throughput.per_second, lock).toBeGreaterThan(0.7 / 10e-6);
    }
  });

  it('only the paravirtual lock kicks waiters, with the KVM_HC_KICK_CPU hypercall', () => {
    const src = (lock: string) => spinlock.build(defaults({ lock }), { maxcpus: 4, freqHz: 3e9 }).source;
    expect(src('pv')).toContain(`vmcall ${KVM_HC_KICK_CPU}`);
    for (const lock of ['ticket', 'tas', 'queued']) expect(src(lock), lock).not.toContain('vmcall');
  });

  it('pv waiters halt and are kicked when vCPUs outnumber pCPUs', () => {
    const g = run('{ kind: spinlock, lock: pv, critical: 2us, noncritical: 20us }', { smp: 4, cpus: 2 });
    expect(g.exits.VMCALL).toBeGreaterThan(0);
    expect(g.exits.HLT).toBeGreaterThan(0);
    expect(g.throughput.total).toBeGreaterThan(0);
  });
});
