import FastPriorityQueue from 'fastpriorityqueue';
import { Streams } from './rng.js';
import type { Ns } from './time.js';

/**
 * Same-time priorities: events at one instant run in this order, then in the
 * order they were scheduled. Lower runs first.
 */
export const Prio = {
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
    /** prio * 2^40 + sequence: one number orders same-time events. */
    readonly key: number,
    readonly target: Handler,
    readonly kind: number,
    readonly arg: number,
  ) {}
}

const SEQ_SPAN = 2 ** 40;

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.key < b.key);
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
  readonly streams: Streams;
  /** Set to stop `run` at the next event boundary (Ctrl-C, wall-clock limits). */
  stopRequested = false;

  constructor(seed: string | number) {
    this.streams = new Streams(seed);
  }

  rng(name: string) {
    return this.streams.get(name);
  }

  schedule(time: Ns, prio: number, target: Handler, kind = 0, arg = 0): SimEvent {
    if (!(time >= this.now)) {
      throw new InvariantError(`event scheduled in the past: ${time} < now ${this.now}`);
    }
    const ev = new SimEvent(time, prio * SEQ_SPAN + this.seq++, target, kind, arg);
    this.queue.add(ev);
    return ev;
  }

  cancel(ev: SimEvent | null | undefined): void {
    if (ev) ev.live = false;
  }

  /** Time of the next live event, or Infinity. */
  peekTime(): Ns {
    let top = this.queue.peek();
    while (top && !top.live) {
      this.queue.poll();
      top = this.queue.peek();
    }
    return top ? top.time : Infinity;
  }

  /** Deliver the next live event; false when none is left. */
  step(): boolean {
    for (;;) {
      const ev = this.queue.poll();
      if (!ev) return false;
      if (!ev.live) continue;
      this.now = ev.time;
      this.delivered++;
      ev.live = false;
      ev.target.onEvent(ev);
      return true;
    }
  }

  /** Run every event with time <= `until`, then set now = until. */
  runUntil(until: Ns): void {
    const q = this.queue;
    for (;;) {
      if (this.stopRequested) return;
      const ev = q.peek();
      if (ev === undefined) break;
      if (!ev.live) {
        q.poll();
        continue;
      }
      if (ev.time > until) break;
      q.poll();
      this.now = ev.time;
      this.delivered++;
      ev.live = false;
      ev.target.onEvent(ev);
    }
    this.now = until;
  }

  get pending(): number {
    return this.queue.size;
  }
}
