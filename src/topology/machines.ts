/**
 * QEMU's x86 machine types (`-machine`) as simvm models them.
 *
 * A versioned name (`pc-i440fx-2.7`, `pc-q35-9.2`) stands for the QEMU
 * release of that number running its own newest machine type: the -smp
 * parser and its messages, the `info cpus` format and the CPU catalogue are
 * that release's, the fill-in rule and max CPUs are that machine type's.
 * `pc` and `q35` are aliases of the newest i440fx and q35 models here, as in
 * QEMU (hw/i386/pc_piix.c, pc_q35.c: `m->alias = "pc"` / `"q35"` on the
 * newest version only).
 *
 * Releases between 2.7 and 6.2 are not modelled: their -smp parsers
 * (vl.c smp_parse, then hw/i386/pc.c pc_smp_parse from 4.1) differ from
 * both ends and simvm has not taken their rules from their source yet.
 *
 * Each rule below names the QEMU file and version it comes from.
 */
import { suggest } from '../util/suggest.js';
import { atLeast, HintedError, type MajorMinor } from '../util/version.js';

export type MachineFamily = 'i440fx' | 'q35';

/** The -smp keys a QEMU release's smp-opts list knows (system/vl.c qemu_smp_opts). */
export type SmpKey = 'cpus' | 'drawers' | 'books' | 'sockets' | 'dies' | 'clusters' | 'modules' | 'cores' | 'threads' | 'maxcpus';

/**
 * HMP `info cpus` line formats:
 *   query-cpus        QEMU <= 2.11 (hmp.c hmp_info_cpus over qmp_query_cpus):
 *                     "%c CPU #%d: pc=0x%016x[ (halted)] thread_id=%d"
 *   query-cpus-fast   QEMU 2.12 - 10.0 (hmp_info_cpus switched to
 *                     qmp_query_cpus_fast, which does not stop vCPUs to read
 *                     registers): "%c CPU #%d: thread_id=%d"
 *   query-cpus-model  QEMU 10.1 on (hw/core/machine-hmp-cmds.c, "hw/core/
 *                     machine: Display CPU model name in 'info cpus'",
 *                     2025-07): "%c CPU #%d: thread_id=%d model=%s"
 */
export type InfoCpusFormat = 'query-cpus' | 'query-cpus-fast' | 'query-cpus-model';

export type QemuRelease = MajorMinor;

/** How a release parses -smp. */
export interface SmpRules {
  /**
   * 'vl-2.7': system vl.c smp_parse() of QEMU 2.7 (only cores and threads are
   * kept; a CPU's socket is its index / (cores * threads)).
   * 'machine-smp': hw/core/machine.c smp_parse() of 6.2, moved to
   * hw/core/machine-smp.c machine_parse_smp_config() in 7.0.
   */
  parser: 'vl-2.7' | 'machine-smp';
  keys: readonly SmpKey[];
  /** 9.0 on: `x=0` is an error; 6.2-8.2 only warn and treat it as omitted (docs/about/removed-features.rst, "parameter=0", removed in 9.0). */
  zeroIsError: boolean;
  /** x86 PC machines support modules from 9.1 (hw/i386/pc.c pc_machine_class_init: smp_props.modules_supported). */
  modulesSupported: boolean;
  /**
   * Wording of an unsupported level above 1: "clusters not supported by this
   * machine's CPU topology" (6.2-9.0) or "clusters > 1 not supported by this
   * machine's CPU topology" (9.1 on, commit 9d7950edb0cd "hw/core: allow
   * parameter=1 for SMP topology on any machine").
   */
  unsupportedWording: 'not supported' | '> 1 not supported';
}

export interface MachineType {
  /** The canonical versioned name, as `-machine help` lists it. */
  name: string;
  family: MachineFamily;
  release: QemuRelease;
  /** -smp fills in sockets first (machine types up to 6.1: smp_props.prefer_sockets) or cores first (6.2 on). */
  preferSockets: boolean;
  /** mc->max_cpus of this machine type. */
  maxCpus: number;
  smp: SmpRules;
  infoCpus: InfoCpusFormat;
}

const at = atLeast;

/** QEMU releases simvm models. */
const RELEASES: readonly QemuRelease[] = [
  { major: 2, minor: 7 },
  { major: 6, minor: 2 },
  { major: 7, minor: 0 },
  { major: 7, minor: 1 },
  { major: 7, minor: 2 },
  { major: 8, minor: 0 },
  { major: 8, minor: 1 },
  { major: 8, minor: 2 },
  { major: 9, minor: 0 },
  { major: 9, minor: 1 },
  { major: 9, minor: 2 },
  { major: 10, minor: 0 },
  { major: 10, minor: 1 },
];

function smpKeys(r: QemuRelease): SmpKey[] {
  // 2.7: system/vl.c qemu_smp_opts has cpus, sockets, cores, threads, maxcpus.
  if (!at(r, 4, 1)) return ['cpus', 'sockets', 'cores', 'threads', 'maxcpus'];
  const keys: SmpKey[] = ['cpus'];
  // books and drawers: 8.2 (s390x topology, qapi SMPConfiguration "since 8.2").
  if (at(r, 8, 2)) keys.push('drawers', 'books');
  // dies: 4.1 ("vl.c: Add -smp, dies=* command line support").
  keys.push('sockets', 'dies');
  // clusters: 7.0 (qapi SMPConfiguration "clusters ... since 7.0").
  if (at(r, 7, 0)) keys.push('clusters');
  // modules: 9.1 (qapi SMPConfiguration "modules ... since 9.1").
  if (at(r, 9, 1)) keys.push('modules');
  keys.push('cores', 'threads', 'maxcpus');
  return keys;
}

/**
 * mc->max_cpus by family and version:
 *   i440fx: 255 in every release here (hw/i386/pc.c pc_machine_class_init;
 *           pc_piix.c does not raise it).
 *   q35:    255 up to pc-q35-2.7; 288 from 2.8 (commit 00d0f9fd6602 "pc: q35:
 *           Bump max_cpus to 288", which kept 255 for 2.7 and older);
 *           1024 from 8.0 (pc_q35_7_2_machine_options keeps 288);
 *           4096 from 9.0 (pc_q35_8_2_machine_options keeps 1024).
 */
function maxCpus(family: MachineFamily, r: QemuRelease): number {
  if (family === 'i440fx') return 255;
  if (at(r, 9, 0)) return 4096;
  if (at(r, 8, 0)) return 1024;
  if (at(r, 2, 8)) return 288;
  return 255;
}

function infoCpusFormat(r: QemuRelease): InfoCpusFormat {
  if (at(r, 10, 1)) return 'query-cpus-model';
  if (at(r, 2, 12)) return 'query-cpus-fast';
  return 'query-cpus';
}

function machineOf(family: MachineFamily, r: QemuRelease): MachineType {
  return {
    name: `pc-${family}-${r.major}.${r.minor}`,
    family,
    release: r,
    // hw/i386/pc_piix.c / pc_q35.c: the 6.1 machine options set
    // m->smp_props.prefer_sockets = true; 6.2 and later leave it false.
    preferSockets: !at(r, 6, 2),
    maxCpus: maxCpus(family, r),
    smp: {
      parser: at(r, 6, 2) ? 'machine-smp' : 'vl-2.7',
      keys: smpKeys(r),
      zeroIsError: at(r, 9, 0),
      modulesSupported: at(r, 9, 1),
      unsupportedWording: at(r, 9, 1) ? '> 1 not supported' : 'not supported',
    },
    infoCpus: infoCpusFormat(r),
  };
}

/** Every machine type simvm models, oldest first, i440fx before q35. */
export const MACHINES: readonly MachineType[] = RELEASES.flatMap((r) => [machineOf('i440fx', r), machineOf('q35', r)]);

const NEWEST = RELEASES[RELEASES.length - 1];
/** QEMU's aliases: the newest version of each family. */
export const MACHINE_ALIASES: Readonly<Record<string, string>> = {
  pc: `pc-i440fx-${NEWEST.major}.${NEWEST.minor}`,
  q35: `pc-q35-${NEWEST.major}.${NEWEST.minor}`,
};

export class MachineError extends HintedError {}

/** Every name `machine:` accepts, aliases first. */
export function machineNames(): string[] {
  return [...Object.keys(MACHINE_ALIASES), ...MACHINES.map((m) => m.name)];
}

/** The machine type a `-machine` name means; QEMU's own error for an unknown one. */
export function resolveMachine(name: string): MachineType {
  const canonical = MACHINE_ALIASES[name] ?? name;
  const m = MACHINES.find((x) => x.name === canonical);
  if (m) return m;
  const near = suggest(name, machineNames());
  return fail(
    `"${name}" is not a machine type simvm models`,
    near ? `did you mean "${near}"? simvm models ${machineNames().join(', ')}` : `simvm models ${machineNames().join(', ')}`,
  );
}

function fail(message: string, hint: string): never {
  throw new MachineError(message, hint);
}

/** "9.2" */
export function releaseText(r: QemuRelease): string {
  return `${r.major}.${r.minor}`;
}
