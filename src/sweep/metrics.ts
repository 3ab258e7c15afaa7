import type { Results } from '../report/results.js';
import type { Scenario } from '../scenario/load.js';
import { formatNs, nsToSeconds } from '../engine/time.js';
import { clean } from './stats.js';

/**
 * The figures a sweep keeps of each run, flat and named by path:
 *
 *   guests.<guest>.throughput               work units per second (the workload's counter)
 *   guests.<guest>.p<P>_latency             percentile P of the guest's first latency histogram, ns
 *   guests.<guest>.mean_latency, max_latency
 *   guests.<guest>.steal                    fraction of runnable vCPU time spent waiting for a pCPU
 *   guests.<guest>.exits_per_second, instructions_per_second
 *   host.busy                               mean busy fraction of the pCPUs
 *   host.context_switches_per_second
 *
 * A metric a run cannot produce (a latency percentile with no samples) is null.
 */
export type Metrics = Record<string, number | null>;

export type MetricUnit = 'ns' | 'fraction' | 'rate' | 'number';

const num = (x: number | undefined | null): number | null => (typeof x === 'number' && Number.isFinite(x) ? clean(x) : null);

export const HOST_METRICS = ['host.busy', 'host.context_switches_per_second'] as const;

/** The flat metrics of one run's results. */
export function metricsOf(r: Results): Metrics {
  const out: Metrics = {};
  const secs = nsToSeconds(r.run.simulated_ns);
  const perSec = (x: number) => (secs > 0 ? num(x / secs) : null);
  for (const g of r.guests) {
    const p = `guests.${g.name}.`;
    out[`${p}throughput`] = num(g.throughput.per_second);
    // The first histogram is the one the workload names as its latency (the terminal report shows the same one).
    const first = Object.keys(g.latency)[0];
    const L = first !== undefined ? g.latency[first] : undefined;
    if (L) {
      const empty = L.count === 0;
      for (const [k, v] of Object.entries(L.percentiles_ns)) out[`${p}${k}_latency`] = empty ? null : num(v);
      out[`${p}mean_latency`] = empty ? null : num(L.mean_ns);
      out[`${p}max_latency`] = empty ? null : num(L.max_ns);
    }
    out[`${p}steal`] = num(g.steal_fraction);
    out[`${p}exits_per_second`] = perSec(Object.values(g.exits).reduce((a, b) => a + b, 0));
    out[`${p}instructions_per_second`] = num(g.instructions_per_second);
  }
  out['host.busy'] = r.pcpus.length ? num(r.pcpus.reduce((a, c) => a + c.busy_fraction, 0) / r.pcpus.length) : null;
  out['host.context_switches_per_second'] = perSec(r.pcpus.reduce((a, c) => a + c.context_switches, 0));
  return out;
}

/** The guest names a scenario's results will have (copies of `count: n` guests are name-1..name-n). */
export function guestNames(s: Scenario): string[] {
  return s.guests.flatMap((g) => (g.count > 1 ? Array.from({ length: g.count }, (_, k) => `${g.name}-${k + 1}`) : [g.name]));
}

/** The metric names a run of this scenario reports, known before running it (to check expectations early). */
export function metricNames(s: Scenario): string[] {
  const out: string[] = [];
  for (const g of s.guests) {
    const hasLatency = g.instance.latencies.length > 0;
    for (const name of g.count > 1 ? Array.from({ length: g.count }, (_, k) => `${g.name}-${k + 1}`) : [g.name]) {
      const p = `guests.${name}.`;
      out.push(`${p}throughput`);
      if (hasLatency) {
        for (const pc of s.report.percentiles) out.push(`${p}p${pc}_latency`);
        out.push(`${p}mean_latency`, `${p}max_latency`);
      }
      out.push(`${p}steal`, `${p}exits_per_second`, `${p}instructions_per_second`);
    }
  }
  out.push(...HOST_METRICS);
  return out;
}

/** What a metric counts, from its name. */
export function metricUnit(name: string): MetricUnit {
  if (/_latency$/.test(name)) return 'ns';
  if (/(^|\.)(steal|busy)$/.test(name)) return 'fraction';
  if (/(throughput|_per_second)$/.test(name)) return 'rate';
  return 'number';
}

const si = (x: number) => {
  const a = Math.abs(x);
  if (x === 0) return '0';
  return a >= 1e9 ? `${(x / 1e9).toFixed(2)}G` : a >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : a >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(a >= 100 ? 0 : a >= 1 ? 1 : 3);
};

/** A value as people read it: `3.64us`, `84.4%`, `178.2k`. */
export function formatValue(x: number | null | undefined, unit: MetricUnit): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  switch (unit) {
    case 'ns':
      return formatNs(x);
    case 'fraction':
      return `${(x * 100).toFixed(1)}%`;
    case 'rate':
    case 'number':
      return si(x);
  }
}

/** How charts show a metric: latencies in µs, fractions in %, the rest as they are. */
export function chartScale(name: string): { factor: number; suffix: string } {
  const u = metricUnit(name);
  return u === 'ns' ? { factor: 1e-3, suffix: ' (µs)' } : u === 'fraction' ? { factor: 100, suffix: ' (%)' } : u === 'rate' ? { factor: 1, suffix: ' (/s)' } : { factor: 1, suffix: '' };
}
