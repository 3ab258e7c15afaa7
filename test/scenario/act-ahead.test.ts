import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, type Scenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { stableJson } from '../../src/util/files.js';
import { ROOT } from '../helpers.js';

// Acting ahead (Engine.advanceIfNext) does a step at once instead of as an
// event when nothing else is due first. It must change nothing but the
// number of events: the reference is the same run with every step an event.

function both(s: () => Scenario): { ahead: string; ref: string; aheadEvents: number; refEvents: number } {
  const strip = (actAhead: boolean) => {
    const { results } = runScenario(s(), { check: true, actAhead });
    const events = results.run.events;
    (results.run as { events?: number }).events = 0;
    return { json: stableJson(results), events };
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

  it('saves events where it applies: one pCPU, a spinner and a preempted lock holder', () => {
    const text = `duration: 100ms
warmup: 0s
report: { sample_interval: 50ms }
host: { cpus: 1, kvm: { ple: false } }
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
        hold: work 1000000000
        jmp hold
        spin: ld r2, [lock]
        beq r2, 0, got
        pause
        jmp spin
        got: count ops
        jmp spin
`;
    const r = both(() => parseScenario(text, 'spin.yaml'));
    expect(r.ahead).toBe(r.ref);
    // Each 1 ms host tick's handler ends at once instead of as an event.
    expect(r.refEvents - r.aheadEvents).toBeGreaterThan(50);
  });

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
