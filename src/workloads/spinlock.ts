import { bool, dur, int, num, oneOf } from '../util/params.js';
import { cyc, jitteredWork, seedPrologue, type WorkloadDef } from './common.js';
import { KVM_HC_KICK_CPU } from '../cpu/kvm-abi.js';

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
    lock: oneOf(
      ['ticket', 'tas', 'queued', 'pv'],
      'Lock flavour: ticket (FIFO, Linux before 4.2); tas (test-and-test-and-set); queued (MCS: each waiter spins on its own node, FIFO hand-off); pv (paravirtual ticket lock: waiters spin spin_threshold times, then halt and are kicked by the releaser with KVM_HC_KICK_CPU).',
      'ticket',
    ),
    spin_threshold: int('pv: spins before a waiter halts (SPIN_THRESHOLD = 1 << 15, arch/x86/include/asm/spinlock.h).', 1 << 15, 1),
    check_preempted: bool('pv: a waiter whose lock holder is preempted (vcpu_is_preempted, read from the steal-time area) halts at once instead of spinning.', true),
  },
  build(p, ctx) {
    const crit = cyc(p.critical, ctx.freqHz);
    const non = cyc(p.noncritical, ctx.freqHz);
    const { acquire, release } = LOCKS[p.lock as keyof typeof LOCKS](p, ctx.maxcpus);
    const source = [
      `; spinlock workload: ${p.lock} lock, critical ${crit} cycles, non-critical ${non} cycles`,
      '.data lock_next 1',
      '.data lock_owner 1',
      '.data lock_word 1',
      '.data lock_holder 1',
      `.data waiters ${pow2(ctx.maxcpus) * 8}`,
      `.data nodes ${ctx.maxcpus * 8}`,
      `.data kvm_steal_time ${ctx.maxcpus * 8}`,
      seedPrologue(17),
      'loop:',
      jitteredWork(non, p.jitter),
      '  rdtsc r10',
      ...acquire,
      'got:',
      ...(p.lock === 'pv' ? ['  vcpu r4', '  add r4, r4, 1', '  st r4, [lock_holder]'] : []),
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

const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** Acquire (ending at label `got`) and release code of each lock flavour. */
const LOCKS: Record<string, (p: Record<string, any>, maxcpus: number) => { acquire: string[]; release: string[] }> = {
  // Ticket lock: take a ticket, spin until it is served (arch/x86 before qspinlock).
  ticket: () => ({
    acquire: ['  li r1, 1', '  xadd r1, [lock_next]', 'spin:', '  ld r2, [lock_owner]', '  beq r2, r1, got', '  pause', '  jmp spin'],
    release: ['  ld r3, [lock_owner]', '  add r3, r3, 1', '  st r3, [lock_owner]'],
  }),
  // Test-and-test-and-set: unfair, so a preempted waiter does not block the others.
  tas: () => ({
    acquire: ['acq:', '  li r1, 1', '  xchg r1, [lock_word]', '  beq r1, 0, got', 'spin:', '  ld r2, [lock_word]', '  beq r2, 0, acq', '  pause', '  jmp spin'],
    release: ['  li r3, 0', '  st r3, [lock_word]'],
  }),
  // MCS queued lock (the core of Linux's qspinlock): each waiter spins on its
  // own node; the releaser hands the lock to the next node in FIFO order.
  queued: () => ({
    acquire: [
      '  vcpu r4',
      '  add r5, r4, 1',
      '  mul r6, r4, 8',
      '  li r2, 0',
      '  st r2, [nodes+r6+1]',
      '  li r2, 1',
      '  st r2, [nodes+r6]',
      '  mov r3, r5',
      '  xchg r3, [lock_word]',
      '  beq r3, 0, got',
      '  sub r7, r3, 1',
      '  mul r7, r7, 8',
      '  st r5, [nodes+r7+1]',
      'spin:',
      '  ld r2, [nodes+r6]',
      '  beq r2, 0, got',
      '  pause',
      '  jmp spin',
    ],
    release: [
      '  ld r8, [nodes+r6+1]',
      '  bne r8, 0, handoff',
      '  mov r3, r5',
      '  li r2, 0',
      '  cmpxchg r3, [lock_word], r2',
      '  beq r3, r5, released',
      'waitnext:',
      '  ld r8, [nodes+r6+1]',
      '  bne r8, 0, handoff',
      '  pause',
      '  jmp waitnext',
      'handoff:',
      '  sub r9, r8, 1',
      '  mul r9, r9, 8',
      '  li r2, 0',
      '  st r2, [nodes+r9]',
      'released:',
    ],
  }),
  // Paravirtual ticket lock (pvticketlock, Linux 3.12-4.1): spin a while,
  // then record yourself as the waiter of your ticket and halt; the
  // releaser kicks the next ticket's waiter with KVM_HC_KICK_CPU. With
  // check_preempted, a waiter whose holder is preempted halts at once
  // (vcpu_is_preempted, as qspinlock's pv code does).
  pv: (p, maxcpus) => ({
    acquire: [
      '  li r1, 1',
      '  xadd r1, [lock_next]',
      `  li r9, ${p.spin_threshold}`,
      'spin:',
      '  ld r2, [lock_owner]',
      '  beq r2, r1, got',
      ...(p.check_preempted
        ? ['  ld r7, [lock_holder]', '  beq r7, 0, nochk', '  sub r7, r7, 1', '  mul r7, r7, 8', '  ld r8, [kvm_steal_time+r7]', '  bne r8, 0, slow', 'nochk:']
        : []),
      '  pause',
      '  sub r9, r9, 1',
      '  bne r9, 0, spin',
      'slow:',
      `  and r3, r1, ${pow2(maxcpus) - 1}`,
      '  mul r3, r3, 8',
      '  vcpu r4',
      '  add r4, r4, 1',
      '  st r4, [waiters+r3]',
      'wait:',
      '  ld r2, [lock_owner]',
      '  beq r2, r1, woke',
      '  hlt',
      '  jmp wait',
      'woke:',
      '  li r4, 0',
      '  st r4, [waiters+r3]',
      '  jmp got',
    ],
    release: [
      '  li r4, 0',
      '  st r4, [lock_holder]',
      '  ld r3, [lock_owner]',
      '  add r3, r3, 1',
      '  st r3, [lock_owner]',
      `  and r5, r3, ${pow2(maxcpus) - 1}`,
      '  mul r5, r5, 8',
      '  ld r6, [waiters+r5]',
      '  beq r6, 0, released',
      '  sub r1, r6, 1',
      `  vmcall ${KVM_HC_KICK_CPU}`,
      'released:',
    ],
  }),
};
