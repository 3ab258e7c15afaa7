/**
 * CSV exports of the report's main tables, for spreadsheets: one file per
 * table, RFC 4180 (CRLF line ends; fields with a comma, quote, CR or LF
 * quoted, quotes doubled). Times stay in integer nanoseconds, as in the JSON.
 */
import { EXIT_REASONS } from '../host/costs.js';
import { nsToSeconds } from '../engine/time.js';
import type { Results } from './results.js';

type Cell = string | number | boolean | null | undefined;

/**
 * One field. Text that a spreadsheet would run as a formula (starting with
 * = + - @ or a control character) gets a leading apostrophe, the usual
 * guard against CSV injection; numbers are written as they are.
 */
export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A table as CSV text: header line, then one line per row, each ending in CRLF. */
export function csvTable(columns: string[], rows: Cell[][]): string {
  return [columns, ...rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

/** File name → CSV text for the guests, vCPUs, pCPUs and latency tables, and the sampled time series when there is one. */
export function renderCsv(r: Results): Record<string, string> {
  const secs = nsToSeconds(r.run.simulated_ns) || 1;
  const out: Record<string, string> = {};

  out['guests.csv'] = csvTable(
    ['guest', 'pid', 'smp', 'vcpus', 'workload', 'throughput_counter', 'throughput_unit', 'throughput_total', 'throughput_per_s', 'instructions_per_s', 'steal_fraction', 'exits_total', 'exits_per_s', ...EXIT_REASONS.map((x) => `exits_${x}`), 'faults'],
    r.guests.map((g) => {
      const exits = Object.values(g.exits).reduce((a, b) => a + b, 0);
      return [g.name, g.pid, g.smp, g.vcpus, g.workload, g.throughput.counter, g.throughput.unit, g.throughput.total, g.throughput.per_second, g.instructions_per_second, g.steal_fraction, exits, Math.round((exits / secs) * 1000) / 1000, ...EXIT_REASONS.map((x) => g.exits[x] ?? 0), g.faults.length];
    }),
  );

  out['vcpus.csv'] = csvTable(
    ['guest', 'vcpu', 'qemu_index', 'tid', 'guest_ns', 'kvm_ns', 'qemu_ns', 'host_ns', 'steal_ns', 'halted_ns', 'instructions', 'context_switches', 'preemptions', 'migrations', 'cache_refill_ns', 'costop_ns', 'spin_ns', 'ple_exits', 'directed_yields', 'halts', 'halt_poll_hits', 'halt_poll_misses', 'halt_poll_ns', 'last_cpu', ...EXIT_REASONS.map((x) => `exits_${x}`), 'fault'],
    r.guests.flatMap((g) =>
      g.vcpu.map((v) => {
        const t = v.time_ns;
        return [g.name, v.cpu, v.qemu_index, v.tid, t.guest, t.kvm, t.qemu, t.host, t.steal, t.halted, v.instructions, v.context_switches, v.preemptions, v.migrations, v.cache_refill_ns, v.costop_ns, v.spin_ns, v.ple_exits, v.directed_yields, v.halts, v.halt_poll.hits, v.halt_poll.misses, v.halt_poll.poll_ns, v.last_cpu, ...EXIT_REASONS.map((x) => v.exits[x] ?? 0), v.fault];
      }),
    ),
  );

  const states = [...new Set(r.pcpus.flatMap((c) => Object.keys(c.time_ns)))];
  out['pcpus.csv'] = csvTable(
    ['pcpu', 'socket', 'core', 'thread', ...states.map((s) => `${s}_ns`), 'busy_fraction', 'context_switches'],
    r.pcpus.map((c) => [c.cpu, c.socket, c.core, c.thread, ...states.map((s) => c.time_ns[s] ?? 0), c.busy_fraction, c.context_switches]),
  );

  const pkeys = [...new Set(r.guests.flatMap((g) => Object.values(g.latency).flatMap((l) => Object.keys(l.percentiles_ns))))].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  out['latency.csv'] = csvTable(
    ['guest', 'metric', 'count', 'mean_ns', 'min_ns', 'max_ns', ...pkeys.map((k) => `${k}_ns`)],
    r.guests.flatMap((g) => Object.entries(g.latency).map(([m, l]) => [g.name, m, l.count, l.mean_ns, l.min_ns, l.max_ns, ...pkeys.map((k) => l.percentiles_ns[k])])),
  );

  const s = r.series;
  if (s && s.t_ns.length) {
    // Long form (one row per sample and guest / pCPU): pivots cleanly in any spreadsheet.
    out['series-guests.csv'] = csvTable(
      ['t_ns', 'guest', 'throughput_per_s', 'steal_share'],
      s.t_ns.flatMap((t, i) => s.guests.map((g) => [t, g.name, g.throughput[i], g.steal_share[i]])),
    );
    const shareKeys = [...new Set(s.pcpu.flatMap((c) => Object.keys(c.share)))];
    out['series-pcpus.csv'] = csvTable(
      ['t_ns', 'pcpu', ...shareKeys.map((k) => `${k}_share`)],
      s.t_ns.flatMap((t, i) => s.pcpu.map((c) => [t, c.cpu, ...shareKeys.map((k) => c.share[k]?.[i])])),
    );
  }
  return out;
}
