import { describe, expect, it } from 'vitest';
import { lsColumns, lsSysCpu, sysCpuEntries } from '../../src/views/sysfs.js';
import { QEMU64_AMD, QEMU64_INTEL, SMP_4_MAX_8, SMP_8, SMP_8_2_2_2, SMP_DEFAULT, guest, vcpu } from './fixtures.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('ls /sys/devices/system/cpu/', () => {
  it('-smp 8,sockets=2,cores=2,threads=2 on an Intel-vendor guest (§2.3.4), byte for byte', () => {
    const g = guest(SMP_8_2_2_2, range(8).map((i) => vcpu(SMP_8_2_2_2, i, i)), QEMU64_INTEL);
    expect(lsSysCpu(g)).toBe(
      'cpu0  cpu1  cpu2  cpu3  cpu4  cpu5  cpu6  cpu7  cpuidle  isolated  kernel_max  microcode  modalias  nohz_full  offline  online  possible  power  present  uevent\n',
    );
  });

  it('-smp 4,maxcpus=8 after cpu-add 7 shows cpu4, not cpu7 (§2.3.5), byte for byte', () => {
    const t = SMP_4_MAX_8;
    const cpus = [...range(4).map((i) => vcpu(t, i, 190609 + i)), vcpu(t, 7, 190690)];
    expect(lsSysCpu(guest(t, cpus, QEMU64_INTEL))).toBe(
      'cpu0  cpu1  cpu2  cpu3  cpu4  cpuidle  isolated  kernel_max  microcode  modalias  nohz_full  offline  online  possible  power  present  uevent\n',
    );
  });

  it('-smp 8 on the AuthenticAMD family-6 qemu64: no microcode directory (§2.3.3)', () => {
    // The seed's typesetting collapsed the spaces; compare the names.
    const seed =
      'cpu0 cpu1 cpu2 cpu3 cpu4 cpu5 cpu6 cpu7 cpuidle isolated kernel_max modalias nohz_full offline online possible power present uevent';
    const g = guest(SMP_8, range(8).map((i) => vcpu(SMP_8, i, i)), QEMU64_AMD);
    expect(lsSysCpu(g).trim().split(/\s+/)).toEqual(seed.split(' '));
  });

  it('no -smp, on an 80-column terminal: the two rows of §2.3.2', () => {
    const g = guest(SMP_DEFAULT, [vcpu(SMP_DEFAULT, 0, 10747)], QEMU64_AMD);
    const rows = lsSysCpu(g, { width: 80 }).trimEnd().split('\n');
    expect(rows.map((r) => r.split(/\s+/))).toEqual([
      ['cpu0', 'isolated', 'modalias', 'offline', 'possible', 'present'],
      ['cpuidle', 'kernel_max', 'nohz_full', 'online', 'power', 'uevent'],
    ]);
    expect(rows[0]).toBe('cpu0     isolated    modalias   offline  possible  present');
  });

  it('keeps the directory of a CPU the guest took offline, and sorts cpu10 before cpu2', () => {
    const t = { cpus: 12, maxcpus: 12, sockets: 12, dies: 1, cores: 1, threads: 1 };
    const cpus = range(12).map((i) => vcpu(t, i, i));
    cpus[5] = { ...cpus[5], online: false };
    const names = sysCpuEntries(guest(t, cpus, QEMU64_INTEL));
    expect(names.slice(0, 5)).toEqual(['cpu0', 'cpu1', 'cpu10', 'cpu11', 'cpu2']);
    expect(names).toContain('cpu5');
  });

  it('takes the microcode override and newer kernels\' extra entries', () => {
    const g = guest(SMP_DEFAULT, [vcpu(SMP_DEFAULT, 0, 1)], QEMU64_INTEL);
    const names = sysCpuEntries(g, { microcode: false, extraEntries: ['vulnerabilities', 'smt', 'hotplug'] });
    expect(names).not.toContain('microcode');
    expect(names.indexOf('hotplug')).toBeLessThan(names.indexOf('isolated'));
    expect(names[names.length - 1]).toBe('vulnerabilities');
  });
});

describe('lsColumns', () => {
  it('prints one line with two spaces when the width is unlimited', () => {
    expect(lsColumns(['a', 'bb', 'c'])).toBe('a  bb  c\n');
  });

  it('fills columns top to bottom and pads all but the last name of a row', () => {
    // 3 columns need 3 + 6 + 3 = 12 cells (the nominal last column is at
    // least MIN_COLUMN_WIDTH), which must stay below the width.
    expect(lsColumns(['a', 'b', 'c', 'dddd', 'e'], 13)).toBe('a  c     e\nb  dddd\n');
    expect(lsColumns(['a', 'b', 'c', 'dddd', 'e'], 12)).toBe('a  dddd\nb  e\nc\n');
  });
});
