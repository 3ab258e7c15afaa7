/**
 * The logical CPUs a kernel enumerates, derived from the resolved inputs the
 * same way Linux derives them, plus the number formats several tools share.
 * Every guest view goes through `guestLogicalCpus`, so /proc/cpuinfo, lscpu,
 * cpu-info.sh and /sys agree on numbering and topology by construction.
 */
import type { CpuIdentity } from '../cpu/models/types.js';
import type { GuestCpuState, GuestViewInput, HostCpuInput } from './types.js';

/** A logical CPU after the kernel's topology detection. */
export interface LogicalCpu {
  /** Kernel logical number (`processor`, `cpuN`). */
  cpu: number;
  /** `physical id` (phys_proc_id). */
  physicalId: number;
  /** `core id` (cpu_core_id), unique within the package. */
  coreId: number;
  apicId: number;
  online: boolean;
  node: number;
}

export interface GuestLogicalCpu extends LogicalCpu {
  state: GuestCpuState;
}

/**
 * Bits QEMU reserves in the APIC id for `count` units of one level
 * (hw/i386/topology.h, apicid_bitwidth_for_count): 0 for 1, else
 * ceil(log2(count)).
 */
export function apicBitWidth(count: number): number {
  let bits = 0;
  while (1 << bits < count) bits++;
  return bits;
}

/** Linux get_count_order(): order of `n` rounded up to a power of two. */
export function countOrder(n: number): number {
  return apicBitWidth(n);
}

function isAmdLike(identity: CpuIdentity): boolean {
  return identity.vendor === 'AuthenticAMD' || identity.vendor === 'HygonGenuine';
}

/**
 * Linux's package and core ids for one APIC id of a QEMU guest.
 *
 * Intel-style path (detect_extended_topology, CPUID leaf 0xB, which QEMU
 * builds from the -smp shifts): phys_proc_id = apicid >> package shift;
 * cpu_core_id = (apicid >> SMT shift) masked to the core and die bits, so it
 * stays unique within the package. Models whose CPUID level is below 0xB
 * reach the same numbers through leaves 1 and 4 (detect_ht) when the counts
 * are powers of two.
 *
 * AMD-style path without `topoext` (arch/x86/kernel/cpu/amd.c,
 * early_init_amd_mc + amd_detect_cmp): the core-id width comes from CPUID
 * 0x80000008 ECX, where QEMU reports every logical CPU of the package as a
 * core, so bits = get_count_order(logical CPUs per package); cpu_core_id =
 * apicid & mask(bits) and phys_proc_id = apicid >> bits. Threads then look
 * like cores, and cpu-info.sh reports no hyper-threading. With xlevel below
 * 0x80000008 Linux keeps bits = 0.
 */
export function linuxTopologyIds(
  apicId: number,
  topo: { dies: number; cores: number; threads: number },
  identity: CpuIdentity,
): { physicalId: number; coreId: number } {
  const smtBits = apicBitWidth(topo.threads);
  const coreBits = apicBitWidth(topo.cores);
  const dieBits = apicBitWidth(topo.dies);
  if (isAmdLike(identity) && !identity.flags.includes('topoext')) {
    const bits = identity.xlevel >= 0x80000008 ? countOrder(topo.dies * topo.cores * topo.threads) : 0;
    return { physicalId: apicId >>> bits, coreId: apicId & ((1 << bits) - 1) };
  }
  const pkgShift = smtBits + coreBits + dieBits;
  return {
    physicalId: apicId >>> pkgShift,
    coreId: (apicId >>> smtBits) & ((1 << (coreBits + dieBits)) - 1),
  };
}

/**
 * The guest's logical CPUs sorted by guest number, validated against the
 * topology. Throws on inputs no QEMU guest can have (two vCPUs with one
 * index, an index beyond maxcpus, two vCPUs with one guest number).
 */
export function guestLogicalCpus(input: GuestViewInput): GuestLogicalCpu[] {
  const { topology: topo, cpus } = input;
  const where = `guest ${input.name}`;
  if (cpus.length === 0) throw new Error(`${where}: no present vCPU`);
  if (cpus.length > topo.maxcpus) {
    throw new Error(`${where}: ${cpus.length} present vCPUs exceed maxcpus=${topo.maxcpus}`);
  }
  const nodeOf = new Map<number, number>();
  (input.numaNodes ?? []).forEach((list, node) => list.forEach((c) => nodeOf.set(c, node)));
  const seenIndex = new Set<number>();
  const seenCpu = new Set<number>();
  const out = cpus.map((state, position): GuestLogicalCpu => {
    const { index, apicId } = state.place;
    if (index < 0 || index >= topo.maxcpus) {
      throw new Error(`${where}: vCPU index ${index} outside 0..${topo.maxcpus - 1}`);
    }
    if (seenIndex.has(index)) throw new Error(`${where}: vCPU index ${index} appears twice`);
    seenIndex.add(index);
    const cpu = state.guestCpu ?? position;
    if (seenCpu.has(cpu)) throw new Error(`${where}: guest CPU number ${cpu} appears twice`);
    seenCpu.add(cpu);
    const ids = linuxTopologyIds(apicId, topo, input.identity);
    return { cpu, ...ids, apicId, online: state.online, node: nodeOf.get(cpu) ?? 0, state };
  });
  return out.sort((a, b) => a.cpu - b.cpu);
}

/** The host's logical CPUs sorted by number; the host input is already in kernel terms. */
export function hostLogicalCpus(input: HostCpuInput): LogicalCpu[] {
  const seen = new Set<number>();
  return input.cpus
    .map((c): LogicalCpu => {
      if (seen.has(c.cpu)) throw new Error(`host: CPU ${c.cpu} appears twice`);
      seen.add(c.cpu);
      return {
        cpu: c.cpu,
        physicalId: c.socket,
        coreId: c.core,
        apicId: c.apicId,
        online: c.online ?? true,
        node: c.node ?? 0,
      };
    })
    .sort((a, b) => a.cpu - b.cpu);
}

/** Frequency as Linux prints `cpu MHz`: "%u.%03u" of the kHz value. */
export function formatMhz(mhz: number): string {
  const khz = Math.round(mhz * 1000);
  return `${Math.floor(khz / 1000)}.${String(khz % 1000).padStart(3, '0')}`;
}

/**
 * BogoMIPS as Linux prints it: "%lu.%02lu" of loops_per_jiffy/(500000/HZ)
 * and (loops_per_jiffy/(5000/HZ)) % 100. A TSC-calibrated kernel sets
 * loops_per_jiffy = tsc_khz * 1000 / HZ, so with HZ=1000 the value is
 * 2 * MHz truncated to two decimals (3591.617 MHz -> 7183.23).
 */
export function formatBogomips(mhz: number, given?: number): string {
  if (given !== undefined) return given.toFixed(2);
  const khz = Math.round(mhz * 1000);
  return `${Math.floor(khz / 500)}.${String(Math.floor(khz / 5) % 100).padStart(2, '0')}`;
}

/**
 * A CPU list as util-linux prints it (lib/cpuset.c, cpulist_create): runs
 * of three or more as `a-b`, a run of two as `a,b`, joined by commas.
 */
export function cpulist(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    const run = j - i;
    if (run === 0) parts.push(String(sorted[i]));
    else if (run === 1) parts.push(`${sorted[i]},${sorted[j]}`);
    else parts.push(`${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
