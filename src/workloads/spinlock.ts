import { dur, num, oneOf } from '../util/params.js';
import { cyc, jitteredWork, seedPrologue, type WorkloadDef } from './common.js';

/**
 * Threads, one per vCPU, taking one shared lock in a loop: non-critical
 * work, acquire, critical section, release. The lock is the guest's own
 * code executed on the core, so a holder preempted by the host keeps every
 * waiter spinning: lock-holder preemption emerges, it is not written in.
 */
export const spinlock: WorkloadDef = {
  help: 'One thread per vCPU takes a shared spinlock in a loop (ticket or test-and-set).',
  params: {
    critical: dur('Critical section length (work inside the lock).', 2_000),
    noncritical: dur('Work between lock acquisitions (mean; see jitter).', 20_000),
    jitter: num('Uniform jitter of the non-critical work, as a fraction of its mean.', 0.5, 0, 1),
    lock: oneOf(['ticket', 'tas'], 'Lock flavour: ticket (FIFO, Linux before 4.2) or test-and-test-and-set.', 'ticket'),
  },
  build(p, ctx) {
    const crit = cyc(p.critical, ctx.freqHz);
    const non = cyc(p.noncritical, ctx.freqHz);
    const acquire =
      p.lock === 'ticket'
        ? ['  li r1, 1', '  xadd r1, [lock_next]', 'spin:', '  ld r2, [lock_owner]', '  beq r2, r1, got', '  pause', '  jmp spin']
        : ['acq:', '  li r1, 1', '  xchg r1, [lock_word]', '  beq r1, 0, got', 'spin:', '  ld r2, [lock_word]', '  beq r2, 0, acq', '  pause', '  jmp spin'];
    const release =
      p.lock === 'ticket'
        ? ['  ld r3, [lock_owner]', '  add r3, r3, 1', '  st r3, [lock_owner]']
        : ['  li r3, 0', '  st r3, [lock_word]'];
    const source = [
      `; spinlock workload: ${p.lock} lock, critical ${crit} cycles, non-critical ${non} cycles`,
      '.data lock_next 1',
      '.data lock_owner 1',
      '.data lock_word 1',
      seedPrologue(17),
      'loop:',
      jitteredWork(non, p.jitter),
      '  rdtsc r10',
      ...acquire,
      'got:',
      '  rdtsc r11',
      '  sub r11, r11, r10',
      '  sample lock_wait, r11',
      `  work ${crit}`,
      ...release,
      '  count ops',
      '  jmp loop',
    ].join('\n');
    return { source, throughput: { counter: 'ops', unit: 'lock ops' }, latencies: ['lock_wait'] };
  },
};
