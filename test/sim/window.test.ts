import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import type { Results } from '../../src/report/results.js';
import { ROOT } from '../helpers.js';

/**
 * The measured window. Warm-up changes what is measured, never what
 * happens, so for any scenario and seed, a run measured over [w, w + d)
 * and one measured over [0, w) add up, count by count and nanosecond by
 * nanosecond, to one measured over [0, w + d). A counter that leaks the
 * warm-up (counts from the start of the run) or the end instant breaks the
 * sum; so does a time share clipped wrongly.
 */

const files = readdirSync(`${ROOT}scenarios`)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Every additive quantity of a report (counts and times), by path. Rates, shares and percentiles are derived. */
function additive(r: Results): Map<string, number> {
  const out = new Map<string, number>();
  const put = (k: string, v: number) => out.set(k, v);
  for (const g of r.guests) {
    const p = `${g.name}`;
    put(`${p}.throughput.total`, g.throughput.total);
    for (const [k, v] of Object.entries(g.exits)) put(`${p}.exits.${k}`, v);
    for (const [k, l] of Object.entries(g.latency)) put(`${p}.latency.${k}.count`, l.count);
    for (const [k, v] of Object.entries(g.main_thread.time_ns)) put(`${p}.main.${k}`, v);
    put(`${p}.main.context_switches`, g.main_thread.context_switches);
    for (const v of g.vcpu) {
      const q = `${p}/vcpu${v.cpu}`;
      for (const [k, x] of Object.entries(v.time_ns)) put(`${q}.${k}`, x);
      for (const [k, x] of Object.entries(v.exits)) put(`${q}.exits.${k}`, x);
      for (const k of ['instructions', 'context_switches', 'preemptions', 'migrations', 'cache_refill_ns', 'costop_ns', 'spin_ns', 'ple_exits', 'directed_yields', 'halts'] as const) put(`${q}.${k}`, v[k]);
      for (const k of ['hits', 'misses', 'poll_ns'] as const) {
        put(`${q}.halt_poll.${k}`, v.halt_poll[k]);
        put(`${q}.guest_halt_poll.${k}`, v.guest_halt_poll[k]);
      }
    }
  }
  for (const c of r.pcpus) {
    for (const [k, x] of Object.entries(c.time_ns)) put(`cpu${c.cpu}.${k}`, x);
    put(`cpu${c.cpu}.context_switches`, c.context_switches);
  }
  return out;
}

function measure(file: string, warmupMs: number, durationMs: number): Results {
  // One sampling interval for all three runs: samples are events, and each
  // run must see the same ones in [0, w + d).
  const s = loadScenario(`${ROOT}scenarios/${file}`, { duration: `${durationMs}ms`, sets: [`warmup=${warmupMs}ms`, 'report.sample_interval=10ms'] });
  return runScenario(s, { check: true }).results;
}

describe('the measured window', () => {
  for (const f of files) {
    it(`${f}: [w, w+d) and [0, w) add up to [0, w+d), count by count`, () => {
      const w = 60;
      const d = 90;
      const later = additive(measure(f, w, d));
      const early = additive(measure(f, 0, w));
      const whole = additive(measure(f, 0, w + d));
      const wrong: string[] = [];
      for (const [k, v] of whole) {
        const sum = (later.get(k) ?? 0) + (early.get(k) ?? 0);
        // Times are rounded to whole ns per report: allow 1 ns per part.
        if (Math.abs(sum - v) > (k.endsWith('ns') || /\.(guest|kvm|qemu|host|steal|halted|sched|idle)$/.test(k) ? 2 : 0)) wrong.push(`${k}: ${later.get(k)} + ${early.get(k)} != ${v}`);
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(whole.size).toBeGreaterThan(5);
    });
  }

  it('counts scale with the duration, not the warm-up', () => {
    // cpu-models runs the same loop throughout once started: equal windows
    // count alike wherever they lie, and a window twice as long counts twice.
    const a = measure('cpu-models.yaml', 100, 200);
    const b = measure('cpu-models.yaml', 500, 200);
    const c = measure('cpu-models.yaml', 100, 400);
    const near = (x: number, y: number) => {
      expect(x).toBeGreaterThan(y * 0.97);
      expect(x).toBeLessThan(y * 1.03);
    };
    for (let i = 0; i < a.guests.length; i++) {
      const [ga, gb, gc] = [a.guests[i], b.guests[i], c.guests[i]];
      near(gb.exits.EXTERNAL_INTERRUPT, ga.exits.EXTERNAL_INTERRUPT);
      near(gc.exits.EXTERNAL_INTERRUPT, 2 * ga.exits.EXTERNAL_INTERRUPT);
      near(gb.throughput.total, ga.throughput.total);
      near(gc.throughput.total, 2 * ga.throughput.total);
      near(gb.instructions_per_second, ga.instructions_per_second);
      near(gc.instructions_per_second, ga.instructions_per_second);
    }
  });
});
