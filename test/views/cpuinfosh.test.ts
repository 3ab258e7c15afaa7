import { describe, expect, it } from 'vitest';
import { cpuInfoSh } from '../../src/views/cpuinfosh.js';
import { procCpuinfo } from '../../src/views/proccpuinfo.js';
import {
  QEMU64_AMD,
  QEMU64_INTEL,
  SMP_4_MAX_8,
  SMP_8,
  SMP_8_2_2_2,
  SMP_DEFAULT,
  guest,
  vcpu,
} from './fixtures.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('cpuInfoSh on the guest /proc/cpuinfo (seed §2.3)', () => {
  it('no -smp: one CPU, one package, no hyper-threading', () => {
    const g = guest(SMP_DEFAULT, [vcpu(SMP_DEFAULT, 0, 10747)], QEMU64_AMD);
    expect(cpuInfoSh(procCpuinfo(g))).toBe(
      'logical CPU number in total: 1\n' +
        'physical CPU number in total: 1\n' +
        'core number in a physical CPU: 1\n' +
        'logical CPU number in a physical CPU: 1\n' +
        'Hyper threading is NOT enabled.\n',
    );
  });

  it('-smp 8 (§2.3.3)', () => {
    const g = guest(SMP_8, range(8).map((i) => vcpu(SMP_8, i, 186374 + i)), QEMU64_AMD);
    expect(cpuInfoSh(procCpuinfo(g))).toBe(
      'logical CPU number in total: 8\n' +
        'physical CPU number in total: 8\n' +
        'core number in a physical CPU: 1\n' +
        'logical CPU number in a physical CPU: 1\n' +
        'Hyper threading is NOT enabled.\n',
    );
  });

  it('-smp 8,sockets=2,cores=2,threads=2 (§2.3.4)', () => {
    const g = guest(SMP_8_2_2_2, range(8).map((i) => vcpu(SMP_8_2_2_2, i, 100 + i)), QEMU64_INTEL);
    expect(cpuInfoSh(procCpuinfo(g))).toBe(
      'logical CPU number in total: 8\n' +
        'physical CPU number in total: 2\n' +
        'core number in a physical CPU: 2\n' +
        'logical CPU number in a physical CPU: 4\n' +
        'Hyper threading is enabled. Each core has 2 threads.\n',
    );
  });

  it('-smp 4,maxcpus=8 before and after cpu-add 7 (§2.3.5)', () => {
    const t = SMP_4_MAX_8;
    const boot = range(4).map((i) => vcpu(t, i, 190609 + i));
    expect(cpuInfoSh(procCpuinfo(guest(t, boot, QEMU64_INTEL)))).toBe(
      'logical CPU number in total: 4\n' +
        'physical CPU number in total: 4\n' +
        'core number in a physical CPU: 1\n' +
        'logical CPU number in a physical CPU: 1\n' +
        'Hyper threading is NOT enabled.\n',
    );
    const plugged = [...boot, vcpu(t, 7, 190690)];
    expect(cpuInfoSh(procCpuinfo(guest(t, plugged, QEMU64_INTEL)))).toBe(
      'logical CPU number in total: 5\n' +
        'physical CPU number in total: 5\n' +
        'core number in a physical CPU: 1\n' +
        'logical CPU number in a physical CPU: 1\n' +
        'Hyper threading is NOT enabled.\n',
    );
  });

  it('an AMD guest without topoext shows its threads as cores', () => {
    const g = guest(SMP_8_2_2_2, range(8).map((i) => vcpu(SMP_8_2_2_2, i, 100 + i)), QEMU64_AMD);
    expect(cpuInfoSh(procCpuinfo(g)).split('\n').slice(2, 5)).toEqual([
      'core number in a physical CPU: 4',
      'logical CPU number in a physical CPU: 4',
      'Hyper threading is NOT enabled.',
    ]);
  });
});

describe('cpuInfoSh follows the script, quirks included', () => {
  it('stops with the warning when no line mentions "core id"', () => {
    const text = 'processor\t: 0\nvendor_id\t: GenuineIntel\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\n\n';
    expect(cpuInfoSh(text)).toBe(
      'logical CPU number in total: 2\nWarning. No multi-core or hyper-threading is enabled.\n',
    );
  });

  it('counts a model name containing "processor" as a CPU, as grep does', () => {
    const kvm64 = { ...QEMU64_INTEL, name: 'kvm64', modelId: 'Common KVM processor' };
    const g = guest(SMP_DEFAULT, [vcpu(SMP_DEFAULT, 0, 1)], kvm64);
    expect(cpuInfoSh(procCpuinfo(g)).split('\n')[0]).toBe('logical CPU number in total: 2');
  });

  it('falls into the error branch when packages report different siblings', () => {
    const t = SMP_8_2_2_2;
    const cpus = range(8).map((i) => vcpu(t, i, 100 + i));
    cpus[7] = { ...cpus[7], online: false };
    const out = cpuInfoSh(procCpuinfo(guest(t, cpus, QEMU64_INTEL))).split('\n');
    expect(out[3]).toBe('logical CPU number in a physical CPU: 3 4');
    expect(out[4]).toBe("Error. There's something wrong.");
  });
});
