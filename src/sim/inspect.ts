import { applyTopologyCpuid } from '../cpu/models/index.js';
import type { Guest } from '../host/guest.js';
import { STATE_RUNNING, type HostThread } from '../host/thread.js';
import { placeCpu } from '../topology/apic.js';
import {
  awkFieldEquals,
  cpuInfoSh,
  grepLines,
  hostLscpu,
  hostProcCpuinfo,
  infoCpus,
  lsColumns,
  lscpu,
  lsSysCpu,
  mergeExitStat,
  perfKvmStatReport,
  procCpuinfo,
  psEfL,
  psELo,
  type GuestViewInput,
  type HostCpuInput,
  type HostThreadInfo,
  type KvmExitStat,
} from '../views/index.js';
import { EXIT_REASONS } from '../host/costs.js';
import { buildSimulation, defOf, type Simulation } from './build.js';
import { runTo } from './run.js';
import { TimelineRunner } from './timeline-run.js';
import { parseDuration, UnitError } from '../util/units.js';
import { InputError } from '../util/errors.js';
import type { Scenario } from '../scenario/load.js';
import { suggest } from '../util/suggest.js';

/**
 * What `simvm view` can show, and whether it is a guest view. A guest view
 * shows the guest's CPUs: without `--at` it is rendered from the model as
 * built, after the timeline's hot-plugs, without running the workloads.
 */
export const VIEWS: Record<string, { guest: boolean; help: string }> = {
  cpuinfo: { guest: true, help: 'cat /proc/cpuinfo in the guest' },
  lscpu: { guest: true, help: 'lscpu in the guest' },
  'ls-cpu': { guest: true, help: 'ls /sys/devices/system/cpu/ in the guest' },
  'cpu-info.sh': { guest: true, help: "the seed's cpu-info.sh run in the guest" },
  'info-cpus': { guest: true, help: 'QEMU monitor: info cpus (without --at: every CPU at its first instruction)' },
  ps: { guest: false, help: 'ps -eLo ruser,pid,ppid,lwp,psr,args on the host (--psr N keeps one CPU, --grep S filters)' },
  'ps-ef': { guest: false, help: 'ps -eLf on the host (--grep S filters, e.g. qemu)' },
  'host-cpuinfo': { guest: false, help: 'cat /proc/cpuinfo on the host' },
  'host-lscpu': { guest: false, help: 'lscpu on the host' },
  'host-cpu-info.sh': { guest: false, help: "the seed's cpu-info.sh run on the host" },
  'kvm-stat': { guest: false, help: 'perf kvm stat report: VM exits of the measured run by reason, with their times (--guest: one QEMU process, as -p PID; --vcpu N: one vCPU)' },
};

/** Every vCPU's exit times in the measured window, per reason, for `perf kvm stat report`. */
export function kvmExitStats(guests: readonly Guest[], vcpu?: number): KvmExitStat[] {
  return EXIT_REASONS.map((name, r) => {
    let acc: KvmExitStat = { name, count: 0, timeNs: 0, minNs: 0, maxNs: 0, meanNs: 0, m2: 0 };
    for (const g of guests)
      for (const v of g.vcpus) {
        // perf's --vcpu is KVM's vcpu_id: QEMU's cpu index.
        if (!v || (vcpu !== undefined && v.index !== vcpu)) continue;
        const t = v.exitTimes;
        acc = mergeExitStat(acc, { name, count: t.n[r], timeNs: t.sumNs[r], minNs: t.minNs[r], maxNs: t.maxNs[r], meanNs: t.meanNs[r], m2: t.m2[r] });
      }
    return acc;
  });
}

/** The kernel address a halted x86 Linux guest sits at (native_safe_halt), as the seed's `info cpus` shows. */
const HALT_PC = 0xffffffff81060eb6n;
/** Guest program code is reported at a kernel-module-like address, 4 bytes per op. */
const CODE_BASE = 0xffffffffc0000000n;

export function guestViewInput(sim: Simulation, g: Guest): GuestViewInput {
  const def = defOf(sim, g);
  const topo = def.smp;
  const identity = applyTopologyCpuid(def.identity, topo);
  return {
    name: g.name,
    topology: topo,
    cpus: g.vcpus
      .map((v, index) => ({ v, index }))
      .filter(({ v }) => v !== undefined)
      .map(({ v, index }) => ({
        place: placeCpu(topo, index),
        online: true,
        halted: v.halted,
        pc: v.halted ? HALT_PC : CODE_BASE + BigInt(v.pc * 4),
        threadId: v.thread.tid,
        guestCpu: v.cpuNo,
      })),
    identity,
    mhz: sim.host.cfg.freqHz / 1e6,
    // QEMU's legacy cache leaves: 512 KB L2 for AMD-vendor models, 4 MB for Intel (target/i386/cpu.c).
    cacheSizeKB: identity.vendor === 'AuthenticAMD' ? 512 : 4096,
    l1dKB: 32,
    l1iKB: 32,
    l2KB: 4096,
  };
}

export function hostCpuInput(sim: Simulation): HostCpuInput {
  const places = sim.host.cfg.places;
  const cores = Math.max(...places.map((p) => p.core)) + 1;
  const threads = Math.max(...places.map((p) => p.thread)) + 1;
  const bits = (n: number) => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));
  return {
    cpus: places.map((p, cpu) => ({ cpu, socket: p.socket, core: p.core, apicId: (((p.socket << bits(cores)) | p.core) << bits(threads)) | p.thread, node: p.node, online: sim.host.cpus[cpu].online })),
    identity: sim.scenario.hostCpu,
    mhz: sim.host.cfg.freqHz / 1e6,
    cacheSizeKB: 25600,
    l1dKB: 32,
    l1iKB: 32,
    l2KB: 1024,
    l3KB: 25600,
  };
}

/** Every host thread as ps sees it: kernel threads, background processes, QEMU processes. */
export function hostThreads(sim: Simulation): HostThreadInfo[] {
  const now = sim.engine.now;
  const rows: HostThreadInfo[] = [];
  const add = (t: HostThread, ppid: number, args: string, nlwp: number, kernel: boolean) =>
    rows.push({
      ruser: 'root',
      pid: t.pid,
      ppid,
      lwp: t.tid,
      psr: t.state === STATE_RUNNING || t.cpu >= 0 ? t.cpu : Math.max(0, t.lastCpu),
      args,
      nlwp,
      startTime: '00:00',
      tty: kernel ? '?' : 'pts/0',
      cpuTimeS: Math.floor(t.sumExec / 1e9),
      cpuPercent: now > 0 ? Math.floor((t.sumExec / now) * 100) : 0,
      kernelThread: kernel,
    });
  for (const p of sim.processes) for (const t of p.threads) add(t, p.ppid, p.kernel ? p.args.slice(1, -1) : p.args, p.threads.length, p.kernel);
  for (const g of sim.guests) {
    const ts = [g.mainThread, ...g.auxThreads, ...g.onlineVcpus().map((v) => v.thread)].sort((a, b) => a.tid - b.tid);
    for (const t of ts) add(t, 1, g.spec.args, ts.length, false);
  }
  return rows.sort((a, b) => a.pid - b.pid || a.lwp - b.lwp);
}

export interface ViewOptions {
  guest?: string;
  psr?: number;
  /** kvm-stat: one vCPU (QEMU cpu index), as perf kvm stat report --vcpu. */
  vcpu?: number;
  grep?: string;
}

/** The view named `what`, or an error that suggests one. */
function viewOf(what: string): (typeof VIEWS)[string] {
  const v = VIEWS[what];
  if (v) return v;
  const s = suggest(what, Object.keys(VIEWS));
  throw new InputError(`unknown view "${what}"`, undefined, undefined, undefined, s ? `did you mean "${s}"?` : `views: ${Object.keys(VIEWS).join(', ')}`);
}

/** Render one view of the simulation's current state. */
export function renderView(sim: Simulation, what: string, opts: ViewOptions = {}): string {
  const v = viewOf(what);
  if (v.guest) {
    const names = sim.guests.map((g) => g.name);
    const name = opts.guest ?? (names.length === 1 ? names[0] : undefined);
    if (!name) throw new InputError(`view ${what} needs --guest`, undefined, undefined, undefined, `guests: ${names.join(', ')}`);
    const g = sim.guests.find((x) => x.name === name);
    if (!g) {
      const s = suggest(name, names);
      throw new InputError(`no guest named "${name}"`, undefined, undefined, undefined, s ? `did you mean "${s}"?` : `guests: ${names.join(', ')}`);
    }
    const input = guestViewInput(sim, g);
    switch (what) {
      case 'cpuinfo':
        return procCpuinfo(input);
      case 'lscpu':
        return lscpu(input);
      case 'ls-cpu':
        return lsSysCpu(input);
      case 'cpu-info.sh':
        return cpuInfoSh(procCpuinfo(input));
      case 'info-cpus': {
        const def = defOf(sim, g);
        // The -cpu name without its +feature/-feature list is the CPU's QOM type minus "-x86_64-cpu".
        return infoCpus(input, def.machineType ? { format: def.machineType.infoCpus, model: def.cpu.split(',')[0] } : {});
      }
    }
  }
  switch (what) {
    case 'ps': {
      let out = psELo(hostThreads(sim));
      if (opts.psr !== undefined) out = awkFieldEquals(out, 5, opts.psr);
      return opts.grep ? grepLines(out, opts.grep) : out;
    }
    case 'ps-ef':
      return psEfL(hostThreads(sim), opts.grep);
    case 'host-cpuinfo':
      return hostProcCpuinfo(hostCpuInput(sim));
    case 'host-lscpu':
      return hostLscpu(hostCpuInput(sim));
    case 'host-cpu-info.sh':
      return cpuInfoSh(hostProcCpuinfo(hostCpuInput(sim)));
    case 'kvm-stat': {
      if (opts.vcpu !== undefined && opts.guest === undefined && sim.guests.length > 1) throw new InputError('kvm-stat --vcpu needs --guest: each guest has its own vCPU numbers', undefined, undefined, undefined, `guests: ${sim.guests.map((x) => x.name).join(', ')}`);
      if (opts.guest === undefined) return perfKvmStatReport({ events: kvmExitStats(sim.guests, opts.vcpu), vcpu: opts.vcpu });
      const g = sim.guests.find((x) => x.name === opts.guest);
      if (!g) {
        const names = sim.guests.map((x) => x.name);
        const s = suggest(opts.guest, names);
        throw new InputError(`no guest named "${opts.guest}"`, undefined, undefined, undefined, s ? `did you mean "${s}"?` : `guests: ${names.join(', ')}`);
      }
      return perfKvmStatReport({ events: kvmExitStats([g], opts.vcpu), pid: g.spec.pid, vcpu: opts.vcpu });
    }
  }
  return lsColumns([]);
}

/**
 * The simulation a view looks at. At a time (`at`, ns): the run up to it.
 * Without one, a guest view needs only the guest's CPUs as they are at the
 * end of the timeline, so the model is built and the timeline's `cpu-add`s
 * applied, with no event delivered; other views show the end of the run.
 */
export function simulationForView(s: Scenario, what: string, at?: number, progress?: (fraction: number) => void): Simulation {
  if (at === undefined && viewOf(what).guest) {
    const sim = buildSimulation(s);
    new TimelineRunner(sim).applyHotplugs();
    return sim;
  }
  return runTo(s, at ?? s.warmup + s.duration, progress);
}

/** A view's time (`--at`): a duration within the run, in ns. */
export function parseViewTime(s: Scenario, text: string): number {
  let at: number;
  try {
    at = parseDuration(text);
  } catch (e) {
    if (e instanceof UnitError) throw new InputError(`--at: ${e.message}`, undefined, undefined, undefined, e.hint);
    throw e;
  }
  if (at > s.warmup + s.duration) throw new InputError(`--at ${text} is after the end of the run`, undefined, undefined, undefined, `the run ends at ${(s.warmup + s.duration) / 1e9}s`);
  return at;
}
