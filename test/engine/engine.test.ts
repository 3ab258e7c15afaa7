import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine, Prio, type Handler, type SimEvent } from '../../src/engine/engine.js';
import { deriveSeed, Streams } from '../../src/engine/rng.js';

class Log implements Handler {
  seen: string[] = [];
  constructor(readonly engine: Engine) {}
  onEvent(ev: SimEvent) {
    this.seen.push(`${this.engine.now}:${ev.kind}:${ev.arg}`);
  }
}

describe('engine', () => {
  it('orders events by time, then priority, then scheduling order', () => {
    const e = new Engine(1);
    const log = new Log(e);
    e.schedule(20, Prio.Resume, log, 1);
    e.schedule(10, Prio.Resume, log, 2);
    e.schedule(10, Prio.Command, log, 3);
    e.schedule(10, Prio.Resume, log, 4);
    e.schedule(10, Prio.Command, log, 5);
    e.runUntil(100);
    expect(log.seen).toEqual(['10:3:0', '10:5:0', '10:2:0', '10:4:0', '20:1:0']);
    expect(e.now).toBe(100);
  });

  it('skips cancelled events and counts only delivered ones', () => {
    const e = new Engine(1);
    const log = new Log(e);
    const a = e.schedule(5, 0, log, 1);
    e.schedule(6, 0, log, 2);
    e.cancel(a);
    e.runUntil(10);
    expect(log.seen).toEqual(['6:2:0']);
    expect(e.delivered).toBe(1);
  });

  it('step delivers one event at a time and reports when none is left', () => {
    const e = new Engine(1);
    const log = new Log(e);
    e.schedule(3, 0, log, 7, 42);
    expect(e.step()).toBe(true);
    expect(log.seen).toEqual(['3:7:42']);
    expect(e.step()).toBe(false);
  });

  it('refuses events in the past', () => {
    const e = new Engine(1);
    const log = new Log(e);
    e.schedule(10, 0, log);
    e.runUntil(10);
    expect(() => e.schedule(9, 0, log)).toThrow(/past/);
  });

  it('runUntil leaves later events pending', () => {
    const e = new Engine(1);
    const log = new Log(e);
    e.schedule(50, 0, log, 1);
    e.runUntil(49);
    expect(log.seen).toEqual([]);
    expect(e.peekTime()).toBe(50);
  });
});

describe('engine delivery while handlers schedule, cancel and peek', () => {
  // An event being delivered stays at the root of the queue until its handler
  // schedules something (which takes its place) or returns. Whatever handlers
  // do, events must come out in (time, priority, scheduling order), as a
  // plain sorted list would give them.
  type Op = { kind: 'schedule'; dt: number; prio: number } | { kind: 'cancel'; which: number } | { kind: 'peek' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('schedule' as const), dt: fc.integer({ min: 0, max: 5 }), prio: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ kind: fc.constant('cancel' as const), which: fc.nat(40) }),
    fc.record({ kind: fc.constant('peek' as const) }),
  );

  it('delivers in the order a sorted reference list does', () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 4 }), { minLength: 1, maxLength: 60 }), (script) => {
        const e = new Engine(1);
        // The reference: every scheduled event with its key; delivery takes the least live one.
        const ref: { t: number; prio: number; seq: number; id: number; live: boolean }[] = [];
        const handles: SimEvent[] = [];
        const got: number[] = [];
        const want: number[] = [];
        let step = 0;
        let seq = 0;
        const h: Handler = {
          onEvent(ev) {
            got.push(ev.arg);
            const ops = script[step++ % script.length];
            for (const o of ops) {
              if (o.kind === 'schedule') {
                const id = handles.length;
                handles.push(e.schedule(e.now + o.dt, o.prio, h, 0, id));
                ref.push({ t: e.now + o.dt, prio: o.prio, seq: seq++, id, live: true });
              } else if (o.kind === 'cancel') {
                if (o.which < handles.length) {
                  e.cancel(handles[o.which]);
                  ref[o.which].live = false;
                }
              } else {
                const live = ref.filter((r) => r.live);
                const min = live.length ? Math.min(...live.map((r) => r.t)) : Infinity;
                expect(e.peekTime()).toBe(min);
              }
            }
          },
        };
        handles.push(e.schedule(0, 0, h, 0, 0));
        ref.push({ t: 0, prio: 0, seq: seq++, id: 0, live: true });
        for (let n = 0; n < 200; n++) {
          const live = ref.filter((r) => r.live).sort((a, b) => a.t - b.t || a.prio - b.prio || a.seq - b.seq);
          // The reference delivers the least live event: done before its handler runs.
          if (live.length) {
            live[0].live = false;
            want.push(live[0].id);
          }
          const before = got.length;
          if (!e.step()) {
            expect(live).toEqual([]);
            break;
          }
          expect(got.length).toBe(before + 1);
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a handler that schedules nothing still removes its event', () => {
    const e = new Engine(1);
    const log = new Log(e);
    e.schedule(1, 0, log, 1);
    e.schedule(2, 0, log, 2);
    e.runUntil(10);
    expect(log.seen).toEqual(['1:1:0', '2:2:0']);
    expect(e.pending).toBe(0);
  });
});

describe('acting ahead (advanceIfNext)', () => {
  /** Runs `body` as the handler of one event at `at`, with `others` pending. */
  function during(at: number, others: [number, number][], reach: number, body: (e: Engine) => void): Engine {
    const e = new Engine(1);
    const sink = new Log(e);
    for (const [t, p] of others) e.schedule(t, p, sink);
    e.schedule(at, Prio.Resume, { onEvent: () => body(e) });
    e.runUntil(at, reach);
    return e;
  }

  it('moves the clock when nothing pending comes first', () => {
    let ok: boolean | undefined;
    const e = during(10, [[30, Prio.Command]], 100, (e) => (ok = e.advanceIfNext(20, Prio.Sched)));
    expect(ok).toBe(true);
    expect(e.now).toBe(20);
  });

  it('refuses when an earlier event, or a same-time event of the same or an earlier priority, is pending', () => {
    const tries: boolean[] = [];
    during(10, [[15, Prio.Sample]], 100, (e) => tries.push(e.advanceIfNext(20, Prio.Sched)));
    during(10, [[20, Prio.Sched]], 100, (e) => tries.push(e.advanceIfNext(20, Prio.Sched)));
    during(10, [[20, Prio.Wakeup]], 100, (e) => tries.push(e.advanceIfNext(20, Prio.Sched)));
    expect(tries).toEqual([false, false, false]);
  });

  it('goes ahead of a same-time event of a later priority, which then runs at that time', () => {
    let ok: boolean | undefined;
    const e = during(10, [[20, Prio.Sample]], 100, (e) => (ok = e.advanceIfNext(20, Prio.Sched)));
    expect(ok).toBe(true);
    expect(e.now).toBe(20);
  });

  it('never goes past the reach of the run', () => {
    let ok: boolean | undefined;
    const e = during(10, [], 15, (e) => (ok = e.advanceIfNext(20, Prio.Sched)));
    expect(ok).toBe(false);
    expect(e.now).toBe(10);
    let ok2: boolean | undefined;
    during(10, [], 10, (e) => (ok2 = e.advanceIfNext(11, Prio.Sched)));
    expect(ok2).toBe(false);
  });
});

describe('named random streams', () => {
  it('repeat exactly for the same seed and name', () => {
    const a = new Streams(7).get('guest/web/arrivals');
    const b = new Streams(7).get('guest/web/arrivals');
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xs);
  });

  it('are independent of other streams being drawn from', () => {
    const s1 = new Streams(7);
    const s2 = new Streams(7);
    s2.get('guest/db/arrivals').uniform();
    s2.get('guest/db/arrivals').uniform();
    expect(s2.get('guest/web/arrivals').uniform()).toBe(s1.get('guest/web/arrivals').uniform());
  });

  it('differ between names and between seeds', () => {
    expect(new Streams(7).get('a').uniform()).not.toBe(new Streams(7).get('b').uniform());
    expect(new Streams(7).get('a').uniform()).not.toBe(new Streams(8).get('a').uniform());
  });

  it('exponential draws have the requested mean', () => {
    const s = new Streams(3).get('x');
    let sum = 0;
    for (let i = 0; i < 20000; i++) sum += s.exp(100);
    expect(sum / 20000).toBeGreaterThan(95);
    expect(sum / 20000).toBeLessThan(105);
  });

  it('derived replicate seeds are stable and distinct', () => {
    expect(deriveSeed(1, 'point', 0)).toBe(deriveSeed(1, 'point', 0));
    expect(deriveSeed(1, 'point', 0)).not.toBe(deriveSeed(1, 'point', 1));
  });
});
