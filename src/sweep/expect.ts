/**
 * `expect:` checks: a small expression language, parsed here and evaluated
 * on a point's summaries. Nothing is eval'd.
 *
 *   or    := and (('or' | '||') and)*
 *   and   := not (('and' | '&&') not)*
 *   not   := ('not' | '!') not | cmp
 *   cmp   := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
 *   sum   := prod (('+' | '-') prod)*
 *   prod  := unary (('*' | '/') unary)*
 *   unary := '-' unary | atom
 *   atom  := number unit? | metric | 'baseline' ('.' metric)? | fn '(' sum (',' sum)* ')' | '(' or ')'
 *
 * A metric is a name from metrics.ts (`guests.db.p99_latency`), or the part
 * after `guests.<guest>.` when the point has one guest (`p99_latency`); it
 * stands for the mean over replicates, or a statistic with a suffix:
 * `.mean`, `.ci_low`, `.ci_high`, `.n`. `baseline` is the same metric at
 * the point's baseline point (the first metric the check names), and
 * `baseline.<metric>` names one. Units: ns us µs ms s min (to ns), % (÷100),
 * k M G (×10^3..10^9), /s k/s M/s (rates). A check must compare.
 */
import { formatValue, metricUnit, type MetricUnit } from './metrics.js';
import type { Summary } from './stats.js';

export type Stat = 'mean' | 'ci_low' | 'ci_high' | 'n';
const STATS: readonly Stat[] = ['mean', 'ci_low', 'ci_high', 'n'];
type CmpOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
const FNS = { min: Math.min, max: Math.max, abs: Math.abs } as const;
type Fn = keyof typeof FNS;

export type Expr =
  | { k: 'num'; v: number; unit: MetricUnit | null; at: number }
  | { k: 'ref'; name: string; stat: Stat; at: number }
  | { k: 'base'; name: string | null; stat: Stat; at: number }
  | { k: 'neg'; a: Expr; at: number }
  | { k: 'bin'; op: '+' | '-' | '*' | '/'; a: Expr; b: Expr; at: number }
  | { k: 'call'; fn: Fn; args: Expr[]; at: number }
  | { k: 'cmp'; op: CmpOp; a: Expr; b: Expr; at: number }
  | { k: 'and' | 'or'; a: Expr; b: Expr; at: number }
  | { k: 'not'; a: Expr; at: number };

/** An error in a check's text; `offset` is the character where it was found. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface Check {
  src: string;
  ast: Expr;
  /** Metric names as written (shorthands unresolved), with their offsets. */
  refs: { name: string; at: number }[];
  usesBaseline: boolean;
  /**
   * `... with 95% confidence`: the comparison must hold for the whole 95 %
   * interval of each side (interval arithmetic over the metrics' intervals),
   * not only for the means.
   */
  confident: boolean;
}

/** Replicates a metric needs before a check on it can be decided (an interval needs at least 3 for a useful t value). */
export const MIN_REPLICATES = 3;

/** Multipliers of number suffixes, and the unit they give the number. */
const UNITS: Record<string, [number, MetricUnit | null]> = {
  ns: [1, 'ns'],
  us: [1e3, 'ns'],
  µs: [1e3, 'ns'],
  ms: [1e6, 'ns'],
  s: [1e9, 'ns'],
  min: [60e9, 'ns'],
  '%': [0.01, 'fraction'],
  k: [1e3, null],
  K: [1e3, null],
  M: [1e6, null],
  G: [1e9, null],
  '/s': [1, 'rate'],
  'k/s': [1e3, 'rate'],
  'M/s': [1e6, 'rate'],
};

type Tok = { t: 'num'; v: number; unit: MetricUnit | null; at: number } | { t: 'id'; v: string; at: number } | { t: 'op'; v: string; at: number } | { t: 'end'; at: number };

const ID = /^[A-Za-z_][A-Za-z0-9_.]*(?:-[A-Za-z0-9_][A-Za-z0-9_.]*)*/;
const NUM = /^(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?/i;
const UNIT = /^(?:[kKM]?\/s(?![A-Za-z0-9_])|[A-Za-zµ]+|%)/;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    const n = NUM.exec(rest);
    if (n) {
      const at = i;
      i += n[0].length;
      const u = UNIT.exec(src.slice(i));
      let mult = 1;
      let unit: MetricUnit | null = null;
      if (u) {
        const def = UNITS[u[0]];
        if (!def) throw new ExprError(`unknown unit "${u[0]}" after ${n[0]}`, i, `use one of ${Object.keys(UNITS).join(' ')}`);
        [mult, unit] = def;
        i += u[0].length;
      }
      out.push({ t: 'num', v: Number(n[0]) * mult, unit, at });
      continue;
    }
    const id = ID.exec(rest);
    if (id) {
      out.push({ t: 'id', v: id[0], at: i });
      i += id[0].length;
      continue;
    }
    const op = /^(<=|>=|==|!=|&&|\|\||[<>+\-*/(),!])/.exec(rest);
    if (op) {
      out.push({ t: 'op', v: op[0], at: i });
      i += op[0].length;
      continue;
    }
    throw new ExprError(c === '=' ? 'a lone "=" is not a comparison' : `unexpected character "${c}"`, i, c === '=' ? 'write == to compare for equality' : 'a check compares metrics and numbers: p99_latency < 5ms');
  }
  out.push({ t: 'end', at: src.length });
  return out;
}

const splitStat = (name: string): [string, Stat] => {
  const m = /^(.*)\.(mean|ci_low|ci_high|n)$/.exec(name);
  return m && m[1] ? [m[1], m[2] as Stat] : [name, 'mean'];
};

/** Parse a check. Throws ExprError with the offset of the problem. */
export function parseCheck(src: string): Check {
  const conf = /\s+with\s+([0-9.]+)\s*%\s+confidence\s*$/i.exec(src);
  if (conf) {
    if (Number(conf[1]) !== 95) throw new ExprError(`only 95% intervals are computed, not ${conf[1]}%`, conf.index + 1, 'write "with 95% confidence"');
    const c = parseCheck(src.slice(0, conf.index));
    const eq = (e: Expr): Expr | null => (e.k === 'cmp' ? (e.op === '==' || e.op === '!=' ? e : null) : e.k === 'and' || e.k === 'or' ? (eq(e.a) ?? eq(e.b)) : e.k === 'not' ? eq(e.a) : null);
    const bad = eq(c.ast);
    if (bad) throw new ExprError('"with 95% confidence" needs <, <=, > or >=: an interval cannot be equal to a value', bad.at, 'compare with < or >, e.g. throughput > 5k/s with 95% confidence');
    return { ...c, src, confident: true };
  }
  const toks = tokenize(src);
  let p = 0;
  const refs: { name: string; at: number }[] = [];
  let usesBaseline = false;
  const peek = () => toks[p];
  const isOp = (...ops: string[]) => {
    const t = toks[p];
    return (t.t === 'op' && ops.includes(t.v)) || (t.t === 'id' && ops.includes(t.v));
  };
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExprError(`expected "${v}"`, peek().at);
    p++;
  };
  const describe = (t: Tok) => (t.t === 'end' ? 'the end of the check' : `"${t.t === 'num' ? src.slice(t.at).split(/\s/)[0] : t.v}"`);

  const orE = (): Expr => {
    let a = andE();
    while (isOp('or', '||')) {
      const at = toks[p++].at;
      a = { k: 'or', a, b: andE(), at };
    }
    return a;
  };
  const andE = (): Expr => {
    let a = notE();
    while (isOp('and', '&&')) {
      const at = toks[p++].at;
      a = { k: 'and', a, b: notE(), at };
    }
    return a;
  };
  const notE = (): Expr => {
    if (isOp('not', '!')) {
      const at = toks[p++].at;
      return { k: 'not', a: notE(), at };
    }
    return cmpE();
  };
  const cmpE = (): Expr => {
    const a = sumE();
    if (isOp('<', '<=', '>', '>=', '==', '!=')) {
      const t = toks[p++] as { v: CmpOp; at: number };
      return { k: 'cmp', op: t.v, a, b: sumE(), at: t.at };
    }
    return a;
  };
  const sumE = (): Expr => {
    let a = prodE();
    while (isOp('+', '-')) {
      const t = toks[p++] as { v: '+' | '-'; at: number };
      a = { k: 'bin', op: t.v, a, b: prodE(), at: t.at };
    }
    return a;
  };
  const prodE = (): Expr => {
    let a = unaryE();
    while (isOp('*', '/')) {
      const t = toks[p++] as { v: '*' | '/'; at: number };
      a = { k: 'bin', op: t.v, a, b: unaryE(), at: t.at };
    }
    return a;
  };
  const unaryE = (): Expr => {
    if (isOp('-')) {
      const at = toks[p++].at;
      return { k: 'neg', a: unaryE(), at };
    }
    return atom();
  };
  const atom = (): Expr => {
    const t = toks[p];
    if (t.t === 'num') {
      p++;
      return { k: 'num', v: t.v, unit: t.unit, at: t.at };
    }
    if (t.t === 'op' && t.v === '(') {
      p++;
      const e = orE();
      expect(')');
      return e;
    }
    if (t.t === 'id') {
      p++;
      if (['and', 'or', 'not'].includes(t.v)) throw new ExprError(`"${t.v}" needs something before it`, t.at);
      if (Object.hasOwn(FNS, t.v) && isOp('(')) {
        p++;
        const args = [sumE()];
        while (isOp(',')) {
          p++;
          args.push(sumE());
        }
        expect(')');
        const fn = t.v as Fn;
        if (fn === 'abs' && args.length !== 1) throw new ExprError('abs() takes one argument', t.at);
        return { k: 'call', fn, args, at: t.at };
      }
      if (t.v === 'baseline' || t.v.startsWith('baseline.')) {
        usesBaseline = true;
        const rest = t.v.slice('baseline.'.length);
        if (t.v === 'baseline') return { k: 'base', name: null, stat: 'mean', at: t.at };
        if ((STATS as readonly string[]).includes(rest)) return { k: 'base', name: null, stat: rest as Stat, at: t.at };
        const [name, stat] = splitStat(rest);
        refs.push({ name, at: t.at + 'baseline.'.length });
        return { k: 'base', name, stat, at: t.at };
      }
      const [name, stat] = splitStat(t.v);
      refs.push({ name, at: t.at });
      return { k: 'ref', name, stat, at: t.at };
    }
    throw new ExprError(`expected a metric, a number or "(", found ${describe(t)}`, t.at, t.t === 'end' ? 'finish the comparison, e.g. p99_latency < 5ms' : undefined);
  };

  const ast = orE();
  if (peek().t !== 'end') {
    const t = peek();
    throw new ExprError(`unexpected ${describe(t)}`, t.at, t.t === 'id' || t.t === 'num' ? 'join comparisons with "and" or "or"' : undefined);
  }
  // A bare `baseline` means the first metric the check names, with the stat it is written with.
  const first = firstRef(ast);
  const fill = (e: Expr): void => {
    switch (e.k) {
      case 'base':
        if (e.name === null) {
          if (!first) throw new ExprError('"baseline" alone needs a metric elsewhere in the check', e.at, 'write baseline.<metric>, e.g. baseline.guests.db.throughput');
          e.name = first.name;
          if (e.stat === 'mean') e.stat = first.stat;
        }
        return;
      case 'neg':
      case 'not':
        return fill(e.a);
      case 'bin':
      case 'cmp':
      case 'and':
      case 'or':
        fill(e.a);
        return fill(e.b);
      case 'call':
        return e.args.forEach(fill);
      default:
        return;
    }
  };
  fill(ast);
  checkTypes(ast);
  return { src, ast, refs, usesBaseline, confident: false };
}

function firstRef(e: Expr): { name: string; stat: Stat } | undefined {
  switch (e.k) {
    case 'ref':
      return { name: e.name, stat: e.stat };
    case 'base':
      return e.name ? { name: e.name, stat: e.stat } : undefined;
    case 'neg':
    case 'not':
      return firstRef(e.a);
    case 'bin':
    case 'cmp':
    case 'and':
    case 'or':
      return firstRef(e.a) ?? firstRef(e.b);
    case 'call':
      for (const a of e.args) {
        const r = firstRef(a);
        if (r) return r;
      }
      return undefined;
    default:
      return undefined;
  }
}

const UNIT_WORDS: Record<MetricUnit, string> = { ns: 'a time', fraction: 'a fraction', rate: 'a rate', number: 'a number' };

/** The unit of a numeric expression (null: a plain number, or mixed), checking sums and comparisons. */
function unitOf(e: Expr): MetricUnit | null {
  switch (e.k) {
    case 'num':
      return e.unit;
    case 'ref':
    case 'base':
      // Counts, and names not known to be times, rates or fractions (a misspelt metric, reported later with a suggestion), compare with anything.
      return e.stat === 'n' || metricUnit(e.name!) === 'number' ? null : metricUnit(e.name!);
    case 'neg':
      return unitOf(e.a);
    case 'call': {
      const us = e.args.map(unitOf).filter((u): u is MetricUnit => u !== null);
      return us[0] ?? null;
    }
    case 'bin': {
      const a = unitOf(e.a);
      const b = unitOf(e.b);
      if (e.op === '+' || e.op === '-') {
        if (a && b && a !== b) throw new ExprError(`"${e.op}" mixes ${UNIT_WORDS[a]} and ${UNIT_WORDS[b]}`, e.at);
        return a ?? b;
      }
      if (e.op === '*') return a && b ? null : (a ?? b);
      return b ? null : a;
    }
    default:
      throw new ExprError('a comparison cannot be used as a number', e.at);
  }
}

function checkTypes(e: Expr): void {
  const bool = (x: Expr): void => {
    switch (x.k) {
      case 'cmp': {
        const a = unitOf(x.a);
        const b = unitOf(x.b);
        // A plain number compares with anything (steal < 0.5); two different units never do.
        if (a && b && a !== b && !(a === 'fraction' && b === 'number') && !(a === 'number' && b === 'fraction'))
          throw new ExprError(`"${x.op}" compares ${UNIT_WORDS[a]} with ${UNIT_WORDS[b]}`, x.at, a === 'ns' || b === 'ns' ? 'latencies take time units: 5ms, 750us' : undefined);
        return;
      }
      case 'and':
      case 'or':
        bool(x.a);
        bool(x.b);
        return;
      case 'not':
        bool(x.a);
        return;
      default:
        throw new ExprError('a check must compare, e.g. p99_latency < 5ms or throughput >= 0.8 * baseline', x.at);
    }
  };
  bool(e);
}

/** A metric name as written, resolved against the metrics a point has: exact, or the shorthand of a one-guest point. */
export function resolveMetric(name: string, available: ReadonlySet<string>): string | null {
  if (available.has(name)) return name;
  const guests = new Set<string>();
  for (const m of available) {
    const g = /^guests\.(.+)\.throughput$/.exec(m);
    if (g) guests.add(g[1]);
  }
  if (guests.size === 1) {
    const full = `guests.${[...guests][0]}.${name}`;
    if (available.has(full)) return full;
  }
  return null;
}

/** `undecided`: a metric it names has fewer than MIN_REPLICATES replicates, too few to say. */
export type Status = 'pass' | 'fail' | 'skip' | 'undecided';

export interface Outcome {
  status: Status;
  /** The two sides of the top comparison, for the table (null for and/or checks). */
  value: number | null;
  limit: number | null;
  unit: MetricUnit | null;
  /** What was compared, as people read it: `60.5k < 88.9k`, `20.0k >= 19.0k and 1.01ms < 5.00ms`. */
  got: string;
  message: string | null;
}

export interface PointStats {
  summary: Record<string, Summary>;
}

/** Evaluate a check at a point (its summaries) against its baseline point's summaries. */
export function evaluate(c: Check, point: PointStats, baseline: PointStats | null): Outcome {
  const missing: string[] = [];
  const here = new Set(Object.keys(point.summary));
  const there = new Set(Object.keys(baseline?.summary ?? {}));
  /** Fewest replicates of any metric the check reads. */
  let fewest = Infinity;
  const get = (name: string, stat: Stat, at: PointStats | null, names: Set<string>, label: string): number => {
    if (!at) {
      missing.push(`baseline ${name}`);
      return NaN;
    }
    const full = resolveMetric(name, names);
    const s = full ? at.summary[full] : undefined;
    if (s) fewest = Math.min(fewest, s.n);
    const v = s ? s[stat] : null;
    if (v === null || v === undefined) {
      missing.push(`${label}${name}${stat === 'mean' ? '' : `.${stat}`}`);
      return NaN;
    }
    return v;
  };
  const num = (e: Expr): number => {
    switch (e.k) {
      case 'num':
        return e.v;
      case 'ref':
        return get(e.name, e.stat, point, here, '');
      case 'base':
        return get(e.name!, e.stat, baseline, there, 'baseline.');
      case 'neg':
        return -num(e.a);
      case 'bin': {
        const a = num(e.a);
        const b = num(e.b);
        return e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : a / b;
      }
      case 'call':
        return (FNS[e.fn] as (...x: number[]) => number)(...e.args.map(num));
      default:
        return NaN;
    }
  };
  /**
   * The 95 % interval of an expression, by interval arithmetic over the
   * intervals of the metrics it reads (a `.mean`-less metric stands for its
   * interval; a number or an explicit statistic for itself).
   */
  const ival = (e: Expr): [number, number] => {
    switch (e.k) {
      case 'ref':
      case 'base': {
        if (e.stat !== 'mean') {
          const v = num(e);
          return [v, v];
        }
        const [at, names, label] = e.k === 'ref' ? [point, here, ''] : [baseline, there, 'baseline.'];
        return [get(e.name!, 'ci_low', at, names, label), get(e.name!, 'ci_high', at, names, label)];
      }
      case 'neg': {
        const [lo, hi] = ival(e.a);
        return [-hi, -lo];
      }
      case 'bin': {
        const [a0, a1] = ival(e.a);
        const [b0, b1] = ival(e.b);
        if (e.op === '+') return [a0 + b0, a1 + b1];
        if (e.op === '-') return [a0 - b1, a1 - b0];
        if (e.op === '/' && b0 <= 0 && b1 >= 0) return [-Infinity, Infinity];
        const xs = e.op === '*' ? [a0 * b0, a0 * b1, a1 * b0, a1 * b1] : [a0 / b0, a0 / b1, a1 / b0, a1 / b1];
        return [Math.min(...xs), Math.max(...xs)];
      }
      case 'call': {
        const args = e.args.map(ival);
        if (e.fn === 'abs') {
          const [lo, hi] = args[0];
          return lo >= 0 ? [lo, hi] : hi <= 0 ? [-hi, -lo] : [0, Math.max(-lo, hi)];
        }
        const f = FNS[e.fn] as (...x: number[]) => number;
        return [f(...args.map((a) => a[0])), f(...args.map((a) => a[1]))];
      }
      default: {
        const v = num(e);
        return [v, v];
      }
    }
  };
  const truth = (e: Expr): boolean => {
    switch (e.k) {
      case 'cmp': {
        if (c.confident) {
          // Holds with confidence: every value of one interval against every value of the other.
          const [a0, a1] = ival(e.a);
          const [b0, b1] = ival(e.b);
          switch (e.op) {
            case '<':
              return a1 < b0;
            case '<=':
              return a1 <= b0;
            case '>':
              return a0 > b1;
            case '>=':
              return a0 >= b1;
            default:
              return false;
          }
        }
        const a = num(e.a);
        const b = num(e.b);
        switch (e.op) {
          case '<':
            return a < b;
          case '<=':
            return a <= b;
          case '>':
            return a > b;
          case '>=':
            return a >= b;
          case '==':
            return a === b;
          case '!=':
            return a !== b;
        }
        return false;
      }
      case 'and':
        return truth(e.a) && truth(e.b);
      case 'or':
        return truth(e.a) || truth(e.b);
      case 'not':
        return !truth(e.a);
      default:
        return false;
    }
  };
  const show = (e: Expr): string => {
    switch (e.k) {
      case 'cmp': {
        // `expected > 5.00k, got 3.95k ±120`: the requirement, then the measured side with its interval.
        const u = unitOf(e.a) ?? unitOf(e.b) ?? 'number';
        const [lo, hi] = e.a.k === 'ref' || e.a.k === 'base' ? ival(e.a) : [NaN, NaN];
        const pm = Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? ` ±${formatValue((hi - lo) / 2, u === 'fraction' ? 'fraction' : u)}` : '';
        return `expected ${e.op} ${formatValue(num(e.b), u)}, got ${formatValue(num(e.a), u)}${pm}`;
      }
      case 'and':
      case 'or':
        return `(${show(e.a)}) ${e.k} (${show(e.b)})`;
      case 'not':
        return `not (${show(e.a)})`;
      default:
        return '';
    }
  };
  const ok = truth(c.ast);
  const got = show(c.ast);
  let value: number | null = null;
  let limit: number | null = null;
  let unit: MetricUnit | null = null;
  if (c.ast.k === 'cmp') {
    const a = num(c.ast.a);
    const b = num(c.ast.b);
    value = Number.isFinite(a) ? a : null;
    limit = Number.isFinite(b) ? b : null;
    unit = unitOf(c.ast.a) ?? unitOf(c.ast.b);
  }
  // A metric with no value at all fails; one with a value from too few replicates cannot be decided.
  if (fewest >= 1 && fewest < MIN_REPLICATES) return { status: 'undecided', value, limit, unit, got, message: `cannot be decided from ${fewest} replicate${fewest === 1 ? '' : 's'} (at least ${MIN_REPLICATES} are needed for an interval; set sweep.replicates or --replicates): ${got}` };
  const uniq = [...new Set(missing)];
  if (uniq.length) return { status: 'fail', value, limit, unit, got, message: `no value for ${uniq.join(', ')}` };
  return { status: ok ? 'pass' : 'fail', value, limit, unit, got, message: null };
}

/** A status as the check tables print it. */
export function statusWord(s: Status): string {
  return s === 'pass' ? 'pass' : s === 'fail' ? 'FAIL' : s === 'undecided' ? 'UNDECIDED' : 'skip';
}

/** What a result says, for tables and JUnit messages. */
export function describeOutcome(o: Outcome): string {
  return o.message ?? o.got;
}
