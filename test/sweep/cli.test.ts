import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers.js';

const SWEEP = `description: sweep test fixture, a request-serving guest
duration: 50ms
warmup: 10ms
host:
  cpus: 2
guests:
  - name: vm
    smp: 1
    workload: { kind: request, rate: 2k/s, service: 100us }
sweep:
  params:
    guests.vm.smp: [1, 2, 4]
    guests.vm.workload.rate: [1k/s, 4k/s]
  replicates: 3
  baseline: { guests.vm.smp: 1 }
expect:
  - p99_latency < 50ms
  - throughput >= 0.5 * baseline
`;

/** A fresh directory holding the sweep file as s.yaml; runs use relative paths so results name the same file. */
function dir(text = SWEEP): string {
  const d = mkdtempSync(join(tmpdir(), 'simvm-sweep-'));
  writeFileSync(join(d, 's.yaml'), text);
  return d;
}

const read = (d: string, f: string) => readFileSync(join(d, f), 'utf8');

describe('simvm sweep: the same results for any number of workers and shards', () => {
  it('1 worker, 2 workers and 3 merged shards give the same bytes', () => {
    const d = dir();
    const one = cli(['sweep', 's.yaml', '--workers', '1', '--out', 'w1', '--quiet'], { cwd: d });
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/simvm sweep: s \(6 points x 3 replicates, grid, seed 1\)/);
    expect(one.stdout).toMatch(/expectations: 12 passed, 0 failed, 0 undecided, 0 skipped/);
    const two = cli(['sweep', 's.yaml', '--workers', '2', '--out', 'w2', '--quiet'], { cwd: d });
    expect(two.code).toBe(0);
    for (const i of [1, 2, 3]) {
      const r = cli(['sweep', 's.yaml', '--shard', `${i}/3`, '--out', 'shards', '--quiet', '--format', 'json'], { cwd: d });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      const doc = JSON.parse(read(d, `shards/sweep-shard-${i}-of-3.json`));
      expect(doc.shard).toBe(`${i}/3`);
      expect(doc.complete).toBe(false);
      expect(doc.points.filter((p: { runs: unknown[] }) => p.runs.length).map((p: { index: number }) => p.index)).toEqual([i - 1, i + 2]);
    }
    const shardFiles = readdirSync(join(d, 'shards')).filter((f) => f.startsWith('sweep-shard-')).sort();
    expect(shardFiles).toEqual(['sweep-shard-1-of-3.json', 'sweep-shard-2-of-3.json', 'sweep-shard-3-of-3.json']);
    const m = cli(['merge', ...shardFiles.map((f) => join('shards', f)), '--out', 'merged', '--quiet'], { cwd: d });
    expect(m.code).toBe(0);
    expect(m.stdout).toBe(one.stdout);
    const a = read(d, 'w1/sweep.json');
    expect(read(d, 'w2/sweep.json')).toBe(a);
    expect(read(d, 'merged/sweep.json')).toBe(a);
    const doc = JSON.parse(a);
    expect(doc.complete).toBe(true);
    expect(doc.shard).toBeNull();
    expect(doc.points).toHaveLength(6);
    // Parameters keep their YAML types: smp is a number, the rate a string as written.
    expect(doc.simvm.sweep_version).toBe(2);
    expect(doc.points[0].params).toEqual({ 'guests.vm.smp': 1, 'guests.vm.workload.rate': '1k/s' });
    // No binary rounding noise in any figure (0.23550000000000001): at most 12 significant digits.
    for (const n of a.match(/-?\d+\.\d+(e-?\d+)?/g) ?? []) expect(n.replace(/^-?0\.0*|\.|e.*$/g, '').replace(/^0+/, '').length, n).toBeLessThanOrEqual(12);
    const s = doc.points[3].summary['guests.vm.throughput'];
    expect(s.n).toBe(3);
    expect(s.ci_low).toBeLessThanOrEqual(s.mean);
    expect(s.ci_high).toBeGreaterThanOrEqual(s.mean);
    // Replicates ran with different seeds, and each point's baseline is its smp=1 neighbour.
    expect(new Set(doc.points.flatMap((p: { seeds: number[] }) => p.seeds)).size).toBe(18);
    expect(doc.points.map((p: { baseline: number }) => p.baseline)).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('merge refuses results of different sweeps', () => {
    const d = dir();
    expect(cli(['sweep', 's.yaml', '--shard', '1/2', '--out', 'a', '--quiet', '--format', 'json'], { cwd: d }).code).toBe(0);
    expect(cli(['sweep', 's.yaml', '--shard', '2/2', '--out', 'b', '--quiet', '--format', 'json', '--replicates', '1'], { cwd: d }).code).toBe(0);
    const m = cli(['merge', 'a/sweep-shard-1-of-2.json', 'b/sweep-shard-2-of-2.json', '--out', 'm'], { cwd: d });
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/simvm: error: .*b\/sweep-shard-2-of-2\.json: results of a different sweep than a\/sweep-shard-1-of-2\.json \(its replicates differs\)/);
  });
});

describe('simvm sweep: expect: checks set the exit code and write JUnit XML', () => {
  it('a failing check exits 3, prints FAIL rows and writes failures to JUnit', () => {
    const d = dir(SWEEP.replace('  - p99_latency < 50ms\n', '  - p99_latency < 50ms\n  - check: throughput > 5k/s\n    name: enough throughput\n    where: { guests.vm.workload.rate: 4k/s }\n'));
    const r = cli(['sweep', 's.yaml', '--workers', '2', '--out', 'o', '--junit', 'junit.xml'], { cwd: d });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/expectations: 12 passed, 3 FAILED, 0 undecided, 0 skipped/);
    expect(r.stdout).toMatch(/^FAIL\s+enough throughput\s+smp=1 rate=4k\/s\s+expected > 5000, got [\d.]+k? ±[\d.]+$/m);
    expect(r.stderr).toMatch(/wrote o\/sweep\.json, junit\.xml/);
    const x = read(d, 'junit.xml');
    expect(x).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="simvm sweep s" tests="15" failures="3" errors="0" skipped="0">/);
    expect(x).toMatch(/<testsuite name="enough throughput" tests="3" failures="3" errors="0" skipped="0">/);
    expect(x).toMatch(/<testcase classname="simvm.sweep.s" name="point 2: smp=1 rate=4k\/s">\n\s+<failure message="throughput &gt; 5k\/s: expected &gt; 5000, got [^"]+" type="expectation">/);
    expect(x).toMatch(/<testsuite name="p99_latency &lt; 50ms" tests="6" failures="0"/);
    expect(x.match(/<testcase /g)).toHaveLength(15);
    // The same failure shows after merging shards.
    for (const i of [1, 2]) cli(['sweep', 's.yaml', '--shard', `${i}/2`, '--out', 'o', '--quiet'], { cwd: d });
    const m = cli(['merge', 'o/sweep-shard-1-of-2.json', 'o/sweep-shard-2-of-2.json', '--out', 'm', '--quiet', '--junit', 'merged.xml'], { cwd: d });
    expect(m.code).toBe(3);
    expect(read(d, 'merged.xml')).toBe(x);
  });

  it('checks that cannot be evaluated in a shard are skipped, not failed', () => {
    const d = dir();
    const r = cli(['sweep', 's.yaml', '--shard', '3/3', '--out', 'o', '--quiet', '--junit', 'j.xml'], { cwd: d });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[shard 3\/3\] \[INCOMPLETE: 6 of 18 runs\]/);
    // Points 3 and 6 are here, their baselines (points 1 and 2) are not: only their p99 checks can be made.
    expect(r.stdout).toMatch(/expectations: 2 passed, 0 failed, 0 undecided, 10 skipped/);
    expect(read(d, 'j.xml')).toMatch(/<skipped message="point not run here/);
    // Merged without the other shards, the checks that could not be made fail the merge.
    const m = cli(['merge', 'o/sweep-shard-3-of-3.json', '--out', 'm', '--quiet'], { cwd: d });
    expect(m.code).toBe(3);
    expect(m.stderr).toMatch(/merge: 6 of 18 runs present: a shard is missing or was interrupted; 10 checks could not be made, which fails the merge/);
  });
});

describe('simvm sweep: resuming', () => {
  it('re-running skips the runs already done and gives the bytes of a clean run', () => {
    const d = dir();
    const clean = cli(['sweep', 's.yaml', '--out', 'clean', '--quiet'], { cwd: d });
    expect(clean.code).toBe(0);
    // A first, partial pass: half the points.
    expect(cli(['sweep', 's.yaml', '--shard', '1/2', '--out', 'r', '--quiet'], { cwd: d }).code).toBe(0);
    expect(readdirSync(join(d, 'r/points'))).toHaveLength(9);
    const again = cli(['sweep', 's.yaml', '--out', 'r', '--workers', '2'], { cwd: d });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/sweep: 18 runs: 9 run on 2 workers, 9 reused from r\/points/);
    expect(read(d, 'r/sweep.json')).toBe(read(d, 'clean/sweep.json'));
    // A record whose inputs no longer match (here: tampered) is run again; an edited check reruns nothing.
    const rec = readdirSync(join(d, 'r/points'))[0];
    const p = join(d, 'r/points', rec);
    writeFileSync(p, read(d, join('r/points', rec)).replace(/"hash": "[0-9a-f]{8}/, '"hash": "00000000'));
    writeFileSync(join(d, 's.yaml'), SWEEP.replace('p99_latency < 50ms', 'p99_latency < 40ms'));
    const third = cli(['sweep', 's.yaml', '--out', 'r'], { cwd: d });
    expect(third.stderr).toMatch(/sweep: 18 runs: 1 run on \d+ workers?, 17 reused/);
    const fourth = cli(['sweep', 's.yaml', '--out', 'r', '--set', 'guests.vm.workload.service=90us'], { cwd: d });
    expect(fourth.stderr).toMatch(/sweep: 18 runs: 18 run on/);
  });

  it('Ctrl-C keeps finished runs; the next run resumes from them', async () => {
    const d = dir();
    const clean = cli(['sweep', 's.yaml', '--out', 'clean', '--quiet', '--replicates', '4'], { cwd: d });
    expect(clean.code).toBe(0);
    const child = spawn(process.execPath, [`${ROOT}dist/cli.js`, 'sweep', 's.yaml', '--out', 'r', '--workers', '1', '--replicates', '4'], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    const exit = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    const points = join(d, 'r/points');
    while (!(existsSync(points) && readdirSync(points).length >= 2)) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await exit;
    const done = readdirSync(points).filter((f) => f.endsWith('.json')).length;
    if (done < 24) {
      expect(code).toBe(130);
      expect(stderr).toMatch(/sweep interrupted: finished runs are kept in r\/points; run the same command again to resume/);
      expect(JSON.parse(read(d, 'r/sweep.json')).complete).toBe(false);
    }
    const again = cli(['sweep', 's.yaml', '--out', 'r', '--replicates', '4'], { cwd: d });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`sweep: 24 runs: ${24 - done} run on \\d+ workers?, ${done} reused`));
    expect(read(d, 'r/sweep.json')).toBe(read(d, 'clean/sweep.json'));
  });
});

describe('simvm sweep: bad input exits 2 with file:line:col', () => {
  const bad = (text: string, where: RegExp, message: RegExp, hint?: RegExp) => {
    const d = dir(text);
    const r = cli(['sweep', 's.yaml', '--out', 'o'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(where);
    expect(r.stderr).toMatch(message);
    if (hint) expect(r.stderr).toMatch(hint);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    expect(existsSync(join(d, 'o'))).toBe(false);
  };
  it('a misspelt sweep field', () => {
    bad(SWEEP.replace('  replicates: 3', '  replicate: 3'), /^simvm: error: s\.yaml:14:3: /, /unknown field "replicate" in sweep/, /did you mean "replicates"\?/);
  });
  it('a value the scenario rejects, at that value', () => {
    bad(SWEEP.replace('guests.vm.smp: [1, 2, 4]', 'guests.vm.smp: [1, 0, 4]'), /^simvm: error: s\.yaml:12:24: /, /guests\.vm\.smp = 0: .*greater than zero/);
  });
  it('a guest that does not exist', () => {
    bad(SWEEP.replaceAll('guests.vm.smp', 'guests.db.smp'), /^simvm: error: s\.yaml:12:21: /, /no item "db"/);
  });
  it('a check naming an unknown metric, at the name', () => {
    bad(SWEEP.replace('  - p99_latency < 50ms', '  - p99_latncy < 50ms'), /^simvm: error: s\.yaml:17:5: /, /expect: no metric "p99_latncy"/, /did you mean "p99_latency"\?/);
  });
  it('a check that does not parse, at the problem', () => {
    bad(SWEEP.replace('  - p99_latency < 50ms', '  - "p99_latency < 50 parsecs"'), /^simvm: error: s\.yaml:17:23: /, /unexpected "parsecs"/);
  });
  it('a baseline value the parameter never takes', () => {
    bad(SWEEP.replace('baseline: { guests.vm.smp: 1 }', 'baseline: { guests.vm.smp: 3 }'), /^simvm: error: s\.yaml:15:30: /, /never takes the value 3/, /its values: 1, 2, 4/);
  });
  it('zip with lists of different lengths', () => {
    bad(SWEEP.replace('  replicates: 3', '  replicates: 3\n  mode: zip'), /^simvm: error: s\.yaml:15:9: /, /mode: zip needs as many values for every parameter/);
  });
  it('a bad --shard', () => {
    const r = cli(['sweep', 's.yaml', '--shard', '4/3'], { cwd: dir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--shard "4\/3" is not i\/n/);
  });
});

describe('simvm sweep: other forms', () => {
  it('a sweep file naming a scenario, with zip and a duration range; html and json output', () => {
    const d = dir();
    writeFileSync(
      join(d, 'z.yaml'),
      'scenario: s.yaml\nsweep:\n  name: zipped\n  mode: zip\n  replicates: 3\n  params:\n    guests.vm.smp: [1, 2]\n    guests.vm.workload.service: { from: 50us, to: 100us, step: 50us }\nexpect:\n  - "guests.vm.throughput > 0"\n  - { check: "throughput > 0", where: { guests.vm.workload.service: 50us } }\n',
    );
    const r = cli(['sweep', 'z.yaml', '--format', 'json,html,csv', '--quiet'], { cwd: d });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(read(d, 'reports/zipped/sweep.json'));
    expect(doc.sweep.name).toBe('zipped');
    expect(doc.sweep.scenario_file).toBe('s.yaml');
    expect(doc.points.map((p: { params: unknown }) => p.params)).toEqual([
      { 'guests.vm.smp': 1, 'guests.vm.workload.service': '50.0us' },
      { 'guests.vm.smp': 2, 'guests.vm.workload.service': '100us' },
    ]);
    // The CSV: a row per point and metric, parameters as columns, the summary as sweep.json has it.
    const csv = read(d, 'reports/zipped/sweep.csv').split('\r\n');
    expect(csv[0]).toBe('point,guests.vm.smp,guests.vm.workload.service,metric,unit,mean,ci_low,ci_high,n');
    const metrics = Object.keys(doc.points[0].summary);
    expect(csv.length).toBe(1 + 2 * metrics.length + 1);
    const t = doc.points[1].summary['guests.vm.throughput'];
    expect(csv).toContain(`2,2,100us,guests.vm.throughput,per second,${t.mean},${t.ci_low},${t.ci_high},3`);
    // `where:` names a value as written (50us) or as labelled (50.0us).
    expect(doc.expect).toMatchObject({ passed: 3, failed: 0 });
    const html = read(d, 'reports/zipped/sweep.html');
    expect(html).toMatch(/<title>simvm sweep: zipped<\/title>/);
    expect(html).toContain('Throughput of vm (requests/s) by vCPUs of vm');
  });
  it('a scenario without sweep: is one point', () => {
    const d = dir(SWEEP.split('sweep:')[0]);
    const r = cli(['sweep', 's.yaml', '--quiet', '--format', 'json', '--out', 'o'], { cwd: d });
    expect(r.code).toBe(0);
    const doc = JSON.parse(read(d, 'o/sweep.json'));
    expect(doc.points).toHaveLength(1);
    expect(doc.points[0].params).toEqual({});
  });
});
