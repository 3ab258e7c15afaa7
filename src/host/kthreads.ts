import { Prio, type Engine, type Handler, type SimEvent } from '../engine/engine.js';
import type { Ns } from '../engine/time.js';
import type { Host } from './host.js';
import { TaskBody } from './task.js';
import { ACC_HOST, type HostThread } from './thread.js';

/**
 * Per-CPU kernel threads, bound to their CPU as the kernel binds them
 * (kthread_bind): they stay on isolated CPUs, which is how §5.1.2 checks
 * isolation with `ps -eLo psr`. Periods and costs are of the order the
 * kernel's own timers give them; their job here is to be present and to
 * cost a little time, not to be precise.
 */
export const KTHREADS = [
  // watchdog/N: softlockup watchdog, woken every 2 * watchdog_thresh / 5 = 4 s (kernel/watchdog.c).
  { name: 'watchdog/%d', periodNs: 4e9, workNs: 3_000 },
  // migration/N: the stopper thread; only runs for forced migrations.
  { name: 'migration/%d', periodNs: 0, workNs: 0 },
  // ksoftirqd/N: softirqs that overflow irq exit; idle on a quiet host.
  { name: 'ksoftirqd/%d', periodNs: 0, workNs: 0 },
  // kworker/N:0: per-CPU workqueue; vmstat_update runs every sysctl_stat_interval = 1 s (mm/vmstat.c).
  { name: 'kworker/%d:0', periodNs: 1e9, workNs: 5_000 },
  // kworker/N:0H: the high-priority per-CPU workqueue.
  { name: 'kworker/%d:0H', periodNs: 0, workNs: 0 },
] as const;

/** pid of kernel thread k of CPU c: RHEL 7 numbers them from 7 + 5c (seed §5.1.2: watchdog/4 is 27, watchdog/5 is 32). */
export const kthreadPid = (cpu: number, k: number) => 7 + 5 * cpu + k;

/** A host process that is not a guest: kernel threads and background load, for `ps` and the scheduler. */
export interface HostProcess {
  pid: number;
  ppid: number;
  args: string;
  kernel: boolean;
  threads: HostThread[];
}

class Periodic implements Handler {
  constructor(
    readonly engine: Engine,
    readonly body: TaskBody,
    readonly periodNs: Ns,
    readonly workNs: Ns,
    readonly jitter: () => number,
  ) {}
  onEvent(_ev: SimEvent): void {
    const now = this.engine.now;
    this.body.push({ ns: this.workNs }, now);
    this.engine.schedule(now + this.periodNs, Prio.Wakeup, this);
  }
  start(offset: Ns): void {
    this.engine.schedule(offset, Prio.Wakeup, this);
  }
}

export function addKernelThreads(engine: Engine, host: Host): HostProcess[] {
  const out: HostProcess[] = [];
  const phase = engine.rng('host/kthreads/phase');
  for (const c of host.cpus) {
    KTHREADS.forEach((k, i) => {
      const pid = kthreadPid(c.id, i);
      const t = host.addThread(pid, pid, k.name.replace('%d', String(c.id)), 'kthread', -1, { privateBytes: 16 * 1024, llcBytes: 0 });
      t.allowed.fill(0);
      t.allowed[c.id] = 1;
      t.lastCpu = c.id;
      t.cpu = -1;
      const body = new TaskBody(engine, host, t, ACC_HOST);
      if (k.periodNs > 0) new Periodic(engine, body, k.periodNs, k.workNs, () => 0).start(Math.round(phase.uniform() * k.periodNs));
      out.push({ pid, ppid: 2, args: `[${t.name}]`, kernel: true, threads: [t] });
    });
  }
  return out;
}

/** Background host load declared in the scenario (`host.background`). */
export interface BackgroundDef {
  name: string;
  count: number;
  kind: 'batch' | 'periodic';
  period: number;
  work: number;
  nice: number;
  cpus?: number[];
}

export function addBackground(engine: Engine, host: Host, defs: BackgroundDef[], firstPid: number, weightOfNice: (n: number) => number): HostProcess[] {
  const out: HostProcess[] = [];
  let pid = firstPid;
  for (const d of defs) {
    for (let k = 1; k <= d.count; k++) {
      const name = d.count > 1 ? `${d.name}-${k}` : d.name;
      const t = host.addThread(pid, pid, name, 'task', -1, { privateBytes: 256 * 1024, llcBytes: 2 * 1024 * 1024 });
      t.weight = weightOfNice(d.nice);
      if (d.cpus) {
        t.allowed.fill(0);
        for (const c of d.cpus) t.allowed[c] = 1;
      }
      const body = new TaskBody(engine, host, t, ACC_HOST);
      if (d.kind === 'batch') body.push({ ns: Infinity }, 0);
      else new Periodic(engine, body, d.period, d.work, () => 0).start(Math.round(engine.rng(`host/background/${name}`).uniform() * d.period));
      out.push({ pid, ppid: 1, args: name, kernel: false, threads: [t] });
      pid++;
    }
  }
  return out;
}
