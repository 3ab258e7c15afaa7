import { buildSimulation, defOf, type Simulation } from './build.js';
import type { Scenario } from '../scenario/load.js';
import type { Results } from '../report/results.js';
import { collect } from './collect.js';
import { Sampler } from './sampler.js';
import { MeasuredWindow } from './window.js';
import { TimelineRunner } from './timeline-run.js';
import type { Tracer } from '../host/tracer.js';

export interface RunOptions {
  check?: boolean;
  /** Called now and then with the fraction of simulated time done. */
  progress?: (fraction: number) => void;
  /** Stop cleanly when this returns a reason (wall-clock limit, Ctrl-C); the report is marked partial. */
  shouldStop?: () => string | null;
  /** Most events the run may deliver before it stops as partial. */
  maxEvents?: number;
  /** Observer of thread runs, modes, exits and commands (e.g. a TraceRecorder for --trace). */
  tracer?: Tracer;
  /** False: no acting ahead, every step an event (the reference the tests compare against). */
  actAhead?: boolean;
}

/** Simulated time between progress reports and stop checks. */
const SLICE_NS = 1_000_000;
/** Slices between yields to the event loop in `runScenarioAsync` (signals are handled there). */
const SLICES_PER_YIELD = 5;

/** A run in progress, advanced one slice at a time. */
class Run {
  readonly sim: Simulation;
  private readonly timeline: TimelineRunner;
  private readonly sampler: Sampler;
  private readonly window: MeasuredWindow;
  private readonly end: number;
  private t = 0;
  private partial = false;

  constructor(
    readonly s: Scenario,
    readonly opts: RunOptions,
  ) {
    this.sim = buildSimulation(s, { check: opts.check, actAhead: opts.actAhead });
    if (opts.tracer) this.sim.host.tracer = opts.tracer;
    this.timeline = new TimelineRunner(this.sim);
    this.window = new MeasuredWindow(this.sim);
    const interval = s.report.sample_interval || Math.max(1_000_000, Math.round(s.duration / 100));
    const defs = this.sim.guests.map((g) => defOf(this.sim, g));
    this.sampler = new Sampler(this.sim, interval, defs.map((d) => d.instance.throughput.counter), defs.map((d) => d.instance.latencies[0]));
    this.end = s.warmup + s.duration;
  }

  /** Advance one slice; false when the run is over (ended or stopped). */
  step(): boolean {
    const { sim, opts } = this;
    const e = sim.engine;
    if (this.t >= this.end || this.partial) return false;
    this.t = Math.min(this.end, this.t + SLICE_NS);
    // Read between slices only for invariants and progress: acting ahead may go past a slice, not past the end.
    e.runUntil(this.t, this.end);
    if (opts.check) sim.host.checkInvariants(e.now);
    if (this.window.closed) {
      e.stopRequested = false;
      return false;
    }
    const reason = e.stopRequested ? sim.stopReason ?? 'stopped by the model' : opts.shouldStop?.() ?? (opts.maxEvents !== undefined && e.delivered > opts.maxEvents ? `event budget of ${opts.maxEvents} events exhausted` : null);
    if (reason) {
      sim.stopReason ??= reason;
      this.partial = true;
      return false;
    }
    opts.progress?.(this.t / this.end);
    return this.t < this.end;
  }

  finish(): { results: Results; sim: Simulation } {
    const { sim, s } = this;
    const now = sim.engine.now;
    sim.host.finish(now);
    const measured = Math.max(0, now - s.warmup);
    if (this.opts.check && !this.partial) sim.host.checkAccounting(measured);
    const results = collect(sim, this.window, measured, this.partial);
    results.series = this.sampler.finish(now);
    addStability(results);
    results.timeline = this.timeline.effects;
    return { results, sim };
  }
}

/** Coefficient of variation (stddev / mean) of the non-null values, or null with fewer than 2. */
function cv(xs: (number | null)[]): number | null {
  // Plain loops, adding in the order a reduce would (the same bits), without
  // a filtered copy: a run sampled every 100 us has 100,000 values a series.
  let n = 0;
  let total = 0;
  for (const x of xs)
    if (x !== null) {
      n++;
      total += x;
    }
  if (n < 2) return null;
  const mean = total / n;
  if (mean === 0) return null;
  let sq = 0;
  for (const x of xs) if (x !== null) sq += (x - mean) ** 2;
  return Math.round((Math.sqrt(sq / (n - 1)) / mean) * 1000) / 1000;
}

/**
 * How steady each guest was across the sampling windows: the spread of its
 * per-window throughput and mean latency. A guest with CPUs of its own
 * (seed §5, "resource exclusive") has small spreads.
 */
function addStability(r: Results): void {
  r.guests.forEach((g, i) => {
    const sg = r.series?.guests[i];
    g.stability = { throughput_cv: sg ? cv(sg.throughput) : null, latency_cv: sg ? cv(sg.latency_mean_ns) : null };
  });
}

/** Run a scenario to the end (or until asked to stop) and collect its results. */
export function runScenario(s: Scenario, opts: RunOptions = {}): { results: Results; sim: Simulation } {
  const run = new Run(s, opts);
  while (run.step());
  return run.finish();
}

/**
 * The same run, yielding to the event loop every few slices so a command
 * line can react to Ctrl-C while it runs. Results are identical to
 * `runScenario`'s.
 */
export async function runScenarioAsync(s: Scenario, opts: RunOptions = {}): Promise<{ results: Results; sim: Simulation }> {
  const run = new Run(s, opts);
  for (let k = 1; run.step(); k++) if (k % SLICES_PER_YIELD === 0) await new Promise((r) => setImmediate(r));
  return run.finish();
}

/** Build the model and run it up to `at` (timeline included), for views of the state at that time. */
export function runTo(s: Scenario, at: number): Simulation {
  const sim = buildSimulation(s);
  new TimelineRunner(sim);
  sim.engine.runUntil(at);
  return sim;
}
