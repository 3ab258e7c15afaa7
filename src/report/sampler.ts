import { Prio, type Handler, type SimEvent } from '../engine/engine.js';
import type { Ns } from '../engine/time.js';
import type { Simulation } from '../scenario/build.js';
import { CPU_ACC_NAMES } from '../host/host.js';
import { ACC_WAIT, STATE_RUNNING } from '../host/thread.js';

/** Time series of a run, sampled at a fixed simulated interval after warm-up. */
export interface Series {
  interval_ns: number;
  /** End time of each sample window, ns since the start of the run. */
  t_ns: number[];
  /** Per pCPU, the share of each window in each state (guest, kvm, qemu, host, sched, idle). */
  pcpu: { cpu: number; share: Record<string, number[]> }[];
  /** Per guest, throughput in each window (operations per second). */
  guests: { name: string; throughput: number[]; steal_share: number[]; latency_mean_ns: (number | null)[] }[];
  /** Per vCPU, the pCPU it was running on at the sample instant (-1: not running). */
  vcpu_psr: { guest: string; cpu: number; psr: number[] }[];
}

/**
 * Samples the run every `interval` ns: one event per interval, reading the
 * accounting the model keeps anyway, so sampling costs almost nothing.
 */
export class Sampler implements Handler {
  readonly series: Series;
  private lastCpu: Float64Array[];
  private lastCount: number[];
  private lastWait: number[][];
  private readonly lastLat: { n: number; sum: number }[] = [];
  private readonly psrRows = new Map<string, Series['vcpu_psr'][number]>();

  constructor(
    readonly sim: Simulation,
    readonly interval: Ns,
    readonly counters: string[],
    /** Per guest, the latency distribution whose per-window mean is sampled (or undefined). */
    readonly latencies: (string | undefined)[] = [],
  ) {
    const h = sim.host;
    this.series = {
      interval_ns: interval,
      t_ns: [],
      pcpu: h.cpus.map((c) => ({ cpu: c.id, share: Object.fromEntries(CPU_ACC_NAMES.map((n) => [n, [] as number[]])) })),
      guests: sim.guests.map((g) => ({ name: g.name, throughput: [], steal_share: [], latency_mean_ns: [] })),
      vcpu_psr: sim.guests.flatMap((g) => g.onlineVcpus().map((v) => ({ guest: g.name, cpu: v.cpuNo, psr: [] as number[] }))),
    };
    for (const r of this.series.vcpu_psr) if (!this.psrRows.has(r.guest + '\0' + r.cpu)) this.psrRows.set(r.guest + '\0' + r.cpu, r);
    this.lastCpu = h.cpus.map(() => new Float64Array(CPU_ACC_NAMES.length));
    this.lastCount = sim.guests.map(() => 0);
    this.lastWait = sim.guests.map((g) => g.onlineVcpus().map(() => 0));
    const first = sim.scenario.warmup + interval;
    if (first <= sim.scenario.warmup + sim.scenario.duration) sim.engine.schedule(first, Prio.Sample, this);
  }

  onEvent(_ev: SimEvent): void {
    const sim = this.sim;
    const now = sim.engine.now;
    const h = sim.host;
    const s = this.series;
    s.t_ns.push(now);
    h.cpus.forEach((c, i) => {
      const prev = this.lastCpu[i];
      const cur = Float64Array.from(c.acc);
      if (now > c.accSince) cur[c.accState] += now - Math.max(c.accSince, h.cfg.warmupNs);
      CPU_ACC_NAMES.forEach((n, k) => s.pcpu[i].share[n].push(round((cur[k] - prev[k]) / this.interval)));
      this.lastCpu[i] = cur;
    });
    sim.guests.forEach((g, i) => {
      let total = 0;
      for (const c of this.counters[i] ? [this.counters[i]] : []) total += g.counters.get(c) ?? 0;
      s.guests[i].throughput.push(round(((total - this.lastCount[i]) * 1e9) / this.interval));
      this.lastCount[i] = total;
      let wait = 0;
      const vs = g.onlineVcpus();
      vs.forEach((v, k) => {
        const t = v.thread;
        const w = t.acc[ACC_WAIT] + (t.accState === ACC_WAIT ? now - Math.max(t.accSince, h.cfg.warmupNs) : 0);
        wait += w - (this.lastWait[i][k] ?? 0);
        this.lastWait[i][k] = w;
      });
      s.guests[i].steal_share.push(round(wait / (this.interval * Math.max(1, vs.length))));
      // Mean latency of the samples that arrived in this window (null: none did).
      const hist = this.latencies[i] ? g.histograms.get(this.latencies[i]!) : undefined;
      const prev = this.lastLat[i] ?? { n: 0, sum: 0 };
      const dn = (hist?.n ?? 0) - prev.n;
      s.guests[i].latency_mean_ns.push(dn > 0 ? Math.round(((hist?.sum ?? 0) - prev.sum) / dn) : null);
      this.lastLat[i] = { n: hist?.n ?? 0, sum: hist?.sum ?? 0 };
    });
    for (const g of sim.guests)
      for (const v of g.onlineVcpus()) {
        const key = g.name + '\0' + v.cpuNo;
        let row = this.psrRows.get(key);
        if (!row) {
          // A vCPU hot-plugged during the run: not there (-1) before it existed.
          row = { guest: g.name, cpu: v.cpuNo, psr: new Array(s.t_ns.length - 1).fill(-1) };
          s.vcpu_psr.push(row);
          this.psrRows.set(key, row);
        }
        row.psr.push(v.thread.state === STATE_RUNNING ? v.thread.cpu : -1);
      }
    const next = now + this.interval;
    if (next <= sim.scenario.warmup + sim.scenario.duration) sim.engine.schedule(next, Prio.Sample, this);
  }
}

const round = (x: number) => Math.round(x * 10000) / 10000;
