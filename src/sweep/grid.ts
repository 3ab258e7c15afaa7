import { createHash } from 'node:crypto';
import { deriveSeed } from '../engine/rng.js';

/** One value a parameter takes: what is set, how it is named, and where it sits on a numeric axis (null: not numeric). */
export interface ParamValue {
  label: string;
  value: unknown;
  x: number | null;
}

export interface Param {
  path: string;
  values: ParamValue[];
}

/**
 * The points of a sweep, in a fixed order: a grid varies the first
 * parameter slowest (nested loops in file order); a zip takes the i-th
 * value of every parameter together; zip groups inside a grid count as one
 * parameter at the position of their first member.
 *
 * Each point is a list of value indexes, one per parameter.
 */
export function expand(params: readonly Param[], mode: 'grid' | 'zip', zip: readonly string[][] = []): number[][] {
  if (params.length === 0) return [[]];
  if (mode === 'zip') {
    const n = Math.min(...params.map((p) => p.values.length));
    return Array.from({ length: n }, (_, i) => params.map(() => i));
  }
  // Axes of the grid: single parameters, or zip groups moving together.
  const axes: number[][] = [];
  const grouped = new Map<string, number[]>();
  for (const g of zip) {
    const idx = g.map((path) => params.findIndex((p) => p.path === path));
    for (const path of g) grouped.set(path, idx);
  }
  const placed = new Set<number>();
  params.forEach((p, i) => {
    if (placed.has(i)) return;
    const axis = grouped.get(p.path) ?? [i];
    axis.forEach((j) => placed.add(j));
    axes.push(axis);
  });
  let points: number[][] = [params.map(() => 0)];
  for (const axis of axes) {
    const len = Math.min(...axis.map((j) => params[j].values.length));
    const next: number[][] = [];
    for (const pt of points)
      for (let v = 0; v < len; v++) {
        const q = [...pt];
        for (const j of axis) q[j] = v;
        next.push(q);
      }
    points = next;
  }
  return points;
}

/** Canonical JSON: object keys sorted, so the same value written in another key order is the same point. */
export function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

/**
 * A point's identity: its parameter paths and values, sorted by path so
 * reordering the parameters in the file keeps every point's seeds and
 * finished runs.
 */
export function pointKey(params: readonly Param[], point: readonly number[]): string {
  return params
    .map((p, i) => `${p.path}=${canonical(p.values[point[i]].value)}`)
    .sort()
    .join('&');
}

/**
 * Seed of replicate `r` of a point: derived from the base seed, the
 * point's key and r, so replicates never share draws, every point has its
 * own, and a point keeps its seeds when other points are added.
 */
export function replicateSeed(baseSeed: number, key: string, r: number): number {
  return parseInt(deriveSeed(baseSeed, key, r), 16);
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** File name of one run's record: readable labels, then a hash of the key so labels that slug alike never collide. */
export function runFileName(labels: readonly string[], key: string, r: number): string {
  const slug = labels
    .map((l) => l.replace(/[^A-Za-z0-9._-]+/g, '-'))
    .join('_')
    .slice(0, 80);
  return `${slug ? `${slug}-` : ''}${sha256(key).slice(0, 10)}.r${r}.json`;
}
