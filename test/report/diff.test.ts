import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffFiles, diffReports, diffSweeps, fmt, renderDiffHtml, renderDiffText } from '../../src/compare/diff.js';
import type { Results } from '../../src/report/results.js';
import type { SweepDoc } from '../../src/sweep/doc.js';
import { cli, run } from '../helpers.js';

const short = (sets: string[] = []) => run('requests-4on4.yaml', { duration: '100ms', sets: ['warmup=20ms', ...sets] });

describe('diff of two reports', () => {
  const a = short();
  const b = short(['guests.0.workload.rate=12k/s']);
  const d = diffReports(a, b, ['a.json', 'b.json']);
  const rowOf = (guest: string, metric: string) => d.rows.find((r) => r.scope === guest && r.metric === metric)!;

  it('gives both values and the change, absolute and relative, per guest and metric', () => {
    const g = a.guests[0];
    const r = rowOf(g.name, `throughput (${g.throughput.unit}/s)`);
    expect(r.a).toBe(g.throughput.per_second);
    expect(r.b).toBe(b.guests[0].throughput.per_second);
    expect(r.change).toBeCloseTo(r.b! - r.a!, 9);
    expect(r.percent).toBeCloseTo(((r.b! - r.a!) / r.a!) * 100, 9);
    const lat = Object.keys(g.latency)[0];
    expect(rowOf(g.name, `${lat} latency p99 (ns)`).a).toBe(g.latency[lat].percentiles_ns.p99);
    expect(rowOf(g.name, 'steal (fraction)').b).toBe(b.guests[0].steal_fraction);
    const exits = Object.values(g.exits).reduce((x, y) => x + y, 0);
    expect(rowOf(g.name, 'exits/s').a).toBeCloseTo(exits / (a.run.simulated_ns / 1e9), 6);
  });

  it('uses the intervals the reports carry, and says "no interval" for a report without them, rather than guessing', () => {
    const sig = new Set(d.rows.map((r) => r.significant));
    expect(sig.has('yes')).toBe(true);
    // Instructions/s has no interval in a report.
    expect(rowOf(a.guests[0].name, 'instructions/s').significant).toBe('no interval');
    const t = rowOf(a.guests[0].name, `throughput (${a.guests[0].throughput.unit}/s)`);
    const ci = a.guests[0].throughput.per_second_ci95!;
    expect(t.ci95_a).toBeCloseTo((ci.high - ci.low) / 2, 9);
    // A report of version 1 (no *_ci95): every row says so.
    const strip = (r: Results): Results => JSON.parse(JSON.stringify(r, (k, v) => (/_ci95(_ns)?$/.test(k) ? undefined : v)));
    const old = diffReports(strip(a), strip(b), ['a', 'b']);
    expect(new Set(old.rows.map((r) => r.significant))).toEqual(new Set(['no interval']));
  });

  it('uses both runs\' intervals when the JSON has them: significant when the change exceeds sqrt(hA^2 + hB^2)', () => {
    const withCi = (r: Results, h: number): Results => ({ ...r, guests: r.guests.map((g) => ({ ...g, throughput: { ...g.throughput, per_second: 1000, per_second_ci95: h } as never })) });
    const x = withCi(a, 30);
    const sig = diffReports(x, { ...withCi(a, 40), guests: withCi(a, 40).guests.map((g) => ({ ...g, throughput: { ...g.throughput, per_second: 1051 } })) }, ['x', 'y']).rows[0];
    expect(sig.ci95_a).toBe(30);
    expect(sig.ci95_b).toBe(40);
    expect(sig.significant).toBe('yes'); // 51 > 50
    const not = diffReports(x, { ...withCi(a, 40), guests: withCi(a, 40).guests.map((g) => ({ ...g, throughput: { ...g.throughput, per_second: 1049 } })) }, ['x', 'y']).rows[0];
    expect(not.significant).toBe('no'); // 49 < 50
    const noCi = (r: Results): Results => ({ ...r, guests: r.guests.map((g) => ({ ...g, throughput: { ...g.throughput, per_second_ci95: null } })) });
    const one = diffReports(x, noCi(a), ['x', 'a']).rows[0];
    expect(one.significant).toBe('no interval');
  });

  it('lists a guest only one report has, with the other side missing', () => {
    const c = { ...b, guests: [...b.guests, { ...b.guests[0], name: 'extra' }] };
    const rows = diffReports(a, c, ['a', 'c']).rows.filter((r) => r.scope === 'extra');
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.every((r) => r.a === null && r.significant === 'missing')).toBe(true);
  });

  it('renders a text table, and an HTML page that escapes what it shows', () => {
    const text = renderDiffText(d);
    expect(text.split('\n').slice(0, 4)).toEqual(['A: a.json', 'B: b.json', '', expect.stringMatching(/^guest +metric +A +B +change +change % +significant$/)]);
    const html = renderDiffHtml({ ...d, a: '<a>.json' });
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('A: &lt;a&gt;.json');
    expect(html.match(/<tr class="sig-/g)!.length).toBe(d.rows.length);
  });

  it('formats numbers without losing the integers', () => {
    expect(fmt(177503)).toBe('177503');
    expect(fmt(177503.4)).toBe('177503');
    expect(fmt(0.2345)).toBe('0.2345');
    expect(fmt(543.25)).toBe('543.3');
    expect(fmt(null)).toBe('-');
  });
});

describe('diff of two sweeps', () => {
  const summary = (mean: number, half: number | null) => ({ mean, ci_low: half === null ? null : mean - half, ci_high: half === null ? null : mean + half, n: 3 });
  const doc = (points: [string, Record<string, ReturnType<typeof summary>>][]): SweepDoc =>
    ({ simvm: { sweep_version: 1, version: 'x' }, sweep: {}, shard: null, complete: true, points: points.map(([key, s], i) => ({ index: i, key, params: {}, baseline: null, seeds: [], runs: [], summary: s })), expect: { passed: 0, failed: 0, skipped: 0, checks: [] } }) as unknown as SweepDoc;

  it('compares point by point with the replicates\' intervals', () => {
    const a = doc([
      ['smp=1', { throughput: summary(100, 3), p99: summary(5000, 100) }],
      ['smp=2', { throughput: summary(200, 3) }],
    ]);
    const b = doc([
      ['smp=1', { throughput: summary(110, 4), p99: summary(5100, 100) }],
      ['smp=4', { throughput: summary(300, 3) }],
    ]);
    const d = diffSweeps(a, b, ['a', 'b']);
    expect(d.rows.map((r) => [r.scope, r.metric, r.a, r.b, r.significant])).toEqual([
      ['smp=1', 'throughput', 100, 110, 'yes'], // 10 > 5
      ['smp=1', 'p99', 5000, 5100, 'no'], // 100 < 141
      ['smp=2', 'throughput', 200, null, 'missing'],
      ['smp=4', 'throughput', null, 300, 'missing'],
    ]);
  });

  it('refuses two sweeps that share no point', () => {
    expect(() => diffSweeps(doc([['a=1', {}]]), doc([['b=1', {}]]), ['x', 'y'])).toThrow(/share no point/);
  });
});

describe('simvm diff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simvm-diff-'));
  const put = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  const rep = JSON.stringify(short());

  it('prints text, JSON and HTML', () => {
    put('a.json', rep);
    put('b.json', rep);
    const t = cli(['diff', 'a.json', 'b.json'], { cwd: dir });
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('A: a.json\nB: b.json\n');
    const j = cli(['diff', 'a.json', 'b.json', '--format', 'json'], { cwd: dir });
    const parsed = JSON.parse(j.stdout);
    expect(parsed).toMatchObject({ kind: 'report', a: 'a.json', b: 'b.json' });
    expect(parsed.rows).toEqual(diffFiles(join(dir, 'a.json'), join(dir, 'b.json')).rows);
    expect(parsed.rows.every((r: { change: number }) => r.change === 0)).toBe(true);
    expect(cli(['diff', 'a.json', 'b.json', '--format', 'html'], { cwd: dir }).stdout).toMatch(/^<!DOCTYPE html>/);
  });

  it('says clearly what is wrong with the inputs', () => {
    put('notjson.json', '{');
    put('other.json', '{"x": 1}');
    put('sweep.json', JSON.stringify({ simvm: { sweep_version: 1 }, points: [] }));
    const err = (args: string[]) => cli(['diff', ...args], { cwd: dir });
    expect(err(['a.json', 'none.json']).stderr).toBe('simvm: error: none.json: no such file\n  hint: give a report.json (simvm run) or sweep.json (simvm sweep)\n');
    expect(err(['a.json', 'notjson.json']).stderr).toMatch(/^simvm: error: notjson\.json: not JSON \(at character 2\)\n/);
    // The message says where, never what the file holds.
    put('secret.json', 'hunter2 is the password');
    expect(err(['a.json', 'secret.json']).stderr).toBe('simvm: error: secret.json: not JSON\n  hint: give a report.json (simvm run) or sweep.json (simvm sweep)\n');
    expect(err(['a.json', 'other.json']).stderr).toBe('simvm: error: other.json: not a simvm report or sweep results file\n  hint: give a report.json (simvm run) or sweep.json (simvm sweep)\n');
    expect(err(['a.json', 'sweep.json']).stderr).toBe('simvm: error: sweep.json: a.json is a report and sweep.json a sweep results file\n  hint: compare two report.json files, or two sweep.json files\n');
    expect(err(['a.json', 'b.json', '--format', 'pdf']).stderr).toBe('simvm: error: unknown --format "pdf"\n  hint: use text, json or html\n');
    for (const a of [['a.json', 'none.json'], ['a.json', 'sweep.json']]) expect(err(a).code).toBe(2);
  });
});
