/**
 * CPU-time accounting states (kernel/sched/cputime.c keeps the same split
 * per CPU: guest, system, user, idle). A pCPU is in its running thread's
 * mode, in host-kernel overhead (scheduling, ticks), or idle.
 */
import { ACC_GUEST, ACC_HOST, ACC_KVM, ACC_QEMU } from './thread.js';

/** pCPU accounting states: the running thread's mode, host-kernel overhead, idle. */
export const CPU_GUEST = 0;
export const CPU_KVM = 1;
export const CPU_QEMU = 2;
export const CPU_HOST = 3;
export const CPU_SCHED = 4;
export const CPU_IDLE = 5;
export const CPU_ACC_NAMES = ['guest', 'kvm', 'qemu', 'host', 'sched', 'idle'] as const;

/**
 * The pCPU state while a thread runs in each mode (indexed by the thread's
 * ACC_GUEST..ACC_HOST mode): guest code is guest time, KVM and QEMU their
 * own, host threads host time.
 */
export const CPU_STATE_OF_MODE: readonly number[] = (() => {
  const m: number[] = [];
  m[ACC_GUEST] = CPU_GUEST;
  m[ACC_KVM] = CPU_KVM;
  m[ACC_QEMU] = CPU_QEMU;
  m[ACC_HOST] = CPU_HOST;
  return m;
})();
