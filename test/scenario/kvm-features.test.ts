import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import { run } from '../helpers.js';

// What KVM does under over-commit, as switches: orderings from real runs.
const SHORT = (extra: string[]) => ({ duration: '150ms', sets: ['warmup=50ms', ...extra] });

describe('pause-loop exiting and paravirtual spinlocks on overcommit-16on4', () => {
  const tp = (extra: string[]) => run('overcommit-16on4.yaml', SHORT(extra)).guests[0].throughput.per_second;
  const neither = tp(['host.kvm.ple=false']);
  const ple = tp([]);
  // A short spin threshold keeps the test quick (the spinning loop is interpreted).
  const pvGuest = run('overcommit-16on4.yaml', SHORT(['host.kvm.ple=false', 'guests.db.workload.lock=pv', 'guests.db.workload.spin_threshold=512'])).guests[0];
  const pv = pvGuest.throughput.per_second;

  it('each recovers a clear part of what lock-holder and lock-waiter preemption cost', () => {
    expect(ple).toBeGreaterThan(10 * neither);
    expect(pv).toBeGreaterThan(10 * neither);
  });

  it('pv waiters halt and are kicked by hypercall instead of spinning', () => {
    const g = pvGuest;
    expect(g.exits.HLT).toBeGreaterThan(100);
    expect(g.exits.VMCALL).toBeGreaterThan(100);
    expect(g.vcpu.reduce((a, v) => a + v.time_ns.halted, 0)).toBeGreaterThan(0);
  });
});

function ioGuest(haltPoll: string, extra = '') {
  const text = `duration: 300ms
warmup: 50ms
host: { cpus: 2, kvm: { halt_poll: ${haltPoll} } }
guests:
  - name: io
    smp: 1
    workload: { kind: io, think: 10us, device_latency: 50us }
${extra}`;
  return runScenario(parseScenario(text, 'hp.yaml'), { check: true }).results;
}

describe('halt-polling', () => {
  const on = ioGuest('200us');
  const off = ioGuest('0s');
  it('lowers wake-up latency for short halts', () => {
    const g = on.guests[0];
    expect(g.vcpu[0].halt_poll.hits).toBeGreaterThan(100);
    expect(g.latency.io.percentiles_ns.p50).toBeLessThan(off.guests[0].latency.io.percentiles_ns.p50 - 1_000);
  });
  it('burns the CPU it polls on: it shows as KVM time instead of idle', () => {
    const kvm = (r: typeof on) => r.pcpus.reduce((a, c) => a + c.time_ns.kvm, 0);
    const idle = (r: typeof on) => r.pcpus.reduce((a, c) => a + c.time_ns.idle, 0);
    expect(on.guests[0].vcpu[0].halt_poll.poll_ns).toBeGreaterThan(0.05 * 3e8);
    expect(kvm(on)).toBeGreaterThan(kvm(off) + 0.05 * 3e8);
    expect(idle(on)).toBeLessThan(idle(off));
  });
  it('stops polling when another thread wants the CPU (single_task_running)', () => {
    const busy = ioGuest('200us', '  - { name: hog, smp: 2, workload: { kind: cpu } }\n');
    expect(busy.guests[0].vcpu[0].halt_poll.poll_ns).toBeLessThan(0.2 * on.guests[0].vcpu[0].halt_poll.poll_ns);
  });
});

describe('IPIs to descheduled vCPUs (TLB shootdowns)', () => {
  it('wait for the target to run: shootdown latency grows with over-commit', () => {
    const text = (cpus: number) => `duration: 300ms
warmup: 50ms
host: { cpus: ${cpus} }
guests:
  - name: g
    smp: 8
    workload: { kind: tlb }
`;
    const fit = runScenario(parseScenario(text(8), 't.yaml'), { check: true }).results.guests[0];
    const over = runScenario(parseScenario(text(2), 't.yaml'), { check: true }).results.guests[0];
    expect(fit.latency.shootdown.percentiles_ns.p50).toBeLessThan(10_000);
    expect(over.latency.shootdown.percentiles_ns.p50).toBeGreaterThan(100 * fit.latency.shootdown.percentiles_ns.p50);
  });
});

describe("the guest's haltpoll idle driver", () => {
  it('polls in guest mode before HLT: short idles end without an exit', () => {
    const text = (hp: string) => `duration: 300ms
warmup: 50ms
host: { cpus: 2, kvm: { halt_poll: 0s } }
guests:
  - name: io
    smp: 1
    haltpoll: ${hp}
    workload: { kind: io, think: 10us, device_latency: 50us }
`;
    const off = runScenario(parseScenario(text('0s'), 'g.yaml'), { check: true }).results.guests[0];
    const on = runScenario(parseScenario(text('200us'), 'g.yaml'), { check: true }).results.guests[0];
    expect(on.vcpu[0].guest_halt_poll.hits).toBeGreaterThan(1000);
    expect(on.exits.HLT).toBeLessThan(0.01 * off.exits.HLT);
    expect(on.latency.io.percentiles_ns.p50).toBeLessThan(off.latency.io.percentiles_ns.p50);
    // The polling is guest CPU time the host sees as busy.
    expect(on.vcpu[0].time_ns.guest).toBeGreaterThan(3 * off.vcpu[0].time_ns.guest);
  });
});
