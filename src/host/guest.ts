import { Prio, type Engine, type Handler, type SimEvent } from '../engine/engine.js';
import { cyclesToNs, type Ns } from '../engine/time.js';
import type { Program } from '../cpu/assembler.js';
import type { PortHandler, WorkloadEnv } from '../workloads/env.js';
import { removeAt } from '../util/arrays.js';
import { LogHistogram } from './stats.js';
import type { Host } from './host.js';
import { TaskBody } from './task.js';
import { ACC_QEMU, type HostThread } from './thread.js';
import { Vcpu, type KvmConfig, type VcpuGuest } from './vcpu.js';

export interface GuestSpec {
  name: string;
  pid: number;
  /** The QEMU command line, as `ps` shows it. */
  args: string;
  program: Program;
  features: Set<string>;
  /** vCPUs present at boot (QEMU indexes 0..cpus-1) and the hot-plug limit. */
  cpus: number;
  maxcpus: number;
  kvm: KvmConfig;
  /** What to do when a vCPU faults: stop the run or carry on without it. */
  onFault: 'stop' | 'continue';
  /** Initial register values per vCPU (seeded per vCPU from the guest's streams). */
  initRegs?: (cpuNo: number, regs: Float64Array) => void;
}

class Callback implements Handler {
  constructor(readonly fn: (now: Ns) => void) {}
  onEvent(ev: SimEvent): void {
    this.fn(ev.time);
  }
}

export interface GuestFault {
  cpu: number;
  at: Ns;
  message: string;
}

/**
 * A guest: one QEMU process. Its threads are the main loop, one thread per
 * vCPU and a few helper threads that sleep (as in the seed's `ps -eLf`);
 * the host schedules them like any other threads. Guest memory is shared by
 * the vCPUs.
 */
export class Guest implements WorkloadEnv, VcpuGuest {
  readonly mem: Float64Array;
  /** Per cache line: the last vCPU to write it, and a version bumped on every write. */
  readonly lineWriter: Int32Array;
  readonly lineVer: Int32Array;
  readonly ports = new Map<number, PortHandler>();
  /** vCPUs by QEMU index (sparse after hot-plug: index 7 may exist without 4..6). */
  readonly vcpus: Vcpu[] = [];
  readonly main: TaskBody;
  readonly mainThread: HostThread;
  readonly auxThreads: HostThread[] = [];
  lastBoosted = 0;
  readonly counters = new Map<string, number>();
  readonly histograms = new Map<string, LogHistogram>();
  readonly faults: GuestFault[] = [];
  readonly gauges = new Map<string, () => number>();
  /**
   * vCPUs watching each word, by address, in the order they started (a
   * deterministic wake order). Small arrays: a word has a few watchers.
   */
  private readonly watchers: (Vcpu[] | undefined)[] = [];
  /** Scratch list for `storing` (spinWake can re-enter watch, so the set is copied first). */
  private readonly woken: Vcpu[] = [];
  readonly freqHz: number;
  private nextTid: number;

  constructor(
    readonly engine: Engine,
    readonly host: Host,
    readonly spec: GuestSpec,
    firstTid: number,
    readonly onStop: (reason: string) => void,
  ) {
    const p = spec.program;
    this.mem = new Float64Array(p.memWords);
    for (const { addr, value } of p.init) this.mem[addr] = value;
    const lines = Math.ceil(p.memWords / 8);
    this.lineWriter = new Int32Array(lines).fill(-1);
    this.lineVer = new Int32Array(lines);
    this.freqHz = host.cfg.freqHz;
    this.stealArea = p.data.get('kvm_steal_time')?.addr ?? -1;
    this.nextTid = firstTid;
    // QEMU's threads: the main loop (pid == tid), then its helper threads
    // (call_rcu and a worker in the seed's listing), then one per vCPU.
    this.mainThread = host.addThread(this.nextTid++, spec.pid, `${spec.name}/main`, 'qemu-main', spec.pid, { privateBytes: 64 * 1024, llcBytes: 256 * 1024 });
    this.main = new TaskBody(engine, host, this.mainThread, ACC_QEMU);
    const rcu = host.addThread(this.nextTid++, spec.pid, `${spec.name}/call_rcu`, 'qemu-aux', spec.pid);
    this.auxThreads.push(rcu);
    new TaskBody(engine, host, rcu, ACC_QEMU);
    for (let i = 0; i < spec.cpus; i++) this.addVcpu(i);
  }

  get name(): string {
    return this.spec.name;
  }
  get program(): Program {
    return this.spec.program;
  }
  get features(): Set<string> {
    return this.spec.features;
  }

  /** Create the vCPU thread for QEMU cpu index `index` (boot or `cpu-add`). */
  addVcpu(index: number): Vcpu {
    const cpuNo = this.onlineVcpus().length;
    const t = this.host.addThread(this.nextTid++, this.spec.pid, `${this.spec.name}/vcpu${index}`, 'vcpu', this.spec.pid, {
      privateBytes: this.host.cfg.cache.privateBytes,
      llcBytes: this.host.cfg.cache.llcBytes,
    });
    const v = new Vcpu(this.engine, this.host, this, t, index, cpuNo, this.spec.kvm);
    this.spec.initRegs?.(cpuNo, v.core.regs);
    this.vcpus[index] = v;
    // The guest numbers CPUs in the order they come online: cpu-add 7 then
    // cpu-add 5 on a 4-vCPU guest gives cpu4 (#7) and cpu5 (#5).
    this.inCpuOrder = [...this.inCpuOrder, v];
    for (const o of this.inCpuOrder) o.core.online = this.inCpuOrder.length;
    return v;
  }
  private inCpuOrder: readonly Vcpu[] = [];

  /** vCPUs in guest CPU-number order (the guest numbers them contiguously). */
  onlineVcpus(): readonly Vcpu[] {
    return this.inCpuOrder;
  }

  vcpuByCpuNo(n: number): Vcpu | undefined {
    return this.onlineVcpus()[n];
  }

  /** Start every vCPU thread (boot). */
  boot(now: Ns): void {
    for (const v of this.onlineVcpus()) this.host.spawn(v.thread, now);
  }

  // ---- shared memory ---------------------------------------------------------

  /**
   * KVM's steal-time area (MSR_KVM_STEAL_TIME), when the program declares
   * `.data kvm_steal_time <8 x maxcpus>`: word cpu*8 is the `preempted` flag
   * that vcpu_is_preempted() reads, KVM sets it when it schedules the vCPU
   * out while runnable and clears it when the vCPU runs again.
   */
  setPreempted(v: Vcpu, preempted: boolean, now: Ns): void {
    const area = this.stealArea;
    if (area < 0) return;
    const addr = area + v.cpuNo * 8;
    const value = preempted ? 1 : 0;
    if (this.mem[addr] !== value) this.write(addr, value, now);
  }
  /** Address of the steal-time area, or -1 when the program has none. */
  private readonly stealArea: number;

  watch(addr: number, v: Vcpu): void {
    const ws = this.watchers[addr];
    if (ws === undefined) this.watchers[addr] = [v];
    else if (ws.indexOf(v) < 0) ws.push(v);
  }

  unwatch(addr: number, v: Vcpu): void {
    // Empty lists stay: the same few words are watched again and again.
    const ws = this.watchers[addr];
    if (ws === undefined) return;
    const i = ws.indexOf(v);
    if (i >= 0) removeAt(ws, i);
  }

  /** unwatch then watch again: `v` goes to the end of the word's watchers. */
  rewatch(addr: number, v: Vcpu): void {
    const ws = this.watchers[addr];
    if (ws === undefined) return;
    const i = ws.indexOf(v);
    if (i < 0 || i === ws.length - 1) return;
    removeAt(ws, i);
    ws.push(v);
  }

  /**
   * A store to `addr` is about to happen at `t` (by vCPU `by` or a device):
   * vCPUs spinning on it wake. Called before memory changes, so a vCPU that
   * read the word locally can replay up to `t` with the old value.
   */
  storing(addr: number, t: Ns, by: Vcpu | null): void {
    const ws = this.watchers[addr];
    if (ws === undefined || ws.length === 0 || (ws.length === 1 && ws[0] === by)) return;
    const woken = this.woken;
    woken.length = 0;
    let keep = false;
    for (let k = 0; k < ws.length; k++) {
      if (ws[k] === by) keep = true;
      else woken.push(ws[k]);
    }
    ws.length = 0;
    if (keep) ws.push(by!);
    for (const v of woken) v.spinWake(t);
  }

  // ---- WorkloadEnv -------------------------------------------------------------

  online(): number {
    return this.onlineVcpus().length;
  }
  rng(stream: string) {
    return this.engine.rng(`guest/${this.spec.name}/${stream}`);
  }
  now(): Ns {
    return this.engine.now;
  }
  at(time: Ns, fn: (now: Ns) => void): void {
    this.engine.schedule(time, Prio.Device, new Callback(fn));
  }
  write(addr: number, value: number, now: Ns): void {
    this.storing(addr, now, null);
    this.mem[addr] = value;
    const line = addr >> 3;
    this.lineWriter[line] = -1;
    this.lineVer[line]++;
  }
  interrupt(cpu: number, vector: number, now: Ns): void {
    this.vcpuByCpuNo(cpu)?.raise(vector, now);
  }
  ipi(cpuNo: number, vector: number, now: Ns): void {
    this.vcpuByCpuNo(cpuNo)?.raise(vector, now);
  }
  /** KVM_HC_KICK_CPU: wake a halted vCPU (paravirtual spinlock unlock). */
  kick(cpuNo: number, now: Ns): void {
    this.vcpuByCpuNo(cpuNo)?.raise(0, now);
  }
  mainLoop(ns: Ns, then: (now: Ns) => void): void {
    this.main.push({ ns, done: then }, this.engine.now);
  }
  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read);
  }
  port(port: number, h: PortHandler): void {
    this.ports.set(port, h);
  }
  private warm(now: Ns): boolean {
    return now >= this.host.cfg.warmupNs;
  }
  latency(name: string, ns: Ns, now: Ns): void {
    if (!this.warm(now)) return;
    let h = this.histograms.get(name);
    if (!h) this.histograms.set(name, (h = new LogHistogram()));
    h.add(ns);
    const sec = this.sectionSpec;
    if (sec) {
      const i = Math.floor((now - sec.fromNs) / sec.lengthNs);
      if (i < sec.count) {
        let hs = this.sections.get(name);
        if (!hs) this.sections.set(name, (hs = []));
        (hs[i] ??= new LogHistogram()).add(ns);
      }
    }
  }

  /**
   * Keep each latency distribution also per section of the measured window
   * (`count` sections of `lengthNs` from `fromNs`), for the intervals of its
   * percentiles.
   */
  sectionLatencies(fromNs: Ns, lengthNs: Ns, count: number): void {
    this.sectionSpec = { fromNs, lengthNs, count };
  }
  sectionSpec: { fromNs: Ns; lengthNs: Ns; count: number } | null = null;
  /** Per latency distribution, its histogram in each section (undefined: no sample there). */
  readonly sections = new Map<string, (LogHistogram | undefined)[]>();
  count(name: string, now: Ns, n = 1): void {
    if (!this.warm(now)) return;
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }

  /** A `count` or `sample` probe committed by a vCPU at `at`. */
  probe(id: number, value: number, at: Ns): void {
    const p = this.spec.program;
    if (p.probeKinds[id] === 'sample') this.latency(p.probes[id], cyclesToNs(value, this.freqHz), at);
    else this.count(p.probes[id], at, value);
  }

  onFault(v: Vcpu, message: string, now: Ns): void {
    this.faults.push({ cpu: v.cpuNo, at: now, message });
    if (this.spec.onFault === 'stop') this.onStop(`guest ${this.spec.name} vCPU ${v.cpuNo} faulted: ${message}`);
  }
}
