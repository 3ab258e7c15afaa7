import { formatNs } from '../engine/time.js';
import { relativeHalfWidth, type Ci95 } from '../stats/interval.js';
import type { Results } from './results.js';

const GROUPED_INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const THREE_SIG = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/**
 * A figure for a table, the same way in every column: whole numbers with
 * thousands separators from 1,000 up (`44,782`, `922,275`), three
 * significant digits below (`12.3`, `0.521`).
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1000 ? GROUPED_INT.format(x) : THREE_SIG.format(x);
}

/** ` ±0.8%`: the 95 % interval's half-width relative to the value (nothing when there is no interval). */
export function plusMinus(value: number | undefined, ci: Ci95 | null | undefined): string {
  const rel = value === undefined ? null : relativeHalfWidth(value, ci);
  if (rel === null) return '';
  const mark = ci?.correlated ? '*' : '';
  if (!Number.isFinite(rel)) return ` ±inf${mark}`;
  const p = rel * 100;
  return ` ±${p < 0.1 ? '<0.1' : p < 10 ? p.toFixed(1) : p.toFixed(0)}%${mark}`;
}

/** A share with its interval in percentage points: `84.7±0.1%`. */
export function sharePlusMinus(x: number, ci: Ci95 | null | undefined): string {
  if (!ci) return `${(x * 100).toFixed(1)}%`;
  const h = ((ci.high - ci.low) / 2) * 100;
  return `${(x * 100).toFixed(1)}±${h < 0.1 ? '<0.1' : h.toFixed(1)}%${ci.correlated ? '*' : ''}`;
}


/** How the measured window was chosen and how precise the run got, as (label, text) lines for report headers. */
export function measurementNotes(r: Results): [string, string][] {
  const out: [string, string][] = [];
  const wa = r.scenario.warmup_auto;
  if (wa) out.push(['warm-up', `auto, ${wa.method} cut a ${formatNs(wa.pilot_ns)} pilot run at ${formatNs(wa.cut_ns)}${wa.at_limit ? ' (at the furthest it looks: the transient may be longer, run longer)' : ''}`]);
  const pr = r.run.precision;
  if (pr) {
    const reached = pr.reached === null ? 'no interval for every figure' : `±${(pr.reached * 100).toFixed(2)}% reached`;
    out.push(['precision', `target ±${+(pr.target * 100).toFixed(3)}% on ${pr.metrics.join(', ')} ${pr.met ? 'met' : 'NOT met'} (${reached}) after ${formatNs(r.run.simulated_ns)} of at most ${formatNs(pr.max_duration_ns)}`]);
  }
  return out;
}
