import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, htmlPage, jsonForScript, renderHtml } from '../../src/report/html.js';
import type { Results } from '../../src/report/results.js';
import { ROOT, run } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = `${ROOT}test-output`;
const EVIL = '<script>alert(1)</script>';

/** A real run with latency, several guests and a timeline event, so every kind of chart is drawn. */
function sampleResults(): Results {
  const r = run('many-guests-16on4.yaml', { duration: '200ms', sets: ['warmup=50ms', 'guests.web.count=4'] });
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
    expect(markup.length).toBeLessThan(html.length / 2);
    expect(markup.includes(EVIL)).toBe(false);
    expect(markup.includes('<img')).toBe(false);
    expect(markup.includes('<svg onload')).toBe(false);
    expect(markup.includes('<!--')).toBe(false);
    expect(markup.includes('&lt;script&gt;alert(1)&lt;/script&gt;')).toBe(true);
    expect(/<script[^>]+src=|<link[^>]+href=|@import|url\(http/i.test(markup)).toBe(false);
    expect(markup.includes('Content-Security-Policy')).toBe(true);
    // Exactly the runtime (3) + page script + one JSON block per chart.
    const scripts = markup.match(/<script[ >]/g)!.length;
    const specs = markup.match(/<script type="application\/json"/g)!.length;
    expect(scripts - specs).toBe(4);
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
    expect(await page.$$eval('script:not([type])', (els) => els.length)).toBe(4);
    const svgText = await page.$$eval('svg text', (ts) => ts.map((t) => t.textContent).join('\n'));
    expect(svgText).toContain(EVIL);
    for (const c of await charts(page)) expect(c.rendered, c.title).toBe('ok');
    await page.close();
  });
});
