import type { Ns } from '../engine/time.js';
import { NICE_0_LOAD, type RunQueue, type SchedClass, type SchedEntity } from './types.js';
import { insertSorted, removeFrom } from './rbtree.js';

/**
 * CFS tunables, as kernel/sched/fair.c before 6.6 declares them. The
 * latency and granularities are base values scaled by
 * factor = 1 + ilog2(min(ncpus, 8)) (SCHED_TUNABLESCALING_LOG).
 */
export interface CfsTunables {
  /** sysctl_sched_latency: 6ms * factor. Units: ns. */
  latencyNs: Ns;
  /** sysctl_sched_min_granularity: 0.75ms * factor. Units: ns. */
  minGranularityNs: Ns;
  /** sysctl_sched_wakeup_granularity: 1ms * factor. Units: ns. */
  wakeupGranularityNs: Ns;
}

/** factor = 1 + ilog2(min(ncpus, 8)) (fair.c get_update_sysctl_factor). */
export function tunableFactor(ncpus: number): number {
  return 1 + Math.floor(Math.log2(Math.max(1, Math.min(ncpus, 8))));
}

export function defaultCfsTunables(ncpus: number): CfsTunables {
  const f = tunableFactor(ncpus);
  return { latencyNs: 6_000_000 * f, minGranularityNs: 750_000 * f, wakeupGranularityNs: 1_000_000 * f };
}

/** Run queue kept as an array sorted by (vruntime, tid): the rbtree of fair.c. */
export class CfsRunQueue<E extends SchedEntity> implements RunQueue<E> {
  curr: E | null = null;
  readonly queue: E[] = [];
  load = 0;
  minVruntime = 0;
  next: E | null = null;
  skip: E | null = null;
  constructor(readonly cpu: number) {}
}



/** delta * NICE_0_LOAD / weight (calc_delta_fair). */
function calcDeltaFair(delta: number, e: SchedEntity): number {
  return e.weight === NICE_0_LOAD ? delta : (delta * NICE_0_LOAD) / e.weight;
}

export class Cfs<E extends SchedEntity> implements SchedClass<E> {
  readonly kind = 'cfs' as 'cfs' | 'cosched-relaxed' | 'cosched-strict';
  /** sched_nr_latency = latency / min_granularity (8 with the defaults). */
  private readonly nrLatency: number;

  constructor(readonly t: CfsTunables) {
    this.nrLatency = Math.max(1, Math.floor(t.latencyNs / t.minGranularityNs));
  }

  describe() {
    return {
      kind: 'cfs',
      sched_latency_ns: this.t.latencyNs,
      sched_min_granularity_ns: this.t.minGranularityNs,
      sched_wakeup_granularity_ns: this.t.wakeupGranularityNs,
    };
  }

  newRunQueue(cpu: number): RunQueue<E> {
    return new CfsRunQueue<E>(cpu);
  }

  /** __sched_period: the latency target, stretched when too many tasks share it. */
  private period(nr: number): number {
    return nr > this.nrLatency ? nr * this.t.minGranularityNs : this.t.latencyNs;
  }

  /** sched_slice: the entity's share of the period by weight. */
  private slice(rq: RunQueue<E>, e: SchedEntity, onRq: boolean): number {
    const nr = rq.queue.length + (rq.curr ? 1 : 0) + (onRq ? 0 : 1);
    const load = rq.load + (onRq ? 0 : e.weight);
    return (this.period(nr) * e.weight) / load;
  }

  private updateMinVruntime(rq: RunQueue<E>): void {
    let v = rq.minVruntime;
    const left = rq.queue[0];
    if (rq.curr && left) v = Math.min(rq.curr.vruntime, left.vruntime);
    else if (rq.curr) v = rq.curr.vruntime;
    else if (left) v = left.vruntime;
    rq.minVruntime = Math.max(rq.minVruntime, v);
  }

  updateCurr(rq: RunQueue<E>, now: Ns): void {
    const c = rq.curr;
    if (!c) return;
    const delta = now - c.execStart;
    if (delta <= 0) return;
    c.execStart = now;
    c.sumExec += delta;
    c.vruntime += calcDeltaFair(delta, c);
    this.updateMinVruntime(rq);
  }

  /** place_entity: sleepers get at most half a latency of credit (GENTLE_FAIR_SLEEPERS); new tasks start a vslice late (START_DEBIT). */
  private place(rq: RunQueue<E>, e: E, initial: boolean): void {
    let v = rq.minVruntime;
    if (initial) v += calcDeltaFair(this.slice(rq, e, false), e);
    else v -= this.t.latencyNs / 2;
    e.vruntime = initial ? v : Math.max(e.vruntime, v);
  }

  enqueue(rq: RunQueue<E>, e: E, now: Ns, how: 'wakeup' | 'new' | 'migrate' | 'requeue'): void {
    this.updateCurr(rq, now);
    if (how === 'wakeup') this.place(rq, e, false);
    else if (how === 'new') this.place(rq, e, true);
    insertSorted(rq.queue, e);
    rq.load += e.weight;
    this.updateMinVruntime(rq);
  }

  dequeue(rq: RunQueue<E>, e: E, now: Ns): void {
    this.updateCurr(rq, now);
    removeFrom(rq.queue, e);
    rq.load -= e.weight;
    if (rq.next === e) rq.next = null;
    if (rq.skip === e) rq.skip = null;
    this.updateMinVruntime(rq);
  }

  /**
   * wakeup_preempt_entity: 1 if `se` is far enough ahead of `curr` in
   * vruntime (more than the wakeup granularity, in `se`'s virtual time).
   */
  private wakeupPreemptEntity(curr: SchedEntity, se: SchedEntity): number {
    const vdiff = curr.vruntime - se.vruntime;
    if (vdiff <= 0) return -1;
    return vdiff > calcDeltaFair(this.t.wakeupGranularityNs, se) ? 1 : 0;
  }

  pickNext(rq: RunQueue<E>, now: Ns): E | null {
    const q = rq.queue;
    if (q.length === 0) return null;
    // pick_next_entity: leftmost, unless it is the skip buddy and the second is
    // not too far behind; the next buddy (yield_to) wins if not unfair.
    let se = q[0];
    if (rq.skip === se && q.length > 1) {
      const second = q[1];
      if (this.wakeupPreemptEntity(second, se) < 1) se = second;
    }
    if (rq.next && q.includes(rq.next) && this.wakeupPreemptEntity(rq.next, q[0]) < 1) se = rq.next;
    rq.next = null;
    rq.skip = null;
    removeFrom(q, se);
    rq.curr = se;
    se.execStart = now;
    se.prevSumExec = se.sumExec;
    this.updateMinVruntime(rq);
    return se;
  }

  putPrev(rq: RunQueue<E>, now: Ns, runnable: boolean): void {
    const c = rq.curr;
    if (!c) return;
    this.updateCurr(rq, now);
    rq.curr = null;
    if (runnable) insertSorted(rq.queue, c);
    else rq.load -= c.weight;
    this.updateMinVruntime(rq);
  }

  /** check_preempt_tick. */
  tick(rq: RunQueue<E>, now: Ns): boolean {
    this.updateCurr(rq, now);
    const c = rq.curr;
    if (!c || rq.queue.length === 0) return false;
    const ideal = this.slice(rq, c, true);
    const ran = c.sumExec - c.prevSumExec;
    if (ran > ideal) return true;
    if (ran < this.t.minGranularityNs) return false;
    const delta = c.vruntime - rq.queue[0].vruntime;
    return delta > ideal;
  }

  /** check_preempt_wakeup. */
  checkPreemptWakeup(rq: RunQueue<E>, woken: E, now: Ns): boolean {
    this.updateCurr(rq, now);
    if (!rq.curr) return true;
    return this.wakeupPreemptEntity(rq.curr, woken) === 1;
  }

  /** yield_task_fair: curr becomes the skip buddy. */
  yieldCurr(rq: RunQueue<E>): void {
    if (rq.curr) rq.skip = rq.curr;
  }

  /** yield_to_task_fair: the target becomes the next buddy. */
  yieldTo(rq: RunQueue<E>, target: E): boolean {
    if (!rq.queue.includes(target)) return false;
    rq.next = target;
    return true;
  }

  /** migrate_task_rq_fair: vruntime leaves relative to the old rq's min_vruntime... */
  detach(rq: RunQueue<E>, e: E): void {
    e.vruntime -= rq.minVruntime;
  }

  /** ...and is re-based on the new one. */
  attach(rq: RunQueue<E>, e: E): void {
    e.vruntime += rq.minVruntime;
  }
}
