/**
 * The sweep's charts: per guest, what it got (throughput, tail latency)
 * beside why (VM exits, steal), then the host, each against the swept
 * parameter: the mean as a dot with its 95% confidence interval as a bar,
 * joined by a line along a numeric parameter, one colour per combination
 * of the other parameters (side by side when the x parameter is a
 * category). Titles and axes name the quantity and its unit in words.
 *
 *   SweepDoc ──axis──▶ x parameter, series ──per guest: what | why──▶ vega-lite concat ──htmlPage──▶ page
 */
import { htmlPage, type HtmlSection, type HtmlTable } from '../report/html.js';
import type { SweepDoc } from './doc.js';
import { describeOutcome, statusWord } from './expect.js';
import { chartScale, metricUnit } from './metrics.js';
import { describePoint, shortNames } from './plan.js';
import { formatSummary, sweepGuests } from './text.js';

const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 260, orient: 'bottom', direction: 'vertical', columns: 4 },
};
/** Guests charted; every guest's metrics are in sweep.json. */
const MAX_GUESTS = 6;

/** The parameter on the x axis: the first that varies with numeric values, else the first that varies. */
export function xParam(doc: SweepDoc): number {
  const varies = doc.sweep.params.map((p, i) => ({ p, i })).filter(({ p }) => p.values.length > 1);
  return (varies.find(({ p }) => p.values.every((v) => v.x !== null)) ?? varies[0])?.i ?? -1;
}

/** What a guest did (left column) and why (right column): throughput beside VM exits, tail latency beside steal. */
const WHAT_WHY: [string, string][] = [
  ['throughput', 'exits_per_second'],
  ['p99_latency', 'steal'],
];
const HOST_PAIR: [string, string] = ['host.busy', 'host.context_switches_per_second'];

/** Metrics charted, in page order: per guest (at most MAX_GUESTS) what and why, then the host. */
export function chartMetrics(doc: SweepDoc): string[] {
  const present = new Set(doc.points.flatMap((p) => Object.keys(p.summary)));
  const out: string[] = [];
  for (const g of sweepGuests(doc).slice(0, MAX_GUESTS)) for (const pair of WHAT_WHY) for (const m of pair) out.push(`guests.${g}.${m}`);
  out.push(...HOST_PAIR);
  return out.filter((m) => present.has(m));
}

/** The words for the last part of a parameter's path; the path itself when there are none. */
const PARAM_WORDS: Record<string, string> = {
  smp: 'vCPUs',
  cpus: 'host pCPUs',
  count: 'copies',
  workload: 'workload',
  rate: 'arrival rate',
  service: 'service time',
  critical: 'critical section',
  noncritical: 'work between locks',
  ple: 'pause-loop exiting',
  ple_window: 'PLE window',
  halt_poll_ns: 'halt-poll time',
  halt_poll: 'halt-poll time',
  scheduler: 'host scheduler',
  pin: 'vCPU pinning',
  machine: 'machine type',
  model: 'CPU model',
  smt_factor: 'SMT factor',
};

/** A parameter in words: `vCPUs of db`, `host pCPUs`, `pause-loop exiting`. */
export function paramWords(path: string): string {
  const parts = path.split('.');
  const last = parts[parts.length - 1];
  const words = PARAM_WORDS[last];
  if (!words) return path;
  const guest = parts[0] === 'guests' && parts.length > 2 ? parts[1] : null;
  return guest ? `${words} of ${guest}` : words;
}

/** A metric in words with its unit, for titles and axes: `throughput (lock ops/s)`, `p99 latency (µs)`. */
export function metricWords(metric: string, throughputUnit = 'operations'): { name: string; axis: string } {
  const m = /^guests\.([^.]+)\.(.+)$/.exec(metric);
  const what = m ? m[2] : metric;
  const p = /^p([0-9.]+)_latency$/.exec(what);
  const table: Record<string, [string, string]> = {
    throughput: ['throughput', `${throughputUnit}/s`],
    mean_latency: ['mean latency', 'µs'],
    max_latency: ['largest latency', 'µs'],
    steal: ['steal', '% of vCPU time'],
    exits_per_second: ['VM exits', 'exits/s'],
    instructions_per_second: ['guest instructions', 'instructions/s'],
    'host.busy': ['host pCPUs busy', '% of pCPU time'],
    'host.context_switches_per_second': ['host context switches', 'switches/s'],
  };
  const [name, unit] = p ? [`p${p[1]} latency`, 'µs'] : (table[what] ?? [what, '']);
  return { name, axis: unit ? `${name} (${unit})` : name };
}

interface Row {
  x: number | string;
  series: string;
  mean: number | null;
  lo: number | null;
  hi: number | null;
  n: number;
  shown: string;
  point: string;
}

/** vega-lite specs: per guest, what it did beside why (two columns), then the host. */
export function sweepCharts(doc: SweepDoc): HtmlSection[] {
  const xi = xParam(doc);
  if (xi < 0) return [];
  const params = doc.sweep.params;
  const xp = params[xi];
  const numeric = xp.values.every((v) => v.x !== null);
  const others = params.map((p, i) => ({ p, i })).filter(({ p, i }) => i !== xi && p.values.length > 1);
  const seriesTitle = others.map(({ p }) => paramWords(p.path)).join(', ');
  const xWords = paramWords(xp.path);
  const xTitle = `${xWords}${numeric && xp.values.some((v) => typeof v.value === 'string') ? ' (ns)' : ''}`;
  const integers = numeric && xp.values.every((v) => Number.isInteger(v.x));
  const seriesOf = (p: SweepDoc['points'][number]) => others.map(({ p: q }) => p.params[q.path]).join(', ') || 'all';
  const seriesNames = [...new Set(doc.points.map(seriesOf))];
  const present = new Set(chartMetrics(doc));

  /** One small chart of a metric over the points (only those `keep` accepts). */
  const chart = (metric: string, title: string, axis: string, keep: (p: SweepDoc['points'][number]) => boolean = () => true): object => {
    const unit = metricUnit(metric);
    const { factor } = chartScale(metric);
    const y = (v: number | null) => (v === null ? null : v * factor);
    const values: Row[] = doc.points
      .filter((p) => keep(p) && p.summary[metric] !== undefined && p.summary[metric].mean !== null)
      .map((p) => {
        const s = p.summary[metric];
        const v = xp.values.find((q) => q.label === p.params[xp.path])!;
        return { x: numeric ? v.x! : v.label, series: seriesOf(p), mean: y(s.mean), lo: y(s.ci_low ?? s.mean), hi: y(s.ci_high ?? s.mean), n: s.n, shown: formatSummary(s, metric), point: describePoint(p.params, true) };
      });
    const means = values.map((v) => v.mean).filter((m): m is number => m !== null && m > 0);
    // Latencies span orders of magnitude across a sweep (ns when a vCPU runs alone, ms when it queues): a log axis keeps both readable.
    const log = unit === 'ns' && means.length > 1 && Math.max(...means) / Math.min(...means) > 100;
    // A log axis has no place for zero or an interval reaching below it: those ends are left out, not faked.
    if (log) for (const v of values) for (const k of ['mean', 'lo', 'hi'] as const) if (v[k] !== null && v[k]! <= 0) v[k] = null;
    const yScale = log ? { type: 'log' } : { zero: true };
    const xEnc = numeric
      ? { field: 'x', type: 'quantitative', title: xTitle, scale: { zero: false }, ...(integers && { axis: { tickMinStep: 1, format: 'd' } }) }
      : { field: 'x', type: 'nominal', title: xTitle, sort: xp.values.map((v) => v.label), axis: { labelAngle: 0 } };
    const color = { field: 'series', type: 'nominal', title: seriesTitle || null, sort: seriesNames, ...(!others.length && { legend: null }) };
    // Categories side by side within each x category (a grouped dot plot); numeric x keeps one position per value.
    const offset = !numeric && others.length ? { xOffset: { field: 'series', type: 'nominal', sort: seriesNames } } : {};
    const tooltip = [
      { field: 'point', title: 'point' },
      { field: 'shown', title: axis },
      { field: 'n', title: 'replicates' },
    ];
    const layers: object[] = [
      // Clipped: an interval can reach below zero for a quantity that cannot, and the axis stays at the data.
      { mark: { type: 'rule', strokeWidth: 2, opacity: 0.55, clip: true }, encoding: { y: { field: 'lo', type: 'quantitative', title: axis, scale: yScale }, y2: { field: 'hi' }, tooltip } },
      { mark: { type: 'point', filled: true, size: 50 }, encoding: { y: { field: 'mean', type: 'quantitative', title: axis }, tooltip } },
    ];
    // Lines only join points along a numeric parameter; categories are not a continuum.
    if (numeric) layers.splice(1, 0, { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { y: { field: 'mean', type: 'quantitative', title: axis } } });
    return { title: { text: title, anchor: 'start', fontSize: 13, fontWeight: 'normal' }, width: 400, height: 200, data: { values }, encoding: { x: xEnc, color, ...offset }, layer: layers };
  };

  const unitsOf = (guest: string) => [...new Set(doc.points.map((p) => p.throughput_units?.[guest] ?? 'operations'))];
  const section = (title: string, caption: string, charts: object[]): HtmlSection => ({
    title,
    caption,
    spec: { $schema: VL_SCHEMA, config: CONFIG, columns: 2, spacing: { column: 40, row: 24 }, concat: charts, resolve: { scale: { color: 'shared' } } },
  });
  const band = `Mean over replicates (dot) with its 95% confidence interval (bar)${numeric ? `, joined along ${xWords}` : ''}${others.length ? `; one colour per ${seriesTitle}` : ''}.`;
  const out: HtmlSection[] = [];
  for (const g of sweepGuests(doc).slice(0, MAX_GUESTS)) {
    const cells: object[] = [];
    for (const [what, why] of WHAT_WHY) {
      const wm = `guests.${g}.${what}`;
      const ym = `guests.${g}.${why}`;
      const whats: object[] = [];
      if (present.has(wm)) {
        const units = what === 'throughput' ? unitsOf(g) : [undefined];
        // Throughputs that count different things (lock ops, requests) get a chart each, never one scale for both.
        for (const u of units) {
          const w = metricWords(wm, u);
          const keep = units.length > 1 ? (p: SweepDoc['points'][number]) => (p.throughput_units?.[g] ?? 'operations') === u : undefined;
          whats.push(chart(wm, `${cap(w.name)} of ${g} (${w.axis.replace(/^.*\(|\)$/g, '')}) by ${xWords}`, w.axis, keep));
        }
      }
      const yw = metricWords(ym);
      const whys = present.has(ym) ? [chart(ym, `${cap(yw.name)} of ${g} (${yw.axis.replace(/^.*\(|\)$/g, '')}) by ${xWords}`, yw.axis)] : [];
      for (let k = 0; k < Math.max(whats.length, whys.length); k++) {
        cells.push(whats[k] ?? chartGap(), whys[k] ?? chartGap());
      }
    }
    if (cells.length) {
      out.push(section(`${g}: what it did and why, by ${xWords}`, `Left, what the guest got (throughput: higher is better; tail latency: lower is better${unitsOf(g).length > 1 ? '; one throughput chart per unit of work' : ''}); right, why (VM exits per second; steal, the share of its vCPU time spent waiting for a pCPU). ${band}`, cells));
    }
  }
  const host = HOST_PAIR.filter((m) => present.has(m)).map((m) => {
    const w = metricWords(m);
    return chart(m, `${cap(w.name)} (${w.axis.replace(/^.*\(|\)$/g, '')}) by ${xWords}`, w.axis);
  });
  if (host.length) out.push(section(`The host, by ${xWords}`, `How busy the host's pCPUs were and how often it switched threads on them. ${band}`, host));
  return out;
}

/** A title's first word capitalised, except a percentile (`p99 latency`). */
const cap = (s: string) => (/^p[0-9]/.test(s) ? s : s[0].toUpperCase() + s.slice(1));

/** An empty cell of a two-column chart grid. */
const chartGap = (): object => ({ width: 400, height: 200, data: { values: [{}] }, mark: { type: 'text', text: '' } });

/** The sweep's HTML page: a summary, the points, the checks, then the charts. */
export function renderSweepHtml(doc: SweepDoc): string {
  const s = doc.sweep;
  const short = shortNames(s.params.map((p) => p.path));
  // Wide enough for a page: the median latency and the host are in the charts.
  const tableMetrics = chartMetrics(doc).filter((m) => !/p50_latency$|^host\./.test(m)).slice(0, 8);
  const tables: HtmlTable[] = [
    {
      title: 'Points (mean ± half-width of the 95% CI)',
      columns: ['#', ...short, ...tableMetrics.map((m) => `${/^guests\.([^.]+)\./.exec(m)?.[1] ?? ''} ${metricWords(m).name}`.trim()), 'replicates'],
      rows: doc.points.map((p) => [p.index + 1, ...s.params.map((q) => p.params[q.path]), ...tableMetrics.map((m) => formatSummary(p.summary[m], m)), p.runs.length]),
    },
  ];
  if (doc.expect.checks.length) {
    tables.push({
      title: `Expectations: ${doc.expect.passed} passed, ${doc.expect.failed} failed, ${doc.expect.undecided ?? 0} undecided, ${doc.expect.skipped} skipped`,
      columns: ['result', 'check', 'point', 'got'],
      rows: doc.expect.checks.flatMap((c) => c.results.map((r) => [statusWord(r.status), c.name, describePoint(doc.points[r.point].params, true), describeOutcome(r)])),
    });
  }
  const runs = doc.points.reduce((a, p) => a + p.runs.length, 0);
  const all = doc.points.reduce((a, p) => a + p.seeds.length, 0);
  return htmlPage({
    title: `simvm sweep: ${s.name}`,
    description: s.description,
    warning: !doc.complete ? `Incomplete: ${runs} of ${all} runs${doc.shard ? ` (shard ${doc.shard}; merge the shards with simvm merge)` : ''}.` : doc.expect.failed ? `${doc.expect.failed} expectation check(s) failed.` : undefined,
    meta: [
      ['sweep file', s.file],
      ['parameters', s.params.map((p) => `${p.path}: ${p.values.map((v) => v.label).join(', ')}`).join('\n') || '(none: one point)'],
      ['points', `${doc.points.length} (${s.mode}) x ${s.replicates} replicate(s), seeds derived from ${s.seed}`],
      ...(s.baseline ? [['baseline', Object.entries(s.baseline).map(([k, v]) => `${k}=${v}`).join(', ')] as [string, string]] : []),
    ],
    tables,
    sections: sweepCharts(doc),
  });
}
