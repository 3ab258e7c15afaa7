import { LogHistogram } from '../host/stats.js';
import type { Guest } from '../host/guest.js';
import { batchMeansCi, sectionCi, SECTIONS, type Ci95 } from '../stats/interval.js';
import type { Results } from '../report/results.js';
import type { Sampler } from './sampler.js';

/**
 * Put a 95 % confidence interval beside every run figure of `r`, from the
 * sampler's per-window values (batch means) and the guests' per-section
 * latency histograms (sectioning). See src/stats/interval.ts.
 */
export function addIntervals(r: Results, guests: readonly Guest[], sampler: Sampler, percentiles: number[]): void {
  const series = r.series;
  if (!series) return;
  r.guests.forEach((g, i) => {
    g.throughput.per_second_ci95 = rounded(figureCi(sampler, i, 'throughput', g.throughput.per_second).ci, 1e3);
    g.steal_fraction_ci95 = rounded(figureCi(sampler, i, 'steal', g.steal_fraction).ci, 1e4);
    g.exits_per_second_ci95 = rounded(figureCi(sampler, i, 'exits', g.exits_per_second).ci, 1e3);
    const measured = r.run.simulated_ns;
    for (const [name, l] of Object.entries(g.latency)) {
      const sections = groupSections(guests[i], name, measured);
      const ci: Record<string, Ci95 | null> = {};
      for (const p of percentiles) {
        const key = `p${p}`;
        ci[key] = sections.length ? rounded(sectionCi(l.percentiles_ns[key], sections.map((h) => h.quantile(p / 100)), 'nonnegative'), 1) : null;
      }
      l.percentiles_ci95_ns = ci;
    }
  });
  r.pcpus.forEach((c, i) => {
    const idle = series.pcpu[i]?.share.idle;
    c.busy_fraction_ci95 = idle ? rounded(batchMeansCi(c.busy_fraction, idle.map((x) => 1 - x), 'share'), 1e4) : null;
  });
}

/** The per-guest figures whose intervals come from the sampling windows. */
export type WindowFigure = 'throughput' | 'exits' | 'steal';

/**
 * Guest i's figure and its batch-means interval from the first `n` sampling
 * windows: `value` is the figure as reported when given, else the windows'
 * own estimate (a precision run judges itself while it runs this way).
 * Steal is a ratio of sums (steal over runnable time), not a mean of ratios.
 */
export function figureCi(sampler: Sampler, i: number, figure: WindowFigure, value?: number, n = sampler.samples): { value: number; ci: Ci95 | null } {
  const w = sampler.windows[i];
  if (figure === 'steal') {
    const st = w.stealNs.subarray(0, n);
    const run = w.runnableNs.subarray(0, n);
    const v = value ?? sum(st) / (sum(run) || 1);
    return { value: v, ci: batchMeansCi(v, st, 'share', run) };
  }
  const perS = 1e9 / sampler.interval;
  const xs = figure === 'throughput' ? sampler.series.guests[i].throughput.slice(0, n) : Array.from(w.exits.subarray(0, n), (x) => x * perS);
  const v = value ?? (xs.length ? sum(xs) / xs.length : 0);
  return { value: v, ci: batchMeansCi(v, xs, 'nonnegative') };
}

function sum(xs: ArrayLike<number>): number {
  let t = 0;
  for (let i = 0; i < xs.length; i++) t += xs[i];
  return t;
}

/** Bounds rounded to 1/`per` (the precision the figure itself is reported with). */
function rounded(ci: Ci95 | null, per: number): Ci95 | null {
  if (ci) {
    ci.low = Math.round(ci.low * per) / per;
    ci.high = Math.round(ci.high * per) / per;
  }
  return ci;
}

/**
 * The guest's per-section histograms of `name` that lie wholly inside the
 * measured window, merged into at most `SECTIONS` groups of equal size (the
 * fine sections of a run that may stop early are grouped here).
 */
function groupSections(g: Guest, name: string, measuredNs: number): LogHistogram[] {
  const fine = g.sections.get(name);
  const spec = g.sectionSpec;
  if (!fine || !spec) return [];
  const whole = Math.min(spec.count, Math.floor(measuredNs / spec.lengthNs));
  const per = Math.max(1, Math.floor(whole / SECTIONS));
  const out: LogHistogram[] = [];
  for (let k = 0; k + per <= whole; k += per) {
    const h = new LogHistogram();
    for (let j = k; j < k + per; j++) if (fine[j]) h.merge(fine[j]!);
    out.push(h);
  }
  return out;
}
