/**
 * CPU models QEMU added after the chapter's 3.1/4.0 catalogue, each with the
 * release that added it. They exist for a guest whose machine type is that
 * release or later (src/topology/machines.ts); `simvm cpu-models --machine`
 * lists them there. A host (host.cpu) may be any of them: hardware does not
 * depend on the QEMU version.
 *
 * Each definition is its builtin_x86_defs[] entry (target/i386/cpu.c) as the
 * commit that added it wrote it (its -v1): feature words simvm does not model
 * are named in `source`, so what is left out is said, not hidden.
 *
 *   EPYC-Rome   QEMU 5.0: "i386: Add 2nd Generation AMD EPYC processors",
 *               pulled 2020-03-17 for 5.0.
 *   EPYC-Milan  QEMU 6.0: "i386: Add the support for AMD EPYC 3rd generation
 *               processors" (2021-01/02, in 6.0's development window).
 *   EPYC-Genoa  QEMU 8.1: "target/i386: Add EPYC-Genoa model to support Zen 4
 *               processor series" (v3 2023-04-24, merged for 8.1).
 */
import { builtin, findCpuModel, type CpuModelDef } from './catalogue.js';
import { atLeast, type MajorMinor } from '../../util/version.js';

export type Release = MajorMinor;

export interface LaterModel {
  def: CpuModelDef;
  addedIn: Release;
}

const has = (r: Release, a: Release) => atLeast(r, a.major, a.minor);

const EPYC_1_EDX = [
  'CPUID_SSE2', 'CPUID_SSE', 'CPUID_FXSR', 'CPUID_MMX', 'CPUID_CLFLUSH', 'CPUID_PSE36', 'CPUID_PAT', 'CPUID_CMOV',
  'CPUID_MCA', 'CPUID_PGE', 'CPUID_MTRR', 'CPUID_SEP', 'CPUID_APIC', 'CPUID_CX8', 'CPUID_MCE', 'CPUID_PAE',
  'CPUID_MSR', 'CPUID_TSC', 'CPUID_PSE', 'CPUID_DE', 'CPUID_VME', 'CPUID_FP87',
];
const EPYC_1_ECX = [
  'CPUID_EXT_RDRAND', 'CPUID_EXT_F16C', 'CPUID_EXT_AVX', 'CPUID_EXT_XSAVE', 'CPUID_EXT_AES', 'CPUID_EXT_POPCNT',
  'CPUID_EXT_MOVBE', 'CPUID_EXT_SSE42', 'CPUID_EXT_SSE41', 'CPUID_EXT_CX16', 'CPUID_EXT_FMA', 'CPUID_EXT_SSSE3',
  'CPUID_EXT_MONITOR', 'CPUID_EXT_PCLMULQDQ', 'CPUID_EXT_SSE3',
];
const EPYC_8000_0001_EDX = ['CPUID_EXT2_LM', 'CPUID_EXT2_RDTSCP', 'CPUID_EXT2_PDPE1GB', 'CPUID_EXT2_FFXSR', 'CPUID_EXT2_MMXEXT', 'CPUID_EXT2_NX', 'CPUID_EXT2_SYSCALL'];
const ROME_8000_0001_ECX = [
  'CPUID_EXT3_OSVW', 'CPUID_EXT3_3DNOWPREFETCH', 'CPUID_EXT3_MISALIGNSSE', 'CPUID_EXT3_SSE4A', 'CPUID_EXT3_ABM',
  'CPUID_EXT3_CR8LEG', 'CPUID_EXT3_SVM', 'CPUID_EXT3_LAHF_LM', 'CPUID_EXT3_TOPOEXT', 'CPUID_EXT3_PERFCORE',
];
const ROME_7_0_EBX = [
  'CPUID_7_0_EBX_FSGSBASE', 'CPUID_7_0_EBX_BMI1', 'CPUID_7_0_EBX_AVX2', 'CPUID_7_0_EBX_SMEP', 'CPUID_7_0_EBX_BMI2',
  'CPUID_7_0_EBX_RDSEED', 'CPUID_7_0_EBX_ADX', 'CPUID_7_0_EBX_SMAP', 'CPUID_7_0_EBX_CLFLUSHOPT', 'CPUID_7_0_EBX_SHA_NI',
  'CPUID_7_0_EBX_CLWB',
];
const XSAVE_ROME = ['CPUID_XSAVE_XSAVEOPT', 'CPUID_XSAVE_XSAVEC', 'CPUID_XSAVE_XGETBV1', 'CPUID_XSAVE_XSAVES'];
const SVM_EPYC = ['CPUID_SVM_NPT', 'CPUID_SVM_NRIPSAVE'];
/** The words Milan and Genoa share before their 0x8000_0008 EBX lists. */
const MILAN_BASE = [...EPYC_1_EDX, ...EPYC_1_ECX, 'CPUID_EXT_PCID', ...EPYC_8000_0001_EDX, ...ROME_8000_0001_ECX];
const MILAN_8000_0008_EBX = ['CPUID_8000_0008_EBX_CLZERO', 'CPUID_8000_0008_EBX_XSAVEERPTR', 'CPUID_8000_0008_EBX_WBNOINVD', 'CPUID_8000_0008_EBX_IBPB', 'CPUID_8000_0008_EBX_IBRS', 'CPUID_8000_0008_EBX_STIBP'];

const epycRome = builtin({
  name: 'EPYC-Rome',
  vendor: 'AuthenticAMD',
  family: 23,
  model: 49,
  stepping: 0,
  level: 0xd,
  xlevel: 0x8000001e,
  modelId: 'AMD EPYC-Rome Processor',
  features: [
    ...EPYC_1_EDX,
    ...EPYC_1_ECX,
    ...EPYC_8000_0001_EDX,
    ...ROME_8000_0001_ECX,
    'CPUID_8000_0008_EBX_CLZERO', 'CPUID_8000_0008_EBX_XSAVEERPTR', 'CPUID_8000_0008_EBX_WBNOINVD', 'CPUID_8000_0008_EBX_IBPB', 'CPUID_8000_0008_EBX_STIBP',
    ...ROME_7_0_EBX,
    'CPUID_7_0_ECX_UMIP', 'CPUID_7_0_ECX_RDPID',
    ...XSAVE_ROME,
    'CPUID_6_EAX_ARAT',
    ...SVM_EPYC,
  ],
}, 'builtin_x86_defs[] "EPYC-Rome" (QEMU 5.0, -v1)');

const epycMilan = builtin({
  name: 'EPYC-Milan',
  vendor: 'AuthenticAMD',
  family: 25,
  model: 1,
  stepping: 1,
  level: 0xd,
  xlevel: 0x8000001e,
  modelId: 'AMD EPYC-Milan Processor',
  features: [
    ...MILAN_BASE,
    ...MILAN_8000_0008_EBX,
    'CPUID_8000_0008_EBX_AMD_SSBD',
    ...ROME_7_0_EBX,
    'CPUID_7_0_EBX_ERMS', 'CPUID_7_0_EBX_INVPCID',
    'CPUID_7_0_ECX_UMIP', 'CPUID_7_0_ECX_RDPID', 'CPUID_7_0_ECX_PKU',
    'CPUID_7_0_EDX_FSRM',
    ...XSAVE_ROME,
    'CPUID_6_EAX_ARAT',
    ...SVM_EPYC,
  ],
}, 'builtin_x86_defs[] "EPYC-Milan" (QEMU 6.0, -v1)');

const epycGenoa = builtin({
  name: 'EPYC-Genoa',
  vendor: 'AuthenticAMD',
  family: 25,
  model: 17,
  stepping: 0,
  level: 0xd,
  xlevel: 0x80000022,
  modelId: 'AMD EPYC-Genoa Processor',
  features: [
    ...MILAN_BASE,
    ...MILAN_8000_0008_EBX,
    'CPUID_8000_0008_EBX_STIBP_ALWAYS_ON',
    'CPUID_8000_0008_EBX_AMD_SSBD',
    'CPUID_7_0_EBX_FSGSBASE', 'CPUID_7_0_EBX_BMI1', 'CPUID_7_0_EBX_AVX2', 'CPUID_7_0_EBX_SMEP', 'CPUID_7_0_EBX_BMI2',
    'CPUID_7_0_EBX_ERMS', 'CPUID_7_0_EBX_INVPCID', 'CPUID_7_0_EBX_AVX512F', 'CPUID_7_0_EBX_AVX512DQ', 'CPUID_7_0_EBX_RDSEED',
    'CPUID_7_0_EBX_ADX', 'CPUID_7_0_EBX_SMAP', 'CPUID_7_0_EBX_AVX512IFMA', 'CPUID_7_0_EBX_CLFLUSHOPT', 'CPUID_7_0_EBX_CLWB',
    'CPUID_7_0_EBX_AVX512CD', 'CPUID_7_0_EBX_SHA_NI', 'CPUID_7_0_EBX_AVX512BW', 'CPUID_7_0_EBX_AVX512VL',
    'CPUID_7_0_ECX_AVX512_VBMI', 'CPUID_7_0_ECX_UMIP', 'CPUID_7_0_ECX_PKU', 'CPUID_7_0_ECX_AVX512_VBMI2', 'CPUID_7_0_ECX_GFNI',
    'CPUID_7_0_ECX_VAES', 'CPUID_7_0_ECX_VPCLMULQDQ', 'CPUID_7_0_ECX_AVX512VNNI', 'CPUID_7_0_ECX_AVX512BITALG',
    'CPUID_7_0_ECX_AVX512_VPOPCNTDQ', 'CPUID_7_0_ECX_LA57', 'CPUID_7_0_ECX_RDPID',
    'CPUID_7_0_EDX_FSRM',
    'CPUID_7_1_EAX_AVX512_BF16',
    ...XSAVE_ROME,
    'CPUID_6_EAX_ARAT',
    ...SVM_EPYC,
  ],
}, 'builtin_x86_defs[] "EPYC-Genoa" (QEMU 8.1, -v1); not modelled: CPUID_8000_0008_EBX_AMD_PSFD, leaf 0x80000021 EAX (no-nested-data-bp, lfence-always-serializing, null-sel-clr-base, auto-ibrs), SVM vnmi and svme-addr-chk');

export const LATER_MODELS: readonly LaterModel[] = [
  { def: epycRome, addedIn: { major: 5, minor: 0 } },
  { def: epycMilan, addedIn: { major: 6, minor: 0 } },
  { def: epycGenoa, addedIn: { major: 8, minor: 1 } },
];

/**
 * The model named `name` as QEMU `release` has it: the chapter's catalogue,
 * plus the later models that release has. `undefined` (a guest without
 * machine:) is the chapter's catalogue alone; 'any' (a host's CPU, which is
 * hardware) is every model.
 */
export function findModelIn(name: string, release: Release | 'any' | undefined): CpuModelDef | undefined {
  const own = findCpuModel(name);
  if (own) return own;
  const later = LATER_MODELS.find((m) => m.def.name === name);
  if (!later || release === undefined) return undefined;
  return release === 'any' || has(release, later.addedIn) ? later.def : undefined;
}

/** The release a later model came in, for error hints. */
export function addedIn(name: string): Release | undefined {
  return LATER_MODELS.find((m) => m.def.name === name)?.addedIn;
}

/** Later models `release` has, for `-cpu help`. */
export function laterModelsIn(release: Release): CpuModelDef[] {
  return LATER_MODELS.filter((m) => has(release, m.addedIn)).map((m) => m.def);
}
