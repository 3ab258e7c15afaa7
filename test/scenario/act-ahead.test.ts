import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, type Scenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import type { Simulation } from '../../src/sim/build.js';
import type { CoreState } from '../../src/cpu/core.js';
import { stableJson } from '../../src/util/files.js';
import { ROOT } from '../helpers.js';

// Acting ahead (Engine.advanceIfNext) does a step at once instead of as an
// event when nothing else is due first. It must change nothing but the
// number of events: the reference is the same run with every step an event.
// Reports and the model's end state are compared.

/**
 * The model's state at the end of a run, beyond what reports show: each
 * vCPU's core and saved stretch state, its counters, each thread's
 * accounting and scheduler fields, each CPU's time buckets.
 */
function fingerprint(sim: Simulation): string {
  const core = (c: CoreState) => ({ pc: c.pc, regs: [...c.regs], workLeft: c.workLeft, instrs: c.instrs, sinceSync: c.sinceSync, pauses: c.pauses, debt: c.debt, guestCycles: c.guestCycles, pleRun: c.pleRun, lastPauseEnd: c.lastPauseEnd, ifl: c.ifl, inIrq: c.inIrq, sp: c.sp });
  const vcpus = sim.guests.flatMap((g) =>
    g.onlineVcpus().map((v) => {
      const x = v as unknown as { snap: CoreState; segStart: number; phase: number; spinStart: number; pleWindow: number };
      return { core: core(v.core), snap: core(x.snap), segStart: x.segStart, phase: x.phase, spinStart: x.spinStart, pleWindow: x.pleWindow, stats: { ...v.stats, exits: [...v.stats.exits] } };
    }),
  );
  const threads = sim.host.threads.map((t) => ({ acc: [...t.acc], accState: t.accState, accSince: t.accSince, vruntime: t.vruntime, sumExec: t.sumExec, runDelayNs: t.runDelayNs }));
  const cpus = sim.host.cpus.map((c) => ({ acc: [...c.acc], accState: c.accState, nextBalance: c.nextBalance }));
  return JSON.stringify({ vcpus, threads, cpus });
}

function both(s: () => Scenario): { ahead: string; ref: string; aheadEvents: number; refEvents: number } {
  const strip = (actAhead: boolean) => {
    const { results, sim } = runScenario(s(), { check: true, actAhead });
    const events = results.run.events;
    (results.run as { events?: number }).events = 0;
    return { json: stableJson(results) + fingerprint(sim), events };
  };
  const a = strip(true);
  const r = strip(false);
  return { ahead: a.json, ref: r.json, aheadEvents: a.events, refEvents: r.events };
}

const files = readdirSync(`${ROOT}scenarios`).filter((f) => f.endsWith('.yaml')).sort();

describe('acting ahead changes nothing but the event count', () => {
  for (const f of files) {
    it(f, () => {
      const r = both(() => loadScenario(`${ROOT}scenarios/${f}`, { duration: '60ms', sets: ['warmup=10ms'] }));
      expect(r.ahead).toBe(r.ref);
      expect(r.aheadEvents).toBeLessThanOrEqual(r.refEvents);
    });
  }

  // One pCPU, a spinner and a preempted lock holder: nothing else happens,
  // so host ticks are taken in place, many at once (quietTicks, takeTicks).
  type Case = { slice?: string; warmup: string; ple: boolean; scheduler: 'cfs' | 'eevdf'; hold?: number };
  const tunables = (o: Case) => (!o.slice ? '' : o.scheduler === 'eevdf' ? `, base_slice: ${o.slice}` : `, latency: ${o.slice}, min_granularity: ${o.slice}`);
  const spin = (o: Case) => `duration: ${o.hold ? '400ms' : '120ms'}
warmup: ${o.warmup}
report: { sample_interval: 50ms }
host: { cpus: 1, scheduler: { kind: ${o.scheduler}${tunables(o)} }, kvm: { ple: ${o.ple} } }
guests:
  - name: g
    smp: 2
    workload:
      kind: program
      source: |
        .data lock 1
        vcpu r5
        bne r5, 0, spin
        li r1, 1
        xchg r1, [lock]
        hold: work ${o.hold ?? 1_000_000_000}
        count held
        jmp hold
        spin: ld r2, [lock]
        beq r2, 0, got
        pause
        jmp spin
        got: count ops
        jmp spin
`;
  const cases: Case[] = [
    { warmup: '0s', ple: false, scheduler: 'cfs', slice: '20ms' },
    { warmup: '0s', ple: false, scheduler: 'cfs' },
    { warmup: '0s', ple: true, scheduler: 'cfs', slice: '20ms' },
    { warmup: '0s', ple: false, scheduler: 'eevdf', slice: '20ms' },
    // Warm-up ends inside a run of ticks taken at once: accounted tick by tick.
    { warmup: '13500us', ple: false, scheduler: 'cfs', slice: '20ms' },
    { warmup: '7ms', ple: true, scheduler: 'eevdf', slice: '10ms' },
    // Work ops of 18 to 53 ms: near each op's end (the last chunk) ticks are
    // not taken in place, and the op's end event was set before them.
    ...[55_000_000, 60_000_000, 75_000_000, 100_000_000, 160_000_000].map((hold) => ({ warmup: '0s', ple: false, scheduler: 'cfs' as const, slice: '20ms', hold })),
  ];
  for (const o of cases) {
    it(`saves events where it applies: one pCPU, a spinner and a preempted holder (${JSON.stringify(o)})`, () => {
      const r = both(() => parseScenario(spin(o), 'spin.yaml'));
      expect(r.ahead).toBe(r.ref);
      // Most 1 ms host ticks are taken in place, without an event.
      expect(r.refEvents - r.aheadEvents).toBeGreaterThan(o.ple ? 50 : 150);
    });
  }

  for (const at of ['13ms', '47ms']) {
    it(`a stretch whose end moved while ticks were taken in place ends when it should (nohz_full, the other thread moved away at ${at})`, () => {
      // g takes ticks in place while h waits on CPU 0, so g's stretch-end
      // event comes early. Once taskset moves h away the tick stops
      // (nohz_full) and that event fires, to be re-aimed at the real end.
      const text = `duration: 300ms
warmup: 0s
report: { sample_interval: 50ms }
host:
  cpus: 2
  kthreads: false
  nohz_full: "0"
  scheduler: { latency: 20ms, min_granularity: 20ms }
guests:
  - name: g
    smp: 1
    pin: ["0"]
    workload:
      kind: program
      source: |
        hold: work 160000000
        rdtsc r3
        sample held, r3
        count ops
        jmp hold
  - { name: h, smp: 1, pin: ["0"], workload: { kind: cpu } }
timeline:
  - { at: ${at}, host: taskset -pc 1 h/vcpu0 }
`;
      const r = both(() => parseScenario(text, 'nohz.yaml'));
      expect(r.ahead).toBe(r.ref);
      expect(r.refEvents - r.aheadEvents).toBeGreaterThan(5);
    });
  }

  it('on random valid scenarios', () => {
    const workload = fc.oneof(
      fc.record({ kind: fc.constant('spinlock'), lock: fc.constantFrom('ticket', 'tas', 'queued', 'pv') }),
      fc.record({ kind: fc.constant('request'), rate: fc.constantFrom('500/s', '5k/s'), service: fc.constantFrom('20us', '200us') }),
      fc.record({ kind: fc.constant('barrier'), phase: fc.constantFrom('10us', '50us') }),
      fc.record({ kind: fc.constant('io') }),
      fc.record({ kind: fc.constant('cpu'), tick_hz: fc.constantFrom(0, 250, 1000) }),
      fc.record({ kind: fc.constant('tlb') }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), workload, fc.boolean()), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('cfs', 'eevdf', 'cosched-relaxed'),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        (cpus, guests, scheduler, ple, seed) => {
          const text = `seed: ${seed}
duration: 15ms
warmup: 2ms
host: { cpus: ${cpus}, scheduler: { kind: ${scheduler} }, kvm: { ple: ${ple} } }
guests:
${guests.map(([n, w, pin], i) => `  - name: g${i}\n    smp: ${n}\n${pin ? `    pin: ["${i % cpus}"]\n` : ''}    workload: ${JSON.stringify(w)}`).join('\n')}
`;
          const r = both(() => parseScenario(text, 'p.yaml'));
          expect(r.ahead).toBe(r.ref);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });
});
