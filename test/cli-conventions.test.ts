import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './helpers.js';

const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const COMMANDS = ['run', 'view', 'sweep', 'merge', 'cpu-models', 'migrate-check', 'schema', 'isa'];
const tmp = () => mkdtempSync(join(tmpdir(), 'simvm-conv-'));

describe('every command takes -h, --help and --version', () => {
  for (const c of COMMANDS) {
    it(c, () => {
      for (const flag of ['-h', '--help']) {
        const h = cli([c, flag]);
        expect(h.code, h.stderr).toBe(0);
        expect(h.stdout).toMatch(new RegExp(`^simvm ${c}`));
        expect(h.stderr).toBe('');
      }
      const v = cli([c, '--version']);
      expect(v.code).toBe(0);
      expect(v.stdout).toBe(`${VERSION}\n`);
    });
  }

  it('-h at the top lists the commands', () => {
    const h = cli(['-h']);
    expect(h.code).toBe(0);
    for (const c of COMMANDS) expect(h.stdout).toContain(`simvm ${c}`);
  });

  it('bare simvm prints the usage on stderr and exits 2', () => {
    const r = cli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^simvm <scenario.yaml> \[options\]/);
    expect(r.stderr).toMatch(/Commands:/);
  });
});

describe('stdout holds the text report or nothing, whatever --format lists', () => {
  const args = ['scenarios/overcommit-2on4.yaml', '--duration', '10ms', '--set', 'warmup=5ms', '-q'];
  const text = cli([...args, '--no-write']).stdout;
  it('text alone', () => {
    expect(text).toMatch(/^simvm report: overcommit-2on4\n/);
  });
  for (const format of ['json', 'html', 'csv', 'text,json', 'json,text,html,csv', 'html,csv']) {
    it(format, () => {
      const d = tmp();
      const r = cli([...args, '--format', format, '--out', d, '--no-write']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(format.includes('text') ? text : '');
      // json asked for is written even with --no-write; html and csv are files.
      expect(existsSync(join(d, 'report.json'))).toBe(format.includes('json'));
      expect(existsSync(join(d, 'report.html'))).toBe(format.includes('html'));
      expect(existsSync(join(d, 'guests.csv'))).toBe(format.includes('csv'));
    });
  }
});

describe('sweep --shard auto', () => {
  it('takes the shard from a Slurm array task and writes that shard', () => {
    const d = tmp();
    writeFileSync(
      join(d, 's.yaml'),
      'duration: 10ms\nwarmup: 2ms\nhost: { cpus: 2 }\nguests:\n  - { name: vm, smp: 1, workload: { kind: spinlock } }\nsweep:\n  params:\n    guests.vm.smp: [1, 2, 3]\n  replicates: 1\n',
    );
    const env = { SLURM_ARRAY_TASK_ID: '11', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_MAX: '12', SLURM_ARRAY_TASK_COUNT: '3' };
    const r = cli(['sweep', 's.yaml', '--shard', 'auto', '--out', 'o', '--workers', '1'], { cwd: d, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^sweep: shard 2\/3 \(slurm: SLURM_ARRAY_TASK_ID, /);
    expect(readdirSync(join(d, 'o')).filter((f) => f.endsWith('.json'))).toEqual(['sweep-shard-2-of-3.json']);
    const doc = JSON.parse(readFileSync(join(d, 'o', 'sweep-shard-2-of-3.json'), 'utf8'));
    expect(doc.points.filter((p: { runs: unknown[] }) => p.runs.length).map((p: { index: number }) => p.index)).toEqual([1]);
  });

  it('without an engine, says what to set and exits 2 before running', () => {
    const d = tmp();
    writeFileSync(join(d, 's.yaml'), 'host: { cpus: 1 }\nguests:\n  - { name: vm, smp: 1, workload: { kind: idle } }\n');
    const env = Object.fromEntries(Object.keys(process.env).filter((k) => /^(SLURM_|AWS_BATCH_|JOB_COMPLETION_INDEX|SIMVM_SHARD_)/.test(k)).map((k) => [k, '']));
    const r = cli(['sweep', 's.yaml', '--shard', 'auto', '--out', 'o'], { cwd: d, env: { ...env, GITHUB_ACTIONS: 'true' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^simvm: error: --shard auto: no batch engine's shard index in the environment/);
    expect(existsSync(join(d, 'o'))).toBe(false);
  });
});
