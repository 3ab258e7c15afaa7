import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, htmlPage, jsonForScript, renderHtml, runCharts, STEAL_AXIS_MIN, stealDomain } from '../../src/report/html.js';
import { formatNumber } from '../../src/report/format.js';
import type { Results } from '../../src/report/results.js';
import { ROOT, run } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = `${ROOT}test-output`;
const EVIL = '<script>alert(1)</script>';

/** A real run with latency, sixteen guests (long legends) and a timeline event, so every kind of chart is drawn. */
function sampleResults(): Results {
  const r = run('many-guests-16on4.yaml', { duration: '200ms', sets: ['warmup=50ms'] });
  r.timeline = [{ at_ns: 150_000_000, command: 'taskset -pc 0-1 2000', effect: "pid 2000's current affinity list: 0-3\npid 2000's new affinity list: 0,1" }];
  return r;
}

/** The same results with hostile text wherever the scenario's text reaches the page. */
function hostile(r: Results): Results {
  const x: Results = JSON.parse(JSON.stringify(r));
  const old = x.guests[0].name;
  x.scenario.name = `</title>${EVIL}`;
  x.scenario.description = `</script><script>alert(2)</script> & <img src=x onerror=alert(3)>`;
  x.guests[0].name = EVIL;
  x.guests[0].throughput.unit = '</script><b>unit';
  for (const g of x.series!.guests) if (g.name === old) g.name = EVIL;
  for (const v of x.series!.vcpu_psr) if (v.guest === old) v.guest = EVIL;
  x.timeline = [{ at_ns: 100_000_000, command: `${EVIL}<!--`, effect: '<svg onload=alert(4)>' }];
  return x;
}

describe('HTML report: escaping (no browser)', () => {
  it('escapes text and keeps JSON inside <script> from closing it', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const j = jsonForScript({ name: '</script><!-- \u2028 &' });
    expect(j).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(j)).toEqual({ name: '</script><!-- \u2028 &' });
  });

  it('puts no scenario text into the page as markup, and loads nothing from elsewhere', () => {
    const html = renderHtml(hostile(sampleResults()));
    // The page without the inlined runtime (whose source mentions tags in strings); booleans keep a failure from printing a megabyte.
    const markup = html.replace(/<script>[\s\S]*?<\/script>/g, '<script></script>');
    expect(html.length - markup.length).toBeGreaterThan(500_000);
    expect(markup.includes(EVIL)).toBe(false);
    expect(markup.includes('<img')).toBe(false);
    expect(markup.includes('<svg onload')).toBe(false);
    expect(markup.includes('<!--')).toBe(false);
    expect(markup.includes('&lt;script&gt;alert(1)&lt;/script&gt;')).toBe(true);
    expect(/<script[^>]+src=|<link[^>]+href=|@import|url\(http/i.test(markup)).toBe(false);
    expect(markup.includes('Content-Security-Policy')).toBe(true);
    // Exactly the runtime (vega, vega-interpreter) + page script + one JSON block per chart.
    const scripts = markup.match(/<script[ >]/g)!.length;
    const specs = markup.match(/<script type="application\/json"/g)!.length;
    expect(scripts - specs).toBe(3);
    // Expressions run in vega-interpreter: the policy does not allow eval.
    const csp = markup.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/)![1];
    expect(csp).toMatch(/script-src &#39;sha256-/);
    expect(csp.includes('unsafe-eval')).toBe(false);
    // The specs are Vega, compiled from Vega-Lite in Node: the page carries no Vega-Lite compiler.
    expect(markup.includes('"$schema":"https://vega.github.io/schema/vega/v6.json"')).toBe(true);
  });

  it('htmlPage renders a generic page of specs (as sweeps use it)', () => {
    const html = htmlPage({
      title: 'sweep <x>',
      meta: [['swept', 'guests.db.smp']],
      sections: [{ title: 'throughput vs vCPUs', caption: 'c', spec: { mark: 'line', data: { values: [{ x: 1, y: 2 }] }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } } }],
    });
    expect(html.includes('<title>sweep &lt;x&gt;</title>')).toBe(true);
    expect(html.includes('data-spec="spec-0"')).toBe(true);
  });
});

/** The Vega-Lite spec of the run report's chart with this title. */
function specOf(r: Results, title: string): { data: { values: Record<string, unknown>[] }; mark: unknown; encoding: Record<string, { scale?: { domain?: unknown } }>; layer?: { encoding: Record<string, { scale?: { domain?: unknown } }> }[] } {
  const s = runCharts(r).find((x) => x.title === title);
  expect(s, title).toBeDefined();
  return s!.spec as ReturnType<typeof specOf>;
}

describe('HTML report: charts and table (no browser)', () => {
  const r = sampleResults();
  const html = renderHtml(r);

  it('carries the measured latency CDF in the results, at most 200 points rising to 1', () => {
    for (const g of r.guests)
      for (const L of Object.values(g.latency)) {
        const c = L.cdf!;
        expect(c.length).toBeGreaterThan(10);
        expect(c.length).toBeLessThanOrEqual(200);
        for (let k = 1; k < c.length; k++) {
          expect(c[k].value_ns).toBeGreaterThan(c[k - 1].value_ns);
          expect(c[k].p).toBeGreaterThanOrEqual(c[k - 1].p);
        }
        expect(c[c.length - 1].p).toBe(1);
        expect(c[0].value_ns).toBeLessThanOrEqual(L.percentiles_ns.p50);
      }
  });

  it('draws the CDF from the measured distribution, not the percentile points', () => {
    const spec = specOf(r, 'Latency distribution (CDF) per guest');
    const g = r.guests[0];
    const [metric, L] = Object.entries(g.latency)[0];
    const pts = spec.data.values.filter((v) => v.guest === g.name && v.metric === metric);
    // One point per CDF bucket plus the start at 0 %.
    expect(pts.length).toBe(L.cdf!.length + 1);
    expect(pts.map((p) => p.fraction).slice(1)).toEqual(L.cdf!.map((c) => c.p));
    expect(pts.some((p) => 'point' in p)).toBe(false);
  });

  it('keeps the steal axis at least 0–5 % so noise is not magnified', () => {
    expect(stealDomain(0.0001)).toEqual([0, STEAL_AXIS_MIN]);
    expect(stealDomain(0)).toEqual([0, STEAL_AXIS_MIN]);
    expect(stealDomain(0.3)).toEqual([0, 0.3]);
    const spec = specOf(r, 'Steal time per guest over time');
    const dom = spec.layer![0].encoding.y.scale!.domain as number[];
    expect(dom[0]).toBe(0);
    expect(dom[1]).toBeGreaterThanOrEqual(STEAL_AXIS_MIN);
  });

  it('formats the guest table numbers one way, with their intervals', () => {
    expect(formatNumber(44781.8)).toBe('44,782');
    expect(formatNumber(922275)).toBe('922,275');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(0.02213)).toBe('0.0221');
    const table = html.slice(html.indexOf('<h2>Guests</h2>'), html.indexOf('</table>'));
    const row = table.match(/<tr><td>web-1<\/td>(.*?)<\/tr>/)![1];
    const cells = [...row.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    // throughput/s and exits/s: grouped digits (no decimals at 1,000 and above), then the interval.
    for (const c of [cells[3], cells[9]]) expect(c).toMatch(/^(\d{1,3}(,\d{3})+|\d{1,3}(\.\d+)?) ±[<0-9.]+%\*?$/);
  });
});

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the headless-browser tests: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);

describe.skipIf(!haveChromium)('HTML report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Load a page with every request recorded and refused, and every console error, page error and dialog recorded. */
  async function open(html: string) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.route('**/*', (route) => {
      requests.push(route.request().url());
      void route.abort();
    });
    await page.setContent(html, { waitUntil: 'load' });
    await page.waitForSelector('body[data-charts="done"]', { timeout: 60_000 });
    return { page, requests, errors, dialogs };
  }

  /** Per chart: whether it rendered, and how many data marks its SVG (or canvas) has. */
  const charts = (page: Page) =>
    page.$$eval('[data-spec]', (boxes) =>
      boxes.map((b) => ({
        title: b.closest('figure')?.querySelector('h2')?.textContent ?? '',
        caption: b.closest('figure')?.querySelector('figcaption')?.textContent ?? '',
        rendered: (b as HTMLElement).dataset.rendered,
        surface: b.querySelector('svg') ? 'svg' : b.querySelector('canvas') ? 'canvas' : 'none',
        marks: b.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > rect, g.role-mark > text').length,
        axisTitles: Array.from(b.querySelectorAll('g.role-axis-title text')).map((t) => t.textContent ?? ''),
        // How far the drawing (legend included) reaches past the card's content box, px (the container itself may be wider).
        overflow: (() => {
          const fig = b.closest('figure')!;
          const right = fig.getBoundingClientRect().right - parseFloat(getComputedStyle(fig).paddingRight);
          return Math.ceil(((b.querySelector('svg, canvas') as Element | null)?.getBoundingClientRect().right ?? 0) - right);
        })(),
      })),
    );

  it('draws every chart of a real run with marks, no console errors and no network requests', async () => {
    const { page, requests, errors, dialogs } = await open(renderHtml(sampleResults()));
    const got = await charts(page);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}/report.png`, fullPage: true });
    expect(got.map((c) => c.title)).toEqual([
      'Throughput per guest over time',
      'Latency distribution (CDF) per guest',
      'Latency percentiles per guest',
      'Steal time per guest over time',
      'Where each vCPU’s time went (steal time per vCPU)',
      'VM exits by reason per guest',
      'pCPU utilisation over time',
      'Where each pCPU’s time went',
      'vCPU threads on pCPUs over time (psr)',
    ]);
    for (const c of got) {
      expect(c.rendered, c.title).toBe('ok');
      expect(c.surface, c.title).not.toBe('none');
      expect(c.marks, c.title).toBeGreaterThan(0);
      expect(c.caption.length, c.title).toBeGreaterThan(20);
      // Axis titles carry units: "(s)", "(%)", "(µs ...)", "per second", or name a category.
      expect(c.axisTitles.length, c.title).toBeGreaterThan(0);
    }
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('keeps every chart, legend included, inside its card with sixteen guests of two workloads', async () => {
    const { page, errors } = await open(renderHtml(run('overcommit-16on4.yaml', { duration: '100ms', sets: ['warmup=20ms'] })));
    expect(errors).toEqual([]);
    for (const c of await charts(page)) {
      expect(c.rendered, c.title).toBe('ok');
      expect(c.overflow, c.title).toBeLessThanOrEqual(0);
    }
    await page.close();
  });

  it('shows hostile scenario text literally and runs none of it', async () => {
    const { page, requests, errors, dialogs } = await open(renderHtml(hostile(sampleResults())));
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.title()).toBe(`simvm report: </title>${EVIL}`);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain(EVIL);
    expect(text).toContain('</script><script>alert(2)</script> & <img src=x onerror=alert(3)>');
    expect(await page.$$eval('img', (els) => els.length)).toBe(0);
    expect(await page.$$eval('script:not([type])', (els) => els.length)).toBe(3);
    const svgText = await page.$$eval('svg text', (ts) => ts.map((t) => t.textContent).join('\n'));
    expect(svgText).toContain(EVIL);
    for (const c of await charts(page)) expect(c.rendered, c.title).toBe('ok');
    await page.close();
  });
});
