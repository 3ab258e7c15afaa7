/**
 * Units as people write them: `10s`, `750us`, `3GHz`, `500/s`, `8G`.
 * Each parser returns the value in simvm's base unit (ns, Hz, per second,
 * bytes, cycles) or throws UnitError with a hint showing the right form.
 */
export class UnitError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const NUM = '([0-9]*\\.?[0-9]+(?:e[+-]?[0-9]+)?)';

function parseWith(text: unknown, table: Record<string, number>, what: string, example: string, bareUnit: number | null): number {
  if (typeof text === 'number') {
    if (bareUnit === null && text !== 0) throw new UnitError(`a ${what} needs a unit`, `write it like ${example}`);
    return text * (bareUnit ?? 1);
  }
  if (typeof text !== 'string') throw new UnitError(`expected a ${what}`, `write it like ${example}`);
  const m = new RegExp(`^\\s*${NUM}\\s*([A-Za-z/µ]*)\\s*$`, 'i').exec(text.replace(/_/g, ''));
  if (!m) throw new UnitError(`"${text}" is not a ${what}`, `write it like ${example}`);
  const value = Number(m[1]);
  const unit = m[2];
  if (!unit) {
    if (bareUnit === null && value !== 0) throw new UnitError(`"${text}" has no unit`, `write it like ${example}`);
    return value * (bareUnit ?? 1);
  }
  const k = Object.keys(table).find((u) => u === unit) ?? Object.keys(table).find((u) => u.toLowerCase() === unit.toLowerCase());
  if (k === undefined) throw new UnitError(`unknown ${what} unit "${unit}" in "${text}"`, `use one of ${Object.keys(table).join(', ')}`);
  return value * table[k];
}

/** Durations to integer ns. */
export function parseDuration(text: unknown): number {
  if ((typeof text === 'string' && /^\s*-/.test(text)) || (typeof text === 'number' && text < 0)) {
    throw new UnitError(`a time cannot be negative (got ${String(text)})`, 'times count from the start of the run: use 0s or later');
  }
  const ns = parseWith(text, { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, min: 60e9, h: 3600e9 }, 'duration', '10s, 750us or 1.5ms', null);
  if (!Number.isFinite(ns)) throw new UnitError(`duration "${String(text)}" is not finite`);
  return Math.round(ns);
}

/** Frequencies to Hz. */
export function parseFrequency(text: unknown): number {
  return parseWith(text, { Hz: 1, kHz: 1e3, MHz: 1e6, GHz: 1e9 }, 'frequency', '3GHz or 2200MHz', null);
}

/** Rates to events per second: `500/s`, `2k/s`, `30/ms`, or a bare number per second. */
export function parseRate(text: unknown): number {
  if (typeof text === 'string') {
    const m = new RegExp(`^\\s*${NUM}\\s*([kKmM]?)\\s*/\\s*(s|ms|us|min)\\s*$`).exec(text.replace(/_/g, ''));
    if (m) {
      const mult = m[2] === 'k' || m[2] === 'K' ? 1e3 : m[2] === 'M' ? 1e6 : m[2] === 'm' ? 1e-3 : 1;
      const per = { s: 1, ms: 1e-3, us: 1e-6, min: 60 }[m[3] as 's' | 'ms' | 'us' | 'min'];
      return (Number(m[1]) * mult) / per;
    }
  }
  return parseWith(text, { '/s': 1, Hz: 1 }, 'rate', '500/s or 2k/s', 1);
}

/** Sizes to bytes: `8G`, `512K`, `4MiB`, `64B`, bare numbers are bytes. */
export function parseSize(text: unknown): number {
  const k = 1024;
  return Math.round(
    parseWith(text, { B: 1, K: k, KB: k, KiB: k, M: k * k, MB: k * k, MiB: k * k, G: k ** 3, GB: k ** 3, GiB: k ** 3, T: k ** 4, TiB: k ** 4 }, 'size', '8G or 512K', 1),
  );
}

/** Cycle counts: bare numbers, or with k/M suffixes. */
export function parseCycles(text: unknown): number {
  return Math.round(parseWith(text, { k: 1e3, K: 1e3, M: 1e6 }, 'cycle count', '1550 or 4k', 1));
}

/** taskset's cpu-list syntax: `0-3,6`, `1,3-5:2`? (strides are not supported by taskset's -c list), or a list of numbers. */
/** CPU numbers a list may name: below the most CPUs a host may have (scenario field host.cpus). */
export const MAX_CPU_NUMBER = 4096;

export function parseCpuList(text: unknown): number[] {
  if (typeof text === 'number' && Number.isInteger(text) && text >= 0) {
    if (text >= MAX_CPU_NUMBER) throw new UnitError(`CPU ${text} is beyond any host simvm models (CPUs 0-${MAX_CPU_NUMBER - 1})`, 'name CPUs the host has');
    return [text];
  }
  if (Array.isArray(text)) {
    const out: number[] = [];
    for (const x of text) out.push(...parseCpuList(x));
    return [...new Set(out)].sort((a, b) => a - b);
  }
  if (typeof text !== 'string' || !text.trim()) throw new UnitError('expected a CPU list', 'write it like taskset does: 0-3,6');
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UnitError(`"${text}" is not a CPU list`, 'write it like taskset does: 0-3,6');
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a) throw new UnitError(`CPU range "${part.trim()}" runs backwards`, `write ${b}-${a}`);
    // Checked before expanding: a range is never wider than the largest host (host.cpus allows 4096).
    if (b >= MAX_CPU_NUMBER) throw new UnitError(`CPU ${b} in "${part.trim()}" is beyond any host simvm models (CPUs 0-${MAX_CPU_NUMBER - 1})`, 'name CPUs the host has');
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** Print a CPU list back in taskset's compact form: [0,1,2,3,6] → "0-3,6". */
export function formatCpuList(cpus: number[]): string {
  const s = [...cpus].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
