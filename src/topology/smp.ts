/**
 * QEMU's `-smp [[cpus=]n][,maxcpus=m][,sockets=s][,dies=d][,cores=c][,threads=t]`
 * for an x86 PC machine.
 *
 * Two steps, as in QEMU:
 *
 *   1. the option string is a QemuOpts list ("smp-opts" in system/vl.c:
 *      implied first key "cpus", number-typed keys) parsed by
 *      util/qemu-option.c opts_do_parse(); unknown keys, bad numbers and
 *      flags without values fail there;
 *   2. hw/core/machine-smp.c machine_parse_smp_config() fills in what is
 *      missing and validates the result.
 *
 * The filling-in rule depends on the machine type: before 6.2 QEMU
 * "prefer[s] sockets over cores over threads", from 6.2 on it prefers cores
 * (mc->smp_props.prefer_sockets is set by the pc-*-6.1 and older machine
 * types). The chapter's QEMU 2.7 examples follow the older rule
 * (`-smp 8` = 8 sockets of 1 core), so 'legacy' is the default.
 *
 * Messages are QEMU's, without the "qemu-system-x86_64: " prefix.
 *
 * With a machine type (src/topology/machines.ts) the parser, keys, messages
 * and limits are that QEMU release's. Without one (a scenario with no
 * `machine:`) simvm keeps the rule it always had: the fill-in rule given by
 * `machine` ('legacy' = sockets first, as the chapter's QEMU 2.7 shows) with
 * the messages of machine-smp.c as QEMU 9.1 and later print them for an x86
 * machine without modules, and the max-CPUs message naming pc-i440fx-6.1.
 */
import { suggest } from '../util/suggest.js';
import type { GuestTopology } from './types.js';
import type { MachineType, SmpKey, SmpRules } from './machines.js';

export type SmpMachine = 'legacy' | 'modern';

export interface SmpOptions {
  /** 'legacy' = machine types before 6.2 (prefer sockets), 'modern' = 6.2 and later (prefer cores). Default 'legacy'. */
  machine?: SmpMachine;
  /** Machine type named in the max-CPUs message. Default pc-i440fx-6.1 (legacy) / pc-i440fx-6.2 (modern). */
  machineName?: string;
  /** mc->max_cpus. Default 255, the pc machines' value (hw/i386/pc.c pc_machine_class_init). */
  maxCpus?: number;
  /** A QEMU machine type: overrides the three options above with that version's rules. */
  machineType?: MachineType;
}

/** An `-smp` the way QEMU would refuse it. */
export class SmpError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'SmpError';
    if (hint !== undefined) this.hint = hint;
  }
}

/** The keys of QEMU's smp-opts list (system/vl.c qemu_smp_opts). */
const SMP_KEYS: readonly SmpKey[] = ['cpus', 'drawers', 'books', 'sockets', 'dies', 'clusters', 'modules', 'cores', 'threads', 'maxcpus'];

/** The rules simvm applies without a machine type (see the header). */
const DEFAULT_RULES: SmpRules = { parser: 'machine-smp', keys: SMP_KEYS, zeroIsError: true, modulesSupported: false, unsupportedWording: '> 1 not supported' };

const UINT64_MAX = (1n << 64n) - 1n;

/**
 * get_opt_value(): a value runs to the next single comma; ",," is a literal
 * comma. Returns the value and the index just past it.
 */
function optValue(s: string, from: number): [string, number] {
  let v = '';
  let i = from;
  while (i < s.length) {
    if (s[i] === ',') {
      if (s[i + 1] !== ',') break;
      i++;
    }
    v += s[i];
    i++;
  }
  return [v, i];
}

/**
 * parse_option_number(): qemu_strtou64(value, NULL, 0), so decimal, 0x hex
 * and 0 octal; nothing may follow the digits.
 */
function parseNumber(name: string, value: string): number {
  const m = /^\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(value);
  if (!m) throw new SmpError(`Parameter '${name}' expects a number`);
  const digits = m[1];
  const big = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits[0] === '0' ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  if (big > UINT64_MAX) throw new SmpError(`Value '${value}' is too large for parameter '${name}'`);
  return Number(big);
}

function unknownKey(name: string, keys: readonly SmpKey[]): SmpError {
  const near = suggest(name, keys);
  const later = !keys.includes(name as SmpKey) && SMP_KEYS.includes(name as SmpKey);
  const hint = near ? `did you mean "${near}"?` : later ? `this QEMU's -smp takes ${keys.join(', ')}; ${name} came in a later release` : `-smp takes ${keys.join(', ')}`;
  return new SmpError(`Invalid parameter '${name}'`, hint);
}

/**
 * opts_do_parse() over smp-opts: `key=value` items, the first item may omit
 * `cpus=`, a later bare item is a flag (`x` = on, `nox` = off) which no
 * number key accepts. A repeated key: the last one counts
 * (qemu_opt_find() searches from the end).
 */
function parseSmpOpts(text: string, keys: readonly SmpKey[]): Partial<Record<SmpKey, number>> {
  const out: Partial<Record<SmpKey, number>> = {};
  let p = 0;
  while (p < text.length) {
    const eq = text.indexOf('=', p);
    const comma = text.indexOf(',', p);
    let name: string;
    let value: string;
    if (eq < 0 || (comma >= 0 && comma < eq)) {
      if (p === 0) {
        name = 'cpus';
        [value, p] = optValue(text, p);
      } else {
        const end = comma < 0 ? text.length : comma;
        name = text.slice(p, end);
        value = 'on';
        if (name.startsWith('no')) {
          name = name.slice(2);
          value = 'off';
        }
        p = end;
      }
    } else {
      name = text.slice(p, eq);
      [value, p] = optValue(text, eq + 1);
    }
    // system/vl.c: smp-opts is a merge_lists QemuOptsList, which rejects an id.
    if (!(keys as readonly string[]).includes(name)) throw unknownKey(name, keys);
    out[name as SmpKey] = parseNumber(name, value);
    if (text[p] !== ',') break;
    p++;
  }
  return out;
}

function hierarchy(t: { sockets: number; dies: number; modules: number; cores: number; threads: number }, modules: boolean): string {
  // cpu_hierarchy_to_string() for the pc machine: dies_supported, and
  // modules_supported from 9.1 (hw/core/machine-smp.c).
  const m = modules ? ` * modules (${t.modules})` : '';
  return `sockets (${t.sockets}) * dies (${t.dies})${m} * cores (${t.cores}) * threads (${t.threads})`;
}

/**
 * Parse an `-smp` value (without the `-smp`) into a topology. `''` is QEMU
 * without -smp: one CPU.
 */
export function parseSmp(text: string, opts: SmpOptions = {}): GuestTopology {
  const mt = opts.machineType;
  if (mt) {
    const cfg = parseSmpOpts(text, mt.smp.keys);
    if (mt.smp.parser === 'vl-2.7') return vlSmpParse27(cfg, text === '', mt);
    return machineParseSmpConfig(cfg, mt.preferSockets, mt.name, mt.maxCpus, mt.smp);
  }
  const machine = opts.machine ?? 'legacy';
  const machineName = opts.machineName ?? (machine === 'legacy' ? 'pc-i440fx-6.1' : 'pc-i440fx-6.2');
  const machineMax = opts.maxCpus ?? 255;
  const cfg = parseSmpOpts(text, SMP_KEYS);
  return machineParseSmpConfig(cfg, machine === 'legacy', machineName, machineMax, DEFAULT_RULES);
}

/**
 * QEMU 2.7 vl.c smp_parse() and the max-CPU checks after it (the same code
 * from 2.5 to 2.8):
 *
 *   if (cpus == 0 || sockets == 0) { sockets, cores, threads default to 1;
 *                                    cpus = cores * threads * sockets if 0 }
 *   else if (cores == 0)   cores = cpus / (sockets * threads)
 *   else if (threads == 0) threads = cpus / (cores * sockets)
 *   else if (sockets * cores * threads < cpus) error
 *   max_cpus = maxcpus or cpus; sockets * cores * threads > max_cpus: error
 *   smp_cores / smp_threads = the value, or 1 when it came out 0
 *
 * Only smp_cores and smp_threads survive: x86 places CPU i in package
 * i / (cores * threads) (target-i386 apic id), so `-smp 8` is 8 sockets and
 * `-smp 8,sockets=3` silently becomes 4 sockets of 2 cores. A 0 is not an
 * error in 2.7: it counts as omitted (`-smp 0` is one CPU).
 */
function vlSmpParse27(cfg: Partial<Record<SmpKey, number>>, noSmp: boolean, mt: MachineType): GuestTopology {
  // MAX_CPUMASK_BITS was 255 until 2.8 raised it to 288 with the q35 bump.
  const MAX_CPUMASK_BITS = 255;
  let cpus = 1;
  let maxcpus = 0;
  let smpCores = 1;
  let smpThreads = 1;
  if (!noSmp) {
    cpus = cfg.cpus ?? 0;
    let sockets = cfg.sockets ?? 0;
    let cores = cfg.cores ?? 0;
    let threads = cfg.threads ?? 0;
    const div = (a: number, b: number) => (b === 0 ? 0 : Math.floor(a / b));
    if (cpus === 0 || sockets === 0) {
      sockets = sockets > 0 ? sockets : 1;
      cores = cores > 0 ? cores : 1;
      threads = threads > 0 ? threads : 1;
      if (cpus === 0) cpus = cores * threads * sockets;
    } else if (cores === 0) {
      threads = threads > 0 ? threads : 1;
      cores = div(cpus, sockets * threads);
    } else if (threads === 0) {
      threads = div(cpus, cores * sockets);
    } else if (sockets * cores * threads < cpus) {
      throw new SmpError(
        `cpu topology: sockets (${sockets}) * cores (${cores}) * threads (${threads}) < smp_cpus (${cpus})`,
        `sockets * cores * threads must reach ${cpus}`,
      );
    }
    maxcpus = cfg.maxcpus ?? cpus;
    if (sockets * cores * threads > maxcpus) {
      throw new SmpError(
        `cpu topology: sockets (${sockets}) * cores (${cores}) * threads (${threads}) > maxcpus (${maxcpus})`,
        `raise maxcpus to ${sockets * cores * threads} or give fewer sockets, cores or threads`,
      );
    }
    smpCores = cores > 0 ? cores : 1;
    smpThreads = threads > 0 ? threads : 1;
  }
  if (maxcpus === 0) maxcpus = cpus;
  if (maxcpus > MAX_CPUMASK_BITS) throw new SmpError('unsupported number of maxcpus', `QEMU 2.7 allows at most ${MAX_CPUMASK_BITS} CPUs`);
  if (maxcpus < cpus) throw new SmpError('maxcpus must be equal to or greater than smp', `raise maxcpus to at least ${cpus}`);
  // vl.c main() after smp_parse().
  if (maxcpus > mt.maxCpus) {
    throw new SmpError(`Number of SMP CPUs requested (${maxcpus}) exceeds max CPUs supported by machine '${mt.name}' (${mt.maxCpus})`);
  }
  const perSocket = smpCores * smpThreads;
  if (maxcpus % perSocket !== 0) {
    // QEMU 2.7 starts such a guest with a last, partly filled socket;
    // simvm's topologies are whole sockets.
    throw new SmpError(
      `simvm: QEMU 2.7 would leave the last socket partly filled (${maxcpus} CPUs in sockets of ${perSocket}); simvm models whole sockets`,
      `make maxcpus a multiple of cores * threads (${perSocket})`,
    );
  }
  return { cpus, maxcpus, sockets: maxcpus / perSocket, dies: 1, cores: smpCores, threads: smpThreads };
}

const LEVELS_NOT_ON_PC: readonly SmpKey[] = ['modules', 'clusters', 'dies', 'books', 'drawers'];

/**
 * hw/core/machine-smp.c machine_parse_smp_config() (hw/core/machine.c
 * smp_parse() in 6.2), for an x86 pc machine: dies supported; modules from
 * 9.1; clusters, books and drawers never.
 */
function machineParseSmpConfig(
  cfg: Partial<Record<SmpKey, number>>,
  preferSockets: boolean,
  machineName: string,
  machineMax: number,
  rules: SmpRules,
): GuestTopology {
  // "Specified CPU topology parameters must be greater than zero,
  // explicit configuration like "cpus=0" is not allowed." (9.0 on; 6.2-8.2
  // warn "Deprecated CPU topology (considered invalid): ..." and go on as
  // if the parameter had been left out.)
  for (const k of rules.keys) {
    if (cfg[k] === 0) {
      if (rules.zeroIsError) {
        throw new SmpError('Invalid CPU topology: CPU topology parameters must be greater than zero', `${k}=0: leave ${k} out to have QEMU compute it`);
      }
      delete cfg[k];
    }
  }
  for (const level of LEVELS_NOT_ON_PC) {
    if (level === 'dies' || (level === 'modules' && rules.modulesSupported)) continue;
    const v = cfg[level];
    if (v !== undefined && v > 1) {
      const levels = rules.modulesSupported ? 'sockets, dies, modules, cores and threads' : 'sockets, dies, cores and threads';
      const wording = rules.unsupportedWording === '> 1 not supported' ? `${level} > 1 not supported` : `${level} not supported`;
      throw new SmpError(`${wording} by this machine's CPU topology`, `x86 pc machines have ${levels}`);
    }
  }
  let cpus = cfg.cpus ?? 0;
  let maxcpus = cfg.maxcpus ?? 0;
  let sockets = cfg.sockets ?? 0;
  let cores = cfg.cores ?? 0;
  let threads = cfg.threads ?? 0;
  // Newly introduced levels default to 1 ("e.g. dies for PC since 4.1").
  const dies = cfg.dies ?? 1;
  const modules = rules.modulesSupported ? (cfg.modules ?? 1) : 1;

  // Integer division, as the C does with unsigned operands.
  const div = (a: number, b: number) => Math.floor(a / b);
  if (cpus === 0 && maxcpus === 0) {
    sockets = sockets > 0 ? sockets : 1;
    cores = cores > 0 ? cores : 1;
    threads = threads > 0 ? threads : 1;
  } else {
    maxcpus = maxcpus > 0 ? maxcpus : cpus;
    if (preferSockets) {
      // prefer sockets over cores before 6.2
      if (sockets === 0) {
        cores = cores > 0 ? cores : 1;
        threads = threads > 0 ? threads : 1;
        sockets = div(maxcpus, dies * modules * cores * threads);
      } else if (cores === 0) {
        threads = threads > 0 ? threads : 1;
        cores = div(maxcpus, sockets * dies * modules * threads);
      }
    } else {
      // prefer cores over sockets since 6.2
      if (cores === 0) {
        sockets = sockets > 0 ? sockets : 1;
        threads = threads > 0 ? threads : 1;
        cores = div(maxcpus, sockets * dies * modules * threads);
      } else if (sockets === 0) {
        threads = threads > 0 ? threads : 1;
        sockets = div(maxcpus, dies * modules * cores * threads);
      }
    }
    // try to calculate omitted threads at last
    if (threads === 0) threads = div(maxcpus, sockets * dies * modules * cores);
  }

  const total = sockets * dies * modules * cores * threads;
  maxcpus = maxcpus > 0 ? maxcpus : total;
  cpus = cpus > 0 ? cpus : maxcpus;
  // simvm's guests see a module as a group of cores in a die: the guest
  // topology folds modules into cores (CPUID leaf 0x1f module level is not modelled).
  const t: GuestTopology = { cpus, maxcpus, sockets, dies, cores: cores * modules, threads };
  const h = hierarchy({ sockets, dies, modules, cores, threads }, rules.modulesSupported);

  if (total !== maxcpus) {
    throw new SmpError(
      `Invalid CPU topology: product of the hierarchy must match maxcpus: ${h} != maxcpus (${maxcpus})`,
      `${rules.modulesSupported ? 'sockets * dies * modules * cores * threads' : 'sockets * dies * cores * threads'} must equal maxcpus (${maxcpus}); give all of them, or leave one out for QEMU to compute`,
    );
  }
  if (maxcpus < cpus) {
    throw new SmpError(
      `Invalid CPU topology: maxcpus must be equal to or greater than smp: ${h} == maxcpus (${maxcpus}) < smp_cpus (${cpus})`,
      `raise maxcpus to at least ${cpus}`,
    );
  }
  if (maxcpus > machineMax) {
    throw new SmpError(`Invalid SMP CPUs ${maxcpus}. The max CPUs supported by machine '${machineName}' is ${machineMax}`);
  }
  return t;
}

/** `smp: 4` in a scenario: the same as `-smp 4`. */
export function smpFromNumber(n: number, opts: SmpOptions = {}): GuestTopology {
  if (!Number.isSafeInteger(n) || n < 0) throw new SmpError(`Parameter 'cpus' expects a number`, `smp must be a whole number, got ${n}`);
  return parseSmp(String(n), opts);
}

/**
 * The canonical `-smp` value for a topology: every level spelled out so it
 * parses back to the same topology under either machine rule; `maxcpus`
 * only when it differs from `cpus`, `dies` only when above 1.
 */
export function formatSmp(t: GuestTopology): string {
  const parts = [String(t.cpus)];
  if (t.maxcpus !== t.cpus) parts.push(`maxcpus=${t.maxcpus}`);
  parts.push(`sockets=${t.sockets}`);
  if (t.dies !== 1) parts.push(`dies=${t.dies}`);
  parts.push(`cores=${t.cores}`, `threads=${t.threads}`);
  return parts.join(',');
}
