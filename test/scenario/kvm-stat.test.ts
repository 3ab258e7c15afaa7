import { describe, expect, it } from 'vitest';
import { DEFAULT_EXIT_COSTS, EXIT_REASONS } from '../../src/host/costs.js';
import { kvmExitStats, renderView } from '../../src/sim/inspect.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import { cli, ROOT } from '../helpers.js';

// Exit times as the vCPUs record them: from the exit to the guest's re-entry,
// only for exits that end after the warm-up.
function ioRun(warmup: string, haltPoll = '200us', duration = '100ms') {
  const text = `duration: ${duration}
warmup: ${warmup}
host: { cpus: 2, freq: 3GHz, kvm: { halt_poll: ${haltPoll} } }
guests:
  - name: io
    smp: 1
    workload: { kind: io, think: 10us, device_latency: 50us }
`;
  return runScenario(parseScenario(text, 'io.yaml'), { check: true });
}

const ns = (cycles: number) => Math.round(cycles / 3);

describe('exit times for perf kvm stat', () => {
  const { sim, results } = ioRun('100ms');
  const stats = kvmExitStats(sim.guests);
  const by = Object.fromEntries(stats.map((s) => [s.name, s]));

  it('each exit lasts at least what KVM (and QEMU) spend on it', () => {
    expect(by.IO_INSTRUCTION.count).toBeGreaterThan(100);
    // The io workload's doorbell goes on to QEMU: KVM's part, then QEMU's.
    expect(by.IO_INSTRUCTION.minNs).toBeGreaterThanOrEqual(ns(DEFAULT_EXIT_COSTS.ioKvmCycles) + ns(DEFAULT_EXIT_COSTS.qemuExtraCycles) - 1);
    expect(by.HLT.count).toBeGreaterThan(100);
    expect(by.HLT.minNs).toBeGreaterThanOrEqual(ns(DEFAULT_EXIT_COSTS.hltCycles) - 1);
  });

  it('a HLT exit lasts until the vCPU is back in the guest: polling and blocking are in it', () => {
    // The device answers after 50us: most halts outlast any exit handler by far.
    expect(by.HLT.meanNs).toBeGreaterThan(20_000);
    expect(by.HLT.maxNs).toBeGreaterThanOrEqual(by.HLT.meanNs);
  });

  it('a host tick taken in guest mode lasts its handler', () => {
    expect(by.EXTERNAL_INTERRUPT.count).toBeGreaterThan(0);
    expect(by.EXTERNAL_INTERRUPT.minNs).toBe(sim.host.cfg.costs.tickNs);
  });

  it('mean, min, max and total agree', () => {
    for (const s of stats.filter((x) => x.count > 0)) {
      expect(s.timeNs / s.count).toBeCloseTo(s.meanNs, 3);
      expect(s.minNs).toBeLessThanOrEqual(s.meanNs + 1e-6);
      expect(s.maxNs).toBeGreaterThanOrEqual(s.meanNs - 1e-6);
    }
  });

  it('counts only exits that end after the warm-up', () => {
    // The report counts exits taken in the measured window; the times, exits that end in it: the same exits
    // but for one under way at each end of the window per vCPU.
    const reported = EXIT_REASONS.reduce((a, r) => a + results.guests[0].exits[r], 0);
    const timed = stats.reduce((a, s) => a + s.count, 0);
    expect(reported).toBeGreaterThan(1000);
    expect(Math.abs(timed - reported)).toBeLessThanOrEqual(2);
    // Without a warm-up the window starts at 0 and holds the same amount of run: about as many exits.
    const noWarmup = kvmExitStats(ioRun('0s').sim.guests).reduce((a, s) => a + s.count, 0);
    expect(Math.abs(noWarmup - timed) / timed).toBeLessThan(0.2);
    // With the same total run, a longer warm-up leaves fewer of them in the window.
    const longWarmup = kvmExitStats(ioRun('150ms', '200us', '50ms').sim.guests).reduce((a, s) => a + s.count, 0);
    expect(longWarmup).toBeLessThan(0.7 * timed);
  });

  it('renders as the view, the samples adding up to the total', () => {
    const text = renderView(sim, 'kvm-stat');
    const rows = text.split('\n').filter((l) => /us \( \+-/.test(l));
    const sum = rows.reduce((a, l) => a + Number(l.trim().split(/\s+/)[1]), 0);
    expect(text).toContain(`Total Samples:${sum}, `);
    expect(renderView(sim, 'kvm-stat', { guest: 'io' })).toContain(`Analyze events for pid(s) ${sim.guests[0].spec.pid}, all VCPUs:`);
    expect(() => renderView(sim, 'kvm-stat', { guest: 'oi' })).toThrow(/no guest named "oi"/);
    // One vCPU's figures are that vCPU's exit times alone.
    const v0 = sim.guests[0].vcpus[0]!.exitTimes;
    const hltRow = renderView(sim, 'kvm-stat', { vcpu: 0 }).split('\n').find((l) => l.trim().startsWith('HLT '))!;
    expect(Number(hltRow.trim().split(/\s+/)[1])).toBe(v0.n[EXIT_REASONS.indexOf('HLT')]);
    expect(renderView(sim, 'kvm-stat', { vcpu: 5 })).toContain('Total Samples:0, ');
  });
});

describe('simvm view SCENARIO kvm-stat', () => {
  it('prints the report for the shipped libvirt example', () => {
    const r = cli(['view', 'examples/libvirt/db-and-web.yaml', 'kvm-stat', '--set', 'duration=100ms'], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\n\nAnalyze events for all VMs, all VCPUs:\n\n {33}VM-EXIT {4}Samples  Samples% {5}Time% {4}Min Time {4}Max Time {9}Avg time \n\n/);
    expect(r.stdout).toMatch(/^ +IO_INSTRUCTION +\d+ +\d+\.\d\d% +\d+\.\d\d% +\d+\.\d\dus +\d+\.\d\dus +\d+\.\d\dus \( \+- +\d+\.\d\d% \)$/m);
  });
});
