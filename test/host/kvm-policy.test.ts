import { describe, expect, it } from 'vitest';
import { adaptedGuestPoll, adaptedHaltPoll, grownPleWindow } from '../../src/host/kvm-policy.js';

describe('PLE window (grow_ple_window)', () => {
  it('doubles with the default grow of 2 until ple_window_max', () => {
    let w = 4096;
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push((w = grownPleWindow(w, 4096, 2, 40_000)));
    expect(seen).toEqual([8192, 16384, 32768, 40_000]);
  });
  it('resets to the base window when growing is off, and adds a large grow', () => {
    expect(grownPleWindow(32768, 4096, 0, 2 ** 31 - 1)).toBe(4096);
    expect(grownPleWindow(8192, 4096, 5000, 2 ** 31 - 1)).toBe(13192);
  });
});

describe('halt polling (kvm_vcpu_halt)', () => {
  const max = 200_000;
  it('starts at halt_poll_ns_grow_start after a short halt, then doubles up to halt_poll_ns', () => {
    expect(adaptedHaltPoll(0, 5_000, max, 2, 10_000)).toBe(10_000);
    expect(adaptedHaltPoll(10_000, 50_000, max, 2, 10_000)).toBe(20_000);
    expect(adaptedHaltPoll(160_000, 190_000, max, 2, 10_000)).toBe(max);
  });
  it('keeps the window when the poll would have caught the wake-up, and drops it after a long block', () => {
    expect(adaptedHaltPoll(40_000, 30_000, max, 2, 10_000)).toBe(40_000);
    expect(adaptedHaltPoll(40_000, 300_000, max, 2, 10_000)).toBe(0);
    expect(adaptedHaltPoll(0, 300_000, max, 2, 10_000)).toBe(0);
  });
  it('never polls with halt_poll_ns = 0', () => {
    expect(adaptedHaltPoll(0, 5_000, 0, 2, 10_000)).toBe(0);
  });
});

describe('guest haltpoll governor', () => {
  it('grows from 50 us on idles longer than the window, halves after idles beyond the maximum', () => {
    expect(adaptedGuestPoll(0, 10_000, 200_000)).toBe(50_000);
    expect(adaptedGuestPoll(50_000, 60_000, 200_000)).toBe(100_000);
    expect(adaptedGuestPoll(100_000, 500_000, 200_000)).toBe(50_000);
    expect(adaptedGuestPoll(100_000, 80_000, 200_000)).toBe(100_000);
    expect(adaptedGuestPoll(0, 10_000, 0)).toBe(0);
  });
});
