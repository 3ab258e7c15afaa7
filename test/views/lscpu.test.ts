import { describe, expect, it } from 'vitest';
import { hostLscpu, lscpu } from '../../src/views/lscpu.js';
import type { HostCpuInput } from '../../src/views/types.js';
import { QEMU64_AMD, QEMU64_INTEL, SMP_4_MAX_8, SMP_8_2_2_2, guest, vcpu } from './fixtures.js';

/** §2.3.5 before `cpu-add 7`, verbatim (util-linux 2.23: values from column 24). */
const SEED_BEFORE = `Architecture:          x86_64
CPU op-mode(s):        32-bit, 64-bit
Byte Order:            Little Endian
CPU(s):                4
On-line CPU(s) list:   0-3
Thread(s) per core:    1
Core(s) per socket:    1
Socket(s):             4
NUMA node(s):          1
Vendor ID:             GenuineIntel
CPU family:            6
Model:                 6
Model name:            QEMU Virtual CPU version 2.5+
Stepping:              3
CPU MHz:               2194.980
BogoMIPS:              4389.69
Hypervisor vendor:     KVM
Virtualization type:   full
L1d cache:             32K
L1i cache:             32K
L2 cache:              4096K
NUMA node0 CPU(s):     0-3
`;

/** §2.3.5 after `cpu-add 7`, verbatim. */
const SEED_AFTER = `Architecture:          x86_64
CPU op-mode(s):        32-bit, 64-bit
Byte Order:            Little Endian
CPU(s):                5
On-line CPU(s) list:   0-4
Thread(s) per core:    1
Core(s) per socket:    1
Socket(s):             5
NUMA node(s):          1
Vendor ID:             GenuineIntel
CPU family:            6
Model:                 6
Model name:            QEMU Virtual CPU version 2.5+
Stepping:              3
CPU MHz:               2194.980
BogoMIPS:              4389.69
Hypervisor vendor:     KVM
Virtualization type:   full
L1d cache:             32K
L1i cache:             32K
L2 cache:              4096K
NUMA node0 CPU(s):     0-4
`;

describe('lscpu in the guest', () => {
  const t = SMP_4_MAX_8;
  // The seed's boot-time calibration gave 4389.69 BogoMIPS while cpu MHz
  // read 2194.980 later, so BogoMIPS is an input here.
  const machine = { mhz: 2194.98, bogomips: 4389.69 };
  const boot = [0, 1, 2, 3].map((i) => vcpu(t, i, 190609 + i));

  it('matches the seed before cpu-add 7, byte for byte', () => {
    expect(lscpu(guest(t, boot, QEMU64_INTEL, machine))).toBe(SEED_BEFORE);
  });

  it('matches the seed after cpu-add 7, byte for byte', () => {
    const plugged = [...boot, vcpu(t, 7, 190690)];
    expect(lscpu(guest(t, plugged, QEMU64_INTEL, machine))).toBe(SEED_AFTER);
  });

  it('puts values at column 24', () => {
    for (const line of lscpu(guest(t, boot, QEMU64_INTEL, machine)).trimEnd().split('\n')) {
      expect(line[22]).toBe(' ');
      expect(line[23]).not.toBe(' ');
    }
  });

  it('reports threads, cores and sockets of -smp 8,sockets=2,cores=2,threads=2', () => {
    const s = SMP_8_2_2_2;
    const out = lscpu(guest(s, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => vcpu(s, i, i)), QEMU64_INTEL));
    expect(out).toContain('Thread(s) per core:    2\n');
    expect(out).toContain('Core(s) per socket:    2\n');
    expect(out).toContain('Socket(s):             2\n');
    expect(out).toContain('On-line CPU(s) list:   0-7\n');
  });

  it('lists offline CPUs and leaves them out of the topology counts', () => {
    const cpus = [...boot];
    cpus[2] = { ...cpus[2], online: false };
    const out = lscpu(guest(t, cpus, QEMU64_INTEL, machine));
    expect(out).toContain('CPU(s):                4\n');
    expect(out).toContain('On-line CPU(s) list:   0,1,3\n');
    expect(out).toContain('Off-line CPU(s) list:  2\n');
    expect(out).toContain('Socket(s):             3\n');
  });

  it('shows AMD-V for a guest that has svm, and L3 when QEMU reports one', () => {
    const out = lscpu(guest(t, boot, QEMU64_AMD, { l3KB: 16384 }));
    expect(out).toContain('Virtualization:        AMD-V\nHypervisor vendor:     KVM\n');
    expect(out).toContain('L2 cache:              4096K\nL3 cache:              16384K\n');
  });
});

describe('hostLscpu', () => {
  it('prints VT-x, NUMA nodes and no hypervisor lines for a two-node host', () => {
    const cpus = Array.from({ length: 8 }, (_, cpu) => ({
      cpu,
      socket: cpu < 4 ? 0 : 1,
      core: (cpu % 4) >> 1,
      apicId: cpu,
      node: cpu < 4 ? 0 : 1,
    }));
    const host: HostCpuInput = {
      identity: { ...QEMU64_INTEL, name: 'host', model: 79, modelId: 'Intel(R) Xeon(R) CPU E5-2620 v4 @ 2.10GHz', flags: ['fpu', 'vmx', 'lm'] },
      mhz: 2100,
      cacheSizeKB: 20480,
      l1dKB: 32,
      l1iKB: 32,
      l2KB: 256,
      l3KB: 20480,
      maxMhz: 3000,
      minMhz: 1200,
      cpus,
    };
    const out = hostLscpu(host);
    expect(out).toContain('Thread(s) per core:    2\nCore(s) per socket:    2\nSocket(s):             2\nNUMA node(s):          2\n');
    expect(out).toContain('CPU max MHz:           3000.0000\nCPU min MHz:           1200.0000\nBogoMIPS:              4200.00\n');
    expect(out).toContain('Virtualization:        VT-x\n');
    expect(out).not.toContain('Hypervisor');
    expect(out).toContain('L3 cache:              20480K\nNUMA node0 CPU(s):     0-3\nNUMA node1 CPU(s):     4-7\n');
  });
});
