import { mkdtempSync, readFileSync, writeFileSync, existsSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './helpers.js';
import { REPORT_VERSION } from '../src/report/results.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'simvm-'));

const GOOD = `host:
  cpus: 2
guests:
  - name: vm
    smp: 2
    workload:
      kind: spinlock
`;

function scenario(text: string): string {
  const d = tmp();
  const f = join(d, 'bad.yaml');
  writeFileSync(f, text);
  return f;
}

function expectInputError(text: string, where: RegExp, message: RegExp, hint?: RegExp, args = ['--duration', '10ms']) {
  const f = scenario(text);
  const r = cli([f, ...args, '--no-write']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(where);
  expect(r.stderr).toMatch(message);
  if (hint) expect(r.stderr).toMatch(hint);
  expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace
  expect(r.stdout).toBe('');
}

describe('simvm run: bad scenario input exits 2 with file:line:col and a hint', () => {
  it('YAML syntax error', () => {
    expectInputError('host:\n  cpus: 2\nguests:\n  - name: vm\n    smp: [2\n', /simvm: error: .*bad\.yaml:\d+:\d+: YAML syntax/, /YAML syntax/, /hint:/);
  });
  it('unknown (misspelt) field', () => {
    expectInputError(GOOD.replace('smp: 2', 'smpp: 2'), /simvm: error: .*bad\.yaml:5:5: /, /unknown field "smpp"/, /did you mean "smp"\?/);
  });
  it('misspelt -smp key', () => {
    expectInputError(GOOD.replace('smp: 2', 'smp: "4,sockts=2"'), /simvm: error: .*bad\.yaml:5:10: /, /Invalid parameter 'sockts'/, /did you mean "sockets"\?/);
  });
  it('wrong unit', () => {
    expectInputError(GOOD.replace('kind: spinlock', 'kind: spinlock\n      critical: 2 parsecs'), /simvm: error: .*bad\.yaml:8:17: /, /unknown duration unit "parsecs"/, /hint: use one of/);
  });
  it('duration without a unit', () => {
    expectInputError(`duration: 10\n${GOOD}`, /simvm: error: .*bad\.yaml:1:11: /, /has no unit|needs a unit/, /write it like 10s/, []);
  });
  it('negative count', () => {
    expectInputError(GOOD.replace('smp: 2', 'smp: 2\n    count: -3'), /simvm: error: .*bad\.yaml:6:12: /, /count must be at least 1, got -3/);
  });
  it('a vCPU count of 0', () => {
    expectInputError(GOOD.replace('smp: 2', 'smp: 0'), /simvm: error: .*bad\.yaml:5:10: /, /greater than zero/);
  });
  it('inconsistent -smp topology, with QEMU\'s message', () => {
    expectInputError(GOOD.replace('smp: 2', 'smp: "8,sockets=3,cores=2"'), /bad\.yaml:5:10/, /product of the hierarchy must match maxcpus: sockets \(3\) \* dies \(1\) \* cores \(2\) \* threads \(1\) != maxcpus \(8\)/);
  });
  it('unknown workload kind', () => {
    expectInputError(GOOD.replace('kind: spinlock', 'kind: spinlok'), /bad\.yaml:7:13/, /workload.kind must be one of/, /did you mean "spinlock"\?/);
  });
  it('a program that does not assemble, at its line and column in the scenario', () => {
    const text = GOOD.replace('kind: spinlock', 'kind: program\n      source: |\n        li r1, 1\n        addd r1, r1, 1\n        count ops\n        jmp 0');
    expectInputError(text, /simvm: error: .*bad\.yaml:10:9: /, /unknown instruction "addd"/, /did you mean "add"\?/);
  });
  it('missing file', () => {
    const r = cli(['/nonexistent/x.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/simvm: error: .*x\.yaml: no such file/);
  });
  it('bad --set path', () => {
    const r = cli([scenario(GOOD), '--set', 'guests.vn.smp=4', '--no-write']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no item "vn".*\n.*did you mean "vm"/);
  });
});

describe('simvm run: outputs', () => {
  it('prints the report and writes versioned JSON; same seed gives byte-identical JSON', () => {
    const d = tmp();
    const f = join(d, 'good.yaml');
    writeFileSync(f, GOOD);
    const a = cli([f, '--duration', '50ms', '--out', join(d, 'a'), '-q']);
    const b = cli([f, '--duration', '50ms', '--out', join(d, 'b'), '-q']);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/simvm report: good/);
    expect(a.stdout).toMatch(/vm\s+2\s+spinlock/);
    const ja = readFileSync(join(d, 'a', 'report.json'), 'utf8');
    expect(readFileSync(join(d, 'b', 'report.json'), 'utf8')).toBe(ja);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(ja);
    expect(j.simvm.report_version).toBe(REPORT_VERSION);
    expect(j.guests[0].throughput.total).toBeGreaterThan(0);
    const c = cli([f, '--duration', '50ms', '--seed', '2', '--out', join(d, 'c'), '-q']);
    expect(c.code).toBe(0);
    expect(readFileSync(join(d, 'c', 'report.json'), 'utf8')).not.toBe(ja);
  });

  it('is byte-identical under another time zone and locale', () => {
    const d = tmp();
    const f = join(d, 'good.yaml');
    writeFileSync(f, GOOD);
    const a = cli([f, '--duration', '30ms', '--out', join(d, 'a'), '-q'], { env: { TZ: 'UTC', LANG: 'C' } });
    const b = cli([f, '--duration', '30ms', '--out', join(d, 'b'), '-q'], { env: { TZ: 'Asia/Kolkata', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' } });
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(readFileSync(join(d, 'b', 'report.json'), 'utf8')).toBe(readFileSync(join(d, 'a', 'report.json'), 'utf8'));
  });

  it('refuses an unwritable output directory before running, keeping what was there', () => {
    const d = tmp();
    const f = join(d, 'good.yaml');
    writeFileSync(f, GOOD);
    const file = join(d, 'not-a-dir');
    writeFileSync(file, 'keep me');
    const r = cli([f, '--duration', '10ms', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exists and is not a directory/);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('does not overwrite an earlier report when the input is bad', () => {
    const d = tmp();
    const out = join(d, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'report.json'), '{"old":true}\n');
    const r = cli([scenario(GOOD.replace('smp: 2', 'smp: 0')), '--out', out]);
    expect(r.code).toBe(2);
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe('{"old":true}\n');
    expect(existsSync(join(out, '.report.json.tmp'))).toBe(false);
  });

  it('--help lists the commands and --version prints the version', () => {
    const h = cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/simvm <scenario.yaml>/);
    expect(h.stdout).toMatch(/schema/);
    const v = cli(['--version']);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('shipped JSON Schema matches the field declarations', () => {
    const r = cli(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'schema/scenario.schema.json'), 'utf8'));
  });
});
void chmodSync;

describe('runs that stop early', () => {
  it('--max-wall stops cleanly and the report says it is partial', () => {
    const d = tmp();
    const r = cli(['scenarios/overcommit-16on4.yaml', '--max-wall', '0.3', '--out', d, '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/stopped early \(--max-wall 0\.3s reached\); the report is marked partial/);
    const j = JSON.parse(readFileSync(join(d, 'report.json'), 'utf8'));
    expect(j.run.partial).toBe(true);
    expect(j.run.simulated_ns).toBeLessThan(10e9);
    expect(r.stdout).toMatch(/\[PARTIAL: --max-wall/);
  });

  it('--max-events stops at the event budget', () => {
    const d = tmp();
    const r = cli(['scenarios/overcommit-16on4.yaml', '--max-events', '50000', '--out', d, '-q']);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(join(d, 'report.json'), 'utf8'));
    expect(j.run.partial).toBe(true);
    expect(j.run.stop_reason).toMatch(/event budget of 50000 events/);
  });

  it('Ctrl-C writes what was done, marked partial, and exits 130', async () => {
    const { spawn } = await import('node:child_process');
    const d = tmp();
    const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'scenarios/overcommit-16on4.yaml', '--out', d], { cwd: ROOT });
    child.stdout.resume();
    // Signal once the run says it has started (its Ctrl-C handler is in place), however loaded the machine is.
    await new Promise<void>((res) => {
      let err = '';
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        if (/running .*Ctrl-C stops it/.test(err)) res();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(130);
    const j = JSON.parse(readFileSync(join(d, 'report.json'), 'utf8'));
    expect(j.run.partial).toBe(true);
    expect(j.run.stop_reason).toMatch(/interrupted/);
  });
});

describe('memory budget', () => {
  it('--max-rss stops the run cleanly, marked partial', () => {
    const d = tmp();
    const r = cli(['scenarios/overcommit-16on4.yaml', '--max-rss', '1', '--out', d, '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/memory budget of 1 MiB \(--max-rss\) reached/);
    expect(JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')).run.partial).toBe(true);
  });
});
