/**
 * `perf kvm stat report` (tools/perf/builtin-kvm.c, print_result), for
 * VM-exit events:
 *
 *   \n\n
 *   Analyze events for all VMs, all VCPUs:\n\n            (print_vcpu_info; `pid(s) P, ` with -p, `VCPU N` with --vcpu)
 *   %*s %10s %9s %9s %11s %11s %16s \n\n                    VM-EXIT Samples Samples% Time% Min Time Max Time Avg time
 *   %*s %10llu %8.2f%% %8.2f%% %9.2fus %9.2fus %9.2fus ( +-%7.2f%% )\n   one line per exit reason
 *   \nTotal Samples:%lu, Total events handled time:%.2fus.\n\n
 *
 * The name column is KVM_EVENT_NAME_LEN = 40 wide since Linux 6.4
 * (tools/perf/util/kvm-stat.h); before it was DECODE_STR_LEN = 20. Rows are
 * sorted by the sort key, `sample` (count, descending) by default. An
 * event's time runs from kvm_exit to the next kvm_entry of the same vCPU.
 * The `+-` figure is kvm_event_rel_stddev: the standard error of the mean
 * (stddev_stats: sqrt(M2 / (n - 1) / n), 0 below two samples) as a
 * percentage of the mean (rel_stddev_stats).
 */

/** One exit reason's durations, ns (Welford's running mean and M2). */
export interface KvmExitStat {
  /** The exit reason as perf decodes it (VMX_EXIT_REASONS: HLT, EXTERNAL_INTERRUPT, ...). */
  name: string;
  count: number;
  timeNs: number;
  minNs: number;
  maxNs: number;
  meanNs: number;
  m2: number;
}

export interface KvmStatInput {
  events: KvmExitStat[];
  /** `-p PID` of a QEMU process; omitted: every VM (`all VMs`). */
  pid?: number;
  /** `--vcpu N`: the figures are one vCPU's; omitted: `all VCPUs`. */
  vcpu?: number;
}

export interface KvmStatOptions {
  /** Width of the event-name column: 40 (Linux 6.4 and later, the default) or 20 (before). */
  nameWidth?: 20 | 40;
  /** perf's --key: `sample` (count, the default) or `time` (mean time); both descending. */
  sortKey?: 'sample' | 'time';
}

const pad = (s: string, w: number) => s.padStart(w);
const f2 = (x: number) => x.toFixed(2);

/** kvm_event_rel_stddev: the mean's standard error as a percentage of the mean. */
export function relStddev(e: KvmExitStat): number {
  if (e.count < 2 || e.meanNs === 0) return 0;
  const stddevMean = Math.sqrt(e.m2 / (e.count - 1) / e.count);
  return (100 * stddevMean) / e.meanNs;
}

/** Two sets of samples of one reason as one (Chan et al.'s parallel update of mean and M2). */
export function mergeExitStat(a: KvmExitStat, b: KvmExitStat): KvmExitStat {
  if (b.count === 0) return a;
  if (a.count === 0) return b;
  const n = a.count + b.count;
  const d = b.meanNs - a.meanNs;
  return {
    name: a.name,
    count: n,
    timeNs: a.timeNs + b.timeNs,
    minNs: Math.min(a.minNs, b.minNs),
    maxNs: Math.max(a.maxNs, b.maxNs),
    meanNs: a.meanNs + (d * b.count) / n,
    m2: a.m2 + b.m2 + (d * d * a.count * b.count) / n,
  };
}

export function perfKvmStatReport(input: KvmStatInput, opts: KvmStatOptions = {}): string {
  const w = opts.nameWidth ?? 40;
  const key = opts.sortKey ?? 'sample';
  const events = input.events.filter((e) => e.count > 0);
  events.sort((a, b) => (key === 'sample' ? b.count - a.count : b.meanNs - a.meanNs) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const totalCount = events.reduce((s, e) => s + e.count, 0);
  const totalTime = events.reduce((s, e) => s + e.timeNs, 0);
  let out = '\n\n';
  out += `Analyze events for ${input.pid !== undefined ? `pid(s) ${input.pid}, ` : 'all VMs, '}${input.vcpu !== undefined ? `VCPU ${input.vcpu}` : 'all VCPUs'}:\n\n`;
  out += `${pad('VM-EXIT', w)} ${pad('Samples', 10)} ${pad('Samples%', 9)} ${pad('Time%', 9)} ${pad('Min Time', 11)} ${pad('Max Time', 11)} ${pad('Avg time', 16)} \n\n`;
  for (const e of events) {
    out += `${pad(e.name, w)} ${pad(String(e.count), 10)} `;
    out += `${pad(f2((e.count / totalCount) * 100), 8)}% ${pad(f2(totalTime > 0 ? (e.timeNs / totalTime) * 100 : NaN), 8)}% `;
    out += `${pad(f2(e.minNs / 1e3), 9)}us ${pad(f2(e.maxNs / 1e3), 9)}us `;
    out += `${pad(f2(e.timeNs / e.count / 1e3), 9)}us ( +-${pad(f2(relStddev(e)), 7)}% )\n`;
  }
  out += `\nTotal Samples:${totalCount}, Total events handled time:${f2(totalTime / 1e3)}us.\n\n`;
  return out;
}
