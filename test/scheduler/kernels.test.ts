import { describe, expect, it } from 'vitest';
import { KernelError, kernelScheduler, parseKernel } from '../../src/scheduler/kernels.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { InputError } from '../../src/util/errors.js';
import { runScenario } from '../../src/sim/run.js';

/** [uname -r, CPUs, scheduler, base_slice ns] */
const KERNELS: [string, number, 'cfs' | 'eevdf', number | undefined][] = [
  ['3.10.0-1160.el7.x86_64', 4, 'cfs', undefined],
  ['4.18', 4, 'cfs', undefined],
  ['5.14.0-427.el9', 8, 'cfs', undefined],
  ['6.1', 4, 'cfs', undefined],
  ['6.5.13', 4, 'cfs', undefined],
  ['6.6', 4, 'eevdf', 750_000 * 3],
  ['6.8.0-45-generic', 1, 'eevdf', 750_000],
  ['6.12', 8, 'eevdf', 750_000 * 4],
  ['6.14', 16, 'eevdf', 750_000 * 4],
  ['6.15', 4, 'eevdf', 700_000 * 3],
  ['6.18', 2, 'eevdf', 700_000 * 2],
];

describe('host kernel picks the fair scheduler', () => {
  it.each(KERNELS)('Linux %s on %i CPUs: %s', (text, ncpus, kind, slice) => {
    const s = kernelScheduler(parseKernel(text), ncpus);
    expect(s.kind).toBe(kind);
    expect(s.baseSliceNs).toBe(slice);
  });

  it('refuses kernels before 3.10 and what is not a version', () => {
    expect(() => parseKernel('2.6.32')).toThrow(KernelError);
    expect(() => parseKernel('six')).toThrow(/is not a Linux version/);
  });
});

describe('host.kernel in a scenario', () => {
  const scenario = (host: string) =>
    parseScenario(`duration: 20ms\nwarmup: 0s\nhost: { cpus: 4${host} }\nguests:\n  - { name: g, smp: 2, workload: { kind: cpu } }\n`, 'k.yaml');
  const sched = (host: string) => runScenario(scenario(host)).results.host.scheduler;

  it('6.12: EEVDF with 6.12\'s base_slice', () => {
    const s = sched(', kernel: "6.12"');
    expect(s.kind).toBe('eevdf');
    expect(s.sched_base_slice_ns).toBe(2_250_000);
  });
  it('6.15: the lower base_slice', () => {
    expect(sched(', kernel: "6.15"').sched_base_slice_ns).toBe(2_100_000);
  });
  it('5.14: CFS with its tunables', () => {
    const s = sched(', kernel: "5.14"');
    expect(s.kind).toBe('cfs');
    expect(s.sched_latency_ns).toBe(18_000_000);
  });
  it('explicit scheduler kind and tunables still override', () => {
    expect(sched(', kernel: "6.12", scheduler: { kind: cfs }').kind).toBe('cfs');
    expect(sched(', kernel: "6.12", scheduler: { base_slice: 3ms }').sched_base_slice_ns).toBe(3_000_000);
    expect(sched(', kernel: "3.10", scheduler: { kind: eevdf }').kind).toBe('eevdf');
  });
  it('without host.kernel: CFS, as before', () => {
    expect(sched('').kind).toBe('cfs');
  });
  it('an unquoted 3.10 (YAML\'s 3.1) is refused with the fix', () => {
    let caught: unknown;
    try {
      scenario(', kernel: 3.10');
    } catch (e) {
      caught = e;
    }
    expect((caught as InputError).format()).toMatch(/simvm: error: k\.yaml:3:\d+: host\.kernel must be a string\n  hint: quote it: "3\.10"/);
  });
  it('a kernel older than simvm models', () => {
    expect(() => scenario(', kernel: "2.6.32"')).toThrow(/host\.kernel: Linux 2\.6 is older than simvm models/);
  });
});
