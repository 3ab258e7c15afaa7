import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import { stableJson } from '../../src/util/files.js';
import { ROOT } from '../helpers.js';

const files = readdirSync(`${ROOT}scenarios`).filter((f) => f.endsWith('.yaml')).sort();

describe('every shipped scenario', () => {
  it('is there', () => {
    expect(files).toContain('overcommit-16on4.yaml');
    expect(files).toContain('many-guests-16on4.yaml');
  });
  for (const f of files) {
    it(`${f} loads, runs with invariant checks and does work`, () => {
      const s = loadScenario(`${ROOT}scenarios/${f}`, { duration: '200ms', sets: ['warmup=50ms'] });
      expect(s.description.length).toBeGreaterThan(10);
      const { results } = runScenario(s, { check: true });
      expect(results.run.partial).toBe(false);
      for (const g of results.guests) {
        expect(g.throughput.total, `${f}: ${g.name}`).toBeGreaterThan(0);
        expect(g.faults).toEqual([]);
      }
    });
  }
});

describe('determinism', () => {
  it('the same scenario and seed give byte-identical JSON, run twice in one process', () => {
    const once = () => stableJson(runScenario(loadScenario(`${ROOT}scenarios/many-guests-16on4.yaml`, { duration: '300ms', sets: ['warmup=50ms'] })).results);
    const a = once();
    expect(once()).toBe(a);
  });
});
