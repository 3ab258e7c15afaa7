import { describe, expect, it } from 'vitest';
import { parseScenario, pidInput } from '../../src/scenario/load.js';
import { buildSimulation } from '../../src/sim/build.js';
import { bootTids, pidPlan } from '../../src/host/pids.js';
import { InputErrors } from '../../src/util/errors.js';

const text = `duration: 10ms
host:
  cpus: 6
  background:
    - { name: batch, count: 3, kind: batch }
guests:
  - { name: web, count: 2, smp: "2,maxcpus=4", workload: { kind: idle } }
  - { name: db, smp: 3, workload: { kind: idle } }
`;

describe('pid plan', () => {
  it('names exactly the threads the builder creates, before it runs', () => {
    const s = parseScenario(text, 'pids.yaml');
    const sim = buildSimulation(s);
    expect([...bootTids(pidInput(s))].sort((a, b) => a - b)).toEqual(sim.host.threads.map((t) => t.tid).sort((a, b) => a - b));
    expect(pidPlan(pidInput(s)).qemuPids).toEqual(sim.guests.map((g) => g.spec.pid));
  });

  it('leaves room for hot-plugged vCPUs between QEMU processes', () => {
    const plan = pidPlan({ ncpus: 4, kthreads: true, background: [], guests: [{ count: 2, cpus: 2, maxcpus: 64 }] });
    expect(plan.qemuPids[1] - plan.qemuPids[0]).toBe(72);
  });

  it('rejects a numeric taskset target no thread has, at load time', () => {
    const bad = `${text}timeline:\n  - { at: 1ms, host: "taskset -pc 0 9999" }\n`;
    expect(() => parseScenario(bad, 'pids.yaml')).toThrow(/taskset: no process or thread 9999/);
    const s = parseScenario(text, 'pids.yaml');
    const tid = [...bootTids(pidInput(s))].at(-1)!;
    expect(parseScenario(`${text}timeline:\n  - { at: 1ms, host: "taskset -pc 0 ${tid}" }\n`, 'pids.yaml').timeline).toHaveLength(1);
  });

  it('rejects nohz_full CPUs the host lacks, at load time', () => {
    const bad = text.replace('cpus: 6', 'cpus: 6\n  nohz_full: "2,7"');
    try {
      parseScenario(bad, 'pids.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputErrors);
      expect((e as InputErrors).format()).toMatch(/simvm: error: pids\.yaml:4:\d+: host\.nohz_full: host CPU 7 does not exist \(the host has CPUs 0-5\)/);
    }
  });
});
