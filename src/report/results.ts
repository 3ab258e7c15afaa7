import type { Ci95 } from '../stats/interval.js';

export type { Ci95 };
/** Bumped whenever the JSON layout changes incompatibly (schema/report.schema.json). */
export const REPORT_VERSION = 2;

export interface LatencySummary {
  count: number;
  mean_ns: number;
  min_ns: number;
  max_ns: number;
  percentiles_ns: Record<string, number>;
  /** The measured distribution: at most 200 points {latency, fraction of operations at or below it}, one per histogram bucket (thinned evenly). */
  cdf?: { value_ns: number; p: number }[];
  /** 95 % interval of each percentile (sectioning), null where there is too little to say. */
  percentiles_ci95_ns?: Record<string, Ci95 | null>;
}

export interface ThreadTimes {
  guest: number;
  kvm: number;
  qemu: number;
  host: number;
  steal: number;
  halted: number;
}

export interface VcpuResult {
  cpu: number;
  qemu_index: number;
  tid: number;
  time_ns: ThreadTimes;
  exits: Record<string, number>;
  instructions: number;
  context_switches: number;
  preemptions: number;
  migrations: number;
  cache_refill_ns: number;
  /** Time co-stopped by co-scheduling (VMware's %CSTP), ns; part of steal. */
  costop_ns: number;
  spin_ns: number;
  ple_exits: number;
  directed_yields: number;
  halts: number;
  halt_poll: { hits: number; misses: number; poll_ns: number };
  /** The guest's haltpoll idle driver: polls ended by an interrupt (no exit), polls that ran out, time polling. */
  guest_halt_poll: { hits: number; misses: number; poll_ns: number };
  last_cpu: number;
  fault: string | null;
}

export interface GuestResult {
  name: string;
  pid: number;
  smp: string;
  /** QEMU's -machine (versioned), or null without one. */
  machine: string | null;
  vcpus: number;
  workload: string;
  throughput: { counter: string; unit: string; total: number; per_second: number; per_second_ci95?: Ci95 | null };
  instructions_per_second: number;
  counters: Record<string, number>;
  latency: Record<string, LatencySummary>;
  exits: Record<string, number>;
  exits_per_second: number;
  exits_per_second_ci95?: Ci95 | null;
  steal_fraction: number;
  steal_fraction_ci95?: Ci95 | null;
  /** Spread across sampling windows (stddev / mean): of throughput, and of mean latency; null when there is too little to say. */
  stability?: { throughput_cv: number | null; latency_cv: number | null };
  faults: { cpu: number; at_ns: number; message: string }[];
  main_thread: { time_ns: ThreadTimes; context_switches: number };
  vcpu: VcpuResult[];
}

export interface Results {
  simvm: { report_version: number };
  scenario: {
    name: string;
    description: string;
    file: string;
    seed: number;
    duration_ns: number;
    warmup_ns: number;
    /** `warmup: auto`: where MSER-5 cut the pilot run's initial transient. */
    warmup_auto?: { method: 'MSER-5'; pilot_ns: number; cut_ns: number; at_limit: boolean };
  };
  host: {
    cpus: number;
    topology: { sockets: number; cores: number; threads: number };
    freq_hz: number;
    /** host.kernel as written, or null. */
    kernel: string | null;
    scheduler: Record<string, number | string>;
    kvm: Record<string, number | boolean>;
    isolcpus: number[];
  };
  guests: GuestResult[];
  pcpus: { cpu: number; socket: number; core: number; thread: number; time_ns: Record<string, number>; busy_fraction: number; busy_fraction_ci95?: Ci95 | null; context_switches: number }[];
  run: {
    events: number;
    simulated_ns: number;
    partial: boolean;
    stop_reason: string | null;
    /** `--precision`: the target, the worst relative half-width reached over the chosen figures, and whether it met the target. */
    precision?: { target: number; metrics: string[]; reached: number | null; met: boolean; max_duration_ns: number };
  };
  /** Time series sampled during the run (report.sample_interval). */
  series?: Series;
  /** Timeline commands in the order they ran, with what each changed. */
  timeline?: { at_ns: number; command: string; effect: string }[];
}

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
