import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartMetrics, renderSweepHtml, sweepCharts, xParam } from '../../src/sweep/charts.js';
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
          'host.busy': 0.1 * smp,
        },
      };
    }),
  );
  return buildDoc(plan.spec, plan.points, runs, null);
}

describe('sweep charts', () => {
  it('put the numeric parameter on x and colour by the others', () => {
    const doc = fakeDoc();
    expect(doc.sweep.params[xParam(doc)].path).toBe('guests.a.smp');
    expect(chartMetrics(doc)).toEqual(['guests.a.throughput', 'guests.a.p50_latency', 'guests.a.p99_latency', 'guests.a.steal', 'guests.b.throughput', 'guests.b.p99_latency', 'guests.b.steal', 'host.busy']);
    const [tp] = sweepCharts(doc);
    expect(tp.title).toBe('guests.a.throughput vs guests.a.smp');
    const spec = tp.spec as { data: { values: { x: number; series: string; lo: number; hi: number; mean: number }[] }; layer: { mark: { type: string } }[]; encoding: { color: { field: string } } };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['errorband', 'line']);
    expect(spec.encoding.color.field).toBe('series');
    expect(spec.data.values).toHaveLength(8);
    expect(new Set(spec.data.values.map((v) => v.series))).toEqual(new Set(['true', 'false']));
    for (const v of spec.data.values) expect(v.lo <= v.mean && v.mean <= v.hi).toBe(true);
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
    expect(charts).toHaveLength(8);
    for (const c of charts) {
      expect(c.rendered).toBe('ok');
      // Per series: a band area and a line.
      expect(c.marks).toBeGreaterThanOrEqual(4);
      expect(c.axes[0]).toBe('guests.a.smp');
    }
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
