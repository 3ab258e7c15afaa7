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
 * Messages are QEMU's, without the "qemu-system-x86_64: " prefix. The
 * hierarchy in the topology messages is the pc machine's of QEMU 6.2-8.2
 * (sockets, dies, cores, threads; 9.0 added modules).
 */
import { suggest } from '../util/suggest.js';
import type { GuestTopology } from './types.js';

export type SmpMachine = 'legacy' | 'modern';

export interface SmpOptions {
  /** 'legacy' = machine types before 6.2 (prefer sockets), 'modern' = 6.2 and later (prefer cores). Default 'legacy'. */
  machine?: SmpMachine;
  /** Machine type named in the max-CPUs message. Default pc-i440fx-6.1 (legacy) / pc-i440fx-6.2 (modern). */
  machineName?: string;
  /** mc->max_cpus. Default 255, the pc machines' value (hw/i386/pc.c pc_machine_class_init). */
  maxCpus?: number;
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
const SMP_KEYS = ['cpus', 'drawers', 'books', 'sockets', 'dies', 'clusters', 'modules', 'cores', 'threads', 'maxcpus'] as const;
type SmpKey = (typeof SMP_KEYS)[number];

/** Levels QEMU accepts as keys but the x86 pc machine does not have (smp_props.*_supported false). */
const UNSUPPORTED_LEVELS: readonly SmpKey[] = ['modules', 'clusters', 'books', 'drawers'];

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

function unknownKey(name: string): SmpError {
  const near = suggest(name, SMP_KEYS);
  return new SmpError(`Invalid parameter '${name}'`, near ? `did you mean "${near}"?` : `-smp takes ${SMP_KEYS.join(', ')}`);
}

/**
 * opts_do_parse() over smp-opts: `key=value` items, the first item may omit
 * `cpus=`, a later bare item is a flag (`x` = on, `nox` = off) which no
 * number key accepts. A repeated key: the last one counts
 * (qemu_opt_find() searches from the end).
 */
function parseSmpOpts(text: string): Partial<Record<SmpKey, number>> {
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
    if (!(SMP_KEYS as readonly string[]).includes(name)) throw unknownKey(name);
    out[name as SmpKey] = parseNumber(name, value);
    if (text[p] !== ',') break;
    p++;
  }
  return out;
}

function hierarchy(t: { sockets: number; dies: number; cores: number; threads: number }): string {
  // cpu_hierarchy_to_string() for the pc machine (dies_supported).
  return `sockets (${t.sockets}) * dies (${t.dies}) * cores (${t.cores}) * threads (${t.threads})`;
}

/**
 * Parse an `-smp` value (without the `-smp`) into a topology. `''` is QEMU
 * without -smp: one CPU.
 */
export function parseSmp(text: string, opts: SmpOptions = {}): GuestTopology {
  const machine = opts.machine ?? 'legacy';
  const machineName = opts.machineName ?? (machine === 'legacy' ? 'pc-i440fx-6.1' : 'pc-i440fx-6.2');
  const machineMax = opts.maxCpus ?? 255;
  const cfg = parseSmpOpts(text);
  return machineParseSmpConfig(cfg, machine === 'legacy', machineName, machineMax);
}

/** hw/core/machine-smp.c machine_parse_smp_config(), for a machine with dies and without the other levels. */
function machineParseSmpConfig(
  cfg: Partial<Record<SmpKey, number>>,
  preferSockets: boolean,
  machineName: string,
  machineMax: number,
): GuestTopology {
  // "Specified CPU topology parameters must be greater than zero,
  // explicit configuration like "cpus=0" is not allowed."
  for (const k of SMP_KEYS) {
    if (cfg[k] === 0) {
      throw new SmpError(
        'Invalid CPU topology: CPU topology parameters must be greater than zero',
        `${k}=0: leave ${k} out to have QEMU compute it`,
      );
    }
  }
  for (const level of UNSUPPORTED_LEVELS) {
    const v = cfg[level];
    if (v !== undefined && v > 1) {
      throw new SmpError(`${level} > 1 not supported by this machine's CPU topology`, `x86 pc machines have sockets, dies, cores and threads`);
    }
  }
  let cpus = cfg.cpus ?? 0;
  let maxcpus = cfg.maxcpus ?? 0;
  let sockets = cfg.sockets ?? 0;
  let cores = cfg.cores ?? 0;
  let threads = cfg.threads ?? 0;
  // Newly introduced levels default to 1 ("e.g. dies for PC since 4.1").
  const dies = cfg.dies ?? 1;

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
        sockets = div(maxcpus, dies * cores * threads);
      } else if (cores === 0) {
        threads = threads > 0 ? threads : 1;
        cores = div(maxcpus, sockets * dies * threads);
      }
    } else {
      // prefer cores over sockets since 6.2
      if (cores === 0) {
        sockets = sockets > 0 ? sockets : 1;
        threads = threads > 0 ? threads : 1;
        cores = div(maxcpus, sockets * dies * threads);
      } else if (sockets === 0) {
        threads = threads > 0 ? threads : 1;
        sockets = div(maxcpus, dies * cores * threads);
      }
    }
    // try to calculate omitted threads at last
    if (threads === 0) threads = div(maxcpus, sockets * dies * cores);
  }

  const total = sockets * dies * cores * threads;
  maxcpus = maxcpus > 0 ? maxcpus : total;
  cpus = cpus > 0 ? cpus : maxcpus;
  const t: GuestTopology = { cpus, maxcpus, sockets, dies, cores, threads };

  if (total !== maxcpus) {
    throw new SmpError(
      `Invalid CPU topology: product of the hierarchy must match maxcpus: ${hierarchy(t)} != maxcpus (${maxcpus})`,
      `sockets * dies * cores * threads must equal maxcpus (${maxcpus}); give all of them, or leave one out for QEMU to compute`,
    );
  }
  if (maxcpus < cpus) {
    throw new SmpError(
      `Invalid CPU topology: maxcpus must be equal to or greater than smp: ${hierarchy(t)} == maxcpus (${maxcpus}) < smp_cpus (${cpus})`,
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
