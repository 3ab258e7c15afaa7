/**
 * Sweep files: parse YAML → validate with positions → a SweepSpec.
 *
 * A sweep is either a scenario with a `sweep:` section (and `expect:`), or
 * a file of its own that names a scenario:
 *
 *   scenario: overcommit-16on4.yaml      # relative to this file
 *   sweep:
 *     params:
 *       guests.db.smp: [1, 2, 4, 8, 16]  # a list
 *       host.cpus: { from: 2, to: 8, step: 2 }
 *       guests.db.workload:              # labelled values
 *         values: { spinlock: { kind: spinlock }, request: { kind: request } }
 *     mode: grid                         # or zip
 *     replicates: 3
 *     baseline: { guests.db.smp: 4 }
 *   expect:
 *     - p99_latency < 5ms
 *
 * A scenario without `sweep:` is a sweep of one point.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { formatNs } from '../engine/time.js';
import { InputError, InputErrors } from '../util/errors.js';
import { parseScenario, type Scenario } from '../scenario/load.js';
import { errorAt, keyText, locOf, parseYaml, readInput, unknownField, type Loc, type YamlCtx } from '../scenario/yaml.js';
import { parseDuration, UnitError } from '../util/units.js';
import { suggest } from '../util/suggest.js';
import { ExprError, parseCheck, type Check } from './expect.js';
import { canonical, type Param, type ParamValue } from './grid.js';

export type { Param, ParamValue };

export interface ExpectDef {
  name: string;
  check: string;
  /** Only at points whose parameters have these labels (path → labels); null: every point. */
  where: Record<string, string[]> | null;
}

export interface SweepSpec {
  name: string;
  description: string;
  /** The sweep file, as given. */
  file: string;
  /** The scenario file swept (the sweep file itself when it is a scenario). */
  scenario_file: string;
  /** Base seed: replicate seeds derive from it. */
  seed: number;
  mode: 'grid' | 'zip';
  /** Groups of parameters that vary together inside a grid. */
  zip: string[][];
  params: Param[];
  replicates: number;
  /** Which point each point is compared with: these parameters changed to these labels. Null: the first point. */
  baseline: Record<string, string> | null;
  expect: ExpectDef[];
  /** Command-line changes, part of what the results describe. */
  overrides: { set: string[]; duration: string | null; seed: number | null; replicates: number | null };
}

export type { Loc };

/** A validated sweep, with what planning needs and where each part was written. */
export interface LoadedSweep {
  spec: SweepSpec;
  /** The scenario text with the command-line overrides applied and `sweep:`/`expect:` removed. */
  baseText: string;
  base: Scenario;
  checks: Check[];
  locs: { params: Loc; param: Loc[]; values: Loc[][]; expect: Loc[]; checks: Loc[]; baseline: Loc | null };
}

export interface SweepLoadOptions {
  sets?: string[];
  seed?: number;
  duration?: string;
  replicates?: number;
}

const SWEEP_KEYS = ['name', 'description', 'params', 'mode', 'zip', 'replicates', 'baseline'];
const FILE_KEYS = ['scenario', 'sweep', 'expect'];
const MAX_POINTS = 100_000;

type Ctx = YamlCtx;
const err = errorAt;

function keyOf(pair: Pair): string {
  return keyText(pair.key);
}

function checkKeys(ctx: Ctx, node: Node, allowed: string[], where: string): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const k = keyOf(pair);
    if (!allowed.includes(k)) unknownField(ctx, pair.key as Node, k, allowed, where);
  }
}

/** A value's label: what `where:`/`baseline:` match and reports show. */
function labelOf(v: unknown, i: number, all: unknown[]): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v !== 'object') return String(v);
  const tag = (x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? ((x as Record<string, unknown>).kind ?? (x as Record<string, unknown>).name) : undefined);
  const t = tag(v);
  if (typeof t === 'string' && all.filter((o) => tag(o) === t).length === 1) return t;
  const json = JSON.stringify(v);
  return json.length <= 24 ? json : `#${i + 1}`;
}

/** Where a value sits on a chart's x axis: numbers as they are, durations in ns. */
function xOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    try {
      return parseDuration(v);
    } catch {
      return null;
    }
  }
  return null;
}

/** The value of `p` that `written` names: by its label, by its value, or as the same number or duration (`50us` for 50000ns). */
function findValue(p: Param, written: unknown): ParamValue | undefined {
  const text = written === null || written === undefined ? 'none' : typeof written === 'object' ? undefined : String(written);
  const c = canonical(written ?? null);
  const x = xOf(written);
  return p.values.find((v) => v.label === text) ?? p.values.find((v) => canonical(v.value ?? null) === c) ?? (x !== null ? p.values.find((v) => v.x === x) : undefined);
}

const toJson = (n: Node | null | undefined): unknown => (n ? (n as Node & { toJSON(): unknown }).toJSON() : null);

function parseRange(ctx: Ctx, node: Node, path: string): unknown[] | undefined {
  if (!isMap(node)) return undefined;
  checkKeys(ctx, node, ['from', 'to', 'step', 'times'], `the range of ${path}`);
  const get = (k: string) => node.get(k, true) as Node | undefined;
  const raw = (k: string) => {
    const n = get(k);
    return n && isScalar(n) ? n.value : undefined;
  };
  const from = raw('from');
  const to = raw('to');
  if (from === undefined || to === undefined) {
    ctx.errors.push(err(locOf(ctx, node), `the range of ${path} needs "from" and "to"`, 'e.g. { from: 1, to: 16, step: 1 } or { from: 1, to: 16, times: 2 }'));
    return undefined;
  }
  if (raw('step') !== undefined && raw('times') !== undefined) {
    ctx.errors.push(err(locOf(ctx, get('times')), `the range of ${path} takes "step" or "times", not both`));
    return undefined;
  }
  const isDur = typeof from === 'string' || typeof to === 'string';
  const num = (k: string, v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    if (isDur && k !== 'times') {
      try {
        return parseDuration(v);
      } catch (e) {
        if (e instanceof UnitError) ctx.errors.push(err(locOf(ctx, get(k)), `${path}.${k}: ${e.message}`, e.hint));
        else throw e;
        return NaN;
      }
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      ctx.errors.push(err(locOf(ctx, get(k)), `${path}.${k} must be a number or a duration, got ${JSON.stringify(v)}`));
      return NaN;
    }
    return v;
  };
  const a = num('from', from)!;
  const b = num('to', to)!;
  const step = num('step', raw('step'));
  const times = num('times', raw('times'));
  if ([a, b, step, times].some((x) => Number.isNaN(x))) return undefined;
  const out: number[] = [];
  if (times !== undefined) {
    if (!(times > 1) || !(a > 0) || b < a) {
      ctx.errors.push(err(locOf(ctx, node), `the range of ${path} with "times" needs times > 1 and 0 < from <= to`));
      return undefined;
    }
    for (let x = a; x <= b * (1 + 1e-12) && out.length <= MAX_POINTS; x *= times) out.push(x);
  } else {
    const st = step ?? (isDur ? NaN : 1);
    if (!(st > 0) || b < a) {
      ctx.errors.push(err(locOf(ctx, node), `the range of ${path} needs a step > 0 and from <= to`, isDur ? 'durations need a step: { from: 1us, to: 10us, step: 1us }' : undefined));
      return undefined;
    }
    // Counted, not accumulated, so 0.1 steps do not drift.
    const n = Math.floor((b - a) / st + 1e-9);
    if (n > MAX_POINTS) {
      ctx.errors.push(err(locOf(ctx, node), `the range of ${path} has ${n + 1} values`, 'use a larger step'));
      return undefined;
    }
    for (let k = 0; k <= n; k++) out.push(Math.round((a + k * st) * 1e9) / 1e9);
  }
  return isDur ? out.map((ns) => `${Math.round(ns)}ns`) : out;
}

function parseParam(ctx: Ctx, path: string, node: Node | null): { values: ParamValue[]; locs: Loc[] } | undefined {
  let raw: unknown[] | undefined;
  let labels: string[] | undefined;
  let nodes: (Node | null)[] = [];
  if (node && isSeq(node)) {
    nodes = node.items as Node[];
    raw = nodes.map((n) => (n as Node & { toJSON(): unknown }).toJSON());
  } else if (node && isMap(node) && node.has('values')) {
    checkKeys(ctx, node, ['values'], `the parameter ${path}`);
    const vn = node.get('values', true) as Node;
    if (isSeq(vn)) {
      nodes = vn.items as Node[];
      raw = nodes.map((n) => (n as Node & { toJSON(): unknown }).toJSON());
    } else if (isMap(vn)) {
      nodes = vn.items.map((p) => p.key as Node);
      labels = vn.items.map(keyOf);
      raw = vn.items.map((p) => (p.value && typeof (p.value as { toJSON?: unknown }).toJSON === 'function' ? (p.value as Node & { toJSON(): unknown }).toJSON() : null));
    } else {
      ctx.errors.push(err(locOf(ctx, vn ?? node), `${path}.values must be a list, or a mapping of labels to values`));
      return undefined;
    }
  } else if (node && isMap(node)) {
    raw = parseRange(ctx, node, path);
    if (!raw) return undefined;
    nodes = raw.map(() => node);
    // Duration ranges are set in ns and shown as people write them.
    labels = raw.map((v) => (typeof v === 'string' ? formatNs(parseDuration(v)) : String(v)));
  } else if (node && isScalar(node) && node.value !== null) {
    raw = [node.value];
    nodes = [node];
  } else {
    ctx.errors.push(err(locOf(ctx, node), `parameter ${path} needs values`, 'a list [1, 2, 4], a range { from: 1, to: 16, step: 1 } or { values: { label: value } }'));
    return undefined;
  }
  if (raw.length === 0) {
    ctx.errors.push(err(locOf(ctx, node), `parameter ${path} has no values`));
    return undefined;
  }
  const values = raw.map((v, i) => ({ label: labels?.[i] ?? labelOf(v, i, raw!), value: v, x: xOf(v) }));
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    if (seen.has(v.label)) ctx.errors.push(err(locOf(ctx, nodes[i]), `parameter ${path} has the value "${v.label}" twice`, 'each value of a parameter must be different'));
    seen.set(v.label, i);
  });
  return { values, locs: nodes.map((n) => locOf(ctx, n)) };
}

/** The scenario text without the sections only sweeps read, so editing a check never invalidates finished runs. */
function stripSweep(text: string): string {
  const doc = parseDocument(text);
  doc.delete('sweep');
  doc.delete('expect');
  return String(doc);
}

/** Read and validate a sweep file. */
export function loadSweep(file: string, opts: SweepLoadOptions = {}): LoadedSweep {
  return parseSweep(readInput(file, 'sweep file', 'check the path; scenarios/sweep-overcommit.yaml is an example'), file, opts);
}

export function parseSweep(text: string, file: string, opts: SweepLoadOptions = {}): LoadedSweep {
  const { doc, ctx } = parseYaml(text, file);
  const top = doc.contents as Node | null;
  if (!top || !isMap(top)) throw new InputError('a sweep file is a YAML mapping: a scenario with a sweep: section, or scenario: and sweep:', file, 1, 1, 'see scenarios/sweep-overcommit.yaml');
  const isScenario = top.has('host') || top.has('guests');
  let scenarioFile = file;
  let scenarioText = text;
  if (!isScenario) {
    checkKeys(ctx, top, FILE_KEYS, 'a sweep file');
    const sn = top.get('scenario', true) as Node | undefined;
    if (!sn || !isScalar(sn) || typeof sn.value !== 'string') {
      ctx.errors.push(err(sn ? locOf(ctx, sn) : { file, line: 1, col: 1 }, 'a sweep file needs "scenario: <file>" (or is a scenario with host: and guests:)', 'e.g. scenario: overcommit-16on4.yaml'));
      throw new InputErrors(ctx.errors);
    }
    scenarioFile = resolve(dirname(file), sn.value);
    try {
      scenarioText = readFileSync(scenarioFile, 'utf8');
    } catch {
      throw err(locOf(ctx, sn), `scenario "${sn.value}" cannot be read`, `looked for ${scenarioFile}`);
    }
  }
  if (ctx.errors.length) throw new InputErrors(ctx.errors);
  // Errors in the scenario itself keep their positions in the scenario file.
  const base = parseScenario(scenarioText, scenarioFile, { sets: opts.sets, seed: opts.seed, duration: opts.duration });
  const baseText = stripSweep(base.text);

  const sweepNode = (top.get('sweep', true) as Node | undefined) ?? null;
  const sweep = sweepNode && isMap(sweepNode) ? sweepNode : null;
  if (sweepNode && !sweep && !(isScalar(sweepNode) && sweepNode.value === null)) ctx.errors.push(err(locOf(ctx, sweepNode), 'sweep must be a mapping with params:', 'e.g. sweep: { params: { guests.db.smp: [1, 2, 4] } }'));
  if (sweep) checkKeys(ctx, sweep, SWEEP_KEYS, 'sweep');
  const sget = (k: string) => (sweep?.get(k, true) as Node | undefined) ?? null;
  const scalar = (k: string) => {
    const n = sget(k);
    return n && isScalar(n) ? n.value : undefined;
  };

  const name = scalar('name') ?? (isScenario ? base.name : basename(file).replace(/\.ya?ml$/i, ''));
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name)) ctx.errors.push(err(locOf(ctx, sget('name')), 'sweep.name must use letters, digits, dot, dash and underscore'));
  const description = scalar('description') ?? base.description ?? '';

  const mode = scalar('mode') ?? 'grid';
  if (mode !== 'grid' && mode !== 'zip') ctx.errors.push(err(locOf(ctx, sget('mode')), `sweep.mode must be grid or zip, got ${JSON.stringify(mode)}`, 'grid: every combination; zip: the i-th values together'));

  let replicates = scalar('replicates') ?? 1;
  if (typeof replicates !== 'number' || !Number.isInteger(replicates) || replicates < 1 || replicates > 1000) {
    ctx.errors.push(err(locOf(ctx, sget('replicates')), `sweep.replicates must be a whole number from 1 to 1000, got ${JSON.stringify(replicates)}`));
    replicates = 1;
  }
  if (opts.replicates !== undefined) replicates = opts.replicates;

  const params: Param[] = [];
  const paramLocs: Loc[] = [];
  const valueLocs: Loc[][] = [];
  const pn = sget('params');
  if (pn && !isMap(pn) && !(isScalar(pn) && pn.value === null)) ctx.errors.push(err(locOf(ctx, pn), 'sweep.params must be a mapping of field paths to values', 'e.g. guests.db.smp: [1, 2, 4]'));
  if (pn && isMap(pn)) {
    for (const pair of pn.items) {
      const path = keyOf(pair);
      const kloc = locOf(ctx, pair.key as Node);
      if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_.-]+)*$/.test(path)) {
        ctx.errors.push(err(kloc, `"${path}" is not a field path`, 'write it as for --set: guests.db.smp, host.kvm.ple'));
        continue;
      }
      if (path === 'seed') {
        ctx.errors.push(err(kloc, 'the seed is not a parameter', 'use sweep.replicates: each replicate runs with its own derived seed'));
        continue;
      }
      const p = parseParam(ctx, path, (pair.value as Node) ?? null);
      if (!p) continue;
      params.push({ path, values: p.values });
      paramLocs.push(kloc);
      valueLocs.push(p.locs);
    }
  }
  const paths = params.map((p) => p.path);

  const zip: string[][] = [];
  const zn = sget('zip');
  if (zn) {
    const groups = isSeq(zn) ? (zn.items as Node[]) : [];
    if (!isSeq(zn)) ctx.errors.push(err(locOf(ctx, zn), 'sweep.zip must be a list of lists of parameters', 'e.g. zip: [[guests.db.smp, guests.db.pin]]'));
    const used = new Set<string>();
    for (const g of groups) {
      const names = isSeq(g) ? (g.items as Node[]) : [];
      if (!isSeq(g) || names.length < 2) {
        ctx.errors.push(err(locOf(ctx, g), 'each zip group lists two or more parameters'));
        continue;
      }
      const group: string[] = [];
      for (const n of names) {
        const v = isScalar(n) ? String(n.value) : '';
        if (!paths.includes(v)) {
          const s = suggest(v, paths);
          ctx.errors.push(err(locOf(ctx, n), `zip: "${v}" is not a parameter of the sweep`, s ? `did you mean "${s}"?` : `parameters: ${paths.join(', ')}`));
        } else if (used.has(v)) ctx.errors.push(err(locOf(ctx, n), `zip: "${v}" is in two groups`));
        else {
          used.add(v);
          group.push(v);
        }
      }
      const lens = new Set(group.map((v) => params.find((p) => p.path === v)!.values.length));
      if (lens.size > 1) ctx.errors.push(err(locOf(ctx, g), `zipped parameters need as many values each: ${group.map((v) => `${v} has ${params.find((p) => p.path === v)!.values.length}`).join(', ')}`));
      if (group.length > 1) zip.push(group);
    }
    if (mode === 'zip') ctx.errors.push(err(locOf(ctx, zn), 'sweep.zip groups are for mode: grid; mode: zip already zips every parameter'));
  }
  if (mode === 'zip' && params.length > 1) {
    const lens = new Set(params.map((p) => p.values.length));
    if (lens.size > 1) ctx.errors.push(err(locOf(ctx, sget('mode')), `mode: zip needs as many values for every parameter: ${params.map((p) => `${p.path} has ${p.values.length}`).join(', ')}`, 'use mode: grid for every combination'));
  }

  let baseline: Record<string, string> | null = null;
  const bn = sget('baseline');
  if (bn) {
    if (!isMap(bn)) ctx.errors.push(err(locOf(ctx, bn), 'sweep.baseline is a mapping of parameters to values', 'e.g. baseline: { guests.db.smp: 4 }'));
    else {
      baseline = {};
      for (const pair of bn.items) {
        const k = keyOf(pair);
        const p = params.find((q) => q.path === k);
        const vnode = pair.value as Node | null;
        const written = toJson(vnode);
        const found = p ? findValue(p, written) : undefined;
        if (!p) {
          const s = suggest(k, paths);
          ctx.errors.push(err(locOf(ctx, pair.key as Node), `baseline: "${k}" is not a parameter of the sweep`, s ? `did you mean "${s}"?` : `parameters: ${paths.join(', ') || '(none)'}`));
        } else if (!found) {
          ctx.errors.push(err(locOf(ctx, vnode), `baseline: ${k} never takes the value ${JSON.stringify(written)}`, `its values: ${p.values.map((v) => v.label).join(', ')}`));
        } else baseline[k] = found.label;
      }
    }
  }

  const expect: ExpectDef[] = [];
  const checks: Check[] = [];
  const expectLocs: Loc[] = [];
  const checkLocs: Loc[] = [];
  const en = (top.get('expect', true) as Node | undefined) ?? null;
  if (en && !isSeq(en) && !(isScalar(en) && en.value === null)) ctx.errors.push(err(locOf(ctx, en), 'expect is a list of checks', 'e.g. expect: ["p99_latency < 5ms"]'));
  if (en && isSeq(en)) {
    for (const item of en.items as Node[]) {
      let checkNode: Node | null = null;
      let where: Record<string, string[]> | null = null;
      let cname: string | undefined;
      if (isScalar(item) && typeof item.value === 'string') checkNode = item;
      else if (isMap(item)) {
        checkKeys(ctx, item, ['check', 'where', 'name'], 'an expect item');
        checkNode = (item.get('check', true) as Node | undefined) ?? null;
        const nn = item.get('name', true) as Node | undefined;
        if (nn && isScalar(nn)) cname = String(nn.value);
        const wn = item.get('where', true) as Node | undefined;
        if (wn) {
          if (!isMap(wn)) ctx.errors.push(err(locOf(ctx, wn), 'where: is a mapping of parameters to a value or a list of values'));
          else {
            where = {};
            for (const pair of wn.items) {
              const k = keyOf(pair);
              const p = params.find((q) => q.path === k);
              if (!p) {
                const s = suggest(k, paths);
                ctx.errors.push(err(locOf(ctx, pair.key as Node), `where: "${k}" is not a parameter of the sweep`, s ? `did you mean "${s}"?` : `parameters: ${paths.join(', ') || '(none)'}`));
                continue;
              }
              const vn = pair.value as Node | null;
              const items = vn && isSeq(vn) ? (vn.items as Node[]) : [vn];
              const labels: string[] = [];
              for (const it of items) {
                const written = toJson(it);
                const found = findValue(p, written);
                if (!found) ctx.errors.push(err(locOf(ctx, it ?? (pair.key as Node)), `where: ${k} never takes the value ${JSON.stringify(written)}`, `its values: ${p.values.map((v) => v.label).join(', ')}`));
                else labels.push(found.label);
              }
              where[k] = labels;
            }
          }
        }
      }
      if (!checkNode || !isScalar(checkNode) || typeof checkNode.value !== 'string') {
        ctx.errors.push(err(locOf(ctx, checkNode ?? item), 'a check is a string like "p99_latency < 5ms", or { check: ..., where: ..., name: ... }'));
        continue;
      }
      const src = checkNode.value;
      // Offsets inside the text map to columns when the scalar sits on one line (quoted scalars start one character later).
      const quoted = checkNode.type === 'QUOTE_DOUBLE' || checkNode.type === 'QUOTE_SINGLE' ? 1 : 0;
      try {
        checks.push(parseCheck(src));
      } catch (e) {
        if (e instanceof ExprError) {
          ctx.errors.push(err(locOf(ctx, checkNode, quoted + e.offset), `expect: ${e.message} in "${src}"`, e.hint));
          continue;
        }
        throw e;
      }
      expect.push({ name: cname ?? src, check: src, where });
      expectLocs.push(locOf(ctx, item));
      checkLocs.push(locOf(ctx, checkNode, quoted));
    }
  }

  let points = 1;
  if (mode === 'zip') points = params[0]?.values.length ?? 1;
  else {
    const inZip = new Set(zip.flat());
    for (const p of params) if (!inZip.has(p.path)) points *= p.values.length;
    for (const g of zip) points *= params.find((p) => p.path === g[0])!.values.length;
  }
  if (points > MAX_POINTS) ctx.errors.push(err(locOf(ctx, pn), `the sweep has ${points} points, more than ${MAX_POINTS}`, 'use fewer values or mode: zip'));

  if (ctx.errors.length) throw new InputErrors(ctx.errors);
  const spec: SweepSpec = {
    name: name as string,
    description: String(description).trim(),
    file,
    scenario_file: isScenario ? file : String((top.get('scenario') as string) ?? ''),
    seed: base.seed,
    mode: mode as 'grid' | 'zip',
    zip,
    params,
    replicates: replicates as number,
    baseline,
    expect,
    overrides: { set: opts.sets ?? [], duration: opts.duration ?? null, seed: opts.seed ?? null, replicates: opts.replicates ?? null },
  };
  return { spec, baseText, base, checks, locs: { params: locOf(ctx, pn), param: paramLocs, values: valueLocs, expect: expectLocs, checks: checkLocs, baseline: bn ? locOf(ctx, bn) : null } };
}
