import { describe, expect, it } from 'vitest';
import { hostProcCpuinfo, procCpuinfo } from '../../src/views/proccpuinfo.js';
import type { HostCpuInput } from '../../src/views/types.js';
import {
  QEMU64_AMD,
  QEMU64_INTEL,
  SMP_4_MAX_8,
  SMP_8_2_2_2,
  SMP_DEFAULT,
  cpuinfoBlocks,
  guest,
  place,
  vcpu,
} from './fixtures.js';

/**
 * §4.2 of the seed, verbatim: `cat /proc/cpuinfo` of a guest started without
 * -smp and -cpu. The book's typesetting turned tabs into spaces, wrapped the
 * flags line and misspelt `apicid` as `apciid` (its §4.3 Broadwell block
 * spells it right), so the comparison is field by field.
 */
const SEED_QEMU64 = `processor       : 0
vendor_id       : AuthenticAMD
cpu family      : 6
model           : 6
model name      : QEMU Virtual CPU version 2.5+
stepping        : 3
cpu MHz         : 3591.617
cache size      : 512 KB
physical id     : 0
siblings        : 1
core id         : 0
cpu cores       : 1
apciid          : 0
initial apicid  : 0
fpu             : yes
fpu_exception   : yes
cpuid level     : 13
wp              : yes
flags           : fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36
                   clflush mmx fxsr sse sse2 syscall nx lm nopl pni cx16 hypervisor
                   lahf_lm svm
bogomips         : 7183.23
TLB size        : 1024 4K pages
clflush size     : 64
cache_alignment : 64
address sizes   : 40 bits physical, 48 bits virtual
power management:
`;

describe('procCpuinfo', () => {
  const noSmp = guest(SMP_DEFAULT, [vcpu(SMP_DEFAULT, 0, 10747)], QEMU64_AMD);

  it('matches the seed qemu64 block field by field, in order', () => {
    const seed = cpuinfoBlocks(SEED_QEMU64)[0].map(([k, v]): [string, string] => [k === 'apciid' ? 'apicid' : k, v]);
    const ours = cpuinfoBlocks(procCpuinfo(noSmp));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toEqual(seed);
  });

  it('uses the tab alignment of show_cpuinfo and ends each CPU with a blank line', () => {
    const text = procCpuinfo(noSmp);
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual(['processor\t: 0', 'vendor_id\t: AuthenticAMD', 'cpu family\t: 6', 'model\t\t: 6']);
    expect(lines).toContain('core id\t\t: 0');
    expect(lines).toContain('apicid\t\t: 0');
    expect(lines).toContain('initial apicid\t: 0');
    expect(lines).toContain('fpu_exception\t: yes');
    expect(lines).toContain('flags\t\t: ' + QEMU64_AMD.flags.join(' '));
    expect(lines).toContain('TLB size\t: 1024 4K pages');
    expect(lines).toContain('cache_alignment\t: 64');
    expect(text.endsWith('power management:\n\n')).toBe(true);
  });

  it('derives bogomips from the TSC frequency (2 x MHz, truncated) unless given', () => {
    const blocks = cpuinfoBlocks(procCpuinfo({ ...noSmp, mhz: 2194.98, bogomips: 4389.69 }));
    expect(new Map(blocks[0]).get('bogomips')).toBe('4389.69');
    expect(new Map(cpuinfoBlocks(procCpuinfo(noSmp))[0]).get('bogomips')).toBe('7183.23');
  });

  it('prints no TLB line for Intel and the microcode line only when non-zero', () => {
    const intel = procCpuinfo({ ...noSmp, identity: QEMU64_INTEL, microcode: 1 });
    expect(intel).not.toContain('TLB size');
    expect(intel).toContain('microcode\t: 0x1\n');
    expect(procCpuinfo(noSmp)).not.toContain('microcode');
  });

  it('shows sockets, siblings, core ids and apicids of -smp 8,sockets=2,cores=2,threads=2', () => {
    const t = SMP_8_2_2_2;
    const g = guest(t, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => vcpu(t, i, 186374 + i)), QEMU64_INTEL);
    const blocks = cpuinfoBlocks(procCpuinfo(g)).map((b) => new Map(b));
    expect(blocks.map((b) => b.get('physical id'))).toEqual(['0', '0', '0', '0', '1', '1', '1', '1']);
    expect(blocks.map((b) => b.get('core id'))).toEqual(['0', '0', '1', '1', '0', '0', '1', '1']);
    expect(blocks.map((b) => b.get('apicid'))).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(blocks.every((b) => b.get('siblings') === '4' && b.get('cpu cores') === '2')).toBe(true);
  });

  it('numbers a hot-plugged #7 contiguously: processor 4 with apicid 7 (seed §2.3.5)', () => {
    const t = SMP_4_MAX_8;
    const cpus = [0, 1, 2, 3].map((i) => vcpu(t, i, 190609 + i));
    cpus.push(vcpu(t, 7, 190690));
    const blocks = cpuinfoBlocks(procCpuinfo(guest(t, cpus, QEMU64_INTEL))).map((b) => new Map(b));
    expect(blocks).toHaveLength(5);
    const last = blocks[4];
    expect(last.get('processor')).toBe('4');
    expect(last.get('apicid')).toBe('7');
    expect(last.get('initial apicid')).toBe('7');
    expect(last.get('physical id')).toBe('7');
    expect(last.get('siblings')).toBe('1');
  });

  it('leaves offline CPUs out and recounts siblings', () => {
    const t = SMP_8_2_2_2;
    const cpus = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => vcpu(t, i, 100 + i));
    cpus[3] = { ...cpus[3], online: false };
    const blocks = cpuinfoBlocks(procCpuinfo(guest(t, cpus, QEMU64_INTEL))).map((b) => new Map(b));
    expect(blocks.map((b) => b.get('processor'))).toEqual(['0', '1', '2', '4', '5', '6', '7']);
    expect(blocks[0].get('siblings')).toBe('3');
    expect(blocks[0].get('cpu cores')).toBe('2');
    expect(blocks[3].get('siblings')).toBe('4');
  });

  it('sees an AMD guest without topoext as one core per logical CPU (amd_detect_cmp)', () => {
    const t = SMP_8_2_2_2;
    const g = guest(t, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => vcpu(t, i, 100 + i)), QEMU64_AMD);
    const blocks = cpuinfoBlocks(procCpuinfo(g)).map((b) => new Map(b));
    expect(blocks.map((b) => b.get('core id'))).toEqual(['0', '1', '2', '3', '0', '1', '2', '3']);
    expect(blocks.map((b) => b.get('physical id'))).toEqual(['0', '0', '0', '0', '1', '1', '1', '1']);
    expect(blocks[0].get('cpu cores')).toBe('4');
  });

  it('rejects vCPU lists no QEMU guest can have', () => {
    const t = SMP_4_MAX_8;
    const dup = guest(t, [vcpu(t, 0, 1), vcpu(t, 0, 2)], QEMU64_INTEL);
    expect(() => procCpuinfo(dup)).toThrow(/index 0 appears twice/);
    const out = guest(t, [vcpu(t, 0, 1), { ...vcpu(t, 0, 2), place: { ...place(t, 0), index: 8 } }], QEMU64_INTEL);
    expect(() => procCpuinfo(out)).toThrow(/index 8 outside 0\.\.7/);
  });
});

describe('hostProcCpuinfo', () => {
  it('prints the host CPUs with their own package and core ids', () => {
    const host: HostCpuInput = {
      identity: {
        ...QEMU64_INTEL,
        name: 'host',
        model: 79,
        stepping: 1,
        level: 20,
        modelId: 'Intel(R) Xeon(R) CPU E5-2699 v4 @ 2.20GHz',
        flags: ['fpu', 'vme', 'tsc', 'ht', 'vmx', 'lm'],
      },
      mhz: 2200,
      cacheSizeKB: 56320,
      microcode: 0xb00001e,
      addressSizes: '46 bits physical, 48 bits virtual',
      cpus: [
        { cpu: 0, socket: 0, core: 0, apicId: 0 },
        { cpu: 1, socket: 0, core: 8, apicId: 16 },
        { cpu: 2, socket: 0, core: 0, apicId: 1 },
        { cpu: 3, socket: 0, core: 8, apicId: 17 },
      ],
    };
    const blocks = cpuinfoBlocks(hostProcCpuinfo(host)).map((b) => new Map(b));
    expect(blocks.map((b) => b.get('core id'))).toEqual(['0', '8', '0', '8']);
    expect(blocks[1].get('apicid')).toBe('16');
    expect(blocks[0].get('microcode')).toBe('0xb00001e');
    expect(blocks[0].get('siblings')).toBe('4');
    expect(blocks[0].get('cpu cores')).toBe('2');
    expect(blocks[0].get('bogomips')).toBe('4400.00');
  });
});
