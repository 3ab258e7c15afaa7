import { describe, expect, it } from 'vitest';
import { InputError, loadScenario, render, simulate, simulateAsync, view, type Results } from '../src/index.js';
import { simulationForView } from '../src/sim/inspect.js';
import { ROOT } from './helpers.js';

const SMALL = { seed: 3, duration: '20ms', warmup: '5ms', host: { cpus: 2 }, guests: [{ name: 'vm', smp: 2, workload: { kind: 'spinlock' } }] };

describe('the library: loadScenario → simulate → render', () => {
  it('an object and the same YAML file give the same results, sync and async alike', async () => {
    const fromObject = simulate(loadScenario(SMALL));
    const fromFile = simulate(loadScenario(`${ROOT}scenarios/overcommit-2on4.yaml`, { duration: '20ms', sets: ['warmup=5ms'] }));
    expect(fromObject.guests[0].throughput.total).toBeGreaterThan(0);
    expect(fromFile.scenario.name).toBe('overcommit-2on4');
    const again = await simulateAsync(loadScenario(SMALL));
    expect(render(again, 'json')).toBe(render(fromObject, 'json'));
  });

  it('reports progress and stops cleanly on an aborted signal, marked partial', async () => {
    const seen: number[] = [];
    const ac = new AbortController();
    const r: Results = await simulateAsync(loadScenario(SMALL), {
      signal: ac.signal,
      onProgress: (f) => {
        seen.push(f);
        if (f >= 0.5) ac.abort();
      },
    });
    expect(seen[0]).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeLessThan(1);
    expect(r.run.partial).toBe(true);
    expect(r.run.stop_reason).toMatch(/aborted/);
  });

  it('renders every format', () => {
    const r = simulate(loadScenario(SMALL));
    expect(render(r, 'text')).toMatch(/^simvm report: /);
    expect(JSON.parse(render(r, 'json')).guests[0].name).toBe('vm');
    expect(render(r, 'html')).toMatch(/^<!DOCTYPE html>/);
    expect(Object.keys(render(r, 'csv'))).toContain('guests.csv');
  });

  it('errors in an object name the field and the object, without a line', () => {
    try {
      loadScenario({ ...SMALL, host: { cpus: 'two' } }, { file: 'my-scenario' });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).format()).toBe('simvm: error: my-scenario: host.cpus must be a whole number, got "two"');
    }
  });
});

describe('static views do not run the scenario', () => {
  it('a guest view without a time delivers no event; the run is not simulated', () => {
    const s = loadScenario(`${ROOT}scenarios/overcommit-16on4.yaml`);
    const sim = simulationForView(s, 'lscpu');
    expect(sim.engine.delivered).toBe(0);
    expect(view(s, 'lscpu')).toMatch(/^CPU\(s\): +16$/m);
    // At a time, the run goes up to it.
    expect(simulationForView(s, 'lscpu', 1e6).engine.delivered).toBeGreaterThan(0);
  });

  it('shows the CPUs the timeline hot-plugs, as the end of the run does', () => {
    const s = loadScenario(`${ROOT}scenarios/hotplug.yaml`);
    const end = s.warmup + s.duration;
    for (const what of ['cpuinfo', 'lscpu', 'ls-cpu', 'cpu-info.sh']) {
      expect(view(s, what), what).toBe(view(s, what, { at: `${end / 1e9}s` }));
    }
    expect(view(s, 'info-cpus')).toMatch(/CPU #7: .* thread_id=2006/);
  });
});
