import { describe, expect, it } from 'vitest';
import { assemble, AsmError } from '../../src/cpu/assembler.js';
import { Core, CoreState, STOP_BUDGET, STOP_EXIT, STOP_FAULT, STOP_SYNC } from '../../src/cpu/core.js';
import { COST, OPS } from '../../src/cpu/isa.js';
import { readFileSync } from 'node:fs';

function core(src: string) {
  const p = assemble(src);
  const mem = new Float64Array(p.memWords);
  for (const { addr, value } of p.init) mem[addr] = value;
  return new Core(p, mem);
}

describe('assembler', () => {
  it('decodes labels, data and memory operands', () => {
    const p = assemble('.data a 3\n.data b 1 7\nstart: li r1, 2\n ld r2, [b+r1+1]\n jmp start');
    expect(p.count).toBe(3);
    expect(p.data.get('a')).toEqual({ addr: 0, words: 3 });
    expect(p.data.get('b')!.addr).toBe(8); // line-aligned
    expect(p.init).toEqual([{ addr: 8, value: 7 }]);
    expect(p.labels.get('start')).toBe(0);
  });

  it('reports the line and column of a bad operand, with a hint for typos', () => {
    try {
      assemble('li r1, 1\n  ad r1, r1, 1');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AsmError);
      const a = e as AsmError;
      expect([a.line, a.col]).toEqual([2, 3]);
      expect(a.hint).toBe('did you mean "add"?');
    }
    expect(() => assemble('li r16, 1')).toThrow(/register/);
    expect(() => assemble('jmp nowhere')).toThrow(/unknown label/);
    expect(() => assemble('add r1, r2')).toThrow(/takes 3 operand/);
  });

  it('documents every op in docs/isa.md', () => {
    const doc = readFileSync(new URL('../../docs/isa.md', import.meta.url), 'utf8');
    for (const m of Object.keys(OPS)) expect(doc).toContain(`\`${m}`);
  });
});

describe('core', () => {
  it('executes ALU ops and branches with their cycle costs', () => {
    const c = core('li r1, 5\nli r2, 0\nloop: add r2, r2, r1\nsub r1, r1, 1\nbne r1, 0, loop\nmul r3, r2, 2\nhlt');
    expect(c.run(1000)).toBe(STOP_EXIT);
    expect(c.regs[2]).toBe(15);
    expect(c.regs[3]).toBe(30);
    // 2 li + 5 x (add, sub, bne) + mul
    expect(c.cycles).toBe(2 + 15 + COST.mul);
    expect(c.instrs).toBe(2 + 15 + 1);
  });

  it('never overruns its budget and splits work exactly', () => {
    const c = core('work 1000\nli r1, 1\nhlt');
    expect(c.run(300)).toBe(STOP_BUDGET);
    expect(c.cycles).toBe(300);
    expect(c.run(300)).toBe(STOP_BUDGET);
    expect(c.run(1000)).toBe(STOP_EXIT);
    expect(c.cycles).toBe(400 + 1);
    expect(c.regs[1]).toBe(1);
  });

  it('stops before shared-memory ops and executes them on request', () => {
    const c = core('.data x 1 41\nli r1, 1\nxadd r1, [x]\nld r2, [x]\nhlt');
    expect(c.run(100)).toBe(STOP_SYNC);
    expect(c.execSync()).toBe(COST.atomic);
    expect(c.regs[1]).toBe(41);
    expect(c.mem[0]).toBe(42);
    expect(c.run(100)).toBe(STOP_SYNC);
    c.execSync();
    expect(c.regs[2]).toBe(42);
  });

  it('implements xchg and cmpxchg atomics', () => {
    const c = core('.data x 1 5\nli r1, 9\nxchg r1, [x]\nli r2, 9\nli r3, 11\ncmpxchg r2, [x], r3\nli r4, 0\ncmpxchg r4, [x], r3\nhlt');
    c.run(100); c.execSync();
    expect([c.regs[1], c.mem[0]]).toEqual([5, 9]);
    c.run(100); c.execSync();
    expect([c.regs[2], c.mem[0]]).toEqual([9, 11]);
    c.run(100); c.execSync();
    expect([c.regs[4], c.mem[0]]).toEqual([11, 11]); // compare failed: memory unchanged
  });

  it('replays a speculative run exactly from a saved state', () => {
    const c = core('li r1, 0\nloop: add r1, r1, 1\nwork 10\nbne r1, 1000, loop\nhlt');
    const s = new CoreState();
    c.save(s);
    c.run(5000);
    const after = c.regs[1];
    c.restore(s);
    c.run(2500);
    c.run(2500);
    expect(c.regs[1]).toBe(after);
  });

  it('faults cleanly: page fault, divide error, #UD without the feature, stack errors', () => {
    const pf = core('.data x 1\nli r1, 100000\nld r2, [x+r1]\nhlt');
    pf.run(100);
    expect(pf.execSync()).toBe(-1);
    expect(pf.fault).toMatch(/#PF/);
    const de = core('li r1, 0\nmod r2, r1, r1\nhlt');
    expect(de.run(100)).toBe(STOP_FAULT);
    expect(de.fault).toMatch(/#DE/);
    const ud = core('vwork 100\nhlt');
    ud.hasAvx2 = false;
    expect(ud.run(1000)).toBe(STOP_FAULT);
    expect(ud.fault).toMatch(/#UD/);
    const ss = core('ret');
    expect(ss.run(10)).toBe(STOP_FAULT);
    const off = core('nop');
    expect(off.run(10)).toBe(STOP_FAULT);
    expect(off.fault).toMatch(/ran off the end/);
  });

  it('stops at every exit op', () => {
    for (const op of ['hlt', 'in r1, 0x60', 'out 0x60, r1', 'cpuid', 'rdmsr r1, 16', 'wrmsr 16, r1', 'vmcall 5', 'ipi 1', 'ipiall', 'timer 1000']) {
      const c = core(`nop\n${op}\nnop`);
      expect(c.run(100), op).toBe(STOP_EXIT);
      expect(c.pc).toBe(1);
    }
  });

  it('enters the irq handler only when interrupts are unmasked', () => {
    const c = core('cli\nwork 10\nsti\nwork 10\nhlt\nirq: irqvec r5\niret');
    c.run(3);
    expect(c.interrupt(2)).toBe(false);
    c.run(12);
    expect(c.interrupt(2)).toBe(true);
    c.run(3);
    expect(c.regs[5]).toBe(2);
    expect(c.inIrq).toBe(0);
  });

  it('records probes with the cycle they fired at', () => {
    const c = core('work 10\ncount ops\nli r1, 77\nsample lat, r1\nhlt');
    c.run(100);
    expect(c.probes.n).toBe(2);
    expect(Array.from(c.probes.at.subarray(0, 2))).toEqual([10, 11]);
    expect(c.probes.value[1]).toBe(77);
  });
});

describe('interrupts in the middle of work', () => {
  it('resume the interrupted work where it stopped, not from the start', () => {
    const p = assemble('work 1000\ncount done\nhlt\nirq: work 50\niret');
    const c = new Core(p, new Float64Array(p.memWords));
    c.run(400);
    expect(c.interrupt(1)).toBe(true);
    c.run(10_000);
    // 400 before, 50 + 2 in the handler (work, iret), then the 600 left.
    expect(c.cycles).toBe(51 + 600);
    expect(c.probes.n).toBe(1);
  });
});

describe('finishWork', () => {
  it('completes the work op a run stopped in, as part of that run', () => {
    const p = assemble('work 1000\nli r1, 7\nhlt');
    const c = new Core(p, new Float64Array(p.memWords));
    const s = new CoreState();
    c.save(s);
    expect(c.run(300)).toBe(STOP_BUDGET);
    expect(c.finishWork(s)).toBe(700);
    expect([c.pc, c.workLeft, c.cycles, c.instrs]).toEqual([1, 0, 1000, 1]);
    // The next run goes on after the op, as one that had run it whole.
    expect(c.run(100)).toBe(STOP_EXIT);
    expect(c.regs[1]).toBe(7);
  });

  it('leaves any other run alone: one that ran past the op, or ended in another', () => {
    const p = assemble('loop: work 1000\njmp loop');
    const c = new Core(p, new Float64Array(p.memWords));
    const s = new CoreState();
    c.save(s);
    c.run(1500); // the first op whole, the jump, half of the next
    expect(c.finishWork(s)).toBe(0);
    expect([c.pc, c.workLeft]).toEqual([0, 501]);
  });
});
