import { describe, it, expect } from 'vitest';
import { allPlaces, apicIdBitWidth, indexOfApicId, placeCpu } from '../../src/topology/apic.js';
import { parseSmp } from '../../src/topology/smp.js';

describe('apicIdBitWidth (apicid_bitwidth_for_count)', () => {
  it.each([
    [1, 0],
    [2, 1],
    [3, 2],
    [4, 2],
    [5, 3],
    [8, 3],
    [9, 4],
  ])('%i ids need %i bits', (count, bits) => {
    expect(apicIdBitWidth(count)).toBe(bits);
  });
});

describe('placeCpu / allPlaces', () => {
  it('-smp 8,sockets=2,cores=2,threads=2: dense ids, threads innermost', () => {
    const places = allPlaces(parseSmp('8,sockets=2,cores=2,threads=2'));
    expect(places.map((p) => p.apicId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(places.map((p) => p.socket)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(places.map((p) => p.core)).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    expect(places.map((p) => p.thread)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
    expect(places.every((p) => p.die === 0)).toBe(true);
  });

  it('-smp 8: one socket per CPU', () => {
    const places = allPlaces(parseSmp('8'));
    expect(places.map((p) => [p.socket, p.core, p.thread, p.apicId])).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, 0, 0, i]),
    );
  });

  it('threads=3 takes 2 bits, so every core skips one id', () => {
    const t = parseSmp('6,sockets=1,cores=2,threads=3');
    expect(allPlaces(t).map((p) => p.apicId)).toEqual([0, 1, 2, 4, 5, 6]);
  });

  it('cores=3 threads=2: the package field starts at bit 3', () => {
    const t = parseSmp('12,sockets=2,cores=3,threads=2');
    expect(placeCpu(t, 5)).toEqual({ index: 5, socket: 0, die: 0, core: 2, thread: 1, apicId: 5 });
    expect(placeCpu(t, 6)).toEqual({ index: 6, socket: 1, die: 0, core: 0, thread: 0, apicId: 8 });
    expect(placeCpu(t, 11).apicId).toBe(13);
  });

  it('dies sit between cores and packages', () => {
    const t = parseSmp('16,sockets=2,dies=2,cores=2,threads=2');
    expect(placeCpu(t, 4)).toEqual({ index: 4, socket: 0, die: 1, core: 0, thread: 0, apicId: 4 });
    expect(placeCpu(t, 8)).toEqual({ index: 8, socket: 1, die: 0, core: 0, thread: 0, apicId: 8 });
    const odd = parseSmp('12,sockets=1,dies=3,cores=2,threads=2');
    expect(placeCpu(odd, 8)).toEqual({ index: 8, socket: 0, die: 2, core: 0, thread: 0, apicId: 8 });
    expect(placeCpu(parseSmp('6,sockets=2,dies=3'), 3)).toEqual({ index: 3, socket: 1, die: 0, core: 0, thread: 0, apicId: 4 });
  });

  it('places the hot-pluggable #7 of -smp 4,maxcpus=8 (cpu-add 7) in socket 7', () => {
    const t = parseSmp('4,maxcpus=8');
    expect(placeCpu(t, 7)).toEqual({ index: 7, socket: 7, die: 0, core: 0, thread: 0, apicId: 7 });
    expect(allPlaces(t)).toHaveLength(8);
  });

  it('refuses indexes outside 0..maxcpus-1', () => {
    const t = parseSmp('4,maxcpus=8');
    expect(() => placeCpu(t, 8)).toThrow(RangeError);
    expect(() => placeCpu(t, -1)).toThrow(/outside 0\.\.7/);
  });
});

describe('indexOfApicId', () => {
  it('inverts placeCpu and finds no CPU for unused ids', () => {
    const t = parseSmp('6,sockets=1,cores=2,threads=3');
    for (const p of allPlaces(t)) expect(indexOfApicId(t, p.apicId)).toBe(p.index);
    expect(indexOfApicId(t, 3)).toBeUndefined();
    expect(indexOfApicId(t, 8)).toBeUndefined();
  });
});
