import { Engine } from '../engine/engine.js';
import { Guest } from '../host/guest.js';
import { Host, type HostConfig } from '../host/host.js';
import { DEFAULT_CACHE } from '../host/costs.js';
import { hostPlaces } from '../topology/host-places.js';
import type { KvmConfig } from '../host/vcpu.js';
import type { ExitCosts } from '../host/costs.js';
import { pidInput, type GuestDef, type Scenario } from '../scenario/load.js';
import { pidPlan } from '../host/pids.js';
import { kernelScheduler, parseKernel } from '../scheduler/kernels.js';
import { addBackground, addKernelThreads, type HostProcess } from '../host/kthreads.js';
import { weightOfNice } from '../scheduler/types.js';
import { CoScheduler } from '../host/cosched.js';

/** Everything one run needs; no module-level state, so runs can share a process. */
export interface Simulation {
  scenario: Scenario;
  engine: Engine;
  host: Host;
  guests: Guest[];
  /** Set when a guest asked to stop the run (e.g. a vCPU faulted with on_fault: stop). */
  stopReason: string | null;
  /** Host processes other than guests: kernel threads and background load. */
  processes: HostProcess[];
  /** The scenario entry each guest was built from (a `count:` entry builds several). */
  readonly guestDefs: Map<Guest, GuestDef>;
}

/** The scenario entry guest `g` was built from. */
export function defOf(sim: Simulation, g: Guest): GuestDef {
  return sim.guestDefs.get(g)!;
}

/**
 * The host model's configuration from the validated scenario: every value
 * comes from the scenario, whose defaults the field table
 * (src/scenario/fields.ts) filled in; only the names change here.
 */
export function hostConfig(s: Scenario, check: boolean): HostConfig {
  const h = s.host;
  const places = hostPlaces(h);
  const sch = h.scheduler;
  return {
    places,
    freqHz: h.freq,
    hz: h.hz,
    sched: {
      kind: sch.kind,
      ncpus: places.length,
      tunables: {
        ...(sch.latency !== undefined && { latencyNs: sch.latency }),
        ...(sch.min_granularity !== undefined && { minGranularityNs: sch.min_granularity }),
        ...(sch.wakeup_granularity !== undefined && { wakeupGranularityNs: sch.wakeup_granularity }),
        ...(sch.base_slice !== undefined && { baseSliceNs: sch.base_slice }),
        // Without base_slice, the host kernel's default (6.15 lowered it).
        ...(sch.base_slice === undefined && h.kernel !== undefined && { baseSliceNs: kernelScheduler(parseKernel(h.kernel), places.length).baseSliceNs }),
      },
    },
    costs: { contextSwitchNs: h.costs.context_switch, tickNs: h.costs.tick },
    // Refill bandwidths are not scenario fields: the model's own.
    cache: { ...DEFAULT_CACHE, privateBytes: h.cache.private, llcBytes: h.cache.llc, decayNs: h.cache.decay },
    isolcpus: h.isolcpus,
    nohzFull: h.nohz_full,
    smtFactor: h.smt_factor,
    migrationCostNs: sch.migration_cost,
    balanceIntervalNs: sch.balance_interval,
    warmupNs: s.warmup,
    check,
  };
}

export function kvmConfig(s: Scenario): KvmConfig {
  const k = s.host.kvm;
  const c = s.host.costs;
  const exitCosts: ExitCosts = {
    vmcallCycles: c.vmcall,
    cpuidCycles: c.cpuid,
    ioKvmCycles: c.io_kvm,
    qemuExtraCycles: c.qemu_extra,
    msrCycles: c.msr,
    ipiCycles: c.ipi,
    tscDeadlineCycles: c.tsc_deadline,
    hltCycles: c.hlt,
    externalInterruptCycles: c.external_interrupt,
    pleCycles: c.ple,
    apicAccessCycles: c.apic_access,
  };
  return {
    ple: k.ple,
    pleWindowCycles: k.ple_window,
    pleWindowGrow: k.ple_window_grow,
    pleWindowMaxCycles: k.ple_window_max,
    haltPollNs: k.halt_poll,
    haltPollGrowStartNs: k.halt_poll_grow_start,
    haltPollGrow: 2,
    postedInterrupts: k.posted_interrupts,
    guestHaltPollNs: 0,
    exitCosts,
  };
}

/** The QEMU command line of a guest, as `ps` shows it. */
export function qemuArgs(name: string, smpText: string, memory: number): string {
  const gib = memory / 1024 ** 3;
  const mem = Number.isInteger(gib) ? `${gib}G` : `${Math.round(memory / 1024 ** 2)}M`;
  return `qemu-system-x86_64 -enable-kvm -name ${name}${smpText ? ` -smp ${smpText}` : ''} -m ${mem} ${name}.img`;
}

/** Build the model: engine, host, one QEMU process per guest (count replicated). */
export function buildSimulation(s: Scenario, opts: { check?: boolean; actAhead?: boolean } = {}): Simulation {
  const engine = new Engine(s.seed);
  engine.actAhead = opts.actAhead ?? true;
  const cfg = hostConfig(s, opts.check ?? false);
  const host = new Host(engine, cfg);
  const kvm = kvmConfig(s);
  const sim: Simulation = { scenario: s, engine, host, guests: [], stopReason: null, processes: [], guestDefs: new Map() };
  if (s.host.kthreads) sim.processes.push(...addKernelThreads(engine, host));
  const pids = pidPlan(pidInput(s));
  const bg = addBackground(engine, host, s.host.background ?? [], pids.backgroundPid, weightOfNice);
  sim.processes.push(...bg);
  let j = 0;
  for (const g of s.guests) {
    for (let k = 1; k <= g.count; k++) {
      const name = g.count > 1 ? `${g.name}-${k}` : g.name;
      const pid = pids.qemuPids[j++];
      const guest = new Guest(
        engine,
        host,
        {
          name,
          pid,
          args: qemuArgs(name, g.smpText, g.memory),
          program: g.program,
          features: new Set(g.identity.flags),
          cpus: g.smp.cpus,
          maxcpus: g.smp.maxcpus,
          kvm: { ...kvm, guestHaltPollNs: g.haltpoll ?? 0 },
          onFault: g.on_fault,
          // r14: a per-vCPU seed for the guest program's own random numbers.
          initRegs: (cpuNo, regs) => {
            regs[14] = engine.rng(`guest/${name}/vcpu${cpuNo}/seed`).int(2 ** 30);
          },
        },
        pid,
        (reason) => {
          sim.stopReason ??= reason;
          engine.stopRequested = true;
        },
      );
      g.instance.install?.(guest);
      // libvirt-style pinning: vCPU i gets pin[i] (the last list repeats); emulatorpin covers the other threads.
      if (g.pin?.length) guest.onlineVcpus().forEach((v, i) => host.setAffinity(v.thread, g.pin![Math.min(i, g.pin!.length - 1)], 0));
      if (g.emulator_pin) for (const t of [guest.mainThread, ...guest.auxThreads]) host.setAffinity(t, g.emulator_pin, 0);
      sim.guests.push(guest);
      sim.guestDefs.set(guest, g);
    }
  }
  for (const guest of sim.guests) guest.boot(0);
  const kind: string = s.host.scheduler.kind;
  if (kind.startsWith('cosched-')) new CoScheduler(engine, host, sim.guests, kind === 'cosched-strict' ? 'strict' : 'relaxed', s.host.scheduler.cosched_skew, host.tickNs);
  return sim;
}
