import { parseCpuList, UnitError } from '../util/units.js';
import { suggest } from '../util/suggest.js';

/** A timeline command, parsed and checked against the scenario. */
/** Where a command is in the scenario file, for errors found once the model exists. */
export type Where = { line: number; col: number };
export type CpuAdd = { kind: 'cpu-add'; at: number; guest: string; index: number; text: string; where?: Where };
export type Taskset = { kind: 'taskset'; at: number; cpus: number[]; all: boolean; target: string; text: string; where?: Where };
export type Chcpu = { kind: 'chcpu'; at: number; cpus: number[]; enable: boolean; text: string; where?: Where };
export type TimelineCommand = CpuAdd | Taskset | Chcpu;

export interface TimelineProblem {
  message: string;
  hint?: string;
}

export interface GuestShape {
  name: string;
  cpus: number;
  maxcpus: number;
  threads: number;
}

/**
 * `device_add` of a CPU names its place. QEMU checks each id against the
 * topology before it computes the APIC id (hw/i386/pc.c pc_cpu_pre_plug from
 * 2.7, moved to hw/i386/x86.c x86_cpu_pre_plug in 5.1 and x86-common.c in
 * 9.1): a missing id is "CPU <level>-id is not set", one out of range is
 * "Invalid CPU <level>-id: N must be in range 0:MAX". die-id may be left out
 * when there is one die per socket (and module-id when one module per die).
 * simvm folds modules into cores, so only module-id=0 is a place it has.
 */
function deviceAddIndex(args: string, g: { sockets: number; dies: number; cores: number; threads: number }): number | TimelineProblem {
  const props = Object.fromEntries(
    args
      .split(',')
      .slice(1)
      .map((kv) => kv.split('=') as [string, string]),
  );
  const example = 'e.g. device_add qemu64-x86_64-cpu,id=cpu7,socket-id=7,core-id=0,thread-id=0';
  const ranges: [string, number, boolean][] = [
    ['socket', g.sockets, false],
    ['die', g.dies, g.dies === 1],
    ['module', 1, true],
    ['core', g.cores, false],
    ['thread', g.threads, false],
  ];
  const ids: Record<string, number> = {};
  for (const [level, count, optional] of ranges) {
    const raw = props[`${level}-id`];
    if (raw === undefined) {
      if (optional) {
        ids[level] = 0;
        continue;
      }
      return { message: `CPU ${level}-id is not set`, hint: example };
    }
    if (!/^\d+$/.test(raw)) return { message: `device_add: ${level}-id must be a whole number, got "${raw}"`, hint: example };
    const v = Number(raw);
    if (v > count - 1) return { message: `Invalid CPU ${level}-id: ${v} must be in range 0:${count - 1}`, hint: `the guest has ${g.sockets} sockets, ${g.dies} dies per socket, ${g.cores} cores per die, ${g.threads} threads per core` };
    ids[level] = v;
  }
  return ((ids.socket * g.dies + ids.die) * g.cores + ids.core) * g.threads + ids.thread;
}

/** Parse one monitor command for guest `g` (QEMU monitor syntax). */
export function parseMonitor(text: string, g: GuestShape & { sockets: number; dies: number; cores: number; threads: number }, present: Set<number>, at: number): TimelineCommand | TimelineProblem {
  const words = text.trim().split(/\s+/);
  const cmd = words[0];
  let index: number;
  if (cmd === 'cpu-add') {
    if (words.length !== 2 || !/^\d+$/.test(words[1])) return { message: `"${text}": cpu-add takes one CPU id`, hint: 'e.g. cpu-add 7' };
    index = Number(words[1]);
  } else if (cmd === 'device_add') {
    const r = deviceAddIndex(words.slice(1).join(' '), g);
    if (typeof r !== 'number') return r;
    index = r;
  } else {
    const s = suggest(cmd, ['cpu-add', 'device_add']);
    return { message: `unknown monitor command "${cmd}"`, hint: s ? `did you mean "${s}"?` : 'simvm runs cpu-add and device_add of CPUs' };
  }
  // QEMU's messages (hw/i386/pc.c pc_hot_add_cpu).
  if (index >= g.maxcpus) return { message: `Unable to add CPU: ${index}, max allowed: ${g.maxcpus - 1}`, hint: `raise maxcpus in -smp (now ${g.maxcpus})` };
  if (present.has(index)) return { message: `Unable to add CPU: ${index}, it already exists` };
  present.add(index);
  return { kind: 'cpu-add', at, guest: g.name, index, text };
}

/** Parse a host command: `taskset -pc LIST TARGET` (and -apc for all threads of a process). */
export function parseHost(text: string, ncpus: number, at: number, offline?: Set<number>): Taskset | Chcpu | TimelineProblem {
  const words = text.trim().split(/\s+/);
  if (words[0] === 'chcpu') return parseChcpu(words, text, ncpus, at, offline ?? new Set());
  if (words[0] !== 'taskset') {
    const s = suggest(words[0], ['taskset', 'chcpu']);
    return { message: `unknown host command "${words[0]}"`, hint: s ? `did you mean "${s}"?` : 'simvm runs taskset -pc LIST TARGET and chcpu -d/-e LIST' };
  }
  const flags = words[1] ?? '';
  if (!/^-a?pc$|^-cp$|^-pac$|^-acp$/.test(flags) || words.length !== 4) return { message: `"${text}": expected taskset -pc LIST TARGET`, hint: 'e.g. taskset -pc 4 web/vcpu0, or taskset -apc 4-5 web for every thread' };
  let cpus: number[];
  try {
    cpus = parseCpuList(words[2]);
  } catch (e) {
    if (e instanceof UnitError) return { message: `taskset: ${e.message}`, hint: e.hint };
    throw e;
  }
  if (cpus.length === 0) return { message: 'taskset: the CPU list is empty' };
  const bad = cpus.find((c) => c >= ncpus);
  if (bad !== undefined) return { message: `taskset: host CPU ${bad} does not exist (the host has CPUs 0-${ncpus - 1})` };
  return { kind: 'taskset', at, cpus, all: flags.includes('a'), target: words[3], text };
}

/**
 * util-linux `chcpu -d LIST` (take host CPUs offline) and `chcpu -e LIST`
 * (bring them back). `offline` tracks the CPUs already offline at this
 * point of the timeline, so a command that would leave no CPU is refused.
 */
function parseChcpu(words: string[], text: string, ncpus: number, at: number, offline: Set<number>): Chcpu | TimelineProblem {
  if (words.length !== 3 || !['-d', '-e', '--disable', '--enable'].includes(words[1])) return { message: `"${text}": expected chcpu -d LIST or chcpu -e LIST`, hint: 'e.g. chcpu -d 3' };
  let cpus: number[];
  try {
    cpus = parseCpuList(words[2]);
  } catch (e) {
    if (e instanceof UnitError) return { message: `chcpu: ${e.message}`, hint: e.hint };
    throw e;
  }
  const bad = cpus.find((c) => c >= ncpus);
  if (bad !== undefined) return { message: `chcpu: host CPU ${bad} does not exist (the host has CPUs 0-${ncpus - 1})` };
  const enable = words[1] === '-e' || words[1] === '--enable';
  if (!enable) {
    // x86 Linux cannot offline the boot CPU without cpu0_hotplug.
    if (cpus.includes(0)) return { message: 'chcpu: CPU 0 disable failed (Operation not permitted)', hint: 'the boot CPU stays online' };
    for (const c of cpus) offline.add(c);
  } else for (const c of cpus) offline.delete(c);
  return { kind: 'chcpu', at, cpus, enable, text };
}
