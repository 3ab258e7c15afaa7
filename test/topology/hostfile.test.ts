import { describe, expect, it } from 'vitest';
import { parseHostFile, parseLscpuP, parseProcCpuinfo } from '../../src/topology/hostfile.js';
import { hostProcCpuinfo } from '../../src/views/proccpuinfo.js';

/** A laptop's /proc/cpuinfo (Core i5-7200U: one package, two cores, two threads each), flags shortened. */
function laptopBlock(processor: number, core: number, apicid: number, mhz: string): string {
  return `processor\t: ${processor}
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 142
model name\t: Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz
stepping\t: 9
microcode\t: 0xf0
cpu MHz\t\t: ${mhz}
cache size\t: 3072 KB
physical id\t: 0
siblings\t: 4
core id\t\t: ${core}
cpu cores\t: 2
apicid\t\t: ${apicid}
initial apicid\t: ${apicid}
fpu\t\t: yes
fpu_exception\t: yes
cpuid level\t: 22
wp\t\t: yes
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc vmx avx2
bugs\t\t: cpu_meltdown spectre_v1 spectre_v2
bogomips\t: 5399.81
clflush size\t: 64
cache_alignment\t: 64
address sizes\t: 39 bits physical, 48 bits virtual
power management:

`;
}
const LAPTOP =
  laptopBlock(0, 0, 0, '700.024') + laptopBlock(1, 1, 2, '2900.118') + laptopBlock(2, 0, 1, '700.001') + laptopBlock(3, 1, 3, '804.290');

/** `lscpu -p` of a two-socket, two-node server with four cores per socket and hyper-threading. */
const SERVER_LSCPU_P = `# The following is the parsable format, which can be fed to other
# programs. Each different item in every column has an unique ID
# starting from zero.
# CPU,Core,Socket,Node,,L1d,L1i,L2,L3
0,0,0,0,,0,0,0,0
1,1,0,0,,1,1,1,0
2,2,0,0,,2,2,2,0
3,3,0,0,,3,3,3,0
4,4,1,1,,4,4,4,1
5,5,1,1,,5,5,5,1
6,6,1,1,,6,6,6,1
7,7,1,1,,7,7,7,1
8,0,0,0,,0,0,0,0
9,1,0,0,,1,1,1,0
10,2,0,0,,2,2,2,0
11,3,0,0,,3,3,3,0
12,4,1,1,,4,4,4,1
13,5,1,1,,5,5,5,1
14,6,1,1,,6,6,6,1
15,7,1,1,,7,7,7,1
`;

describe('parseHostFile: /proc/cpuinfo', () => {
  it('reads the topology, model name, MHz and flags of the first CPU', () => {
    const host = parseHostFile(LAPTOP, 'laptop.cpuinfo');
    expect(host.format).toBe('proc-cpuinfo');
    expect(host.topology).toEqual({ sockets: 1, coresPerSocket: 2, threadsPerCore: 2, numaNodes: 1 });
    expect(host.cpus).toEqual([
      { cpu: 0, socket: 0, core: 0, node: 0, coreId: 0, apicId: 0 },
      { cpu: 1, socket: 0, core: 1, node: 0, coreId: 1, apicId: 2 },
      { cpu: 2, socket: 0, core: 0, node: 0, coreId: 0, apicId: 1 },
      { cpu: 3, socket: 0, core: 1, node: 0, coreId: 1, apicId: 3 },
    ]);
    expect(host.modelName).toBe('Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz');
    expect(host.mhz).toBe(700.024);
    expect(host.flags?.slice(0, 3)).toEqual(['fpu', 'vme', 'de']);
    expect(host.flags).toContain('vmx');
  });

  it('reads back what hostProcCpuinfo prints', () => {
    const text = hostProcCpuinfo({
      identity: {
        name: 'host',
        vendor: 'GenuineIntel',
        family: 6,
        model: 85,
        stepping: 4,
        level: 22,
        xlevel: 0x80000008,
        modelId: 'Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz',
        flags: ['fpu', 'tsc', 'ht', 'vmx', 'lm'],
      },
      mhz: 2100,
      cacheSizeKB: 22528,
      cpus: [0, 1, 2, 3, 4, 5, 6, 7].map((cpu) => ({ cpu, socket: cpu >> 2, core: [0, 4][(cpu >> 1) & 1], apicId: cpu })),
    });
    const host = parseProcCpuinfo(text);
    expect(host.topology).toEqual({ sockets: 2, coresPerSocket: 2, threadsPerCore: 2, numaNodes: 1 });
    expect(host.cpus[3]).toEqual({ cpu: 3, socket: 0, core: 1, node: 0, coreId: 4, apicId: 3 });
    expect(host.mhz).toBe(2100);
  });

  it('treats a kernel without topology lines as one package of single-thread cores', () => {
    const host = parseHostFile('processor\t: 0\nmodel name\t: ARMv7 Processor rev 4 (v7l)\n\nprocessor\t: 1\nmodel name\t: ARMv7 Processor rev 4 (v7l)\n\nHardware\t: BCM2835\nRevision\t: a02082\n');
    expect(host.topology).toEqual({ sockets: 1, coresPerSocket: 2, threadsPerCore: 1, numaNodes: 1 });
  });

  it('names the file and line of a malformed line', () => {
    const broken = LAPTOP.replace('clflush size\t: 64', 'clflush size 64');
    expect(() => parseHostFile(broken, 'laptop.cpuinfo')).toThrow(/^laptop\.cpuinfo:23: expected "key<TAB>: value"/);
  });

  it('names the line of a non-numeric id and of a repeated CPU', () => {
    expect(() => parseHostFile(LAPTOP.replace('core id\t\t: 1', 'core id\t\t: one'), 'h')).toThrow(
      'h:39: "core id" is not a non-negative integer: "one"',
    );
    expect(() => parseHostFile(laptopBlock(0, 0, 0, '800.000') + laptopBlock(0, 1, 2, '800.000'), 'h')).toThrow(
      'h:28: CPU 0 listed twice (first on line 1)',
    );
  });
});

describe('parseHostFile: lscpu -p', () => {
  it('reads sockets, nodes and per-socket core indexes', () => {
    const host = parseHostFile(SERVER_LSCPU_P, 'server.lscpu');
    expect(host.format).toBe('lscpu-p');
    expect(host.topology).toEqual({ sockets: 2, coresPerSocket: 4, threadsPerCore: 2, numaNodes: 2 });
    expect(host.cpus[9]).toEqual({ cpu: 9, socket: 0, core: 1, node: 0, coreId: 1 });
    expect(host.cpus[13]).toEqual({ cpu: 13, socket: 1, core: 1, node: 1, coreId: 5 });
    expect(host.modelName).toBeUndefined();
  });

  it('takes custom columns and skips offline CPUs listed by --all', () => {
    const text = '# CPU,Socket,Core,Node\n0,0,0,0\n1,0,1,0\n2,-,-,-\n';
    const host = parseLscpuP(text, 'p');
    expect(host.cpus.map((c) => c.cpu)).toEqual([0, 1]);
    expect(host.topology).toEqual({ sockets: 1, coresPerSocket: 2, threadsPerCore: 1, numaNodes: 1 });
  });

  it('names the line whose field count disagrees with the header', () => {
    const broken = SERVER_LSCPU_P.replace('5,5,1,1,,5,5,5,1', '5,5,1');
    expect(() => parseHostFile(broken, 'server.lscpu')).toThrow(
      'server.lscpu:10: 3 fields, but the header on line 4 names 9',
    );
  });
});

describe('parseHostFile: anything else', () => {
  it('refuses with the file and line of the first non-blank line', () => {
    expect(() => parseHostFile('\nArchitecture:          x86_64\n', 'lscpu.txt')).toThrow(/^lscpu\.txt:2: unrecognised host file/);
    expect(() => parseHostFile('', 'empty.txt')).toThrow(/^empty\.txt:1: empty file/);
  });
});
