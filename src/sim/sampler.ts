import { Prio, type Handler, type SimEvent } from '../engine/engine.js';
import type { Ns } from '../engine/time.js';
import type { Simulation } from './build.js';
import { CPU_ACC_NAMES } from '../host/host.js';
import { ACC_GUEST, ACC_KVM, ACC_QEMU, ACC_WAIT, STATE_RUNNING, type HostThread } from '../host/thread.js';
import type { Series } from '../report/results.js';
import type { MeasuredWindow } from './window.js';

/**
 * Samples the run every `interval` ns: one event per interval, reading the
 * accounting the model keeps anyway, so sampling costs almost nothing.
 */
export class Sampler implements Handler {
  readonly series: Series;
  /** Per pCPU, its time buckets at the last sample, and the series each state's share goes to. */
  private readonly lastCpu: Float64Array[];
  private readonly cpuShares: number[][][];
  private readonly lastCount: number[];
  private readonly lastWait: number[][];
  private readonly lastLatN: number[];
  private readonly lastLatSum: number[];
  /** Per guest, the psr row of each guest CPU number (hot-plugged vCPUs get theirs when first seen). */
  private readonly psrRows: Series['vcpu_psr'][number][][];
  private readonly capacity: number;
  /** Samples taken so far. */
  private taken = 0;
  /** The next sample's event. */
  private next: SimEvent | null = null;
  /**
   * Per guest, per window, what the report's intervals are made from (not
   * part of the series in the report): exits, and the vCPUs' steal and
   * runnable time (steal + running), ns.
   */
  readonly windows: { exits: Float64Array; stealNs: Float64Array; runnableNs: Float64Array }[];
  private readonly lastExits: number[];
  private readonly lastRunnable: number[][];

  constructor(
    readonly sim: Simulation,
    readonly interval: Ns,
    readonly counters: string[],
    /** Per guest, the latency distribution whose per-window mean is sampled (or undefined). */
    readonly latencies: (string | undefined)[] = [],
    private readonly window?: MeasuredWindow,
  ) {
    const h = sim.host;
    // Every series has one value per sample, and how many samples a whole
    // run takes is known: they are made at that length and cut if it stops early.
    const n = (this.capacity = Math.max(0, Math.floor(sim.scenario.duration / interval)));
    const zeros = () => new Array<number>(n).fill(0);
    this.series = {
      interval_ns: interval,
      t_ns: zeros(),
      pcpu: h.cpus.map((c) => ({ cpu: c.id, share: Object.fromEntries(CPU_ACC_NAMES.map((name) => [name, zeros()])) })),
      guests: sim.guests.map((g) => ({ name: g.name, throughput: zeros(), steal_share: zeros(), latency_mean_ns: new Array<number | null>(n).fill(null) })),
      vcpu_psr: [],
    };
    this.psrRows = sim.guests.map(() => []);
    sim.guests.forEach((g, i) => {
      for (const v of g.onlineVcpus()) this.psrRow(i, v.cpuNo);
    });
    this.lastCpu = h.cpus.map(() => new Float64Array(CPU_ACC_NAMES.length));
    this.cpuShares = this.series.pcpu.map((p) => CPU_ACC_NAMES.map((n) => p.share[n]));
    this.lastCount = sim.guests.map(() => 0);
    this.lastWait = sim.guests.map((g) => g.onlineVcpus().map(() => 0));
    this.lastLatN = sim.guests.map(() => 0);
    this.lastLatSum = sim.guests.map(() => 0);
    this.windows = sim.guests.map(() => ({ exits: new Float64Array(n), stealNs: new Float64Array(n), runnableNs: new Float64Array(n) }));
    this.lastExits = sim.guests.map(() => 0);
    this.lastRunnable = sim.guests.map((g) => g.onlineVcpus().map(() => 0));
    const first = sim.scenario.warmup + interval;
    if (first <= sim.scenario.warmup + sim.scenario.duration) this.next = sim.engine.schedule(first, Prio.Sample, this);
  }

  onEvent(_ev: SimEvent): void {
    this.sample(this.sim.engine.now);
  }

  private sample(now: Ns): void {
    const sim = this.sim;
    const h = sim.host;
    const warmup = h.cfg.warmupNs;
    const s = this.series;
    const j = this.taken++;
    if (j >= this.capacity) throw new Error(`sampler: more than the ${this.capacity} samples a run takes`);
    s.t_ns[j] = now;
    for (let i = 0; i < h.cpus.length; i++) {
      const c = h.cpus[i];
      const prev = this.lastCpu[i];
      const shares = this.cpuShares[i];
      for (let k = 0; k < prev.length; k++) {
        // The state it is in now counts up to now.
        const cur = k === c.accState && now > c.accSince ? c.acc[k] + (now - Math.max(c.accSince, warmup)) : c.acc[k];
        shares[k][j] = round((cur - prev[k]) / this.interval);
        prev[k] = cur;
      }
    }
    for (let i = 0; i < sim.guests.length; i++) {
      const g = sim.guests[i];
      const total = this.counters[i] ? (g.counters.get(this.counters[i]) ?? 0) : 0;
      s.guests[i].throughput[j] = round(((total - this.lastCount[i]) * 1e9) / this.interval);
      this.lastCount[i] = total;
      let wait = 0;
      const vs = g.onlineVcpus();
      const lastWait = this.lastWait[i];
      for (let k = 0; k < vs.length; k++) {
        const t = vs[k].thread;
        const w = t.acc[ACC_WAIT] + (t.accState === ACC_WAIT ? now - Math.max(t.accSince, warmup) : 0);
        wait += w - (lastWait[k] ?? 0);
        lastWait[k] = w;
      }
      s.guests[i].steal_share[j] = round(wait / (this.interval * Math.max(1, vs.length)));
      const win = this.windows[i];
      win.stealNs[j] = wait;
      let runnable = 0;
      let exits = 0;
      const lastRun = this.lastRunnable[i];
      for (let k = 0; k < vs.length; k++) {
        const r = runningNs(vs[k].thread, now, warmup);
        runnable += r - (lastRun[k] ?? 0);
        lastRun[k] = r;
        if (this.window) exits += this.window.exits(vs[k]);
      }
      win.runnableNs[j] = runnable + wait;
      win.exits[j] = exits - this.lastExits[i];
      this.lastExits[i] = exits;
      // Mean latency of the samples that arrived in this window (null: none did).
      const hist = this.latencies[i] ? g.histograms.get(this.latencies[i]!) : undefined;
      const n = hist?.n ?? 0;
      const sum = hist?.sum ?? 0;
      const dn = n - this.lastLatN[i];
      s.guests[i].latency_mean_ns[j] = dn > 0 ? Math.round((sum - this.lastLatSum[i]) / dn) : null;
      this.lastLatN[i] = n;
      this.lastLatSum[i] = sum;
      const rows = this.psrRows[i];
      for (let k = 0; k < vs.length; k++) {
        const v = vs[k];
        // A vCPU hot-plugged during the run gets its row when first seen.
        const row = rows[v.cpuNo] ?? this.psrRow(i, v.cpuNo);
        row.psr[j] = v.thread.state === STATE_RUNNING ? v.thread.cpu : -1;
      }
    }
    const next = now + this.interval;
    this.next = next <= sim.scenario.warmup + sim.scenario.duration ? sim.engine.schedule(next, Prio.Sample, this) : null;
  }

  /** Samples taken so far. */
  get samples(): number {
    return this.taken;
  }

  /** Guest i's psr row for guest CPU `cpuNo`, made (-1: not there) the first time. */
  private psrRow(i: number, cpuNo: number): Series['vcpu_psr'][number] {
    let row = this.psrRows[i][cpuNo];
    if (!row) {
      row = { guest: this.sim.guests[i].name, cpu: cpuNo, psr: new Array<number>(this.capacity).fill(-1) };
      this.psrRows[i][cpuNo] = row;
      this.series.vcpu_psr.push(row);
    }
    return row;
  }

  /**
   * The series of the samples taken (fewer than planned if the run stopped
   * early). A sample due at `now`, the window's end, is taken as it stands:
   * the run stops there before anything else at that instant.
   */
  finish(now: Ns): Series {
    if (this.next !== null && this.next.live && this.next.time === now) {
      this.sim.engine.cancel(this.next);
      this.sample(now);
    }
    for (const w of this.windows) {
      w.exits = w.exits.subarray(0, this.taken);
      w.stealNs = w.stealNs.subarray(0, this.taken);
      w.runnableNs = w.runnableNs.subarray(0, this.taken);
    }
    const s = this.series;
    const n = this.taken;
    const cut = (a: unknown[]) => (a.length = n);
    cut(s.t_ns);
    for (const p of s.pcpu) for (const a of Object.values(p.share)) cut(a);
    for (const g of s.guests) cut(g.throughput), cut(g.steal_share), cut(g.latency_mean_ns);
    for (const r of s.vcpu_psr) cut(r.psr);
    return s;
  }
}

const round = (x: number) => Math.round(x * 10000) / 10000;

/** Time a thread has run (guest, KVM, QEMU modes) in the measured window up to now, ns. */
function runningNs(t: HostThread, now: Ns, warmup: Ns): number {
  let r = t.acc[ACC_GUEST] + t.acc[ACC_KVM] + t.acc[ACC_QEMU];
  if ((t.accState === ACC_GUEST || t.accState === ACC_KVM || t.accState === ACC_QEMU) && now > t.accSince) r += now - Math.max(t.accSince, warmup);
  return r;
}
