import { describe, expect, it } from 'vitest';
import { CPU_ACC_NAMES, CPU_STATE_OF_MODE } from '../../src/host/cputime.js';
import { ACC_GUEST, ACC_HOST, ACC_KVM, ACC_NAMES, ACC_QEMU } from '../../src/host/thread.js';
import { maskHas, maskNext, maskSet } from '../../src/host/cpumask.js';

describe('cputime states', () => {
  it('a pCPU running a thread is in the state of the same name as the thread mode', () => {
    for (const m of [ACC_GUEST, ACC_KVM, ACC_QEMU, ACC_HOST]) expect(CPU_ACC_NAMES[CPU_STATE_OF_MODE[m]]).toBe(ACC_NAMES[m]);
  });
  it('has no CPU state for a thread that waits or sleeps (it is not running)', () => {
    expect(CPU_STATE_OF_MODE).toHaveLength(4);
  });
});

describe('cpumask', () => {
  it('sets, tests and finds CPUs across 32-bit words', () => {
    const m = new Uint32Array(3);
    for (const c of [3, 31, 32, 70]) maskSet(m, c);
    expect([0, 3, 31, 32, 33, 70].map((c) => maskHas(m, c))).toEqual([false, true, true, true, false, true]);
    expect([0, 4, 32, 33, 71].map((c) => maskNext(m, null, c))).toEqual([3, 31, 32, 70, -1]);
    const and = new Uint32Array(3);
    maskSet(and, 70);
    expect(maskNext(m, and, 0)).toBe(70);
    expect(maskNext(m, null, 96)).toBe(-1);
  });
});
