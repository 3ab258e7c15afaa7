import { describe, expect, it } from 'vitest';
import { removeAt } from '../../src/util/arrays.js';
import { entityBefore, insertSorted, removeFrom } from '../../src/scheduler/rbtree.js';
import type { SchedEntity } from '../../src/scheduler/types.js';
import { Streams } from '../../src/engine/rng.js';

describe('the hand-written array edits on the context-switch path', () => {
  it('removeAt does what splice(i, 1) does, at every index of arrays of every short length', () => {
    for (let n = 1; n <= 9; n++)
      for (let i = 0; i < n; i++) {
        const a = Array.from({ length: n }, (_, k) => k * 10);
        const b = [...a];
        removeAt(a, i);
        b.splice(i, 1);
        expect(a).toEqual(b);
      }
  });

  it('insertSorted and removeFrom keep a run queue in (vruntime, tid) order, as sorting would', () => {
    const r = new Streams(7).get('test/arrays');
    const q: SchedEntity[] = [];
    const all: SchedEntity[] = [];
    for (let step = 0; step < 2000; step++) {
      if (q.length > 0 && r.uniform() < 0.45) {
        const e = q[r.int(q.length)];
        removeFrom(q, e);
        all.splice(all.indexOf(e), 1);
      } else {
        // Few distinct vruntimes, so ties (broken by tid) are common.
        const e = { tid: step, vruntime: r.int(8) * 1000 } as SchedEntity;
        insertSorted(q, e);
        all.push(e);
      }
      const ref = [...all].sort((a, b) => (entityBefore(a, b) ? -1 : entityBefore(b, a) ? 1 : 0));
      expect(q).toEqual(ref);
    }
  });

  it('removeFrom of an entity that is not queued changes nothing', () => {
    const q = [{ tid: 1, vruntime: 0 }, { tid: 2, vruntime: 5 }] as SchedEntity[];
    removeFrom(q, { tid: 3, vruntime: 1 } as SchedEntity);
    expect(q.map((e) => e.tid)).toEqual([1, 2]);
  });
});
