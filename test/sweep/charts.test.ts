import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartMetrics, metricWords, paramWords, renderSweepHtml, sweepCharts, xParam } from '../../src/sweep/charts.js';
import { buildDoc, type RunRecord } from '../../src/sweep/doc.js';
import { planSweep } from '../../src/sweep/plan.js';
import { loadSweep, parseSweep } from '../../src/sweep/spec.js';
import { ROOT } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = `${ROOT}test-output`;

const FILE = `description: two guests, two swept parameters
duration: 50ms
host: { cpus: 4 }
guests:
  - name: a
    workload: { kind: request }
  - name: b
    workload: { kind: spinlock }
sweep:
  params:
    host.kvm.ple: [true, false]
    guests.a.smp: [1, 2, 4, 8]
  replicates: 3
expect:
  - guests.a.p99_latency < 1ms
`;

/** A sweep's results with made-up runs (a smooth trend plus noise), so chart tests need no simulation. */
function fakeDoc() {
  const plan = planSweep(parseSweep(FILE, 's.yaml'));
  const runs = plan.points.map((p) =>
    p.seeds.map((seed, r): RunRecord => {
      const smp = Number(p.params['guests.a.smp']);
      const noise = ((seed % 1000) / 1000 - 0.5) * 0.1;
      return {
        replicate: r,
        seed,
        hash: 'x',
        partial: false,
        values: {
          'guests.a.throughput': 1000 * smp * (1 + noise),
          'guests.a.p50_latency': 50_000 / smp,
          'guests.a.p99_latency': (400_000 / smp) * (1 + noise),
          'guests.a.steal': 0.02 * smp,
          'guests.b.throughput': 5000,
          'guests.b.p99_latency': 2000,
          'guests.b.steal': 0.01,
          'guests.a.exits_per_second': 3000 * smp,
          'guests.b.exits_per_second': 200,
          'host.busy': 0.1 * smp,
          'host.context_switches_per_second': 500 * smp,
        },
      };
    }),
  );
  return buildDoc(plan.spec, plan.points, runs, null);
}

describe('sweep charts', () => {
  it('put the numeric parameter on x, colour by the others, and chart what beside why, in words with units', () => {
    const doc = fakeDoc();
    expect(doc.sweep.params[xParam(doc)].path).toBe('guests.a.smp');
    expect(chartMetrics(doc)).toEqual(['guests.a.throughput', 'guests.a.exits_per_second', 'guests.a.p99_latency', 'guests.a.steal', 'guests.b.throughput', 'guests.b.exits_per_second', 'guests.b.p99_latency', 'guests.b.steal', 'host.busy', 'host.context_switches_per_second']);
    const sections = sweepCharts(doc);
    expect(sections.map((x) => x.title)).toEqual(['a: what it did and why, by vCPUs of a', 'b: what it did and why, by vCPUs of a', 'The host, by vCPUs of a']);
    type Cell = { title?: { text: string }; data: { values: { x: number; series: string; lo: number; hi: number; mean: number }[] }; layer?: { mark: { type: string }; encoding: { y: { title?: string } } }[]; encoding?: { color: { field: string }; xOffset?: unknown } };
    const cells = (sections[0].spec as { columns: number; concat: Cell[] }).concat;
    expect((sections[0].spec as { columns: number }).columns).toBe(2);
    // Left column what (throughput, latency), right column why (exits, steal); the unit of work comes from the workload.
    expect(cells.map((c) => c.title?.text)).toEqual(['Throughput of a (requests/s) by vCPUs of a', 'VM exits of a (exits/s) by vCPUs of a', 'p99 latency of a (µs) by vCPUs of a', 'Steal of a (% of vCPU time) by vCPUs of a']);
    const tp = cells[0];
    expect(tp.layer!.map((l) => l.mark.type)).toEqual(['rule', 'line', 'point']);
    expect(tp.layer![0].encoding.y.title).toBe('throughput (requests/s)');
    expect(tp.encoding!.color.field).toBe('series');
    expect(tp.data.values).toHaveLength(8);
    expect(new Set(tp.data.values.map((v) => v.series))).toEqual(new Set(['true', 'false']));
    for (const v of tp.data.values) expect(v.lo <= v.mean && v.mean <= v.hi).toBe(true);
    expect(JSON.stringify(sections)).not.toMatch(/\(\/s\)| vs /);
  });

  it('draws a categorical parameter as grouped dots with interval bars, no lines', () => {
    const plan = planSweep(parseSweep(FILE.replace('guests.a.smp: [1, 2, 4, 8]', 'guests.a.machine: [pc-i440fx-2.7, pc-q35-8.0]'), 's.yaml'));
    const runs = plan.points.map((p) => p.seeds.map((seed, r): RunRecord => ({ replicate: r, seed, hash: 'x', partial: false, values: { 'guests.a.throughput': 1000 + r, 'guests.a.steal': 0.01 * (r + 1) } })));
    const doc = buildDoc(plan.spec, plan.points, runs, null);
    const [sec] = sweepCharts(doc);
    const tp = (sec.spec as { concat: { layer: { mark: { type: string } }[]; encoding: { x: { type: string }; xOffset?: { field: string } } }[] }).concat[0];
    expect(tp.encoding.x.type).toBe('nominal');
    expect(tp.encoding.xOffset?.field).toBe('series');
    expect(tp.layer.map((l) => l.mark.type)).toEqual(['rule', 'point']);
  });

  it('names parameters and metrics in words', () => {
    expect(paramWords('guests.db.smp')).toBe('vCPUs of db');
    expect(paramWords('host.kvm.ple')).toBe('pause-loop exiting');
    expect(paramWords('guests.db.workload.foo_bar')).toBe('guests.db.workload.foo_bar');
    expect(metricWords('guests.db.throughput', 'lock ops').axis).toBe('throughput (lock ops/s)');
    expect(metricWords('guests.db.p99.9_latency').axis).toBe('p99.9 latency (µs)');
    expect(metricWords('host.busy').axis).toBe('host pCPUs busy (% of pCPU time)');
  });

  it('every shipped sweep plans: its scenarios, values and checks are valid', () => {
    const files = readdirSync(`${ROOT}scenarios`).filter((f) => f.endsWith('.yaml') && /^sweep:/m.test(readFileSync(`${ROOT}scenarios/${f}`, 'utf8')));
    expect(files).toContain('sweep-overcommit.yaml');
    for (const f of files) {
      const plan = planSweep(loadSweep(`${ROOT}scenarios/${f}`));
      expect(plan.runs.length, f).toBeGreaterThan(1);
      expect(plan.spec.expect.length, f).toBeGreaterThan(0);
    }
    const oc = planSweep(loadSweep(`${ROOT}scenarios/sweep-overcommit.yaml`));
    expect(oc.spec.params.map((p) => [p.path, p.values.map((v) => v.label)])).toEqual([
      ['guests.db.workload', ['spinlock', 'request']],
      ['guests.db.smp', ['1', '2', '3', '4', '6', '8', '12', '16']],
    ]);
  });
});

const haveChromium = existsSync(CHROMIUM);

describe.skipIf(!haveChromium)('sweep HTML report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws every chart with its band and line, offline and without errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', (route) => {
      requests.push(route.request().url());
      void route.abort();
    });
    await page.setContent(renderSweepHtml(fakeDoc()), { waitUntil: 'load' });
    await page.waitForSelector('body[data-charts="done"]', { timeout: 60_000 });
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}/sweep.png`, fullPage: true });
    const charts = await page.$$eval('[data-spec]', (boxes) =>
      boxes.map((b) => ({ rendered: (b as HTMLElement).dataset.rendered, marks: b.querySelectorAll('g.role-mark > path').length, axes: Array.from(b.querySelectorAll('g.role-axis-title text')).map((t) => t.textContent) })),
    );
    expect(charts).toHaveLength(3);
    for (const c of charts) {
      expect(c.rendered).toBe('ok');
      // Per chart and series: interval bars, a line and dots.
      expect(c.marks).toBeGreaterThanOrEqual(4);
      expect(c.axes[0]).toBe('vCPUs of a');
    }
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
