/**
 * CPUID feature bits as QEMU names them (target/i386/cpu.c, feature_word_info[]
 * and the CPUID_* macros of target/i386/cpu.h) and as the Linux guest spells
 * them in /proc/cpuinfo (arch/x86/include/asm/cpufeatures.h, the quoted string
 * of a X86_FEATURE_* comment, else the macro name in lower case).
 *
 * One row per bit:
 *
 *   macro   the CPUID_* macro builtin_x86_defs[] uses (`CPUID_EXT_SSE42`)
 *   word    QEMU's FeatureWord (`FEAT_1_ECX` = CPUID[1].ECX)
 *   bit     bit number in that register
 *   qemu    the -cpu property name (`sse4.2`); QEMU's feat_names[] entry
 *   linux   the /proc/cpuinfo spelling (`sse4_2`). This is the spelling of a
 *           CpuIdentity flag. For bits a given kernel hides ("" in
 *           cpufeatures.h) it is still the canonical name of the bit; whether
 *           a guest prints it is decided by guest-flags.ts.
 *
 * KVM paravirtual bits (CPUID 0x40000001, FEAT_KVM) are listed separately:
 * `-cpu` accepts them but no kernel prints them in /proc/cpuinfo, so they are
 * not CpuIdentity flags.
 */

export type FeatureWord =
  | 'FEAT_1_EDX'
  | 'FEAT_1_ECX'
  | 'FEAT_7_0_EBX'
  | 'FEAT_7_0_ECX'
  | 'FEAT_7_0_EDX'
  | 'FEAT_7_1_EAX'
  | 'FEAT_8000_0001_EDX'
  | 'FEAT_8000_0001_ECX'
  | 'FEAT_8000_0007_EDX'
  | 'FEAT_8000_0008_EBX'
  | 'FEAT_SVM'
  | 'FEAT_XSAVE'
  | 'FEAT_6_EAX';

export interface FeatureWordInfo {
  /** CPUID leaf (EAX input). */
  leaf: number;
  /** CPUID subleaf (ECX input), for leaves that need one. */
  subleaf?: number;
  reg: 'EAX' | 'EBX' | 'ECX' | 'EDX';
}

/**
 * Where each word lives, from feature_word_info[].cpuid. The key order is
 * QEMU's FeatureWord enum order (target/i386/cpu.h), which is the order
 * x86_cpu_filter_features() walks when it reports missing features.
 */
export const FEATURE_WORDS: Readonly<Record<FeatureWord, FeatureWordInfo>> = {
  FEAT_1_EDX: { leaf: 0x1, reg: 'EDX' },
  FEAT_1_ECX: { leaf: 0x1, reg: 'ECX' },
  FEAT_7_0_EBX: { leaf: 0x7, subleaf: 0, reg: 'EBX' },
  FEAT_7_0_ECX: { leaf: 0x7, subleaf: 0, reg: 'ECX' },
  FEAT_7_0_EDX: { leaf: 0x7, subleaf: 0, reg: 'EDX' },
  FEAT_7_1_EAX: { leaf: 0x7, subleaf: 1, reg: 'EAX' },
  FEAT_8000_0001_EDX: { leaf: 0x80000001, reg: 'EDX' },
  FEAT_8000_0001_ECX: { leaf: 0x80000001, reg: 'ECX' },
  FEAT_8000_0007_EDX: { leaf: 0x80000007, reg: 'EDX' },
  FEAT_8000_0008_EBX: { leaf: 0x80000008, reg: 'EBX' },
  FEAT_SVM: { leaf: 0x8000000a, reg: 'EDX' },
  FEAT_XSAVE: { leaf: 0xd, subleaf: 1, reg: 'EAX' },
  FEAT_6_EAX: { leaf: 0x6, reg: 'EAX' },
};

export const FEATURE_WORD_ORDER = Object.keys(FEATURE_WORDS) as FeatureWord[];

export interface CpuFeature {
  macro: string;
  word: FeatureWord;
  bit: number;
  qemu: string;
  linux: string;
}

type Row = [macro: string, bit: number, qemu: string, linux?: string];

function rows(word: FeatureWord, list: Row[]): CpuFeature[] {
  return list.map(([macro, bit, qemu, linux]) => ({ macro, word, bit, qemu, linux: linux ?? qemu }));
}

/**
 * Every CPUID bit simvm models. Names: QEMU feature_word_info[] (current
 * spelling, dashes; `_` is accepted on the command line, see
 * canonicalFeatureName) and Linux cpufeatures.h (v5.10).
 */
export const CPU_FEATURES: readonly CpuFeature[] = [
  ...rows('FEAT_1_EDX', [
    ['CPUID_FP87', 0, 'fpu'],
    ['CPUID_VME', 1, 'vme'],
    ['CPUID_DE', 2, 'de'],
    ['CPUID_PSE', 3, 'pse'],
    ['CPUID_TSC', 4, 'tsc'],
    ['CPUID_MSR', 5, 'msr'],
    ['CPUID_PAE', 6, 'pae'],
    ['CPUID_MCE', 7, 'mce'],
    ['CPUID_CX8', 8, 'cx8'],
    ['CPUID_APIC', 9, 'apic'],
    ['CPUID_SEP', 11, 'sep'],
    ['CPUID_MTRR', 12, 'mtrr'],
    ['CPUID_PGE', 13, 'pge'],
    ['CPUID_MCA', 14, 'mca'],
    ['CPUID_CMOV', 15, 'cmov'],
    ['CPUID_PAT', 16, 'pat'],
    ['CPUID_PSE36', 17, 'pse36'],
    ['CPUID_PN', 18, 'pn'],
    ['CPUID_CLFLUSH', 19, 'clflush'],
    ['CPUID_DTS', 21, 'ds', 'dts'],
    ['CPUID_ACPI', 22, 'acpi'],
    ['CPUID_MMX', 23, 'mmx'],
    ['CPUID_FXSR', 24, 'fxsr'],
    ['CPUID_SSE', 25, 'sse'],
    ['CPUID_SSE2', 26, 'sse2'],
    ['CPUID_SS', 27, 'ss'],
    ['CPUID_HT', 28, 'ht'],
    ['CPUID_TM', 29, 'tm'],
    ['CPUID_IA64', 30, 'ia64'],
    ['CPUID_PBE', 31, 'pbe'],
  ]),
  ...rows('FEAT_1_ECX', [
    ['CPUID_EXT_SSE3', 0, 'pni'],
    ['CPUID_EXT_PCLMULQDQ', 1, 'pclmulqdq'],
    ['CPUID_EXT_DTES64', 2, 'dtes64'],
    ['CPUID_EXT_MONITOR', 3, 'monitor'],
    ['CPUID_EXT_DSCPL', 4, 'ds-cpl', 'ds_cpl'],
    ['CPUID_EXT_VMX', 5, 'vmx'],
    ['CPUID_EXT_SMX', 6, 'smx'],
    ['CPUID_EXT_EST', 7, 'est'],
    ['CPUID_EXT_TM2', 8, 'tm2'],
    ['CPUID_EXT_SSSE3', 9, 'ssse3'],
    ['CPUID_EXT_CID', 10, 'cid'],
    ['CPUID_EXT_FMA', 12, 'fma'],
    ['CPUID_EXT_CX16', 13, 'cx16'],
    ['CPUID_EXT_XTPR', 14, 'xtpr'],
    ['CPUID_EXT_PDCM', 15, 'pdcm'],
    ['CPUID_EXT_PCID', 17, 'pcid'],
    ['CPUID_EXT_DCA', 18, 'dca'],
    ['CPUID_EXT_SSE41', 19, 'sse4.1', 'sse4_1'],
    ['CPUID_EXT_SSE42', 20, 'sse4.2', 'sse4_2'],
    ['CPUID_EXT_X2APIC', 21, 'x2apic'],
    ['CPUID_EXT_MOVBE', 22, 'movbe'],
    ['CPUID_EXT_POPCNT', 23, 'popcnt'],
    ['CPUID_EXT_TSC_DEADLINE_TIMER', 24, 'tsc-deadline', 'tsc_deadline_timer'],
    ['CPUID_EXT_AES', 25, 'aes'],
    ['CPUID_EXT_XSAVE', 26, 'xsave'],
    ['CPUID_EXT_AVX', 28, 'avx'],
    ['CPUID_EXT_F16C', 29, 'f16c'],
    ['CPUID_EXT_RDRAND', 30, 'rdrand'],
    ['CPUID_EXT_HYPERVISOR', 31, 'hypervisor'],
  ]),
  ...rows('FEAT_7_0_EBX', [
    ['CPUID_7_0_EBX_FSGSBASE', 0, 'fsgsbase'],
    ['CPUID_7_0_EBX_TSC_ADJUST', 1, 'tsc-adjust', 'tsc_adjust'],
    ['CPUID_7_0_EBX_SGX', 2, 'sgx'],
    ['CPUID_7_0_EBX_BMI1', 3, 'bmi1'],
    ['CPUID_7_0_EBX_HLE', 4, 'hle'],
    ['CPUID_7_0_EBX_AVX2', 5, 'avx2'],
    ['CPUID_7_0_EBX_FDP_EXCPTN_ONLY', 6, 'fdp-excptn-only', 'fdp_excptn_only'],
    ['CPUID_7_0_EBX_SMEP', 7, 'smep'],
    ['CPUID_7_0_EBX_BMI2', 8, 'bmi2'],
    ['CPUID_7_0_EBX_ERMS', 9, 'erms'],
    ['CPUID_7_0_EBX_INVPCID', 10, 'invpcid'],
    ['CPUID_7_0_EBX_RTM', 11, 'rtm'],
    ['CPUID_7_0_EBX_ZERO_FCS_FDS', 13, 'zero-fcs-fds', 'zero_fcs_fds'],
    ['CPUID_7_0_EBX_MPX', 14, 'mpx'],
    ['CPUID_7_0_EBX_AVX512F', 16, 'avx512f'],
    ['CPUID_7_0_EBX_AVX512DQ', 17, 'avx512dq'],
    ['CPUID_7_0_EBX_RDSEED', 18, 'rdseed'],
    ['CPUID_7_0_EBX_ADX', 19, 'adx'],
    ['CPUID_7_0_EBX_SMAP', 20, 'smap'],
    ['CPUID_7_0_EBX_AVX512IFMA', 21, 'avx512ifma'],
    ['CPUID_7_0_EBX_PCOMMIT', 22, 'pcommit'],
    ['CPUID_7_0_EBX_CLFLUSHOPT', 23, 'clflushopt'],
    ['CPUID_7_0_EBX_CLWB', 24, 'clwb'],
    ['CPUID_7_0_EBX_INTEL_PT', 25, 'intel-pt', 'intel_pt'],
    ['CPUID_7_0_EBX_AVX512PF', 26, 'avx512pf'],
    ['CPUID_7_0_EBX_AVX512ER', 27, 'avx512er'],
    ['CPUID_7_0_EBX_AVX512CD', 28, 'avx512cd'],
    ['CPUID_7_0_EBX_SHA_NI', 29, 'sha-ni', 'sha_ni'],
    ['CPUID_7_0_EBX_AVX512BW', 30, 'avx512bw'],
    ['CPUID_7_0_EBX_AVX512VL', 31, 'avx512vl'],
  ]),
  ...rows('FEAT_7_0_ECX', [
    ['CPUID_7_0_ECX_AVX512_VBMI', 1, 'avx512vbmi'],
    ['CPUID_7_0_ECX_UMIP', 2, 'umip'],
    ['CPUID_7_0_ECX_PKU', 3, 'pku'],
    ['CPUID_7_0_ECX_OSPKE', 4, 'ospke'],
    ['CPUID_7_0_ECX_WAITPKG', 5, 'waitpkg'],
    ['CPUID_7_0_ECX_AVX512_VBMI2', 6, 'avx512vbmi2', 'avx512_vbmi2'],
    ['CPUID_7_0_ECX_GFNI', 8, 'gfni'],
    ['CPUID_7_0_ECX_VAES', 9, 'vaes'],
    ['CPUID_7_0_ECX_VPCLMULQDQ', 10, 'vpclmulqdq'],
    ['CPUID_7_0_ECX_AVX512VNNI', 11, 'avx512vnni', 'avx512_vnni'],
    ['CPUID_7_0_ECX_AVX512BITALG', 12, 'avx512bitalg', 'avx512_bitalg'],
    ['CPUID_7_0_ECX_AVX512_VPOPCNTDQ', 14, 'avx512-vpopcntdq', 'avx512_vpopcntdq'],
    ['CPUID_7_0_ECX_LA57', 16, 'la57'],
    ['CPUID_7_0_ECX_RDPID', 22, 'rdpid'],
    ['CPUID_7_0_ECX_CLDEMOTE', 25, 'cldemote'],
    ['CPUID_7_0_ECX_MOVDIRI', 27, 'movdiri'],
    ['CPUID_7_0_ECX_MOVDIR64B', 28, 'movdir64b'],
  ]),
  ...rows('FEAT_7_0_EDX', [
    ['CPUID_7_0_EDX_AVX512_4VNNIW', 2, 'avx512-4vnniw', 'avx512_4vnniw'],
    ['CPUID_7_0_EDX_AVX512_4FMAPS', 3, 'avx512-4fmaps', 'avx512_4fmaps'],
    ['CPUID_7_0_EDX_FSRM', 4, 'fsrm'],
    ['CPUID_7_0_EDX_MD_CLEAR', 10, 'md-clear', 'md_clear'],
    ['CPUID_7_0_EDX_SERIALIZE', 14, 'serialize'],
    ['CPUID_7_0_EDX_PCONFIG', 18, 'pconfig'],
    ['CPUID_7_0_EDX_SPEC_CTRL', 26, 'spec-ctrl', 'spec_ctrl'],
    ['CPUID_7_0_EDX_STIBP', 27, 'stibp'],
    ['CPUID_7_0_EDX_FLUSH_L1D', 28, 'flush-l1d', 'flush_l1d'],
    ['CPUID_7_0_EDX_ARCH_CAPABILITIES', 29, 'arch-capabilities', 'arch_capabilities'],
    ['CPUID_7_0_EDX_CORE_CAPABILITY', 30, 'core-capability', 'core_capabilities'],
    ['CPUID_7_0_EDX_SPEC_CTRL_SSBD', 31, 'ssbd'],
  ]),
  ...rows('FEAT_7_1_EAX', [['CPUID_7_1_EAX_AVX512_BF16', 5, 'avx512-bf16', 'avx512_bf16']]),
  ...rows('FEAT_8000_0001_EDX', [
    ['CPUID_EXT2_SYSCALL', 11, 'syscall'],
    ['CPUID_EXT2_NX', 20, 'nx'],
    ['CPUID_EXT2_MMXEXT', 22, 'mmxext'],
    ['CPUID_EXT2_FFXSR', 25, 'fxsr-opt', 'fxsr_opt'],
    ['CPUID_EXT2_PDPE1GB', 26, 'pdpe1gb'],
    ['CPUID_EXT2_RDTSCP', 27, 'rdtscp'],
    ['CPUID_EXT2_LM', 29, 'lm'],
    ['CPUID_EXT2_3DNOWEXT', 30, '3dnowext'],
    ['CPUID_EXT2_3DNOW', 31, '3dnow'],
  ]),
  ...rows('FEAT_8000_0001_ECX', [
    ['CPUID_EXT3_LAHF_LM', 0, 'lahf-lm', 'lahf_lm'],
    ['CPUID_EXT3_CMP_LEG', 1, 'cmp-legacy', 'cmp_legacy'],
    ['CPUID_EXT3_SVM', 2, 'svm'],
    ['CPUID_EXT3_EXTAPIC', 3, 'extapic'],
    ['CPUID_EXT3_CR8LEG', 4, 'cr8legacy', 'cr8_legacy'],
    ['CPUID_EXT3_ABM', 5, 'abm'],
    ['CPUID_EXT3_SSE4A', 6, 'sse4a'],
    ['CPUID_EXT3_MISALIGNSSE', 7, 'misalignsse'],
    ['CPUID_EXT3_3DNOWPREFETCH', 8, '3dnowprefetch'],
    ['CPUID_EXT3_OSVW', 9, 'osvw'],
    ['CPUID_EXT3_IBS', 10, 'ibs'],
    ['CPUID_EXT3_XOP', 11, 'xop'],
    ['CPUID_EXT3_SKINIT', 12, 'skinit'],
    ['CPUID_EXT3_WDT', 13, 'wdt'],
    ['CPUID_EXT3_LWP', 15, 'lwp'],
    ['CPUID_EXT3_FMA4', 16, 'fma4'],
    ['CPUID_EXT3_TCE', 17, 'tce'],
    ['CPUID_EXT3_NODEID', 19, 'nodeid-msr', 'nodeid_msr'],
    ['CPUID_EXT3_TBM', 21, 'tbm'],
    ['CPUID_EXT3_TOPOEXT', 22, 'topoext'],
    ['CPUID_EXT3_PERFCORE', 23, 'perfctr-core', 'perfctr_core'],
    ['CPUID_EXT3_PERFNB', 24, 'perfctr-nb', 'perfctr_nb'],
  ]),
  // Linux has no flag for invariant TSC; it turns the bit into constant_tsc
  // and nonstop_tsc (arch/x86/kernel/cpu/intel.c, amd.c: x86_power bit 8).
  ...rows('FEAT_8000_0007_EDX', [['CPUID_APM_INVTSC', 8, 'invtsc']]),
  ...rows('FEAT_8000_0008_EBX', [
    ['CPUID_8000_0008_EBX_CLZERO', 0, 'clzero'],
    ['CPUID_8000_0008_EBX_XSAVEERPTR', 2, 'xsaveerptr'],
    ['CPUID_8000_0008_EBX_WBNOINVD', 9, 'wbnoinvd'],
    ['CPUID_8000_0008_EBX_IBPB', 12, 'ibpb'],
    ['CPUID_8000_0008_EBX_IBRS', 14, 'ibrs'],
    ['CPUID_8000_0008_EBX_STIBP', 15, 'amd-stibp', 'amd_stibp'],
    ['CPUID_8000_0008_EBX_STIBP_ALWAYS_ON', 17, 'stibp-always-on', 'amd_stibp_always_on'],
    ['CPUID_8000_0008_EBX_AMD_SSBD', 24, 'amd-ssbd', 'amd_ssbd'],
    ['CPUID_8000_0008_EBX_VIRT_SSBD', 25, 'virt-ssbd', 'virt_ssbd'],
    ['CPUID_8000_0008_EBX_AMD_NO_SSB', 26, 'amd-no-ssb', 'amd_ssb_no'],
  ]),
  ...rows('FEAT_SVM', [
    ['CPUID_SVM_NPT', 0, 'npt'],
    ['CPUID_SVM_LBRV', 1, 'lbrv'],
    ['CPUID_SVM_SVMLOCK', 2, 'svm-lock', 'svm_lock'],
    ['CPUID_SVM_NRIPSAVE', 3, 'nrip-save', 'nrip_save'],
    ['CPUID_SVM_TSCSCALE', 4, 'tsc-scale', 'tsc_scale'],
    ['CPUID_SVM_VMCBCLEAN', 5, 'vmcb-clean', 'vmcb_clean'],
    ['CPUID_SVM_FLUSHASID', 6, 'flushbyasid'],
    ['CPUID_SVM_DECODEASSIST', 7, 'decodeassists'],
    ['CPUID_SVM_PAUSEFILTER', 10, 'pause-filter', 'pausefilter'],
    ['CPUID_SVM_PFTHRESHOLD', 12, 'pfthreshold'],
    ['CPUID_SVM_AVIC', 13, 'avic'],
    ['CPUID_SVM_V_VMSAVE_VMLOAD', 15, 'v-vmsave-vmload', 'v_vmsave_vmload'],
    ['CPUID_SVM_VGIF', 16, 'vgif'],
  ]),
  ...rows('FEAT_XSAVE', [
    ['CPUID_XSAVE_XSAVEOPT', 0, 'xsaveopt'],
    ['CPUID_XSAVE_XSAVEC', 1, 'xsavec'],
    ['CPUID_XSAVE_XGETBV1', 2, 'xgetbv1'],
    ['CPUID_XSAVE_XSAVES', 3, 'xsaves'],
  ]),
  ...rows('FEAT_6_EAX', [['CPUID_6_EAX_ARAT', 2, 'arat']]),
];

/** KVM paravirtual feature bits, CPUID[0x40000001].EAX (feature_word_info[FEAT_KVM]). */
export const KVM_PV_FEATURES: readonly string[] = [
  'kvmclock',
  'kvm-nopiodelay',
  'kvm-mmu',
  'kvm-asyncpf',
  'kvm-steal-time',
  'kvm-pv-eoi',
  'kvm-pv-unhalt',
  'kvm-pv-tlb-flush',
  'kvm-asyncpf-vmexit',
  'kvm-pv-ipi',
  'kvmclock-stable-bit',
  'kvm-hint-dedicated',
];

/**
 * Old spellings QEMU still accepts, from x86_cpu_initfn()'s
 * object_property_add_alias() calls ("sse3" for "pni", "sse4-1" for "sse4.1",
 * "xd" for "nx", ...). Underscore forms of every name are accepted by
 * feat2prop(), which turns `_` into `-` before the lookup.
 */
export const FEATURE_ALIASES: Readonly<Record<string, string>> = {
  sse3: 'pni',
  pclmuldq: 'pclmulqdq',
  'sse4-1': 'sse4.1',
  'sse4-2': 'sse4.2',
  xd: 'nx',
  ffxsr: 'fxsr-opt',
  i64: 'lm',
};

const byMacro = new Map(CPU_FEATURES.map((f) => [f.macro, f]));
const byQemu = new Map(CPU_FEATURES.map((f) => [f.qemu, f]));
const byLinux = new Map(CPU_FEATURES.map((f) => [f.linux, f]));

export function featureByMacro(macro: string): CpuFeature {
  const f = byMacro.get(macro);
  if (!f) throw new Error(`unknown CPUID macro ${macro}`);
  return f;
}

/** The feature a CpuIdentity flag (Linux spelling) stands for, if it is a CPUID bit. */
export function featureByFlag(flag: string): CpuFeature | undefined {
  return byLinux.get(flag);
}

/**
 * The canonical QEMU name for a name given on the command line, or undefined
 * when QEMU has no such feature. Applies feat2prop() (`_` to `-`) and the
 * alias table, the way x86_cpu_parse_featurestr() and the QOM alias
 * properties resolve a name.
 */
export function canonicalFeatureName(name: string): string | undefined {
  const prop = name.replace(/_/g, '-');
  const aliased = FEATURE_ALIASES[prop] ?? prop;
  if (byQemu.has(aliased)) return aliased;
  if (KVM_PV_FEATURES.includes(aliased)) return aliased;
  return undefined;
}

export function featureByQemuName(name: string): CpuFeature | undefined {
  return byQemu.get(name);
}

/**
 * Linux numbers capability words in arch/x86/include/asm/cpufeatures.h;
 * the words that are plain copies of a CPUID register keep the register's
 * bit numbers. This is v5.10's numbering of the words it copies.
 */
export const LINUX_510_WORDS: Readonly<Partial<Record<FeatureWord, number>>> = {
  FEAT_1_EDX: 0,
  FEAT_8000_0001_EDX: 1,
  FEAT_1_ECX: 4,
  FEAT_8000_0001_ECX: 6,
  FEAT_7_0_EBX: 9,
  FEAT_XSAVE: 10,
  FEAT_7_1_EAX: 12,
  FEAT_8000_0008_EBX: 13,
  FEAT_6_EAX: 14,
  FEAT_SVM: 15,
  FEAT_7_0_ECX: 16,
  FEAT_7_0_EDX: 18,
};

/** Orders identity flags the way a current kernel lists them; words Linux does not copy (invtsc) sort last. */
const LINUX_WORD_V510 = { ...LINUX_510_WORDS, FEAT_8000_0007_EDX: 32 } as Readonly<Record<FeatureWord, number>>;

export function cpuidOrderKey(f: CpuFeature): number {
  return LINUX_WORD_V510[f.word] * 32 + f.bit;
}

/** Sort flags (Linux spelling) into CPUID order; flags that are not CPUID bits keep their relative order at the end. */
export function sortCpuidFlags(flags: Iterable<string>): string[] {
  const uniq = [...new Set(flags)];
  const key = (s: string) => {
    const f = byLinux.get(s);
    return f ? cpuidOrderKey(f) : Number.MAX_SAFE_INTEGER;
  };
  return uniq
    .map((s, i) => ({ s, i, k: key(s) }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((x) => x.s);
}

/** `CPUID.07H:EBX` the way QEMU's feature_word_description() prints a word (QEMU 2.x-8.x form). */
export function cpuidRegisterName(word: FeatureWord): string {
  const w = FEATURE_WORDS[word];
  const leaf = w.leaf.toString(16).toUpperCase().padStart(2, '0');
  return `CPUID.${leaf}H:${w.reg}`;
}
