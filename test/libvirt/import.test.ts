import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importLibvirt } from '../../src/libvirt/import.js';
import { loadScenario, parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import { cli, ROOT } from '../helpers.js';

const EX = `${ROOT}examples/libvirt`;

describe('simvm import libvirt', () => {
  const r = importLibvirt([`${EX}/db.xml`, `${EX}/web.xml`]);

  it('writes each domain as a guest a scenario can run', () => {
    const s = parseScenario(r.yaml.replace(/kind: idle {3}# what the guest runs: edit/g, 'kind: cpu'), 'imported.yaml', { duration: '100ms', sets: ['warmup=0s'] });
    const db = s.guests.find((g) => g.name === 'db')!;
    expect(db.smpText).toBe('4,maxcpus=4,sockets=1,cores=4,threads=1');
    expect(db.cpu).toBe('host,+kvm-hint-dedicated,-kvm-pv-unhalt');
    expect(db.pin).toEqual([[4], [5], [6], [7]]);
    expect(db.emulator_pin).toEqual([0, 1]);
    expect(db.memory).toBe(16 * 1024 ** 3);
    const web = s.guests.find((g) => g.name === 'web')!;
    expect(web.smpText).toBe('6,maxcpus=16,sockets=2,cores=4,threads=2');
    expect(web.cpu).toBe('Skylake-Server,+pcid,-hle,-rtm,+avx512f,+kvm-pv-unhalt');
    expect(web.pin).toEqual([[0, 1, 2, 3]]);
    // The two enabled hotpluggable vCPUs come online at 0s, in their <vcpus> order.
    expect(s.timeline.map((t) => ('index' in t ? t.index : -1))).toEqual([7, 6]);
    expect(s.host.cpus).toBe(8);
    const res = runScenario(s, { check: true }).results;
    expect(res.guests.find((g) => g.name === 'web')!.vcpus).toBe(8);
    expect(res.guests.find((g) => g.name === 'db')!.vcpu.map((v) => v.last_cpu)).toEqual([4, 5, 6, 7]);
  });

  it('keeps every warning, with its position, as a comment beside its guest', () => {
    expect(r.warnings).toContain("web.xml:27:5: warning: <quota>50000</quota>: CFS bandwidth control of each vCPU thread's cgroup (cpu.max of vcpuN) is not modelled".replace('web.xml', `${EX}/web.xml`));
    expect(r.yaml).toContain("  #   not modelled: 27:5: <quota>50000</quota>: CFS bandwidth control of each vCPU thread's cgroup (cpu.max of vcpuN) is not modelled");
    expect(r.yaml).toContain("  #   not modelled: 14:5: <shares>4096</shares>: the domain's cgroup CPU weight (cpu.shares / cpu.weight) is not modelled");
    expect(r.yaml.match(/not modelled: /g)!.length).toBe(r.warnings.length);
  });

  it('--host makes host.from, relative to where the scenario goes', () => {
    const d = mkdtempSync(join(tmpdir(), 'simvm-imp-'));
    copyFileSync(`${ROOT}test/fixtures/host-lscpu-p.txt`, join(d, 'host.txt'));
    const out = importLibvirt([`${EX}/db.xml`], { host: join(d, 'host.txt'), out: join(d, 'sub', 'scenario.yaml') });
    expect(out.yaml).toContain('  from: ../host.txt\n');
  });

  it('never overwrites a file without --force; with it, replaces it whole', () => {
    const d = mkdtempSync(join(tmpdir(), 'simvm-imp-'));
    const out = join(d, 'mine.yaml');
    writeFileSync(out, 'precious\n');
    const refused = cli(['import', 'libvirt', `${EX}/db.xml`, '-o', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`simvm: error: ${out}: the output file exists\n  hint: choose another -o, or add --force to replace it\n`);
    expect(readFileSync(out, 'utf8')).toBe('precious\n');
    const forced = cli(['import', 'libvirt', `${EX}/db.xml`, '-o', out, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(importLibvirt([`${EX}/db.xml`], { out }).yaml);
    expect(forced.stderr).toContain(`${EX}/db.xml:14:5: warning: <shares>4096</shares>`);
  });

  it('a bad domain fails the import with its position and writes nothing', () => {
    const d = mkdtempSync(join(tmpdir(), 'simvm-imp-'));
    writeFileSync(join(d, 'bad.xml'), "<domain type='kvm'>\n  <name>x</name>\n  <vcpu>0</vcpu>\n</domain>\n");
    const res = cli(['import', 'libvirt', 'bad.xml', '-o', 'out.yaml'], { cwd: d });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('simvm: error: bad.xml:3:3: <vcpu> must be between 1 and 4096, got 0\n');
    expect(() => readFileSync(join(d, 'out.yaml'))).toThrow();
  });
});

describe('guests: - libvirt: FILE in a scenario', () => {
  it('the shipped example runs; warnings name the domain file, line and column', () => {
    const s = loadScenario(`${EX}/db-and-web.yaml`, { duration: '200ms', sets: ['warmup=50ms'] });
    expect(s.guests.map((g) => [g.name, g.smp.cpus, g.smp.maxcpus])).toEqual([
      ['db', 4, 4],
      ['web', 6, 16],
    ]);
    expect(s.warnings).toContain(`${EX}/db.xml:14:5: warning: <shares>4096</shares>: the domain's cgroup CPU weight (cpu.shares / cpu.weight) is not modelled`);
    const res = runScenario(s, { check: true }).results;
    for (const g of res.guests) expect(g.throughput.total).toBeGreaterThan(0);
    expect(res.guests[1].vcpus).toBe(8);
  });

  it('fields written beside libvirt: override the domain', () => {
    const d = mkdtempSync(join(tmpdir(), 'simvm-ref-'));
    copyFileSync(`${EX}/db.xml`, join(d, 'db.xml'));
    writeFileSync(join(d, 's.yaml'), 'host: { cpus: 8 }\nguests:\n  - libvirt: db.xml\n    name: db2\n    smp: 2\n    workload: { kind: cpu }\n');
    const s = loadScenario(join(d, 's.yaml'));
    expect(s.guests[0].name).toBe('db2');
    expect(s.guests[0].smp.cpus).toBe(2);
    expect(s.guests[0].cpu).toBe('host,+kvm-hint-dedicated,-kvm-pv-unhalt');
  });

  it('--set names a libvirt guest by its domain; an smp of its own drops the domain\'s hot-plugs', () => {
    const s = loadScenario(`${EX}/db-and-web.yaml`, { sets: ['guests.web.smp=2'] });
    expect(s.guests[1].smp.cpus).toBe(2);
    expect(s.timeline).toEqual([]);
    expect(loadScenario(`${EX}/db-and-web.yaml`).timeline).toHaveLength(2);
  });

  it('the expanded text parses again without the domain files (what a sweep run does)', () => {
    const s = loadScenario(`${EX}/db-and-web.yaml`);
    expect(s.text).toContain('  # from libvirt: web.xml\n');
    const again = parseScenario(s.text, join(tmpdir(), 'elsewhere.yaml'));
    expect(again.guests.map((g) => [g.name, g.smpText, g.cpu, g.pin, g.emulator_pin])).toEqual(s.guests.map((g) => [g.name, g.smpText, g.cpu, g.pin, g.emulator_pin]));
    expect(again.timeline).toEqual(s.timeline);
  });

  it('a sweep runs over a scenario with libvirt: guests', () => {
    const d = mkdtempSync(join(tmpdir(), 'simvm-ref-'));
    copyFileSync(`${EX}/web.xml`, join(d, 'web.xml'));
    writeFileSync(join(d, 'sw.yaml'), 'duration: 30ms\nwarmup: 10ms\nhost: { cpus: 4 }\nguests:\n  - libvirt: web.xml\n    workload: { kind: request, rate: 5k/s }\nsweep:\n  params:\n    guests.web.workload.rate: [2k/s, 5k/s]\n');
    const r = cli(['sweep', 'sw.yaml', '-q', '--format', 'json', '--out', 'out', '-j', '1'], { cwd: d });
    expect(r.code).toBe(0);
    // JSON goes to the output directory, never to stdout.
    const doc = JSON.parse(readFileSync(join(d, 'out', 'sweep.json'), 'utf8'));
    expect(doc.points.map((p: { runs: unknown[] }) => p.runs.length)).toEqual([1, 1]);
  });

  it("the domain's errors name the domain file, and pins beyond the scenario's host are refused there", () => {
    const d = mkdtempSync(join(tmpdir(), 'simvm-ref-'));
    copyFileSync(`${EX}/db.xml`, join(d, 'db.xml'));
    writeFileSync(join(d, 's.yaml'), 'host: { cpus: 4 }\nguests:\n  - libvirt: db.xml\n');
    const r = cli(['s.yaml', '--no-write'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("simvm: error: db.xml:9:30: <vcpupin cpuset='4'>: host CPU 4 does not exist (the host has CPUs 0-3)");
    writeFileSync(join(d, 's.yaml'), 'host: { cpus: 8 }\nguests:\n  - libvirt: none.xml\n');
    expect(cli(['s.yaml', '--no-write'], { cwd: d }).stderr).toBe('simvm: error: none.xml: no such file\n  hint: check the path (save one with `virsh dumpxml DOMAIN > DOMAIN.xml`)\n');
  });
});
