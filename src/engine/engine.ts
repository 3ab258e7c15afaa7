import FastPriorityQueue from 'fastpriorityqueue';
import { Streams } from './rng.js';
import type { Ns } from './time.js';

/**
 * Same-time priorities: events at one instant run in this order, then in the
 * order they were scheduled. Lower runs first.
 */
export const Prio = {
  /** The measured window opens before anything happens at its first instant, so all of that instant is measured. */
  Window: -1,
  /** Scenario timeline commands apply before anything else at their instant. */
  Command: 0,
  /** Device arrivals and completions change state that CPUs then observe. */
  Device: 1,
  /** Thread wake-ups and timers fire before the scheduler decides. */
  Wakeup: 2,
  /** The scheduler tick and dispatch decisions see the settled run queues. */
  Sched: 3,
  /** Guest execution resumes after every same-time state change is visible. */
  Resume: 4,
  /** Statistics sampling observes the instant once everything has happened. */
  Sample: 5,
} as const;

/** Whatever an event is delivered to; models implement it. */
export interface Handler {
  onEvent(ev: SimEvent): void;
}

/** A scheduled event. Cancelled events stay queued and are skipped when popped. */
export class SimEvent {
  live = true;
  constructor(
    readonly time: Ns,
    /** Same-time order: priority, then sequence. Two small integers, not one
     * key `prio * 2^40 + seq`: V8 boxes a field holding a number beyond the
     * small-integer range, one more allocation per event. */
    readonly prio: number,
    readonly seq: number,
    readonly target: Handler,
    readonly kind: number,
    readonly arg: number,
  ) {}
}

/** The order events run in, by (time, priority, sequence): the queue's, and acting ahead's. */
function earlier(time: Ns, prio: number, seq: number, time2: Ns, prio2: number, seq2: number): boolean {
  return time < time2 || (time === time2 && (prio < prio2 || (prio === prio2 && seq < seq2)));
}

function before(a: SimEvent, b: SimEvent): boolean {
  return earlier(a.time, a.prio, a.seq, b.time, b.prio, b.seq);
}

export class InvariantError extends Error {}

/**
 * The discrete-event engine: schedule, cancel, step, run. It knows nothing of
 * CPUs or guests; models own their state and receive events via `Handler`.
 */
export class Engine {
  now: Ns = 0;
  /** Events delivered so far (cancelled ones excluded). */
  delivered = 0;
  private seq = 0;
  private readonly queue = new FastPriorityQueue<SimEvent>(before);
  /**
   * The event being delivered, while it still sits at the root of the queue:
   * the first event its handler schedules takes its place (one sift down
   * instead of a poll and an add). Cleared once the root is anything else.
   */
  private atRoot: SimEvent | null = null;
  /** The latest instant the current run may reach (`runUntil`'s `reach`); acting ahead stays within it. */
  private limit: Ns = 0;
  readonly streams: Streams;
  /** Set to stop `run` at the next event boundary (Ctrl-C, wall-clock limits). */
  stopRequested = false;
  /** False: every step is an event (`advanceIfNext` always refuses), the reference acting ahead is checked against. */
  actAhead = true;

  constructor(seed: string | number) {
    this.streams = new Streams(seed);
  }

  rng(name: string) {
    return this.streams.get(name);
  }

  /**
   * `seq`: a number from `reserveSeq`, for an event that must order among
   * same-time, same-priority events as if it had been scheduled then.
   */
  schedule(time: Ns, prio: number, target: Handler, kind = 0, arg = 0, seq = this.seq++): SimEvent {
    if (!(time >= this.now)) {
      throw new InvariantError(`event scheduled in the past: ${time} < now ${this.now}`);
    }
    const ev = new SimEvent(time, prio, seq, target, kind, arg);
    if (this.atRoot !== null) {
      this.atRoot = null;
      this.queue.replaceTop(ev);
    } else this.queue.add(ev);
    return ev;
  }

  /** Take the next sequence number now for an event scheduled (or acted on ahead) later. */
  reserveSeq(): number {
    return this.seq++;
  }

  cancel(ev: SimEvent | null | undefined): void {
    if (ev) ev.live = false;
  }

  /** The next live event (dead ones at the root are dropped on the way), or undefined. */
  private head(): SimEvent | undefined {
    const q = this.queue;
    let top = q.peek();
    while (top !== undefined && !top.live) {
      // The event being delivered is dead too: once polled it is no longer the root.
      this.atRoot = null;
      q.poll();
      top = q.peek();
    }
    return top;
  }

  /** Time of the next live event, or Infinity. */
  peekTime(): Ns {
    const top = this.head();
    return top ? top.time : Infinity;
  }

  /**
   * Whether an event at (`time`, `prio`) scheduled now would be the next one
   * the current run delivers. If so the clock moves to `time` and the caller
   * does at once what that event would have done: the same things happen in
   * the same order, without the event. Call it only as the last thing the
   * current event does (whatever followed would run after the advance).
   */
  advanceIfNext(time: Ns, prio: number, seq = this.seq): boolean {
    if (!this.actAhead || time > this.limit || time < this.now || this.stopRequested) return false;
    const top = this.head();
    // A pending event that orders first runs first (a new event's sequence would be this.seq).
    if (top !== undefined && earlier(top.time, top.prio, top.seq, time, prio, seq)) return false;
    this.now = time;
    return true;
  }

  /** The latest instant acting ahead may reach in the current run. */
  get reach(): Ns {
    return this.limit;
  }

  /** Deliver `ev`, the live root of the queue. */
  private deliver(ev: SimEvent): void {
    this.now = ev.time;
    this.delivered++;
    ev.live = false;
    this.atRoot = ev;
    ev.target.onEvent(ev);
    if (this.atRoot !== null) {
      this.atRoot = null;
      this.queue.poll();
    }
  }

  /** Deliver the next live event; false when none is left. */
  step(): boolean {
    const ev = this.head();
    if (ev === undefined) return false;
    this.limit = ev.time;
    this.deliver(ev);
    return true;
  }

  /**
   * Run every event with time <= `until`, then set now = until (or leave it
   * where acting ahead took it). A model may act ahead up to `reach`: a run
   * read only at its end passes that end, so slices of it do not stop a
   * chain of work at their boundaries.
   */
  runUntil(until: Ns, reach: Ns = until): void {
    const q = this.queue;
    this.limit = Math.max(until, reach);
    for (;;) {
      if (this.stopRequested) return;
      const ev = q.peek();
      if (ev === undefined) break;
      if (!ev.live) {
        q.poll();
        continue;
      }
      if (ev.time > until) break;
      this.deliver(ev);
    }
    if (until > this.now) this.now = until;
  }

  get pending(): number {
    return this.queue.size;
  }
}
