import { describe, expect, it } from 'vitest';
import { canonical, expand, pointKey, replicateSeed } from '../../src/sweep/grid.js';
import { parseSweep } from '../../src/sweep/spec.js';
import { planSweep } from '../../src/sweep/plan.js';
import { summarise, tCritical95 } from '../../src/sweep/stats.js';
import type { Param } from '../../src/sweep/spec.js';

const P = (path: string, ...labels: (string | number)[]): Param => ({ path, values: labels.map((l) => ({ label: String(l), value: l, x: typeof l === 'number' ? l : null })) });

const SCENARIO = `description: a small scenario for sweep tests
duration: 50ms
warmup: 10ms
host:
  cpus: 2
guests:
  - name: vm
    smp: 2
    workload:
      kind: request
      rate: 2k/s
`;

describe('grid expansion', () => {
  it('varies the first parameter slowest', () => {
    expect(expand([P('a', 1, 2), P('b', 'x', 'y', 'z')], 'grid')).toEqual([
      [0, 0], [0, 1], [0, 2],
      [1, 0], [1, 1], [1, 2],
    ]);
  });
  it('zips parameters value by value', () => {
    expect(expand([P('a', 1, 2, 3), P('b', 'x', 'y', 'z')], 'zip')).toEqual([[0, 0], [1, 1], [2, 2]]);
  });
  it('zip groups move together inside a grid', () => {
    const pts = expand([P('a', 1, 2), P('b', 'x', 'y'), P('c', 7, 8)], 'grid', [['a', 'c']]);
    expect(pts).toEqual([[0, 0, 0], [0, 1, 0], [1, 0, 1], [1, 1, 1]]);
  });
  it('no parameters is one point', () => {
    expect(expand([], 'grid')).toEqual([[]]);
  });
});

describe('parameter values in sweep files', () => {
  const params = (yaml: string) => parseSweep(`${SCENARIO}sweep:\n  params:\n${yaml}`, 's.yaml').spec.params;
  it('lists, step ranges, geometric ranges and duration ranges', () => {
    const [a, b, c, d] = params('    guests.vm.smp: [1, 3]\n    host.cpus: { from: 2, to: 8, step: 2 }\n    guests.vm.count: { from: 1, to: 16, times: 2 }\n    guests.vm.workload.service: { from: 50us, to: 150us, step: 50us }\n');
    expect(a.values.map((v) => v.value)).toEqual([1, 3]);
    expect(b.values.map((v) => v.value)).toEqual([2, 4, 6, 8]);
    expect(c.values.map((v) => v.value)).toEqual([1, 2, 4, 8, 16]);
    expect(d.values.map((v) => v.value)).toEqual(['50000ns', '100000ns', '150000ns']);
    expect(d.values.map((v) => v.label)).toEqual(['50.0us', '100us', '150us']);
    expect(d.values.map((v) => v.x)).toEqual([50_000, 100_000, 150_000]);
  });
  it('labelled values, and objects labelled by their kind', () => {
    const [w, v] = params('    guests.vm.workload:\n      values: { light: { kind: request, rate: 1k/s }, heavy: { kind: request, rate: 5k/s } }\n    guests.vm.pin: [null, [[0], [1]]]\n');
    expect(w.values.map((x) => x.label)).toEqual(['light', 'heavy']);
    expect(v.values.map((x) => x.label)).toEqual(['none', '[[0],[1]]']);
  });
  it('fractional steps are counted, not accumulated', () => {
    const [a] = params('    host.smt_factor: { from: 0.1, to: 1, step: 0.1 }\n');
    expect(a.values.map((v) => v.value)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });
});

describe('point keys and seeds', () => {
  it('a point key does not depend on parameter order or object key order', () => {
    const a = [P('x', 1), { path: 'y', values: [{ label: 'o', value: { p: 1, q: 2 }, x: null }] }];
    const b = [{ path: 'y', values: [{ label: 'o', value: { q: 2, p: 1 }, x: null }] }, P('x', 1)];
    expect(pointKey(a, [0, 0])).toBe(pointKey(b, [0, 0]));
    expect(canonical({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });
  it('seeds are stable, and distinct per replicate and per point', () => {
    // Fixed values: a change here changes every stored sweep result.
    expect(replicateSeed(1, 'guests.vm.smp=1', 0)).toBe(replicateSeed(1, 'guests.vm.smp=1', 0));
    expect(replicateSeed(1, 'guests.vm.smp=1', 0)).toMatchInlineSnapshot(`2405665559`);
    const seeds = new Set<number>();
    for (const key of ['guests.vm.smp=1', 'guests.vm.smp=2', 'guests.vm.smp=4'])
      for (let r = 0; r < 10; r++) seeds.add(replicateSeed(1, key, r));
    expect(seeds.size).toBe(30);
    expect(replicateSeed(2, 'guests.vm.smp=1', 0)).not.toBe(replicateSeed(1, 'guests.vm.smp=1', 0));
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });
  it('a plan gives every run its derived seed, and a point keeps its seeds when others are added', () => {
    const small = planSweep(parseSweep(`${SCENARIO}sweep:\n  params:\n    guests.vm.smp: [1, 2]\n  replicates: 2\n`, 's.yaml'));
    const big = planSweep(parseSweep(`${SCENARIO}sweep:\n  params:\n    guests.vm.smp: [1, 2, 3]\n  replicates: 3\n`, 's.yaml'));
    expect(small.runs.map((r) => [r.point, r.replicate])).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(big.points[1].seeds.slice(0, 2)).toEqual(small.points[1].seeds);
    expect(small.runs[0].seed).toBe(replicateSeed(1, 'guests.vm.smp=1', 0));
    expect(new Set(big.runs.map((r) => r.hash)).size).toBe(9);
  });
});

describe('summaries over replicates', () => {
  it("uses Student's t for the 95% interval", () => {
    expect(tCritical95(1)).toBeCloseTo(12.706, 3);
    expect(tCritical95(2)).toBeCloseTo(4.303, 3);
    expect(tCritical95(60)).toBeCloseTo(2.0003, 3);
    expect(tCritical95(1e6)).toBeCloseTo(1.96, 3);
    const s = summarise([1, 2, 3]);
    expect(s.mean).toBe(2);
    // s = 1, n = 3: half-width 4.303 / sqrt(3)
    expect(s.ci_high! - 2).toBeCloseTo(4.303 / Math.sqrt(3), 6);
    expect(s.n).toBe(3);
  });
  it('one value has no interval; missing values are not counted', () => {
    expect(summarise([5])).toEqual({ mean: 5, ci_low: null, ci_high: null, n: 1 });
    expect(summarise([null, 4, null, 6]).n).toBe(2);
    expect(summarise([])).toEqual({ mean: null, ci_low: null, ci_high: null, n: 0 });
  });
});
