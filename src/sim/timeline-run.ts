import { Prio, type Handler, type SimEvent } from '../engine/engine.js';
import type { HostThread } from '../host/thread.js';
import { defOf, type Simulation } from './build.js';
import type { TimelineCommand } from '../scenario/timeline.js';
import { formatCpuList } from '../util/units.js';
import { plural } from '../util/plural.js';

/** What a timeline command did, for reports. */
export interface TimelineEffect {
  at_ns: number;
  command: string;
  effect: string;
}

/** Runs the scenario's timeline: each command is an event at its time, before anything else at that instant. */
export class TimelineRunner implements Handler {
  readonly effects: TimelineEffect[] = [];

  constructor(readonly sim: Simulation) {
    sim.scenario.timeline.forEach((c, i) => sim.engine.schedule(c.at, Prio.Command, this, 0, i));
  }

  /**
   * Apply every `cpu-add` now, without delivering an event: the guest's
   * CPUs as they are at the end of the run, for views of its topology.
   * Host commands (taskset, chcpu) are left out: they change where threads
   * run, which only a run can show.
   */
  applyHotplugs(): void {
    for (const c of this.sim.scenario.timeline) if (c.kind === 'cpu-add') this.effects.push({ at_ns: c.at, command: `(qemu ${c.guest}) ${c.text}`, effect: this.apply(c) });
  }

  onEvent(ev: SimEvent): void {
    const c = this.sim.scenario.timeline[ev.arg];
    const effect = this.apply(c);
    this.effects.push({ at_ns: c.at, command: c.kind === 'cpu-add' ? `(qemu ${c.guest}) ${c.text}` : c.text, effect });
    this.sim.host.tracer?.command(c.text, this.sim.engine.now);
  }

  private apply(c: TimelineCommand): string {
    const { host, engine } = this.sim;
    const now = engine.now;
    if (c.kind === 'cpu-add') {
      const g = this.sim.guests.find((x) => x.name === c.guest)!;
      const v = g.addVcpu(c.index);
      const def = defOf(this.sim, g);
      // vcpupin covers a hot-plugged vCPU too (emulatorpin never covers vCPU threads).
      if (def.pin?.length) host.setAffinity(v.thread, def.pin[Math.min(v.cpuNo, def.pin.length - 1)], now);
      host.spawn(v.thread, now);
      return `CPU #${c.index} added (thread_id=${v.thread.tid}); the guest sees it as cpu${v.cpuNo}, ${plural(g.online(), 'CPU')} online`;
    }
    if (c.kind === 'chcpu') {
      const lines: string[] = [];
      for (const cpu of c.cpus) {
        if (c.enable) {
          host.online(cpu, now);
          lines.push(`CPU ${cpu} enabled`);
        } else {
          lines.push(...host.offline(cpu, now), `CPU ${cpu} disabled`);
        }
      }
      return lines.join('\n');
    }
    const threads = this.targets(c.target, c.all);
    const lines: string[] = [];
    for (const t of threads) {
      const before = formatCpuList([...t.allowed].flatMap((x, i) => (x ? [i] : [])));
      host.setAffinity(t, c.cpus, now);
      // taskset -p prints both lists, as in seed §5.2.
      lines.push(`pid ${t.tid}'s current affinity list: ${before}`, `pid ${t.tid}'s new affinity list: ${formatCpuList(c.cpus)}`);
    }
    return lines.join('\n');
  }

  private targets(target: string, all: boolean): HostThread[] {
    const host = this.sim.host;
    if (/^\d+$/.test(target)) {
      const id = Number(target);
      const t = host.threads.find((x) => x.tid === id)!;
      return all ? host.threads.filter((x) => x.pid === t.pid) : [t];
    }
    const [name, sub] = target.split('/');
    const g = this.sim.guests.find((x) => x.name === name)!;
    if (!sub) return all ? host.threads.filter((x) => x.pid === g.spec.pid) : [g.mainThread];
    if (sub === 'main') return [g.mainThread];
    return [g.vcpus[Number(sub.slice(4))].thread];
  }
}
