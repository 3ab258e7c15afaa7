/**
 * CPU masks (include/linux/cpumask.h): one bit per CPU id in 32-bit words.
 */

/** cpumask_test_cpu on a mask of 32-bit words. */
export function maskHas(m: Uint32Array, i: number): boolean {
  return (m[i >>> 5] & (1 << (i & 31))) !== 0;
}

/**
 * cpumask_next_and: the lowest CPU >= `from` set in `m` (and in `and`, if
 * given), or -1.
 */
export function maskNext(m: Uint32Array, and: Uint32Array | null, from: number): number {
  let w = from >>> 5;
  if (w >= m.length) return -1;
  let x = (and ? m[w] & and[w] : m[w]) & (-1 << (from & 31));
  for (;;) {
    if (x !== 0) return (w << 5) + 31 - Math.clz32(x & -x);
    if (++w >= m.length) return -1;
    x = and ? m[w] & and[w] : m[w];
  }
}

/** cpumask_set_cpu. */
export function maskSet(m: Uint32Array, i: number): void {
  m[i >>> 5] |= 1 << (i & 31);
}
