import { describe, expect, it } from 'vitest';
import { Engine, Prio, type Handler, type SimEvent } from '../../src/engine/engine.js';
import { deriveSeed, Streams } from '../../src/engine/rng.js';
import { cyclesToNs, nsToCycles } from '../../src/engine/time.js';

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

describe('time units', () => {
  it('converts cycles and ns at a frequency without overshooting', () => {
    expect(cyclesToNs(3000, 3e9)).toBe(1000);
    expect(nsToCycles(1000, 3e9)).toBe(3000);
    expect(nsToCycles(1, 2.2e9)).toBe(2);
  });
});
