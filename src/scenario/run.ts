import { buildSimulation, type Simulation } from './build.js';
import type { Scenario } from './load.js';
import { collect, type Results } from '../report/results.js';
import { Sampler } from '../report/sampler.js';
import { TimelineRunner } from './timeline-run.js';
import type { Tracer } from '../host/tracer.js';

export interface RunOptions {
  check?: boolean;
  /** Called now and then with the fraction of simulated time done. */
  progress?: (fraction: number) => void;
  /** Stop cleanly when this returns true (wall-clock limit, Ctrl-C); the report is marked partial. */
  shouldStop?: () => boolean;
  /** Most events the run may deliver before it stops as partial. */
  maxEvents?: number;
  /** Observer of thread runs, modes, exits and commands (e.g. a TraceRecorder for --trace). */
  tracer?: Tracer;
}

/** Simulated time between progress reports and stop checks. */
const SLICE_NS = 10_000_000;

/** Run a scenario to the end (or until asked to stop) and collect its results. */
export function runScenario(s: Scenario, opts: RunOptions = {}): { results: Results; sim: Simulation } {
  const sim = buildSimulation(s, { check: opts.check });
  if (opts.tracer) sim.host.tracer = opts.tracer;
  const timeline = new TimelineRunner(sim);
  const interval = s.report.sample_interval || Math.max(1_000_000, Math.round(s.duration / 100));
  const sampler = new Sampler(sim, interval, sim.guests.map((g) => s.guests.find((d) => g.name === d.name || g.name.startsWith(`${d.name}-`))!.instance.throughput.counter));
  const end = s.warmup + s.duration;
  const e = sim.engine;
  let partial = false;
  let t = 0;
  while (t < end) {
    t = Math.min(end, t + SLICE_NS);
    e.runUntil(t);
    if (opts.check) sim.host.checkInvariants(e.now);
    if (e.stopRequested) {
      partial = true;
      break;
    }
    if (opts.shouldStop?.()) {
      sim.stopReason ??= 'stopped before the end';
      partial = true;
      break;
    }
    if (opts.maxEvents !== undefined && e.delivered > opts.maxEvents) {
      sim.stopReason ??= `event budget of ${opts.maxEvents} events exhausted`;
      partial = true;
      break;
    }
    opts.progress?.(t / end);
  }
  const now = e.now;
  sim.host.finish(now);
  const measured = Math.max(0, now - s.warmup);
  if (opts.check && !partial) sim.host.checkAccounting(measured);
  const results = collect(sim, measured, partial);
  results.series = sampler.series;
  results.timeline = timeline.effects;
  return { results, sim };
}

/** Build the model and run it up to `at` (timeline included), for views of the state at that time. */
export function runTo(s: Scenario, at: number): Simulation {
  const sim = buildSimulation(s);
  new TimelineRunner(sim);
  sim.engine.runUntil(at);
  return sim;
}
