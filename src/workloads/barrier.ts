import { dur, num } from '../util/params.js';
import { cyc, jitteredWork, seedPrologue, type WorkloadDef } from './common.js';

/**
 * Bulk-synchronous phases: every vCPU works, then waits at a spinning
 * barrier (a counter and a generation word) for all the others. One
 * preempted vCPU holds everybody up.
 */
export const barrier: WorkloadDef = {
  help: 'Bulk-synchronous phases separated by a spinning barrier across all vCPUs.',
  params: {
    phase: dur('Work per vCPU per phase (mean; see jitter).', 50_000),
    jitter: num('Uniform jitter of the phase work, as a fraction of its mean.', 0.2, 0, 1),
  },
  build(p, ctx) {
    const source = [
      '; barrier workload',
      '.data bar_count 1',
      '.data bar_gen 1',
      seedPrologue(29),
      'loop:',
      jitteredWork(cyc(p.phase, ctx.freqHz), p.jitter),
      '  rdtsc r10',
      '  ld r5, [bar_gen]',
      '  li r1, 1',
      '  xadd r1, [bar_count]',
      '  add r1, r1, 1',
      '  nvcpu r2',
      '  bne r1, r2, wait',
      '  li r3, 0',
      '  st r3, [bar_count]',
      '  add r5, r5, 1',
      '  st r5, [bar_gen]',
      '  count phases',
      '  jmp done',
      'wait:',
      '  ld r6, [bar_gen]',
      '  bne r6, r5, done',
      '  pause',
      '  jmp wait',
      'done:',
      '  rdtsc r11',
      '  sub r11, r11, r10',
      '  sample barrier_wait, r11',
      '  jmp loop',
    ].join('\n');
    return { source, throughput: { counter: 'phases', unit: 'phases' }, latencies: ['barrier_wait'] };
  },
};
