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
  procCpuinfo,
  psEfL,
  psELo,
  type GuestViewInput,
  type HostCpuInput,
  type HostThreadInfo,
} from '../views/index.js';
import { defOf, type Simulation } from './build.js';
import { InputError } from '../scenario/errors.js';
import { suggest } from '../util/suggest.js';

/** What `simvm view` can show, and whether it is a guest view. */
export const VIEWS: Record<string, { guest: boolean; help: string }> = {
  cpuinfo: { guest: true, help: 'cat /proc/cpuinfo in the guest' },
  lscpu: { guest: true, help: 'lscpu in the guest' },
  'ls-cpu': { guest: true, help: 'ls /sys/devices/system/cpu/ in the guest' },
  'cpu-info.sh': { guest: true, help: "the seed's cpu-info.sh run in the guest" },
  'info-cpus': { guest: true, help: 'QEMU monitor: info cpus' },
  ps: { guest: false, help: 'ps -eLo ruser,pid,ppid,lwp,psr,args on the host (--psr N keeps one CPU, --grep S filters)' },
  'ps-ef': { guest: false, help: 'ps -eLf on the host (--grep S filters, e.g. qemu)' },
  'host-cpuinfo': { guest: false, help: 'cat /proc/cpuinfo on the host' },
  'host-lscpu': { guest: false, help: 'lscpu on the host' },
  'host-cpu-info.sh': { guest: false, help: "the seed's cpu-info.sh run on the host" },
};

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
  grep?: string;
}

/** Render one view of the simulation's current state. */
export function renderView(sim: Simulation, what: string, opts: ViewOptions = {}): string {
  const v = VIEWS[what];
  if (!v) {
    const s = suggest(what, Object.keys(VIEWS));
    throw new InputError(`unknown view "${what}"`, undefined, undefined, undefined, s ? `did you mean "${s}"?` : `views: ${Object.keys(VIEWS).join(', ')}`);
  }
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
      case 'info-cpus':
        return infoCpus(input);
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
  }
  return lsColumns([]);
}
