import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import { relativeHalfWidth } from '../../src/stats/interval.js';
import { stableJson } from '../../src/util/files.js';
import { cli, ROOT } from '../helpers.js';

const load = (file: string, duration: string, sets: string[] = []) => loadScenario(`${ROOT}scenarios/${file}`, { duration, sets });

describe('--precision', () => {
  it('stops once every guest throughput is known within the target, on a whole sampling window', () => {
    const { results: r } = runScenario(load('overcommit-4on4.yaml', '4s', ['warmup=100ms']), { precision: { target: 0.01, metrics: ['throughput'] } });
    const p = r.run.precision!;
    expect(p.met).toBe(true);
    expect(r.run.partial).toBe(false);
    expect(r.run.simulated_ns).toBeLessThan(4e9);
    expect(r.run.simulated_ns % r.series!.interval_ns).toBe(0);
    for (const g of r.guests) expect(relativeHalfWidth(g.throughput.per_second, g.throughput.per_second_ci95)!).toBeLessThanOrEqual(0.01);
    expect(p.reached).toBeLessThanOrEqual(0.01);
  });

  it('runs the whole duration and says so when the target is out of reach', () => {
    const { results: r } = runScenario(load('many-guests-16on4.yaml', '300ms', ['warmup=50ms']), { precision: { target: 0.0001, metrics: ['throughput', 'steal'] } });
    expect(r.run.precision!.met).toBe(false);
    expect(r.run.simulated_ns).toBe(300e6);
    expect(r.run.precision!.reached).toBeGreaterThan(0.0001);
  });

  it('a tighter target needs a longer run', () => {
    const at = (target: number) => runScenario(load('overcommit-4on4.yaml', '4s', ['warmup=100ms']), { precision: { target, metrics: ['throughput', 'exits'] } }).results.run.simulated_ns;
    expect(at(0.005)).toBeGreaterThan(at(0.02));
  });

  it('on the command line: 1% or 0.01, and a clear error otherwise', () => {
    const ok = cli(['scenarios/overcommit-4on4.yaml', '--precision', '2%', '--duration', '2s', '--no-write', '-q']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/precision: target ±2% on throughput met/);
    for (const bad of ['0', '150%', 'abc', '1']) {
      const r = cli(['scenarios/overcommit-4on4.yaml', '--precision', bad, '--no-write', '-q']);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/--precision .* is not a precision/);
    }
    const m = cli(['scenarios/overcommit-4on4.yaml', '--precision', '1%', '--precision-metric', 'speed', '--no-write', '-q']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/unknown figure "speed"/);
  });
});

describe('warmup: auto', () => {
  it('cuts the pilot run with MSER-5 and measures exactly as a run given that warm-up', () => {
    // Whatever MSER-5 finds in a short pilot, the measured run must be the run with that warm-up, to the byte.
    const auto = runScenario(load('hotplug.yaml', '400ms', ['warmup=auto'])).results;
    const info = auto.scenario.warmup_auto!;
    expect(info.method).toBe('MSER-5');
    expect(info.pilot_ns).toBe(400e6);
    expect(info.cut_ns).toBeLessThanOrEqual(200e6);
    expect(auto.scenario.warmup_ns).toBe(info.cut_ns);
    const fixed = runScenario(load('hotplug.yaml', '400ms', [`warmup=${info.cut_ns}ns`])).results;
    delete auto.scenario.warmup_auto;
    expect(stableJson(auto)).toBe(stableJson(fixed));
  });

  it('finds a transient where there is one', () => {
    // hotplug.yaml adds a vCPU at 2 s: a pilot of 5 s sees throughput rise there and cuts at it.
    const r = runScenario(load('hotplug.yaml', '5s', ['warmup=auto'])).results;
    expect(r.scenario.warmup_auto!.cut_ns).toBeGreaterThanOrEqual(1.9e9);
  });
});
