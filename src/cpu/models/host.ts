import { findModelIn } from './later.js';
import type { CpuIdentity } from './types.js';

/** Flags a real host shows that KVM does not pass to guests (VMX itself, power management, ...). */
const HOST_ONLY_INTEL = ['vmx', 'est', 'tm2', 'monitor', 'ds_cpl', 'xtpr', 'pdcm', 'dtes64', 'ht', 'tm', 'pbe', 'acpi', 'dts', 'ss'];
const HOST_ONLY_AMD = ['svm', 'monitor', 'ht'];
/** Flags the host kernel adds of its own. */
const LINUX_ONLY = ['constant_tsc', 'arch_perfmon', 'rep_good', 'nopl', 'xtopology', 'nonstop_tsc', 'aperfmperf'];

/**
 * A host CPU described by the catalogue model it matches (the model QEMU's
 * definitions are named after): its CPUID flags plus what a real host of
 * that kind has and KVM keeps for itself.
 */
export function hostIdentity(model: string): CpuIdentity | undefined {
  // A host is hardware: any model simvm knows, whatever the guests' QEMU.
  const def = findModelIn(model, 'any');
  if (!def || def.vendor === null || def.kind !== 'builtin') return undefined;
  const own = def.vendor === 'GenuineIntel' ? HOST_ONLY_INTEL : HOST_ONLY_AMD;
  return {
    name: 'host',
    vendor: def.vendor,
    family: def.family,
    model: def.model,
    stepping: def.stepping,
    level: Math.max(def.level, 0xd),
    xlevel: Math.max(def.xlevel, 0x80000008),
    modelId: def.modelId,
    flags: [...new Set([...def.flags, ...own, ...LINUX_ONLY])],
  };
}

const VENDORS: readonly CpuIdentity['vendor'][] = ['GenuineIntel', 'AuthenticAMD', 'HygonGenuine', 'CentaurHauls'];

/**
 * A host CPU as a saved /proc/cpuinfo describes it: its vendor, family,
 * model, stepping, model name and flags are the file's, so `-cpu host`
 * passes through what that host has and named models are checked against
 * it (an AMD EPYC file makes an AMD host, whatever host.cpu defaults to).
 * The flags line already holds what the host kernel adds and keeps (vmx/svm,
 * constant_tsc, ...). The file does not give the extended leaf limit:
 * 0x80000008, the least every x86-64 CPU of the catalogue has.
 */
export function hostIdentityFromFile(
  id: { vendor: string; family: number; model: number; stepping: number; cpuidLevel?: number },
  modelName: string,
  flags: readonly string[],
): CpuIdentity | string {
  const vendor = VENDORS.find((v) => v === id.vendor);
  if (!vendor) return `vendor_id "${id.vendor}" is not one simvm models (${VENDORS.join(', ')})`;
  return {
    name: 'host',
    vendor,
    family: id.family,
    model: id.model,
    stepping: id.stepping,
    level: id.cpuidLevel ?? 0xd,
    xlevel: 0x80000008,
    modelId: modelName,
    flags: [...new Set(flags)],
  };
}
