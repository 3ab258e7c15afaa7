import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, AsmError } from '../../src/cpu/assembler.js';
import { Core, STOP_BUDGET, STOP_EXIT, STOP_FAULT, STOP_PLE, STOP_SYNC } from '../../src/cpu/core.js';
import { OPS } from '../../src/cpu/isa.js';
import { InputError } from '../../src/util/errors.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';

// `npm test` runs a bounded number of cases; `npm run fuzz` sets FUZZ_RUNS higher.
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const opts = { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 42) };

const onlyInputErrors = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
  }
};

const VALID = `host: { cpus: 2 }
guests:
  - name: vm
    smp: 2
    workload: { kind: spinlock }
`;

describe('the scenario loader never crashes', () => {
  it('on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => onlyInputErrors(() => parseScenario(s, 'f.yaml'))),
      opts,
    );
  });

  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => onlyInputErrors(() => parseScenario(Buffer.from(b).toString('latin1'), 'f.yaml'))),
      opts,
    );
  });

  it('on random edits of a valid scenario', () => {
    fc.assert(
      fc.property(fc.nat(VALID.length), fc.nat(VALID.length), fc.string({ maxLength: 12 }), (a, b, ins) => {
        const [i, j] = a < b ? [a, b] : [b, a];
        onlyInputErrors(() => parseScenario(VALID.slice(0, i) + ins + VALID.slice(j), 'f.yaml'));
      }),
      opts,
    );
  });

  it('on random YAML values in every field', () => {
    const value = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
    const paths = ['seed', 'duration', 'warmup', 'host.cpus', 'host.freq', 'host.isolcpus', 'host.kvm.ple', 'host.kvm.halt_poll', 'guests.0.smp', 'guests.0.count', 'guests.0.cpu', 'guests.0.pin', 'guests.0.workload.kind', 'guests.0.workload.critical', 'timeline'];
    fc.assert(
      fc.property(fc.constantFrom(...paths), value, (path, v) => onlyInputErrors(() => parseScenario(VALID, 'f.yaml', { sets: [`${path}=${JSON.stringify(v)}`] }))),
      opts,
    );
  });
});

const REG = fc.integer({ min: 0, max: 15 }).map((r) => `r${r}`);
const IMM = fc.integer({ min: -5, max: 2000 }).map(String);
const operand = (k: string) =>
  k === 'r' ? REG : k === 'i' ? IMM : k === 'ri' ? fc.oneof(REG, IMM) : k === 'm' ? fc.tuple(REG, fc.integer({ min: 0, max: 8 })).map(([r, o]) => `[d+${r}+${o}]`) : k === 'l' ? fc.constantFrom('top', 'mid', 'irq') : fc.constantFrom('ops', 'lat');

const instruction = fc.constantFrom(...Object.values(OPS).filter((o) => o.mnemonic !== 'sample' && o.mnemonic !== 'count')).chain((o) => fc.tuple(...o.operands.map(operand)).map((args) => `${o.mnemonic} ${args.join(', ')}`));

describe('the core never crashes', () => {
  it('random instruction sequences only stop for a reason or fault cleanly', () => {
    fc.assert(
      fc.property(fc.array(instruction, { minLength: 1, maxLength: 30 }), fc.array(instruction, { maxLength: 10 }), (a, b) => {
        const src = `.data d 16\ntop: ${a.join('\n')}\nmid: nop\n${b.join('\n')}\nirq: iret`;
        let p;
        try {
          p = assemble(src);
        } catch (e) {
          if (e instanceof AsmError) return;
          throw e;
        }
        const c = new Core(p, new Float64Array(p.memWords));
        c.pleWindow = 4096;
        for (let step = 0; step < 50; step++) {
          const why = c.run(10_000);
          expect([STOP_BUDGET, STOP_SYNC, STOP_EXIT, STOP_FAULT, STOP_PLE]).toContain(why);
          if (why === STOP_FAULT) {
            expect(c.fault).toBeTruthy();
            return;
          }
          if (why === STOP_SYNC && c.execSync() < 0) return;
          if (why === STOP_EXIT) c.pc++;
          expect(c.cycles).toBeLessThanOrEqual(10_000);
        }
      }),
      opts,
    );
  });

  it('random text never crashes the assembler', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          assemble(s);
        } catch (e) {
          if (!(e instanceof AsmError)) throw e;
        }
      }),
      opts,
    );
  });
});

describe('random valid scenarios keep the invariants', () => {
  const workload = fc.oneof(
    fc.record({ kind: fc.constant('spinlock'), lock: fc.constantFrom('ticket', 'tas', 'queued'), critical: fc.constantFrom('1us', '5us'), noncritical: fc.constantFrom('5us', '30us') }),
    fc.record({ kind: fc.constant('request'), rate: fc.constantFrom('500/s', '5k/s'), service: fc.constantFrom('20us', '200us') }),
    fc.record({ kind: fc.constant('barrier'), phase: fc.constantFrom('10us', '50us') }),
    fc.record({ kind: fc.constant('io') }),
    fc.record({ kind: fc.constant('cpu'), tick_hz: fc.constantFrom(0, 250, 1000) }),
    fc.record({ kind: fc.constant('tlb') }),
  );
  it('time never goes backwards, threads are on one CPU at most, state times add up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), workload, fc.boolean()), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        (cpus, guests, ple, seed) => {
          const text = `seed: ${seed}
duration: 20ms
warmup: 5ms
host: { cpus: ${cpus}, kvm: { ple: ${ple} } }
guests:
${guests.map(([n, w, pin], i) => `  - name: g${i}\n    smp: ${n}\n${pin ? `    pin: ["${i % cpus}"]\n` : ''}    workload: ${JSON.stringify(w)}`).join('\n')}
`;
          const { results } = runScenario(parseScenario(text, 'p.yaml'), { check: true });
          expect(results.run.partial).toBe(false);
          for (const g of results.guests) {
            for (const v of Object.values(g.counters)) expect(v).toBeGreaterThanOrEqual(0);
            if (g.workload === 'request') expect(g.counters.issued).toBe((g.counters.completed ?? 0) + (g.counters.dropped ?? 0) + (g.counters.in_flight ?? 0) - inFlightAtWarmup(g));
          }
        },
      ),
      { ...opts, numRuns: Math.max(5, Math.floor(RUNS / 6)) },
    );
  });
});

/** Requests issued before warm-up and completed after it are counted as completed but not as issued. */
function inFlightAtWarmup(g: { counters: Record<string, number> }): number {
  return (g.counters.completed ?? 0) + (g.counters.dropped ?? 0) + (g.counters.in_flight ?? 0) - (g.counters.issued ?? 0);
}
