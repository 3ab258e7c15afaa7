import { Prio, type Engine, type Handler, type SimEvent } from '../engine/engine.js';
import type { Ns } from '../engine/time.js';
import type { Host } from './host.js';
import { STATE_BLOCKED, type HostThread, type ThreadBody } from './thread.js';

/** One piece of CPU work for a host thread: `ns` of CPU time at full speed, then `done`. */
export interface WorkItem {
  ns: Ns;
  done?: (now: Ns) => void;
}

const EV_DONE = 1;

/**
 * A host thread that works through a FIFO of work items and sleeps when it
 * is empty: QEMU's main loop, per-CPU kernel threads, background tasks.
 * Work is CPU time at full speed; a busy SMT sibling stretches it.
 */
export class TaskBody implements ThreadBody, Handler {
  private readonly items: WorkItem[] = [];
  private left = 0;
  private runFrom: Ns = 0;
  private speed = 1;
  private ev: SimEvent | null = null;
  /** Work items completed (after warm-up or not: callers decide what to count). */
  completed = 0;

  constructor(
    readonly engine: Engine,
    readonly host: Host,
    readonly thread: HostThread,
    readonly mode: number,
  ) {
    thread.body = this;
    thread.mode = mode;
  }

  /** Queue work; wakes the thread if it sleeps. */
  push(item: WorkItem, now: Ns): void {
    this.items.push(item);
    if (this.items.length === 1) this.left = item.ns;
    if (this.thread.state === STATE_BLOCKED) this.host.wake(this.thread, now);
  }

  get queued(): number {
    return this.items.length;
  }

  start(now: Ns, stallNs: Ns, _schedIn: boolean): void {
    if (this.items.length === 0) {
      this.host.block(this.thread, now);
      return;
    }
    this.speed = this.host.speed(this.thread.cpu);
    this.runFrom = now + stallNs;
    this.arm();
  }

  private arm(): void {
    if (!Number.isFinite(this.left)) return; // endless work: only preemption stops it
    this.ev = this.engine.schedule(this.runFrom + Math.ceil(this.left / this.speed), Prio.Resume, this, EV_DONE);
  }

  stop(now: Ns, _preempted = false): void {
    this.engine.cancel(this.ev);
    this.ev = null;
    if (now > this.runFrom) this.left = Math.max(0, this.left - (now - this.runFrom) * this.speed);
    this.runFrom = now;
  }

  onEvent(_ev: SimEvent): void {
    const now = this.engine.now;
    this.ev = null;
    const item = this.items.shift()!;
    this.completed++;
    item.done?.(now);
    if (this.items.length === 0) {
      this.host.block(this.thread, now);
      return;
    }
    this.left = this.items[0].ns;
    this.runFrom = now;
    this.arm();
  }
}
