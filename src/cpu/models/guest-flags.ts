/**
 * The `flags` line a Linux guest prints in /proc/cpuinfo for a CPU identity.
 *
 * A CpuIdentity's flags are the CPUID bits the guest is offered. The kernel
 * does three things with them before printing (arch/x86/kernel/cpu/proc.c,
 * show_cpuinfo(): `for (i = 0; i < 32*NCAPINTS; i++) if (cpu_has(c, i) &&
 * x86_cap_flags[i] != NULL) seq_printf(m, " %s", x86_cap_flags[i]);`):
 *
 *   1. it files each bit under its own capability word and bit number
 *      (arch/x86/include/asm/cpufeature(s).h) and prints in that order;
 *   2. it hides bits whose comment is "" and does not know bits newer than
 *      itself;
 *   3. it adds synthetic flags of its own (word 3: constant_tsc, rep_good,
 *      nopl, xtopology, ...), decided from vendor, family and model.
 *
 * Both the numbering and the synthetic rules changed between kernels, so the
 * guest kernel is a parameter:
 *
 *   rhel7.3     3.10.0-514 (the chapter's "rhel7u3" guest). Words 0-6 and 9
 *               as OpenVZ's RHEL 7 based vzkernel cpufeature.h; word 7 still
 *               holds `arat` at bit 1 (upstream 3.10) and word 10 holds
 *               `xsaveopt` (backport of upstream 3.16's CPUID 0xd:1 word):
 *               the chapter's Broadwell line prints `arat` before `fsgsbase`
 *               and `xsaveopt` last, which fixes both. `eagerfpu` is word 3
 *               bit 29. SVM leaf bits live in word 8 (npt = 8*32+5 ...).
 *               CPUID 7.ECX/7.EDX/0x80000008 words did not exist: such bits
 *               are not printed.
 *   linux-5.10  upstream v5.10 cpufeatures.h (NCAPINTS 19).
 */
import type { CpuIdentity } from './types.js';
import { CPU_FEATURES, FEATURE_WORDS, LINUX_510_WORDS, type CpuFeature, type FeatureWord, featureByFlag } from './features.js';

export type GuestKernel = 'rhel7.3' | 'linux-5.10';

export const GUEST_KERNELS: readonly GuestKernel[] = ['rhel7.3', 'linux-5.10'];

/** The chapter's guests run RHEL 7.3 (`ia32e_rhel7u3_kvm.img`). */
export const DEFAULT_GUEST_KERNEL: GuestKernel = 'rhel7.3';

export interface GuestFlagsOptions {
  kernel?: GuestKernel;
  /**
   * The accelerator under the guest. Only linux-5.10 looks at it: under KVM
   * kvmclock makes the TSC frequency known (`tsc_known_freq`, set by
   * kvm_get_tsc_khz()) and KVM emulates CPUID faulting for Intel guests
   * (`cpuid_fault`, MSR_PLATFORM_INFO bit 31). Default 'kvm'.
   */
  accel?: 'kvm' | 'tcg';
}

interface Slot {
  word: number;
  bit: number;
}

interface Layout {
  /** Linux word of each CPUID feature word it copies; absent = not known to this kernel. */
  words: Partial<Record<FeatureWord, number>>;
  /** Per-flag placement that differs from (word, CPUID bit), or null when the kernel hides or lacks the bit. */
  overrides: Readonly<Record<string, Slot | null>>;
  /** Where the kernel's synthetic flags sit. */
  synthetic: Readonly<Record<string, Slot>>;
}

const RHEL73: Layout = {
  words: {
    FEAT_1_EDX: 0,
    FEAT_8000_0001_EDX: 1,
    FEAT_1_ECX: 4,
    FEAT_8000_0001_ECX: 6,
    FEAT_7_0_EBX: 9,
    FEAT_XSAVE: 10,
  },
  overrides: {
    arat: { word: 7, bit: 1 },
    intel_pt: { word: 7, bit: 15 },
    sgx: null,
    fdp_excptn_only: null,
    zero_fcs_fds: null,
    pcommit: null,
    npt: { word: 8, bit: 5 },
    lbrv: { word: 8, bit: 6 },
    svm_lock: { word: 8, bit: 7 },
    nrip_save: { word: 8, bit: 8 },
    tsc_scale: { word: 8, bit: 9 },
    vmcb_clean: { word: 8, bit: 10 },
    flushbyasid: { word: 8, bit: 11 },
    decodeassists: { word: 8, bit: 12 },
    pausefilter: { word: 8, bit: 13 },
    pfthreshold: { word: 8, bit: 14 },
  },
  synthetic: {
    constant_tsc: { word: 3, bit: 8 },
    rep_good: { word: 3, bit: 16 },
    nopl: { word: 3, bit: 20 },
    xtopology: { word: 3, bit: 22 },
    nonstop_tsc: { word: 3, bit: 24 },
    eagerfpu: { word: 3, bit: 29 },
  },
};

const LINUX_510: Layout = {
  words: LINUX_510_WORDS,
  overrides: {
    // "" in cpufeatures.h: never printed.
    fdp_excptn_only: null,
    zero_fcs_fds: null,
    ibpb: null, // X86_FEATURE_AMD_IBPB
    ibrs: null, // X86_FEATURE_AMD_IBRS
    amd_stibp: null,
    amd_stibp_always_on: null,
    amd_ssbd: null,
    amd_ssb_no: null,
    spec_ctrl: null,
    stibp: null, // X86_FEATURE_INTEL_STIBP
    core_capabilities: null,
    ssbd: null, // X86_FEATURE_SPEC_CTRL_SSBD
    // CR4-dependent: printed only as the synthetic below.
    ospke: null,
    // Not in v5.10: sgx came in 5.11, pcommit left in 4.x.
    sgx: null,
    pcommit: null,
    // CPUID bits v5.10 has in other words than the CPUID copy.
    invtsc: null,
  },
  synthetic: {
    constant_tsc: { word: 3, bit: 8 },
    rep_good: { word: 3, bit: 16 },
    nopl: { word: 3, bit: 20 },
    xtopology: { word: 3, bit: 22 },
    nonstop_tsc: { word: 3, bit: 24 },
    cpuid: { word: 3, bit: 25 },
    tsc_known_freq: { word: 3, bit: 31 },
    cpuid_fault: { word: 7, bit: 1 },
    invpcid_single: { word: 7, bit: 7 },
    pti: { word: 7, bit: 11 },
    ssbd: { word: 7, bit: 17 },
    ibrs: { word: 7, bit: 25 },
    ibpb: { word: 7, bit: 26 },
    stibp: { word: 7, bit: 27 },
    ospke: { word: 16, bit: 4 },
  },
};

const LAYOUTS: Record<GuestKernel, Layout> = { 'rhel7.3': RHEL73, 'linux-5.10': LINUX_510 };

function slotOf(layout: Layout, f: CpuFeature): Slot | null {
  if (f.linux in layout.overrides) return layout.overrides[f.linux];
  const word = layout.words[f.word];
  return word === undefined ? null : { word, bit: f.bit };
}

/**
 * CPUID bits the guest can actually read: QEMU's cpu_x86_cpuid() answers
 * leaves above `level`/`xlevel` with the highest basic leaf's data, so their
 * bits are gone, and leaf 0xD reads as zero without XSAVE.
 */
export function visibleCpuidFlags(identity: CpuIdentity): string[] {
  const has = new Set(identity.flags);
  return identity.flags.filter((flag) => {
    const f = featureByFlag(flag);
    if (!f) return true;
    const leaf = FEATURE_WORDS[f.word].leaf;
    if (leaf >= 0x80000000) {
      if (leaf > identity.xlevel) return false;
    } else if (leaf > identity.level) {
      return false;
    }
    if (f.word === 'FEAT_XSAVE' && !has.has('xsave')) return false;
    return true;
  });
}

/**
 * Linux's own flags for this CPU, with the rule and file each comes from.
 * `has` holds the visible CPUID flags.
 */
function syntheticFlags(identity: CpuIdentity, has: Set<string>, kernel: GuestKernel, accel: 'kvm' | 'tcg'): Set<string> {
  const out = new Set<string>();
  const intel = identity.vendor === 'GenuineIntel';
  const amdLike = identity.vendor === 'AuthenticAMD' || identity.vendor === 'HygonGenuine';
  const { family, model } = identity;
  // A CPU without long mode boots a 32-bit kernel; the 64-bit-only rules below follow it.
  const x86_64 = has.has('lm');

  // intel.c early_init_intel(): constant TSC from Core 2 (6/0x0e) and P4 6/3 on;
  // intel.c / amd.c: CPUID 0x80000007 EDX bit 8 (QEMU's `invtsc`) gives both.
  if (intel && ((family === 0xf && model >= 0x03) || (family === 0x6 && model >= 0x0e))) out.add('constant_tsc');
  if (has.has('invtsc')) {
    out.add('constant_tsc');
    out.add('nonstop_tsc');
  }
  // intel.c init_intel(): `if (c->x86 == 6) set_cpu_cap(c, X86_FEATURE_REP_GOOD)`
  // under CONFIG_X86_64 (QEMU enables fast strings in IA32_MISC_ENABLE, so
  // early_init_intel() does not clear it); amd.c init_amd(): family >= 0x10.
  if (x86_64 && ((intel && family === 6) || (amdLike && family >= 0x10))) out.add('rep_good');
  // common.c detect_nopl(): always on x86_64, cleared on 32-bit.
  if (x86_64) out.add('nopl');
  // topology.c detect_extended_topology(): leaf 0xB present (QEMU fills it
  // for every vendor). 3.10 calls it from init_intel() only; 5.10 also from
  // amd_get_topology() when TOPOEXT is set.
  if (identity.level >= 0xb && (intel || (kernel === 'linux-5.10' && amdLike && has.has('topoext')))) {
    out.add('xtopology');
  }

  if (kernel === 'rhel7.3') {
    // fpu/xsave.c eager_fpu_init(): eager FPU restore when XSAVEOPT is there.
    if (has.has('xsaveopt')) out.add('eagerfpu');
    return out;
  }

  // common.c: set for every CPU that has the CPUID instruction.
  out.add('cpuid');
  if (accel === 'kvm') {
    out.add('tsc_known_freq');
    if (intel) out.add('cpuid_fault');
  }
  // mm/init.c setup_pcid(): 64-bit, PCID and PGE, then INVPCID.
  if (x86_64 && has.has('pcid') && has.has('pge') && has.has('invpcid')) out.add('invpcid_single');
  // common.c cpu_set_bug_bits(): Meltdown on Intel except the whitelisted
  // in-order parts (family < 6, Atom Bonnell/Saltwell); PTI is then on.
  const inOrderAtom = family === 6 && [0x1c, 0x26, 0x27, 0x35, 0x36].includes(model);
  if (intel && family >= 6 && !inOrderAtom) out.add('pti');
  // common.c init_speculation_control().
  if (has.has('spec_ctrl')) {
    out.add('ibrs');
    out.add('ibpb');
  }
  if (has.has('stibp') || has.has('amd_stibp')) out.add('stibp');
  if (has.has('ssbd') || has.has('virt_ssbd') || has.has('amd_ssbd')) out.add('ssbd');
  if (has.has('ibrs')) out.add('ibrs');
  if (has.has('ibpb')) out.add('ibpb');
  // mm/pkeys: CR4.PKE is set when PKU is usable (64-bit only), and QEMU's
  // OSPKE bit mirrors CR4.PKE.
  if (x86_64 && has.has('pku')) out.add('ospke');
  return out;
}

/**
 * The `flags` of the guest's /proc/cpuinfo, in the order the kernel prints
 * them. With the default kernel (rhel7.3) the chapter's qemu64 and Broadwell
 * identities give the chapter's two lines.
 */
export function guestFlags(identity: CpuIdentity, opts: GuestFlagsOptions = {}): string[] {
  const kernel = opts.kernel ?? DEFAULT_GUEST_KERNEL;
  const layout = LAYOUTS[kernel];
  const visible = visibleCpuidFlags(identity);
  const has = new Set(visible);
  const placed: { name: string; key: number }[] = [];
  for (const flag of visible) {
    const f = featureByFlag(flag);
    if (!f) continue;
    const slot = slotOf(layout, f);
    if (slot) placed.push({ name: flag, key: slot.word * 32 + slot.bit });
  }
  // amd.c init_amd(): AMD_SSBD makes the virtualised variant redundant.
  const synthetic = syntheticFlags(identity, has, kernel, opts.accel ?? 'kvm');
  if (kernel === 'linux-5.10' && has.has('amd_ssbd')) {
    const i = placed.findIndex((p) => p.name === 'virt_ssbd');
    if (i >= 0) placed.splice(i, 1);
  }
  for (const name of synthetic) {
    const slot = layout.synthetic[name];
    placed.push({ name, key: slot.word * 32 + slot.bit });
  }
  placed.sort((a, b) => a.key - b.key);
  const seen = new Set<string>();
  return placed.filter((p) => (seen.has(p.name) ? false : (seen.add(p.name), true))).map((p) => p.name);
}

/** Flag names a kernel can print at all, for validating hand-written identities. */
export function knownGuestFlags(kernel: GuestKernel = DEFAULT_GUEST_KERNEL): Set<string> {
  const layout = LAYOUTS[kernel];
  const out = new Set<string>(Object.keys(layout.synthetic));
  for (const f of CPU_FEATURES) if (slotOf(layout, f)) out.add(f.linux);
  return out;
}
