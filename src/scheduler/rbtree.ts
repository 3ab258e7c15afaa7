import { removeAt } from '../util/arrays.js';
import type { SchedEntity } from './types.js';

/**
 * The run queue's order, as fair.c's rbtree keeps it: by vruntime, ties by
 * tid so runs repeat exactly. Queues are short (threads per CPU), so a
 * sorted array with binary insertion is the tree.
 */
export function entityBefore(a: SchedEntity, b: SchedEntity): boolean {
  return a.vruntime < b.vruntime || (a.vruntime === b.vruntime && a.tid < b.tid);
}

export function insertSorted<E extends SchedEntity>(q: E[], e: E): void {
  let lo = 0;
  let hi = q.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entityBefore(q[mid], e)) lo = mid + 1;
    else hi = mid;
  }
  // Shift by hand, not splice: this is on the path of every context switch.
  let i = q.length;
  q.push(e);
  for (; i > lo; i--) q[i] = q[i - 1];
  q[lo] = e;
}

export function removeFrom<E>(q: E[], e: E): void {
  const i = q.indexOf(e);
  if (i >= 0) removeAt(q, i);
}
