import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';

/** Four always-busy vCPUs on two pCPUs: every tick lands on a running vCPU, and many end in a reschedule. */
function overcommitted(hz: number) {
  const s = parseScenario(
    `duration: 1s
warmup: 100ms
host:
  cpus: 2
  hz: ${hz}
guests:
  - name: a
    smp: 4
    workload:
      kind: cpu
`,
    'tick.yaml',
  );
  return runScenario(s, { check: true }).results;
}

describe('host ticks on a busy pCPU', () => {
  for (const hz of [250, 1000]) {
    it(`at HZ=${hz}, each tick is an external-interrupt exit, whether or not it ends in a reschedule`, () => {
      const r = overcommitted(hz);
      const g = r.guests[0];
      // The two pCPUs tick hz times a second each, and a vCPU runs on them
      // all the time: as many exits as ticks, within the ticks that land in a
      // context switch (2 us) or another exit's handler.
      const ticks = 2 * hz * (r.run.simulated_ns / 1e9);
      expect(g.exits.EXTERNAL_INTERRUPT).toBeGreaterThan(ticks * 0.97);
      expect(g.exits.EXTERNAL_INTERRUPT).toBeLessThanOrEqual(ticks);
      // Ticks that reschedule do: the vCPUs take turns (CFS slices are longer than a tick at HZ=1000, not at 250).
      const switches = g.vcpu.reduce((a, v) => a + v.context_switches, 0);
      expect(switches).toBeGreaterThan(10);
      // Each tick's handler is charged: kvm time of at least one handler per exit.
      const kvm = g.vcpu.reduce((a, v) => a + v.time_ns.kvm, 0);
      expect(kvm).toBeGreaterThan(g.exits.EXTERNAL_INTERRUPT * 500);
    });
  }
});
