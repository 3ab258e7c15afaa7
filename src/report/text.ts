import { formatNs, nsToSeconds } from '../engine/time.js';
import type { Results } from './results.js';
import { table } from './table.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const si = (x: number) => (x >= 1e9 ? `${(x / 1e9).toFixed(2)}G` : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(x >= 100 ? 0 : 1));
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
    `host: ${h.cpus} pCPUs (${h.topology.sockets} socket x ${h.topology.cores} cores x ${h.topology.threads} threads) at ${(h.freq_hz / 1e9).toFixed(2)} GHz, ${h.scheduler.kind}` +
      ` | guests: ${r.guests.length}, vCPUs: ${totalVcpus} (${(totalVcpus / h.cpus).toFixed(2)} per pCPU)` +
      ` | PLE ${h.kvm.ple ? 'on' : 'off'}, halt_poll ${formatNs(Number(h.kvm.halt_poll_ns))}`,
  );
  out.push(`seed ${s.seed}, measured ${formatNs(r.run.simulated_ns)} after ${formatNs(s.warmup_ns)} warm-up, ${r.run.events} events`);
  out.push('');

  out.push('Guests');
  const latName = (g: Results['guests'][number]) => Object.keys(g.latency)[0];
  const pkeys = r.guests.length ? Object.keys(Object.values(r.guests[0].latency)[0]?.percentiles_ns ?? { p50: 0, p99: 0 }) : [];
  const showP = pkeys.filter((k) => ['p50', 'p99', 'p99.9'].includes(k));
  out.push(
    table(
      ['guest', 'vCPUs', 'workload', 'throughput/s', 'unit', 'latency', ...showP, 'steal', 'exits/s', 'Minstr/s'],
      r.guests.map((g) => {
        const ln = latName(g);
        const L = ln ? g.latency[ln] : undefined;
        const exits = Object.values(g.exits).reduce((a, b) => a + b, 0);
        return [
          g.name,
          g.vcpus,
          g.workload,
          si(g.throughput.per_second),
          g.throughput.unit,
          ln ?? '-',
          ...showP.map((k) => lat(L?.percentiles_ns[k])),
          pct(g.steal_fraction),
          si(exits / (nsToSeconds(r.run.simulated_ns) || 1)),
          (g.instructions_per_second / 1e6).toFixed(1),
        ];
      }),
      ['l', 'r', 'l', 'r', 'l', 'l', ...showP.map(() => 'r' as const), 'r', 'r', 'r'],
    ),
  );
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
          .map(([k, n]) => `${k}:${si(n)}`)
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
