import type { Ns } from '../engine/time.js';

/** What a host scheduler needs to know of a thread; `HostThread` implements it. */
export interface SchedEntity {
  readonly tid: number;
  /** Load weight from the nice value (kernel/sched/core.c sched_prio_to_weight; nice 0 = 1024). */
  weight: number;
  /** CFS virtual runtime, ns scaled by NICE_0_LOAD / weight. */
  vruntime: number;
  /** EEVDF virtual deadline (unused by CFS). */
  deadline: number;
  /** EEVDF lag kept across a dequeue, V - vruntime, virtual ns (unused by CFS). */
  vlag: number;
  /** Total time run, ns. */
  sumExec: Ns;
  /** sumExec when the entity was last picked (for the slice check). */
  prevSumExec: Ns;
  /** When it last started running, ns (for update_curr). */
  execStart: Ns;
  /** Thread group for co-scheduling (the guest's pid), or -1. */
  group: number;
}

export interface RunQueue<E extends SchedEntity = SchedEntity> {
  readonly cpu: number;
  /** The running entity (not in the queue), or null when idle. */
  curr: E | null;
  /** Entities waiting to run, in the class's order. */
  readonly queue: E[];
  /** Sum of weights of queued entities plus curr: the run queue's load. */
  load: number;
  /** Monotonic floor of vruntime on this run queue. */
  minVruntime: number;
  /** Buddies, as fair.c keeps them: `next` (yield_to) and `skip` (yield). */
  next: E | null;
  skip: E | null;
}

/**
 * Host schedulers. `cosched-relaxed` and `cosched-strict` are CFS plus
 * co-scheduling of each guest's vCPUs (src/host/cosched.ts).
 */
export type SchedulerKind = 'cfs' | 'eevdf' | 'cosched-relaxed' | 'cosched-strict';

/**
 * The operations every host scheduling class provides, after Linux's
 * `struct sched_class` (enqueue_task, dequeue_task, pick_next_task,
 * put_prev_task, task_tick, check_preempt_curr, yield_task, yield_to_task).
 * Run-queue selection and load balancing are shared (host.ts), as they are
 * common to CFS and EEVDF in the kernel.
 */
export interface SchedClass<E extends SchedEntity = SchedEntity> {
  readonly kind: SchedulerKind;
  /** A human summary of the tunables in force, for reports. */
  describe(): Record<string, number | string>;
  newRunQueue(cpu: number): RunQueue<E>;
  /** Account the running entity's execution up to `now` (update_curr). */
  updateCurr(rq: RunQueue<E>, now: Ns): void;
  /** Make `e` runnable on `rq`. `wakeup`: it slept; `migrated`: it came from another rq. */
  enqueue(rq: RunQueue<E>, e: E, now: Ns, how: 'wakeup' | 'new' | 'migrate' | 'requeue'): void;
  /** Take a queued (not running) entity off `rq`, e.g. to migrate it. */
  dequeue(rq: RunQueue<E>, e: E, now: Ns): void;
  /** Choose the next entity and make it curr (removing it from the queue), or null. */
  pickNext(rq: RunQueue<E>, now: Ns): E | null;
  /** curr stops running; when `runnable`, it goes back into the queue. */
  putPrev(rq: RunQueue<E>, now: Ns, runnable: boolean): void;
  /**
   * Scheduler tick for curr: true when curr should be preempted. Asked again
   * at the same `now` it changes nothing and gives the same answer (the host
   * asks ahead when it takes several ticks at once).
   */
  tick(rq: RunQueue<E>, now: Ns): boolean;
  /** A woken entity was enqueued on rq: true when it should preempt curr. */
  checkPreemptWakeup(rq: RunQueue<E>, woken: E, now: Ns): boolean;
  /** sched_yield() by curr at `now`. */
  yieldCurr(rq: RunQueue<E>, now: Ns): void;
  /** yield_to(): make `target` (queued on rq) the preferred next pick; true if it can run sooner. */
  yieldTo(rq: RunQueue<E>, target: E): boolean;
  /** Migration normalisation: vruntime is relative to the rq it leaves and joins (CFS; EEVDF carries lag instead). */
  detach(rq: RunQueue<E>, e: E): void;
  attach(rq: RunQueue<E>, e: E): void;
}

/** kernel/sched/core.c sched_prio_to_weight[], nice -20..19. */
export const PRIO_TO_WEIGHT = [
  88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991,
  1586, 1277, 1024, 820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
];
export const NICE_0_LOAD = 1024;

export function weightOfNice(nice: number): number {
  return PRIO_TO_WEIGHT[Math.max(-20, Math.min(19, Math.round(nice))) + 20];
}
