/**
 * `simvm diff A.json B.json`: two reports (report.json), or two sweeps'
 * results (sweep.json), metric by metric.
 *
 *   A.json, B.json ──readResults──▶ report | sweep ──diffReports / diffSweeps──▶ rows ──▶ text | JSON | HTML
 *
 * Significance needs both runs' 95% confidence intervals. A sweep point
 * has them (its summary's ci_low / ci_high over replicates); a report has
 * one for a metric when its JSON carries the interval beside it
 * (`<metric>_ci95: {low, high}`, `percentiles_ci95_ns`; report version 2). The
 * difference is significant when it exceeds the combined half-width,
 * sqrt(hA² + hB²) (Welch's approach: the intervals' variances add).
 * Without both intervals the row says "no interval": simvm does not guess.
 */
import { readFileSync } from 'node:fs';
import { InputError, notJsonMessage } from '../util/errors.js';
import { table } from '../report/table.js';
import type { GuestResult, Results } from '../report/results.js';
import type { SweepDoc } from '../sweep/doc.js';

/** Largest results file read. */
export const MAX_RESULTS_BYTES = 256 * 1024 * 1024;

export type Significance = 'yes' | 'no' | 'no interval' | 'missing';

export interface DiffRow {
  /** Guest name (reports) or point key (sweeps). */
  scope: string;
  metric: string;
  a: number | null;
  b: number | null;
  /** b - a. */
  change: number | null;
  /** (b - a) / |a| x 100; null when a is 0 or missing. */
  percent: number | null;
  /** Half-widths of the 95% intervals, when known. */
  ci95_a: number | null;
  ci95_b: number | null;
  significant: Significance;
}

export interface Diff {
  kind: 'report' | 'sweep';
  a: string;
  b: string;
  rows: DiffRow[];
}

type Loaded = { kind: 'report'; doc: Results } | { kind: 'sweep'; doc: SweepDoc };

export function readResults(file: string): Loaded {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read: ${(e as Error).message}`, file, undefined, undefined, 'give a report.json (simvm run) or sweep.json (simvm sweep)');
  }
  if (text.length > MAX_RESULTS_BYTES) throw new InputError(`the file is larger than ${MAX_RESULTS_BYTES} bytes`, file, undefined, undefined, 'give a report.json or sweep.json that simvm wrote');
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(notJsonMessage(e), file, undefined, undefined, 'give a report.json (simvm run) or sweep.json (simvm sweep)');
  }
  if (doc && typeof doc === 'object' && doc.simvm && typeof doc.simvm.report_version === 'number' && Array.isArray(doc.guests)) return { kind: 'report', doc };
  if (doc && typeof doc === 'object' && doc.simvm && typeof doc.simvm.sweep_version === 'number' && Array.isArray(doc.points)) return { kind: 'sweep', doc };
  throw new InputError('not a simvm report or sweep results file', file, undefined, undefined, 'give a report.json (simvm run) or sweep.json (simvm sweep)');
}

/** A metric's value and the half-width of its 95% interval, if the JSON gives one beside it. */
interface Metric {
  value: number | null;
  ci95: number | null;
}

function metricAt(obj: any, key: string, ci: any = obj?.[`${key}_ci95`]): Metric {
  const v = obj?.[key];
  return { value: typeof v === 'number' && Number.isFinite(v) ? v : null, ci95: halfWidth(ci) };
}

/** Half-width of a report's interval (`{low, high, batches}`, or a bare half-width), or null. */
function halfWidth(ci: any): number | null {
  if (typeof ci === 'number') return Number.isFinite(ci) && ci >= 0 ? ci : null;
  if (ci && typeof ci.low === 'number' && typeof ci.high === 'number' && ci.high >= ci.low) return (ci.high - ci.low) / 2;
  return null;
}

/** The metrics compared per guest, in order. */
function guestMetrics(g: GuestResult, seconds: number): [string, Metric][] {
  const out: [string, Metric][] = [];
  out.push([`throughput (${g.throughput?.unit ?? 'ops'}/s)`, metricAt(g.throughput, 'per_second')]);
  for (const [name, l] of Object.entries(g.latency ?? {})) {
    out.push([`${name} latency mean (ns)`, metricAt(l, 'mean_ns')]);
    for (const p of Object.keys(l.percentiles_ns ?? {})) out.push([`${name} latency ${p} (ns)`, metricAt(l.percentiles_ns, p, l.percentiles_ci95_ns?.[p])]);
  }
  out.push(['steal (fraction)', metricAt(g, 'steal_fraction')]);
  // Reports before version 2 have no exits_per_second: from the counts.
  const exits = Object.values(g.exits ?? {}).reduce((s, x) => s + (typeof x === 'number' ? x : 0), 0);
  const eps = metricAt(g, 'exits_per_second');
  out.push(['exits/s', eps.value !== null ? eps : { value: seconds > 0 ? exits / seconds : null, ci95: null }]);
  out.push(['instructions/s', metricAt(g, 'instructions_per_second')]);
  return out;
}

function row(scope: string, metric: string, a: Metric | undefined, b: Metric | undefined): DiffRow {
  const va = a?.value ?? null;
  const vb = b?.value ?? null;
  const change = va !== null && vb !== null ? vb - va : null;
  const percent = change !== null && va !== null && va !== 0 ? (change / Math.abs(va)) * 100 : null;
  const ha = a?.ci95 ?? null;
  const hb = b?.ci95 ?? null;
  let significant: Significance;
  if (change === null) significant = 'missing';
  else if (ha === null || hb === null) significant = 'no interval';
  else significant = Math.abs(change) > Math.sqrt(ha * ha + hb * hb) ? 'yes' : 'no';
  return { scope, metric, a: va, b: vb, change, percent, ci95_a: ha, ci95_b: hb, significant };
}

export function diffReports(a: Results, b: Results, names: [string, string]): Diff {
  const rows: DiffRow[] = [];
  const secs = (r: Results) => (r.run?.simulated_ns ?? 0) / 1e9;
  const bByName = new Map(b.guests.map((g) => [g.name, g]));
  const shared = a.guests.filter((g) => bByName.has(g.name));
  if (!shared.length) throw new InputError(`the two reports share no guest (${names[0]}: ${a.guests.map((g) => g.name).join(', ') || 'none'}; ${names[1]}: ${b.guests.map((g) => g.name).join(', ') || 'none'})`, names[1], undefined, undefined, 'compare two runs of the same scenario, e.g. with a --set changed');
  for (const ga of a.guests) {
    const gb = bByName.get(ga.name);
    const ma = guestMetrics(ga, secs(a));
    const mb = gb ? new Map(guestMetrics(gb, secs(b))) : new Map<string, Metric>();
    for (const [k, m] of ma) rows.push(row(ga.name, k, m, mb.get(k)));
    if (gb) for (const [k, m] of guestMetrics(gb, secs(b))) if (!ma.some(([x]) => x === k)) rows.push(row(ga.name, k, undefined, m));
  }
  for (const gb of b.guests) if (!a.guests.some((g) => g.name === gb.name)) for (const [k, m] of guestMetrics(gb, secs(b))) rows.push(row(gb.name, k, undefined, m));
  return { kind: 'report', a: names[0], b: names[1], rows };
}

const pointMetric = (s: { mean: number | null; ci_low: number | null; ci_high: number | null } | undefined): Metric | undefined =>
  s ? { value: s.mean, ci95: s.ci_low !== null && s.ci_high !== null && s.mean !== null ? (s.ci_high - s.ci_low) / 2 : null } : undefined;

export function diffSweeps(a: SweepDoc, b: SweepDoc, names: [string, string]): Diff {
  const rows: DiffRow[] = [];
  const bByKey = new Map(b.points.map((p) => [p.key, p]));
  if (!a.points.some((p) => bByKey.has(p.key))) {
    throw new InputError(`the two sweeps share no point (${names[0]}: ${a.points.slice(0, 3).map((p) => p.key).join('; ')}...; ${names[1]}: ${b.points.slice(0, 3).map((p) => p.key).join('; ')}...)`, names[1], undefined, undefined, 'compare two runs of the same sweep (same parameters and values)');
  }
  for (const pa of a.points) {
    const pb = bByKey.get(pa.key);
    const keys = [...Object.keys(pa.summary), ...(pb ? Object.keys(pb.summary).filter((k) => !Object.hasOwn(pa.summary, k)) : [])];
    for (const k of keys) rows.push(row(pa.key, k, pointMetric(pa.summary[k]), pointMetric(pb?.summary[k])));
  }
  for (const pb of b.points) if (!a.points.some((p) => p.key === pb.key)) for (const k of Object.keys(pb.summary)) rows.push(row(pb.key, k, undefined, pointMetric(pb.summary[k])));
  return { kind: 'sweep', a: names[0], b: names[1], rows };
}

/** Read two results files and compare them. */
export function diffFiles(fileA: string, fileB: string): Diff {
  const a = readResults(fileA);
  const b = readResults(fileB);
  if (a.kind !== b.kind) throw new InputError(`${fileA} is a ${a.kind === 'report' ? 'report' : 'sweep results file'} and ${fileB} a ${b.kind === 'report' ? 'report' : 'sweep results file'}`, fileB, undefined, undefined, 'compare two report.json files, or two sweep.json files');
  return a.kind === 'report' ? diffReports(a.doc, (b as { doc: Results }).doc, [fileA, fileB]) : diffSweeps(a.doc, (b as { doc: SweepDoc }).doc, [fileA, fileB]);
}

/** Numbers for the table: 4 significant digits, no exponent for everyday sizes. */
export function fmt(x: number | null): string {
  if (x === null) return '-';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e15 || a < 1e-4) return x.toExponential(3);
  if (Number.isInteger(x)) return String(x);
  return a >= 1000 ? x.toFixed(0) : Number(x.toPrecision(4)).toString();
}

const sign = (x: number | null, text: string) => (x !== null && x > 0 ? `+${text}` : text);
const pct = (x: number | null) => (x === null ? '-' : sign(x, `${x.toFixed(1)}%`));

function cells(r: DiffRow): string[] {
  return [r.scope, r.metric, fmt(r.a), fmt(r.b), sign(r.change, fmt(r.change)), pct(r.percent), r.significant];
}

const HEAD = (d: Diff) => [d.kind === 'report' ? 'guest' : 'point', 'metric', 'A', 'B', 'change', 'change %', 'significant'];

export function renderDiffText(d: Diff): string {
  return `A: ${d.a}\nB: ${d.b}\n\n` + table(HEAD(d), d.rows.map(cells), ['l', 'l', 'r', 'r', 'r', 'r', 'l']) + '\n';
}

export function renderDiffJson(d: Diff): string {
  return JSON.stringify(d, null, 2) + '\n';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderDiffHtml(d: Diff): string {
  const head = HEAD(d).map((h) => `<th>${esc(h)}</th>`).join('');
  const body = d.rows.map((r) => `<tr class="sig-${r.significant.replace(' ', '-')}">${cells(r).map((c, i) => `<td${i >= 2 && i <= 5 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>simvm diff</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; }
th, td { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.sig-yes td { background: #fff4d6; }
</style>
</head>
<body>
<h1>simvm diff</h1>
<p>A: ${esc(d.a)}<br>B: ${esc(d.b)}</p>
<p>Significant: the change exceeds sqrt(hA² + hB²), the two 95% half-widths combined; "no interval" when either run gives none.</p>
<table>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}
