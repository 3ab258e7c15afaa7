/**
 * `simvm sweep --format csv`: the sweep's summaries as one long table,
 * one row per point and metric, for spreadsheets and data-frame tools
 * (pandas, R) that pivot it as they like. RFC 4180, as the run report's CSV.
 *
 *   point, <each parameter>, metric, unit, mean, ci_low, ci_high, n
 *
 * Parameters hold what sweep.json holds (numbers as numbers, the rest by
 * label); values are in the metric's unit (ns, fraction 0..1, per second).
 */
import { csvTable } from '../report/csv.js';
import { docToJson, type StoredParam, type SweepDoc } from './doc.js';
import { metricUnit } from './metrics.js';

const UNIT_WORDS = { ns: 'ns', fraction: 'fraction', rate: 'per second', number: '' } as const;

export function sweepCsv(doc: SweepDoc): string {
  const stored = (docToJson(doc) as { points: { params: Record<string, StoredParam> }[] }).points;
  const paths = doc.sweep.params.map((p) => p.path);
  const rows = doc.points.flatMap((p, i) =>
    Object.entries(p.summary).map(([metric, s]) => [p.index + 1, ...paths.map((k) => stored[i].params[k]), metric, UNIT_WORDS[metricUnit(metric)], s.mean, s.ci_low, s.ci_high, s.n]),
  );
  return csvTable(['point', ...paths, 'metric', 'unit', 'mean', 'ci_low', 'ci_high', 'n'], rows);
}
