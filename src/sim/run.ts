import { buildSimulation, defOf, type Simulation } from './build.js';
import type { Scenario } from '../scenario/load.js';
import type { Results } from '../report/results.js';
import { collect } from './collect.js';
import { Sampler } from './sampler.js';
import { MeasuredWindow } from './window.js';
import { addIntervals, figureCi } from './intervals.js';
import { relativeHalfWidth, SECTIONS } from '../stats/interval.js';
import { mser5 } from '../stats/mser.js';
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
  /** Called once the model is built (its input errors are past) and the run begins. */
  started?: () => void;
  /** False: no acting ahead, every step an event (the reference the tests compare against). */
  actAhead?: boolean;
  /**
   * Run until every guest's chosen figures are known this precisely: the
   * half-width of each 95 % interval within `target` (0.01: 1 %) of its
   * value. The scenario's duration is then the longest the run may take.
   */
  precision?: { target: number; metrics: PrecisionMetric[] };
}

/** Figures `--precision` can aim at: throughput, exit rate, steal. */
export const PRECISION_METRICS = ['throughput', 'exits', 'steal'] as const;
export type PrecisionMetric = (typeof PRECISION_METRICS)[number];

/** Sampling windows a precision run starts checking at, and the growth between checks. */
const PRECISION_FIRST_CHECK = 20;
const PRECISION_CHECK_GROWTH = 1.1;

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
  private end: number;
  private t = 0;
  private partial = false;
  private readonly interval: number;
  /** Samples taken at the last precision check. */
  private checkedAt = 0;
  /** The target was met at a check: the window closes at the next sampling instant. */
  private precisionMet = false;

  constructor(
    readonly s: Scenario,
    readonly opts: RunOptions,
  ) {
    this.sim = buildSimulation(s, { check: opts.check, actAhead: opts.actAhead });
    if (opts.tracer) this.sim.host.tracer = opts.tracer;
    this.timeline = new TimelineRunner(this.sim);
    this.window = new MeasuredWindow(this.sim);
    // A precision run may stop after a small part of its duration: it is
    // sampled more finely (at most 10 ms windows), and latency sections are
    // finer too, grouped into SECTIONS at the end (report/intervals.ts).
    const interval = (this.interval = s.report.sample_interval || Math.max(1_000_000, Math.round(opts.precision ? Math.min(10_000_000, s.duration / 100) : s.duration / 100)));
    const defs = this.sim.guests.map((g) => defOf(this.sim, g));
    this.sampler = new Sampler(this.sim, interval, defs.map((d) => d.instance.throughput.counter), defs.map((d) => d.instance.latencies[0]), this.window);
    const sections = opts.precision ? 20 * SECTIONS : SECTIONS;
    for (const g of this.sim.guests) g.sectionLatencies(s.warmup, s.duration / sections, sections);
    this.end = s.warmup + s.duration;
  }

  /**
   * With a precision target, after enough new sampling windows: whether every
   * chosen figure is now known within it. If so the window closes at the next
   * sample instant, so the measured run ends on a whole sampling window.
   */
  private checkPrecision(): void {
    const p = this.opts.precision;
    const n = this.sampler.samples;
    if (!p || this.precisionMet || n < PRECISION_FIRST_CHECK || n < this.checkedAt * PRECISION_CHECK_GROWTH) return;
    this.checkedAt = n;
    let worst = 0;
    for (let i = 0; i < this.sim.guests.length; i++)
      for (const m of p.metrics) {
        const { value, ci } = figureCi(this.sampler, i, m, undefined, n);
        worst = Math.max(worst, relativeHalfWidth(value, ci) ?? Infinity);
      }
    if (worst <= p.target) {
      this.precisionMet = true;
      const next = this.s.warmup + (n + 1) * this.interval;
      if (next < this.end) {
        this.window.closeAt(next);
        this.end = next;
      }
    }
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
    this.checkPrecision();
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
    addIntervals(results, sim.guests, this.sampler, s.report.percentiles);
    const p = this.opts.precision;
    if (p) {
      // The last check may predate the end by a few windows: judge the figures as reported.
      const reached = Math.max(
        0,
        ...results.guests.flatMap((g) =>
          p.metrics.map((m) => {
            const [v, ci] = m === 'throughput' ? [g.throughput.per_second, g.throughput.per_second_ci95] : m === 'exits' ? [g.exits_per_second, g.exits_per_second_ci95] : [g.steal_fraction, g.steal_fraction_ci95];
            return relativeHalfWidth(v, ci) ?? Infinity;
          }),
        ),
      );
      results.run.precision = { target: p.target, metrics: [...p.metrics], reached: Number.isFinite(reached) ? Math.round(reached * 1e5) / 1e5 : null, met: reached <= p.target, max_duration_ns: s.duration };
    }
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

type Outcome = { results: Results; sim: Simulation };

/**
 * `warmup: auto`: the pilot run (the scenario from time 0 for its duration,
 * nothing else asked of it) whose throughput series MSER-5 cuts; the
 * measured run then starts from the cut. Warm-up never changes what
 * happens, only what is counted, so the cut is exact for the second run.
 */
function pilotOf(s: Scenario, opts: RunOptions): [Scenario, RunOptions] {
  return [
    { ...s, warmup: 0, warmupAuto: false },
    { check: opts.check, actAhead: opts.actAhead, shouldStop: opts.shouldStop, maxEvents: opts.maxEvents, started: opts.started, progress: opts.progress && ((f) => opts.progress!(f / 3)) },
  ];
}

function measuredAfter(pilot: Results, s: Scenario, opts: RunOptions): [Scenario, RunOptions, NonNullable<Results['scenario']['warmup_auto']>] {
  const series = pilot.series!;
  let windows = 0;
  let atLimit = false;
  for (const g of series.guests) {
    const cut = mser5(g.throughput);
    if (cut.windows > windows) windows = cut.windows;
    atLimit ||= cut.atLimit;
  }
  const cutNs = windows * series.interval_ns;
  const info = { method: 'MSER-5' as const, pilot_ns: pilot.run.simulated_ns, cut_ns: cutNs, at_limit: atLimit };
  return [{ ...s, warmup: cutNs, warmupAuto: false }, { ...opts, started: undefined, progress: opts.progress && ((f) => opts.progress!(1 / 3 + (2 * f) / 3)) }, info];
}

/** Run a scenario to the end (or until asked to stop) and collect its results. */
export function runScenario(s: Scenario, opts: RunOptions = {}): Outcome {
  const drive = (sc: Scenario, o: RunOptions) => {
    const run = new Run(sc, o);
    o.started?.();
    while (run.step());
    return run.finish();
  };
  if (!s.warmupAuto) return drive(s, opts);
  const pilot = drive(...pilotOf(s, opts));
  if (pilot.results.run.partial) return pilot;
  const [sc, o, info] = measuredAfter(pilot.results, s, opts);
  const out = drive(sc, o);
  out.results.scenario.warmup_auto = info;
  return out;
}

/**
 * The same run, yielding to the event loop every few slices so a command
 * line can react to Ctrl-C while it runs. Results are identical to
 * `runScenario`'s.
 */
export async function runScenarioAsync(s: Scenario, opts: RunOptions = {}): Promise<Outcome> {
  const drive = async (sc: Scenario, o: RunOptions) => {
    const run = new Run(sc, o);
    o.started?.();
    for (let k = 1; run.step(); k++) if (k % SLICES_PER_YIELD === 0) await new Promise((r) => setImmediate(r));
    return run.finish();
  };
  if (!s.warmupAuto) return drive(s, opts);
  const pilot = await drive(...pilotOf(s, opts));
  if (pilot.results.run.partial) return pilot;
  const [sc, o, info] = measuredAfter(pilot.results, s, opts);
  const out = await drive(sc, o);
  out.results.scenario.warmup_auto = info;
  return out;
}

/** Build the model and run it up to `at` (timeline included), for views of the state at that time. */
export function runTo(s: Scenario, at: number, progress?: (fraction: number) => void): Simulation {
  const sim = buildSimulation(s);
  new TimelineRunner(sim);
  // In slices for progress, as Run.step does: acting ahead stays within `at`.
  let t = 0;
  do {
    t = Math.min(at, t + SLICE_NS);
    sim.engine.runUntil(t, at);
    progress?.(at ? t / at : 1);
  } while (t < at);
  return sim;
}
