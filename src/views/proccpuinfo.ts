/**
 * /proc/cpuinfo of an x86-64 Linux guest or host.
 *
 * Field order, labels and tab alignment follow show_cpuinfo() in Linux's
 * arch/x86/kernel/cpu/proc.c (64-bit, CONFIG_SMP):
 *
 *   processor, vendor_id, cpu family, model, model name, stepping,
 *   [microcode], [cpu MHz], [cache size], physical id, siblings, core id,
 *   cpu cores, apicid, initial apicid, fpu, fpu_exception, cpuid level, wp,
 *   flags, [bugs], bogomips, [TLB size], clflush size, cache_alignment,
 *   address sizes, power management:   -- then one empty line per CPU.
 *
 * Only online CPUs appear (the seq_file iterator walks cpu_online_mask), in
 * logical-number order.
 */
import type { CpuIdentity } from '../cpu/models/types.js';
import { formatBogomips, formatMhz, guestLogicalCpus, hostLogicalCpus, type LogicalCpu } from './cpus.js';
import type { GuestViewInput, HostCpuInput } from './types.js';

/** QEMU's default `phys-bits` and the 4-level paging virtual width. */
const DEFAULT_ADDRESS_SIZES = '40 bits physical, 48 bits virtual';

/**
 * CLFLUSH line size: CPUID.1 EBX[15:8] * 8, which QEMU sets to 8 (64 bytes);
 * on 64-bit Linux cache_alignment equals it.
 */
const CLFLUSH_BYTES = 64;

interface CpuinfoCommon {
  identity: CpuIdentity;
  mhz: number;
  bogomips?: number;
  cacheSizeKB: number;
  addressSizes?: string;
  microcode?: number;
  tlbSize4K?: number;
  bugs?: string[];
  powerManagement?: string[];
}

/**
 * Linux fills x86_tlbsize only from AMD's leaf 0x80000006 (and only on
 * 64-bit); QEMU answers it with 512 L2 DTLB + 512 L2 ITLB 4K entries.
 */
function defaultTlbSize(identity: CpuIdentity): number | undefined {
  const amdLike = identity.vendor === 'AuthenticAMD' || identity.vendor === 'HygonGenuine';
  return amdLike && identity.xlevel >= 0x80000006 ? 1024 : undefined;
}

function renderCpuinfo(common: CpuinfoCommon, cpus: readonly LogicalCpu[]): string {
  const { identity } = common;
  const online = cpus.filter((c) => c.online);
  const tlb = common.tlbSize4K ?? defaultTlbSize(identity);
  let out = '';
  for (const c of online) {
    // siblings = weight of the package's core mask; cpu cores = booted_cores,
    // the distinct cores of the package that are online (smpboot.c).
    const pkg = online.filter((o) => o.physicalId === c.physicalId);
    const cores = new Set(pkg.map((o) => o.coreId)).size;
    const lines = [
      `processor\t: ${c.cpu}`,
      `vendor_id\t: ${identity.vendor || 'unknown'}`,
      `cpu family\t: ${identity.family}`,
      `model\t\t: ${identity.model}`,
      `model name\t: ${identity.modelId || 'unknown'}`,
      `stepping\t: ${identity.stepping}`,
    ];
    if (common.microcode) lines.push(`microcode\t: 0x${common.microcode.toString(16)}`);
    if (identity.flags.includes('tsc')) lines.push(`cpu MHz\t\t: ${formatMhz(common.mhz)}`);
    if (common.cacheSizeKB > 0) lines.push(`cache size\t: ${common.cacheSizeKB} KB`);
    lines.push(
      `physical id\t: ${c.physicalId}`,
      `siblings\t: ${pkg.length}`,
      `core id\t\t: ${c.coreId}`,
      `cpu cores\t: ${cores}`,
      `apicid\t\t: ${c.apicId}`,
      `initial apicid\t: ${c.apicId}`,
      'fpu\t\t: yes',
      'fpu_exception\t: yes',
      `cpuid level\t: ${identity.level}`,
      'wp\t\t: yes',
      `flags\t\t:${identity.flags.map((f) => ` ${f}`).join('')}`,
    );
    if (common.bugs) lines.push(`bugs\t\t:${common.bugs.map((b) => ` ${b}`).join('')}`);
    lines.push(`bogomips\t: ${formatBogomips(common.mhz, common.bogomips)}`);
    if (tlb !== undefined && tlb > 0) lines.push(`TLB size\t: ${tlb} 4K pages`);
    lines.push(
      `clflush size\t: ${CLFLUSH_BYTES}`,
      `cache_alignment\t: ${CLFLUSH_BYTES}`,
      `address sizes\t: ${common.addressSizes ?? DEFAULT_ADDRESS_SIZES}`,
      `power management:${(common.powerManagement ?? []).map((p) => ` ${p}`).join('')}`,
    );
    out += lines.join('\n') + '\n\n';
  }
  return out;
}

/** The guest's /proc/cpuinfo. */
export function procCpuinfo(input: GuestViewInput): string {
  return renderCpuinfo(input, guestLogicalCpus(input));
}

/** The host's /proc/cpuinfo. */
export function hostProcCpuinfo(input: HostCpuInput): string {
  return renderCpuinfo(input, hostLogicalCpus(input));
}
