import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../src/scenario/load.js';
import { runTo } from '../../src/sim/run.js';
import { renderView } from '../../src/sim/inspect.js';
import { parseProcCpuinfo } from '../../src/topology/hostfile.js';
import { ROOT } from '../helpers.js';

const EPYC = `${ROOT}test/fixtures/host-epyc-cpuinfo.txt`;
const scenario = (guestCpu: string, hostExtra = '') =>
  parseScenario(`duration: 10ms\nhost: { from: host-epyc-cpuinfo.txt${hostExtra} }\nguests:\n  - { name: g, smp: 2, cpu: ${guestCpu}, workload: { kind: idle } }\n`, `${ROOT}test/fixtures/epyc.yaml`);

describe('host.from: the CPU itself comes from the file', () => {
  it('reads vendor, family, model, stepping and cpuid level of /proc/cpuinfo', () => {
    const hf = parseProcCpuinfo(readFileSync(EPYC, 'utf8'), 'epyc');
    expect(hf.cpuId).toEqual({ vendor: 'AuthenticAMD', family: 23, model: 49, stepping: 0, cpuidLevel: 16 });
    expect(hf.modelName).toBe('AMD EPYC 7302 16-Core Processor');
  });

  it('an AMD EPYC file makes an AMD host: -cpu host passes its identity through', () => {
    const sim = runTo(scenario('host'), 5e6);
    const info = renderView(sim, 'cpuinfo');
    expect(info).toMatch(/^vendor_id\t: AuthenticAMD$/m);
    expect(info).toMatch(/^model name\t: AMD EPYC 7302 16-Core Processor$/m);
    expect(info).toMatch(/^cpu family\t: 23$/m);
    expect(info).not.toMatch(/avx512/);
    expect(renderView(sim, 'host-lscpu')).toMatch(/^Vendor ID: +AuthenticAMD$/m);
  });

  it('a Skylake guest model is refused on it, naming what the host lacks', () => {
    expect(() => scenario('Skylake-Server')).toThrow(/Skylake-Server needs CPU features host AMD EPYC 7302 16-Core Processor lacks:[\s\S]*avx512f/);
  });

  it('host.cpu written in the scenario still wins', () => {
    const sim = runTo(scenario('host', ', cpu: Skylake-Server'), 5e6);
    expect(renderView(sim, 'cpuinfo')).toMatch(/^vendor_id\t: GenuineIntel$/m);
  });

  it('lscpu -p carries no CPU identity: host.cpu (default Skylake-Server) stays', () => {
    const s = parseScenario(`duration: 10ms\nhost: { from: host-lscpu-p.txt }\nguests:\n  - { name: g, cpu: host, workload: { kind: idle } }\n`, `${ROOT}test/fixtures/l.yaml`);
    expect(renderView(runTo(s, 5e6), 'cpuinfo')).toMatch(/^vendor_id\t: GenuineIntel$/m);
  });
});
