import type { Ns } from '../engine/time.js';
import type { SchedEntity } from '../scheduler/types.js';

/**
 * Accounting states of a host thread. While it runs, the mode it runs in
 * (seed §1.1: guest, kernel = KVM, user = QEMU; or an ordinary host task).
 * Otherwise runnable-but-waiting (for a vCPU: steal time) or asleep (for a
 * vCPU: halted).
 */
export const ACC_GUEST = 0;
export const ACC_KVM = 1;
export const ACC_QEMU = 2;
export const ACC_HOST = 3;
export const ACC_WAIT = 4;
export const ACC_SLEEP = 5;
export const ACC_NAMES = ['guest', 'kvm', 'qemu', 'host', 'wait', 'sleep'] as const;
export const N_ACC = 6;

export const STATE_RUNNING = 0;
export const STATE_RUNNABLE = 1;
export const STATE_BLOCKED = 2;

export type ThreadKind = 'vcpu' | 'qemu-main' | 'qemu-aux' | 'kthread' | 'task';

/** What a thread does with a CPU. The host calls these; the body owns its state. */
export interface ThreadBody {
  /**
   * The thread got a CPU at `now`; it cannot make progress until `now +
   * stallNs` (cache refill). `schedIn`: after a context switch to it (the
   * sched_in preempt notifier), not after a tick handler, a re-pick of the
   * same thread or an SMT re-base.
   */
  start(now: Ns, stallNs: Ns, schedIn: boolean): void;
  /**
   * The thread loses its CPU at `now`: bring its state up to `now` and cancel
   * its own events. `preempted`: it is scheduled out while runnable (not
   * just interrupted by a host tick or re-based for an SMT sibling).
   */
  stop(now: Ns, preempted: boolean): void;
  /**
   * Host ticks interrupt the body at t, t + period, ..., each handler taking
   * `handlerNs`, with nothing else happening meanwhile: how many of them in a
   * row (at most `max`) it can take in place (`takeTicks`), each leaving
   * exactly the state that stop at the tick and start at its handler's end
   * would, without their work. Asked before anything changes.
   */
  ticksInPlace?(t: Ns, period: Ns, handlerNs: Ns, max: number): number;
  /** A host interrupt (the tick) came while it ran, after `stop(now, false)`: a vCPU in guest mode exits for it. */
  hostInterrupt?(now: Ns): void;
  /**
   * Scheduled out while runnable at `now` after it had already been stopped
   * (by a tick whose handler ended in schedule()): the preempt notifier's
   * sched_out, without the `stop` it already had.
   */
  schedOut?(now: Ns): void;
  takeTicks?(t: Ns, n: number, period: Ns, handlerNs: Ns): void;
}

export class HostThread implements SchedEntity {
  weight = 1024;
  vruntime = 0;
  deadline = 0;
  vlag = 0;
  sumExec = 0;
  prevSumExec = 0;
  execStart = 0;
  state = STATE_BLOCKED;
  /** CPU it is queued or running on, or last ran on (`ps -o psr`). */
  cpu = -1;
  /** Whether the body has been started on its CPU (after the switch-in cost). */
  started = false;
  /** Allowed CPUs (taskset); indexed by CPU number. */
  allowed: Uint8Array;
  /** When it last stopped running (cache warmth), ns. */
  lastRanEnd: Ns = -Infinity;
  /** CPU it last ran on, for warmth. */
  lastCpu = -1;
  acc = new Float64Array(N_ACC);
  /** Current accounting state and since when. */
  accState = ACC_SLEEP;
  accSince: Ns = 0;
  /** Mode it runs in when running (ACC_GUEST..ACC_HOST). */
  mode = ACC_HOST;
  migrations = 0;
  /** Co-stopped by co-scheduling: runnable, but off every run queue until co-started. */
  costopped = false;
  /** Time spent co-stopped (VMware's %CSTP), ns, after warm-up. */
  costopNs = 0;
  costopSince: Ns = 0;
  /** When the thread was created (hot-plugged vCPUs come later than boot). */
  createdAt: Ns = 0;
  switches = 0;
  /** Involuntary context switches (preempted while runnable). */
  preemptions = 0;
  refillNs = 0;
  /** Time it was runnable but waiting, total from the start (sched_info.run_delay), ns; unaffected by warm-up. */
  runDelayNs = 0;
  waitSince: Ns = 0;
  body!: ThreadBody;

  constructor(
    readonly tid: number,
    readonly pid: number,
    readonly name: string,
    readonly kind: ThreadKind,
    ncpus: number,
    /** Guest pid for co-scheduling, or -1. */
    readonly group: number,
    /** Private + LLC working set for the cache model, bytes (0: none). */
    readonly footprint: { privateBytes: number; llcBytes: number },
  ) {
    this.allowed = new Uint8Array(ncpus);
  }
}
