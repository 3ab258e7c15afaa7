/**
 * `a.splice(i, 1)` without the array of removed elements splice allocates,
 * and without the builtin call: run queues and watcher lists are short and
 * change on every context switch and spin, where splice measured 6% of an
 * over-committed run (docs/performance.md).
 */
export function removeAt<T>(a: T[], i: number): void {
  const last = a.length - 1;
  for (let j = i; j < last; j++) a[j] = a[j + 1];
  a.pop();
}
