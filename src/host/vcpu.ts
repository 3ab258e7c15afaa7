import { Prio, type Engine, type Handler, type SimEvent } from '../engine/engine.js';
import { cyclesToNs, nsToCycles, type Ns } from '../engine/time.js';
import { STRIDE } from '../cpu/assembler.js';
import { Core, CoreState, isWorkOp, STOP_BUDGET, STOP_EXIT, STOP_FAULT, STOP_PLE, STOP_SYNC } from '../cpu/core.js';
import * as I from '../cpu/isa.js';
import { COST, VEC_TIMER, VEC_IPI } from '../cpu/isa.js';
import { EXIT_INDEX, EXIT_REASONS, type ExitCosts } from './costs.js';
import { KVM_HC_KICK_CPU, KVM_HC_SCHED_YIELD, MSR_KVM_STEAL_TIME } from '../cpu/kvm-abi.js';
import { adaptedGuestPoll, adaptedHaltPoll, grownPleWindow } from './kvm-policy.js';
import type { Host } from './host.js';
import { ACC_GUEST, ACC_KVM, ACC_QEMU, STATE_BLOCKED, STATE_RUNNABLE, STATE_RUNNING, type HostThread, type ThreadBody } from './thread.js';
import type { Program } from '../cpu/assembler.js';
import type { PortHandler } from '../workloads/env.js';

/** What a vCPU uses of the guest (QEMU process) it belongs to; `Guest` implements it. */
export interface VcpuGuest {
  readonly program: Program;
  readonly features: Set<string>;
  readonly mem: Float64Array;
  readonly lineWriter: Int32Array;
  readonly lineVer: Int32Array;
  readonly ports: Map<number, PortHandler>;
  readonly vcpus: Vcpu[];
  lastBoosted: number;
  setPreempted(v: Vcpu, preempted: boolean, now: Ns): void;
  watch(addr: number, v: Vcpu): void;
  unwatch(addr: number, v: Vcpu): void;
  rewatch(addr: number, v: Vcpu): void;
  probe(id: number, value: number, at: Ns): void;
  onFault(v: Vcpu, message: string, now: Ns): void;
  storing(addr: number, t: Ns, by: Vcpu | null): void;
  ipi(cpuNo: number, vector: number, now: Ns): void;
  kick(cpuNo: number, now: Ns): void;
  onlineVcpus(): readonly Vcpu[];
  vcpuByCpuNo(n: number): Vcpu | undefined;
}

const PH_GUEST = 0;
const PH_EXIT = 1;
const PH_SPIN = 2;
const PH_POLL = 3;
const PH_HALT = 4;
const PH_DEAD = 5;
const PH_OFFLINE = 6;
/** The guest's haltpoll idle driver polls, in guest mode, before executing HLT. */
const PH_GPOLL = 7;
/** Where a vCPU is: the PH_ constants. */
type Phase = typeof PH_GUEST | typeof PH_EXIT | typeof PH_SPIN | typeof PH_POLL | typeof PH_HALT | typeof PH_DEAD | typeof PH_OFFLINE | typeof PH_GPOLL;

const EV_SYNC = 1;
const EV_BUDGET = 2;
const EV_EXIT = 3;
const EV_FAULT = 4;
const EV_PHASE_END = 5;
const EV_PLE = 6;
const EV_POLL_END = 7;
const EV_TIMER = 8;
const EV_PLE_RUN = 9;
const EV_GPOLL_END = 10;
/** What a vCPU's pending event is for: the EV_ constants. */
type VcpuEvent = typeof EV_SYNC | typeof EV_BUDGET | typeof EV_EXIT | typeof EV_FAULT | typeof EV_PHASE_END | typeof EV_PLE | typeof EV_POLL_END | typeof EV_TIMER | typeof EV_PLE_RUN | typeof EV_GPOLL_END;

const CONT_GUEST = 0;
const CONT_HALT = 1;
const CONT_OUT = 2;
const CONT_IN = 3;
const CONT_IPI = 4;
const CONT_IPIALL = 5;
const CONT_TIMER = 6;
const CONT_PLE = 7;
const CONT_KICK = 8;
const CONT_YIELD = 9;
const CONT_RDMSR = 10;
/** What happens when an exit's handling ends: the CONT_ constants. */
type Cont = typeof CONT_GUEST | typeof CONT_HALT | typeof CONT_OUT | typeof CONT_IN | typeof CONT_IPI | typeof CONT_IPIALL | typeof CONT_TIMER | typeof CONT_PLE | typeof CONT_KICK | typeof CONT_YIELD | typeof CONT_RDMSR;

export { KVM_HC_KICK_CPU, KVM_HC_SCHED_YIELD, MSR_KVM_STEAL_TIME };

/** Largest stretch of guest code run speculatively at once, in cycles (bounds replay work). */
const CHUNK_CYCLES = 50_000_000;

/** KVM's per-VM knobs that shape exits (module parameters of kvm / kvm_intel). */
export interface KvmConfig {
  /** Pause-loop exiting enabled (kvm_intel ple_gap != 0). */
  ple: boolean;
  /** kvm_intel ple_window: 4096 cycles, grown x2 per PLE exit, reset on sched-in (ple_window_shrink = 0). */
  pleWindowCycles: number;
  pleWindowGrow: number;
  pleWindowMaxCycles: number;
  /** halt_poll_ns: 200,000 ns on x86; grows x2 from halt_poll_ns_grow_start 10,000 on short halts; shrinks to 0. */
  haltPollNs: Ns;
  haltPollGrowStartNs: Ns;
  haltPollGrow: number;
  /** Posted interrupts (APICv): an interrupt reaches a running vCPU without an exit. */
  postedInterrupts: boolean;
  /**
   * The guest's cpuidle-haltpoll driver (drivers/cpuidle/cpuidle-haltpoll.c):
   * poll in guest mode up to this long before HLT; 0 disables it. Adapts
   * like its governor: starts at guest_halt_poll_grow_start (50 us), x2 after
   * a halt that ended within the maximum, /2 after a longer one.
   */
  guestHaltPollNs: Ns;
  exitCosts: ExitCosts;
}

/**
 * A vCPU's counts since it was created. Reports never read them directly:
 * a figure is the difference of two `Vcpu.countsAt` readings, at the start
 * and at the end of the measured window.
 */
export class VcpuStats {
  exits = new Float64Array(EXIT_REASONS.length);
  /** Guest instructions retired (set by `countsAt` from the core). */
  instrs = 0;
  spinNs = 0;
  pleExits = 0;
  directedYields = 0;
  haltPollHits = 0;
  haltPollMisses = 0;
  haltPollNs = 0;
  halts = 0;
  /** Guest haltpoll driver: polls that saw an interrupt (no HLT exit), polls that ran out, time polling. */
  guestPollHits = 0;
  guestPollMisses = 0;
  guestPollNs = 0;
  interrupts = 0;

  copy(): VcpuStats {
    const c = Object.assign(new VcpuStats(), this);
    c.exits = this.exits.slice();
    return c;
  }

  /** Counts from `base` to this, field by field. */
  since(base: VcpuStats): VcpuStats {
    const d = new VcpuStats();
    for (const k of VCPU_STAT_KEYS) d[k] = this[k] - base[k];
    for (let i = 0; i < d.exits.length; i++) d.exits[i] = this.exits[i] - base.exits[i];
    return d;
  }
}

/**
 * Exits that ended in the measured window, per reason (EXIT_REASONS order):
 * their count, sum, min, max and Welford's M2 of their durations
 * from the exit to the guest's re-entry (what `perf kvm stat` times from
 * kvm_exit to kvm_entry: KVM's and QEMU's handling, polling, blocking and any
 * preemption meanwhile), ns.
 */
export class ExitTimes {
  readonly n: Float64Array;
  readonly sumNs: Float64Array;
  readonly minNs: Float64Array;
  readonly maxNs: Float64Array;
  readonly meanNs: Float64Array;
  readonly m2: Float64Array;
  constructor(reasons: number) {
    this.n = new Float64Array(reasons);
    this.sumNs = new Float64Array(reasons);
    this.minNs = new Float64Array(reasons).fill(Infinity);
    this.maxNs = new Float64Array(reasons);
    this.meanNs = new Float64Array(reasons);
    this.m2 = new Float64Array(reasons);
  }
  add(reason: number, ns: Ns): void {
    const n = ++this.n[reason];
    this.sumNs[reason] += ns;
    if (ns < this.minNs[reason]) this.minNs[reason] = ns;
    if (ns > this.maxNs[reason]) this.maxNs[reason] = ns;
    const d = ns - this.meanNs[reason];
    this.meanNs[reason] += d / n;
    this.m2[reason] += d * (ns - this.meanNs[reason]);
  }
}

type NumericKeys<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];
const VCPU_STAT_KEYS = Object.keys(new VcpuStats()).filter((k) => k !== 'exits') as NumericKeys<VcpuStats>[];

/**
 * One vCPU: the body of a QEMU vCPU thread. It runs guest code on its core
 * in segments. A segment runs local ops ahead of simulated time up to the
 * next op that must happen at an exact instant (a shared-memory access or a
 * VM exit), and schedules that instant. If the host takes the CPU away
 * first, the segment is replayed from its start up to the preemption time,
 * so guest state is exact at every instant anyone can observe it.
 */
/**
 * Words loaded since the last store or exit with the value read: at most 8,
 * forgotten all at once when a ninth comes. (A Map cost an allocation per
 * clear, and clears come at every exit.)
 */
class RecentLoads {
  readonly addr = new Float64Array(9);
  readonly value = new Float64Array(9);
  n = 0;
  get(a: number): number | undefined {
    for (let k = 0; k < this.n; k++) if (this.addr[k] === a) return this.value[k];
    return undefined;
  }
  set(a: number, v: number): void {
    for (let k = 0; k < this.n; k++) {
      if (this.addr[k] === a) {
        this.value[k] = v;
        return;
      }
    }
    if (this.n === 8) {
      this.n = 0;
      return;
    }
    this.addr[this.n] = a;
    this.value[this.n++] = v;
  }
}

export class Vcpu implements ThreadBody, Handler {
  phase: Phase = PH_GUEST;
  readonly core: Core;
  private readonly snap = new CoreState();
  private segStart: Ns = 0;
  private ev: SimEvent | null = null;
  /**
   * `ev` fires early: a tick taken in place pushed the stretch's end to
   * `evAt`. When it fires it is scheduled again for `evAt`, with the sequence
   * number reserved when the stretch restarted (the one its event would have had).
   */
  private staleEv: SimEvent | null = null;
  private evAt: Ns = 0;
  private evSeq = 0;
  private speedHz: number;
  /** Guest CPU number (the guest numbers online CPUs contiguously). */
  cpuNo: number;
  pendingIrq = 0;
  // exit phase
  private exitMode = ACC_KVM;
  private exitEnd: Ns = 0;
  private exitLeft: Ns = 0;
  private qemuLeftCycles = 0;
  private cont: Cont = CONT_GUEST;
  private contArg = 0;
  private contArg2 = 0;
  // spin fast-forward
  private spinAddr = -1;
  private spinStart: Ns = 0;
  private spinPeriod: Ns = 0;
  private spinPauses = 0;
  /** The pc and value of the parked loop's load. */
  private spinPc = -1;
  private spinValue = NaN;
  /**
   * The core has not run since it was parked (it sits at the loop's load with
   * the state in `ldSnap`): after a PLE exit, a host tick or a preemption it
   * can be parked again at once if the word still holds `spinValue`.
   */
  private parked = false;
  /**
   * Parked ahead of time: the stretch that leads to the loop's load (from
   * segStart to spinStart, no memory access in it) was run but its time has
   * not all passed; interrupting it before spinStart replays it.
   */
  private parkedAhead = false;
  private lastLdPc = -1;
  private lastLdAddr = -1;
  private lastLdValue = NaN;
  private lastLdTime: Ns = -1;
  private readonly ldSnap = new CoreState();
  /** Words the pending stretch loaded optimistically (watched until it ends), and how many the last stretch had. */
  private readonly specWatch = new Float64Array(8);
  private nSpecWatch = 0;
  private lastSpec = 0;
  /** Words loaded since the last store or exit, with the value read (multi-word spin loops). */
  private readonly recent = new RecentLoads();
  private pleWindow: number;
  private pleEv: SimEvent | null = null;
  // halt and halt-polling
  private haltPoll: Ns = 0;
  private haltStart: Ns = 0;
  private wokenAt: Ns = 0;
  private pollLeft: Ns = 0;
  private timerEv: SimEvent | null = null;
  /** Guest haltpoll window now, and when the current poll began. */
  private gpoll: Ns = 0;
  private gpollStart: Ns = 0;
  private gpollLeft: Ns = 0;
  /** When the current idle period began (the guest's poll), or -1. */
  private idleSince: Ns = -1;
  /** Last guest pc, for `info cpus`. */
  readonly stats = new VcpuStats();
  /** Durations of the exits that ended after the warm-up, for `perf kvm stat`. */
  readonly exitTimes = new ExitTimes(EXIT_REASONS.length);
  /** The exit under way (EXIT_INDEX), or -1, and when it began. */
  private openExit = -1;
  private openExitAt: Ns = 0;
  /** Seen cache-line versions, for coherence costs. */
  private readonly seenVer: Int32Array;
  fault: string | null = null;
  /** The guest's CPU model has x2APIC: IPIs are MSR writes, not MMIO. */
  private readonly x2apic: boolean;

  constructor(
    readonly engine: Engine,
    readonly host: Host,
    readonly guest: VcpuGuest,
    readonly thread: HostThread,
    /** QEMU cpu index (`info cpus` #N). */
    readonly index: number,
    cpuNo: number,
    readonly kvm: KvmConfig,
  ) {
    this.core = new Core(guest.program, guest.mem);
    this.cpuNo = cpuNo;
    this.core.cpuNo = cpuNo;
    this.core.hasAvx2 = guest.features.has('avx2');
    this.core.hasRdtscp = guest.features.has('rdtscp');
    this.x2apic = guest.features.has('x2apic');
    this.speedHz = host.cfg.freqHz;
    this.pleWindow = kvm.pleWindowCycles;
    this.gpoll = Math.min(kvm.guestHaltPollNs, 50_000);
    this.seenVer = new Int32Array(guest.lineVer.length);
    this.core.attachLines(guest.lineWriter, guest.lineVer, this.seenVer, index);
    thread.body = this;
    thread.mode = ACC_GUEST;
  }

  get running(): boolean {
    return this.thread.state === STATE_RUNNING && this.thread.started;
  }
  get halted(): boolean {
    return this.phase === PH_HALT || this.phase === PH_POLL;
  }
  get dead(): boolean {
    return this.phase === PH_DEAD;
  }

  private ns(cycles: number): Ns {
    return cyclesToNs(cycles, this.speedHz);
  }
  private cycles(ns: Ns): number {
    return nsToCycles(ns, this.speedHz);
  }
  private tscAt(t: Ns): number {
    return nsToCycles(t, this.host.cfg.freqHz);
  }

  // ---- ThreadBody ----------------------------------------------------------

  start(now: Ns, stallNs: Ns, schedIn: boolean): void {
    this.guest.setPreempted(this, false, now);
    this.speedHz = this.host.cfg.freqHz * this.host.speed(this.thread.cpu);
    // kvm_sched_in → shrink_ple_window: with ple_window_shrink = 0 the window
    // resets. Only on a real switch to this thread: a spinner whose yield
    // finds nobody to run keeps its grown window, so it exits less often.
    if (schedIn) this.pleWindow = this.kvm.pleWindowCycles;
    this.core.pleWindow = this.kvm.ple ? this.pleWindow : 0;
    this.core.pleRun = 0;
    const t0 = now + stallNs;
    switch (this.phase) {
      case PH_GUEST:
        this.closeExitTime(now);
        this.host.setMode(this.thread, ACC_GUEST, now);
        // Descheduled while spinning: back at the same load with the same
        // state, so if the word is unchanged it is still a pure spin. The load
        // happens at t0; a store before then wakes the spin at t0 (spinWake).
        if (this.canRepark()) this.enterSpin(t0, this.spinAddr, this.spinPeriod, this.spinPauses);
        else this.runGuest(t0);
        break;
      case PH_EXIT:
        this.host.setMode(this.thread, this.exitMode, now);
        this.exitEnd = t0 + this.exitLeft;
        this.ev = this.engine.schedule(this.exitEnd, Prio.Resume, this, EV_PHASE_END);
        break;
      case PH_GPOLL:
        this.host.setMode(this.thread, ACC_GUEST, now);
        if (this.pendingIrq) this.guestPollHit(t0);
        else this.ev = this.engine.schedule(t0 + this.gpollLeft, Prio.Resume, this, EV_GPOLL_END);
        break;
      case PH_POLL:
        // kvm_vcpu_can_poll needs single_task_running(): with others queued here, block.
        if (this.host.othersQueued(this.thread.cpu) || this.pendingIrq) {
          this.endPoll(now, this.pendingIrq !== 0);
        } else {
          this.host.setMode(this.thread, ACC_KVM, now);
          this.ev = this.engine.schedule(now + this.pollLeft, Prio.Resume, this, EV_POLL_END);
        }
        break;
      case PH_HALT:
        // Woken from a halt: kvm_vcpu_halt accounts the block time and adapts polling.
        this.adaptHaltPoll(this.wokenAt - this.haltStart);
        // The governor judges the whole idle period: the guest's poll and the halt.
        this.adaptGuestPoll(this.wokenAt - (this.idleSince >= 0 ? this.idleSince : this.haltStart));
        this.idleSince = -1;
        this.phase = PH_GUEST;
        this.closeExitTime(now);
        this.host.setMode(this.thread, ACC_GUEST, now);
        this.runGuest(t0);
        break;
      case PH_DEAD:
      case PH_OFFLINE:
        this.host.block(this.thread, now);
        break;
    }
  }

  stop(now: Ns, preempted = false): void {
    if (preempted) this.schedOut(now);
    this.staleEv = null;
    switch (this.phase) {
      case PH_GUEST:
        if (this.ev) {
          this.engine.cancel(this.ev);
          this.ev = null;
          this.replayTo(now);
        }
        // Off the CPU nobody can roll us back: loads sync again when we run.
        this.dropLocal();
        // The next load comes after a gap: it does not measure a loop's period.
        this.lastLdPc = -1;
        break;
      case PH_EXIT:
        this.engine.cancel(this.ev);
        this.ev = null;
        this.exitLeft = Math.max(0, this.exitEnd - now);
        break;
      case PH_SPIN:
        this.leaveSpin(now);
        break;
      case PH_GPOLL:
        this.engine.cancel(this.ev);
        this.gpollLeft = Math.max(0, (this.ev?.time ?? now) - now);
        this.ev = null;
        break;
      case PH_POLL:
        this.engine.cancel(this.ev);
        this.pollLeft = Math.max(0, this.ev ? this.ev.time - now : 0);
        this.ev = null;
        break;
    }
  }

  /**
   * The counts as of `now`: what has been counted, the instructions the core
   * has retired, and the part up to `now` of a spin or a poll under way
   * (added to the counters only when it ends).
   */
  countsAt(now: Ns): VcpuStats {
    const s = this.stats.copy();
    s.instrs = this.core.instrs;
    if (this.phase === PH_SPIN) s.spinNs += Math.max(0, now - this.spinStart);
    else if (this.phase === PH_POLL) s.haltPollNs += now - this.haltStart;
    else if (this.phase === PH_GPOLL) s.guestPollNs += now - this.gpollStart;
    return s;
  }

  schedOut(now: Ns): void {
    // kvm_sched_out → kvm_steal_time_set_preempted: the guest sees this vCPU as preempted.
    this.guest.setPreempted(this, true, now);
  }

  /** A host interrupt (the tick) while this vCPU runs: an external-interrupt exit when in guest mode. */
  hostInterrupt(now: Ns): void {
    if (this.phase !== PH_GUEST && this.phase !== PH_SPIN) return;
    this.stats.exits[EXIT_INDEX.EXTERNAL_INTERRUPT]++;
    this.openExitTime(EXIT_INDEX.EXTERNAL_INTERRUPT, now);
    if (this.host.tracer) this.host.tracer.exit(this.thread.cpu, this.thread.tid, 'EXTERNAL_INTERRUPT', now);
  }

  /**
   * Ticks can be taken in place when stop + start would only shift time:
   * parked on a spin (re-parked at each handler's end), or inside one long
   * `work` op that goes on past each restarted stretch (a computing guest, a
   * preempted lock holder).
   */
  ticksInPlace(t: Ns, period: Ns, handlerNs: Ns, max: number): number {
    if (this.phase === PH_SPIN) {
      if (this.parkedAhead && t < this.spinStart) return 0;
      // A pending PAUSE-loop exit is re-armed at each handler's end: one at a time.
      return this.pleEv !== null ? Math.min(1, max) : max;
    }
    if (this.phase !== PH_GUEST) return 0;
    const ev = this.ev;
    if (ev === null || ev.kind !== EV_BUDGET || this.nSpecWatch > 0 || this.pendingIrq !== 0) return 0;
    const c = this.core;
    const s = this.snap;
    // The stretch is the rest of one work op (runGuest ran it to its end):
    // it started inside the op, with nothing owed, and stopped just past it.
    if (c.nLocal > 0 || c.probes.n > 0 || s.debt !== 0 || s.workLeft <= 0 || c.workLeft !== 0 || c.pc !== s.pc + 1 || c.instrs !== s.instrs + 1) return 0;
    if (!isWorkOp(c.code[s.pc * STRIDE])) return 0;
    // Each tick's replay runs b cycles of it, and what is left must still
    // outlast a chunk, so that the stretch from the handler's end is again
    // the rest of the op: the first replay from here, the later ones across
    // one tick period less a handler.
    const b1 = this.cycles(t - this.segStart);
    if (b1 <= 0 || s.workLeft - b1 <= CHUNK_CYCLES) return 0;
    const b = this.cycles(period - handlerNs);
    if (b <= 0) return 1;
    return Math.min(max, 1 + Math.floor((s.workLeft - b1 - CHUNK_CYCLES - 1) / b));
  }

  takeTicks(t: Ns, n: number, period: Ns, handlerNs: Ns): void {
    this.stats.exits[EXIT_INDEX.EXTERNAL_INTERRUPT] += n;
    // Each tick is an exit of one handler's length, back in the guest at its end.
    for (let k = 0; k < n; k++) if (t + k * period + handlerNs >= this.host.cfg.warmupNs) this.exitTimes.add(EXIT_INDEX.EXTERNAL_INTERRUPT, handlerNs);
    const c = this.core;
    const last = t + (n - 1) * period;
    const end = last + handlerNs;
    // start(): the PAUSE-loop count restarts after any exit.
    c.pleRun = 0;
    if (this.phase === PH_SPIN) {
      // leaveSpin at each tick, enterSpin at its handler's end, on the unchanged word.
      this.parkedAhead = false;
      this.stats.spinNs += Math.max(0, t - this.spinStart) + (n - 1) * (period - handlerNs);
      this.lastLdPc = -1;
      this.spinStart = end;
      this.guest.rewatch(this.spinAddr, this);
      if (this.pleEv) {
        this.engine.cancel(this.pleEv);
        this.pleEv = this.engine.schedule(end + this.ns(this.pleWindow), Prio.Resume, this, EV_PLE);
      }
      return;
    }
    // Each replayTo: b cycles of the op from the stretch's start, one run-count.
    const s = this.snap;
    const b = this.cycles(t - this.segStart) + (n - 1) * this.cycles(period - handlerNs);
    s.workLeft -= b;
    s.instrs += n;
    s.guestCycles += b;
    s.sinceSync += b;
    s.pleRun = 0;
    this.lastLdPc = -1;
    // runGuest at the last handler's end: the rest of the op, one run-count,
    // saved state as above.
    const rest = s.workLeft;
    this.segStart = end;
    c.workLeft = 0;
    c.pc = s.pc + 1;
    c.instrs = s.instrs + 1;
    c.guestCycles = s.guestCycles + rest;
    c.sinceSync = s.sinceSync + rest;
    c.cycles = rest;
    c.tsc0 = this.tscAt(end);
    // Its end moved out: the pending event comes early and is re-aimed then.
    this.staleEv = this.ev;
    this.evAt = end + this.ns(rest);
    this.evSeq = this.engine.reserveSeq();
  }

  // ---- guest execution -------------------------------------------------------

  /** Undo the speculative part of the current segment: re-run it only up to `t`. */
  private replayTo(t: Ns): void {
    const c = this.core;
    this.parked = false;
    this.dropSpec();
    c.undoSpec();
    c.restore(this.snap);
    c.probes.n = 0;
    c.tsc0 = this.tscAt(this.segStart);
    const budget = Math.max(0, this.cycles(t - this.segStart));
    const stop = c.run(budget);
    // The replayed loads all happened before t: nothing to watch.
    c.nSpec = 0;
    this.commitProbes();
    if (stop === STOP_FAULT) this.die(t);
  }

  /** Watch the words the stretch just run loaded optimistically: a store to one before it ends rolls it back. */
  private watchSpec(): void {
    const c = this.core;
    const n = c.nSpec;
    for (let k = 0; k < n; k++) {
      const a = c.specAddr[k];
      this.specWatch[k] = a;
      this.guest.watch(a, this);
    }
    this.nSpecWatch = n;
  }

  /** The stretch ended (or was cut): stop watching its optimistic loads. */
  private dropSpec(): void {
    const n = this.nSpecWatch;
    for (let k = 0; k < n; k++) this.guest.unwatch(this.specWatch[k], this);
    this.lastSpec = n;
    this.nSpecWatch = 0;
  }

  private runGuest(t0: Ns): void {
    const c = this.core;
    this.parked = false;
    this.deliverPending();
    c.save(this.snap);
    this.segStart = t0;
    c.probes.n = 0;
    c.tsc0 = this.tscAt(t0);
    const stop = c.run(CHUNK_CYCLES);
    // A stretch that is all one long work op goes on to the op's end.
    if (stop === STOP_BUDGET) c.finishWork(this.snap);
    if (c.nSpec > 0) this.watchSpec();
    const t = t0 + this.ns(c.cycles);
    // The stretch ends at a load that repeats a pure loop (as doSync would
    // find at t) and touched no memory on the way: park now, from t.
    if (stop === STOP_SYNC && c.nSpec === 0 && c.nLocal === 0 && c.probes.n === 0 && !c.syncWrites()) {
      const addr = c.address();
      if (this.repeatsLoad(addr, this.guest.mem[addr], t) && c.sameAs(this.ldSnap, c.loadDest())) {
        this.enterSpin(t, addr, t - this.lastLdTime, c.pauses);
        this.parkedAhead = t > t0;
        return;
      }
    }
    const kind = stop === STOP_SYNC ? EV_SYNC : stop === STOP_EXIT ? EV_EXIT : stop === STOP_FAULT ? EV_FAULT : stop === STOP_PLE ? EV_PLE_RUN : EV_BUDGET;
    this.ev = this.engine.schedule(t, Prio.Resume, this, kind);
  }

  /**
   * The run stops at `now`: count what the pending stretch's probes recorded
   * before then. Nothing that comes later can undo them (a conflicting store
   * or a preemption replays the stretch only up to its own instant).
   */
  settleProbes(now: Ns): void {
    const p = this.core.probes;
    for (let k = 0; k < p.n; k++) {
      const at = this.segStart + this.ns(p.at[k]);
      if (at < now) this.guest.probe(p.id[k], p.value[k], at);
    }
    p.n = 0;
  }

  private commitProbes(): void {
    const p = this.core.probes;
    for (let k = 0; k < p.n; k++) this.guest.probe(p.id[k], p.value[k], this.segStart + this.ns(p.at[k]));
    p.n = 0;
  }

  private deliverPending(): void {
    if (!this.pendingIrq || this.guest.program.irqEntry < 0) return;
    const c = this.core;
    if (!c.ifl || c.inIrq) return;
    const vec = 31 - Math.clz32(this.pendingIrq & -this.pendingIrq);
    if (c.interrupt(vec)) {
      this.pendingIrq &= ~(1 << vec);
      this.stats.interrupts++;
    }
  }

  onEvent(ev: SimEvent): void {
    const now = this.engine.now;
    if (ev.kind === EV_TIMER) {
      this.timerEv = null;
      this.raise(VEC_TIMER, now);
      return;
    }
    if (ev.kind === EV_PLE) {
      this.pleEv = null;
      this.pleExit(now);
      return;
    }
    if (ev === this.staleEv) {
      this.staleEv = null;
      this.ev = this.engine.schedule(this.evAt, Prio.Resume, this, EV_BUDGET, 0, this.evSeq);
      return;
    }
    this.ev = null;
    this.dropSpec();
    switch (ev.kind as VcpuEvent) {
      case EV_BUDGET:
        this.commitProbes();
        this.runGuest(now);
        break;
      case EV_SYNC:
        this.commitProbes();
        this.doSync(now);
        break;
      case EV_EXIT:
        this.commitProbes();
        this.doExit(now);
        break;
      case EV_FAULT:
        this.commitProbes();
        this.die(now);
        break;
      case EV_PLE_RUN:
        this.commitProbes();
        this.pleExit(now);
        break;
      case EV_PHASE_END:
        this.phaseEnd(now);
        break;
      case EV_POLL_END:
        this.endPoll(now, false);
        break;
      case EV_GPOLL_END:
        // Nothing came while the guest polled: the driver halts after all.
        this.stats.guestPollNs += now - this.gpollStart;
        this.stats.guestPollMisses++;
        this.phase = PH_GUEST;
        this.exit('HLT', now, this.kvm.exitCosts.hltCycles, 0, CONT_HALT);
        break;
    }
  }

  private die(now: Ns): void {
    this.fault = this.core.fault;
    this.phase = PH_DEAD;
    this.guest.onFault(this, this.core.fault ?? 'fault', now);
    if (this.thread.state === STATE_RUNNING) this.host.block(this.thread, now);
  }

  // ---- shared memory ---------------------------------------------------------

  private doSync(now: Ns): void {
    const c = this.core;
    const addr = c.address();
    const g = this.guest;
    const writes = c.syncWrites();
    if (!writes && addr >= 0 && addr < g.mem.length) {
      const value = g.mem[addr];
      // A load that repeats the previous sync op with the same machine state
      // and reads the same value starts a pure loop: it cannot end until
      // someone writes this word. Fast-forward instead of executing it.
      if (this.repeatsLoad(addr, value, now)) {
        // Parked, only this word is watched: a loop that also read other
        // words since the last sync (optimistically) keeps executing.
        if (this.lastSpec === 0 && c.sameAs(this.ldSnap, c.loadDest())) {
          this.enterSpin(now, addr, now - this.lastLdTime, c.pauses);
          return;
        }
        // The same load of the same value, but the state moved on (a counter,
        // a time-out): not a pure loop, so keep executing it, but read the
        // word locally while watching it instead of one event per load.
        this.watchLocal(addr, now);
      }
      // A loop over several words: a load of a word this vCPU read before with
      // the same value since its last store or exit becomes local too.
      const seen = this.recent.get(addr);
      if (seen !== undefined && seen === value && c.nLocal > 0) this.watchLocal(addr, now);
      this.recent.set(addr, value);
      this.lastLdPc = c.pc;
      this.lastLdAddr = addr;
      this.lastLdValue = value;
      this.lastLdTime = now;
      c.save(this.ldSnap);
    } else {
      this.lastLdPc = -1;
      this.recent.n = 0;
    }
    let extra = 0;
    const line = addr >> 3;
    if (line >= 0 && line < g.lineVer.length) {
      const w = g.lineWriter[line];
      if (writes) {
        if (w !== -1 && w !== this.index) extra = COST.lineTransfer;
        g.lineWriter[line] = this.index;
        this.seenVer[line] = ++g.lineVer[line];
      } else {
        if (w !== -1 && w !== this.index && this.seenVer[line] !== g.lineVer[line]) extra = COST.lineTransfer;
        this.seenVer[line] = g.lineVer[line];
      }
    }
    if (writes && addr >= 0 && addr < g.mem.length) g.storing(addr, now, this);
    const cost = c.execSync();
    if (cost < 0) {
      this.die(now);
      return;
    }
    c.debt += cost + extra;
    this.runGuest(now);
  }

  private enterSpin(now: Ns, addr: number, period: Ns, pauses: number): void {
    this.dropLocal();
    this.phase = PH_SPIN;
    this.spinPauses = pauses;
    this.spinAddr = addr;
    this.spinPc = this.core.pc;
    this.spinValue = this.guest.mem[addr];
    this.parked = true;
    this.spinStart = now;
    this.spinPeriod = Math.max(1, period);
    this.guest.watch(addr, this);
    if (this.kvm.ple && pauses > 0) {
      this.pleEv = this.engine.schedule(now + this.ns(this.pleWindow), Prio.Resume, this, EV_PLE);
    }
  }

  /** Stop spinning at `t`: the core stays at the loop's load, ready to re-execute it. */
  private leaveSpin(t: Ns): void {
    const ahead = this.parkedAhead && t < this.spinStart;
    this.parkedAhead = false;
    this.guest.unwatch(this.spinAddr, this);
    this.engine.cancel(this.pleEv);
    this.pleEv = null;
    this.stats.spinNs += Math.max(0, t - this.spinStart);
    this.phase = PH_GUEST;
    // The loop's period is known; time since its last executed load is not a
    // period (it spans the parked stretch, and maybe a deschedule).
    this.lastLdPc = -1;
    // Left before the loop's load: the core is mid-stretch at t.
    if (ahead) this.replayTo(t);
  }

  /** Whether the core, parked and not run since, can be parked again on the same loop. */
  private canRepark(): boolean {
    if (!this.parked || this.phase !== PH_GUEST) return false;
    const c = this.core;
    // A pending interrupt the program handles diverts it from the loop.
    if (this.pendingIrq && this.guest.program.irqEntry >= 0 && c.ifl && !c.inIrq) return false;
    return this.guest.mem[this.spinAddr] === this.spinValue && c.pc === this.spinPc && c.sameAs(this.ldSnap, c.loadDest());
  }

  /** Start reading `addr` locally (up to 4 words): registered as a watcher so a store rolls us back. */
  private watchLocal(addr: number, _now: Ns): void {
    const c = this.core;
    for (let k = 0; k < c.nLocal; k++) if (c.localAddrs[k] === addr) return;
    if (c.nLocal === 4) return;
    c.localAddrs[c.nLocal++] = addr;
    this.guest.watch(addr, this);
  }

  /** Stop reading watched words locally (a store to one, an exit, a preemption). */
  private dropLocal(): void {
    const c = this.core;
    for (let k = 0; k < c.nLocal; k++) {
      this.guest.unwatch(c.localAddrs[k], this);
      c.localAddrs[k] = -1;
    }
    c.nLocal = 0;
  }

  /** The word this vCPU spins on (or reads locally) is written at `t`: it sees it at its next load. */
  spinWake(t: Ns): void {
    if ((this.core.nLocal > 0 || this.nSpecWatch > 0) && this.phase !== PH_SPIN) {
      // Loads of the word in the current stretch after `t` read a stale value:
      // replay the stretch up to `t`, then go on with synced loads.
      if (this.phase === PH_GUEST && this.ev && this.running) {
        this.engine.cancel(this.ev);
        this.ev = null;
        // Replay with the local words still readable: memory still holds the
        // old value (the store happens after this notification). Go on only
        // after the store: running ahead now would read the old value.
        const at = Math.max(t, this.segStart);
        this.replayTo(at);
        this.dropLocal();
        if (this.phase === PH_GUEST) this.emptySegment(at, EV_BUDGET);
      } else {
        this.dropLocal();
        this.dropSpec();
      }
      return;
    }
    if (this.phase !== PH_SPIN) return;
    const k = Math.ceil((t - this.spinStart) / this.spinPeriod);
    const tb = this.spinStart + Math.max(0, k) * this.spinPeriod;
    this.engine.cancel(this.pleEv);
    this.pleEv = null;
    this.parkedAhead = false;
    this.stats.spinNs += Math.max(0, tb - this.spinStart);
    this.phase = PH_GUEST;
    this.lastLdPc = -1;
    // The core sits at the load; the segment is empty and ends at tb.
    this.emptySegment(tb, EV_SYNC);
  }

  /** A segment with nothing run in it, from and to `t`: the core goes on (`kind`) at t. */
  private emptySegment(t: Ns, kind: number): void {
    this.core.save(this.snap);
    this.segStart = t;
    this.ev = this.engine.schedule(t, Prio.Resume, this, kind);
  }

  /** The pending load at `addr`, reading `value` at `t`, repeats the last synced one (same pc, word and value; no probe between). */
  private repeatsLoad(addr: number, value: number, t: Ns): boolean {
    return this.lastLdPc === this.core.pc && this.lastLdAddr === addr && this.lastLdValue === value && !this.core.probed && t > this.lastLdTime;
  }

  // ---- exits ---------------------------------------------------------------

  private openExitTime(reason: number, now: Ns): void {
    this.openExit = reason;
    this.openExitAt = now;
  }

  /** Back in guest mode: the exit under way ends (counted when it ends after the warm-up). */
  private closeExitTime(now: Ns): void {
    if (this.openExit < 0) return;
    if (now >= this.host.cfg.warmupNs) this.exitTimes.add(this.openExit, now - this.openExitAt);
    this.openExit = -1;
  }

  private exit(reason: keyof typeof EXIT_INDEX, now: Ns, kvmCycles: number, qemuCycles: number, cont: Cont, arg = 0, arg2 = 0): void {
    this.openExitTime(EXIT_INDEX[reason], now);
    this.dropLocal();
    this.recent.n = 0;
    this.stats.exits[EXIT_INDEX[reason]]++;
    if (this.host.tracer) this.host.tracer.exit(this.thread.cpu, this.thread.tid, reason, now);
    this.lastLdPc = -1;
    this.phase = PH_EXIT;
    this.exitMode = ACC_KVM;
    this.qemuLeftCycles = qemuCycles;
    this.cont = cont;
    this.contArg = arg;
    this.contArg2 = arg2;
    this.host.setMode(this.thread, ACC_KVM, now);
    this.exitEnd = now + this.ns(kvmCycles);
    this.ev = this.engine.schedule(this.exitEnd, Prio.Resume, this, EV_PHASE_END);
  }

  private doExit(now: Ns): void {
    const c = this.core;
    const o = c.pc * STRIDE;
    const code = c.code;
    const op = code[o];
    const x = this.kvm.exitCosts;
    c.pc++;
    c.instrs++;
    switch (op) {
      case I.OP_HLT:
        if (this.kvm.guestHaltPollNs > 0 && !this.pendingIrq) {
          // The idle driver polls first; only if nothing comes does it halt.
          this.phase = PH_GPOLL;
          this.gpollStart = now;
          this.idleSince = now;
          this.ev = this.engine.schedule(now + this.gpoll, Prio.Resume, this, EV_GPOLL_END);
          break;
        }
        this.exit('HLT', now, x.hltCycles, 0, CONT_HALT);
        break;
      case I.OP_OUT:
      case I.OP_IN: {
        const port = code[o + 3];
        const h = this.guest.ports.get(port);
        const inKernel = h ? h.inKernel : false;
        const value = op === I.OP_OUT ? c.regs[code[o + 1]] : 0;
        this.exit('IO_INSTRUCTION', now, x.ioKvmCycles, inKernel ? 0 : x.qemuExtraCycles, op === I.OP_OUT ? CONT_OUT : CONT_IN, port, op === I.OP_OUT ? value : code[o + 1]);
        break;
      }
      case I.OP_CPUID:
        // simvm's CPUID leaf: r0 = 1 if avx2, r1 = 1 if rdtscp (the features the ISA's ops need).
        c.regs[0] = c.hasAvx2 ? 1 : 0;
        c.regs[1] = c.hasRdtscp ? 1 : 0;
        this.exit('CPUID', now, x.cpuidCycles, 0, CONT_GUEST);
        break;
      case I.OP_RDMSR:
        this.exit('MSR_READ', now, x.msrCycles, 0, CONT_RDMSR, code[o + 3], code[o + 1]);
        break;
      case I.OP_WRMSR:
        this.exit('MSR_WRITE', now, x.msrCycles, 0, CONT_GUEST);
        break;
      case I.OP_VMCALL: {
        const nr = code[o + 3];
        const target = c.regs[1];
        this.exit('VMCALL', now, x.vmcallCycles, 0, nr === KVM_HC_KICK_CPU ? CONT_KICK : nr === KVM_HC_SCHED_YIELD ? CONT_YIELD : CONT_GUEST, target);
        break;
      }
      case I.OP_IPI:
      case I.OP_IPI_I: {
        const target = op === I.OP_IPI ? c.regs[code[o + 1]] : code[o + 3];
        // x2APIC: the ICR is an MSR (fast path); xAPIC: an MMIO write KVM must emulate.
        if (this.x2apic) this.exit('MSR_WRITE', now, x.ipiCycles, 0, CONT_IPI, target);
        else this.exit('APIC_ACCESS', now, x.apicAccessCycles, 0, CONT_IPI, target);
        break;
      }
      case I.OP_IPIALL:
        if (this.x2apic) this.exit('MSR_WRITE', now, x.ipiCycles, 0, CONT_IPIALL);
        else this.exit('APIC_ACCESS', now, x.apicAccessCycles, 0, CONT_IPIALL);
        break;
      case I.OP_TIMER:
      case I.OP_TIMER_I: {
        const ns = op === I.OP_TIMER ? c.regs[code[o + 1]] : code[o + 3];
        this.exit('MSR_WRITE', now, x.tscDeadlineCycles, 0, CONT_TIMER, Math.max(0, Math.round(ns)));
        break;
      }
      default:
        c.pc--;
        c.instrs--;
        this.core.fault = `internal: unexpected exit op ${op}`;
        this.die(now);
    }
  }

  private phaseEnd(now: Ns): void {
    if (this.qemuLeftCycles > 0) {
      // The exit goes on to QEMU: the vCPU thread returns to user space.
      this.exitMode = ACC_QEMU;
      this.host.setMode(this.thread, ACC_QEMU, now);
      this.exitEnd = now + this.ns(this.qemuLeftCycles);
      this.qemuLeftCycles = 0;
      this.ev = this.engine.schedule(this.exitEnd, Prio.Resume, this, EV_PHASE_END);
      return;
    }
    this.phase = PH_GUEST;
    // A HLT exit goes on in halt(): polling or blocking until the vCPU is woken.
    if (this.cont !== CONT_HALT) this.closeExitTime(now);
    this.host.setMode(this.thread, ACC_GUEST, now);
    const g = this.guest;
    switch (this.cont) {
      case CONT_HALT:
        this.halt(now);
        return;
      case CONT_OUT:
        g.ports.get(this.contArg)?.out?.(this.contArg2, this.cpuNo, now);
        break;
      case CONT_IN: {
        const h = g.ports.get(this.contArg);
        this.core.regs[this.contArg2] = h?.in ? h.in(this.cpuNo, now) : 0xffffffff;
        break;
      }
      case CONT_RDMSR:
        this.core.regs[this.contArg2] = this.contArg === MSR_KVM_STEAL_TIME ? this.stealNs(now) : 0;
        break;
      case CONT_IPI:
        g.ipi(this.contArg, VEC_IPI, now);
        break;
      case CONT_IPIALL:
        for (const v of g.onlineVcpus()) if (v !== this) v.raise(VEC_IPI, now);
        break;
      case CONT_TIMER:
        this.engine.cancel(this.timerEv);
        this.timerEv = this.engine.schedule(now + this.contArg, Prio.Wakeup, this, EV_TIMER);
        break;
      case CONT_PLE:
        this.directedYield(now);
        // Back in the same loop with the same state: if the word is unchanged it
        // is still a pure spin, so re-park without re-executing loads to find out.
        if (this.canRepark()) {
          // The yield rescheduled this CPU, now and next: the vCPU is switched
          // out before it spins again (or re-picked, and then it re-parks in
          // start). Parking it here would only be undone.
          if (this.host.reschedDue(this.thread.cpu, now)) return;
          this.enterSpin(now, this.spinAddr, this.spinPeriod, this.spinPauses);
          return;
        }
        break;
      case CONT_KICK:
        g.kick(this.contArg, now);
        break;
      case CONT_YIELD: {
        const v = g.vcpuByCpuNo(this.contArg);
        if (v && v.thread.state === STATE_RUNNABLE && this.host.yieldTo(this.thread, v.thread, now)) this.stats.directedYields++;
        break;
      }
    }
    if (this.phase === PH_GUEST) this.runGuest(now);
  }

  /** Steal time as MSR_KVM_STEAL_TIME reports it: the thread's run_delay, ns. */
  stealNs(now: Ns): number {
    const t = this.thread;
    return t.runDelayNs + (t.state === STATE_RUNNABLE ? now - t.waitSince : 0);
  }

  // ---- pause-loop exiting and directed yield ----------------------------------

  private pleExit(now: Ns): void {
    if (this.phase === PH_SPIN) this.leaveSpin(now);
    else if (this.phase !== PH_GUEST) return;
    this.dropLocal();
    this.recent.n = 0;
    this.stats.pleExits++;
    this.pleWindow = grownPleWindow(this.pleWindow, this.kvm.pleWindowCycles, this.kvm.pleWindowGrow, this.kvm.pleWindowMaxCycles);
    this.core.pleWindow = this.pleWindow;
    this.core.pleRun = 0;
    this.stats.exits[EXIT_INDEX.PAUSE_INSTRUCTION]++;
    this.openExitTime(EXIT_INDEX.PAUSE_INSTRUCTION, now);
    if (this.host.tracer) this.host.tracer.exit(this.thread.cpu, this.thread.tid, 'PAUSE_INSTRUCTION', now);
    this.phase = PH_EXIT;
    this.exitMode = ACC_KVM;
    this.qemuLeftCycles = 0;
    this.cont = CONT_PLE;
    this.host.setMode(this.thread, ACC_KVM, now);
    this.exitEnd = now + this.ns(this.kvm.exitCosts.pleCycles);
    this.ev = this.engine.schedule(this.exitEnd, Prio.Resume, this, EV_PHASE_END);
  }

  /**
   * kvm_vcpu_on_spin: starting after the last boosted vCPU, yield to the first
   * vCPU of this guest that was preempted (runnable, not running).
   */
  private directedYield(now: Ns): void {
    const vs = this.guest.vcpus;
    const n = vs.length;
    const start = this.guest.lastBoosted;
    for (let k = 1; k <= n; k++) {
      const v = vs[(start + k) % n];
      // Eligible: runnable and not running: preempted, or woken (kicked) from a
      // halt and waiting for a CPU (vcpu->ready in kvm_vcpu_on_spin).
      if (v === this || v.thread.state !== STATE_RUNNABLE || v.dead) continue;
      if (this.host.yieldTo(this.thread, v.thread, now)) {
        this.guest.lastBoosted = (start + k) % n;
        this.stats.directedYields++;
        return;
      }
    }
  }

  // ---- halt, halt-polling and interrupts ---------------------------------------

  private halt(now: Ns): void {
    if (this.pendingIrq) {
      this.closeExitTime(now);
      // An interrupt is pending: hlt does not halt.
      if (this.guest.program.irqEntry < 0) this.pendingIrq = 0;
      this.runGuest(now);
      return;
    }
    this.stats.halts++;
    this.haltStart = now;
    if (this.haltPoll > 0 && !this.host.othersQueued(this.thread.cpu)) {
      this.phase = PH_POLL;
      this.host.setMode(this.thread, ACC_KVM, now);
      this.ev = this.engine.schedule(now + this.haltPoll, Prio.Resume, this, EV_POLL_END);
      return;
    }
    this.block(now);
  }

  private block(now: Ns): void {
    this.phase = PH_HALT;
    this.host.block(this.thread, now);
  }

  /** Polling ended: woken (`hit`) or the window ran out / the CPU is wanted (block). */
  private endPoll(now: Ns, hit: boolean): void {
    this.engine.cancel(this.ev);
    this.ev = null;
    this.stats.haltPollNs += now - this.haltStart;
    if (hit) {
      this.stats.haltPollHits++;
      this.adaptHaltPoll(now - this.haltStart);
      this.phase = PH_GUEST;
      this.closeExitTime(now);
      this.host.setMode(this.thread, ACC_GUEST, now);
      if (this.pendingIrq && this.guest.program.irqEntry < 0) this.pendingIrq = 0;
      this.runGuest(now);
      return;
    }
    this.stats.haltPollMisses++;
    this.block(now);
  }

  /** An interrupt came while the guest polled: no HLT, no exit. */
  private guestPollHit(now: Ns): void {
    this.engine.cancel(this.ev);
    this.ev = null;
    this.stats.guestPollNs += now - this.gpollStart;
    this.stats.guestPollHits++;
    this.idleSince = -1;
    this.phase = PH_GUEST;
    if (this.guest.program.irqEntry < 0) this.pendingIrq = 0;
    this.runGuest(now);
  }

  /** The haltpoll governor (drivers/cpuidle/governors/haltpoll.c): grow after short idles, shrink after long ones. */
  private adaptGuestPoll(idleNs: Ns): void {
    this.gpoll = adaptedGuestPoll(this.gpoll, idleNs, this.kvm.guestHaltPollNs);
  }

  /** kvm_vcpu_halt's adaptation of halt_poll_ns (virt/kvm/kvm_main.c). */
  private adaptHaltPoll(blockNs: Ns): void {
    this.haltPoll = adaptedHaltPoll(this.haltPoll, blockNs, this.kvm.haltPollNs, this.kvm.haltPollGrow, this.kvm.haltPollGrowStartNs);
  }

  /** An interrupt for this vCPU (timer, IPI, device). */
  raise(vec: number, now: Ns): void {
    if (this.phase === PH_DEAD || this.phase === PH_OFFLINE) return;
    this.pendingIrq |= 1 << vec;
    switch (this.phase) {
      case PH_GPOLL:
        if (this.running) this.guestPollHit(now);
        break;
      case PH_HALT:
        if (this.thread.state === STATE_BLOCKED) {
          this.wokenAt = now;
          this.host.wake(this.thread, now);
        }
        break;
      case PH_POLL:
        if (this.running) this.endPoll(now, true);
        break;
      case PH_SPIN:
        if (this.running && this.guest.program.irqEntry >= 0) {
          this.leaveSpin(now);
          this.runGuest(now);
        }
        break;
      case PH_GUEST:
        // Only a program with a handler can be diverted by an interrupt
        // while it runs; without one it is noticed at the next hlt.
        if (this.running && this.ev && this.guest.program.irqEntry >= 0 && this.core.ifl && !this.core.inIrq) {
          this.engine.cancel(this.ev);
          this.ev = null;
          this.replayTo(now);
          if (this.phase === PH_GUEST) this.runGuest(now);
        }
        break;
    }
  }

  /** Hot-unplug or not yet plugged: the thread sleeps for good. */
  setOffline(): void {
    this.phase = PH_OFFLINE;
  }

  /** The guest pc, for `info cpus` (a halted vCPU reports the hlt's address). */
  get pc(): number {
    return this.core.pc;
  }

  /** Whether the guest is spinning right now (for tests and traces). */
  get spinning(): boolean {
    return this.phase === PH_SPIN;
  }

  static readonly STOP = { STOP_BUDGET, STOP_SYNC, STOP_EXIT, STOP_FAULT };
}
