import { findCpuModel } from './catalogue.js';
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
  const def = findCpuModel(model);
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
