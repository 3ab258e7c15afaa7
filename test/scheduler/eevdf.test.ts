import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, Prio, type Handler } from '../../src/engine/engine.js';
import { defaultHostConfig, Host } from '../../src/host/host.js';
import { TaskBody } from '../../src/host/task.js';
import { ACC_HOST, ACC_WAIT, type HostThread } from '../../src/host/thread.js';
import { weightOfNice } from '../../src/scheduler/types.js';
import { checkEevdfRunQueue, defaultEevdfTunables, Eevdf, type EevdfFeatures } from '../../src/scheduler/eevdf.js';
import { makeScheduler } from '../../src/scheduler/index.js';
import { renderText } from '../../src/report/text.js';
import type { Results } from '../../src/report/results.js';
import { run as runScenario } from '../helpers.js';

function host(ncpus: number, opt: { features?: Partial<EevdfFeatures>; baseSliceNs?: number } = {}) {
  const e = new Engine(1);
  const cfg = defaultHostConfig(Array.from({ length: ncpus }, (_, i) => ({ socket: 0, core: i, thread: 0, node: 0 })));
  cfg.check = true;
  cfg.sched = { kind: 'eevdf', ncpus, tunables: opt.baseSliceNs ? { baseSliceNs: opt.baseSliceNs } : {}, features: opt.features };
  const h = new Host(e, cfg);
  const sched = h.sched as Eevdf<HostThread>;
  let tid = 100;
  const hog = (name: string, nice = 0) => {
    const t = h.addThread(tid++, 1, name, 'task', -1);
    t.weight = weightOfNice(nice);
    const b = new TaskBody(e, h, t, ACC_HOST);
    b.push({ ns: Infinity }, 0);
    return t;
  };
  /** A thread that sleeps until given work. */
  const worker = (name: string, nice = 0) => {
    const t = h.addThread(tid++, 1, name, 'task', -1);
    t.weight = weightOfNice(nice);
    return { t, body: new TaskBody(e, h, t, ACC_HOST) };
  };
  const run = (until: number) => {
    for (let t = e.now; t < until; t += 1_000_000) {
      e.runUntil(Math.min(until, t + 1_000_000));
      h.checkInvariants(e.now);
      for (const c of h.cpus) checkEevdfRunQueue(c.rq);
    }
    h.finish(e.now);
  };
  const at = (time: number, fn: () => void) => {
    e.schedule(time, Prio.Device, { onEvent: fn } satisfies Handler);
  };
  return { e, h, sched, hog, worker, run, at };
}

describe('EEVDF tunables', () => {
  it('base_slice is 0.75 ms x (1 + ilog2(min(ncpus, 8))), as sysctl_sched_base_slice in 6.6', () => {
    expect(defaultEevdfTunables(1).baseSliceNs).toBe(750_000);
    expect(defaultEevdfTunables(4).baseSliceNs).toBe(2_250_000);
    expect(defaultEevdfTunables(64).baseSliceNs).toBe(3_000_000);
  });

  it('is selected by kind and reports its tunables and features', () => {
    const s = makeScheduler({ kind: 'eevdf', ncpus: 4, tunables: { baseSliceNs: 1e6, latencyNs: 1 }, features: { runToParity: false } });
    expect(s.describe()).toEqual({
      kind: 'eevdf',
      sched_base_slice_ns: 1e6,
      sched_features: 'PLACE_LAG PLACE_DEADLINE_INITIAL NO_RUN_TO_PARITY PICK_BUDDY',
    });
  });
});

describe('EEVDF on the host model', () => {
  it('shares a CPU in proportion to weight (nice 0 vs nice 5: 1024/335)', () => {
    const { hog, run } = host(1);
    const a = hog('a', 0);
    const b = hog('b', 5);
    run(2e9);
    const ratio = a.acc[ACC_HOST] / b.acc[ACC_HOST];
    expect(ratio).toBeGreaterThan((1024 / 335) * 0.97);
    expect(ratio).toBeLessThan((1024 / 335) * 1.03);
  });

  it('shares equally between equal weights, switching once per base_slice (rounded up to the tick)', () => {
    // The deadline is only checked from update_curr, here at each 1 ms tick:
    // a 0.75 ms request ends at the first tick, a 3 ms one at the third.
    const turns = (baseSliceNs: number) => {
      const { h, hog, run } = host(1, { baseSliceNs });
      const a = hog('a');
      const b = hog('b');
      run(1e9);
      expect(Math.abs(a.acc[ACC_HOST] - b.acc[ACC_HOST]) / 1e9).toBeLessThan(0.01);
      return h.cpus[0].switches;
    };
    const short = turns(750_000);
    expect(short).toBeGreaterThan(950);
    expect(short).toBeLessThan(1050);
    const long = turns(3_000_000);
    expect(long).toBeGreaterThan(300);
    expect(long).toBeLessThan(370);
  });

  it('keeps the lag a thread slept with, however long it slept: sleeping earns no credit', () => {
    const { e, h, sched, hog, worker, run, at } = host(1);
    hog('h1');
    hog('h2');
    const { t: s, body } = worker('s');
    const rq = h.cpus[0].rq;
    const limit = 2 * 750_000; // update_entity_lag: max(2 * slice, TICK_NSEC), nice 0
    const wakes: { sleptNs: number; vlag: number; lag: number; eligible: boolean }[] = [];
    const work = [300_000, 1_300_000, 50_000, 2_000_000, 700_000, 100_000, 900_000];
    let i = 0;
    let sleptFrom = 0;
    const wake = () => {
      const vlag = s.vlag;
      body.push({ ns: work[i % work.length], done: (now) => ((sleptFrom = now), at(now + (i % 2 ? 300e6 : 1e6), wake)) }, e.now);
      wakes.push({ sleptNs: e.now - sleptFrom, vlag, lag: sched.avgVruntime(rq) - s.vruntime, eligible: sched.eligible(rq, s) });
      i++;
    };
    at(5e6, wake);
    run(3e9);
    expect(wakes.length).toBeGreaterThan(15);
    const later = wakes.slice(1);
    for (const w of later) {
      // place_entity inflates the stored lag by (W + w) / W so that, once the
      // thread counts in V, V - v is what it was at dequeue (to rounding).
      expect(Math.abs(w.lag - w.vlag)).toBeLessThanOrEqual(2);
      expect(Math.abs(w.vlag)).toBeLessThanOrEqual(limit);
      expect(w.eligible).toBe(w.lag >= 0);
    }
    // The credit does not grow with the sleep: 300 ms asleep brings back no
    // more than 1 ms does (CFS credits any sleeper up to sched_latency / 2),
    // and a thread that overran comes back owing, however long it slept.
    const long = later.filter((w) => w.sleptNs >= 300e6);
    const short = later.filter((w) => w.sleptNs <= 1e6);
    for (const ws of [long, short]) {
      expect(ws.length).toBeGreaterThan(5);
      expect(Math.max(...ws.map((w) => Math.abs(w.lag)))).toBeLessThanOrEqual(limit);
    }
    expect(later.some((w) => w.lag < 0)).toBe(true);
    expect(later.some((w) => w.lag > 0)).toBe(true);
  });

  it('without PLACE_LAG places every waking thread at V (placement strategy #2)', () => {
    const { e, h, sched, hog, worker, run, at } = host(1, { features: { placeLag: false } });
    hog('h1');
    hog('h2');
    const { t: s, body } = worker('s');
    const rq = h.cpus[0].rq;
    const lags: number[] = [];
    const wake = () => {
      body.push({ ns: 700_000, done: (now) => at(now + 5e6, wake) }, e.now);
      lags.push(sched.avgVruntime(rq) - s.vruntime);
    };
    at(5e6, wake);
    run(5e8);
    expect(lags.length).toBeGreaterThan(20);
    for (const l of lags) expect(Math.abs(l)).toBeLessThanOrEqual(1);
  });

  it('lets an eligible short sleeper preempt a CPU hog at once', () => {
    const { e, h, hog, worker, run, at } = host(1);
    hog('hog');
    const { t, body } = worker('sleeper');
    const lat: number[] = [];
    // Every 10 ms the sleeper gets 50 us of work; measure from wake-up to done.
    const wake = () => {
      const t0 = e.now;
      body.push({ ns: 50_000, done: (now) => lat.push(now - t0 - 50_000) }, t0);
      if (e.now + 10e6 < 1e9) at(e.now + 10e6, wake);
    };
    at(5e6, wake);
    run(1e9);
    expect(lat.length).toBeGreaterThan(90);
    lat.sort((a, b) => a - b);
    // It wakes with the lag it left with. While that is positive, the hog
    // (V moved below it) is no longer eligible and the sleeper preempts
    // after the context switch (2 us). Each 50 us run spends half of it
    // (two equal weights); at zero lag the hog's RUN_TO_PARITY holds until
    // its deadline (< 1 tick), which earns the sleeper lag for the next ~19.
    expect(lat[Math.floor(lat.length * 0.9)]).toBeLessThan(10_000);
    expect(lat[lat.length - 1]).toBeLessThanOrEqual(1_010_000);
    expect(t.acc[ACC_WAIT]).toBeLessThan(0.01 * 1e9);
    void h;
  });

  it('does not let a thread with negative lag preempt, and never picks it before an eligible one', () => {
    const { e, h, sched, hog, worker, run, at } = host(1);
    // Nice 5 hogs have long virtual requests (r * 1024 / 335), so a nice 0
    // thread that overran still often has the earliest deadline: pure EDF
    // would run it, EEVDF makes it wait until it is eligible again.
    hog('h1', 5);
    hog('h2', 5);
    const { t: s, body } = worker('s', 0);
    const rq = h.cpus[0].rq;
    let picks = 0;
    let heldBack = 0;
    const pick = sched.pickNext.bind(sched);
    sched.pickNext = (q, now) => {
      // Here curr is back in the queue (put_prev_task came first).
      const ok = q.queue.filter((x) => sched.eligible(q, x));
      const earliest = [...q.queue].sort((a, b) => a.deadline - b.deadline)[0];
      const choices = q.queue.length;
      const got = pick(q, now);
      if (got && choices > 1) {
        picks++;
        expect(ok).toContain(got);
        for (const x of ok) expect(x.deadline).toBeGreaterThanOrEqual(got.deadline);
        if (earliest !== got && !ok.includes(earliest)) heldBack++;
      }
      return got;
    };
    let negWakes = 0;
    const wake = () => {
      body.push({ ns: 900_000, done: (now) => at(now + 3e6, wake) }, e.now);
      if (s.vlag < 0) {
        negWakes++;
        expect(sched.eligible(rq, s)).toBe(false);
        expect(sched.pickEevdf(rq)).not.toBe(s);
      }
    };
    at(2e6, wake);
    run(1e9);
    expect(picks).toBeGreaterThan(200);
    expect(heldBack).toBeGreaterThan(30);
    expect(negWakes).toBeGreaterThan(50);
  });

  it('yield pushes curr deadline one request out and lets the other run', () => {
    const { e, h, sched, hog } = host(1);
    const a = hog('a');
    const b = hog('b');
    e.runUntil(10_500_000);
    const rq = h.cpus[0].rq;
    const c = rq.curr!;
    const other = c === a ? b : a;
    sched.updateCurr(rq, e.now);
    const d0 = c.deadline;
    const v0 = c.vruntime;
    h.yield(c, e.now);
    expect(c.deadline).toBe(d0 + 750_000);
    expect(c.vruntime).toBe(v0);
    e.runUntil(e.now + 10_000);
    expect(rq.curr).toBe(other);
  });

  it('yield by the only runnable thread changes nothing', () => {
    const { e, h, hog } = host(1);
    const a = hog('a');
    e.runUntil(3_500_000);
    const d0 = a.deadline;
    h.yield(a, e.now);
    expect(a.deadline).toBe(d0);
    e.runUntil(e.now + 10_000);
    expect(h.cpus[0].rq.curr).toBe(a);
  });

  it('yield_to runs the target next when it is eligible (PICK_BUDDY), and EEVDF order without it', () => {
    const nextAfterYieldTo = (pickBuddy: boolean) => {
      const { e, h, sched, hog } = host(1, { features: { pickBuddy } });
      for (const n of ['a', 'b', 'c', 'd']) hog(n);
      const rq = h.cpus[0].rq;
      // Find an instant where some eligible queued thread is not EEVDF's choice.
      for (let t = 20_500_000; t < 200e6; t += 1_000_000) {
        e.runUntil(t);
        const c = rq.curr!;
        sched.updateCurr(rq, e.now);
        const ok = rq.queue.filter((x) => sched.eligible(rq, x)).sort((x, y) => x.deadline - y.deadline);
        if (ok.length < 2) continue;
        const target = ok[ok.length - 1];
        expect(h.yieldTo(c, target, e.now)).toBe(true);
        e.runUntil(e.now + 10_000);
        return { target, got: rq.curr!, first: ok[0] };
      }
      throw new Error('no instant with two eligible queued threads');
    };
    const withBuddy = nextAfterYieldTo(true);
    expect(withBuddy.got).toBe(withBuddy.target);
    const without = nextAfterYieldTo(false);
    expect(without.got).not.toBe(without.target);
  });

  it('never runs a thread outside its affinity', () => {
    const { h, hog, run } = host(4);
    const pinned = [hog('p1'), hog('p2'), hog('p3')];
    for (const t of pinned) h.setAffinity(t, [1], 0);
    const free = [hog('f1'), hog('f2')];
    run(5e8);
    for (const t of pinned) expect(t.cpu).toBe(1);
    const busy = pinned.reduce((a, t) => a + t.acc[ACC_HOST], 0);
    expect(busy / 5e8).toBeGreaterThan(0.95);
    for (const t of pinned) expect(t.acc[ACC_HOST] / 5e8).toBeGreaterThan(0.3);
    for (const t of free) expect(t.acc[ACC_HOST] / 5e8).toBeGreaterThan(0.95);
  });

  it('carries lag, not vruntime, to the run queue a thread migrates to', () => {
    const { e, h, sched, hog, run } = host(2);
    const ts = [hog('a'), hog('b'), hog('c')];
    for (const t of ts) h.setAffinity(t, [0], 0);
    const far = [hog('x'), hog('y')];
    for (const t of far) h.setAffinity(t, [1], 0);
    // cpu1's virtual time runs at half speed (two threads) against cpu0's third.
    run(50_500_000);
    const [rq0, rq1] = [h.cpus[0].rq, h.cpus[1].rq];
    const moved = rq0.queue[rq0.queue.length - 1];
    sched.updateCurr(rq0, e.now);
    const lag0 = sched.avgVruntime(rq0) - moved.vruntime;
    expect(Math.abs(moved.vruntime - rq1.minVruntime)).toBeGreaterThan(5e6);
    h.setAffinity(moved, [1], e.now);
    expect(moved.cpu).toBe(1);
    expect(moved.vlag).toBe(lag0);
    expect(Math.abs(sched.avgVruntime(rq1) - moved.vruntime - lag0)).toBeLessThanOrEqual(2);
  });

  it('balances runnable threads across CPUs', () => {
    const { h, hog, run } = host(2);
    const ts = [hog('a'), hog('b'), hog('c'), hog('d')];
    for (const t of ts) h.setAffinity(t, [0], 0);
    run(1e7);
    for (const t of ts) h.setAffinity(t, [0, 1], 1e7);
    run(1e9);
    const per = [0, 1].map((c) => ts.filter((t) => t.cpu === c).length);
    expect(per).toEqual([2, 2]);
    for (const t of ts) expect(t.acc[ACC_HOST] / 1e9).toBeGreaterThan(0.45);
  });
});

describe('seed §3 under EEVDF: one guest with more vCPUs than pCPUs', () => {
  const SHORT = { duration: '500ms', sets: ['warmup=100ms', 'host.scheduler.kind=eevdf'] };
  let r16: Results;
  let r4: Results;
  beforeAll(() => {
    r16 = runScenario('overcommit-16on4.yaml', SHORT);
    r4 = runScenario('overcommit-16on4.yaml', { ...SHORT, sets: [...SHORT.sets, 'guests.db.smp=4'] });
  }, 900_000);

  it('runs with invariant checks and reports eevdf in the host line', () => {
    expect(r16.run.partial).toBe(false);
    expect(r16.host.scheduler.kind).toBe('eevdf');
    const hostLine = renderText(r16).split('\n').find((l) => l.startsWith('host:'));
    expect(hostLine).toMatch(/, eevdf \|/);
  });

  it('still gets clearly less done with 16 vCPUs than with 4', () => {
    const g16 = r16.guests[0];
    const g4 = r4.guests[0];
    expect(g16.throughput.per_second).toBeLessThan(0.5 * g4.throughput.per_second);
    expect(g16.steal_fraction).toBeGreaterThan(0.6);
    expect(g4.steal_fraction).toBeLessThan(0.05);
    expect(g16.latency.lock_wait.percentiles_ns.p50).toBeGreaterThan(20 * g4.latency.lock_wait.percentiles_ns.p50);
  });
});
