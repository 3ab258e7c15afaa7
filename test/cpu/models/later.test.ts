import { describe, expect, it } from 'vitest';
import { renderCpuHelp } from '../../../src/cpu/models/index.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { runTo } from '../../../src/sim/run.js';
import { renderView } from '../../../src/sim/inspect.js';
import { resolveMachine } from '../../../src/topology/machines.js';

const guest = (machine: string | undefined, cpu: string, hostCpu = 'EPYC-Genoa') =>
  parseScenario(
    `duration: 10ms\nhost: { cpus: 2, cpu: ${hostCpu} }\nguests:\n  - { name: g, ${machine ? `machine: ${machine}, ` : ''}cpu: ${cpu}, workload: { kind: idle } }\n`,
    'later.yaml',
  );
const field = (text: string, key: string) => new RegExp(`^${key}\\t*: (.*)$`, 'm').exec(text)?.[1];

describe('CPU models added after the chapter, by the release that added them', () => {
  /** [machine, the EPYC models -cpu help lists] */
  const LISTS: [string, string[]][] = [
    ['pc-i440fx-2.7', ['EPYC', 'EPYC-IBPB']],
    ['pc-q35-6.2', ['EPYC', 'EPYC-IBPB', 'EPYC-Milan', 'EPYC-Rome']],
    ['pc-q35-8.0', ['EPYC', 'EPYC-IBPB', 'EPYC-Milan', 'EPYC-Rome']],
    ['pc-q35-8.1', ['EPYC', 'EPYC-Genoa', 'EPYC-IBPB', 'EPYC-Milan', 'EPYC-Rome']],
    ['q35', ['EPYC', 'EPYC-Genoa', 'EPYC-IBPB', 'EPYC-Milan', 'EPYC-Rome']],
  ];
  it.each(LISTS)('-cpu help on %s', (machine, epycs) => {
    const names = renderCpuHelp({ release: resolveMachine(machine).release })
      .split('\n')
      .map((l) => l.split(/\s+/)[1])
      .filter((n) => n?.startsWith('EPYC'));
    expect(names).toEqual(epycs);
  });

  it('the default list stays the chapter\'s', () => {
    expect(renderCpuHelp()).not.toMatch(/EPYC-Rome/);
  });

  /** [-cpu, family, model, stepping, model name, a flag it has, a flag it lacks] */
  const IDS: [string, string, string, string, string, string, string][] = [
    ['EPYC-Rome', '23', '49', '0', 'AMD EPYC-Rome Processor', 'clwb', 'pku'],
    ['EPYC-Milan', '25', '1', '1', 'AMD EPYC-Milan Processor', 'pku', 'avx512f'],
    ['EPYC-Genoa', '25', '17', '0', 'AMD EPYC-Genoa Processor', 'avx512f', 'amx_tile'],
  ];
  it.each(IDS)('%s on pc-q35-9.2: family %s model %s stepping %s', (cpu, family, model, stepping, name, has, lacks) => {
    const info = renderView(runTo(guest('pc-q35-9.2', cpu), 5e6), 'cpuinfo');
    expect(field(info, 'vendor_id')).toBe('AuthenticAMD');
    expect(field(info, 'cpu family')).toBe(family);
    expect(field(info, 'model')).toBe(model);
    expect(field(info, 'stepping')).toBe(stepping);
    expect(field(info, 'model name')).toBe(name);
    const flags = field(info, 'flags')!.split(' ');
    expect(flags).toContain(has);
    expect(flags).not.toContain(lacks);
  });

  it('a model a release does not have is refused, naming the release that added it', () => {
    expect(() => guest('pc-q35-8.0', 'EPYC-Genoa')).toThrow(/unable to find CPU model 'EPYC-Genoa'/);
    try {
      guest('pc-q35-8.0', 'EPYC-Genoa');
    } catch (e) {
      expect((e as { hint?: string }).hint).toBe("EPYC-Genoa came in QEMU 8.1; this guest's machine is QEMU 8.0");
    }
    expect(() => guest(undefined, 'EPYC-Rome')).toThrow(/unable to find CPU model 'EPYC-Rome'/);
    try {
      guest(undefined, 'EPYC-Rome');
    } catch (e) {
      expect((e as { hint?: string }).hint).toMatch(/give the guest a machine: of 5\.0 or later/);
    }
  });

  it('a Genoa guest needs a host that has its features', () => {
    expect(() => guest('pc-q35-9.2', 'EPYC-Genoa', 'EPYC-Rome')).toThrow(/EPYC-Genoa needs CPU features host EPYC-Rome lacks[\s\S]*avx512f/);
  });
});
