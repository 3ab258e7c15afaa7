/**
 * Simulated time is an integer count of nanoseconds (`Ns`); guest work is
 * counted in CPU cycles (`Cycles`). They are separate branded types so the
 * two cannot be mixed by accident; `cyclesToNs`/`nsToCycles` convert at a
 * given clock frequency and are the only place the conversion happens.
 */
export type Ns = number & { readonly __unit?: 'ns' };
export type Cycles = number & { readonly __unit?: 'cycles' };

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

/** Cycles at `freqHz` take this many ns, rounded to the nearest ns. */
export function cyclesToNs(c: Cycles, freqHz: number): Ns {
  return Math.round((c * NS_PER_S) / freqHz);
}

/** Whole cycles that fit in `ns` at `freqHz` (rounded down: never overshoots). */
export function nsToCycles(ns: Ns, freqHz: number): Cycles {
  return Math.floor((ns * freqHz) / NS_PER_S);
}

/** Cycles in `ns` at `freqHz`, to the nearest whole cycle (a duration parameter turned into guest work). */
export function nsToCyclesNearest(ns: Ns, freqHz: number): Cycles {
  return Math.round((ns * freqHz) / NS_PER_S);
}

/** The period of something that happens `hz` times a second (a tick), to the nearest ns. */
export function periodNs(hz: number): Ns {
  return Math.round(NS_PER_S / hz);
}

/** A duration in seconds (for rates per second). */
export function nsToSeconds(ns: Ns): number {
  return ns / NS_PER_S;
}

/** Human form of a duration for reports: `1.50ms`, `750us`, `12ns`. */
export function formatNs(ns: number): string {
  const a = Math.abs(ns);
  if (a >= NS_PER_S) return `${trim(ns / NS_PER_S)}s`;
  if (a >= NS_PER_MS) return `${trim(ns / NS_PER_MS)}ms`;
  if (a >= NS_PER_US) return `${trim(ns / NS_PER_US)}us`;
  return `${Math.round(ns)}ns`;
}

function trim(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
