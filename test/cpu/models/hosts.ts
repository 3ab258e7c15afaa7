/**
 * Host CPUs for the tests, written as a host's /proc/cpuinfo would show them:
 * a QEMU model's CPUID bits (the models are named after the parts they copy)
 * plus bits a real host has and KVM does not pass on (vmx, est, monitor, ...)
 * and a few of the host kernel's own flags.
 */
import type { CpuIdentity } from '../../../src/cpu/models/types.js';
import { findCpuModel } from '../../../src/cpu/models/index.js';

const HOST_ONLY = ['vmx', 'est', 'tm2', 'monitor', 'ds_cpl', 'xtpr', 'pdcm', 'dtes64', 'ht', 'tm', 'pbe', 'acpi', 'dts', 'ss'];
const LINUX_ONLY = ['constant_tsc', 'arch_perfmon', 'rep_good', 'nopl', 'xtopology', 'nonstop_tsc', 'aperfmperf'];

export function hostLike(model: string, modelId: string, extra: string[] = []): CpuIdentity {
  const def = findCpuModel(model);
  if (!def || def.vendor === null) throw new Error(`no model ${model}`);
  return {
    name: 'host',
    vendor: def.vendor,
    family: def.family,
    model: def.model,
    stepping: def.stepping,
    level: 20,
    xlevel: 0x80000008,
    modelId,
    flags: [...def.flags, ...HOST_ONLY, ...LINUX_ONLY, ...extra],
  };
}

export const INTEL_HOST = hostLike('Broadwell', 'Intel(R) Xeon(R) CPU E5-2699 v4 @ 2.20GHz', ['invtsc']);
export const SANDY_HOST = hostLike('SandyBridge', 'Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz');
export const IVY_HOST = hostLike('IvyBridge', 'Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz');
export const HASWELL_HOST = hostLike('Haswell', 'Intel(R) Xeon(R) CPU E5-2680 v3 @ 2.50GHz');
export const EPYC_HOST = hostLike('EPYC', 'AMD EPYC 7601 32-Core Processor', ['ibpb']);
