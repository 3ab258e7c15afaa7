import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, run } from '../helpers.js';

const SHORT = (extra: string[] = []) => ({ duration: '300ms', sets: ['warmup=50ms', ...extra] });

describe('CPU models change what guests can execute (seed §4)', () => {
  it('the AVX2 workload is slower on qemu64 than on Broadwell', () => {
    const r = run('cpu-models.yaml', SHORT());
    const [legacy, modern] = r.guests;
    expect(modern.throughput.per_second / legacy.throughput.per_second).toBeGreaterThan(2.3);
    expect(legacy.faults).toEqual([]);
  });

  it('without a fallback path, qemu64 takes #UD, reported per guest, and the run goes on', () => {
    const r = run('cpu-models.yaml', SHORT(['guests.legacy.workload.fallback=false']));
    const [legacy, modern] = r.guests;
    expect(legacy.faults).toHaveLength(2);
    expect(legacy.faults[0].message).toMatch(/#UD invalid opcode \(vwork needs avx2\)/);
    expect(legacy.throughput.total).toBe(0);
    expect(modern.throughput.total).toBeGreaterThan(0);
  });

  it('-feature removes a flag: Broadwell,-avx2 behaves like a model without AVX2', () => {
    const r = run('cpu-models.yaml', SHORT(['guests.modern.cpu=Broadwell,-avx2']));
    const [legacy, modern] = r.guests;
    expect(modern.throughput.per_second / legacy.throughput.per_second).toBeGreaterThan(0.95);
    expect(modern.throughput.per_second / legacy.throughput.per_second).toBeLessThan(1.05);
  });

  it('on_fault: stop ends the run, marked partial', () => {
    const r = run('cpu-models.yaml', SHORT(['guests.legacy.workload.fallback=false', 'guests.legacy.on_fault=stop']));
    expect(r.run.partial).toBe(true);
    expect(r.run.stop_reason).toMatch(/guest legacy vCPU 0 faulted: #UD/);
  });

  it('a model the host cannot back is rejected with QEMU\'s warning lines', () => {
    const r = cli(['scenarios/cpu-models.yaml', '--set', 'guests.modern.cpu=Skylake-Server', '--no-write']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Skylake-Server needs CPU features host Broadwell lacks/);
    expect(r.stderr).toMatch(/warning: host doesn't support requested feature: CPUID\.07H:EBX\.avx512f \[bit 16\]/);
  });

  it('x2APIC IPIs exit as MSR writes; without x2apic they are APIC-access exits costing more', () => {
    const text = (cpu: string) => `duration: 50ms
warmup: 0s
host: { cpus: 2, cpu: Broadwell }
guests:
  - name: g
    smp: 2
    cpu: ${cpu}
    workload:
      kind: program
      source: |
        vcpu r5
        bne r5, 0, idle
        loop: ipi 1
        work 3000
        count ops
        jmp loop
        idle: hlt
        jmp idle
`;
    const d = mkdtempSync(join(tmpdir(), 'simvm-'));
    const res = (cpu: string) => {
      writeFileSync(join(d, 'x.yaml'), text(cpu));
      const r = cli([join(d, 'x.yaml'), '--format', 'json', '--out', d, '-q']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')).guests[0];
    };
    const x2 = res('Broadwell');
    const xapic = res('Broadwell,-x2apic');
    expect(x2.vcpu[0].exits.MSR_WRITE).toBeGreaterThan(1000);
    expect(x2.vcpu[0].exits.APIC_ACCESS).toBe(0);
    expect(xapic.vcpu[0].exits.APIC_ACCESS).toBeGreaterThan(1000);
    expect(xapic.throughput.total).toBeLessThan(0.9 * x2.throughput.total);
  });
});

describe('simvm cpu-models and migrate-check', () => {
  it('lists every model of the seed\'s -cpu ? list in its format', () => {
    const r = cli(['cpu-models']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Available CPUs:$/m);
    for (const m of ['486', 'Broadwell', 'Haswell-noTSX-IBRS', 'Opteron_G5', 'SandyBridge', 'Skylake-Server-IBRS', 'qemu64', 'kvm64', 'host', 'max']) {
      expect(r.stdout).toMatch(new RegExp(`^x86 ${m.replace(/[-]/g, '\\-')}(\\s|$)`, 'm'));
    }
    expect(r.stdout).toMatch(/^x86 qemu64 +QEMU Virtual CPU version 2\.5\+$/m);
    const v = cli(['cpu-models', '--verbose', 'Broadwell']);
    expect(v.stdout).toMatch(/model\D+61/);
    expect(cli(['cpu-models', '--verbose', 'Brodwell']).code).toBe(2);
  });

  it('finds which hosts of a mixed group run each model, and their best common model', () => {
    const d = mkdtempSync(join(tmpdir(), 'simvm-'));
    const f = join(d, 'mig.yaml');
    writeFileSync(
      f,
      `host: { cpus: 2, cpu: IvyBridge }
guests:
  - { name: a, cpu: SandyBridge, workload: { kind: idle } }
  - { name: b, cpu: IvyBridge, workload: { kind: idle } }
migration:
  hosts:
    - { name: sandy, cpu: SandyBridge }
    - { name: ivy, cpu: IvyBridge }
`,
    );
    const r = cli(['migrate-check', f]);
    // b cannot run on sandy: a failed check.
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('simvm: migrate-check: cannot run: b on sandy; give a guest that must migrate cpu: SandyBridge\n');
    expect(r.stdout).toMatch(/^a +SandyBridge +sandy +yes/m);
    expect(r.stdout).toMatch(/^b +IvyBridge +sandy +no +.*f16c/m);
    expect(r.stdout).toMatch(/^b +IvyBridge +ivy +yes/m);
    expect(r.stdout).toMatch(/best common model .*: SandyBridge$/m);
  });
});
