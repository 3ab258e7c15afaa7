import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/report/text.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import { cli, run } from '../helpers.js';

describe('the report names the QEMU machine and the host Linux', () => {
  const SHORT = { duration: '100ms', sets: ['warmup=20ms'] };

  it('modern-stack: pc-q35-9.2 on Linux 6.12, in report.json and in the text header', () => {
    const r = run('modern-stack.yaml', SHORT);
    expect(r.host.kernel).toBe('6.12');
    expect(r.host.scheduler.kind).toBe('eevdf');
    expect(r.guests.map((g) => g.machine)).toEqual(['pc-q35-9.2', 'pc-q35-9.2']);
    expect(renderText(r).split('\n')[3]).toBe('stack: QEMU machine pc-q35-9.2 | host Linux 6.12');
  });

  it('a seed scenario: pc-i440fx-2.7, no kernel named', () => {
    const r = run('overcommit-4on4.yaml', SHORT);
    expect(r.host.kernel).toBeNull();
    expect(r.guests[0].machine).toBe('pc-i440fx-2.7');
    expect(renderText(r)).toMatch(/^stack: QEMU machine pc-i440fx-2\.7$/m);
  });

  it('a scenario that names neither has no stack line', () => {
    const s = parseScenario('duration: 20ms\nwarmup: 0s\nhost: { cpus: 2 }\nguests:\n  - { name: g, smp: 2, workload: { kind: cpu } }\n', 'plain.yaml');
    const r = runScenario(s).results;
    expect(r.guests[0].machine).toBeNull();
    expect(renderText(r)).not.toMatch(/^stack:/m);
  });
});

describe('simvm cpu-models --machine', () => {
  it('lists what that release has', () => {
    const r = cli(['cpu-models', '--machine', 'pc-q35-8.1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^x86 EPYC-Genoa {12}AMD EPYC-Genoa Processor$/m);
  });
  it('refuses a machine simvm does not model, exit 2', () => {
    const r = cli(['cpu-models', '--machine', 'pc-q35-9.9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^simvm: error: --machine: "pc-q35-9\.9" is not a machine type simvm models\n {2}hint: did you mean "pc-q35-9\.[0-2]"\?/);
  });
});
