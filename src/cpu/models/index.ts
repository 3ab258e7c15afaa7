/**
 * `-cpu` for simvm: parse QEMU's option syntax, resolve a model against a
 * host the way QEMU builds a CPU, and answer the operator's questions (does
 * this host support it, which hosts can a guest migrate between, which model
 * does a group of hosts share).
 *
 *   "Broadwell,+avx2,-hle,x2apic=off"
 *        | parseCpuSpec          vl.c parse_cpu_option + x86_cpu_parse_featurestr
 *        v
 *   CpuSpec { model, props, plus, minus }
 *        | resolveCpuModel       x86_cpu_load_def -> global props -> x86_cpu_expand_features
 *        v
 *   CpuIdentity (what the guest is asked to see)
 *        | checkHostSupports     x86_cpu_filter_features against KVM's supported CPUID
 *        v
 *   missing features -> hostUnsupportedMessage (QEMU's warnings)
 */
import { suggest } from '../../util/suggest.js';
import type { GuestTopology } from '../../topology/types.js';
import type { CpuIdentity } from './types.js';
import {
  CPU_FEATURES,
  FEATURE_ALIASES,
  FEATURE_WORDS,
  FEATURE_WORD_ORDER,
  KVM_PV_FEATURES,
  canonicalFeatureName,
  cpuidRegisterName,
  featureByFlag,
  featureByQemuName,
  sortCpuidFlags,
  type CpuFeature,
  type FeatureWord,
} from './features.js';
import { DEFAULT_GUEST_KERNEL, guestFlags } from './guest-flags.js';
import {
  CPU_MODELS,
  DEFAULT_CPU_MODEL,
  type CpuModelDef,
  type CpuVendor,
  cpuModelNamesInListOrder,
  findCpuModel,
} from './catalogue.js';

export { CPU_MODELS, DEFAULT_CPU_MODEL, findCpuModel, cpuModelNamesInListOrder } from './catalogue.js';
import { addedIn, findModelIn, laterModelsIn, type Release } from './later.js';
export { LATER_MODELS, findModelIn } from './later.js';
export type { CpuModelDef, CpuVendor } from './catalogue.js';
export { guestFlags, visibleCpuidFlags, knownGuestFlags, GUEST_KERNELS, DEFAULT_GUEST_KERNEL } from './guest-flags.js';
export type { GuestKernel, GuestFlagsOptions } from './guest-flags.js';
export { CPU_FEATURES, featureByFlag, sortCpuidFlags } from './features.js';
export type { CpuFeature, FeatureWord } from './features.js';

/** A `-cpu` problem, with QEMU's message and an optional "did you mean". */
export class CpuModelError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'CpuModelError';
    if (hint !== undefined) this.hint = hint;
  }
}

export type Accel = 'kvm' | 'tcg';

export interface CpuSpec {
  /** Model name as typed (`qemu64` when the option is absent). */
  model: string;
  /** `key=value` and bare `key` items in order, key after feat2prop() (`_` to `-`). */
  props: { name: string; value: string }[];
  /** `+feat` names, canonical QEMU spelling, in order. */
  plus: string[];
  /** `-feat` names, canonical QEMU spelling, in order. */
  minus: string[];
  /** QEMU's warnings about the string itself (mixed `+feat` and `feat=`). */
  warnings: string[];
  /** `-cpu help` / `-cpu ?`. */
  help: boolean;
}

/**
 * Properties `-cpu` accepts that are not CPUID bits. The identity ones are
 * applied; the rest change QEMU behaviour simvm does not model (PMU, cache
 * info, Hyper-V enlightenments) and are kept in `props` only.
 */
const NUMBER_PROPS: Readonly<Record<string, { min: number; max: number }>> = {
  // x86_cpuid_version_set_family/model/stepping: family 0..0xff+0xf.
  family: { min: 0, max: 0xff + 0xf },
  model: { min: 0, max: 0xff },
  stepping: { min: 0, max: 0xf },
  level: { min: 0, max: 0xffffffff },
  xlevel: { min: 0, max: 0xffffffff },
  'min-level': { min: 0, max: 0xffffffff },
  'min-xlevel': { min: 0, max: 0xffffffff },
  'phys-bits': { min: 0, max: 64 },
  'tsc-frequency': { min: 0, max: Number.MAX_SAFE_INTEGER },
};
const STRING_PROPS = new Set(['vendor', 'model-id']);
const BOOL_PROPS = new Set([
  'check',
  'enforce',
  'kvm',
  'pmu',
  'migratable',
  'host-cache-info',
  'l3-cache',
  'host-phys-bits',
  'lmce',
  'full-cpuid-auto-level',
]);

/**
 * Underscore spellings that `+feat`/`-feat` accept: x86_cpu_initfn() adds
 * them as QOM alias properties. `feat=on` goes through feat2prop() instead,
 * which accepts an underscore anywhere.
 */
const UNDERSCORE_ALIASES = new Set([
  'ds_cpl',
  'tsc_adjust',
  'fxsr_opt',
  'lahf_lm',
  'cmp_legacy',
  'nodeid_msr',
  'perfctr_core',
  'perfctr_nb',
  'kvm_nopiodelay',
  'kvm_mmu',
  'kvm_asyncpf',
  'kvm_steal_time',
  'kvm_pv_eoi',
  'kvm_pv_unhalt',
  'svm_lock',
  'nrip_save',
  'tsc_scale',
  'vmcb_clean',
  'pause_filter',
  'sse4_1',
  'sse4_2',
]);

const ALL_PROPERTY_NAMES = [
  ...CPU_FEATURES.map((f) => f.qemu),
  ...KVM_PV_FEATURES,
  ...Object.keys(FEATURE_ALIASES),
  ...Object.keys(NUMBER_PROPS),
  ...STRING_PROPS,
  ...BOOL_PROPS,
];

function typeName(model: string): string {
  return `${model}-x86_64-cpu`;
}

/**
 * object_property_find_err(): "Property '<type>.<name>' not found" (QEMU 6+;
 * 2.x-5.x printed "Property '.<name>' not found").
 */
function propertyNotFound(model: string, name: string): CpuModelError {
  const near = suggest(name, ALL_PROPERTY_NAMES);
  return new CpuModelError(
    `Property '${typeName(model)}.${name}' not found`,
    near ? `did you mean "${near}"?` : undefined,
  );
}

function isHelp(s: string): boolean {
  // qemu-option.c is_help_option().
  return s === '?' || s === 'help';
}

/**
 * Split `-cpu NAME[,+feat][,-feat][,feat=on|off][,prop=value]` the way QEMU
 * 4.0 does: vl.c takes the model up to the first comma
 * (g_strsplit(cpu_option, ",", 2)), x86_cpu_parse_featurestr() strtok()s the
 * rest on commas (so empty items vanish), `+x`/`-x` go to the plus/minus
 * lists, `x` alone means `x=on`, and property names pass through feat2prop().
 * Names are checked here, which QEMU does a moment later when it applies them.
 */
export function parseCpuSpec(spec: string): CpuSpec {
  const comma = spec.indexOf(',');
  const model = comma < 0 ? spec : spec.slice(0, comma);
  const rest = comma < 0 ? '' : spec.slice(comma + 1);
  if (model === '') {
    throw new CpuModelError('-cpu option cannot be empty', `try -cpu ${DEFAULT_CPU_MODEL}, or leave -cpu out for the default`);
  }
  const out: CpuSpec = { model, props: [], plus: [], minus: [], warnings: [], help: isHelp(model) };
  for (const item of rest.split(',').filter((s) => s !== '')) {
    if (item[0] === '+' || item[0] === '-') {
      const raw = item.slice(1);
      const name = plusMinusName(raw);
      if (!name) throw propertyNotFound(model, raw);
      (item[0] === '+' ? out.plus : out.minus).push(name);
      continue;
    }
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).replace(/_/g, '-');
    const value = eq < 0 ? 'on' : item.slice(eq + 1);
    out.props.push({ name, value });
  }
  // x86_cpu_parse_featurestr(): "+-feat overwrites feat=on|off", and QEMU says so.
  let ambiguous = false;
  for (const { name, value } of out.props) {
    const canon = canonicalFeatureName(name) ?? name;
    if (out.plus.includes(canon)) {
      out.warnings.push(`warning: Ambiguous CPU model string. Don't mix both "+${name}" and "${name}=${value}"`);
      ambiguous = true;
    }
    if (out.minus.includes(canon)) {
      out.warnings.push(`warning: Ambiguous CPU model string. Don't mix both "-${name}" and "${name}=${value}"`);
      ambiguous = true;
    }
  }
  if (ambiguous) {
    out.warnings.push("warning: Compatibility of ambiguous CPU model strings won't be kept on future QEMU versions");
  }
  for (const p of out.props) checkProp(model, p.name, p.value);
  return out;
}

function plusMinusName(raw: string): string | undefined {
  if (raw.includes('_') && !UNDERSCORE_ALIASES.has(raw)) return undefined;
  return canonicalFeatureName(raw);
}

/** qapi_bool_parse(). */
function parseBool(name: string, value: string): boolean {
  if (['on', 'yes', 'true', 'y'].includes(value)) return true;
  if (['off', 'no', 'false', 'n'].includes(value)) return false;
  throw new CpuModelError(`Parameter '${name}' expects 'on' or 'off'`);
}

function checkProp(model: string, name: string, value: string): void {
  if (canonicalFeatureName(name) !== undefined || BOOL_PROPS.has(name)) {
    parseBool(name, value);
    return;
  }
  if (name.startsWith('hv-')) return;
  if (STRING_PROPS.has(name)) {
    if (name === 'vendor' && value.length !== 12) {
      // x86_cpuid_set_vendor(): QERR_PROPERTY_VALUE_BAD.
      throw new CpuModelError(`Property '${typeName(model)}.vendor' doesn't take value '${value}'`, 'a vendor is 12 characters, e.g. GenuineIntel');
    }
    return;
  }
  const range = NUMBER_PROPS[name];
  if (range) {
    numberProp(model, name, value, range);
    return;
  }
  if (name === 'tsc-freq') return;
  throw propertyNotFound(model, name);
}

function numberProp(model: string, name: string, value: string, range: { min: number; max: number }): number {
  const n = /^(0x[0-9a-f]+|[0-9]+)$/i.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new CpuModelError(`Parameter '${name}' expects int64`);
  if (n < range.min || n > range.max) {
    // QERR_PROPERTY_VALUE_OUT_OF_RANGE.
    throw new CpuModelError(
      `Property ${typeName(model)}.${name} doesn't take value ${n} (minimum: ${range.min}, maximum: ${range.max})`,
    );
  }
  return n;
}

export interface ResolveOptions {
  /**
   * The accelerator. 'tcg' is what qemu-system-x86_64 uses without
   * -enable-kvm (the chapter's §2.3.2 and §4.2 guests: AuthenticAMD, `svm`,
   * no `x2apic`); 'kvm' is -enable-kvm (§2.3.5, §4.3). Default 'tcg'.
   */
  accel?: Accel;
  /** The guest machine's QEMU release: models added later do not exist (later.ts). Default: the chapter's catalogue. */
  release?: Release;
}

export interface ResolvedCpu {
  spec: CpuSpec;
  /** What the command line asks the guest to see. */
  requested: CpuIdentity;
  /** What the guest gets once QEMU drops what the accelerator cannot give. */
  effective: CpuIdentity;
  /** Requested CPUID flags the accelerator cannot give (Linux spelling). */
  missing: string[];
  /** QEMU's messages: the spec's warnings, then one per missing feature. */
  warnings: string[];
}

/**
 * kvm_default_props[] (target/i386/cpu.c): applied to named models under
 * KVM by x86_cpu_load_def(). The kvm* paravirtual bits are left out (no
 * /proc/cpuinfo flag); x2apic needs the in-kernel irqchip, which QEMU uses
 * by default.
 */
const KVM_DEFAULT_PROPS: Readonly<Record<string, boolean>> = {
  x2apic: true,
  acpi: false,
  monitor: false,
  svm: false,
};

/**
 * CPUID bits kvm_arch_get_supported_cpuid() reports whatever the host has:
 * hypervisor, tsc-deadline (in-kernel irqchip) and arat are QEMU fixups
 * ("safe to allow because of emulated APIC"), x2apic is emulated by KVM,
 * and mtrr/pat/mce/mca are fixups for "KVM before 2.6.30".
 */
const KVM_ALWAYS_SUPPORTED = new Set(['hypervisor', 'tsc_deadline_timer', 'x2apic', 'arat', 'mtrr', 'pat', 'mce', 'mca']);

/**
 * CPUID bits KVM never passes to a guest (arch/x86/kvm/cpuid.c leaves them
 * out of its masks: debug store, thermal, SMX/EST, xTPR, DCA, MONITOR, HTT
 * and friends), plus invtsc, which QEMU treats as unmigratable and so
 * leaves out of `host`/`max`. VMX and SVM are not here: with nested
 * virtualisation on (kvm_amd always, kvm_intel by default since Linux 4.20)
 * KVM reports them when the host has them.
 */
const KVM_NEVER_SUPPORTED = new Set([
  'dtes64',
  'monitor',
  'ds_cpl',
  'smx',
  'est',
  'tm2',
  'cid',
  'xtpr',
  'dca',
  'pn',
  'dts',
  'acpi',
  'ht',
  'tm',
  'ia64',
  'pbe',
  'invtsc',
]);

/**
 * Bits cpu_x86_cpuid() sets from the -smp topology, after filtering: HTT in
 * CPUID[1].EDX and CmpLegacy in CPUID[0x80000001].ECX. They are never
 * "missing".
 */
const TOPOLOGY_BITS = new Set(['ht', 'cmp_legacy']);

/**
 * What TCG implements in system emulation: the TCG_*_FEATURES masks of
 * target/i386/cpu.c (current QEMU; older TCG implemented less).
 */
const TCG_SUPPORTED = new Set(
  [
    // TCG_FEATURES
    'fpu', 'pse', 'tsc', 'msr', 'pae', 'mce', 'cx8', 'apic', 'sep', 'mtrr', 'pge', 'mca', 'cmov', 'pat',
    'pse36', 'clflush', 'acpi', 'mmx', 'fxsr', 'sse', 'sse2', 'ss', 'de',
    // TCG_EXT_FEATURES
    'pni', 'pclmulqdq', 'monitor', 'ssse3', 'cx16', 'sse4_1', 'sse4_2', 'popcnt', 'xsave', 'movbe', 'aes',
    'hypervisor', 'rdrand', 'avx', 'f16c', 'fma', 'x2apic',
    // TCG_EXT2_FEATURES
    'nx', 'mmxext', 'rdtscp', '3dnow', '3dnowext', 'pdpe1gb', 'syscall', 'lm',
    // TCG_EXT3_FEATURES
    'lahf_lm', 'svm', 'cr8_legacy', 'abm', 'sse4a', '3dnowprefetch',
    // TCG_SVM_FEATURES
    'npt', 'vgif',
    // TCG_7_0_EBX_FEATURES
    'smep', 'smap', 'bmi1', 'bmi2', 'adx', 'clflushopt', 'clwb', 'mpx', 'fsgsbase', 'erms', 'avx2', 'rdseed', 'sha_ni',
    // TCG_7_0_ECX_FEATURES
    'umip', 'pku', 'la57', 'vaes', 'rdpid',
    // TCG_7_0_EDX_FEATURES
    'fsrm',
    // TCG_6_EAX_FEATURES, TCG_XSAVE_FEATURES, TCG_8000_0008_EBX
    'arat', 'xsaveopt', 'xgetbv1', 'xsaveerptr', 'wbnoinvd',
  ],
);

function cpuidOnly(flags: Iterable<string>): string[] {
  return [...flags].filter((f) => featureByFlag(f) !== undefined);
}

/** The features KVM can offer a guest on this host (as `-cpu host` sees them). */
export function kvmSupportedFlags(host: CpuIdentity): Set<string> {
  const out = new Set<string>();
  for (const f of cpuidOnly(host.flags)) if (!KVM_NEVER_SUPPORTED.has(f)) out.add(f);
  for (const f of KVM_ALWAYS_SUPPORTED) out.add(f);
  // A 4.15+ host kernel hides CPUID.7.EDX[26] ("" spec_ctrl in
  // cpufeatures.h) and prints the ibrs/ibpb it derives from it instead
  // (init_speculation_control()); on Intel that pair means the bit is there.
  if (host.vendor === 'GenuineIntel' && out.has('ibrs') && out.has('ibpb')) out.add('spec_ctrl');
  return out;
}

/**
 * x86_cpu_adjust_feat_level() with full-cpuid-auto-level (default since
 * QEMU 2.9): the leaf limits grow to cover every enabled feature word, and
 * SVM needs CPUID[0x8000000A].
 */
function autoLevels(flags: readonly string[], level: number, xlevel: number): { level: number; xlevel: number } {
  let lv = level;
  let xl = xlevel;
  for (const flag of flags) {
    const f = featureByFlag(flag);
    if (!f) continue;
    const leaf = FEATURE_WORDS[f.word].leaf;
    if (leaf >= 0x80000000) xl = Math.max(xl, leaf);
    else lv = Math.max(lv, leaf);
    if (flag === 'svm') xl = Math.max(xl, 0x8000000a);
  }
  return { level: lv, xlevel: xl };
}

function identityFromDef(def: CpuModelDef, host: CpuIdentity, accel: Accel): CpuIdentity {
  switch (def.kind) {
    case 'builtin':
      return {
        name: def.name,
        vendor: def.vendor as CpuVendor,
        family: def.family,
        model: def.model,
        stepping: def.stepping,
        level: def.level,
        xlevel: def.xlevel,
        modelId: def.modelId,
        flags: [...def.flags],
      };
    case 'host':
    case 'max':
      if (accel === 'kvm') {
        // max_x86_cpu_initfn(): host vendor/family/model/stepping/model-id,
        // min levels from KVM, every supported migratable feature.
        return {
          ...host,
          name: def.name,
          flags: sortCpuidFlags(kvmSupportedFlags(host)),
        };
      }
      if (def.kind === 'host') {
        throw new CpuModelError("CPU model 'host' requires KVM", 'start the guest with -enable-kvm, or pick a named model');
      }
      // max_x86_cpu_initfn() without host CPUID: an AMD-branded 6/6/3 with
      // everything TCG implements.
      return {
        name: 'max',
        vendor: 'AuthenticAMD',
        family: 6,
        model: 6,
        stepping: 3,
        level: 0,
        xlevel: 0,
        modelId: 'QEMU TCG CPU version 2.5+',
        flags: sortCpuidFlags(TCG_SUPPORTED),
      };
    case 'base':
      // QEMU leaves base's vendor registers zero; CpuIdentity needs a vendor,
      // so simvm reports the host's. No features, no leaves.
      return { name: 'base', vendor: host.vendor, family: 0, model: 0, stepping: 0, level: 0, xlevel: 0, modelId: '', flags: [] };
  }
}

function unknownModel(name: string, release?: Release): CpuModelError {
  const came = addedIn(name);
  if (came) {
    const v = `${came.major}.${came.minor}`;
    return new CpuModelError(
      `unable to find CPU model '${name}'`,
      release ? `${name} came in QEMU ${v}; this guest's machine is QEMU ${release.major}.${release.minor}` : `${name} came in QEMU ${v}: give the guest a machine: of ${v} or later`,
    );
  }
  const near = suggest(name, CPU_MODELS.map((m) => m.name));
  return new CpuModelError(
    `unable to find CPU model '${name}'`,
    near ? `did you mean "${near}"? (-cpu help lists the models)` : 'qemu-system-x86_64 -cpu help lists the models',
  );
}

/**
 * Build the guest's CPU the way QEMU does for `-cpu spec`, without dropping
 * what the accelerator lacks (see resolveCpuModelDetailed for that).
 *
 *   1. x86_cpu_load_def(): the model; under KVM kvm_default_props and the
 *      host's vendor; CPUID[1].ECX.hypervisor always.
 *   2. global properties from the spec, in order (feat=on|off, family=...).
 *   3. x86_cpu_expand_features(): every +feat, then every -feat.
 *   4. levels grown to cover the features.
 */
export function resolveCpuModel(spec: string, host: CpuIdentity, opts: ResolveOptions = {}): CpuIdentity {
  return buildRequested(parseCpuSpec(spec), host, opts.accel ?? 'tcg', opts.release);
}

function buildRequested(parsed: CpuSpec, host: CpuIdentity, accel: Accel, release?: Release): CpuIdentity {
  if (parsed.help) throw new CpuModelError(`'${parsed.model}' lists the CPU models; it is not one`, 'see renderCpuHelp()');
  const def = findModelIn(parsed.model, release);
  if (!def) throw unknownModel(parsed.model, release);
  const id = identityFromDef(def, host, accel);
  const flags = new Set(id.flags);
  const set = (qemuName: string, on: boolean) => {
    const f = featureByQemuName(qemuName);
    if (!f) return; // KVM paravirtual bits: no CPUID flag in the identity
    if (on) flags.add(f.linux);
    else flags.delete(f.linux);
  };
  if (def.kind === 'builtin') {
    if (accel === 'kvm') {
      for (const [name, on] of Object.entries(KVM_DEFAULT_PROPS)) set(featureByFlag(name)?.qemu ?? name, on);
      id.vendor = host.vendor;
    }
    flags.add('hypervisor');
  }
  for (const { name, value } of parsed.props) {
    const feat = canonicalFeatureName(name);
    if (feat) {
      set(feat, parseBool(name, value));
      continue;
    }
    applyIdentityProp(parsed.model, id, name, value);
  }
  for (const name of parsed.plus) set(name, true);
  for (const name of parsed.minus) set(name, false);
  const sorted = sortCpuidFlags(flags);
  const levels = autoLevels(sorted, id.level, id.xlevel);
  return { ...id, ...levels, flags: sorted };
}

function applyIdentityProp(model: string, id: CpuIdentity, name: string, value: string): void {
  const range = NUMBER_PROPS[name];
  switch (name) {
    case 'family':
    case 'model':
    case 'stepping':
      id[name] = numberProp(model, name, value, range);
      return;
    case 'level':
    case 'min-level':
      id.level = numberProp(model, name, value, range);
      return;
    case 'xlevel':
    case 'min-xlevel':
      id.xlevel = numberProp(model, name, value, range);
      return;
    case 'model-id':
      // x86_cpuid_set_model_id(): 48 bytes of CPUID 0x80000002..4.
      id.modelId = value.slice(0, 48);
      return;
    case 'vendor': {
      const vendors: CpuVendor[] = ['GenuineIntel', 'AuthenticAMD', 'HygonGenuine', 'CentaurHauls'];
      const v = vendors.find((x) => x === value);
      if (!v) throw new CpuModelError(`vendor '${value}' is not one simvm models`, `use one of ${vendors.join(', ')}`);
      id.vendor = v;
      return;
    }
    default:
      return; // accepted, not modelled (pmu, check, hv-*, ...)
  }
}

/**
 * resolveCpuModel, then what QEMU does at realize time: drop the features the
 * accelerator cannot give, with one warning each (x86_cpu_filter_features),
 * or fail with `enforce`.
 */
export function resolveCpuModelDetailed(spec: string, host: CpuIdentity, opts: ResolveOptions = {}): ResolvedCpu {
  const accel = opts.accel ?? 'tcg';
  const parsed = parseCpuSpec(spec);
  const requested = buildRequested(parsed, host, accel, opts.release);
  const missing =
    accel === 'kvm'
      ? checkHostSupports(requested, host)
      : cpuidOnly(requested.flags).filter((f) => !TCG_SUPPORTED.has(f) && !TOPOLOGY_BITS.has(f));
  const enforce = parsed.props.some((p) => p.name === 'enforce' && parseBool(p.name, p.value));
  if (enforce && missing.length > 0) {
    // x86_cpu_realizefn(), QEMU 4.0.
    throw new CpuModelError(
      accel === 'kvm' ? "Host doesn't support requested features" : "TCG doesn't support requested features",
      unsupportedMessage(missing, accel === 'kvm' ? 'host' : 'TCG'),
    );
  }
  const drop = new Set(missing);
  return {
    spec: parsed,
    requested,
    effective: { ...requested, flags: requested.flags.filter((f) => !drop.has(f)) },
    missing,
    warnings: [
      ...parsed.warnings,
      ...(missing.length ? unsupportedMessage(missing, accel === 'kvm' ? 'host' : 'TCG').split('\n') : []),
    ],
  };
}

/**
 * The CPUID bits `guest` asks for that KVM on `host` cannot give, in Linux
 * spelling and in the order QEMU reports them (FeatureWord, then bit).
 * `host.flags` may be a host's /proc/cpuinfo flags line: Linux-only flags in
 * it (constant_tsc, nopl, ...) are ignored.
 */
export function checkHostSupports(guest: CpuIdentity, host: CpuIdentity): string[] {
  const supported = kvmSupportedFlags(host);
  const missing = cpuidOnly(guest.flags).filter((f) => !supported.has(f) && !TOPOLOGY_BITS.has(f));
  return sortQemuOrder(missing);
}

function sortQemuOrder(flags: string[]): string[] {
  const key = (f: CpuFeature) => FEATURE_WORD_ORDER.indexOf(f.word) * 32 + f.bit;
  return flags
    .map((s) => ({ s, f: featureByFlag(s) }))
    .filter((x): x is { s: string; f: CpuFeature } => x.f !== undefined)
    .sort((a, b) => key(a.f) - key(b.f))
    .map((x) => x.s);
}

function unsupportedMessage(missing: readonly string[], who: 'host' | 'TCG'): string {
  return sortQemuOrder([...missing])
    .map((flag) => {
      const f = featureByFlag(flag) as CpuFeature;
      return `warning: ${who} doesn't support requested feature: ${cpuidRegisterName(f.word)}.${f.qemu} [bit ${f.bit}]`;
    })
    .join('\n');
}

/**
 * QEMU's warning for each missing feature, one line each, as
 * report_unavailable_features() prints them in QEMU 2.x-8.x (stderr adds the
 * `qemu-system-x86_64: ` prefix):
 *
 *   warning: host doesn't support requested feature: CPUID.07H:EBX.avx2 [bit 5]
 *
 * The name is QEMU's (`sse4.2`, `tsc-deadline`), not Linux's.
 */
export function hostUnsupportedMessage(missing: readonly string[]): string {
  for (const m of missing) {
    if (!featureByFlag(m)) throw new CpuModelError(`'${m}' is not a CPUID feature`);
  }
  return unsupportedMessage(missing, 'host');
}

/**
 * Bits QEMU sets in CPUID from the -smp topology (cpu_x86_cpuid(), leaf 1
 * and 0x80000001): HTT when a package has more than one logical CPU, and on
 * non-Intel vendors CmpLegacy too ("The Linux kernel checks for the
 * CMPLegacy bit ... So don't set it here for Intel"). More than one die
 * needs leaf 0x1F (x86_cpu_expand_features, QEMU 4.1+).
 */
export function applyTopologyCpuid(identity: CpuIdentity, t: GuestTopology): CpuIdentity {
  const flags = new Set(identity.flags);
  if (t.dies * t.cores * t.threads > 1) {
    flags.add('ht');
    if (identity.vendor !== 'GenuineIntel') flags.add('cmp_legacy');
  }
  return {
    ...identity,
    level: t.dies > 1 ? Math.max(identity.level, 0x1f) : identity.level,
    flags: sortCpuidFlags(flags),
  };
}

/** listflags(): names separated by spaces, a new line before one would reach column 75. */
function listflags(names: readonly string[]): string {
  let out = '';
  let len = 0;
  for (const name of names) {
    if (len + name.length + 1 >= 75) {
      out += '\n';
      len = 0;
    }
    out += (len === 0 ? '  ' : ' ') + name;
    len += name.length + 1;
  }
  return `${out}\n`;
}

/**
 * `qemu-system-x86_64 -cpu ?` as the chapter prints it: "Available CPUs:",
 * then `x86 %-20s  %s` per model in x86_cpu_list_compare() order. QEMU pads
 * the description too; the chapter's copy has no trailing blanks, nor has
 * this. With `flags`, the "Recognized CPUID flags:" section follows, sorted
 * with strcmp and wrapped by listflags().
 */
export function renderCpuHelp(opts: { flags?: boolean; release?: Release } = {}): string {
  const lines = ['Available CPUs:'];
  // x86_cpu_list_compare(): (ordering, strcmp(name)); later models are definitions (ordering 0).
  const defs = [...CPU_MODELS, ...(opts.release ? laterModelsIn(opts.release) : [])].sort(
    (a, b) => a.ordering - b.ordering || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  for (const def of defs) {
    lines.push(`x86 ${def.name.padEnd(20)}  ${def.description}`.trimEnd());
  }
  let text = `${lines.join('\n')}\n`;
  if (opts.flags) {
    const names = [...CPU_FEATURES.map((f) => f.qemu), ...KVM_PV_FEATURES].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    text += `\nRecognized CPUID flags:\n${listflags(names)}`;
  }
  return text;
}

/** A stand-in host for views that need none: builtin models do not read it under TCG. */
const HOSTLESS: CpuIdentity = {
  name: 'host',
  vendor: 'GenuineIntel',
  family: 0,
  model: 0,
  stepping: 0,
  level: 0,
  xlevel: 0,
  modelId: '',
  flags: [],
};

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Every fact simvm holds about one model, one `key  value` line each. */
export function renderCpuModelVerbose(name: string): string {
  const def = findModelIn(name, 'any');
  if (!def) throw unknownModel(name);
  const row = (k: string, v: string) => `  ${k.padEnd(22)}${v}`.trimEnd();
  const lines = [`${def.name}${def.description ? `  ${def.description}` : ''}`];
  lines.push(row('source', def.source));
  if (def.kind !== 'builtin') {
    lines.push(row('kind', def.kind));
    return `${lines.join('\n')}\n`;
  }
  lines.push(row('vendor', def.vendor ?? ''));
  lines.push(row('family', String(def.family)));
  lines.push(row('model', String(def.model)));
  lines.push(row('stepping', String(def.stepping)));
  lines.push(row('level', hex(def.level)));
  lines.push(row('xlevel', hex(def.xlevel)));
  lines.push(row('model-id', def.modelId === '' ? '""' : def.modelId));
  const byWord = new Map<FeatureWord, CpuFeature[]>();
  for (const flag of def.flags) {
    const f = featureByFlag(flag) as CpuFeature;
    const list = byWord.get(f.word) ?? [];
    list.push(f);
    byWord.set(f.word, list);
  }
  for (const word of FEATURE_WORD_ORDER) {
    const list = byWord.get(word);
    if (!list) continue;
    const w = FEATURE_WORDS[word];
    const reg = w.subleaf === undefined ? cpuidRegisterName(word) : `${cpuidRegisterName(word)} (ECX=${w.subleaf})`;
    lines.push(row(reg, list.sort((a, b) => a.bit - b.bit).map((f) => f.qemu).join(' ')));
  }
  lines.push(row('flags (CPUID)', def.flags.join(' ')));
  // What a guest of the default kernel prints under TCG (no vendor or
  // kvm_default_props changes): the model's own facts, plus hypervisor.
  const identity = identityFromDef(def, HOSTLESS, 'tcg');
  identity.flags = sortCpuidFlags([...identity.flags, 'hypervisor']);
  lines.push(row(`flags (${DEFAULT_GUEST_KERNEL} guest)`, guestFlags(identity).join(' ')));
  return `${lines.join('\n')}\n`;
}

export interface HostCpu {
  name: string;
  cpu: CpuIdentity;
}

export interface MigrateResult {
  host: string;
  ok: boolean;
  /** CPUID bits the guest uses that this host cannot give (Linux spelling). */
  missing: string[];
}

/**
 * Which hosts can run a guest started with `-cpu guestModel` under KVM. The
 * guest's CPUID is fixed where it starts, the first host; a host can take it
 * when KVM there supports every bit (otherwise QEMU on the destination drops
 * them and the migration would change the guest's CPU under its feet).
 */
export function migrateCheck(guestModel: string, hosts: readonly HostCpu[]): MigrateResult[] {
  if (hosts.length === 0) return [];
  const guest = resolveCpuModel(guestModel, hosts[0].cpu, { accel: 'kvm' });
  return hosts.map((h) => {
    const missing = checkHostSupports(guest, h.cpu);
    return { host: h.name, ok: missing.length === 0, missing };
  });
}

/**
 * The richest named model of the vendor of `hosts` that KVM on every host
 * supports (the chapter's grouping: IvyBridge and SandyBridge hosts share
 * SandyBridge). "Richest" = most CPUID bits; on a tie the later
 * builtin_x86_defs[] entry. Null when no model fits.
 */
export function bestCommonModel(hosts: readonly HostCpu[]): string | null {
  if (hosts.length === 0) throw new CpuModelError('no hosts given');
  const vendors = [...new Set(hosts.map((h) => h.cpu.vendor))];
  if (vendors.length > 1) {
    throw new CpuModelError(
      `hosts mix CPU vendors (${vendors.join(', ')})`,
      'group hosts by vendor: named models carry one vendor each',
    );
  }
  let best: { name: string; size: number } | null = null;
  for (const def of CPU_MODELS) {
    if (def.kind !== 'builtin' || def.vendor !== vendors[0]) continue;
    const guest = resolveCpuModel(def.name, hosts[0].cpu, { accel: 'kvm' });
    if (hosts.some((h) => checkHostSupports(guest, h.cpu).length > 0)) continue;
    const size = cpuidOnly(guest.flags).length;
    if (!best || size >= best.size) best = { name: def.name, size };
  }
  return best ? best.name : null;
}
