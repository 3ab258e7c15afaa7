/**
 * Inputs for the view tests, built by hand from the seed chapter
 * (kvm-vcpu-smp-overcommit-pinning.zh.md) so the views are checked against
 * its printed outputs and not against another module of simvm.
 */
import type { CpuIdentity } from '../../src/cpu/models/types.js';
import type { CpuPlace, GuestTopology } from '../../src/topology/types.js';
import type { GuestCpuState, GuestViewInput } from '../../src/views/types.js';

/** The seed's qemu64 flags, §2.3.2 / §4.2, in the order the guest printed them. */
export const QEMU64_FLAGS = (
  'fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 ' +
  'clflush mmx fxsr sse sse2 syscall nx lm nopl pni cx16 hypervisor lahf_lm svm'
).split(' ');

/** qemu64 as the seed's TCG guests see it (§2.3.2, §4.2): vendor AuthenticAMD. */
export const QEMU64_AMD: CpuIdentity = {
  name: 'qemu64',
  vendor: 'AuthenticAMD',
  family: 6,
  model: 6,
  stepping: 3,
  level: 0xd,
  xlevel: 0x8000000a,
  modelId: 'QEMU Virtual CPU version 2.5+',
  flags: QEMU64_FLAGS,
};

/**
 * qemu64 under KVM on an Intel host (§2.3.5's lscpu: GenuineIntel). KVM on
 * Intel cannot offer `svm`, so the flag is gone (lscpu shows no
 * "Virtualization:" line).
 */
export const QEMU64_INTEL: CpuIdentity = {
  ...QEMU64_AMD,
  vendor: 'GenuineIntel',
  flags: QEMU64_FLAGS.filter((f) => f !== 'svm'),
};

/** -smp as QEMU 2.x resolves it (sockets = maxcpus / (cores * threads) when omitted). */
export function topology(cpus: number, maxcpus: number, sockets: number, cores: number, threads: number): GuestTopology {
  return { cpus, maxcpus, sockets, dies: 1, cores, threads };
}

export const SMP_DEFAULT = topology(1, 1, 1, 1, 1);
export const SMP_8 = topology(8, 8, 8, 1, 1);
export const SMP_8_2_2_2 = topology(8, 8, 2, 2, 2);
export const SMP_4_MAX_8 = topology(4, 8, 8, 1, 1);

/**
 * A CpuPlace worked out by hand the way QEMU numbers it: index = ((socket *
 * cores) + core) * threads + thread, APIC id = socket<<(coreBits+smtBits) |
 * core<<smtBits | thread with each width rounded up to a power of two.
 */
export function place(t: GuestTopology, index: number): CpuPlace {
  const width = (n: number) => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));
  const thread = index % t.threads;
  const core = Math.floor(index / t.threads) % t.cores;
  const socket = Math.floor(index / (t.threads * t.cores));
  const smtBits = width(t.threads);
  const coreBits = width(t.cores);
  return { index, socket, die: 0, core, thread, apicId: (socket << (smtBits + coreBits)) | (core << smtBits) | thread };
}

/** The halted-in-idle pc every vCPU of the seed's 2.7 guests shows. */
export const IDLE_PC = 0xffffffff81060eb6n;

export function vcpu(t: GuestTopology, index: number, threadId: number, pc: bigint = IDLE_PC): GuestCpuState {
  return { place: place(t, index), online: true, halted: true, pc, threadId };
}

export function guest(
  t: GuestTopology,
  cpus: GuestCpuState[],
  identity: CpuIdentity,
  extra: Partial<GuestViewInput> = {},
): GuestViewInput {
  return {
    name: 'kvm-guest',
    topology: t,
    cpus,
    identity,
    mhz: 3591.617,
    cacheSizeKB: 512,
    l1dKB: 32,
    l1iKB: 32,
    l2KB: 4096,
    ...extra,
  };
}

/** Parse /proc/cpuinfo-like text into blocks of [key, value] pairs (keys trimmed). */
export function cpuinfoBlocks(text: string): [string, string][][] {
  const blocks: [string, string][][] = [];
  let current: [string, string][] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.length > 0) blocks.push(current);
      current = [];
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) {
      // The seed wraps the flags line; continuation lines carry more flags.
      const last = current[current.length - 1];
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    current.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  if (current.length > 0) blocks.push(current);
  return blocks;
}
