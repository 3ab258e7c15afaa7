/**
 * The sweep's charts: each headline metric against the swept parameter,
 * the mean as a line and its 95% confidence interval as a band, one colour
 * per combination of the other parameters.
 *
 *   SweepDoc ──axis──▶ x parameter, series ──per metric──▶ vega-lite spec ──htmlPage──▶ page
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
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 260 },
};
const WIDTH = 700;
/** Guests charted; every guest's metrics are in sweep.json. */
const MAX_GUESTS = 6;

/** The parameter on the x axis: the first that varies with numeric values, else the first that varies. */
export function xParam(doc: SweepDoc): number {
  const varies = doc.sweep.params.map((p, i) => ({ p, i })).filter(({ p }) => p.values.length > 1);
  return (varies.find(({ p }) => p.values.every((v) => v.x !== null)) ?? varies[0])?.i ?? -1;
}

/** Metrics worth a chart: per guest throughput, median and tail latency, steal; the host's busy fraction. */
export function chartMetrics(doc: SweepDoc): string[] {
  const present = new Set(doc.points.flatMap((p) => Object.keys(p.summary)));
  const out: string[] = [];
  for (const g of sweepGuests(doc).slice(0, MAX_GUESTS)) for (const m of ['throughput', 'p50_latency', 'p99_latency', 'steal']) out.push(`guests.${g}.${m}`);
  out.push('host.busy');
  return out.filter((m) => present.has(m));
}

/** vega-lite specs, one per chart metric. */
export function sweepCharts(doc: SweepDoc): HtmlSection[] {
  const xi = xParam(doc);
  if (xi < 0) return [];
  const params = doc.sweep.params;
  const xp = params[xi];
  const numeric = xp.values.every((v) => v.x !== null);
  const others = params.map((p, i) => ({ p, i })).filter(({ p, i }) => i !== xi && p.values.length > 1);
  const short = shortNames(params.map((p) => p.path));
  const seriesTitle = others.map(({ i }) => short[i]).join(', ');
  const xTitle = `${xp.path}${numeric && xp.values.some((v) => typeof v.value === 'string') ? ' (ns)' : ''}`;
  const ones = sweepGuests(doc).length === 1;
  const integers = numeric && xp.values.every((v) => Number.isInteger(v.x));
  return chartMetrics(doc).map((metric) => {
    const unit = metricUnit(metric);
    const { factor, suffix } = chartScale(metric);
    const y = (v: number | null) => (v === null ? null : v * factor);
    const values = doc.points
      .filter((p) => p.summary[metric]?.mean !== null && p.summary[metric] !== undefined)
      .map((p) => {
        const s = p.summary[metric];
        const v = xp.values.find((q) => q.label === p.params[xp.path])!;
        return {
          x: numeric ? v.x : v.label,
          series: others.map(({ p: q }) => p.params[q.path]).join(', ') || 'all',
          mean: y(s.mean),
          lo: y(s.ci_low ?? s.mean),
          hi: y(s.ci_high ?? s.mean),
          n: s.n,
          shown: formatSummary(s, metric),
          point: describePoint(p.params, true),
        };
      });
    const xEnc = numeric ? { field: 'x', type: 'quantitative', title: xTitle, scale: { zero: false }, ...(integers && { axis: { tickMinStep: 1, format: 'd' } }) } : { field: 'x', type: 'ordinal', title: xTitle, sort: xp.values.map((v) => v.label) };
    const color = others.length ? { field: 'series', type: 'nominal', title: seriesTitle } : { value: '#2c6fbb' };
    const yTitle = `${ones ? metric.replace(/^guests\.[^.]+\./, '') : metric}${suffix}`;
    const means = values.map((v) => v.mean).filter((m): m is number => m !== null && m > 0);
    // Latencies span orders of magnitude across a sweep (ns when a vCPU runs alone, ms when it queues): a log axis keeps both readable.
    const log = unit === 'ns' && means.length > 1 && Math.max(...means) / Math.min(...means) > 100;
    const yScale = log ? { type: 'log' } : { zero: true };
    // A log axis has no place for zero or an interval reaching below it: those band ends are left out, not faked.
    if (log) for (const v of values) for (const k of ['mean', 'lo', 'hi'] as const) if (v[k] !== null && v[k]! <= 0) v[k] = null;
    const layers = [
      // Clipped: an interval can reach below zero for a quantity that cannot, and the axis stays at the data.
      { mark: { type: 'errorband', opacity: 0.2, clip: true }, encoding: { y: { field: 'lo', type: 'quantitative', title: yTitle, scale: yScale }, y2: { field: 'hi' } } },
      {
        mark: { type: 'line', point: true },
        encoding: {
          y: { field: 'mean', type: 'quantitative', title: yTitle },
          tooltip: [
            { field: 'point', title: 'point' },
            { field: 'shown', title: metric },
            { field: 'n', title: 'replicates' },
          ],
        },
      },
    ];
    // Throughput counts what each workload does (lock ops, requests): when series differ that much they are different
    // workloads, drawn one panel each with its own scale rather than one flattening the other.
    const bySeries = new Map<string, number>();
    for (const v of values) if (v.mean !== null) bySeries.set(v.series, Math.max(bySeries.get(v.series) ?? 0, Math.abs(v.mean)));
    const peaks = [...bySeries.values()].filter((m) => m > 0);
    const panels = /\.throughput$/.test(metric) && peaks.length > 1 && Math.max(...peaks) / Math.min(...peaks) > 4;
    const body = { encoding: { x: xEnc, color }, layer: layers };
    const spec = panels
      ? { $schema: VL_SCHEMA, config: CONFIG, data: { values }, facet: { row: { field: 'series', type: 'nominal', title: seriesTitle } }, spec: { width: WIDTH, height: 160, ...body }, resolve: { scale: { y: 'independent' } } }
      : { $schema: VL_SCHEMA, config: CONFIG, width: WIDTH, height: 260, data: { values }, ...body };
    const what = unit === 'ns' ? `lower is better${log ? '; log scale' : ''}` : unit === 'fraction' ? 'share of time' : 'higher is better';
    return {
      title: `${metric} vs ${xp.path}`,
      caption: `Mean over replicates (line) and its 95% confidence interval (band)${others.length ? `, ${panels ? 'one panel with its own scale' : 'one colour'} per ${seriesTitle}` : ''}; ${what}.`,
      spec,
    };
  });
}

/** The sweep's HTML page: a summary, the points, the checks, then the charts. */
export function renderSweepHtml(doc: SweepDoc): string {
  const s = doc.sweep;
  const short = shortNames(s.params.map((p) => p.path));
  // Wide enough for a page: the median latency and the host are in the charts.
  const tableMetrics = chartMetrics(doc).filter((m) => !/p50_latency$|^host\./.test(m)).slice(0, 8);
  const tables: HtmlTable[] = [
    {
      title: 'Points (mean ± half-width of the 95% CI)',
      columns: ['#', ...short, ...tableMetrics, 'replicates'],
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
