import { ACC_GUEST, ACC_HOST, ACC_KVM, ACC_QEMU, ACC_SLEEP, ACC_WAIT, type HostThread } from '../host/thread.js';
import { CPU_ACC_NAMES } from '../host/host.js';
import { EXIT_REASONS } from '../host/costs.js';
import type { LogHistogram } from '../host/stats.js';
import { REPORT_VERSION, type GuestResult, type LatencySummary, type Results, type ThreadTimes, type VcpuResult } from '../report/results.js';
import { defOf, type Simulation } from './build.js';
import { nsToSeconds } from '../engine/time.js';
import type { MeasuredWindow } from './window.js';

function times(t: HostThread): ThreadTimes {
  return {
    guest: Math.round(t.acc[ACC_GUEST]),
    kvm: Math.round(t.acc[ACC_KVM]),
    qemu: Math.round(t.acc[ACC_QEMU]),
    host: Math.round(t.acc[ACC_HOST]),
    steal: Math.round(t.acc[ACC_WAIT]),
    halted: Math.round(t.acc[ACC_SLEEP]),
  };
}

export function summarise(h: LogHistogram, percentiles: number[]): LatencySummary {
  const pct: Record<string, number> = {};
  for (const p of percentiles) pct[`p${p}`] = Math.round(h.quantile(p / 100));
  // At most CDF_POINTS bucket points: enough for a smooth curve on a log axis, small enough for every run's JSON.
  const cdf = h.cdf(CDF_POINTS - 1).map((c) => ({ value_ns: Math.round(c.value), p: Math.round(c.p * 1e6) / 1e6 }));
  return { count: h.n, mean_ns: Math.round(h.mean()), min_ns: Math.round(h.min), max_ns: Math.round(h.max), percentiles_ns: pct, cdf };
}

/** Most points of a latency CDF in the results (LogHistogram.cdf may add the last bucket to its thinned points). */
export const CDF_POINTS = 200;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Turn the finished simulation into the report's data: every count and time
 * over the measured window only. Keys are emitted in a fixed order.
 */
export function collect(sim: Simulation, window: MeasuredWindow, measuredNs: number, partial: boolean): Results {
  const now = sim.engine.now;
  window.ensureOpen(now);
  const s = sim.scenario;
  const host = sim.host;
  const secs = nsToSeconds(measuredNs);
  const places = host.cfg.places;
  const guests: GuestResult[] = sim.guests.map((g) => {
    const def = defOf(sim, g);
    const vcpu: VcpuResult[] = g.onlineVcpus().map((v) => {
      const st = window.vcpu(v, now);
      const tc = window.thread(v.thread);
      return {
        cpu: v.cpuNo,
        qemu_index: v.index,
        tid: v.thread.tid,
        time_ns: times(v.thread),
        exits: Object.fromEntries(EXIT_REASONS.map((r, i) => [r, st.exits[i]])),
        instructions: st.instrs,
        context_switches: tc.switches,
        preemptions: tc.preemptions,
        migrations: tc.migrations,
        cache_refill_ns: Math.round(tc.refillNs),
        costop_ns: Math.round(v.thread.costopNs + (v.thread.costopped ? Math.max(0, now - Math.max(v.thread.costopSince, s.warmup)) : 0)),
        spin_ns: Math.round(st.spinNs),
        ple_exits: st.pleExits,
        directed_yields: st.directedYields,
        halts: st.halts,
        halt_poll: { hits: st.haltPollHits, misses: st.haltPollMisses, poll_ns: Math.round(st.haltPollNs) },
        guest_halt_poll: { hits: st.guestPollHits, misses: st.guestPollMisses, poll_ns: Math.round(st.guestPollNs) },
        last_cpu: v.thread.cpu >= 0 ? v.thread.cpu : v.thread.lastCpu,
        fault: v.fault,
      };
    });
    const exits: Record<string, number> = Object.fromEntries(EXIT_REASONS.map((r) => [r, 0]));
    for (const v of vcpu) for (const r of EXIT_REASONS) exits[r] += v.exits[r];
    const counters: Record<string, number> = {};
    for (const k of [...g.counters.keys()].sort()) counters[k] = g.counters.get(k)!;
    for (const [k, read] of [...g.gauges.entries()].sort(([a], [b]) => a.localeCompare(b))) counters[k] = read();
    const latency: Record<string, LatencySummary> = {};
    const names = [...def.instance.latencies, ...[...g.histograms.keys()].filter((k) => !def.instance.latencies.includes(k)).sort()];
    for (const k of names) {
      const h = g.histograms.get(k);
      if (h) latency[k] = summarise(h, s.report.percentiles);
    }
    const tp = def.instance.throughput;
    const total = counters[tp.counter] ?? 0;
    const instrs = vcpu.reduce((a, v) => a + v.instructions, 0);
    const steal = vcpu.reduce((a, v) => a + v.time_ns.steal, 0);
    const runnable = vcpu.reduce((a, v) => a + v.time_ns.guest + v.time_ns.kvm + v.time_ns.qemu + v.time_ns.steal, 0);
    return {
      name: g.name,
      pid: g.spec.pid,
      smp: def.smpText || '1',
      machine: def.machineType?.name ?? null,
      vcpus: vcpu.length,
      workload: def.workload.kind,
      throughput: { counter: tp.counter, unit: tp.unit, total, per_second: round3(total / secs) },
      instructions_per_second: Math.round(instrs / secs),
      counters,
      latency,
      exits,
      exits_per_second: round3(Object.values(exits).reduce((a, b) => a + b, 0) / (secs || 1)),
      steal_fraction: runnable > 0 ? round3(steal / runnable) : 0,
      faults: g.faults.map((f) => ({ cpu: f.cpu, at_ns: f.at, message: f.message })),
      main_thread: { time_ns: times(g.mainThread), context_switches: window.thread(g.mainThread).switches },
      vcpu,
    };
  });
  const pcpus = host.cpus.map((c) => {
    const t: Record<string, number> = {};
    CPU_ACC_NAMES.forEach((n, i) => (t[n] = Math.round(c.acc[i])));
    const total = c.acc.reduce((a, b) => a + b, 0);
    return { cpu: c.id, socket: c.place.socket, core: c.place.core, thread: c.place.thread, time_ns: t, busy_fraction: total ? round3(1 - t.idle / total) : 0, context_switches: window.cpuSwitches(c.id, c.switches) };
  });
  // From the pCPUs themselves, however the host was described (cpus, topology, a host file).
  const topo = {
    sockets: new Set(places.map((p) => p.socket)).size,
    cores: new Set(places.map((p) => `${p.socket}/${p.core}`)).size / new Set(places.map((p) => p.socket)).size,
    threads: Math.max(...places.map((p) => p.thread)) + 1,
  };
  return {
    simvm: { report_version: REPORT_VERSION },
    scenario: { name: s.name, description: s.description, file: s.file, seed: s.seed, duration_ns: s.duration, warmup_ns: s.warmup },
    host: {
      cpus: places.length,
      topology: topo,
      freq_hz: host.cfg.freqHz,
      kernel: s.host.kernel ?? null,
      scheduler: host.sched.describe(),
      kvm: {
        ple: s.host.kvm.ple,
        ple_window: s.host.kvm.ple_window,
        halt_poll_ns: s.host.kvm.halt_poll,
        posted_interrupts: s.host.kvm.posted_interrupts,
      },
      isolcpus: host.cfg.isolcpus,
    },
    guests,
    pcpus,
    run: { events: sim.engine.delivered, simulated_ns: measuredNs, partial, stop_reason: sim.stopReason },
  };
}
