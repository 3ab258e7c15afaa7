/**
 * Where QEMU puts each x86 vCPU: socket, die, core and thread from the CPU
 * index, and the APIC id built from them.
 *
 * include/hw/i386/topology.h:
 *
 *   x86_topo_ids_from_idx()   pkg  = idx / (dies * cores * threads)
 *                             die  = idx / (cores * threads) % dies
 *                             core = idx / threads % cores
 *                             smt  = idx % threads
 *   apicid_bitwidth_for_count(n) = n > 1 ? 32 - clz32(n - 1) : 0
 *                             (bits to count 0..n-1; threads=3 needs 2)
 *   x86_apicid_from_topo_ids() = pkg  << (smt_w + core_w + die_w)
 *                              | die  << (smt_w + core_w)
 *                              | core << smt_w
 *                              | smt
 *
 * So APIC ids are dense only when every level is a power of two; with
 * threads=3 a core spans 4 ids and id 3 is never used. The CPU index is
 * contiguous: it is the `#N` of `info cpus` and the id `cpu-add N` takes.
 */
import type { CpuPlace, GuestTopology } from './types.js';

/** apicid_bitwidth_for_count(). */
export function apicIdBitWidth(count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`apicIdBitWidth: count must be a positive integer, got ${count}`);
  return count > 1 ? 32 - Math.clz32(count - 1) : 0;
}

/** Bit offsets of each field of the APIC id (apicid_core_offset() and friends). */
export function apicIdLayout(t: GuestTopology): { smtWidth: number; coreWidth: number; dieWidth: number; coreOffset: number; dieOffset: number; pkgOffset: number } {
  const smtWidth = apicIdBitWidth(t.threads);
  const coreWidth = apicIdBitWidth(t.cores);
  const dieWidth = apicIdBitWidth(t.dies);
  const coreOffset = smtWidth;
  const dieOffset = coreOffset + coreWidth;
  const pkgOffset = dieOffset + dieWidth;
  return { smtWidth, coreWidth, dieWidth, coreOffset, dieOffset, pkgOffset };
}

/** The place of CPU `index` (0 <= index < maxcpus). */
export function placeCpu(t: GuestTopology, index: number): CpuPlace {
  if (!Number.isInteger(index) || index < 0 || index >= t.maxcpus) {
    throw new RangeError(`CPU index ${index} outside 0..${t.maxcpus - 1} (maxcpus=${t.maxcpus})`);
  }
  const { dies, cores, threads } = t;
  const socket = Math.floor(index / (dies * cores * threads));
  const die = Math.floor(index / (cores * threads)) % dies;
  const core = Math.floor(index / threads) % cores;
  const thread = index % threads;
  const l = apicIdLayout(t);
  // The APIC id is 32 bits; `*` and `+` keep ids above 2^31 positive where `<<` and `|` would not.
  const apicId = socket * 2 ** l.pkgOffset + die * 2 ** l.dieOffset + core * 2 ** l.coreOffset + thread;
  return { index, socket, die, core, thread, apicId };
}

/** Every possible CPU, index 0..maxcpus-1 (present and hot-pluggable alike). */
export function allPlaces(t: GuestTopology): CpuPlace[] {
  return Array.from({ length: t.maxcpus }, (_, i) => placeCpu(t, i));
}

/** The CPU index of an APIC id, or undefined for ids no CPU has (x86_topo_ids_from_apicid()). */
export function indexOfApicId(t: GuestTopology, apicId: number): number | undefined {
  const l = apicIdLayout(t);
  const field = (offset: number, width: number) => Math.floor(apicId / 2 ** offset) % 2 ** width;
  const thread = field(0, l.smtWidth);
  const core = field(l.coreOffset, l.coreWidth);
  const die = field(l.dieOffset, l.dieWidth);
  const socket = Math.floor(apicId / 2 ** l.pkgOffset);
  if (thread >= t.threads || core >= t.cores || die >= t.dies) return undefined;
  const index = ((socket * t.dies + die) * t.cores + core) * t.threads + thread;
  return index < t.maxcpus ? index : undefined;
}
