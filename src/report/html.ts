/**
 * The HTML report: one self-contained page per run that opens offline.
 *
 *   Results ──specs──▶ vega-lite specs ──htmlPage: compile──▶ vega specs in a page with the vega runtime inlined
 *                                                                └─ in the browser: vega.View(spec) → SVG
 *
 * Safety: every piece of scenario text is HTML-escaped; specs travel as JSON
 * in `<script type="application/json">` with `<`, `>` and `&` written as
 * \u escapes, so no name can close the script element; and a
 * Content-Security-Policy allows only the page's own scripts (by hash) and
 * no network at all, so even a mistake in escaping cannot load or run
 * anything else.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatNs, nsToSeconds } from '../engine/time.js';
import { VERSION } from '../version.js';
import { formatNumber, measurementNotes, plusMinus as pm, sharePlusMinus as sharePm } from './format.js';
import type { Results } from './results.js';
import type { Series } from './results.js';

/** One chart of a page: a heading, a one-line "what to look for", and a vega-lite spec. */
export interface HtmlSection {
  title: string;
  caption: string;
  spec: object;
}

/** A plain table shown under the page header (cells are escaped). */
export interface HtmlTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  /** A line under the table (what its notation means). */
  note?: string;
}

/** A cell that reads as a number (`1,234 ±0.8%`, `12.5±0.3%`, `155us`): right-aligned. */
const numeric = (v: string | number) => typeof v === 'number' || /^[0-9][0-9.,]*(\s?±|[a-zµ%]|$)/.test(v);

export interface HtmlDoc {
  title: string;
  description?: string;
  /** Label/value pairs shown under the title (host summary, seed, ...). */
  meta?: [string, string][];
  /** A warning shown prominently (e.g. a partial run). */
  warning?: string;
  tables?: HtmlTable[];
  sections: HtmlSection[];
}

/** vega-lite schema major version the specs are written for (the inlined runtime is v6). */
const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Most points per series drawn: longer series are averaged in consecutive groups, so a fine sample interval cannot make the page huge. */
export const MAX_CHART_POINTS = 400;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * JSON that is safe inside a `<script>` element: `<`, `>`, `&` and the JS
 * line separators become \u escapes, which JSON.parse reads back unchanged.
 */
export function jsonForScript(x: unknown): string {
  return JSON.stringify(x).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A file inside an installed package, found from the package's own directory (these packages do not export their build/ files). */
function packageFile(pkg: string, rel: string): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return join(dir, rel);
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the directory of package ${pkg}`);
    dir = up;
  }
}

/**
 * The vega runtime: vega itself, then vega-interpreter, which evaluates
 * the specs' expressions without `new Function`, so the page's CSP needs no
 * 'unsafe-eval'. vega-interpreter ships only as an ES module importing from
 * vega-util; vega re-exports those names, so its import becomes a read of
 * the `vega` global and its export a global of its own. Source-map comments
 * are dropped: the browser would try to fetch them.
 */
function runtimeScripts(): string[] {
  const strip = (f: string) => readFileSync(f, 'utf8').replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '\n');
  const interp = strip(packageFile('vega-interpreter', 'build/vega-interpreter.js'));
  const imp = /^import \{([^}]*)\} from 'vega-util';\n/m;
  const exp = /^export \{ expression as expressionInterpreter \};\n/m;
  // Checked so an update of either package that changes these lines fails loudly instead of breaking the page.
  if (!imp.test(interp) || !exp.test(interp)) throw new Error('vega-interpreter no longer has the import and export lines this page rewrites');
  const interpScript = `(() => {\nconst {${interp.match(imp)![1]}} = vega;\n${interp.replace(imp, '').replace(exp, 'globalThis.vegaExpressionInterpreter = expression;\n')}})();\n`;
  return [strip(packageFile('vega', 'build/vega.min.js')), interpScript].map((src) => {
    // Neither can occur in the shipped builds; checked so an update that adds one fails loudly instead of breaking the page.
    if (/<\/script|<!--/i.test(src)) throw new Error('the vega runtime contains text that would end its inline <script>');
    return src;
  });
}

/** Runs in the page: draw every chart (specs are Vega, compiled from Vega-Lite in Node), mark each container with the outcome, then the body. */
const PAGE_SCRIPT = `(() => {
  const boxes = Array.from(document.querySelectorAll('[data-spec]'));
  Promise.allSettled(boxes.map((box) => {
    let view;
    try {
      const spec = JSON.parse(document.getElementById(box.dataset.spec).textContent);
      view = new vega.View(vega.parse(spec, null, { ast: true }), { expr: vegaExpressionInterpreter, renderer: 'svg', container: box, hover: true });
    } catch (e) {
      return Promise.reject(e);
    }
    return view.runAsync().then(
      () => { box.dataset.rendered = 'ok'; },
      (e) => {
        box.dataset.rendered = 'error';
        box.textContent = 'This chart could not be drawn: ' + e.message;
        console.error(e);
      });
  })).then(() => { document.body.dataset.charts = 'done'; });
})();
`;

const STYLE = `
  :root { color-scheme: light; --fg: #1d2126; --muted: #5b6470; --line: #d8dde3; --accent: #2c6fbb; }
  * { box-sizing: border-box; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; background: #f6f7f9; }
  header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
  header { padding-top: 24px; }
  h1 { font-size: 26px; margin: 0 0 4px; }
  h1 small { font-size: 14px; font-weight: normal; color: var(--muted); }
  h2 { font-size: 18px; margin: 0 0 8px; }
  .description { font-size: 15px; margin: 4px 0 12px; white-space: pre-line; }
  dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0 16px; }
  dl.meta dt { color: var(--muted); }
  dl.meta dd { margin: 0; white-space: pre-line; }
  .warning { background: #fff4d6; border: 1px solid #e0b84c; padding: 8px 12px; border-radius: 4px; margin: 8px 0; }
  nav ol { columns: 2; margin: 4px 0 16px; padding-left: 20px; }
  nav a { color: var(--accent); text-decoration: none; }
  section.table, figure.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 16px; margin: 0 0 20px; }
  figure.chart { margin-left: 0; margin-right: 0; }
  figcaption { color: var(--muted); margin-top: 8px; }
  .vis { overflow-x: auto; min-height: 40px; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid var(--line); vertical-align: top; white-space: pre-line; }
  td.num, th.num { text-align: right; }
  th { font-weight: 600; }
  footer { color: var(--muted); padding-bottom: 24px; font-size: 12px; }
`;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/**
 * A self-contained page of vega-lite charts. Every string in `doc` is
 * treated as text, never as markup; the specs are embedded as data.
 */
export function htmlPage(doc: HtmlDoc): string {
  const scripts = [...runtimeScripts(), PAGE_SCRIPT];
  // No 'unsafe-eval': vega-interpreter evaluates the expressions. 'unsafe-inline' styles: the page's own <style>.
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
  ].join('; ');
  const e = escapeHtml;
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="${e(csp)}">`);
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${e(doc.title)}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>', '<header>');
  out.push(`<h1>${e(doc.title)}</h1>`);
  if (doc.description) out.push(`<p class="description">${e(doc.description.trim())}</p>`);
  if (doc.warning) out.push(`<p class="warning" role="alert">${e(doc.warning)}</p>`);
  if (doc.meta?.length) {
    out.push('<dl class="meta">');
    for (const [k, v] of doc.meta) out.push(`<dt>${e(k)}</dt><dd>${e(v)}</dd>`);
    out.push('</dl>');
  }
  if (doc.sections.length > 1) {
    out.push('<nav><ol>');
    doc.sections.forEach((s, i) => out.push(`<li><a href="#chart-${i}">${e(s.title)}</a></li>`));
    out.push('</ol></nav>');
  }
  out.push('</header>', '<main>');
  for (const t of doc.tables ?? []) {
    out.push('<section class="table">', `<h2>${e(t.title)}</h2>`, '<table>', '<thead><tr>');
    const num = t.columns.map((_, i) => t.rows.length > 0 && t.rows.every((row) => numeric(row[i])));
    t.columns.forEach((c, i) => out.push(num[i] ? `<th class="num">${e(c)}</th>` : `<th>${e(c)}</th>`));
    out.push('</tr></thead>', '<tbody>');
    for (const row of t.rows) out.push(`<tr>${row.map((v, i) => (num[i] ? `<td class="num">${e(String(v))}</td>` : `<td>${e(String(v))}</td>`)).join('')}</tr>`);
    out.push('</tbody>', '</table>');
    if (t.note) out.push(`<p class="note">${e(t.note)}</p>`);
    out.push('</section>');
  }
  doc.sections.forEach((s, i) => {
    out.push(`<figure class="chart" id="chart-${i}">`);
    out.push(`<h2>${e(s.title)}</h2>`);
    out.push(`<div class="vis" data-spec="spec-${i}" role="img" aria-label="${e(s.title)}"></div>`);
    out.push(`<figcaption>${e(s.caption)}</figcaption>`);
    out.push(`<script type="application/json" id="spec-${i}">${jsonForScript(compile(s.spec as TopLevelSpec).spec)}</script>`);
    out.push('</figure>');
  });
  out.push('</main>');
  out.push(`<footer>simvm ${e(VERSION)}. Charts drawn with Vega-Lite and Vega, inlined so this page works offline.</footer>`);
  for (const s of scripts) out.push(`<script>${s}</script>`);
  out.push('</body>', '</html>', '');
  return out.join('\n');
}

// ---- the run report ---------------------------------------------------------

/** How the pCPU and vCPU states are named and coloured in every chart. */
const PCPU_STATES: { key: string; label: string; color: string }[] = [
  { key: 'guest', label: 'guest', color: '#4c9a4c' },
  { key: 'kvm', label: 'KVM (host kernel)', color: '#f28e2b' },
  { key: 'qemu', label: 'QEMU (host user)', color: '#9467bd' },
  { key: 'host', label: 'host tasks', color: '#4e79a7' },
  { key: 'sched', label: 'context switch', color: '#d62728' },
  { key: 'idle', label: 'idle', color: '#dfe3e8' },
];
const VCPU_STATES: { key: keyof Results['guests'][number]['vcpu'][number]['time_ns']; label: string; color: string }[] = [
  { key: 'guest', label: 'guest', color: '#4c9a4c' },
  { key: 'kvm', label: 'KVM (host kernel)', color: '#f28e2b' },
  { key: 'qemu', label: 'QEMU (host user)', color: '#9467bd' },
  { key: 'host', label: 'host', color: '#4e79a7' },
  { key: 'steal', label: 'steal (runnable, waiting)', color: '#d62728' },
  { key: 'halted', label: 'halted', color: '#dfe3e8' },
];

const WIDTH = 860;
const BASE_CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  // Under the plot in columns, so a legend of many guests stays inside its card instead of widening the chart past it.
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 180, orient: 'bottom', direction: 'vertical', columns: 4, columnPadding: 16, symbolLimit: 64 },
};

function vl(spec: Record<string, unknown>): object {
  return { $schema: VL_SCHEMA, config: BASE_CONFIG, ...spec };
}

const seconds = (ns: number) => nsToSeconds(ns);
const round = (x: number, places = 6) => Number(x.toFixed(places));

/** Groups of consecutive sample indexes, so a series has at most MAX_CHART_POINTS points. */
function groups(n: number): [number, number][] {
  const k = Math.max(1, Math.ceil(n / MAX_CHART_POINTS));
  const out: [number, number][] = [];
  for (let i = 0; i < n; i += k) out.push([i, Math.min(n, i + k)]);
  return out;
}

/**
 * Points of a step chart: each group's mean at the end of its window, plus
 * the first group's value at the start of the first window so step-before
 * lines and areas cover the whole measured run.
 */
function stepPoints(s: Series, ys: number[], places: number): { t: number; y: number }[] {
  const ws = groups(s.t_ns.length);
  const pts = ws.map((w) => ({ t: seconds(s.t_ns[w[1] - 1]), y: round(mean(ys, w), places) }));
  if (pts.length) pts.unshift({ t: seconds(s.t_ns[0] - s.interval_ns), y: pts[0].y });
  return pts;
}
const mean = (xs: number[], [a, b]: [number, number]) => {
  let s = 0;
  for (let i = a; i < b; i++) s += xs[i];
  return s / (b - a);
};

/** Vertical rules with labels at each timeline command, to layer over a time chart. */
function timelineLayers(r: Results): object[] {
  const events = (r.timeline ?? []).map((t) => ({ t: seconds(t.at_ns), command: t.command, effect: t.effect }));
  if (!events.length) return [];
  return [
    {
      data: { values: events },
      mark: { type: 'rule', color: '#333', strokeDash: [4, 3], clip: true },
      encoding: { x: { field: 't', type: 'quantitative', title: 'simulated time (s)' }, tooltip: [{ field: 'command' }, { field: 'effect' }, { field: 't', title: 'time (s)' }] },
    },
    {
      data: { values: events },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 2, y: 0, fontSize: 11, color: '#333', limit: 240, clip: true },
      encoding: { x: { field: 't', type: 'quantitative', title: 'simulated time (s)' }, text: { field: 'command' } },
    },
  ];
}

const timeAxis = (r: Results, ticks = 10) => ({
  field: 't',
  type: 'quantitative',
  title: 'simulated time (s)',
  scale: { domain: timeDomain(r), nice: false },
  axis: { tickCount: ticks },
});

function timeDomain(r: Results): [number, number] {
  const s = r.series!;
  const t0 = s.t_ns.length ? s.t_ns[0] - s.interval_ns : r.scenario.warmup_ns;
  const t1 = s.t_ns.length ? s.t_ns[s.t_ns.length - 1] : r.scenario.warmup_ns + r.run.simulated_ns;
  return [seconds(t0), seconds(t1)];
}

function throughputChart(r: Results): HtmlSection | null {
  const s = r.series;
  if (!s || !s.t_ns.length || !s.guests.length) return null;
  const unitOf = new Map(r.guests.map((g) => [g.name, g.throughput.unit]));
  const units = [...new Set(unitOf.values())];
  const values: object[] = [];
  for (const g of s.guests) for (const p of stepPoints(s, g.throughput, 3)) values.push({ t: p.t, guest: g.name, value: p.y, unit: unitOf.get(g.name) ?? '' });
  const [t0, t1] = timeDomain(r);
  const bands = r.guests.flatMap((g) => {
    const ci = g.throughput.per_second_ci95;
    return ci ? [{ guest: g.name, t0, t1, lo: ci.low, hi: ci.high, mean: g.throughput.per_second }] : [];
  });
  return {
    title: 'Throughput per guest over time',
    caption: `Operations completed per second of simulated time, averaged over each sample window; the shaded band is the 95% confidence interval of the run's mean throughput (batch means)${r.timeline?.length ? '; dashed lines mark timeline commands' : ''}. Look for dips when guests compete for pCPUs and steps at hot-plug or taskset.`,
    spec: vl({
      width: WIDTH,
      height: 260,
      layer: [
        {
          data: { values: bands },
          mark: { type: 'rect', opacity: 0.18 },
          encoding: {
            // The same time scale as the lines: a quantitative x of a rect would otherwise pull zero into the shared domain.
            x: { ...timeAxis(r), field: 't0' },
            x2: { field: 't1' },
            y: { field: 'lo', type: 'quantitative' },
            y2: { field: 'hi' },
            color: { field: 'guest', type: 'nominal', sort: s.guests.map((g) => g.name), legend: null },
            tooltip: [{ field: 'guest' }, { field: 'mean', title: 'mean per second', format: ',.1f' }, { field: 'lo', title: '95% interval from', format: ',.1f' }, { field: 'hi', title: 'to', format: ',.1f' }],
          },
        },
        {
          data: { values },
          mark: { type: 'line', interpolate: 'step-before', strokeWidth: 1.5 },
          encoding: {
            x: timeAxis(r),
            y: { field: 'value', type: 'quantitative', title: units.length === 1 ? `throughput (${units[0]}/s)` : 'throughput (operations/s, unit per guest)' },
            color: { field: 'guest', type: 'nominal', title: 'guest', sort: s.guests.map((g) => g.name) },
            tooltip: [{ field: 'guest' }, { field: 't', title: 'time (s)' }, { field: 'value', title: 'per second', format: ',.0f' }, { field: 'unit' }],
          },
        },
        ...timelineLayers(r),
      ],
    }),
  };
}

/** Latency points per guest and metric: min, each reported percentile, max. */
function latencyPoints(r: Results) {
  const rows: { series: string; guest: string; metric: string; point: string; order: number; fraction: number; us: number; lo?: number; hi?: number }[] = [];
  for (const g of r.guests)
    for (const [metric, L] of Object.entries(g.latency)) {
      if (!L.count) continue;
      const series = `${g.name} ${metric}`;
      // Log scales cannot show 0; 1 ns is below anything the model measures.
      const us = (ns: number) => Math.max(ns, 1) / 1000;
      rows.push({ series, guest: g.name, metric, point: 'min', order: 0, fraction: 0, us: us(L.min_ns) });
      const pcts = Object.entries(L.percentiles_ns)
        .map(([k, v]) => ({ k, p: Number(k.slice(1)), v }))
        .filter((x) => Number.isFinite(x.p))
        .sort((a, b) => a.p - b.p);
      pcts.forEach((x, i) => {
        const ci = L.percentiles_ci95_ns?.[x.k];
        rows.push({ series, guest: g.name, metric, point: x.k, order: i + 1, fraction: x.p / 100, us: us(x.v), ...(ci && { lo: us(ci.low), hi: us(ci.high) }) });
      });
      rows.push({ series, guest: g.name, metric, point: 'max', order: pcts.length + 1, fraction: 1, us: us(L.max_ns) });
    }
  return rows;
}

/**
 * The measured CDF of every guest and metric, from the histogram points in
 * the results; null when a summary has none (results written before they
 * carried the CDF), so the chart falls back to the percentiles.
 */
function latencyCdfPoints(r: Results) {
  const rows: { series: string; guest: string; metric: string; order: number; fraction: number; us: number }[] = [];
  for (const g of r.guests)
    for (const [metric, L] of Object.entries(g.latency)) {
      if (!L.count) continue;
      if (!L.cdf?.length) return null;
      const series = `${g.name} ${metric}`;
      // Start at 0 % at the smallest latency, so every curve rises from the axis.
      rows.push({ series, guest: g.name, metric, order: 0, fraction: 0, us: Math.max(L.min_ns, 1) / 1000 });
      L.cdf.forEach((c, i) => rows.push({ series, guest: g.name, metric, order: i + 1, fraction: c.p, us: Math.max(c.value_ns, 1) / 1000 }));
    }
  return rows;
}

function latencyCharts(r: Results): HtmlSection[] {
  const rows = latencyPoints(r);
  if (!rows.length) return [];
  const order = [...new Map(rows.map((x) => [x.point, x.order])).entries()].sort((a, b) => a[1] - b[1]).map(([k]) => k);
  const seriesNames = [...new Set(rows.map((x) => x.series))];
  const color = { field: 'series', type: 'nominal', title: 'guest and metric', sort: seriesNames };
  const tooltip = [{ field: 'guest' }, { field: 'metric' }, { field: 'point', title: 'percentile' }, { field: 'us', title: 'latency (µs)', format: ',.3f' }];
  const measured = latencyCdfPoints(r);
  const cdf = measured ?? rows;
  return [
    {
      title: 'Latency distribution (CDF) per guest',
      caption: measured
        ? "Fraction of operations at or below each latency, from the run's latency histogram (one step per bucket). Curves further right are slower; a long flat top is a tail of rare, very slow operations."
        : 'Fraction of operations at or below each latency, drawn through the reported percentiles (exact at the points only). Curves further right are slower; a long flat top is a tail of rare, very slow operations.',
      spec: vl({
        width: WIDTH,
        height: 260,
        data: { values: cdf },
        mark: measured ? { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 } : { type: 'line', point: true },
        encoding: {
          x: { field: 'us', type: 'quantitative', title: 'latency (µs, log scale)', scale: { type: 'log' } },
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of operations (%)', axis: { format: '%' }, scale: { domain: [0, 1] } },
          color,
          order: { field: 'order' },
          tooltip: [{ field: 'guest' }, { field: 'metric' }, { field: 'fraction', title: 'at or below', format: '.2%' }, { field: 'us', title: 'latency (µs)', format: ',.3f' }],
        },
      }),
    },
    {
      title: 'Latency percentiles per guest',
      caption: 'The latency at each reported percentile, on a log scale so the tail is visible, with its 95% confidence interval as a bar (sections of the run). Look at the gap between p50 and p99.9: preempted lock holders and steal time show up as a tail far above the median.',
      spec: vl({
        width: WIDTH,
        height: 260,
        data: { values: rows },
        encoding: {
          x: { field: 'point', type: 'ordinal', title: 'percentile (min … max)', sort: order, axis: { labelAngle: 0 } },
          color,
        },
        layer: [
          { mark: { type: 'line', point: true }, encoding: { y: { field: 'us', type: 'quantitative', title: 'latency (µs, log scale)', scale: { type: 'log' } }, tooltip } },
          {
            transform: [{ filter: 'isValid(datum.lo)' }],
            mark: { type: 'rule', strokeWidth: 2, opacity: 0.6 },
            encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, tooltip: [...tooltip, { field: 'lo', title: '95% interval from (µs)', format: ',.3f' }, { field: 'hi', title: 'to (µs)', format: ',.3f' }] },
          },
        ],
      }),
    },
  ];
}

/** The steal axis: from zero to the highest window's steal, and never less than STEAL_AXIS_MIN. */
export const STEAL_AXIS_MIN = 0.05;
export function stealDomain(top: number): [number, number] {
  return [0, Math.min(1, Math.max(STEAL_AXIS_MIN, top))];
}

function stealOverTimeChart(r: Results): HtmlSection | null {
  const s = r.series;
  if (!s || !s.t_ns.length || !s.guests.length) return null;
  const values: object[] = [];
  let top = 0;
  for (const g of s.guests)
    for (const p of stepPoints(s, g.steal_share, 4)) {
      values.push({ t: p.t, guest: g.name, steal: p.y });
      top = Math.max(top, p.y);
    }
  return {
    title: 'Steal time per guest over time',
    caption: "Share of the guest's vCPU time spent runnable but waiting for a pCPU, per sample window. Above a few percent the guest is losing CPU to over-commit.",
    spec: vl({
      width: WIDTH,
      height: 200,
      layer: [
        {
          data: { values },
          mark: { type: 'line', interpolate: 'step-before', strokeWidth: 1.5 },
          encoding: {
            x: timeAxis(r),
            // At least 0–5 %: a run with almost no steal draws flat lines near zero instead of magnifying noise to fill the axis.
            y: { field: 'steal', type: 'quantitative', title: 'steal (% of vCPU time)', axis: { format: '%' }, scale: { domain: stealDomain(top), nice: true } },
            color: { field: 'guest', type: 'nominal', title: 'guest', sort: s.guests.map((g) => g.name) },
            tooltip: [{ field: 'guest' }, { field: 't', title: 'time (s)' }, { field: 'steal', format: '.1%' }],
          },
        },
        ...timelineLayers(r),
      ],
    }),
  };
}

function vcpuTimeChart(r: Results): HtmlSection | null {
  const values: object[] = [];
  const names: string[] = [];
  for (const g of r.guests)
    for (const v of g.vcpu) {
      const name = `${g.name}/vcpu${v.cpu}`;
      names.push(name);
      const total = VCPU_STATES.reduce((a, st) => a + v.time_ns[st.key], 0) || 1;
      VCPU_STATES.forEach((st, i) => values.push({ vcpu: name, state: st.label, order: i, share: round(v.time_ns[st.key] / total, 5), ms: round(v.time_ns[st.key] / 1e6, 3) }));
    }
  if (!names.length) return null;
  return {
    title: 'Where each vCPU’s time went (steal time per vCPU)',
    caption: 'Each bar is one vCPU thread over the measured run. Red is steal: runnable but waiting on a host run queue; orange and purple are exits handled in KVM and QEMU. A vCPU with much red is waiting for a pCPU, not working.',
    spec: vl({
      width: WIDTH - 200,
      height: { step: names.length > 40 ? 10 : 16 },
      data: { values },
      mark: 'bar',
      encoding: {
        y: { field: 'vcpu', type: 'nominal', title: 'vCPU thread', sort: names },
        x: { field: 'share', type: 'quantitative', title: 'share of the measured run (%)', axis: { format: '%' }, stack: 'normalize' },
        color: { field: 'state', type: 'nominal', title: 'state', scale: { domain: VCPU_STATES.map((s) => s.label), range: VCPU_STATES.map((s) => s.color) } },
        order: { field: 'order' },
        tooltip: [{ field: 'vcpu' }, { field: 'state' }, { field: 'share', format: '.1%' }, { field: 'ms', title: 'time (ms)', format: ',.3f' }],
      },
    }),
  };
}

function exitsChart(r: Results): HtmlSection | null {
  const secs = nsToSeconds(r.run.simulated_ns) || 1;
  const values: object[] = [];
  for (const g of r.guests)
    for (const [reason, n] of Object.entries(g.exits)) if (n > 0) values.push({ guest: g.name, reason, count: n, rate: round(n / secs, 3) });
  if (!values.length) return null;
  return {
    title: 'VM exits by reason per guest',
    caption: 'Exits per second of measured time, by KVM exit reason. PAUSE_INSTRUCTION exits are vCPUs spinning on a lock whose holder is not running; HLT exits are idle vCPUs; EXTERNAL_INTERRUPT includes host ticks.',
    spec: vl({
      width: WIDTH - 200,
      height: { step: r.guests.length > 30 ? 12 : 20 },
      data: { values },
      mark: 'bar',
      encoding: {
        y: { field: 'guest', type: 'nominal', title: 'guest', sort: r.guests.map((g) => g.name) },
        x: { field: 'rate', type: 'quantitative', title: 'exits per second' },
        color: { field: 'reason', type: 'nominal', title: 'exit reason' },
        tooltip: [{ field: 'guest' }, { field: 'reason' }, { field: 'rate', title: 'exits/s', format: ',.0f' }, { field: 'count', title: 'exits', format: ',' }],
      },
    }),
  };
}

function pcpuOverTimeChart(r: Results): HtmlSection | null {
  const s = r.series;
  if (!s || !s.t_ns.length || !s.pcpu.length) return null;
  const values: object[] = [];
  for (const c of s.pcpu)
    PCPU_STATES.forEach((st, i) => {
      const xs = c.share[st.key];
      if (!xs) return;
      for (const p of stepPoints(s, xs, 4)) values.push({ t: p.t, cpu: `cpu${c.cpu}`, state: st.label, order: i, share: p.y });
    });
  const n = s.pcpu.length;
  const columns = n <= 2 ? n : n <= 8 ? 2 : 4;
  return {
    title: 'pCPU utilisation over time',
    caption: 'One panel per pCPU: the share of each sample window spent in guest code, KVM, QEMU, host tasks, context switches and idle. Look for pCPUs idle while others are saturated (poor balance or pinning) and for a thick KVM band (exit storms).',
    spec: vl({
      data: { values },
      columns,
      facet: { field: 'cpu', type: 'ordinal', title: null, sort: s.pcpu.map((c) => `cpu${c.cpu}`), header: { labelFontSize: 12, labelAnchor: 'start' } },
      spacing: { row: 10, column: 16 },
      spec: {
        width: Math.floor((WIDTH - 40 - 16 * (columns - 1)) / columns) - 40,
        height: 70,
        mark: { type: 'area', interpolate: 'step-before' },
        encoding: {
          x: timeAxis(r, columns > 2 ? 3 : 5),
          y: { field: 'share', type: 'quantitative', title: 'share (%)', axis: { format: '%', tickCount: 2 }, stack: 'zero', scale: { domain: [0, 1] } },
          color: { field: 'state', type: 'nominal', title: 'state', scale: { domain: PCPU_STATES.map((x) => x.label), range: PCPU_STATES.map((x) => x.color) } },
          order: { field: 'order' },
          tooltip: [{ field: 'cpu' }, { field: 't', title: 'time (s)' }, { field: 'state' }, { field: 'share', format: '.1%' }],
        },
      },
    }),
  };
}

function pcpuTotalsChart(r: Results): HtmlSection | null {
  if (!r.pcpus.length) return null;
  const values: object[] = [];
  for (const c of r.pcpus) {
    const total = PCPU_STATES.reduce((a, st) => a + (c.time_ns[st.key] ?? 0), 0) || 1;
    PCPU_STATES.forEach((st, i) => values.push({ cpu: `cpu${c.cpu}`, place: `socket ${c.socket}, core ${c.core}, thread ${c.thread}`, state: st.label, order: i, share: round((c.time_ns[st.key] ?? 0) / total, 5), switches: c.context_switches }));
  }
  return {
    title: 'Where each pCPU’s time went',
    caption: 'Each bar is one pCPU over the measured run. Green is useful guest work; everything else between green and grey is overhead. Uneven bars mean the load is not spread across the host.',
    spec: vl({
      width: WIDTH - 200,
      height: { step: r.pcpus.length > 40 ? 10 : 16 },
      data: { values },
      mark: 'bar',
      encoding: {
        y: { field: 'cpu', type: 'nominal', title: 'pCPU', sort: r.pcpus.map((c) => `cpu${c.cpu}`) },
        x: { field: 'share', type: 'quantitative', title: 'share of the measured run (%)', axis: { format: '%' }, stack: 'normalize' },
        color: { field: 'state', type: 'nominal', title: 'state', scale: { domain: PCPU_STATES.map((s) => s.label), range: PCPU_STATES.map((s) => s.color) } },
        order: { field: 'order' },
        tooltip: [{ field: 'cpu' }, { field: 'place' }, { field: 'state' }, { field: 'share', format: '.1%' }, { field: 'switches', title: 'context switches', format: ',' }],
      },
    }),
  };
}

/**
 * The sampled Gantt: at each sample instant, the pCPU each vCPU thread was on
 * (ps -o psr). Equal consecutive samples merge into one bar, so a pinned vCPU
 * is a single bar and a migrating one a row of colours.
 */
function vcpuGanttChart(r: Results): HtmlSection | null {
  const s = r.series;
  if (!s || !s.t_ns.length || !s.vcpu_psr.length) return null;
  const values: object[] = [];
  const names: string[] = [];
  const ws = groups(s.t_ns.length);
  const start = (i: number) => seconds(i === 0 ? s.t_ns[0] - s.interval_ns : s.t_ns[i - 1]);
  for (const v of s.vcpu_psr) {
    const name = `${v.guest}/vcpu${v.cpu}`;
    names.push(name);
    // Grouped series show the pCPU at the group's last sample instant.
    const psr = ws.map((w) => v.psr[w[1] - 1]);
    let a = 0;
    for (let i = 1; i <= ws.length; i++) {
      if (i < ws.length && psr[i] === psr[a]) continue;
      if (psr[a] !== undefined && psr[a] >= 0) values.push({ vcpu: name, pcpu: `cpu${psr[a]}`, n: psr[a], t0: start(ws[a][0]), t1: seconds(s.t_ns[ws[i - 1][1] - 1]) });
      a = i;
    }
  }
  const ncpu = r.host.cpus;
  return {
    title: 'vCPU threads on pCPUs over time (psr)',
    caption: 'At each sample instant, the pCPU each vCPU thread was running on; blank means it was not running (waiting for a pCPU or halted). Colour changes along a row are migrations; pinned vCPUs keep one colour.',
    spec: vl({
      width: WIDTH - 120,
      height: { step: names.length > 40 ? 10 : 16 },
      layer: [
        {
          data: { values },
          mark: { type: 'bar', height: { band: 0.85 } },
          encoding: {
            y: { field: 'vcpu', type: 'nominal', title: 'vCPU thread', sort: names },
            x: { ...timeAxis(r), field: 't0' },
            x2: { field: 't1' },
            color: {
              field: 'pcpu',
              type: 'nominal',
              title: 'pCPU (psr)',
              sort: { field: 'n' },
              scale: { domain: Array.from({ length: ncpu }, (_, i) => `cpu${i}`), scheme: ncpu > 10 ? 'category20' : 'tableau10' },
            },
            tooltip: [{ field: 'vcpu' }, { field: 'pcpu', title: 'pCPU' }, { field: 't0', title: 'from (s)' }, { field: 't1', title: 'to (s)' }],
          },
        },
        ...timelineLayers(r),
      ],
    }),
  };
}

/** The run report's charts (Vega-Lite), from outcomes (throughput, latency) to causes (steal, exits, pCPUs). */
export function runCharts(r: Results): HtmlSection[] {
  return [
    throughputChart(r),
    ...latencyCharts(r),
    stealOverTimeChart(r),
    vcpuTimeChart(r),
    exitsChart(r),
    pcpuOverTimeChart(r),
    pcpuTotalsChart(r),
    vcpuGanttChart(r),
  ].filter((x): x is HtmlSection => x !== null);
}

function hostSummary(r: Results): string {
  const h = r.host;
  const t = h.topology;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${h.cpus} pCPUs (${plural(t.sockets, 'socket')} × ${plural(t.cores, 'core')} × ${plural(t.threads, 'thread')}) at ${(h.freq_hz / 1e9).toFixed(2)} GHz`;
}

/** The run report: header, guest table, timeline, then the charts from outcomes (throughput, latency) to causes (steal, exits, pCPUs). */
export function renderHtml(r: Results): string {
  const s = r.scenario;
  const h = r.host;
  const vcpus = r.guests.reduce((a, g) => a + g.vcpus, 0);
  const secs = nsToSeconds(r.run.simulated_ns) || 1;
  const sched = Object.entries(h.scheduler)
    .filter(([k]) => k !== 'kind')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const meta: [string, string][] = [
    ['host', hostSummary(r)],
    ['scheduler', `${h.scheduler.kind}${sched ? ` (${sched})` : ''}`],
    ['KVM', `PLE ${h.kvm.ple ? `on (window ${h.kvm.ple_window})` : 'off'}, halt_poll ${formatNs(Number(h.kvm.halt_poll_ns))}, posted interrupts ${h.kvm.posted_interrupts ? 'on' : 'off'}`],
  ];
  if (h.isolcpus.length) meta.push(['isolcpus', h.isolcpus.join(',')]);
  meta.push(
    ['guests', `${r.guests.length} guests, ${vcpus} vCPUs (${(vcpus / (h.cpus || 1)).toFixed(2)} per pCPU)`],
    ['run', `seed ${s.seed}; measured ${formatNs(r.run.simulated_ns)} after ${formatNs(s.warmup_ns)} warm-up; ${r.run.events.toLocaleString('en-US')} events`],
    ...measurementNotes(r),
    ['scenario file', s.file],
  );
  if (r.series) meta.push(['sampling', `every ${formatNs(r.series.interval_ns)} of simulated time (${r.series.t_ns.length} samples)`]);
  const tables: HtmlTable[] = [
    {
      title: 'Guests',
      columns: ['guest', 'smp', 'vCPUs', 'workload', 'throughput/s', 'unit', 'latency', 'p50', 'p99', 'steal', 'exits/s', 'Minstr/s'],
      rows: r.guests.map((g) => {
        const [ln, L] = Object.entries(g.latency)[0] ?? [];
        const p = (k: string) => (L && L.percentiles_ns[k] !== undefined ? formatNs(L.percentiles_ns[k]) + pm(L.percentiles_ns[k], L.percentiles_ci95_ns?.[k]) : '-');
        return [
          g.name,
          g.smp,
          g.vcpus,
          g.workload,
          formatNumber(g.throughput.per_second) + pm(g.throughput.per_second, g.throughput.per_second_ci95),
          g.throughput.unit,
          ln ?? '-',
          p('p50'),
          p('p99'),
          sharePm(g.steal_fraction, g.steal_fraction_ci95),
          formatNumber(g.exits_per_second) + pm(g.exits_per_second, g.exits_per_second_ci95),
          formatNumber(g.instructions_per_second / 1e6),
        ];
      }),
      note: '± is the half-width of the 95% confidence interval (batch means over the sampling windows; percentiles by sections of the run).',
    },
  ];
  const faults = r.guests.flatMap((g) => g.faults.map((f) => [g.name, f.cpu, formatNs(f.at_ns), f.message] as (string | number)[]));
  if (faults.length) tables.push({ title: 'Faults', columns: ['guest', 'vCPU', 'at', 'message'], rows: faults });
  if (r.timeline?.length) tables.push({ title: 'Timeline', columns: ['at', 'command', 'effect'], rows: r.timeline.map((t) => [formatNs(t.at_ns), t.command, t.effect]) });
  const sections = runCharts(r);
  return htmlPage({
    title: `simvm report: ${s.name}`,
    description: s.description,
    warning: r.run.partial ? `Partial run: ${r.run.stop_reason ?? 'stopped early'}. The figures cover only the simulated time that was run.` : undefined,
    meta,
    tables,
    sections,
  });
}
