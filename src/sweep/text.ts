import { table } from '../report/table.js';
import type { SweepDoc } from './doc.js';
import { describeOutcome, statusWord } from './expect.js';
import { formatValue, metricUnit } from './metrics.js';
import { describePoint, shortNames } from './plan.js';
import type { Summary } from './stats.js';

/** Most guests whose columns the terminal table shows; every metric of every guest is in sweep.json. */
const MAX_GUESTS = 4;
/** Expectation rows printed in full up to this many; beyond, only the ones that did not pass. */
const MAX_CHECK_ROWS = 60;

/** The guests of a sweep's results, in the order the first point with runs reports them. */
export function sweepGuests(doc: SweepDoc): string[] {
  const p = doc.points.find((q) => Object.keys(q.summary).length) ?? doc.points[0];
  return Object.keys(p?.summary ?? {})
    .map((m) => /^guests\.(.+)\.throughput$/.exec(m)?.[1])
    .filter((g): g is string => g !== undefined);
}

/** `mean ±half-width` of the 95% CI, or the mean alone when there is no interval. */
export function formatSummary(s: Summary | undefined, name: string): string {
  if (!s || s.mean === null) return '-';
  const u = metricUnit(name);
  const m = formatValue(s.mean, u);
  if (s.ci_low === null || s.ci_high === null) return m;
  const half = (s.ci_high - s.ci_low) / 2;
  return `${m} ±${u === 'fraction' ? `${(half * 100).toFixed(1)}%` : formatValue(half, u)}`;
}

/** The terminal report of a sweep: its points with headline metrics, then the checks. Deterministic. */
export function renderSweepText(doc: SweepDoc): string {
  const s = doc.sweep;
  const out: string[] = [];
  const runsDone = doc.points.reduce((a, p) => a + p.runs.length, 0);
  const runsAll = doc.points.reduce((a, p) => a + p.seeds.length, 0);
  out.push(
    `simvm sweep: ${s.name} (${doc.points.length} point${doc.points.length === 1 ? '' : 's'} x ${s.replicates} replicate${s.replicates === 1 ? '' : 's'}, ${s.mode}, seed ${s.seed})` +
      (doc.shard ? ` [shard ${doc.shard}]` : '') +
      (doc.complete ? '' : ` [INCOMPLETE: ${runsDone} of ${runsAll} runs]`),
  );
  if (s.description) out.push(s.description);
  out.push(s.replicates > 1 ? 'Each figure: mean ±half-width of its 95% confidence interval over the replicates.' : 'One replicate per point: add sweep.replicates for confidence intervals.');
  out.push('');

  const guests = sweepGuests(doc);
  const shown = guests.slice(0, MAX_GUESTS);
  const one = guests.length === 1;
  const cols: { title: string; metric: string }[] = [];
  const has = (m: string) => doc.points.some((p) => m in p.summary);
  for (const g of shown) {
    const pre = one ? '' : `${g} `;
    cols.push({ title: `${pre}throughput/s`, metric: `guests.${g}.throughput` });
    if (has(`guests.${g}.p50_latency`)) cols.push({ title: `${pre}p50`, metric: `guests.${g}.p50_latency` });
    if (has(`guests.${g}.p99_latency`)) cols.push({ title: `${pre}p99`, metric: `guests.${g}.p99_latency` });
    cols.push({ title: `${pre}steal`, metric: `guests.${g}.steal` });
  }
  const names = shortNames(s.params.map((p) => p.path));
  out.push(
    table(
      ['#', ...names, ...cols.map((c) => c.title), ...(s.replicates > 1 ? ['n'] : [])],
      doc.points.map((p) => [
        p.index + 1,
        ...s.params.map((q) => p.params[q.path]),
        ...cols.map((c) => (p.runs.length ? formatSummary(p.summary[c.metric], c.metric) : 'not run')),
        ...(s.replicates > 1 ? [p.runs.length] : []),
      ]),
    ),
  );
  if (guests.length > shown.length) out.push(`(${guests.length - shown.length} more guests: every metric of every guest is in sweep.json)`);

  const e = doc.expect;
  if (e.checks.length) {
    out.push('', 'Expectations');
    const rows: string[][] = [];
    let hidden = 0;
    const total = e.passed + e.failed + e.skipped + (e.undecided ?? 0);
    for (const c of e.checks) {
      for (const r of c.results) {
        if (total > MAX_CHECK_ROWS && r.status === 'pass') {
          hidden++;
          continue;
        }
        rows.push([statusWord(r.status), c.name, describePoint(doc.points[r.point].params, true), describeOutcome(r)]);
      }
    }
    if (rows.length) out.push(table(['result', 'check', 'point', 'got'], rows, ['l', 'l', 'l', 'l']));
    if (hidden) out.push(`(${hidden} passing rows not shown; all are in sweep.json and the JUnit file)`);
    out.push(`expectations: ${e.passed} passed, ${e.failed} ${e.failed ? 'FAILED' : 'failed'}, ${e.undecided ?? 0} ${e.undecided ? 'UNDECIDED (too few replicates)' : 'undecided'}, ${e.skipped} skipped`);
  }
  return out.join('\n') + '\n';
}
