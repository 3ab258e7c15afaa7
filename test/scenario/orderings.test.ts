import { describe, expect, it } from 'vitest';
import { run } from '../helpers.js';

// Seed §3, asserted from real runs. The margins are wide enough for seed
// noise and narrow enough that a model without lock-holder preemption
// (or with over-commit written in as a formula) would miss them.
const SHORT = { duration: '1500ms', sets: ['warmup=200ms'] };

describe('seed §3: one guest with more vCPUs than pCPUs', () => {
  const tp = (smp: number) => run('overcommit-16on4.yaml', { ...SHORT, sets: [...SHORT.sets, `guests.db.smp=${smp}`] }).guests[0];
  const g16 = tp(16);
  const g4 = tp(4);
  const g2 = tp(2);

  it('gets clearly less done with 16 vCPUs than with 2 or 4', () => {
    expect(g16.throughput.per_second).toBeLessThan(0.8 * g2.throughput.per_second);
    expect(g16.throughput.per_second).toBeLessThan(0.5 * g4.throughput.per_second);
  });

  it('loses it to spinning on preempted lock holders, visible as steal and PLE exits', () => {
    const spin16 = g16.vcpu.reduce((a, v) => a + v.spin_ns, 0);
    const spin4 = g4.vcpu.reduce((a, v) => a + v.spin_ns, 0);
    expect(spin16).toBeGreaterThan(5 * spin4);
    expect(g16.steal_fraction).toBeGreaterThan(0.6);
    expect(g4.steal_fraction).toBeLessThan(0.05);
    expect(g16.exits.PAUSE_INSTRUCTION).toBeGreaterThan(10 * g4.exits.PAUSE_INSTRUCTION);
    expect(g16.latency.lock_wait.percentiles_ns.p50).toBeGreaterThan(20 * g4.latency.lock_wait.percentiles_ns.p50);
  });

  it('with 4 vCPUs on 4 pCPUs comes close to the ideal lock rate', () => {
    // 4 threads, each 2us critical + 20us mean non-critical per operation.
    const ideal = 4 / 22e-6;
    expect(g4.throughput.per_second).toBeGreaterThan(0.9 * ideal);
    expect(g4.throughput.per_second).toBeLessThan(1.05 * ideal);
  });

  it('collapses without pause-loop exiting (ticket-lock waiter preemption)', () => {
    const noPle = run('overcommit-16on4.yaml', { ...SHORT, sets: [...SHORT.sets, 'host.kvm.ple=false'] }).guests[0];
    expect(noPle.throughput.per_second).toBeLessThan(0.2 * g16.throughput.per_second);
    expect(noPle.exits.PAUSE_INSTRUCTION).toBe(0);
  });
});

describe('seed §3: many 1-vCPU guests on few pCPUs at moderate load', () => {
  const over = run('many-guests-16on4.yaml', SHORT);
  const base = run('many-guests-16on16.yaml', SHORT);
  const sum = (r: typeof over) => r.guests.reduce((a, g) => a + g.throughput.per_second, 0);
  const p = (r: typeof over, k: string) => r.guests.map((g) => g.latency.request.percentiles_ns[k]).sort((a, b) => a - b)[8];

  it('serve every request, as they would without over-commit', () => {
    expect(sum(over)).toBeGreaterThan(0.97 * sum(base));
    for (const g of over.guests) expect(g.counters.dropped ?? 0).toBe(0);
  });

  it('lose little latency', () => {
    expect(p(over, 'p50')).toBeLessThan(1.5 * p(base, 'p50'));
    expect(p(over, 'p99')).toBeLessThan(2 * p(base, 'p99'));
  });

  it('do see the host being shared: more steal than with a pCPU each', () => {
    const steal = (r: typeof over) => r.guests.reduce((a, g) => a + g.steal_fraction, 0);
    expect(steal(over)).toBeGreaterThan(1.5 * steal(base));
  });
});

describe('seed §3: a 4-vCPU guest on 4 pCPUs below full load', () => {
  it('loses little against the same guest on a host twice as big', () => {
    const four = run('requests-4on4.yaml', SHORT).guests[0];
    const eight = run('requests-4on4.yaml', { ...SHORT, sets: [...SHORT.sets, 'host.cpus=8'] }).guests[0];
    expect(four.throughput.per_second).toBeGreaterThan(0.97 * eight.throughput.per_second);
    expect(four.latency.request.percentiles_ns.p50).toBeLessThan(1.3 * eight.latency.request.percentiles_ns.p50);
    expect(four.latency.request.percentiles_ns.p99).toBeLessThan(1.6 * eight.latency.request.percentiles_ns.p99);
  });
});
