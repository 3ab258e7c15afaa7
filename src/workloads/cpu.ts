import { dur, int } from '../util/params.js';
import { periodNs } from '../engine/time.js';
import { cyc, type WorkloadDef } from './common.js';

/** Pure computation, with the guest kernel's periodic timer tick (an interrupt, a handler, re-arming the TSC deadline). */
export const cpu: WorkloadDef = {
  help: 'Pure computation on every vCPU, with the guest timer tick.',
  params: {
    chunk: dur('Computation counted as one operation.', 100_000),
    tick_hz: int('Guest timer tick rate (CONFIG_HZ; RHEL kernels use 1000); 0 for none.', 1000, 0, 100_000),
    tick_work: dur('Work of the guest tick handler.', 2_000),
  },
  build(p, ctx) {
    const tick = p.tick_hz > 0 ? periodNs(p.tick_hz) : 0;
    const source = [
      '; cpu workload',
      tick ? `  timer ${tick}` : '  nop',
      'loop:',
      `  work ${cyc(p.chunk, ctx.freqHz)}`,
      '  count ops',
      '  jmp loop',
      'irq:',
      tick ? `  timer ${tick}` : '  nop',
      `  work ${cyc(p.tick_work, ctx.freqHz)}`,
      '  iret',
    ].join('\n');
    return { source, throughput: { counter: 'ops', unit: 'chunks' }, latencies: [] };
  },
};

/** HLT until an interrupt: a guest that does nothing but its optional tick. */
export const idle: WorkloadDef = {
  help: 'An idle guest: every vCPU halts; optional timer ticks wake it.',
  params: {
    tick_hz: int('Timer wake-ups per second per vCPU; 0 for a tickless idle guest.', 0, 0, 100_000),
    tick_work: dur('Work per wake-up.', 2_000),
  },
  build(p, ctx) {
    const tick = p.tick_hz > 0 ? periodNs(p.tick_hz) : 0;
    const source = [
      '; idle workload',
      tick ? `  timer ${tick}` : '  nop',
      'loop:',
      '  hlt',
      '  jmp loop',
      'irq:',
      tick ? `  timer ${tick}` : '  nop',
      `  work ${cyc(p.tick_work, ctx.freqHz)}`,
      '  count wakeups',
      '  iret',
    ].join('\n');
    return { source, throughput: { counter: 'wakeups', unit: 'wake-ups' }, latencies: [] };
  },
};
