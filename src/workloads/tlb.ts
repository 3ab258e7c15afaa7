import { dur } from '../util/params.js';
import { cyc, type WorkloadDef } from './common.js';

/**
 * TLB-shootdown-like cross-vCPU work: vCPU 0 changes a mapping every
 * `interval` of work, sends an IPI to every other vCPU (one broadcast ICR
 * write) and waits until all have flushed and acknowledged in their
 * interrupt handlers. A vCPU that is not running acknowledges only when the
 * host runs it again, so under over-commit the initiator waits for slices.
 */
export const tlb: WorkloadDef = {
  help: 'vCPU 0 broadcasts TLB-shootdown IPIs and waits for every vCPU to acknowledge; the others compute.',
  params: {
    interval: dur('Work on vCPU 0 between shootdowns.', 50_000),
    flush: dur('Work of the flush in each target\'s interrupt handler.', 1_000),
    chunk: dur('Work per operation on the other vCPUs.', 100_000),
  },
  build(p, ctx) {
    const source = [
      '; tlb shootdown workload',
      '.data acks 1',
      '  vcpu r5',
      '  bne r5, 0, other',
      'initiator:',
      `  work ${cyc(p.interval, ctx.freqHz)}`,
      '  rdtsc r10',
      '  li r1, 0',
      '  st r1, [acks]',
      '  nvcpu r3',
      '  sub r3, r3, 1',
      '  beq r3, 0, done',
      '  ipiall',
      'wait:',
      '  ld r2, [acks]',
      '  bge r2, r3, done',
      '  pause',
      '  jmp wait',
      'done:',
      '  rdtsc r11',
      '  sub r11, r11, r10',
      '  sample shootdown, r11',
      '  count shootdowns',
      '  jmp initiator',
      'other:',
      `  work ${cyc(p.chunk, ctx.freqHz)}`,
      '  jmp other',
      'irq:',
      `  work ${cyc(p.flush, ctx.freqHz)}`,
      '  li r9, 1',
      '  xadd r9, [acks]',
      '  iret',
    ].join('\n');
    return { source, throughput: { counter: 'shootdowns', unit: 'shootdowns' }, latencies: ['shootdown'] };
  },
};
