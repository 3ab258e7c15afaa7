import { describe, expect, it } from 'vitest';
import { makeScheduler } from '../../src/scheduler/index.js';
import type { SchedEntity } from '../../src/scheduler/types.js';

describe('the scheduler tick asked again at the same instant', () => {
  // Host.quietTicks asks whether a tick reschedules and leaves one that does
  // to the ordinary path, which asks again: the second answer must match and
  // change nothing.
  for (const kind of ['cfs', 'eevdf'] as const) {
    it(`${kind}: changes nothing and gives the same answer`, () => {
      const s = makeScheduler<SchedEntity & { tid: number }>({ kind, ncpus: 1, tunables: {}, tickNs: 1_000_000 });
      const rq = s.newRunQueue(0);
      const mk = (tid: number) => ({ tid, weight: 1024, vruntime: 0, deadline: 0, vlag: 0, sumExec: 0, prevSumExec: 0, execStart: 0 });
      s.enqueue(rq, mk(1), 0, 'new');
      s.enqueue(rq, mk(2), 0, 'new');
      s.pickNext(rq, 0);
      let sawResched = false;
      for (let t = 1_000_000; t <= 40_000_000; t += 1_000_000) {
        const first = s.tick(rq, t);
        const state = JSON.stringify([rq.curr, rq.queue, rq.minVruntime]);
        expect(s.tick(rq, t)).toBe(first);
        expect(JSON.stringify([rq.curr, rq.queue, rq.minVruntime])).toBe(state);
        if (first) {
          sawResched = true;
          s.putPrev(rq, t, true);
          s.pickNext(rq, t);
        }
      }
      expect(sawResched).toBe(true);
    });
  }
});
