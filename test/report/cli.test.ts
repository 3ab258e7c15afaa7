import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

describe('simvm run: report files', () => {
  it('--format html,csv writes report.html and the CSVs, --trace the trace, --no-write skips only report.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simvm-report-'));
    const trace = join(dir, 'traces', 'run.json');
    const r = cli(['scenarios/overcommit-2on4.yaml', '--duration', '20ms', '--set', 'warmup=10ms', '--format', 'html,csv', '--out', dir, '--no-write', '--trace', trace]);
    expect(r.stderr).toMatch(/wrote .*report\.html/);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir).sort()).toEqual(['guests.csv', 'latency.csv', 'pcpus.csv', 'report.html', 'series-guests.csv', 'series-pcpus.csv', 'traces', 'vcpus.csv']);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    const t = JSON.parse(readFileSync(trace, 'utf8'));
    expect(t.otherData.window_start_ns).toBe(10_000_000);
    expect(t.traceEvents.length).toBeGreaterThan(10);
  });

  it('rejects an unknown format before running', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simvm-report-'));
    const r = cli(['scenarios/overcommit-2on4.yaml', '--format', 'text,pdf', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown --format "pdf"/);
    expect(r.stderr).toMatch(/html/);
    expect(existsSync(join(dir, 'report.json'))).toBe(false);
  });
});
