/**
 * A Chrome trace-event (JSON) trace of a run, which the Perfetto UI
 * (ui.perfetto.dev → Open trace file) and chrome://tracing open.
 *
 *   Tracer hooks (run, mode, exit, command) ──▶ compact records ──json(sim)──▶ { traceEvents, displayTimeUnit, otherData }
 *
 * Tracks:
 * - process "pCPUs" (pid 0) with one thread per pCPU, "cpu0", "cpu1", ...:
 *   a complete (`ph: 'X'`) slice per thread run named after the thread
 *   (`db/vcpu3`), and nested under it a slice per mode it ran in (guest,
 *   kvm, qemu, host);
 * - one process per QEMU guest (its pid, named after the guest) and per host
 *   process, one thread per host thread (its tid and name): a slice per run
 *   named after the pCPU ("cpu2"), and an instant (`ph: 'i'`) per VM exit
 *   named after the exit reason;
 * - timeline commands as global instants.
 *
 * Bounded: the trace is a window. It opens at `fromNs` (the CLI passes the
 * end of the warm-up) and records everything until `maxEvents` events
 * (default 200,000, about 25 MB of JSON) are reached; then it closes the
 * open slices at that instant and stops. `otherData` states the window and
 * whether it ended early, so a short trace is never mistaken for the run.
 * A complete window is more useful in Perfetto than a sample: every slice
 * and exit inside it is there, so gaps mean idle, not dropped.
 *
 * Times in the trace are microseconds (the format's unit) with nanosecond
 * decimals. A thread's slice on a pCPU runs from its switch-in (after the
 * context-switch cost) to the next thread's switch-in or the pCPU going
 * idle, so the switch cost shows inside the outgoing thread's slice.
 */
import type { Ns } from '../engine/time.js';
import type { Tracer } from '../host/tracer.js';
import { ACC_HOST, ACC_NAMES } from '../host/thread.js';
import type { Simulation } from './build.js';
import { VERSION } from '../version.js';

/** Default most events a trace keeps: about 25 MB of JSON, which the Perfetto UI opens in seconds. */
export const DEFAULT_TRACE_EVENTS = 200_000;

/** The pseudo-process holding the pCPU tracks; no simulated process has pid 0. */
const CPU_PID = 0;
/** tid of pCPU N's track: above any simulated tid, so tracks never merge with a thread's. */
const CPU_TID_BASE = 1_000_000;

export interface TraceOptions {
  /** Most trace events kept, metadata excluded (default DEFAULT_TRACE_EVENTS). */
  maxEvents?: number;
  /** Simulated time the window opens, ns (default 0). */
  fromNs?: Ns;
}

/** A Chrome trace event (the fields this trace uses). */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  cat?: string;
  s?: 't' | 'g';
  args?: Record<string, unknown>;
}

export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ns';
  otherData: Record<string, string | number | boolean>;
}

const K_RUN = 0;
const K_MODE = 1;
const K_EXIT = 2;
const K_COMMAND = 3;

/** Compact record; names are resolved once, when the trace is written. */
interface Rec {
  kind: number;
  cpu: number;
  tid: number;
  start: Ns;
  end: Ns;
  /** Mode (K_MODE), exit reason or command text. */
  what: number | string;
}

interface CpuState {
  tid: number;
  since: Ns;
  mode: number;
  modeSince: Ns;
}

export class TraceRecorder implements Tracer {
  readonly maxEvents: number;
  readonly fromNs: Ns;
  private readonly recs: Rec[] = [];
  /** Events the records expand to (a run is two: its pCPU slice and its thread slice). */
  private count = 0;
  private readonly cpus: CpuState[] = [];
  /** Last mode reported for each thread: a thread resumes in the mode it was in. */
  private readonly modes = new Map<number, number>();
  /** pCPU each thread is open on. */
  private readonly where = new Map<number, number>();
  private stoppedAt: Ns | null = null;

  constructor(opts: TraceOptions = {}) {
    this.maxEvents = opts.maxEvents ?? DEFAULT_TRACE_EVENTS;
    this.fromNs = opts.fromNs ?? 0;
    if (!(this.maxEvents > 0)) throw new Error('trace maxEvents must be positive');
  }

  /** Whether the window closed before the run ended. */
  get truncated(): boolean {
    return this.stoppedAt !== null;
  }

  /** Events recorded so far (metadata excluded). */
  get events(): number {
    return this.count;
  }

  run(cpu: number, tid: number, now: Ns): void {
    if (this.stoppedAt !== null) return;
    const c = this.cpu(cpu);
    this.closeMode(c, cpu, now);
    this.closeRun(c, cpu, now);
    if (c.tid >= 0) this.where.delete(c.tid);
    // A thread that moved starts on its new pCPU before its old pCPU has switched in the next thread: end it there first, so its own track has no overlapping slices.
    const old = tid >= 0 ? this.where.get(tid) : undefined;
    if (old !== undefined && old !== cpu) {
      const o = this.cpus[old];
      this.closeMode(o, old, now);
      this.closeRun(o, old, now);
      o.tid = -1;
    }
    if (tid >= 0) this.where.set(tid, cpu);
    c.tid = tid;
    c.since = now;
    c.mode = tid >= 0 ? (this.modes.get(tid) ?? ACC_HOST) : -1;
    c.modeSince = now;
    this.checkBudget(now);
  }

  mode(cpu: number, tid: number, mode: number, now: Ns): void {
    this.modes.set(tid, mode);
    if (this.stoppedAt !== null) return;
    const c = this.cpu(cpu);
    if (c.tid !== tid) return;
    this.closeMode(c, cpu, now);
    c.mode = mode;
    c.modeSince = now;
    this.checkBudget(now);
  }

  exit(cpu: number, tid: number, reason: string, now: Ns): void {
    if (this.stoppedAt !== null || now < this.fromNs) return;
    this.push({ kind: K_EXIT, cpu, tid, start: now, end: now, what: reason }, 1);
    this.checkBudget(now);
  }

  command(text: string, now: Ns): void {
    if (this.stoppedAt !== null || now < this.fromNs) return;
    this.push({ kind: K_COMMAND, cpu: -1, tid: -1, start: now, end: now, what: text }, 1);
    this.checkBudget(now);
  }

  /**
   * The trace as an object, with names from the finished simulation
   * (threads added during the run included). Events are sorted by time; at
   * equal times the longer slice first and a run before its modes, so a run
   * encloses the modes that start with it (Perfetto's importer keeps file
   * order for ties). Times are microseconds, the format's unit.
   */
  trace(sim: Simulation): TraceFile {
    const w = this.window(sim);
    const events: TraceEvent[] = [];
    for (const r of w.recs) {
      const ts = r.start / 1000;
      const dur = (r.end - r.start) / 1000;
      if (r.kind === K_RUN) {
        const pid = w.pidOf(r.tid);
        events.push({ name: w.nameOf(r.tid), ph: 'X', pid: CPU_PID, tid: CPU_TID_BASE + r.cpu, ts, dur, cat: 'run', args: { tid: r.tid, pid } });
        events.push({ name: `cpu${r.cpu}`, ph: 'X', pid, tid: r.tid, ts, dur, cat: 'run', args: { cpu: r.cpu } });
      } else if (r.kind === K_MODE) {
        events.push({ name: modeName(r.what), ph: 'X', pid: CPU_PID, tid: CPU_TID_BASE + r.cpu, ts, dur, cat: 'mode', args: { tid: r.tid } });
      } else if (r.kind === K_EXIT) {
        events.push({ name: String(r.what), ph: 'i', s: 't', pid: w.pidOf(r.tid), tid: r.tid, ts, cat: 'exit', args: { cpu: r.cpu } });
      } else {
        events.push({ name: String(r.what), ph: 'i', s: 'g', pid: CPU_PID, tid: CPU_TID_BASE, ts, cat: 'timeline' });
      }
    }
    return { traceEvents: [...w.meta, ...events], displayTimeUnit: 'ns', otherData: w.otherData };
  }

  /** The trace as JSON text, one event per line (diffable, and greppable for one thread or exit). */
  json(sim: Simulation): string {
    return this.bytes(sim).toString('utf8');
  }

  /**
   * `json()` as UTF-8 bytes, written straight from the records: the same
   * text as `JSON.stringify` of each event of `trace()`, about 4x faster
   * than building and stringifying 200,000 objects (docs/performance.md).
   */
  bytes(sim: Simulation): Buffer {
    const w = this.window(sim);
    // About 110 bytes an event: sized so that it rarely has to grow.
    const out = new JsonBytes(128 * (w.events + w.meta.length) + 4096);
    out.str(`{"displayTimeUnit":"ns","otherData":${JSON.stringify(w.otherData)},"traceEvents":[\n`);
    let first = true;
    const sep = () => {
      if (!first) out.raw(SEP);
      first = false;
    };
    for (const e of w.meta) {
      sep();
      out.str(JSON.stringify(e));
    }
    const names = new Map<string, Uint8Array>();
    const quoted = (name: string) => {
      let b = names.get(name);
      if (b === undefined) names.set(name, (b = Buffer.from(JSON.stringify(name), 'utf8')));
      return b;
    };
    // Names and pids looked up once per thread, pCPU and mode, not per event.
    const threadName = new Map<number, Uint8Array>();
    const threadPid = new Map<number, number>();
    const tidName = (tid: number) => {
      let b = threadName.get(tid);
      if (b === undefined) threadName.set(tid, (b = quoted(w.nameOf(tid))));
      return b;
    };
    const pidOf = (tid: number) => {
      let p = threadPid.get(tid);
      if (p === undefined) threadPid.set(tid, (p = w.pidOf(tid)));
      return p;
    };
    const cpuName: Uint8Array[] = [];
    const cpuOf = (cpu: number) => cpuName[cpu] ?? (cpuName[cpu] = quoted(`cpu${cpu}`));
    for (const r of w.recs) {
      if (r.kind === K_RUN) {
        const pid = pidOf(r.tid);
        sep();
        out.slice(tidName(r.tid), CPU_PID, CPU_TID_BASE + r.cpu, r.start, r.end, CAT_RUN_TID);
        out.int(r.tid);
        out.raw(ARG_PID);
        out.int(pid);
        out.raw(END_ARGS);
        sep();
        out.slice(cpuOf(r.cpu), pid, r.tid, r.start, r.end, CAT_RUN_CPU);
        out.int(r.cpu);
        out.raw(END_ARGS);
      } else if (r.kind === K_MODE) {
        sep();
        out.slice(quoted(modeName(r.what)), CPU_PID, CPU_TID_BASE + r.cpu, r.start, r.end, CAT_MODE_TID);
        out.int(r.tid);
        out.raw(END_ARGS);
      } else if (r.kind === K_EXIT) {
        sep();
        out.raw(NAME);
        out.raw(quoted(String(r.what)));
        out.raw(EXIT_PID);
        out.int(pidOf(r.tid));
        out.raw(TID);
        out.int(r.tid);
        out.raw(TS);
        out.usec(r.start);
        out.raw(CAT_EXIT_CPU);
        out.int(r.cpu);
        out.raw(END_ARGS);
      } else {
        sep();
        out.str(JSON.stringify({ name: String(r.what), ph: 'i', s: 'g', pid: CPU_PID, tid: CPU_TID_BASE, ts: r.start / 1000, cat: 'timeline' }));
      }
    }
    out.raw(TAIL);
    return out.done();
  }

  /** What both forms are written from: the records sorted, the names, the metadata. */
  private window(sim: Simulation) {
    const end = this.stoppedAt ?? sim.engine.now;
    const recs = [...this.recs];
    if (this.stoppedAt === null) {
      // Close what is still running at the end of the run (the budget reserved room for these).
      this.cpus.forEach((c, cpu) => {
        if (!c) return;
        if (c.tid >= 0 && c.mode >= 0 && end > Math.max(c.modeSince, this.fromNs)) recs.push({ kind: K_MODE, cpu, tid: c.tid, start: Math.max(c.modeSince, this.fromNs), end, what: c.mode });
        if (c.tid >= 0 && end > Math.max(c.since, this.fromNs)) recs.push({ kind: K_RUN, cpu, tid: c.tid, start: Math.max(c.since, this.fromNs), end, what: 0 });
      });
    }
    // K_RUN < K_MODE < K_EXIT: the tie-break order above.
    recs.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || a.kind - b.kind);

    const threads = new Map(sim.host.threads.map((t) => [t.tid, t]));
    const guestOf = new Map(sim.guests.map((g) => [g.spec.pid, g.name]));
    const procOf = new Map(sim.processes.map((p) => [p.pid, p.args]));
    const pidOf = (tid: number) => threads.get(tid)?.pid ?? tid;
    const nameOf = (tid: number) => threads.get(tid)?.name ?? `tid ${tid}`;

    let events = 0;
    const seen = new Set<number>();
    for (const r of recs) {
      events += r.kind === K_RUN ? 2 : 1;
      if (r.kind === K_RUN || r.kind === K_EXIT) seen.add(r.tid);
    }

    const meta: TraceEvent[] = [];
    const m = (name: string, pid: number, tid: number, args: Record<string, unknown>) => meta.push({ name, ph: 'M', pid, tid, ts: 0, args });
    m('process_name', CPU_PID, CPU_TID_BASE, { name: 'pCPUs' });
    m('process_sort_index', CPU_PID, CPU_TID_BASE, { sort_index: -1 });
    sim.host.cpus.forEach((c) => {
      m('thread_name', CPU_PID, CPU_TID_BASE + c.id, { name: `cpu${c.id}` });
      m('thread_sort_index', CPU_PID, CPU_TID_BASE + c.id, { sort_index: c.id });
    });
    const pids = new Set<number>();
    for (const tid of [...seen].sort((a, b) => a - b)) {
      const pid = pidOf(tid);
      if (!pids.has(pid)) {
        pids.add(pid);
        const g = guestOf.get(pid);
        m('process_name', pid, pid, { name: g !== undefined ? `qemu ${g}` : (procOf.get(pid) ?? nameOf(pid)) });
      }
      m('thread_name', pid, tid, { name: nameOf(tid) });
    }
    const otherData: TraceFile['otherData'] = {
      generator: `simvm ${VERSION}`,
      scenario: sim.scenario.name,
      seed: sim.scenario.seed,
      window_start_ns: this.fromNs,
      window_end_ns: end,
      max_events: this.maxEvents,
      events,
      truncated: this.stoppedAt !== null,
      note:
        this.stoppedAt !== null
          ? `bounded trace: the window from ${this.fromNs} ns closed at ${end} ns when it reached ${this.maxEvents} events; the run went on to ${sim.engine.now} ns`
          : `complete trace from ${this.fromNs} ns to the end of the run`,
    };
    return { recs, events, meta, otherData, pidOf, nameOf };
  }

  private cpu(cpu: number): CpuState {
    let c = this.cpus[cpu];
    if (!c) {
      c = { tid: -1, since: 0, mode: -1, modeSince: 0 };
      this.cpus[cpu] = c;
    }
    return c;
  }

  private push(r: Rec, events: number): void {
    this.recs.push(r);
    this.count += events;
  }

  private closeMode(c: CpuState, cpu: number, now: Ns): void {
    const start = Math.max(c.modeSince, this.fromNs);
    if (c.tid >= 0 && c.mode >= 0 && now > start) this.push({ kind: K_MODE, cpu, tid: c.tid, start, end: now, what: c.mode }, 1);
  }

  private closeRun(c: CpuState, cpu: number, now: Ns): void {
    const start = Math.max(c.since, this.fromNs);
    if (c.tid >= 0 && now > start) this.push({ kind: K_RUN, cpu, tid: c.tid, start, end: now, what: 0 }, 2);
  }

  /**
   * Close the window while it can still be closed within the budget: the
   * next hook adds at most 6 events (a moved thread's slices on two pCPUs),
   * and closing every open slice adds three per pCPU (its run on the pCPU
   * and thread tracks, and its mode).
   */
  private checkBudget(now: Ns): void {
    if (this.count + 3 * this.cpus.length + 6 <= this.maxEvents) return;
    if (now < this.fromNs) return;
    this.cpus.forEach((c, cpu) => {
      if (!c) return;
      this.closeMode(c, cpu, now);
      this.closeRun(c, cpu, now);
      c.tid = -1;
    });
    this.stoppedAt = now;
  }
}

const modeName = (what: number | string) => ACC_NAMES[what as number] ?? String(what);

const ascii = (s: string) => Buffer.from(s, 'latin1');
const SEP = ascii(',\n');
const TAIL = ascii('\n]}\n');
const NAME = ascii('{"name":');
const SLICE_PID = ascii(',"ph":"X","pid":');
const EXIT_PID = ascii(',"ph":"i","s":"t","pid":');
const TID = ascii(',"tid":');
const TS = ascii(',"ts":');
const DUR = ascii(',"dur":');
const CAT_RUN_TID = ascii(',"cat":"run","args":{"tid":');
const CAT_RUN_CPU = ascii(',"cat":"run","args":{"cpu":');
const CAT_MODE_TID = ascii(',"cat":"mode","args":{"tid":');
const CAT_EXIT_CPU = ascii(',"cat":"exit","args":{"cpu":');
const ARG_PID = ascii(',"pid":');
const END_ARGS = ascii('}}');

/**
 * A growing byte buffer for the trace's JSON. Numbers are written as
 * `JSON.stringify` writes them: integers digit by digit, and a time in ns as
 * microseconds with up to three decimals, trailing zeros dropped (the
 * shortest form of ns / 1000 for any time below 2^43 us); a value that is
 * not a whole number of ns, or too large, goes through `String`.
 */
class JsonBytes {
  private buf: Buffer;
  private n = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private need(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(b, 0, 0, this.n);
    this.buf = b;
  }

  raw(b: Uint8Array): void {
    this.need(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  str(s: string): void {
    this.need(3 * s.length);
    this.n += this.buf.write(s, this.n, 'utf8');
  }

  /** A non-negative safe integer, or anything else through String. */
  int(v: number): void {
    if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v))) return this.str(String(v));
    this.need(16);
    const buf = this.buf;
    if (v < 10) {
      buf[this.n++] = 48 + v;
      return;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    let i = this.n + digits;
    this.n = i;
    for (let x = v; x > 0; x = Math.floor(x / 10)) buf[--i] = 48 + (x % 10);
  }

  /** ns / 1000, as JSON writes it. */
  usec(ns: number): void {
    if (!(ns >= 0 && ns < 2 ** 52 && Number.isInteger(ns))) return this.str(String(ns / 1000));
    const whole = Math.floor(ns / 1000);
    let frac = ns - whole * 1000;
    this.int(whole);
    if (frac === 0) return;
    this.need(4);
    const buf = this.buf;
    buf[this.n++] = 46; // '.'
    let digits = 3;
    while (frac % 10 === 0) {
      frac /= 10;
      digits--;
    }
    for (let d = digits - 1, x = frac; d >= 0; d--, x = Math.floor(x / 10)) buf[this.n + d] = 48 + (x % 10);
    this.n += digits;
  }

  /** `{"name":N,"ph":"X","pid":P,"tid":T,"ts":..,"dur":..` and the category's opening. */
  slice(name: Uint8Array, pid: number, tid: number, start: Ns, end: Ns, cat: Uint8Array): void {
    this.raw(NAME);
    this.raw(name);
    this.raw(SLICE_PID);
    this.int(pid);
    this.raw(TID);
    this.int(tid);
    this.raw(TS);
    this.usec(start);
    this.raw(DUR);
    this.usec(end - start);
    this.raw(cat);
  }

  done(): Buffer {
    return this.buf.subarray(0, this.n);
  }
}
