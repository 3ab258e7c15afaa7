import { InvariantError } from '../engine/engine.js';
import type { Ns } from '../engine/time.js';
import { tunableFactor } from './cfs.js';
import { NICE_0_LOAD, type RunQueue, type SchedClass, type SchedEntity } from './types.js';
import { removeAt } from '../util/arrays.js';
import { entityBefore, insertSorted, removeFrom } from './rbtree.js';

/**
 * EEVDF, the fair class of Linux 6.6 and later (kernel/sched/fair.c after
 * "sched/fair: Implement an EEVDF-like scheduling policy", 147f3efaa241).
 *
 * Every entity i has a weight w_i, a virtual runtime v_i (ns scaled by
 * NICE_0_LOAD / w_i) and a request r_i = base_slice (ns). The run queue's
 * virtual time is the weighted average
 *
 *   V = Σ w_i * v_i / Σ w_i                                   (avg_vruntime)
 *
 * over the queued entities and curr. An entity's lag is the service it is
 * owed, lag_i = w_i * (V - v_i) (ns * weight); it is eligible when lag_i >= 0,
 * i.e. V >= v_i (entity_eligible). Its virtual deadline is
 *
 *   vd_i = v_i + r_i * NICE_0_LOAD / w_i                      (update_deadline)
 *
 * and the class runs the eligible entity with the earliest vd_i (pick_eevdf).
 * Nothing else decides: no sched_latency, no wakeup granularity, no skip buddy.
 *
 * Modelled on 6.6 with its default sched features, except that yield_to's
 * buddy is honoured as upstream has done since 6.13 (PICK_BUDDY, below).
 * Later kernels differ in ways noted where they apply: 6.8 sorts the tree
 * by deadline (the pick is the same), 6.12 adds delayed dequeue
 * (DELAY_DEQUEUE, not modelled: here a sleeper leaves at once and keeps its
 * lag, negative or not, however long it sleeps), 6.15 lowers base_slice to
 * 0.70 ms, and 79104becf42b makes yield forfeit vruntime.
 *
 * Virtual times are kept as integers, as the kernel's u64/s64 are, so the
 * incremental sum behind V is exact and never drifts.
 */
export interface EevdfTunables {
  /**
   * sysctl_sched_base_slice: the request r_i of every entity. Default
   * 0.75 ms * factor (6.6-6.14; 0.70 ms * factor from 6.15), factor =
   * 1 + ilog2(min(ncpus, 8)) as for the CFS tunables. Units: ns.
   */
  baseSliceNs: Ns;
}

export function defaultEevdfTunables(ncpus: number): EevdfTunables {
  return { baseSliceNs: 750_000 * tunableFactor(ncpus) };
}

/** The sched_feat switches this class reads (kernel/sched/features.h); all on by default. */
export interface EevdfFeatures {
  /** PLACE_LAG: keep lag across sleep and migration (placement strategy #1); off: every enqueue lands at V (#2). */
  placeLag: boolean;
  /** PLACE_DEADLINE_INITIAL: a new task's first request is half a slice. */
  placeDeadlineInitial: boolean;
  /** RUN_TO_PARITY: once picked, curr keeps the CPU while eligible until it gets a new deadline. */
  runToParity: boolean;
  /**
   * PICK_BUDDY: pick cfs_rq->next (set by yield_to) when it is eligible.
   * Upstream since 2a77e4be12cb (6.13, "Fixes:" the 6.6 EEVDF commit);
   * 6.6-6.12 only honoured the buddy under NEXT_BUDDY, which is off, so
   * there yield_to was a plain yield. Off here reproduces that.
   */
  pickBuddy: boolean;
}

export const EEVDF_FEATURES: Readonly<EevdfFeatures> = { placeLag: true, placeDeadlineInitial: true, runToParity: true, pickBuddy: true };

/** TICK_NSEC at HZ=1000, when the configuration gives no tick. */
const DEFAULT_TICK_NS = 1_000_000;

/**
 * A cfs_rq with what EEVDF adds. The queue is kept sorted by (vruntime, tid),
 * the key of 6.6's rbtree, so queue[0] is __pick_first_entity.
 */
export class EevdfRunQueue<E extends SchedEntity> implements RunQueue<E> {
  curr: E | null = null;
  readonly queue: E[] = [];
  load = 0;
  /** Reference point of the sums below; monotonic (update_min_vruntime). Units: virtual ns. */
  minVruntime = 0;
  next: E | null = null;
  /** Always null: EEVDF has no skip buddy. */
  skip: E | null = null;
  /** cfs_rq->avg_vruntime: Σ (v_i - min_vruntime) * w_i over queued entities, curr excluded. Units: virtual ns * weight. */
  avgVruntimeSum = 0;
  /** cfs_rq->avg_load: Σ w_i over queued entities, curr excluded. */
  avgLoad = 0;
  /** curr's deadline when it was picked: the RUN_TO_PARITY mark (6.6 stashes it in se->vlag). */
  pickedDeadline = Number.NaN;
  /**
   * update_deadline asked for a reschedule (resched_curr) that the host has
   * not acted on yet: at once from a wake-up, else at the next tick.
   */
  needResched = false;
  constructor(readonly cpu: number) {}
}

/** delta * NICE_0_LOAD / w, truncated like __calc_delta (calc_delta_fair). */
function calcDeltaFair(delta: number, e: SchedEntity): number {
  return e.weight === NICE_0_LOAD ? delta : Math.floor((delta * NICE_0_LOAD) / e.weight);
}


function nrRunning(rq: RunQueue<SchedEntity>): number {
  return rq.queue.length + (rq.curr ? 1 : 0);
}

export class Eevdf<E extends SchedEntity> implements SchedClass<E> {
  readonly kind = 'eevdf' as const;

  constructor(
    readonly t: EevdfTunables,
    readonly feat: Readonly<EevdfFeatures> = EEVDF_FEATURES,
    /** TICK_NSEC, the floor of the lag clamp (update_entity_lag). Units: ns. */
    readonly tickNs: Ns = DEFAULT_TICK_NS,
  ) {}

  describe() {
    const names: [keyof EevdfFeatures, string][] = [
      ['placeLag', 'PLACE_LAG'],
      ['placeDeadlineInitial', 'PLACE_DEADLINE_INITIAL'],
      ['runToParity', 'RUN_TO_PARITY'],
      ['pickBuddy', 'PICK_BUDDY'],
    ];
    return {
      kind: 'eevdf',
      sched_base_slice_ns: this.t.baseSliceNs,
      // As /sys/kernel/debug/sched/features spells them.
      sched_features: names.map(([k, n]) => (this.feat[k] ? n : `NO_${n}`)).join(' '),
    };
  }

  newRunQueue(cpu: number): RunQueue<E> {
    return new EevdfRunQueue<E>(cpu);
  }

  private vslice(e: SchedEntity): number {
    return calcDeltaFair(this.t.baseSliceNs, e);
  }

  // ---- the weighted average V ------------------------------------------------

  private key(rq: EevdfRunQueue<E>, e: SchedEntity): number {
    return e.vruntime - rq.minVruntime;
  }

  /** avg_vruntime_add / avg_vruntime_sub: keep Σ (v_i - v0) * w_i and Σ w_i for the queued entities. */
  private avgAdd(rq: EevdfRunQueue<E>, e: E): void {
    rq.avgVruntimeSum += this.key(rq, e) * e.weight;
    rq.avgLoad += e.weight;
  }

  private avgSub(rq: EevdfRunQueue<E>, e: E): void {
    rq.avgVruntimeSum -= this.key(rq, e) * e.weight;
    rq.avgLoad -= e.weight;
  }

  /** The sums with curr added, which is kept out of the tree while it runs. */
  private sums(rq: EevdfRunQueue<E>): [avg: number, load: number] {
    const c = rq.curr;
    if (!c) return [rq.avgVruntimeSum, rq.avgLoad];
    return [rq.avgVruntimeSum + this.key(rq, c) * c.weight, rq.avgLoad + c.weight];
  }

  /** avg_vruntime: V = v0 + Σ (v_i - v0) * w_i / Σ w_i, rounded down; v0 on an empty run queue. Units: virtual ns. */
  avgVruntime(rq: RunQueue<E>): number {
    const q = rq as EevdfRunQueue<E>;
    const [avg, load] = this.sums(q);
    return q.minVruntime + (load ? Math.floor(avg / load) : 0);
  }

  /**
   * entity_eligible: V >= v_i, compared as Σ (v_j - v0) * w_j >= (v_i - v0) * Σ w_j
   * so that no division rounds a borderline entity either way.
   */
  eligible(rq: RunQueue<E>, e: SchedEntity): boolean {
    const q = rq as EevdfRunQueue<E>;
    const [avg, load] = this.sums(q);
    return avg >= this.key(q, e) * load;
  }

  /**
   * update_min_vruntime: v0 follows the smaller of curr's and the leftmost
   * vruntime, never backwards. Moving v0 by d moves every key by -d, so the
   * sum moves by -d * Σ w (avg_vruntime_update).
   */
  private updateMinVruntime(rq: EevdfRunQueue<E>): void {
    const c = rq.curr;
    const left = rq.queue[0];
    let v = rq.minVruntime;
    if (c) v = c.vruntime;
    if (left) v = c ? Math.min(v, left.vruntime) : left.vruntime;
    if (v > rq.minVruntime) {
      rq.avgVruntimeSum -= rq.avgLoad * (v - rq.minVruntime);
      rq.minVruntime = v;
    }
  }

  // ---- lag and placement -------------------------------------------------------

  /**
   * update_entity_lag, on every dequeue: vlag_i = V - v_i, clamped to
   * ±calc_delta_fair(max(2 * slice, TICK_NSEC)) so that neither a long wait
   * nor a long overrun is carried indefinitely (EEVDF's steady-state bound is
   * -r_max < lag < max(r_max, q)). Units: virtual ns.
   */
  private updateEntityLag(rq: EevdfRunQueue<E>, e: E): void {
    const limit = calcDeltaFair(Math.max(2 * this.t.baseSliceNs, this.tickNs), e);
    e.vlag = Math.max(-limit, Math.min(limit, this.avgVruntime(rq) - e.vruntime));
  }

  /**
   * place_entity. With PLACE_LAG the entity keeps the lag it left with:
   * v_i = V - vl_i. Adding it moves V towards v_i, which would eat w_i / (W + w_i)
   * of that lag (W: the load already here, curr included), so the stored lag
   * is inflated first: vl_i = (W + w_i) * vl'_i / W. An empty run queue has
   * no V to keep lag against, and the entity lands at V (= v0).
   * The deadline is one request ahead, or half of one for a new task
   * (PLACE_DEADLINE_INITIAL: the others are on average halfway through theirs).
   */
  private place(rq: EevdfRunQueue<E>, e: E, initial: boolean): void {
    let lag = 0;
    if (this.feat.placeLag && nrRunning(rq) > 0 && e.vlag !== 0) {
      const load = rq.avgLoad + (rq.curr ? rq.curr.weight : 0);
      lag = Math.trunc((e.vlag * (load + e.weight)) / load);
    }
    e.vruntime = this.avgVruntime(rq) - lag;
    const vslice = this.vslice(e);
    e.deadline = e.vruntime + (initial && this.feat.placeDeadlineInitial ? Math.floor(vslice / 2) : vslice);
  }

  // ---- accounting ----------------------------------------------------------------

  /** update_curr: charge curr's run since execStart in virtual time, then update_deadline. */
  updateCurr(rq: RunQueue<E>, now: Ns): void {
    const q = rq as EevdfRunQueue<E>;
    const c = q.curr;
    if (!c) return;
    const delta = now - c.execStart;
    if (delta <= 0) return;
    c.execStart = now;
    c.sumExec += delta;
    c.vruntime += calcDeltaFair(delta, c);
    this.updateDeadline(q, c);
    this.updateMinVruntime(q);
  }

  /**
   * update_deadline: once v_i reaches vd_i the request is served; the next
   * one starts at v_i, and curr is rescheduled if anyone else is runnable.
   * This replaces CFS's check_preempt_tick: the slice ends at the first
   * update_curr (here: tick, wakeup, enqueue) past the deadline.
   */
  private updateDeadline(rq: EevdfRunQueue<E>, se: E): void {
    if (se.vruntime < se.deadline) return;
    se.deadline = se.vruntime + this.vslice(se);
    if (nrRunning(rq) > 1) {
      rq.needResched = true;
      this.clearBuddies(rq, se);
    }
  }

  private clearBuddies(rq: EevdfRunQueue<E>, e: E): void {
    if (rq.next === e) rq.next = null;
  }

  // ---- the class operations ------------------------------------------------------

  /** enqueue_entity: update_curr, then place_entity on every enqueue (6.6 keeps no vruntime across a dequeue, only vlag). */
  enqueue(rq: RunQueue<E>, e: E, now: Ns, how: 'wakeup' | 'new' | 'migrate' | 'requeue'): void {
    const q = rq as EevdfRunQueue<E>;
    this.updateCurr(q, now);
    // sched_fork: a new task has no lag (se->vlag = 0); ENQUEUE_INITIAL.
    if (how === 'new') e.vlag = 0;
    this.place(q, e, how === 'new');
    insertSorted(q.queue, e);
    this.avgAdd(q, e);
    q.load += e.weight;
  }

  /** dequeue_entity of a queued entity (migration, affinity change): its lag is taken against V while it still counts in V. */
  dequeue(rq: RunQueue<E>, e: E, now: Ns): void {
    const q = rq as EevdfRunQueue<E>;
    this.updateCurr(q, now);
    const i = q.queue.indexOf(e);
    if (i < 0) throw new InvariantError(`eevdf: dequeue of thread ${e.tid}, which is not queued on cpu${q.cpu}`);
    this.clearBuddies(q, e);
    this.updateEntityLag(q, e);
    removeAt(q.queue, i);
    this.avgSub(q, e);
    q.load -= e.weight;
    this.updateMinVruntime(q);
  }

  /**
   * pick_eevdf: the eligible entity with the earliest deadline, curr included
   * when it is still eligible. With RUN_TO_PARITY, an eligible curr that has
   * not started a new request since it was picked keeps the CPU. The entity
   * with the least vruntime is always eligible, so the kernel's fallback to
   * the leftmost ("EEVDF scheduling fail") only guards against bugs.
   */
  pickEevdf(rq: RunQueue<E>): E | null {
    const q = rq as EevdfRunQueue<E>;
    const [avg, load] = this.sums(q);
    const ok = (e: E) => avg >= this.key(q, e) * load;
    let curr = q.curr;
    if (curr && !ok(curr)) curr = null;
    if (this.feat.runToParity && curr && curr.deadline === q.pickedDeadline) return curr;
    // Ties go to curr, then to the lower vruntime: __pick_eevdf only replaces on a strictly earlier deadline.
    let best = curr;
    for (const se of q.queue) if ((!best || se.deadline < best.deadline) && ok(se)) best = se;
    return best ?? q.queue[0] ?? null;
  }

  /** pick_next_task_fair after put_prev_task (the simple path): pick_next_entity, then set_next_entity. */
  pickNext(rq: RunQueue<E>, now: Ns): E | null {
    const q = rq as EevdfRunQueue<E>;
    if (q.queue.length === 0) return null;
    // pick_next_entity: the next buddy (yield_to's target) if it is eligible.
    let se: E | null = null;
    if (this.feat.pickBuddy && q.next && q.queue.includes(q.next) && this.eligible(q, q.next)) se = q.next;
    se ??= this.pickEevdf(q)!;
    // set_next_entity: out of the tree and out of the sums; curr is added back by sums().
    this.clearBuddies(q, se);
    removeFrom(q.queue, se);
    this.avgSub(q, se);
    q.curr = se;
    se.execStart = now;
    se.prevSumExec = se.sumExec;
    q.pickedDeadline = se.deadline;
    q.needResched = false;
    return se;
  }

  /**
   * put_prev_entity; when curr is not runnable, dequeue_entity(DEQUEUE_SLEEP)
   * first, which records its lag against V with curr still counted.
   */
  putPrev(rq: RunQueue<E>, now: Ns, runnable: boolean): void {
    const q = rq as EevdfRunQueue<E>;
    const c = q.curr;
    if (!c) return;
    this.updateCurr(q, now);
    if (runnable) {
      q.curr = null;
      insertSorted(q.queue, c);
      this.avgAdd(q, c);
      return;
    }
    this.clearBuddies(q, c);
    this.updateEntityLag(q, c);
    q.load -= c.weight;
    q.curr = null;
    this.updateMinVruntime(q);
  }

  /** entity_tick: only update_curr; curr is preempted when update_deadline said so. */
  tick(rq: RunQueue<E>, now: Ns): boolean {
    const q = rq as EevdfRunQueue<E>;
    this.updateCurr(q, now);
    return q.needResched && q.curr !== null;
  }

  /**
   * check_preempt_wakeup (check_preempt_wakeup_fair from 6.7): preempt when
   * the woken entity is what pick_eevdf would run now, i.e. it is eligible
   * and its deadline is earlier than curr's, and curr is not protected by
   * RUN_TO_PARITY.
   */
  checkPreemptWakeup(rq: RunQueue<E>, woken: E, now: Ns): boolean {
    const q = rq as EevdfRunQueue<E>;
    if (woken === q.curr) return false;
    this.updateCurr(q, now);
    if (!q.curr || q.needResched) return true;
    return this.pickEevdf(q) === woken;
  }

  /**
   * yield_task_fair: curr gives up the rest of its request by pushing its
   * deadline one request further (vd_i += r_i / w_i), so every eligible
   * entity with an earlier deadline goes first. Its vruntime, and so its
   * lag, is untouched (79104becf42b later moves vruntime to the old deadline too).
   */
  yieldCurr(rq: RunQueue<E>, now: Ns): void {
    const q = rq as EevdfRunQueue<E>;
    const c = q.curr;
    if (!c || nrRunning(q) === 1) return;
    this.clearBuddies(q, c);
    this.updateCurr(q, now);
    c.deadline += this.vslice(c);
  }

  /** yield_to_task_fair: the target becomes the next buddy (set_next_buddy); the host then yields curr. */
  yieldTo(rq: RunQueue<E>, target: E): boolean {
    if (!rq.queue.includes(target)) return false;
    rq.next = target;
    return true;
  }

  /**
   * migrate_task_rq_fair no longer re-bases vruntime (e8f331bcc270,
   * "sched/smp: Use lag to simplify cross-runqueue placement", 6.6): the lag
   * taken at dequeue is relative to V already, and place_entity applies it
   * against the new run queue's V.
   */
  detach(_rq: RunQueue<E>, _e: E): void {}

  attach(_rq: RunQueue<E>, _e: E): void {}
}

/**
 * Recompute what EEVDF keeps incrementally and compare: the sums behind V,
 * the load, the queue order. For tests; throws InvariantError on a mismatch.
 */
export function checkEevdfRunQueue<E extends SchedEntity>(rq: RunQueue<E>): void {
  const q = rq as EevdfRunQueue<E>;
  let sum = 0;
  let load = 0;
  for (let i = 0; i < q.queue.length; i++) {
    const e = q.queue[i];
    if (i > 0 && entityBefore(e, q.queue[i - 1])) throw new InvariantError(`eevdf cpu${q.cpu}: queue out of vruntime order at ${i}`);
    sum += (e.vruntime - q.minVruntime) * e.weight;
    load += e.weight;
  }
  if (sum !== q.avgVruntimeSum || load !== q.avgLoad) {
    throw new InvariantError(`eevdf cpu${q.cpu}: avg_vruntime ${q.avgVruntimeSum}/${q.avgLoad}, recomputed ${sum}/${load}`);
  }
  const all = load + (q.curr ? q.curr.weight : 0);
  if (all !== q.load) throw new InvariantError(`eevdf cpu${q.cpu}: load ${q.load}, recomputed ${all}`);
  for (const e of [...q.queue, ...(q.curr ? [q.curr] : [])]) {
    if (!Number.isSafeInteger(e.vruntime) || !Number.isSafeInteger(e.deadline)) throw new InvariantError(`eevdf cpu${q.cpu}: thread ${e.tid} has a non-integer virtual time`);
  }
}
