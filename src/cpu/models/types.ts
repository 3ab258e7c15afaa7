/**
 * What CPUID tells a guest about its CPU: the facts of one x86 CPU model of
 * QEMU's catalogue (target/i386/cpu.c, builtin_x86_defs[]), after `+feat` /
 * `-feat` edits. Flags use Linux /proc/cpuinfo spelling (`sse4_2`, `avx2`).
 */
export interface CpuIdentity {
  /** Catalogue name as `-cpu` takes it: `qemu64`, `Broadwell`, `host`. */
  name: string;
  vendor: 'GenuineIntel' | 'AuthenticAMD' | 'HygonGenuine' | 'CentaurHauls';
  family: number;
  model: number;
  stepping: number;
  /** CPUID basic leaf limit (`cpuid level` in /proc/cpuinfo). */
  level: number;
  /** CPUID extended leaf limit. */
  xlevel: number;
  /** The model-id string (`model name` in /proc/cpuinfo). */
  modelId: string;
  /** Feature flags in Linux /proc/cpuinfo spelling, in /proc/cpuinfo order. */
  flags: string[];
}
