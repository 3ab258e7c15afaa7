/**
 * The x86 CPU models `qemu-system-x86_64 -cpu ?` lists in the seed chapter
 * (§4.1), as data.
 *
 * Source: target/i386/cpu.c, builtin_x86_defs[]. The chapter's list is that
 * of QEMU 3.1/4.0 (it has Icelake-Client, Cascadelake-Server, Dhyana and the
 * separate -IBRS/-noTSX/-IBPB models, and no -vN versions, which 4.1 added).
 * Each entry copies its definition's CPUID_* macros; the -IBRS, -noTSX and
 * -IBPB models are written as edits of their base model, exactly the
 * property lists QEMU uses when it later folded them into versions
 * (".alias = \"Broadwell-IBRS\", props spec-ctrl=on, model-id=...").
 *
 * Values that changed after 4.0 keep the chapter's value:
 *   qemu64      family 6 model 6 stepping 3 (QEMU 6.1 moved it to 15/107/1;
 *               hw/i386/pc.c pc_compat_6_0 restores 6/6/3 for old machines).
 *   Icelake-Client  removed from QEMU in 5.1; definition from the removal patch.
 *
 * Only facts live here; what the guest kernel makes of them is guest-flags.ts,
 * and -cpu parsing is index.ts.
 */
import type { CpuIdentity } from './types.js';
import { featureByMacro, sortCpuidFlags } from './features.js';

export type CpuVendor = CpuIdentity['vendor'];

export interface CpuModelDef {
  /** Name as `-cpu` takes it. */
  name: string;
  /** What `-cpu ?` prints after the name: model_description, else model_id. */
  description: string;
  /**
   * CPUID.0 vendor string. null for `base`, which sets none (its vendor
   * registers stay zero), and for `host`/`max`, which copy the host's.
   */
  vendor: CpuVendor | null;
  family: number;
  model: number;
  stepping: number;
  /** Minimum CPUID basic leaf (`.level`, loaded as "min-level"). */
  level: number;
  /** Minimum CPUID extended leaf (`.xlevel`, loaded as "min-xlevel"). */
  xlevel: number;
  /** The `.model_id` string; empty for 486 and the Pentiums. */
  modelId: string;
  /** The CPUID_* macros of the definition, across all feature words. */
  features: readonly string[];
  /** CPUID flags in Linux spelling and Linux order, derived from `features`. */
  flags: readonly string[];
  /**
   * `builtin`: a builtin_x86_defs[] entry. `host`/`max`: copied from the
   * host at start (host_x86_cpu_class_init, max_x86_cpu_class_init).
   * `base`: the static "no features" type (x86_cpu_base_class_init).
   */
  kind: 'builtin' | 'host' | 'max' | 'base';
  /**
   * Sort group of `-cpu ?` (X86CPUClass::ordering): 0 for definitions, 8 for
   * base and host, 9 for max. x86_cpu_list_compare() sorts by it, then by
   * strcmp() of the model name.
   */
  ordering: number;
  /** Where the definition comes from, for `renderCpuModelVerbose`. */
  source: string;
}

/** "QEMU Virtual CPU version " QEMU_HW_VERSION; qemu_hw_version() is "2.5+" since QEMU 2.5. */
export const QEMU_VIRTUAL_CPU = 'QEMU Virtual CPU version 2.5+';

// Feature groups, as #defined in target/i386/cpu.c.
const I486_FEATURES = ['CPUID_FP87', 'CPUID_VME', 'CPUID_PSE'];
const PENTIUM_FEATURES = [
  ...I486_FEATURES,
  'CPUID_DE',
  'CPUID_TSC',
  'CPUID_MSR',
  'CPUID_MCE',
  'CPUID_CX8',
  'CPUID_MMX',
  'CPUID_APIC',
];
const PENTIUM2_FEATURES = [
  ...PENTIUM_FEATURES,
  'CPUID_PAE',
  'CPUID_SEP',
  'CPUID_MTRR',
  'CPUID_PGE',
  'CPUID_MCA',
  'CPUID_CMOV',
  'CPUID_PAT',
  'CPUID_PSE36',
  'CPUID_FXSR',
];
const PENTIUM3_FEATURES = [...PENTIUM2_FEATURES, 'CPUID_SSE'];
const PPRO_FEATURES = [
  'CPUID_FP87',
  'CPUID_DE',
  'CPUID_PSE',
  'CPUID_TSC',
  'CPUID_MSR',
  'CPUID_MCE',
  'CPUID_CX8',
  'CPUID_PGE',
  'CPUID_CMOV',
  'CPUID_PAT',
  'CPUID_FXSR',
  'CPUID_MMX',
  'CPUID_SSE',
  'CPUID_SSE2',
  'CPUID_PAE',
  'CPUID_SEP',
  'CPUID_APIC',
];
/** The FEAT_1_EDX list every model from Conroe on spells out. */
const CORE_1_EDX = [
  'CPUID_VME',
  'CPUID_SSE2',
  'CPUID_SSE',
  'CPUID_FXSR',
  'CPUID_MMX',
  'CPUID_CLFLUSH',
  'CPUID_PSE36',
  'CPUID_PAT',
  'CPUID_CMOV',
  'CPUID_MCA',
  'CPUID_PGE',
  'CPUID_MTRR',
  'CPUID_SEP',
  'CPUID_APIC',
  'CPUID_CX8',
  'CPUID_MCE',
  'CPUID_PAE',
  'CPUID_MSR',
  'CPUID_TSC',
  'CPUID_PSE',
  'CPUID_DE',
  'CPUID_FP87',
];
const SANDYBRIDGE_1_ECX = [
  'CPUID_EXT_AVX',
  'CPUID_EXT_XSAVE',
  'CPUID_EXT_AES',
  'CPUID_EXT_TSC_DEADLINE_TIMER',
  'CPUID_EXT_POPCNT',
  'CPUID_EXT_X2APIC',
  'CPUID_EXT_SSE42',
  'CPUID_EXT_SSE41',
  'CPUID_EXT_CX16',
  'CPUID_EXT_SSSE3',
  'CPUID_EXT_PCLMULQDQ',
  'CPUID_EXT_SSE3',
];
const HASWELL_1_ECX = [
  ...SANDYBRIDGE_1_ECX,
  'CPUID_EXT_FMA',
  'CPUID_EXT_MOVBE',
  'CPUID_EXT_PCID',
  'CPUID_EXT_F16C',
  'CPUID_EXT_RDRAND',
];
const HASWELL_7_0_EBX = [
  'CPUID_7_0_EBX_FSGSBASE',
  'CPUID_7_0_EBX_BMI1',
  'CPUID_7_0_EBX_HLE',
  'CPUID_7_0_EBX_AVX2',
  'CPUID_7_0_EBX_SMEP',
  'CPUID_7_0_EBX_BMI2',
  'CPUID_7_0_EBX_ERMS',
  'CPUID_7_0_EBX_INVPCID',
  'CPUID_7_0_EBX_RTM',
];
const BROADWELL_7_0_EBX = [...HASWELL_7_0_EBX, 'CPUID_7_0_EBX_RDSEED', 'CPUID_7_0_EBX_ADX', 'CPUID_7_0_EBX_SMAP'];
const SKYLAKE_SERVER_7_0_EBX = [
  ...BROADWELL_7_0_EBX,
  'CPUID_7_0_EBX_CLWB',
  'CPUID_7_0_EBX_AVX512F',
  'CPUID_7_0_EBX_AVX512DQ',
  'CPUID_7_0_EBX_AVX512BW',
  'CPUID_7_0_EBX_AVX512CD',
  'CPUID_7_0_EBX_AVX512VL',
  'CPUID_7_0_EBX_CLFLUSHOPT',
];
const ICELAKE_7_0_ECX = [
  'CPUID_7_0_ECX_AVX512_VBMI',
  'CPUID_7_0_ECX_UMIP',
  'CPUID_7_0_ECX_PKU',
  'CPUID_7_0_ECX_AVX512_VBMI2',
  'CPUID_7_0_ECX_GFNI',
  'CPUID_7_0_ECX_VAES',
  'CPUID_7_0_ECX_VPCLMULQDQ',
  'CPUID_7_0_ECX_AVX512VNNI',
  'CPUID_7_0_ECX_AVX512BITALG',
  'CPUID_7_0_ECX_AVX512_VPOPCNTDQ',
];
const XSAVE_SKYLAKE = ['CPUID_XSAVE_XSAVEOPT', 'CPUID_XSAVE_XSAVEC', 'CPUID_XSAVE_XGETBV1'];
const EPYC_8000_0001_EDX = [
  'CPUID_EXT2_LM',
  'CPUID_EXT2_RDTSCP',
  'CPUID_EXT2_PDPE1GB',
  'CPUID_EXT2_FFXSR',
  'CPUID_EXT2_MMXEXT',
  'CPUID_EXT2_NX',
  'CPUID_EXT2_SYSCALL',
];
const EPYC_8000_0001_ECX = [
  'CPUID_EXT3_OSVW',
  'CPUID_EXT3_3DNOWPREFETCH',
  'CPUID_EXT3_MISALIGNSSE',
  'CPUID_EXT3_SSE4A',
  'CPUID_EXT3_ABM',
  'CPUID_EXT3_CR8LEG',
  'CPUID_EXT3_SVM',
  'CPUID_EXT3_LAHF_LM',
  'CPUID_EXT3_TOPOEXT',
];

/** One builtin_x86_defs[] entry as catalogue and later.ts write it. */
export interface Def {
  name: string;
  vendor: CpuVendor;
  family: number;
  model: number;
  stepping: number;
  level: number;
  xlevel: number;
  modelId: string;
  features: string[];
}

function flagsOf(features: readonly string[]): string[] {
  return sortCpuidFlags(features.map((m) => featureByMacro(m).linux));
}

export function builtin(d: Def, source = `builtin_x86_defs[] "${d.name}"`): CpuModelDef {
  return {
    ...d,
    description: d.modelId,
    features: d.features,
    flags: flagsOf(d.features),
    kind: 'builtin',
    ordering: 0,
    source,
  };
}

/**
 * A model QEMU 4.0 defined as a copy of `base` with a few properties changed;
 * the same edits QEMU 4.1 lists as that alias's version props.
 */
function variant(
  base: CpuModelDef,
  name: string,
  edit: { modelId: string; add?: string[]; remove?: string[]; stepping?: number },
): CpuModelDef {
  const removed = new Set(edit.remove ?? []);
  const features = [...base.features.filter((m) => !removed.has(m)), ...(edit.add ?? [])];
  const changes = [
    ...(edit.remove ?? []).map((m) => `${featureByMacro(m).qemu}=off`),
    ...(edit.add ?? []).map((m) => `${featureByMacro(m).qemu}=on`),
    ...(edit.stepping !== undefined ? [`stepping=${edit.stepping}`] : []),
  ];
  return builtin(
    {
      name,
      vendor: base.vendor as CpuVendor,
      family: base.family,
      model: base.model,
      stepping: edit.stepping ?? base.stepping,
      level: base.level,
      xlevel: base.xlevel,
      modelId: edit.modelId,
      features,
    },
    `builtin_x86_defs[] "${name}" (= ${base.name} with ${changes.join(', ')})`,
  );
}

const qemu64 = builtin(
  {
    name: 'qemu64',
    vendor: 'AuthenticAMD',
    family: 6,
    model: 6,
    stepping: 3,
    level: 0xd,
    xlevel: 0x8000000a,
    modelId: QEMU_VIRTUAL_CPU,
    features: [
      ...PPRO_FEATURES,
      'CPUID_MTRR',
      'CPUID_CLFLUSH',
      'CPUID_MCA',
      'CPUID_PSE36',
      'CPUID_EXT_SSE3',
      'CPUID_EXT_CX16',
      'CPUID_EXT2_LM',
      'CPUID_EXT2_SYSCALL',
      'CPUID_EXT2_NX',
      'CPUID_EXT3_LAHF_LM',
      'CPUID_EXT3_SVM',
    ],
  },
  'builtin_x86_defs[] "qemu64" (family/model/stepping 6/6/3 as before QEMU 6.1, hw/i386/pc.c pc_compat_6_0)',
);

const phenom = builtin({
  name: 'phenom',
  vendor: 'AuthenticAMD',
  family: 16,
  model: 2,
  stepping: 3,
  level: 5,
  xlevel: 0x8000001a,
  modelId: 'AMD Phenom(tm) 9550 Quad-Core Processor',
  features: [
    ...PPRO_FEATURES,
    'CPUID_MTRR',
    'CPUID_CLFLUSH',
    'CPUID_MCA',
    'CPUID_PSE36',
    'CPUID_VME',
    'CPUID_EXT_SSE3',
    'CPUID_EXT_MONITOR',
    'CPUID_EXT_CX16',
    'CPUID_EXT_POPCNT',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_3DNOW',
    'CPUID_EXT2_3DNOWEXT',
    'CPUID_EXT2_MMXEXT',
    'CPUID_EXT2_FFXSR',
    'CPUID_EXT2_PDPE1GB',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_EXT3_SVM',
    'CPUID_EXT3_ABM',
    'CPUID_EXT3_SSE4A',
    'CPUID_SVM_NPT',
  ],
});

const core2duo = builtin({
  name: 'core2duo',
  vendor: 'GenuineIntel',
  family: 6,
  model: 15,
  stepping: 11,
  level: 10,
  xlevel: 0x80000008,
  modelId: 'Intel(R) Core(TM)2 Duo CPU     T7700  @ 2.40GHz',
  features: [
    ...PPRO_FEATURES,
    'CPUID_MTRR',
    'CPUID_CLFLUSH',
    'CPUID_MCA',
    'CPUID_PSE36',
    'CPUID_VME',
    'CPUID_ACPI',
    'CPUID_SS',
    'CPUID_EXT_SSE3',
    'CPUID_EXT_MONITOR',
    'CPUID_EXT_SSSE3',
    'CPUID_EXT_CX16',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT2_NX',
    'CPUID_EXT3_LAHF_LM',
  ],
});

const kvm64 = builtin({
  name: 'kvm64',
  vendor: 'GenuineIntel',
  family: 15,
  model: 6,
  stepping: 1,
  level: 0xd,
  xlevel: 0x80000008,
  modelId: 'Common KVM processor',
  features: [
    ...PPRO_FEATURES,
    'CPUID_VME',
    'CPUID_MTRR',
    'CPUID_CLFLUSH',
    'CPUID_MCA',
    'CPUID_PSE36',
    'CPUID_EXT_SSE3',
    'CPUID_EXT_CX16',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT2_NX',
  ],
});

const qemu32 = builtin({
  name: 'qemu32',
  vendor: 'GenuineIntel',
  family: 6,
  model: 6,
  stepping: 3,
  level: 4,
  xlevel: 0x80000004,
  modelId: QEMU_VIRTUAL_CPU,
  features: [...PPRO_FEATURES, 'CPUID_EXT_SSE3'],
});

const kvm32 = builtin({
  name: 'kvm32',
  vendor: 'GenuineIntel',
  family: 15,
  model: 6,
  stepping: 1,
  level: 5,
  xlevel: 0x80000008,
  modelId: 'Common 32-bit KVM processor',
  features: [
    ...PPRO_FEATURES,
    'CPUID_VME',
    'CPUID_MTRR',
    'CPUID_CLFLUSH',
    'CPUID_MCA',
    'CPUID_PSE36',
    'CPUID_EXT_SSE3',
  ],
});

const coreduo = builtin({
  name: 'coreduo',
  vendor: 'GenuineIntel',
  family: 6,
  model: 14,
  stepping: 8,
  level: 10,
  xlevel: 0x80000008,
  modelId: 'Genuine Intel(R) CPU           T2600  @ 2.16GHz',
  features: [
    ...PPRO_FEATURES,
    'CPUID_VME',
    'CPUID_MTRR',
    'CPUID_CLFLUSH',
    'CPUID_MCA',
    'CPUID_ACPI',
    'CPUID_SS',
    'CPUID_EXT_SSE3',
    'CPUID_EXT_MONITOR',
    'CPUID_EXT2_NX',
  ],
});

const i486 = builtin({
  name: '486',
  vendor: 'GenuineIntel',
  family: 4,
  model: 8,
  stepping: 0,
  level: 1,
  xlevel: 0,
  modelId: '',
  features: I486_FEATURES,
});

const pentium = builtin({
  name: 'pentium',
  vendor: 'GenuineIntel',
  family: 5,
  model: 4,
  stepping: 3,
  level: 1,
  xlevel: 0,
  modelId: '',
  features: PENTIUM_FEATURES,
});

const pentium2 = builtin({
  name: 'pentium2',
  vendor: 'GenuineIntel',
  family: 6,
  model: 5,
  stepping: 2,
  level: 2,
  xlevel: 0,
  modelId: '',
  features: PENTIUM2_FEATURES,
});

const pentium3 = builtin({
  name: 'pentium3',
  vendor: 'GenuineIntel',
  family: 6,
  model: 7,
  stepping: 3,
  level: 3,
  xlevel: 0,
  modelId: '',
  features: PENTIUM3_FEATURES,
});

const athlon = builtin({
  name: 'athlon',
  vendor: 'AuthenticAMD',
  family: 6,
  model: 2,
  stepping: 3,
  level: 2,
  xlevel: 0x80000008,
  modelId: QEMU_VIRTUAL_CPU,
  features: [
    ...PPRO_FEATURES,
    'CPUID_PSE36',
    'CPUID_VME',
    'CPUID_MTRR',
    'CPUID_MCA',
    'CPUID_EXT2_MMXEXT',
    'CPUID_EXT2_3DNOW',
    'CPUID_EXT2_3DNOWEXT',
  ],
});

const n270 = builtin({
  name: 'n270',
  vendor: 'GenuineIntel',
  family: 6,
  model: 28,
  stepping: 2,
  level: 10,
  xlevel: 0x80000008,
  modelId: 'Intel(R) Atom(TM) CPU N270   @ 1.60GHz',
  features: [
    ...PPRO_FEATURES,
    'CPUID_MTRR',
    'CPUID_CLFLUSH',
    'CPUID_MCA',
    'CPUID_VME',
    'CPUID_ACPI',
    'CPUID_SS',
    'CPUID_EXT_SSE3',
    'CPUID_EXT_MONITOR',
    'CPUID_EXT_SSSE3',
    'CPUID_EXT_MOVBE',
    'CPUID_EXT2_NX',
    'CPUID_EXT3_LAHF_LM',
  ],
});

const conroe = builtin({
  name: 'Conroe',
  vendor: 'GenuineIntel',
  family: 6,
  model: 15,
  stepping: 3,
  level: 10,
  xlevel: 0x80000008,
  modelId: 'Intel Celeron_4x0 (Conroe/Merom Class Core 2)',
  features: [
    ...CORE_1_EDX,
    'CPUID_EXT_SSSE3',
    'CPUID_EXT_SSE3',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_LAHF_LM',
  ],
});

const penryn = builtin({
  name: 'Penryn',
  vendor: 'GenuineIntel',
  family: 6,
  model: 23,
  stepping: 3,
  level: 10,
  xlevel: 0x80000008,
  modelId: 'Intel Core 2 Duo P9xxx (Penryn Class Core 2)',
  features: [
    ...CORE_1_EDX,
    'CPUID_EXT_SSE41',
    'CPUID_EXT_CX16',
    'CPUID_EXT_SSSE3',
    'CPUID_EXT_SSE3',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_LAHF_LM',
  ],
});

const nehalem = builtin({
  name: 'Nehalem',
  vendor: 'GenuineIntel',
  family: 6,
  model: 26,
  stepping: 3,
  level: 11,
  xlevel: 0x80000008,
  modelId: 'Intel Core i7 9xx (Nehalem Class Core i7)',
  features: [
    ...CORE_1_EDX,
    'CPUID_EXT_POPCNT',
    'CPUID_EXT_SSE42',
    'CPUID_EXT_SSE41',
    'CPUID_EXT_CX16',
    'CPUID_EXT_SSSE3',
    'CPUID_EXT_SSE3',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT2_NX',
    'CPUID_EXT3_LAHF_LM',
  ],
});

const westmere = builtin({
  name: 'Westmere',
  vendor: 'GenuineIntel',
  family: 6,
  model: 44,
  stepping: 1,
  level: 11,
  xlevel: 0x80000008,
  modelId: 'Westmere E56xx/L56xx/X56xx (Nehalem-C)',
  features: [
    ...CORE_1_EDX,
    'CPUID_EXT_AES',
    'CPUID_EXT_POPCNT',
    'CPUID_EXT_SSE42',
    'CPUID_EXT_SSE41',
    'CPUID_EXT_CX16',
    'CPUID_EXT_SSSE3',
    'CPUID_EXT_PCLMULQDQ',
    'CPUID_EXT_SSE3',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT2_NX',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_6_EAX_ARAT',
  ],
});

const sandyBridge = builtin({
  name: 'SandyBridge',
  vendor: 'GenuineIntel',
  family: 6,
  model: 42,
  stepping: 1,
  level: 0xd,
  xlevel: 0x80000008,
  modelId: 'Intel Xeon E312xx (Sandy Bridge)',
  features: [
    ...CORE_1_EDX,
    ...SANDYBRIDGE_1_ECX,
    'CPUID_EXT2_LM',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_XSAVE_XSAVEOPT',
    'CPUID_6_EAX_ARAT',
  ],
});

const ivyBridge = builtin({
  name: 'IvyBridge',
  vendor: 'GenuineIntel',
  family: 6,
  model: 58,
  stepping: 9,
  level: 0xd,
  xlevel: 0x80000008,
  modelId: 'Intel Xeon E3-12xx v2 (Ivy Bridge)',
  features: [
    ...CORE_1_EDX,
    ...SANDYBRIDGE_1_ECX,
    'CPUID_EXT_F16C',
    'CPUID_EXT_RDRAND',
    'CPUID_7_0_EBX_FSGSBASE',
    'CPUID_7_0_EBX_SMEP',
    'CPUID_7_0_EBX_ERMS',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_XSAVE_XSAVEOPT',
    'CPUID_6_EAX_ARAT',
  ],
});

const haswell = builtin({
  name: 'Haswell',
  vendor: 'GenuineIntel',
  family: 6,
  model: 60,
  stepping: 4,
  level: 0xd,
  xlevel: 0x80000008,
  modelId: 'Intel Core Processor (Haswell)',
  features: [
    ...CORE_1_EDX,
    ...HASWELL_1_ECX,
    'CPUID_EXT2_LM',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_ABM',
    'CPUID_EXT3_LAHF_LM',
    ...HASWELL_7_0_EBX,
    'CPUID_XSAVE_XSAVEOPT',
    'CPUID_6_EAX_ARAT',
  ],
});

const broadwell = builtin({
  name: 'Broadwell',
  vendor: 'GenuineIntel',
  family: 6,
  model: 61,
  stepping: 2,
  level: 0xd,
  xlevel: 0x80000008,
  modelId: 'Intel Core Processor (Broadwell)',
  features: [
    ...CORE_1_EDX,
    ...HASWELL_1_ECX,
    'CPUID_EXT2_LM',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_ABM',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_EXT3_3DNOWPREFETCH',
    ...BROADWELL_7_0_EBX,
    'CPUID_XSAVE_XSAVEOPT',
    'CPUID_6_EAX_ARAT',
  ],
});

const skylakeClient = builtin({
  name: 'Skylake-Client',
  vendor: 'GenuineIntel',
  family: 6,
  model: 94,
  stepping: 3,
  level: 0xd,
  xlevel: 0x80000008,
  modelId: 'Intel Core Processor (Skylake)',
  features: [
    ...CORE_1_EDX,
    ...HASWELL_1_ECX,
    'CPUID_EXT2_LM',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_ABM',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_EXT3_3DNOWPREFETCH',
    ...BROADWELL_7_0_EBX,
    ...XSAVE_SKYLAKE,
    'CPUID_6_EAX_ARAT',
  ],
});

const skylakeServer = builtin({
  name: 'Skylake-Server',
  vendor: 'GenuineIntel',
  family: 6,
  model: 85,
  stepping: 4,
  level: 0xd,
  xlevel: 0x80000008,
  modelId: 'Intel Xeon Processor (Skylake)',
  features: [
    ...CORE_1_EDX,
    ...HASWELL_1_ECX,
    'CPUID_EXT2_LM',
    'CPUID_EXT2_PDPE1GB',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_ABM',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_EXT3_3DNOWPREFETCH',
    ...SKYLAKE_SERVER_7_0_EBX,
    'CPUID_7_0_ECX_PKU',
    ...XSAVE_SKYLAKE,
    'CPUID_6_EAX_ARAT',
  ],
});

const cascadelakeServer = builtin({
  name: 'Cascadelake-Server',
  vendor: 'GenuineIntel',
  family: 6,
  model: 85,
  stepping: 6,
  level: 0xd,
  xlevel: 0x80000008,
  modelId: 'Intel Xeon Processor (Cascadelake)',
  features: [
    ...CORE_1_EDX,
    ...HASWELL_1_ECX,
    'CPUID_EXT2_LM',
    'CPUID_EXT2_PDPE1GB',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_ABM',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_EXT3_3DNOWPREFETCH',
    ...SKYLAKE_SERVER_7_0_EBX,
    'CPUID_7_0_ECX_PKU',
    'CPUID_7_0_ECX_AVX512VNNI',
    'CPUID_7_0_EDX_SPEC_CTRL',
    'CPUID_7_0_EDX_SPEC_CTRL_SSBD',
    ...XSAVE_SKYLAKE,
    'CPUID_6_EAX_ARAT',
  ],
});

const icelakeClient = builtin(
  {
    name: 'Icelake-Client',
    vendor: 'GenuineIntel',
    family: 6,
    model: 126,
    stepping: 0,
    level: 0xd,
    xlevel: 0x80000008,
    modelId: 'Intel Core Processor (Icelake)',
    features: [
      ...CORE_1_EDX,
      ...HASWELL_1_ECX,
      'CPUID_EXT2_LM',
      'CPUID_EXT2_RDTSCP',
      'CPUID_EXT2_NX',
      'CPUID_EXT2_SYSCALL',
      'CPUID_EXT3_ABM',
      'CPUID_EXT3_LAHF_LM',
      'CPUID_EXT3_3DNOWPREFETCH',
      'CPUID_8000_0008_EBX_WBNOINVD',
      ...BROADWELL_7_0_EBX,
      ...ICELAKE_7_0_ECX,
      'CPUID_7_0_EDX_SPEC_CTRL',
      'CPUID_7_0_EDX_SPEC_CTRL_SSBD',
      ...XSAVE_SKYLAKE,
      'CPUID_6_EAX_ARAT',
    ],
  },
  'builtin_x86_defs[] "Icelake-Client" (QEMU 3.1-5.0; removed by "target/i386: remove Icelake-Client CPU model")',
);

const icelakeServer = builtin({
  name: 'Icelake-Server',
  vendor: 'GenuineIntel',
  family: 6,
  model: 134,
  stepping: 0,
  level: 0xd,
  xlevel: 0x80000008,
  modelId: 'Intel Xeon Processor (Icelake)',
  features: [
    ...CORE_1_EDX,
    ...HASWELL_1_ECX,
    'CPUID_EXT2_LM',
    'CPUID_EXT2_PDPE1GB',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_ABM',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_EXT3_3DNOWPREFETCH',
    'CPUID_8000_0008_EBX_WBNOINVD',
    ...SKYLAKE_SERVER_7_0_EBX,
    ...ICELAKE_7_0_ECX,
    'CPUID_7_0_ECX_LA57',
    'CPUID_7_0_EDX_SPEC_CTRL',
    'CPUID_7_0_EDX_SPEC_CTRL_SSBD',
    ...XSAVE_SKYLAKE,
    'CPUID_6_EAX_ARAT',
  ],
});

const knightsMill = builtin({
  name: 'KnightsMill',
  vendor: 'GenuineIntel',
  family: 6,
  model: 133,
  stepping: 0,
  level: 0xd,
  xlevel: 0x80000008,
  modelId: 'Intel Xeon Phi Processor (Knights Mill)',
  features: [
    ...CORE_1_EDX,
    'CPUID_SS',
    'CPUID_EXT_AVX',
    'CPUID_EXT_XSAVE',
    'CPUID_EXT_AES',
    'CPUID_EXT_POPCNT',
    'CPUID_EXT_X2APIC',
    'CPUID_EXT_SSE42',
    'CPUID_EXT_SSE41',
    'CPUID_EXT_CX16',
    'CPUID_EXT_SSSE3',
    'CPUID_EXT_PCLMULQDQ',
    'CPUID_EXT_SSE3',
    'CPUID_EXT_TSC_DEADLINE_TIMER',
    'CPUID_EXT_FMA',
    'CPUID_EXT_MOVBE',
    'CPUID_EXT_F16C',
    'CPUID_EXT_RDRAND',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_PDPE1GB',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_ABM',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_EXT3_3DNOWPREFETCH',
    'CPUID_7_0_EBX_FSGSBASE',
    'CPUID_7_0_EBX_BMI1',
    'CPUID_7_0_EBX_AVX2',
    'CPUID_7_0_EBX_SMEP',
    'CPUID_7_0_EBX_BMI2',
    'CPUID_7_0_EBX_ERMS',
    'CPUID_7_0_EBX_RDSEED',
    'CPUID_7_0_EBX_ADX',
    'CPUID_7_0_EBX_AVX512F',
    'CPUID_7_0_EBX_AVX512CD',
    'CPUID_7_0_EBX_AVX512PF',
    'CPUID_7_0_EBX_AVX512ER',
    'CPUID_7_0_ECX_AVX512_VPOPCNTDQ',
    'CPUID_7_0_EDX_AVX512_4VNNIW',
    'CPUID_7_0_EDX_AVX512_4FMAPS',
    'CPUID_XSAVE_XSAVEOPT',
    'CPUID_6_EAX_ARAT',
  ],
});

const opteronG1 = builtin({
  name: 'Opteron_G1',
  vendor: 'AuthenticAMD',
  family: 15,
  model: 6,
  stepping: 1,
  level: 5,
  xlevel: 0x80000008,
  modelId: 'AMD Opteron 240 (Gen 1 Class Opteron)',
  features: [...CORE_1_EDX, 'CPUID_EXT_SSE3', 'CPUID_EXT2_LM', 'CPUID_EXT2_NX', 'CPUID_EXT2_SYSCALL'],
});

const opteronG2 = builtin({
  name: 'Opteron_G2',
  vendor: 'AuthenticAMD',
  family: 15,
  model: 6,
  stepping: 1,
  level: 5,
  xlevel: 0x80000008,
  modelId: 'AMD Opteron 22xx (Gen 2 Class Opteron)',
  features: [
    ...CORE_1_EDX,
    'CPUID_EXT_CX16',
    'CPUID_EXT_SSE3',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT3_SVM',
    'CPUID_EXT3_LAHF_LM',
  ],
});

const opteronG3 = builtin({
  name: 'Opteron_G3',
  vendor: 'AuthenticAMD',
  family: 16,
  model: 2,
  stepping: 3,
  level: 5,
  xlevel: 0x80000008,
  modelId: 'AMD Opteron 23xx (Gen 3 Class Opteron)',
  features: [
    ...CORE_1_EDX,
    'CPUID_EXT_POPCNT',
    'CPUID_EXT_CX16',
    'CPUID_EXT_MONITOR',
    'CPUID_EXT_SSE3',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT3_MISALIGNSSE',
    'CPUID_EXT3_SSE4A',
    'CPUID_EXT3_ABM',
    'CPUID_EXT3_SVM',
    'CPUID_EXT3_LAHF_LM',
  ],
});

const opteronG4 = builtin({
  name: 'Opteron_G4',
  vendor: 'AuthenticAMD',
  family: 21,
  model: 1,
  stepping: 2,
  level: 0xd,
  xlevel: 0x8000001a,
  modelId: 'AMD Opteron 62xx class CPU',
  features: [
    ...CORE_1_EDX,
    'CPUID_EXT_AVX',
    'CPUID_EXT_XSAVE',
    'CPUID_EXT_AES',
    'CPUID_EXT_POPCNT',
    'CPUID_EXT_SSE42',
    'CPUID_EXT_SSE41',
    'CPUID_EXT_CX16',
    'CPUID_EXT_SSSE3',
    'CPUID_EXT_PCLMULQDQ',
    'CPUID_EXT_SSE3',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_PDPE1GB',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT3_FMA4',
    'CPUID_EXT3_XOP',
    'CPUID_EXT3_3DNOWPREFETCH',
    'CPUID_EXT3_MISALIGNSSE',
    'CPUID_EXT3_SSE4A',
    'CPUID_EXT3_ABM',
    'CPUID_EXT3_SVM',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_SVM_NPT',
    'CPUID_SVM_NRIPSAVE',
  ],
});

const opteronG5 = builtin({
  name: 'Opteron_G5',
  vendor: 'AuthenticAMD',
  family: 21,
  model: 2,
  stepping: 0,
  level: 0xd,
  xlevel: 0x8000001a,
  modelId: 'AMD Opteron 63xx class CPU',
  features: [
    ...CORE_1_EDX,
    'CPUID_EXT_F16C',
    'CPUID_EXT_AVX',
    'CPUID_EXT_XSAVE',
    'CPUID_EXT_AES',
    'CPUID_EXT_POPCNT',
    'CPUID_EXT_SSE42',
    'CPUID_EXT_SSE41',
    'CPUID_EXT_CX16',
    'CPUID_EXT_FMA',
    'CPUID_EXT_SSSE3',
    'CPUID_EXT_PCLMULQDQ',
    'CPUID_EXT_SSE3',
    'CPUID_EXT2_LM',
    'CPUID_EXT2_PDPE1GB',
    'CPUID_EXT2_NX',
    'CPUID_EXT2_SYSCALL',
    'CPUID_EXT2_RDTSCP',
    'CPUID_EXT3_TBM',
    'CPUID_EXT3_FMA4',
    'CPUID_EXT3_XOP',
    'CPUID_EXT3_3DNOWPREFETCH',
    'CPUID_EXT3_MISALIGNSSE',
    'CPUID_EXT3_SSE4A',
    'CPUID_EXT3_ABM',
    'CPUID_EXT3_SVM',
    'CPUID_EXT3_LAHF_LM',
    'CPUID_SVM_NPT',
    'CPUID_SVM_NRIPSAVE',
  ],
});

const epyc = builtin({
  name: 'EPYC',
  vendor: 'AuthenticAMD',
  family: 23,
  model: 1,
  stepping: 2,
  level: 0xd,
  xlevel: 0x8000001e,
  modelId: 'AMD EPYC Processor',
  features: [
    ...CORE_1_EDX,
    'CPUID_EXT_RDRAND',
    'CPUID_EXT_F16C',
    'CPUID_EXT_AVX',
    'CPUID_EXT_XSAVE',
    'CPUID_EXT_AES',
    'CPUID_EXT_POPCNT',
    'CPUID_EXT_MOVBE',
    'CPUID_EXT_SSE42',
    'CPUID_EXT_SSE41',
    'CPUID_EXT_CX16',
    'CPUID_EXT_FMA',
    'CPUID_EXT_SSSE3',
    'CPUID_EXT_MONITOR',
    'CPUID_EXT_PCLMULQDQ',
    'CPUID_EXT_SSE3',
    ...EPYC_8000_0001_EDX,
    ...EPYC_8000_0001_ECX,
    'CPUID_7_0_EBX_FSGSBASE',
    'CPUID_7_0_EBX_BMI1',
    'CPUID_7_0_EBX_AVX2',
    'CPUID_7_0_EBX_SMEP',
    'CPUID_7_0_EBX_BMI2',
    'CPUID_7_0_EBX_RDSEED',
    'CPUID_7_0_EBX_ADX',
    'CPUID_7_0_EBX_SMAP',
    'CPUID_7_0_EBX_CLFLUSHOPT',
    'CPUID_7_0_EBX_SHA_NI',
    ...XSAVE_SKYLAKE,
    'CPUID_6_EAX_ARAT',
    'CPUID_SVM_NPT',
    'CPUID_SVM_NRIPSAVE',
  ],
});

const dhyana = builtin({
  name: 'Dhyana',
  vendor: 'HygonGenuine',
  family: 24,
  model: 0,
  stepping: 1,
  level: 0xd,
  xlevel: 0x8000001e,
  modelId: 'Hygon Dhyana Processor',
  features: [
    ...CORE_1_EDX,
    'CPUID_EXT_RDRAND',
    'CPUID_EXT_F16C',
    'CPUID_EXT_AVX',
    'CPUID_EXT_XSAVE',
    'CPUID_EXT_POPCNT',
    'CPUID_EXT_MOVBE',
    'CPUID_EXT_SSE42',
    'CPUID_EXT_SSE41',
    'CPUID_EXT_CX16',
    'CPUID_EXT_FMA',
    'CPUID_EXT_SSSE3',
    'CPUID_EXT_MONITOR',
    'CPUID_EXT_SSE3',
    ...EPYC_8000_0001_EDX,
    ...EPYC_8000_0001_ECX,
    'CPUID_8000_0008_EBX_IBPB',
    'CPUID_7_0_EBX_FSGSBASE',
    'CPUID_7_0_EBX_BMI1',
    'CPUID_7_0_EBX_AVX2',
    'CPUID_7_0_EBX_SMEP',
    'CPUID_7_0_EBX_BMI2',
    'CPUID_7_0_EBX_RDSEED',
    'CPUID_7_0_EBX_ADX',
    'CPUID_7_0_EBX_SMAP',
    'CPUID_7_0_EBX_CLFLUSHOPT',
    ...XSAVE_SKYLAKE,
    'CPUID_6_EAX_ARAT',
    'CPUID_SVM_NPT',
    'CPUID_SVM_NRIPSAVE',
  ],
});

const SPEC_CTRL = 'CPUID_7_0_EDX_SPEC_CTRL';
const TSX = ['CPUID_7_0_EBX_HLE', 'CPUID_7_0_EBX_RTM'];

function special(
  name: string,
  kind: 'host' | 'max' | 'base',
  description: string,
  ordering: number,
  source: string,
): CpuModelDef {
  return {
    name,
    description,
    vendor: null,
    family: 0,
    model: 0,
    stepping: 0,
    level: 0,
    xlevel: 0,
    modelId: '',
    features: [],
    flags: [],
    kind,
    ordering,
    source,
  };
}

/**
 * Every model of the chapter's `-cpu ?` list, in builtin_x86_defs[] order
 * with the -IBRS/-noTSX/-IBPB models after their base, then base, host, max.
 */
export const CPU_MODELS: readonly CpuModelDef[] = [
  qemu64,
  phenom,
  core2duo,
  kvm64,
  qemu32,
  kvm32,
  coreduo,
  i486,
  pentium,
  pentium2,
  pentium3,
  athlon,
  n270,
  conroe,
  penryn,
  nehalem,
  variant(nehalem, 'Nehalem-IBRS', {
    modelId: 'Intel Core i7 9xx (Nehalem Core i7, IBRS update)',
    add: [SPEC_CTRL],
  }),
  westmere,
  variant(westmere, 'Westmere-IBRS', { modelId: 'Westmere E56xx/L56xx/X56xx (IBRS update)', add: [SPEC_CTRL] }),
  sandyBridge,
  variant(sandyBridge, 'SandyBridge-IBRS', {
    modelId: 'Intel Xeon E312xx (Sandy Bridge, IBRS update)',
    add: [SPEC_CTRL],
  }),
  ivyBridge,
  variant(ivyBridge, 'IvyBridge-IBRS', { modelId: 'Intel Xeon E3-12xx v2 (Ivy Bridge, IBRS)', add: [SPEC_CTRL] }),
  haswell,
  variant(haswell, 'Haswell-noTSX', {
    modelId: 'Intel Core Processor (Haswell, no TSX)',
    remove: TSX,
    stepping: 1,
  }),
  variant(haswell, 'Haswell-IBRS', { modelId: 'Intel Core Processor (Haswell, IBRS)', add: [SPEC_CTRL] }),
  variant(haswell, 'Haswell-noTSX-IBRS', {
    modelId: 'Intel Core Processor (Haswell, no TSX, IBRS)',
    remove: TSX,
    add: [SPEC_CTRL],
    stepping: 1,
  }),
  broadwell,
  variant(broadwell, 'Broadwell-noTSX', { modelId: 'Intel Core Processor (Broadwell, no TSX)', remove: TSX }),
  variant(broadwell, 'Broadwell-IBRS', { modelId: 'Intel Core Processor (Broadwell, IBRS)', add: [SPEC_CTRL] }),
  variant(broadwell, 'Broadwell-noTSX-IBRS', {
    modelId: 'Intel Core Processor (Broadwell, no TSX, IBRS)',
    remove: TSX,
    add: [SPEC_CTRL],
  }),
  skylakeClient,
  variant(skylakeClient, 'Skylake-Client-IBRS', { modelId: 'Intel Core Processor (Skylake, IBRS)', add: [SPEC_CTRL] }),
  skylakeServer,
  // "clflushopt was not added to Skylake-Server-IBRS" (the v2 props say so).
  variant(skylakeServer, 'Skylake-Server-IBRS', {
    modelId: 'Intel Xeon Processor (Skylake, IBRS)',
    remove: ['CPUID_7_0_EBX_CLFLUSHOPT'],
    add: [SPEC_CTRL],
  }),
  cascadelakeServer,
  icelakeClient,
  icelakeServer,
  knightsMill,
  opteronG1,
  opteronG2,
  opteronG3,
  opteronG4,
  opteronG5,
  epyc,
  variant(epyc, 'EPYC-IBPB', { modelId: 'AMD EPYC Processor (with IBPB)', add: ['CPUID_8000_0008_EBX_IBPB'] }),
  dhyana,
  special(
    'base',
    'base',
    'base CPU model type with no features enabled',
    8,
    'x86_cpu_base_class_init: static model, no CPUID features, vendor registers zero',
  ),
  special(
    'host',
    'host',
    'KVM processor with all supported host features',
    8,
    'host_x86_cpu_class_init: vendor, family, model, stepping, model-id and features copied from the host (KVM only)',
  ),
  special(
    'max',
    'max',
    'Enables all features supported by the accelerator in the current host',
    9,
    'max_x86_cpu_class_init: under KVM, every feature KVM_GET_SUPPORTED_CPUID reports, with the host identity',
  ),
];

const byName = new Map(CPU_MODELS.map((m) => [m.name, m]));

/** The catalogue entry named exactly `name` (QEMU's lookup is case-sensitive). */
export function findCpuModel(name: string): CpuModelDef | undefined {
  return byName.get(name);
}

/** Names in `-cpu ?` order: x86_cpu_list_compare() = (ordering, strcmp(name)). */
export function cpuModelNamesInListOrder(): string[] {
  return [...CPU_MODELS]
    .sort((a, b) => a.ordering - b.ordering || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((m) => m.name);
}

/** The default model of qemu-system-x86_64 (TARGET_DEFAULT_CPU_TYPE, "qemu64"). */
export const DEFAULT_CPU_MODEL = 'qemu64';

export { guestFlags } from './guest-flags.js';
