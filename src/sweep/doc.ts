import { VERSION } from '../version.js';
import { evaluate, parseCheck, type Outcome, type Status } from './expect.js';
import { metricUnit, type Metrics } from './metrics.js';
import { matches, type PointInfo } from './plan.js';
import type { SweepSpec } from './spec.js';
import { clean, summarise, type Summary } from './stats.js';

/** Bumped whenever the layout of sweep results changes incompatibly (2: parameters keep their types in the file). */
export const SWEEP_VERSION = 2;

/** What one finished run leaves: stored under points/ and carried in the results, so shards can be merged. */
export interface RunRecord {
  replicate: number;
  seed: number;
  hash: string;
  partial: boolean;
  values: Metrics;
}

export interface DocPoint extends PointInfo {
  runs: RunRecord[];
  /** Metric → mean and 95% CI over the replicates run. */
  summary: Record<string, Summary>;
}

export interface CheckResult extends Outcome {
  point: number;
}

export interface SweepDoc {
  simvm: { sweep_version: number; version: string };
  sweep: SweepSpec;
  /** "i/n" for the results of one shard; null for a whole sweep (or a merge of all shards). */
  shard: string | null;
  /** Every run of every point is in. */
  complete: boolean;
  points: DocPoint[];
  expect: { passed: number; failed: number; skipped: number; undecided: number; checks: { name: string; check: string; results: CheckResult[] }[] };
}

/**
 * The results of a sweep from its spec, its points and the runs done, in
 * a fixed order (points by index, runs by replicate), so the same runs
 * give the same bytes however many workers or shards produced them.
 */
export function buildDoc(spec: SweepSpec, points: readonly PointInfo[], runs: readonly (RunRecord | undefined)[][], shard: string | null): SweepDoc {
  const docPoints: DocPoint[] = points.map((p, i) => {
    const done = (runs[i] ?? []).filter((r): r is RunRecord => r !== undefined).sort((a, b) => a.replicate - b.replicate);
    const names: string[] = [];
    const seen = new Set<string>();
    for (const r of done)
      for (const k of Object.keys(r.values))
        if (!seen.has(k)) {
          seen.add(k);
          names.push(k);
        }
    const summary: Record<string, Summary> = {};
    for (const k of names) summary[k] = summarise(done.map((r) => r.values[k] ?? null), metricUnit(k) === 'fraction' ? 'share' : 'nonnegative');
    return { index: p.index, key: p.key, params: p.params, baseline: p.baseline, seeds: p.seeds, throughput_units: p.throughput_units, runs: done, summary };
  });
  const complete = docPoints.every((p) => p.runs.length === p.seeds.length);
  const checks = spec.expect.map((def) => {
    const c = parseCheck(def.check);
    const results: CheckResult[] = [];
    for (const p of docPoints) {
      if (!matches(def.where, p.params)) continue;
      const base = p.baseline !== null ? docPoints[p.baseline] : null;
      const ready = p.runs.length === p.seeds.length && (!c.usesBaseline || (base !== null && base.runs.length === base.seeds.length));
      if (!ready) {
        results.push({ point: p.index, status: 'skip', value: null, limit: null, unit: null, got: '', message: p.runs.length < p.seeds.length ? 'point not run here (another shard, or interrupted)' : 'baseline point not run here' });
        continue;
      }
      const o = evaluate(c, p, c.usesBaseline ? base : null);
      results.push({ point: p.index, ...o, value: o.value === null ? null : clean(o.value), limit: o.limit === null ? null : clean(o.limit) });
    }
    return { name: def.name, check: def.check, results };
  });
  const count = (s: Status) => checks.reduce((a, c) => a + c.results.filter((r) => r.status === s).length, 0);
  return {
    simvm: { sweep_version: SWEEP_VERSION, version: VERSION },
    sweep: spec,
    shard,
    complete,
    points: docPoints,
    expect: { passed: count('pass'), failed: count('fail'), skipped: count('skip'), undecided: count('undecided'), checks },
  };
}

/** A parameter as the results file holds it: a number or boolean as itself, anything else (durations, labelled values) by its label. */
export type StoredParam = string | number | boolean;

/** Each parameter's labels and their stored form, from the spec. */
function paramForms(spec: SweepSpec): Map<string, { toStored: Map<string, StoredParam>; toLabel: Map<string, string> }> {
  const out = new Map<string, { toStored: Map<string, StoredParam>; toLabel: Map<string, string> }>();
  for (const p of spec.params) {
    const toStored = new Map<string, StoredParam>();
    const toLabel = new Map<string, string>();
    for (const v of p.values) {
      const typed = (typeof v.value === 'number' || typeof v.value === 'boolean') && String(v.value) === v.label ? v.value : v.label;
      toStored.set(v.label, typed);
      toLabel.set(JSON.stringify(typed), v.label);
    }
    out.set(p.path, { toStored, toLabel });
  }
  return out;
}

function mapParams<A, B>(params: Record<string, A>, f: (path: string, v: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, f(k, v)]));
}

/**
 * The results as written to sweep.json: the same as the SweepDoc, except
 * that the points' parameters, the baseline and the checks' `where` hold
 * numbers and booleans as such (`"guests.web.smp": 1`, not `"1"`).
 */
export function docToJson(doc: SweepDoc): unknown {
  const forms = paramForms(doc.sweep);
  const stored = (path: string, label: string): StoredParam => forms.get(path)?.toStored.get(label) ?? label;
  return {
    ...doc,
    sweep: {
      ...doc.sweep,
      baseline: doc.sweep.baseline && mapParams(doc.sweep.baseline, stored),
      expect: doc.sweep.expect.map((e) => ({ ...e, where: e.where && mapParams(e.where, (k, ls) => ls.map((l) => stored(k, l))) })),
    },
    points: doc.points.map((p) => ({ ...p, params: mapParams(p.params, stored) })),
  };
}

/** The SweepDoc of a parsed sweep.json (the inverse of docToJson). */
export function docFromJson(raw: SweepDoc): SweepDoc {
  const forms = paramForms(raw.sweep);
  const label = (path: string, v: unknown): string => forms.get(path)?.toLabel.get(JSON.stringify(v)) ?? String(v);
  return {
    ...raw,
    sweep: {
      ...raw.sweep,
      baseline: raw.sweep.baseline && mapParams(raw.sweep.baseline, label),
      expect: raw.sweep.expect.map((e) => ({ ...e, where: e.where && mapParams(e.where, (k, vs) => (vs as unknown[]).map((v) => label(k, v))) })),
    },
    points: raw.points.map((p) => ({ ...p, params: mapParams(p.params, label) })),
  };
}
