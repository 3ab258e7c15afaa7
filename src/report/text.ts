import { formatNs, nsToSeconds } from '../engine/time.js';
import type { Results } from './results.js';
import { table } from './table.js';
import { measurementNotes, plusMinus as pm, sharePlusMinus as sharePm } from './format.js';
import { plural } from '../util/plural.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const si = (x: number) => (x >= 1e9 ? `${(x / 1e9).toFixed(2)}G` : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(x >= 100 ? 0 : 1));
/** A count: whole below 10,000 (`CPUID:1`, not `CPUID:1.0`), then 12.3k, 4.56M. */
const count = (x: number) => (x >= 1e4 ? si(x) : String(Math.round(x)));
const lat = (ns: number | undefined) => (ns === undefined || Number.isNaN(ns) ? '-' : formatNs(ns));

/** The terminal report: what a user reads first. Deterministic (no wall-clock figures). */
export function renderText(r: Results, opts: { perVcpu?: boolean } = {}): string {
  const out: string[] = [];
  const s = r.scenario;
  const h = r.host;
  out.push(`simvm report: ${s.name}${r.run.partial ? '  [PARTIAL: ' + (r.run.stop_reason ?? 'stopped early') + ']' : ''}`);
  if (s.description) out.push(s.description.trim());
  const totalVcpus = r.guests.reduce((a, g) => a + g.vcpus, 0);
  out.push(
    `host: ${h.cpus} pCPUs (${plural(h.topology.sockets, 'socket')} x ${plural(h.topology.cores, 'core')} x ${plural(h.topology.threads, 'thread')}) at ${(h.freq_hz / 1e9).toFixed(2)} GHz, ${h.scheduler.kind}` +
      ` | guests: ${r.guests.length}, vCPUs: ${totalVcpus} (${(totalVcpus / h.cpus).toFixed(2)} per pCPU)` +
      ` | PLE ${h.kvm.ple ? 'on' : 'off'}, halt_poll ${formatNs(Number(h.kvm.halt_poll_ns))}`,
  );
  // Which QEMU and which Linux, when the scenario says (README, "Which QEMU and which Linux").
  const machines = [...new Set(r.guests.map((g) => g.machine).filter((m): m is string => m !== null))];
  if (h.kernel || machines.length) out.push(`stack: ${machines.length ? `QEMU machine ${machines.join(', ')}` : 'QEMU machine not named'}${h.kernel ? ` | host Linux ${h.kernel}` : ''}`);
  out.push(`seed ${s.seed}, measured ${formatNs(r.run.simulated_ns)} after ${formatNs(s.warmup_ns)} warm-up, ${r.run.events} events`);
  for (const [k, v] of measurementNotes(r)) out.push(`${k}: ${v}`);
  out.push('');

  out.push('Guests');
  const latName = (g: Results['guests'][number]) => Object.keys(g.latency)[0];
  const pkeys = r.guests.length ? Object.keys(Object.values(r.guests[0].latency)[0]?.percentiles_ns ?? { p50: 0, p99: 0 }) : [];
  const showP = pkeys.filter((k) => ['p50', 'p99', 'p99.9'].includes(k));
  out.push(
    table(
      ['guest', 'vCPUs', 'workload', 'throughput/s', 'unit', 'latency metric', ...showP, 'steal', 'exits/s', 'Minstr/s'],
      r.guests.map((g) => {
        const ln = latName(g);
        const L = ln ? g.latency[ln] : undefined;
        return [
          g.name,
          g.vcpus,
          g.workload,
          si(g.throughput.per_second) + pm(g.throughput.per_second, g.throughput.per_second_ci95),
          g.throughput.unit,
          ln ?? '-',
          ...showP.map((k) => lat(L?.percentiles_ns[k]) + pm(L?.percentiles_ns[k], L?.percentiles_ci95_ns?.[k])),
          sharePm(g.steal_fraction, g.steal_fraction_ci95),
          si(g.exits_per_second) + pm(g.exits_per_second, g.exits_per_second_ci95),
          (g.instructions_per_second / 1e6).toFixed(1),
        ];
      }),
      ['l', 'r', 'l', 'r', 'l', 'l', ...showP.map(() => 'r' as const), 'r', 'r', 'r'],
    ),
  );
  const correlated = r.guests.some((g) => [g.throughput.per_second_ci95, g.steal_fraction_ci95, g.exits_per_second_ci95, ...Object.values(g.latency).flatMap((l) => Object.values(l.percentiles_ci95_ns ?? {}))].some((c) => c?.correlated));
  out.push(`± is the 95% confidence interval's half-width (batch means over ${r.series ? formatNs(r.series.interval_ns) : '-'} windows; percentiles by sections)${correlated ? '; * windows still correlated at the largest batch: the interval is too narrow, run longer' : ''}`);
  const faults = r.guests.flatMap((g) => g.faults.map((f) => `  ${g.name} vCPU ${f.cpu} at ${formatNs(f.at_ns)}: ${f.message}`));
  if (faults.length) out.push('', 'Faults', ...faults);

  if (opts.perVcpu !== false) {
    out.push('', 'vCPU threads (time shares of the measured run)');
    const rows: (string | number)[][] = [];
    for (const g of r.guests) {
      for (const v of g.vcpu) {
        const t = v.time_ns;
        const all = t.guest + t.kvm + t.qemu + t.host + t.steal + t.halted || 1;
        const ex = Object.entries(v.exits)
          .filter(([, n]) => n > 0)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 2)
          .map(([k, n]) => `${k}:${count(n)}`)
          .join(' ');
        rows.push([`${g.name}/vcpu${v.cpu}`, v.tid, pct(t.guest / all), pct(t.kvm / all), pct(t.qemu / all), pct(t.steal / all), pct(t.halted / all), formatNs(v.spin_ns), v.context_switches, v.migrations, v.last_cpu, ex || '-']);
      }
    }
    const maxRows = 64;
    const shown = rows.length > maxRows ? rows.slice(0, maxRows) : rows;
    out.push(table(['vcpu', 'tid', 'guest', 'kvm', 'qemu', 'steal', 'halted', 'spinning', 'switches', 'migr', 'psr', 'top exits'], shown, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']));
    if (rows.length > maxRows) out.push(`... ${rows.length - maxRows} more vCPUs in the JSON report`);
  }

  out.push('', 'pCPUs');
  out.push(
    table(
      ['pcpu', 'socket/core/thr', 'guest', 'kvm', 'qemu', 'host', 'sched', 'idle', 'switches'],
      r.pcpus.map((c) => {
        const t = c.time_ns;
        const all = Object.values(t).reduce((a, b) => a + b, 0) || 1;
        return [`cpu${c.cpu}`, `${c.socket}/${c.core}/${c.thread}`, pct(t.guest / all), pct(t.kvm / all), pct(t.qemu / all), pct(t.host / all), pct(t.sched / all), pct(t.idle / all), c.context_switches];
      }),
    ),
  );
  return out.join('\n') + '\n';
}
