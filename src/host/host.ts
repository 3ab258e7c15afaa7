import { Prio, type Engine, type Handler, type SimEvent, InvariantError } from '../engine/engine.js';
import { periodNs, type Ns } from '../engine/time.js';
import { makeScheduler, type RunQueue, type SchedClass, type SchedulerConfig } from '../scheduler/index.js';
import { DEFAULT_CACHE, DEFAULT_HOST_COSTS, type CacheModel, type HostCosts } from './costs.js';
import type { Tracer } from './tracer.js';
import type { HostCpuPlace } from '../topology/types.js';
import {
  ACC_HOST,
  ACC_KVM,
  ACC_SLEEP,
  ACC_WAIT,
  HostThread,
  N_ACC,
  STATE_BLOCKED,
  STATE_RUNNABLE,
  STATE_RUNNING,
  type ThreadKind,
} from './thread.js';

import { CPU_ACC_NAMES, CPU_GUEST, CPU_HOST, CPU_IDLE, CPU_KVM, CPU_QEMU, CPU_SCHED, CPU_STATE_OF_MODE } from './cputime.js';
import { maskHas, maskNext, maskSet } from './cpumask.js';

export { CPU_ACC_NAMES, CPU_GUEST, CPU_HOST, CPU_IDLE, CPU_KVM, CPU_QEMU, CPU_SCHED };

const EV_RESCHED = 1;
const EV_START = 2;
const EV_TICK = 3;
const EV_IDLE_BALANCE = 4;

export type CpuPlaceHost = HostCpuPlace;

export interface HostConfig {
  places: CpuPlaceHost[];
  freqHz: number;
  /** Host timer interrupt rate (CONFIG_HZ). RHEL 7/8 kernels use 1000. */
  hz: number;
  sched: SchedulerConfig;
  costs: HostCosts;
  cache: CacheModel;
  /** CPUs removed from the scheduler's domains (isolcpus=). */
  isolcpus: number[];
  /** CPUs with the tick stopped while one task runs (nohz_full=). */
  nohzFull: number[];
  /** Speed of each of two busy SMT siblings relative to one alone. */
  smtFactor: number;
  /** sysctl_sched_migration_cost: a task that ran this recently is cache-hot and not pulled by balancing. 0.5 ms. */
  migrationCostNs: Ns;
  /** Periodic load-balance interval, ns (sd->balance_interval starts at the domain weight in ms). */
  balanceIntervalNs: Ns;
  warmupNs: Ns;
  check: boolean;
}

export function defaultHostConfig(places: CpuPlaceHost[]): HostConfig {
  return {
    places,
    freqHz: 3e9,
    hz: 1000,
    sched: { kind: 'cfs', ncpus: places.length, tunables: {} },
    costs: { ...DEFAULT_HOST_COSTS },
    cache: { ...DEFAULT_CACHE },
    isolcpus: [],
    nohzFull: [],
    smtFactor: 0.6,
    migrationCostNs: 500_000,
    balanceIntervalNs: 4_000_000,
    warmupNs: 0,
    check: false,
  };
}

export class Pcpu {
  rq!: RunQueue<HostThread>;
  acc = new Float64Array(6);
  accState = CPU_IDLE;
  accSince: Ns = 0;
  reschedEv: SimEvent | null = null;
  startEv: SimEvent | null = null;
  /** A resched came while a context switch or the tick handler was in progress. */
  reschedPending = false;
  /** The pending EV_START ends a context switch (not a tick handler). */
  switchIn = false;
  tickEv: SimEvent | null = null;
  nextBalance: Ns = 0;
  balanceFailed = 0;
  siblings: number[] = [];
  switches = 0;
  /** Hot-unplugged (`chcpu -d`): runs nothing until brought back. */
  online = true;
  constructor(
    readonly id: number,
    readonly place: CpuPlaceHost,
    readonly isolated: boolean,
    readonly nohzFull: boolean,
  ) {}
}

/**
 * The host: pCPUs, the threads the host kernel schedules, and the shared
 * parts of the scheduler (run-queue selection, load balancing, ticks,
 * context switches). The scheduling class decides order within a run queue.
 */
export class Host implements Handler {
  readonly cpus: Pcpu[];
  readonly threads: HostThread[] = [];
  readonly sched: SchedClass<HostThread>;
  readonly tickNs: Ns;
  private readonly defaultAllowed: Uint8Array;
  // CPU masks (struct cpumask), one bit per CPU id in 32-bit words, kept up to
  // date wherever a run queue's curr or queue changes (rqChanged) and where a
  // CPU's accounting state goes busy or idle (accountCpu), so wake-up
  // placement and balancing need not scan every CPU.
  /** available_idle_cpu: nothing running and nothing queued. */
  private readonly idleMask: Uint32Array;
  /** Idle, and every SMT sibling idle too (what select_idle_core looks for). */
  private readonly idleCoreMask: Uint32Array;
  /** Threads waiting in the queue; with nrQueuedCpus, the root domain's overload flag (rd->overload). */
  private readonly queuedMask: Uint32Array;
  private nrQueuedCpus = 0;
  /** Per CPU, the CPUs of its socket (sd_llc's span). */
  private readonly llcMask: Uint32Array[];
  /** Per CPU, how many of its SMT siblings are not idle (accState). */
  private readonly busySiblings: Int32Array;
  /** Attached for --trace; null otherwise. */
  tracer: Tracer | null = null;

  constructor(
    readonly engine: Engine,
    readonly cfg: HostConfig,
  ) {
    const n = cfg.places.length;
    this.tickNs = periodNs(cfg.hz);
    this.sched = makeScheduler<HostThread>({ tickNs: this.tickNs, ...cfg.sched });
    this.cpus = cfg.places.map((p, i) => new Pcpu(i, p, cfg.isolcpus.includes(i), cfg.nohzFull.includes(i)));
    for (const c of this.cpus) {
      c.rq = this.sched.newRunQueue(c.id);
      c.siblings = this.cpus
        .filter((o) => o.id !== c.id && o.place.socket === c.place.socket && o.place.core === c.place.core)
        .map((o) => o.id);
    }
    this.defaultAllowed = new Uint8Array(n);
    // isolcpus= removes CPUs from the housekeeping set: ordinary threads'
    // default affinity leaves them out (kernel/sched/isolation.c).
    for (let i = 0; i < n; i++) this.defaultAllowed[i] = this.cpus[i].isolated ? 0 : 1;
    if (!this.defaultAllowed.some((x) => x)) this.defaultAllowed.fill(1);
    const words = (n + 31) >>> 5;
    this.idleMask = new Uint32Array(words);
    this.idleCoreMask = new Uint32Array(words);
    this.queuedMask = new Uint32Array(words);
    this.busySiblings = new Int32Array(n);
    const llc = new Map<number, Uint32Array>();
    for (const c of this.cpus) {
      // Every CPU starts idle: empty run queue, accState CPU_IDLE.
      maskSet(this.idleMask, c.id);
      maskSet(this.idleCoreMask, c.id);
      let m = llc.get(c.place.socket);
      if (!m) llc.set(c.place.socket, (m = new Uint32Array(words)));
      maskSet(m, c.id);
    }
    this.llcMask = this.cpus.map((c) => llc.get(c.place.socket)!);
  }

  /** A run queue's curr or queue changed: update the idle and queued masks. */
  private rqChanged(c: Pcpu): void {
    const i = c.id;
    const queued = c.rq.queue.length > 0;
    if (queued !== maskHas(this.queuedMask, i)) {
      this.queuedMask[i >>> 5] ^= 1 << (i & 31);
      this.nrQueuedCpus += queued ? 1 : -1;
    }
    const idle = !queued && !c.rq.curr;
    if (idle !== maskHas(this.idleMask, i)) {
      this.idleMask[i >>> 5] ^= 1 << (i & 31);
      this.idleCoreChanged(i);
    }
  }

  /** Recompute a CPU's bit in idleCoreMask from idleMask and its siblings' states. */
  private idleCoreChanged(i: number): void {
    if (this.busySiblings[i] === 0 && maskHas(this.idleMask, i)) maskSet(this.idleCoreMask, i);
    else this.idleCoreMask[i >>> 5] &= ~(1 << (i & 31));
  }

  /** Some CPU is online and in the thread's affinity mask. */
  private anyOnlineAllowed(t: HostThread): boolean {
    for (let i = 0; i < this.cpus.length; i++) if (this.cpus[i].online && t.allowed[i]) return true;
    return false;
  }

  get ncpus(): number {
    return this.cpus.length;
  }

  /** Create a thread, asleep, allowed on every housekeeping CPU. */
  addThread(tid: number, pid: number, name: string, kind: ThreadKind, group: number, footprint = { privateBytes: 0, llcBytes: 0 }): HostThread {
    const t = new HostThread(tid, pid, name, kind, this.ncpus, group, footprint);
    t.allowed.set(this.defaultAllowed);
    t.accSince = this.engine.now;
    t.createdAt = this.engine.now;
    this.threads.push(t);
    return t;
  }

  // ---- accounting -------------------------------------------------------

  /** Add [since, now) to a bucket, counting only what lies after warm-up. */
  private add(acc: Float64Array, state: number, since: Ns, now: Ns): void {
    const from = Math.max(since, this.cfg.warmupNs);
    if (now > from) acc[state] += now - from;
  }

  accountThread(t: HostThread, state: number, now: Ns): void {
    this.add(t.acc, t.accState, t.accSince, now);
    if (t.accState === ACC_WAIT) t.runDelayNs += now - t.waitSince;
    if (state === ACC_WAIT) t.waitSince = now;
    t.accState = state;
    t.accSince = now;
  }

  /**
   * A handler that interrupts the running thread for [from, to), in `mode`
   * (KVM or host kernel), then returns to it: what accountThread and
   * accountCpu at `from` and again at `to` add. Neither state goes idle, so no
   * sibling changes.
   */
  private accountHandler(t: HostThread, c: Pcpu, mode: number, from: Ns, to: Ns): void {
    this.add(t.acc, t.accState, t.accSince, from);
    this.add(t.acc, mode, from, to);
    t.accState = t.mode;
    t.accSince = to;
    this.add(c.acc, c.accState, c.accSince, from);
    this.add(c.acc, CPU_SCHED, from, to);
    c.accState = CPU_STATE_OF_MODE[t.mode];
    c.accSince = to;
  }

  accountCpu(c: Pcpu, state: number, now: Ns): void {
    const wasBusy = c.accState !== CPU_IDLE;
    this.add(c.acc, c.accState, c.accSince, now);
    c.accState = state;
    c.accSince = now;
    const busy = state !== CPU_IDLE;
    if (wasBusy !== busy && c.siblings.length) {
      for (const s of c.siblings) {
        this.busySiblings[s] += busy ? 1 : -1;
        this.idleCoreChanged(s);
      }
      if (this.cfg.smtFactor !== 1) this.siblingChanged(c, now);
    }
  }

  /** The running thread changes mode (guest, KVM, QEMU, host). */
  setMode(t: HostThread, mode: number, now: Ns): void {
    const changed = t.mode !== mode;
    t.mode = mode;
    if (t.state === STATE_RUNNING && t.started) {
      this.accountThread(t, mode, now);
      this.accountCpu(this.cpus[t.cpu], CPU_STATE_OF_MODE[mode], now);
      if (changed && this.tracer) this.tracer.mode(t.cpu, t.tid, mode, now);
    }
  }

  /** Close the books at the end of the run. */
  finish(now: Ns): void {
    for (const t of this.threads) this.accountThread(t, t.accState, now);
    for (const c of this.cpus) this.add(c.acc, c.accState, c.accSince, now), (c.accSince = now);
  }

  /** Relative speed of a CPU now: slower while its SMT sibling is busy. */
  speed(cpu: number): number {
    const c = this.cpus[cpu];
    for (const s of c.siblings) if (this.cpus[s].accState !== CPU_IDLE) return this.cfg.smtFactor;
    return 1;
  }

  /** A sibling went busy or idle: running bodies re-base on the new speed. */
  private siblingChanged(c: Pcpu, now: Ns): void {
    for (const s of c.siblings) {
      const t = this.cpus[s].rq.curr;
      if (t && t.started) {
        t.body.stop(now, false);
        t.body.start(now, 0, false);
      }
    }
  }

  // ---- thread state changes ---------------------------------------------

  /** Wake a sleeping thread (try_to_wake_up). */
  wake(t: HostThread, now: Ns): void {
    if (t.state !== STATE_BLOCKED) return;
    // Per-CPU kernel threads of an offline CPU are parked (smpboot), not moved.
    if (t.kind === 'kthread' && !this.anyOnlineAllowed(t)) return;
    const cpu = this.selectCpu(t, now);
    // A sleeper keeps its absolute vruntime (dequeue_entity with DEQUEUE_SLEEP
    // does not normalise), so place_entity can give it sleeper credit; only a
    // wake-up on another CPU re-bases it (migrate_task_rq_fair).
    const old = t.cpu >= 0 ? t.cpu : t.lastCpu;
    if (old >= 0 && old !== cpu) this.sched.detach(this.cpus[old].rq, t);
    else this.sched.detach(this.cpus[cpu].rq, t);
    this.enqueueOn(t, cpu, now, 'wakeup');
    this.accountThread(t, ACC_WAIT, now);
    const rq = this.cpus[cpu].rq;
    if (!rq.curr || this.sched.checkPreemptWakeup(rq, t, now)) this.resched(cpu, now);
  }

  private enqueueOn(t: HostThread, cpu: number, now: Ns, how: 'wakeup' | 'new' | 'migrate'): void {
    const rq = this.cpus[cpu].rq;
    // Callers detached the thread's vruntime from its old rq; re-base it here.
    this.sched.attach(rq, t);
    t.cpu = cpu;
    t.state = STATE_RUNNABLE;
    this.sched.enqueue(rq, t, now, how);
    this.rqChanged(this.cpus[cpu]);
  }

  /** Start a new thread (fork + wake_up_new_task). */
  spawn(t: HostThread, now: Ns): void {
    const cpu = this.selectCpu(t, now);
    t.cpu = cpu;
    t.state = STATE_RUNNABLE;
    this.sched.enqueue(this.cpus[cpu].rq, t, now, 'new');
    this.rqChanged(this.cpus[cpu]);
    this.accountThread(t, ACC_WAIT, now);
    const rq = this.cpus[cpu].rq;
    if (!rq.curr || this.sched.checkPreemptWakeup(rq, t, now)) this.resched(cpu, now);
  }

  /** The running thread goes to sleep; its body has already brought itself to `now`. */
  block(t: HostThread, now: Ns): void {
    if (t.state !== STATE_RUNNING) throw new InvariantError(`block of thread ${t.tid} that is not running`);
    const c = this.cpus[t.cpu];
    this.sched.putPrev(c.rq, now, false);
    this.rqChanged(c);
    t.state = STATE_BLOCKED;
    t.started = false;
    t.lastRanEnd = now;
    t.lastCpu = c.id;
    this.accountThread(t, ACC_SLEEP, now);
    this.accountCpu(c, CPU_SCHED, now);
    this.engine.cancel(c.startEv);
    c.startEv = null;
    this.resched(c.id, now);
  }

  /** sched_yield() from the running thread. */
  yield(t: HostThread, now: Ns): void {
    const c = this.cpus[t.cpu];
    if (c.rq.curr !== t) return;
    this.sched.yieldCurr(c.rq, now);
    this.resched(c.id, now);
  }

  /**
   * single_task_running() seen from a thread on `cpu`: whether others wait
   * in its run queue (KVM stops halt-polling when they do).
   */
  othersQueued(cpu: number): boolean {
    return this.cpus[cpu].rq.queue.length > 0;
  }

  /** yield_to(target) from the running thread `t` (KVM's directed yield). True if it yielded. */
  yieldTo(t: HostThread, target: HostThread, now: Ns): boolean {
    if (target.state !== STATE_RUNNABLE) return false;
    const trq = this.cpus[target.cpu].rq;
    if (!this.sched.yieldTo(trq, target)) return false;
    const c = this.cpus[t.cpu];
    this.sched.yieldCurr(c.rq, now);
    this.resched(c.id, now);
    if (trq !== c.rq) this.resched(target.cpu, now);
    return true;
  }

  /**
   * Co-stop a runnable or running thread: it leaves the run queues (like a
   * throttled entity) and stays runnable, waiting, until co-started.
   */
  costop(t: HostThread, now: Ns): void {
    if (t.costopped || (t.state !== STATE_RUNNABLE && t.state !== STATE_RUNNING)) return;
    t.costopped = true;
    t.costopSince = now;
    if (t.state === STATE_RUNNING) {
      this.resched(t.cpu, now);
      return;
    }
    this.sched.dequeue(this.cpus[t.cpu].rq, t, now);
    this.rqChanged(this.cpus[t.cpu]);
  }

  /** Co-start: back on a run queue, preempting like a wake-up would. */
  costart(t: HostThread, now: Ns): void {
    if (!t.costopped) return;
    t.costopped = false;
    t.costopNs += Math.max(0, now - Math.max(t.costopSince, this.cfg.warmupNs));
    if (t.state === STATE_RUNNING) return; // still on its CPU: the co-stop had not taken effect
    if (t.state !== STATE_RUNNABLE) return;
    const cpu = this.selectCpu(t, now);
    if (cpu !== t.cpu) this.sched.detach(this.cpus[t.cpu].rq, t);
    else this.sched.detach(this.cpus[cpu].rq, t);
    this.enqueueOn(t, cpu, now, 'migrate');
    const rq = this.cpus[cpu].rq;
    if (!rq.curr || this.sched.checkPreemptWakeup(rq, t, now)) this.resched(cpu, now);
  }

  /** Hot-unplug a host CPU (`chcpu -d`): its threads move away; it then stays idle. */
  offline(cpu: number, now: Ns): string[] {
    const c = this.cpus[cpu];
    if (!c.online) return [];
    c.online = false;
    const broken: string[] = [];
    for (const t of this.threads) if (t.allowed[cpu] && t.kind !== 'kthread' && !this.anyOnlineAllowed(t)) broken.push(`process ${t.tid} (${t.name}) no longer affine to cpu${cpu}`);
    for (const t of [...c.rq.queue]) {
      if (t.kind === 'kthread') continue;
      const to = this.moveQueued(t, c, now);
      if (!this.cpus[to].rq.curr) this.resched(to, now);
    }
    this.resched(cpu, now);
    return broken;
  }

  /** Bring a host CPU back (`chcpu -e`); balancing fills it. */
  online(cpu: number, now: Ns): void {
    const c = this.cpus[cpu];
    if (c.online) return;
    c.online = true;
    this.resched(cpu, now);
  }

  /** Change a thread's affinity (sched_setaffinity / taskset). */
  setAffinity(t: HostThread, cpus: number[], now: Ns): void {
    t.allowed.fill(0);
    for (const c of cpus) t.allowed[c] = 1;
    // A co-stopped thread is on no queue: it is placed when co-started.
    if (t.cpu < 0 || t.allowed[t.cpu] || t.costopped) return;
    if (t.state === STATE_RUNNABLE) {
      const to = this.moveQueued(t, this.cpus[t.cpu], now);
      if (!this.cpus[to].rq.curr) this.resched(to, now);
    } else if (t.state === STATE_RUNNING) {
      // The stopper thread (migration/N) moves a running task: preempt it; the
      // resched path puts it back and we move it from the queue there.
      this.pendingMove.add(t);
      this.resched(t.cpu, now);
    }
  }
  private readonly pendingMove = new Set<HostThread>();

  // ---- placement ---------------------------------------------------------

  /**
   * select_task_rq_fair, simplified: the previous CPU if it is allowed and
   * idle; else an idle allowed CPU sharing its LLC (socket), then any idle
   * allowed CPU; else the allowed CPU with the fewest runnable threads.
   */
  selectCpu(t: HostThread, _now: Ns): number {
    const prev = t.cpu >= 0 ? t.cpu : t.lastCpu;
    const cpus = this.cpus;
    let prevOk = prev >= 0 && t.allowed[prev] === 1 && cpus[prev].online;
    if (!prevOk && !this.anyOnlineAllowed(t)) {
      // select_fallback_rq: every allowed CPU went offline, so the kernel
      // widens the mask ("process N no longer affine to cpuM").
      // The new mask is every possible CPU (task_cpu_possible_mask), so the
      // thread may return when its CPU comes back.
      for (let i = 0; i < cpus.length; i++) t.allowed[i] = cpus[i].isolated ? 0 : 1;
      if (!this.anyOnlineAllowed(t)) t.allowed.fill(1);
      prevOk = prev >= 0 && t.allowed[prev] === 1 && cpus[prev].online;
    }
    if (prevOk && maskHas(this.idleMask, prev)) return prev;
    // select_idle_sibling: the lowest-numbered idle allowed CPU in prev's LLC
    // (for_each_cpu_wrap over sched_domain_span(sd_llc), from CPU 0 here)...
    const idle = this.idleMask;
    if (prev >= 0) {
      const llc = this.llcMask[prev];
      for (let i = maskNext(idle, llc, 0); i >= 0; i = maskNext(idle, llc, i + 1)) {
        if (t.allowed[i] === 1 && cpus[i].online) return this.preferIdleCore(i, t);
      }
    }
    // ...then the lowest-numbered idle allowed CPU anywhere.
    for (let i = maskNext(idle, null, 0); i >= 0; i = maskNext(idle, null, i + 1)) {
      if (t.allowed[i] === 1 && cpus[i].online) return this.preferIdleCore(i, t);
    }
    if (prevOk) return prev;
    let best = -1;
    let bestNr = Infinity;
    for (let i = 0; i < cpus.length; i++) {
      if (t.allowed[i] !== 1 || !cpus[i].online) continue;
      const rq = cpus[i].rq;
      const nr = rq.queue.length + (rq.curr ? 1 : 0);
      if (nr < bestNr) {
        bestNr = nr;
        best = i;
      }
    }
    if (best < 0) throw new InvariantError(`thread ${t.name} has no allowed CPU`);
    return best;
  }

  /**
   * select_idle_core: among idle CPUs, one whose whole core is idle is better.
   * The lowest-numbered allowed CPU of idleCoreMask (idle, every sibling
   * idle), as the scan of every CPU in order found it.
   */
  private preferIdleCore(found: number, t: HostThread): number {
    if (this.busySiblings[found] === 0) return found;
    const m = this.idleCoreMask;
    for (let i = maskNext(m, null, 0); i >= 0; i = maskNext(m, null, i + 1)) if (t.allowed[i]) return i;
    return found;
  }

  // ---- dispatch ----------------------------------------------------------

  /**
   * A resched of `cpu` is due at `now`: asked from an event of a later
   * priority, it is the next thing to happen there.
   */
  reschedDue(cpu: number, now: Ns): boolean {
    const ev = this.cpus[cpu].reschedEv;
    return ev !== null && ev.live && ev.time === now;
  }

  resched(cpu: number, now: Ns): void {
    const c = this.cpus[cpu];
    if (c.reschedEv && c.reschedEv.live) return;
    // __schedule() and the tick handler run with interrupts off: a request
    // that comes during a context switch is seen once the switch is done
    // (the next thread enters, then leaves at once), not by restarting it.
    if (c.startEv && c.startEv.live) {
      c.reschedPending = true;
      return;
    }
    c.reschedEv = this.engine.schedule(now, Prio.Sched, this, EV_RESCHED, cpu);
  }

  onEvent(ev: SimEvent): void {
    const now = this.engine.now;
    const c = this.cpus[ev.arg];
    switch (ev.kind) {
      case EV_RESCHED:
        c.reschedEv = null;
        this.schedule(c, now);
        break;
      case EV_START: {
        c.startEv = null;
        const t = c.rq.curr;
        if (t && !t.started) this.startThread(c, t, now, c.switchIn);
        if (c.reschedPending) {
          c.reschedPending = false;
          this.resched(c.id, now);
        }
        break;
      }
      case EV_TICK:
        c.tickEv = null;
        this.tick(c, now);
        break;
      case EV_IDLE_BALANCE:
        if (!c.rq.curr && c.rq.queue.length === 0 && this.pullOne(c, now, true)) this.schedule(c, now);
        break;
    }
  }

  /** __schedule(): put the current thread back if it is still runnable, pick the next. */
  private schedule(c: Pcpu, now: Ns): void {
    const prev = c.rq.curr;
    c.reschedPending = false;
    this.engine.cancel(c.startEv);
    c.startEv = null;
    if (prev) {
      if (prev.started) prev.body.stop(now, true);
      // Stopped already (by the tick whose handler ends in this schedule()): only sched_out is left.
      else prev.body.schedOut?.(now);
      prev.started = false;
      this.sched.putPrev(c.rq, now, true);
      this.rqChanged(c);
      prev.state = STATE_RUNNABLE;
      prev.lastRanEnd = now;
      prev.lastCpu = c.id;
      this.accountThread(prev, ACC_WAIT, now);
      if (prev.costopped) {
        // Co-stopped while running: off the run queue until co-started.
        this.sched.dequeue(c.rq, prev, now);
        this.rqChanged(c);
      } else if (!c.online && prev.kind !== 'kthread') {
        // The CPU is going offline: the stopper moves its last thread away.
        const to = this.moveQueued(prev, c, now);
        if (!this.cpus[to].rq.curr || this.sched.checkPreemptWakeup(this.cpus[to].rq, prev, now)) this.resched(to, now);
      } else if (this.pendingMove.has(prev)) {
        this.pendingMove.delete(prev);
        if (!prev.allowed[c.id]) {
          const to = this.moveQueued(prev, c, now);
          if (!this.cpus[to].rq.curr) this.resched(to, now);
        }
      }
    }
    let next = c.online ? this.sched.pickNext(c.rq, now) : null;
    if (!next && c.online && !c.isolated && this.pullOne(c, now, false)) next = this.sched.pickNext(c.rq, now);
    this.rqChanged(c);
    if (!next) {
      this.accountCpu(c, CPU_IDLE, now);
      if (this.tracer) this.tracer.run(c.id, -1, now);
      return;
    }
    next.state = STATE_RUNNING;
    if (next !== prev) {
      next.switches++;
      c.switches++;
      if (prev) prev.preemptions++;
      this.accountCpu(c, CPU_SCHED, now);
      c.switchIn = true;
      c.startEv = this.engine.schedule(now + this.cfg.costs.contextSwitchNs, Prio.Sched, this, EV_START, c.id);
    } else {
      // The same thread again: no context switch, no sched_in notifier.
      this.startThread(c, next, now, false);
    }
    this.ensureTick(c, now);
  }

  private startThread(c: Pcpu, t: HostThread, now: Ns, schedIn: boolean): void {
    let stall = 0;
    if (t.lastCpu >= 0 && t.lastCpu !== c.id) {
      t.migrations++;
      stall = this.refillNs(t, this.cpus[t.lastCpu], c, now);
      t.refillNs += stall;
    }
    t.lastCpu = c.id;
    t.started = true;
    this.accountThread(t, t.mode, now);
    this.accountCpu(c, CPU_STATE_OF_MODE[t.mode], now);
    if (this.tracer) this.tracer.run(c.id, t.tid, now);
    t.body.start(now, stall, schedIn);
  }

  /**
   * Cache refill after a move: nothing within a core (SMT siblings share L1/L2);
   * the private working set from the shared LLC within a socket; private and
   * LLC sets from remote memory across sockets. Scaled by the warmth left:
   * exp(-time since it last ran / decay).
   */
  refillNs(t: HostThread, from: Pcpu, to: Pcpu, now: Ns): Ns {
    const m = this.cfg.cache;
    if (from.place.socket === to.place.socket && from.place.core === to.place.core) return 0;
    const idle = Math.max(0, now - t.lastRanEnd);
    const warmth = Math.exp(-idle / m.decayNs);
    const fp = t.footprint;
    const bytes = from.place.socket === to.place.socket ? fp.privateBytes / m.llcBytesPerNs : (fp.privateBytes + fp.llcBytes) / m.remoteBytesPerNs;
    return Math.round(bytes * warmth);
  }

  // ---- tick and balancing --------------------------------------------------

  private ensureTick(c: Pcpu, now: Ns): void {
    if (c.tickEv) return;
    // The first tick boundary after now: ticks are aligned across CPUs (no skew_tick=1).
    const next = (Math.floor(now / this.tickNs) + 1) * this.tickNs;
    c.tickEv = this.engine.schedule(next, Prio.Sched, this, EV_TICK, c.id);
  }

  /**
   * Host ticks on c from `now`. When the next tick is the next thing to
   * happen anywhere (a vCPU spinning or computing alone on its CPU), it is
   * handled at once instead of as an event, and so on.
   */
  private tick(c: Pcpu, now: Ns): void {
    while (c.rq.curr) {
      // The next tick orders before anything this one schedules, as if
      // scheduled first; it is scheduled once this one is done, unless it can
      // be handled at once.
      let seq = this.engine.reserveSeq();
      let next = now + this.tickNs;
      const n = this.quietTicks(c, now);
      if (n > 0) {
        // The tick after them orders as one scheduled by the last of them.
        next = now + n * this.tickNs;
        seq = this.engine.reserveSeq();
      } else this.tickOnce(c, now);
      if (!this.engine.advanceIfNext(next, Prio.Sched, seq)) {
        c.tickEv = this.engine.schedule(next, Prio.Sched, this, EV_TICK, c.id, seq);
        return;
      }
      now = next;
    }
  }

  /** One tick on c, which is running a thread. */
  private tickOnce(c: Pcpu, now: Ns): void {
    const curr = c.rq.curr!;
    // nohz_full: with a single task and nothing queued the tick does not fire.
    if (c.nohzFull && c.rq.queue.length === 0) return;
    const resched = this.sched.tick(c.rq, now);
    if (!c.isolated && now >= c.nextBalance) {
      c.nextBalance = now + this.cfg.balanceIntervalNs;
      this.periodicBalance(c, now);
      this.kickIdleBalance(c, now);
    }
    if (!curr.started) {
      // In a context switch or a handler already: the request waits for its end.
      if (resched) this.resched(c.id, now);
      return;
    }
    // The tick interrupts whatever runs: for a vCPU in guest mode, an
    // external-interrupt exit; the handler's time is host kernel time.
    curr.body.stop(now, false);
    curr.body.hostInterrupt?.(now);
    curr.started = false;
    // The handler runs on the thread's behalf: kernel time (KVM's, for a vCPU).
    this.accountThread(curr, curr.kind === 'vcpu' ? ACC_KVM : ACC_HOST, now);
    this.accountCpu(c, CPU_SCHED, now);
    c.switchIn = false;
    const end = now + this.cfg.costs.tickNs;
    if (resched) {
      // scheduler_tick() set TIF_NEED_RESCHED: the interrupt returns into
      // schedule() (irqentry_exit_cond_resched; for a vCPU, the exit's
      // return path in vcpu_run() checks need_resched before re-entering the
      // guest), so the thread is not resumed first.
      c.reschedEv = this.engine.schedule(end, Prio.Sched, this, EV_RESCHED, c.id);
      return;
    }
    // Nothing else is due before the handler returns: the return happens now,
    // as its event would have at `end`.
    if (this.engine.advanceIfNext(end, Prio.Sched)) this.startThread(c, curr, end, false);
    else c.startEv = this.engine.schedule(end, Prio.Sched, this, EV_START, c.id);
  }

  /**
   * Ticks at `first`, first + period, ... on c, while the running thread can
   * take them in place (leaving the state stop and start around each handler
   * would, without their work) and nothing else can happen before each
   * handler returns: each runs the scheduler tick, and the balance when it is
   * due and would find nothing to do; the thread and the accounting take
   * them all at once. Stops before a tick that reschedules, whose balance
   * would act, or that the thread cannot take in place; returns how many it
   * handled. The clock ends at the last handler's end, as acting ahead tick
   * by tick would leave it.
   */
  private quietTicks(c: Pcpu, first: Ns): number {
    const e = this.engine;
    const curr = c.rq.curr!;
    // (A nohz_full tick with nothing queued does nothing: tickOnce. Nothing
    // gets queued while ticks are quiet.)
    if (!e.actAhead || this.tracer !== null || !curr.started || (c.nohzFull && c.rq.queue.length === 0)) return 0;
    const body = curr.body;
    const period = this.tickNs;
    const handler = this.cfg.costs.tickNs;
    // Nothing is scheduled below, so the next event stays where it is.
    const head = e.peekTime();
    const reach = e.reach;
    const max = body.ticksInPlace?.(first, period, handler, Infinity) ?? 0;
    // Whether a balance finds anything cannot change while nothing else happens: asked once.
    let idleBalance: boolean | null = null;
    let n = 0;
    for (let t = first; n < max && t + handler < head && t + handler <= reach; t += period) {
      const balance = !c.isolated && t >= c.nextBalance;
      if (balance && !(idleBalance ??= this.balanceFindsNothing(c))) break;
      // A tick that reschedules is left for tickOnce (the tick is the same when asked again at t).
      if (this.sched.tick(c.rq, t)) break;
      if (balance) c.nextBalance = t + this.cfg.balanceIntervalNs;
      n++;
    }
    if (n === 0) return 0;
    const mode = curr.kind === 'vcpu' ? ACC_KVM : ACC_HOST;
    const last = first + (n - 1) * period;
    const from = Math.min(curr.accSince, c.accSince);
    if (from >= this.cfg.warmupNs && Number.isInteger(from) && Number.isInteger(Math.max(curr.accSince, c.accSince))) {
      // All after warm-up, in whole ns: what accountHandler adds tick by
      // tick, summed (exact: integers), in the same buckets.
      const between = (n - 1) * (period - handler);
      curr.acc[curr.accState] += first - curr.accSince;
      curr.acc[curr.mode] += between;
      curr.acc[mode] += n * handler;
      curr.accState = curr.mode;
      curr.accSince = last + handler;
      c.acc[c.accState] += first - c.accSince;
      c.acc[CPU_STATE_OF_MODE[curr.mode]] += between;
      c.acc[CPU_SCHED] += n * handler;
      c.accState = CPU_STATE_OF_MODE[curr.mode];
      c.accSince = last + handler;
    } else for (let k = 0, t = first; k < n; k++, t += period) this.accountHandler(curr, c, mode, t, t + handler);
    c.switchIn = false;
    body.takeTicks!(first, n, period, handler);
    const end = last + handler;
    if (!e.advanceIfNext(end, Prio.Sched)) throw new InvariantError(`cpu${c.id}: quiet ticks to ${end} met an event`);
    return n;
  }

  /**
   * periodicBalance and kickIdleBalance would do nothing on c now: no CPU is
   * busier by two or more, and no idle CPU can take a thread waiting here.
   */
  private balanceFindsNothing(c: Pcpu): boolean {
    const busiest = this.busiestQueued(c, false);
    if (busiest && this.nr(busiest) - this.nr(c) >= 2) return false;
    if (c.rq.queue.length === 0) return true;
    const m = this.idleMask;
    for (let i = maskNext(m, null, 0); i >= 0; i = maskNext(m, null, i + 1)) {
      const o = this.cpus[i];
      if (o !== c && !o.isolated && o.online && this.queuedAllowed(c, o.id)) return false;
    }
    return true;
  }

  /** nr of runnable threads on a CPU (queued + running). */
  nr(c: Pcpu): number {
    return c.rq.queue.length + (c.rq.curr ? 1 : 0);
  }

  private cacheHot(t: HostThread, now: Ns): boolean {
    return now - t.lastRanEnd < this.cfg.migrationCostNs;
  }

  /** Some thread queued (not running) on `o` may run on CPU `cpu`. */
  private queuedAllowed(o: Pcpu, cpu: number): boolean {
    const q = o.rq.queue;
    for (let k = 0; k < q.length; k++) if (q[k].allowed[cpu]) return true;
    return false;
  }

  /**
   * find_busiest_queue over the CPUs with queued threads: the most runnable
   * threads, the lowest-numbered on a tie; with `forC`, only CPUs holding a
   * queued thread allowed on c.
   */
  private busiestQueued(c: Pcpu, forC: boolean): Pcpu | null {
    let busiest: Pcpu | null = null;
    let busiestNr = 0;
    const m = this.queuedMask;
    for (let i = maskNext(m, null, 0); i >= 0; i = maskNext(m, null, i + 1)) {
      const o = this.cpus[i];
      if (o === c || o.isolated || !o.online) continue;
      if (forC && !this.queuedAllowed(o, c.id)) continue;
      const nr = this.nr(o);
      if (!busiest || nr > busiestNr) {
        busiest = o;
        busiestNr = nr;
      }
    }
    return busiest;
  }

  /** Pull one queued thread from the busiest CPU (idle balance). */
  private pullOne(c: Pcpu, now: Ns, allowHot: boolean): boolean {
    // newidle_balance: nothing is waiting anywhere (!rd->overload), nothing to pull.
    if (this.nrQueuedCpus === 0) return false;
    const busiest = this.busiestQueued(c, true);
    if (!busiest) return false;
    // The first queued thread, in queue order, allowed here and not cache-hot (can_migrate_task).
    let pick: HostThread | null = null;
    for (const t of busiest.rq.queue) {
      if (t.allowed[c.id] && (allowHot || !this.cacheHot(t, now) || c.balanceFailed > 0)) {
        pick = t;
        break;
      }
    }
    if (!pick) {
      c.balanceFailed++;
      return false;
    }
    c.balanceFailed = 0;
    this.migrate(pick, busiest, c, now);
    return true;
  }

  /** Take a thread queued on c off it and place it again (select_task_rq); returns its new CPU. */
  private moveQueued(t: HostThread, c: Pcpu, now: Ns): number {
    this.sched.dequeue(c.rq, t, now);
    this.rqChanged(c);
    this.sched.detach(c.rq, t);
    const to = this.selectCpu(t, now);
    this.enqueueOn(t, to, now, 'migrate');
    return to;
  }

  private migrate(t: HostThread, from: Pcpu, to: Pcpu, now: Ns): void {
    this.sched.dequeue(from.rq, t, now);
    this.rqChanged(from);
    this.sched.detach(from.rq, t);
    t.cpu = to.id;
    this.sched.attach(to.rq, t);
    t.state = STATE_RUNNABLE;
    this.sched.enqueue(to.rq, t, now, 'migrate');
    this.rqChanged(to);
  }

  /** load_balance: even out runnable threads with the busiest CPU of the domain. */
  private periodicBalance(c: Pcpu, now: Ns): void {
    for (let guard = 0; guard < 8; guard++) {
      // find_busiest_queue. Only a CPU with nr >= nr(c) + 2 >= 2 is worth
      // pulling from, and such a CPU has threads queued, so the CPUs with
      // nothing queued cannot change the outcome: look at the others only.
      const busiest = this.busiestQueued(c, false);
      if (!busiest || this.nr(busiest) - this.nr(c) < 2) return;
      let pick: HostThread | null = null;
      for (const t of busiest.rq.queue) {
        if (t.allowed[c.id] && (!this.cacheHot(t, now) || c.balanceFailed > 1)) {
          pick = t;
          break;
        }
      }
      if (!pick) {
        c.balanceFailed++;
        return;
      }
      c.balanceFailed = 0;
      this.migrate(pick, busiest, c, now);
      if (!c.rq.curr) this.resched(c.id, now);
    }
  }

  /** nohz_balancer_kick: a busy CPU with waiting threads wakes an idle CPU to pull one. */
  private kickIdleBalance(c: Pcpu, now: Ns): void {
    if (c.rq.queue.length === 0) return;
    // find_new_ilb: the lowest-numbered idle CPU (nohz.idle_cpus_mask) that may run a waiting thread.
    const m = this.idleMask;
    for (let i = maskNext(m, null, 0); i >= 0; i = maskNext(m, null, i + 1)) {
      const o = this.cpus[i];
      if (o === c || o.isolated || !o.online) continue;
      if (this.queuedAllowed(c, o.id)) {
        this.engine.schedule(now, Prio.Sched, this, EV_IDLE_BALANCE, o.id);
        return;
      }
    }
  }

  // ---- invariants ----------------------------------------------------------

  checkInvariants(now: Ns): void {
    const seen = new Set<HostThread>();
    for (const c of this.cpus) {
      const cur = c.rq.curr;
      if (cur) {
        if (seen.has(cur)) throw new InvariantError(`thread ${cur.tid} runs on two CPUs`);
        seen.add(cur);
        if (cur.state !== STATE_RUNNING || cur.cpu !== c.id) throw new InvariantError(`cpu${c.id} curr ${cur.tid} is not running there`);
        if (!cur.allowed[c.id]) throw new InvariantError(`thread ${cur.name} runs on cpu${c.id} outside its affinity`);
      }
      for (const t of c.rq.queue) {
        if (seen.has(t)) throw new InvariantError(`thread ${t.tid} is queued twice`);
        seen.add(t);
        if (t.state !== STATE_RUNNABLE || t.cpu !== c.id) throw new InvariantError(`thread ${t.tid} queued on cpu${c.id} in state ${t.state}`);
      }
      const idle = !c.rq.curr && c.rq.queue.length === 0;
      if (maskHas(this.idleMask, c.id) !== idle) throw new InvariantError(`cpu${c.id} idle mask says ${!idle}`);
      if (maskHas(this.queuedMask, c.id) !== c.rq.queue.length > 0) throw new InvariantError(`cpu${c.id} queued mask is stale`);
      const busySibs = c.siblings.filter((s) => this.cpus[s].accState !== CPU_IDLE).length;
      if (this.busySiblings[c.id] !== busySibs) throw new InvariantError(`cpu${c.id} counts ${this.busySiblings[c.id]} busy siblings, not ${busySibs}`);
      if (maskHas(this.idleCoreMask, c.id) !== (idle && busySibs === 0)) throw new InvariantError(`cpu${c.id} idle-core mask is stale`);
    }
    if (this.nrQueuedCpus !== this.cpus.filter((c) => c.rq.queue.length > 0).length) throw new InvariantError(`nrQueuedCpus ${this.nrQueuedCpus} is stale`);
    for (const t of this.threads) {
      if ((t.state === STATE_RUNNABLE || t.state === STATE_RUNNING) && !seen.has(t) && !t.costopped) throw new InvariantError(`runnable thread ${t.tid} is on no run queue`);
      if (t.costopped && seen.has(t) && t.state === STATE_RUNNABLE) throw new InvariantError(`co-stopped thread ${t.tid} is on a run queue`);
      for (let k = 0; k < N_ACC; k++) if (t.acc[k] < 0) throw new InvariantError(`negative time for thread ${t.tid}`);
    }
    void now;
  }

  /** Every thread's and CPU's state times add up to the measured length. */
  checkAccounting(lengthNs: Ns): void {
    const tol = 1e-6 * lengthNs + 1;
    for (const c of this.cpus) {
      const sum = c.acc.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - lengthNs) > tol) throw new InvariantError(`cpu${c.id} state times sum to ${sum}, not ${lengthNs}`);
    }
    for (const t of this.threads) {
      // A thread made during the run (a hot-plugged vCPU) exists for less time.
      const lived = lengthNs - Math.max(0, t.createdAt - this.cfg.warmupNs);
      const sum = t.acc.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - lived) > tol) throw new InvariantError(`thread ${t.name} state times sum to ${sum}, not ${lived}`);
    }
  }
}

export { ACC_SLEEP, ACC_WAIT };
