import { describe, expect, it } from 'vitest';
import { cpulist, formatBogomips, formatMhz, guestLogicalCpus, linuxTopologyIds } from '../../src/views/cpus.js';
import { QEMU64_AMD, QEMU64_INTEL, SMP_4_MAX_8, guest, vcpu } from './fixtures.js';

describe('cpulist (util-linux)', () => {
  it('writes runs of three or more as ranges and pairs as two numbers', () => {
    expect(cpulist([0, 1, 2, 3])).toBe('0-3');
    expect(cpulist([4, 5])).toBe('4,5');
    expect(cpulist([0, 1, 2, 3, ...Array.from({ length: 82 }, (_, i) => i + 6)])).toBe('0-3,6-87');
    expect(cpulist([7])).toBe('7');
    expect(cpulist([])).toBe('');
  });
});

describe('number formats', () => {
  it('prints cpu MHz with three decimals and BogoMIPS truncated', () => {
    expect(formatMhz(3591.617)).toBe('3591.617');
    expect(formatMhz(2200)).toBe('2200.000');
    expect(formatBogomips(3591.617)).toBe('7183.23');
    expect(formatBogomips(2194.845)).toBe('4389.69');
    expect(formatBogomips(2194.98, 4389.69)).toBe('4389.69');
  });
});

describe('linuxTopologyIds', () => {
  it('keeps core ids unique within a package that has dies (leaf 0xB shifts)', () => {
    const topo = { dies: 2, cores: 3, threads: 2 };
    // socket 1, die 1, core 2, thread 1: 1<<4 | 1<<3 | 2<<1 | 1
    const apicId = (1 << 4) | (1 << 3) | (2 << 1) | 1;
    expect(linuxTopologyIds(apicId, topo, QEMU64_INTEL)).toEqual({ physicalId: 1, coreId: 6 });
  });

  it('follows the AMD CPUID 0x80000008 width, and none below that leaf', () => {
    const topo = { dies: 1, cores: 2, threads: 2 };
    expect(linuxTopologyIds(5, topo, QEMU64_AMD)).toEqual({ physicalId: 1, coreId: 1 });
    expect(linuxTopologyIds(5, topo, { ...QEMU64_AMD, xlevel: 0x80000004 })).toEqual({ physicalId: 5, coreId: 0 });
    expect(linuxTopologyIds(5, topo, { ...QEMU64_AMD, flags: [...QEMU64_AMD.flags, 'topoext'] })).toEqual({
      physicalId: 1,
      coreId: 0,
    });
  });
});

describe('guestLogicalCpus', () => {
  it('numbers by position unless the guest numbered a CPU itself', () => {
    const t = SMP_4_MAX_8;
    const cpus = [vcpu(t, 0, 1), vcpu(t, 1, 2), { ...vcpu(t, 7, 3), guestCpu: 2 }, { ...vcpu(t, 5, 4), guestCpu: 3 }];
    const out = guestLogicalCpus(guest(t, cpus, QEMU64_INTEL));
    expect(out.map((c) => [c.cpu, c.state.place.index])).toEqual([
      [0, 0],
      [1, 1],
      [2, 7],
      [3, 5],
    ]);
  });

  it('rejects more present vCPUs than maxcpus and duplicate guest numbers', () => {
    const t = { ...SMP_4_MAX_8, maxcpus: 2 };
    expect(() => guestLogicalCpus(guest(t, [vcpu(t, 0, 1), vcpu(t, 1, 2), vcpu(t, 2, 3)], QEMU64_INTEL))).toThrow(
      'guest kvm-guest: 3 present vCPUs exceed maxcpus=2',
    );
    const u = SMP_4_MAX_8;
    expect(() =>
      guestLogicalCpus(guest(u, [vcpu(u, 0, 1), { ...vcpu(u, 1, 2), guestCpu: 0 }], QEMU64_INTEL)),
    ).toThrow('guest CPU number 0 appears twice');
  });
});
