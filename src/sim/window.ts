import { Prio, type Handler, type SimEvent } from '../engine/engine.js';
import type { Ns } from '../engine/time.js';
import type { HostThread } from '../host/thread.js';
import { VcpuStats, type Vcpu } from '../host/vcpu.js';
import type { Simulation } from './build.js';

/** A thread's event counts (time shares are clipped to the window as they are accounted). */
export interface ThreadCounts {
  switches: number;
  preemptions: number;
  migrations: number;
  refillNs: number;
}

function threadCounts(t: HostThread): ThreadCounts {
  return { switches: t.switches, preemptions: t.preemptions, migrations: t.migrations, refillNs: t.refillNs };
}

const ZERO_THREAD: ThreadCounts = { switches: 0, preemptions: 0, migrations: 0, refillNs: 0 };
const ZERO_VCPU = new VcpuStats();
const EV_OPEN = 0;
const EV_CLOSE = 1;

/**
 * The measured window: every count a report shows is its reading at the end
 * minus its reading when the window opened, at the end of the warm-up (as
 * `perf stat` does with counters that run from boot). Time shares do not
 * need this: the host clips them to the window as it accounts them.
 *
 * The window opens on an event at the warm-up instant that orders before
 * anything else at that instant (`Prio.Window`), so nothing that happens at
 * the window's first instant is left out, and nothing taken in closed form
 * (host ticks in place, acting ahead) spans its start.
 */
export class MeasuredWindow implements Handler {
  private opened = false;
  /** The window's end came: the run stops there, before anything else at that instant. */
  closed = false;
  private readonly vcpus = new Map<Vcpu, VcpuStats>();
  private readonly threads = new Map<HostThread, ThreadCounts>();
  private cpuBase: number[] = [];

  constructor(private readonly sim: Simulation) {
    const { engine, scenario } = sim;
    const at = scenario.warmup;
    if (at <= engine.now) this.open(engine.now);
    else engine.schedule(at, Prio.Window, this, EV_OPEN);
    // The window is [warm-up, end): what happens at the end instant belongs
    // to the next window, as the time shares do. The run stops at this event.
    this.closing = engine.schedule(at + scenario.duration, Prio.Window, this, EV_CLOSE);
  }

  private closing: SimEvent;

  /** End the window at `time` instead (a precision run that knows enough). */
  closeAt(time: Ns): void {
    this.sim.engine.cancel(this.closing);
    this.closing = this.sim.engine.schedule(time, Prio.Window, this, EV_CLOSE);
  }

  onEvent(ev: SimEvent): void {
    if (ev.kind === EV_OPEN) this.open(this.sim.engine.now);
    else {
      this.closed = true;
      this.sim.engine.stopRequested = true;
      const now = this.sim.engine.now;
      for (const g of this.sim.guests) for (const v of g.vcpus) if (v) v.settleProbes(now);
    }
  }

  /** Open the window now if it has not opened (a run stopped during the warm-up measured nothing). */
  ensureOpen(now: Ns): void {
    if (!this.opened) this.open(now);
  }

  private open(now: Ns): void {
    this.opened = true;
    const { sim } = this;
    for (const g of sim.guests) for (const v of g.vcpus) if (v) this.vcpus.set(v, v.countsAt(now));
    for (const t of sim.host.threads) this.threads.set(t, threadCounts(t));
    this.cpuBase = sim.host.cpus.map((c) => c.switches);
  }

  /** A vCPU's counts within the window, up to `now` (one created later counts from zero). */
  vcpu(v: Vcpu, now: Ns): VcpuStats {
    return v.countsAt(now).since(this.vcpus.get(v) ?? ZERO_VCPU);
  }

  /** A vCPU's exits within the window so far (all reasons). */
  exits(v: Vcpu): number {
    const base = this.vcpus.get(v)?.exits;
    const e = v.stats.exits;
    let n = 0;
    for (let i = 0; i < e.length; i++) n += e[i] - (base ? base[i] : 0);
    return n;
  }

  thread(t: HostThread): ThreadCounts {
    const base = this.threads.get(t) ?? ZERO_THREAD;
    const c = threadCounts(t);
    return { switches: c.switches - base.switches, preemptions: c.preemptions - base.preemptions, migrations: c.migrations - base.migrations, refillNs: c.refillNs - base.refillNs };
  }

  /** A pCPU's context switches within the window, from its count `total`. */
  cpuSwitches(cpu: number, total: number): number {
    return total - (this.cpuBase[cpu] ?? 0);
  }
}
