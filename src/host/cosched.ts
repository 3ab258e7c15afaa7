import { Prio, type Engine, type Handler, type SimEvent } from '../engine/engine.js';
import type { Ns } from '../engine/time.js';
import type { Guest } from './guest.js';
import type { Host } from './host.js';
import { ACC_WAIT, STATE_RUNNABLE, STATE_RUNNING, type HostThread } from './thread.js';

/**
 * Co-scheduling of each guest's vCPUs, as VMware describes it ("The CPU
 * Scheduler in VMware vSphere 5.1", 2013), on top of CFS:
 *
 * - relaxed: a vCPU progresses while it runs or halts, and not while it
 *   waits for a pCPU. A vCPU more than `skewNs` ahead of its slowest
 *   sibling is co-stopped, and co-started once it is within half of that;
 *   idle (halted) vCPUs are left alone.
 * - strict: the guest's non-halted vCPUs run together or not at all: as
 *   soon as one waits for a pCPU while siblings run, all are co-stopped, and
 *   they are co-started together once none is running.
 *
 * The policy looks at every guest once per `periodNs` (the host tick).
 */
export class CoScheduler implements Handler {
  constructor(
    readonly engine: Engine,
    readonly host: Host,
    readonly guests: Guest[],
    readonly mode: 'relaxed' | 'strict',
    readonly skewNs: Ns,
    readonly periodNs: Ns,
  ) {
    engine.schedule(periodNs, Prio.Sched, this);
  }

  /** Time a thread has waited for a CPU (co-stopped time included), up to now. */
  private waited(t: HostThread, now: Ns): number {
    return t.runDelayNs + (t.accState === ACC_WAIT ? now - t.waitSince : 0);
  }

  onEvent(_ev: SimEvent): void {
    const now = this.engine.now;
    for (const g of this.guests) {
      const vs = g.onlineVcpus().filter((v) => !v.dead && !v.halted);
      if (vs.length < 2) {
        for (const v of vs) this.host.costart(v.thread, now);
        continue;
      }
      if (this.mode === 'strict') this.strict(vs.map((v) => v.thread), now);
      else this.relaxed(vs.map((v) => v.thread), now);
    }
    this.engine.schedule(now + this.periodNs, Prio.Sched, this);
  }

  private strict(ts: HostThread[], now: Ns): void {
    const running = ts.filter((t) => t.state === STATE_RUNNING && !t.costopped);
    const waiting = ts.filter((t) => t.state === STATE_RUNNABLE && !t.costopped);
    if (running.length && waiting.length) for (const t of ts) this.host.costop(t, now);
    else if (!running.length && ts.every((t) => t.costopped || t.state !== STATE_RUNNABLE)) for (const t of ts) this.host.costart(t, now);
  }

  private relaxed(ts: HostThread[], now: Ns): void {
    // Progress = time alive minus time waiting, so a vCPU's lead over the
    // slowest sibling is (the slowest's wait) - (its own wait). Each vCPU has
    // its own hysteresis: stop beyond the threshold, start within half of it.
    const w = ts.map((t) => this.waited(t, now));
    const slowest = Math.max(...w);
    ts.forEach((t, i) => {
      const lead = slowest - w[i];
      if (lead > this.skewNs) this.host.costop(t, now);
      else if (lead < this.skewNs / 2) this.host.costart(t, now);
    });
  }
}
