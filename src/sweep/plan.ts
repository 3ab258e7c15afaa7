import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, InputErrors } from '../util/errors.js';
import { parseScenario } from '../scenario/load.js';
import { suggest } from '../util/suggest.js';
import { VERSION } from '../version.js';
import { resolveMetric } from './expect.js';
import { expand, pointKey, replicateSeed, runFileName, sha256 } from './grid.js';
import { metricNames } from './metrics.js';
import type { LoadedSweep, Loc, SweepSpec } from './spec.js';

/** A point of the sweep as results describe it. */
export interface PointInfo {
  index: number;
  key: string;
  /** Parameter path → label of its value at this point. */
  params: Record<string, string>;
  /** Index of the point this one is compared with by `baseline`; null when there is none. */
  baseline: number | null;
  seeds: number[];
  /** Guest → what its throughput counts at this point (`lock ops`, `requests`), for chart axes. */
  throughput_units: Record<string, string>;
}

/** One run to do: a point's replicate. */
export interface RunTask {
  point: number;
  replicate: number;
  seed: number;
  /** Identity of the run: simvm's code, the point's scenario text and guest programs, and the seed. A stored record with the same hash is this run, done. */
  hash: string;
  /** The point's scenario (parameters applied); the seed is passed separately. */
  text: string;
  /** The scenario's file, so relative `file:` paths in it resolve as in a plain run. */
  file: string;
  /** Name of the run's record under points/. */
  record: string;
  /** Estimated cost, for dispatch order: simulated time times vCPUs (events grow with both). */
  cost: number;
}

export interface Plan {
  spec: SweepSpec;
  points: PointInfo[];
  /** Ordered by point, then replicate. */
  runs: RunTask[];
}

const errAt = (loc: Loc, message: string, hint?: string) => new InputError(message, loc.file, loc.line, loc.col, hint);

const setOf = (path: string, value: unknown) => `${path}=${JSON.stringify(value ?? null)}`;

/**
 * Identity of the simvm code that runs the points (every file of the
 * directory this module was loaded from, dist/ or src/): a change to the
 * model makes stored runs stale even when the version number stays.
 */
export function codeFingerprint(): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(root);
  const h = createHash('sha256');
  for (const f of files) h.update(`${relative(root, f)}\0`).update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

/** Expand the sweep into points and runs, checking every point's scenario and every check's metrics before anything runs. */
export function planSweep(l: LoadedSweep, scenarioFile: string = l.base.file): Plan {
  const { spec } = l;
  const errors: InputError[] = [];
  const grid = expand(spec.params, spec.mode, spec.zip);
  const points: PointInfo[] = [];
  const runs: RunTask[] = [];
  const metricsAt: Set<string>[] = [];
  const code = `simvm ${VERSION} ${codeFingerprint()}`;
  grid.forEach((pt, index) => {
    const labels = pt.map((v, i) => spec.params[i].values[v].label);
    const params = Object.fromEntries(spec.params.map((p, i) => [p.path, labels[i]]));
    const key = pointKey(spec.params, pt);
    const sets = spec.params.map((p, i) => setOf(p.path, p.values[pt[i]].value));
    let text = '';
    let programs = '';
    let cost = 0;
    let units: Record<string, string> = {};
    try {
      const s = parseScenario(l.baseText, scenarioFile, { sets });
      text = s.text;
      cost = (s.duration + s.warmup) * s.guests.reduce((a, g) => a + g.count * g.smp.cpus, 0);
      // A program read from a file is not in the scenario's text.
      programs = s.guests.map((g) => g.instance.source).join('\n');
      metricsAt.push(new Set(metricNames(s)));
      units = Object.fromEntries(s.guests.flatMap((g) => (g.count > 1 ? Array.from({ length: g.count }, (_, k) => `${g.name}-${k + 1}`) : [g.name]).map((n) => [n, g.instance.throughput.unit])));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      metricsAt.push(new Set());
      errors.push(pointError(l, pt, e, labels));
      return;
    }
    const seeds = Array.from({ length: spec.replicates }, (_, r) => replicateSeed(spec.seed, key, r));
    points.push({ index, key, params, baseline: null, seeds, throughput_units: units });
    seeds.forEach((seed, r) => runs.push({ point: index, replicate: r, seed, hash: sha256(`${code}\n${seed}\n${text}\n${programs}`), text, file: scenarioFile, record: runFileName(labels, key, r), cost }));
  });
  if (errors.length) throw new InputErrors(errors.slice(0, 20));

  const usesBaseline = l.checks.some((c) => c.usesBaseline);
  for (const p of points) {
    if (!spec.baseline) {
      p.baseline = 0;
      continue;
    }
    const want = spec.params.map((q) => spec.baseline![q.path] ?? p.params[q.path]);
    const b = points.find((o) => spec.params.every((q, i) => o.params[q.path] === want[i]));
    p.baseline = b ? b.index : null;
    if (!b && usesBaseline) {
      errors.push(errAt(l.locs.baseline ?? l.locs.params, `no point has the baseline of point ${p.index + 1} (${describePoint(p.params)}): ${spec.params.map((q, i) => `${q.path}=${want[i]}`).join(', ')}`, 'with mode: zip, a baseline must be one of the zipped rows'));
      break;
    }
  }

  // A check must name metrics that exist at some point it applies to; at the others it fails with "no value".
  l.checks.forEach((c, ci) => {
    const def = spec.expect[ci];
    const applies = points.filter((p) => matches(def.where, p.params));
    for (const ref of c.refs) {
      const found = applies.some((p) => resolveMetric(ref.name, metricsAt[p.index]) !== null);
      if (found || applies.length === 0) continue;
      const all = new Set(applies.flatMap((p) => [...metricsAt[p.index]]));
      const short = [...all].map((m) => m.replace(/^guests\.[^.]+\./, ''));
      const s = suggest(ref.name, [...all, ...short]);
      const guests = new Set([...all].map((m) => /^guests\.(.+)\.throughput$/.exec(m)?.[1]).filter(Boolean));
      const loc = l.locs.checks[ci];
      errors.push(
        errAt(
          { ...loc, col: loc.col !== undefined ? loc.col + ref.at : undefined },
          `expect: no metric "${ref.name}"`,
          s ? `did you mean "${s}"?` : guests.size > 1 ? `with several guests name one: guests.${[...guests][0]}.${ref.name}` : 'metrics: guests.<guest>.throughput, .p99_latency, .mean_latency, .steal, host.busy (README, "Sweeps")',
        ),
      );
    }
  });
  if (errors.length) throw new InputErrors(errors);
  return { spec, points, runs };
}

export function matches(where: Record<string, string[]> | null, params: Record<string, string>): boolean {
  if (!where) return true;
  return Object.entries(where).every(([k, labels]) => labels.includes(params[k]));
}

/** Short names for parameters: the last path segment, unless two parameters share it. */
export function shortNames(paths: readonly string[]): string[] {
  const last = paths.map((p) => p.split('.').pop()!);
  return paths.map((p, i) => (last.filter((l) => l === last[i]).length > 1 ? p : last[i]));
}

/** A point as `smp=4 workload=spinlock` (short: shortNames) or with full paths. */
export function describePoint(params: Record<string, string>, short = false): string {
  const e = Object.entries(params);
  if (!e.length) return 'the scenario';
  const names = short ? shortNames(e.map(([k]) => k)) : e.map(([k]) => k);
  return e.map(([, v], i) => `${names[i]}=${v}`).join(' ');
}

/** Which value of which parameter makes a point's scenario invalid: re-check with one parameter at a time. */
function pointError(l: LoadedSweep, pt: number[], e: InputError, labels: string[]): InputError {
  const { spec } = l;
  const first = e instanceof InputErrors ? e.errors[0] : e;
  for (let i = 0; i < spec.params.length; i++) {
    const p = spec.params[i];
    try {
      parseScenario(l.baseText, l.base.file, { sets: [setOf(p.path, p.values[pt[i]].value)] });
    } catch (e2) {
      if (!(e2 instanceof InputError)) throw e2;
      const f = e2 instanceof InputErrors ? e2.errors[0] : e2;
      return errAt(l.locs.values[i][pt[i]], `sweep: ${p.path} = ${p.values[pt[i]].label}: ${f.message}`, f.hint);
    }
  }
  const desc = spec.params.map((p, i) => `${p.path}=${labels[i]}`).join(', ');
  return errAt(l.locs.params, `sweep: the point ${desc} is not a valid scenario: ${first.message}`, first.hint);
}
