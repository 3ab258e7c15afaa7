import * as I from './isa.js';
import { COST, SCALAR_FALLBACK_FACTOR } from './isa.js';
import { STRIDE, type Program } from './assembler.js';
import type { Cycles } from '../engine/time.js';

// The opcodes as constants of this module: V8 compiles `run`'s switch on
// them to a jump table, which it does not for imported bindings (core-alu
// measured 2.2x faster).
const { OP_NOP, OP_LI, OP_MOV, OP_ADD, OP_ADD_I, OP_SUB, OP_SUB_I, OP_MUL, OP_MUL_I, OP_AND, OP_AND_I, OP_OR, OP_OR_I,
  OP_XOR, OP_XOR_I, OP_SHL, OP_SHL_I, OP_SHR, OP_SHR_I, OP_MOD, OP_MOD_I, OP_JMP, OP_BEQ, OP_BEQ_I, OP_BNE, OP_BNE_I,
  OP_BLT, OP_BLT_I, OP_BGE, OP_BGE_I, OP_CALL, OP_RET, OP_WORK, OP_WORK_I, OP_PAUSE, OP_RDTSC, OP_VCPU, OP_CLI,
  OP_STI, OP_IRET, OP_IRQVEC, OP_LD, OP_ST, OP_XCHG, OP_CMPXCHG, OP_XADD, OP_HLT, OP_IN, OP_OUT, OP_CPUID, OP_RDMSR,
  OP_WRMSR, OP_VMCALL, OP_IPI, OP_IPI_I, OP_IPIALL, OP_TIMER, OP_TIMER_I, OP_COUNT, OP_SAMPLE, OP_VWORK_I, OP_VWORK,
  OP_RDTSCP, OP_NVCPU, OP_DIV, OP_DIV_I, OP_END } = I;

/** `work` or `vwork`, with a register or an immediate count. */
export function isWorkOp(op: number): boolean {
  return op === OP_WORK || op === OP_WORK_I || op === OP_VWORK || op === OP_VWORK_I;
}

/** Why `run` returned. The op at `pc` has not executed yet unless said otherwise. */
export const STOP_BUDGET = 0;
/** A `sync` op (shared memory) waits at `pc` for its simulated instant. */
export const STOP_SYNC = 1;
/** An `exit` op waits at `pc` to be handled by KVM/QEMU. */
export const STOP_EXIT = 2;
/** A fault was raised (see `fault`); the vCPU cannot continue. */
export const STOP_FAULT = 3;
/** Pause-loop exiting: PAUSEs came within ple_gap of each other for ple_window cycles (the PAUSE at pc-1 executed). */
export const STOP_PLE = 4;
/** Why `run` returned: the STOP_ constants. */
export type Stop = typeof STOP_BUDGET | typeof STOP_SYNC | typeof STOP_EXIT | typeof STOP_FAULT | typeof STOP_PLE;

const MAX_STACK = 64;
/** Optimistic loads per stretch; the next one waits for a sync. */
const SPEC_MAX = 8;

/** Probe effects of a run, kept until the run commits (runs past a preemption are replayed). */
export class ProbeLog {
  id = new Int32Array(64);
  value = new Float64Array(64);
  /** Cycles into the run when the probe fired. */
  at = new Float64Array(64);
  n = 0;
  push(id: number, value: number, at: number): void {
    if (this.n === this.id.length) {
      const grow = (a: any, C: any) => {
        const b = new C(a.length * 2);
        b.set(a);
        return b;
      };
      this.id = grow(this.id, Int32Array);
      this.value = grow(this.value, Float64Array);
      this.at = grow(this.at, Float64Array);
    }
    this.id[this.n] = id;
    this.value[this.n] = value;
    this.at[this.n] = at;
    this.n++;
  }
}

/** Everything `run` changes, so a speculative run can be undone and replayed. */
export class CoreState {
  pc = 0;
  regs = new Float64Array(16);
  workLeft = 0;
  ifl = 1;
  inIrq = 0;
  irqRet = 0;
  irqVec = 0;
  /** Cycles left of the op the interrupt came in the middle of (restored by iret). */
  irqWorkLeft = 0;
  stack = new Int32Array(MAX_STACK);
  sp = 0;
  instrs = 0;
  sinceSync = 0;
  pauses = 0;
  probed = 0;
  /** Cycles owed by the last sync op, charged at the start of the next run. */
  debt = 0;
  /** Cycles run since the vCPU entered guest mode (for PLE's gap and window). */
  guestCycles = 0;
  /** pc of the load the last sync op executed (-1: none): it counts as already run in the next stretch. */
  syncedLoadPc = -1;
  /** guestCycles when the last PAUSE retired, and the length of the current PAUSE loop. */
  lastPauseEnd = -Infinity;
  pleRun = 0;
}

/**
 * The guest execution core: an interpreter of the ISA in `isa.ts`. Its
 * contract is `run(budget) → why it stopped` (TinyEMU's shape): it executes
 * local ops for at most `budget` cycles and stops before any op that must be
 * placed in simulated time (shared-memory access, VM exit).
 */
export class Core extends CoreState {
  readonly code: Int32Array;
  /** Cycles consumed by the current `run`. */
  cycles = 0;
  /** TSC value at cycle 0 of the current run (set by the caller). */
  tsc0 = 0;
  fault: string | null = null;
  readonly probes = new ProbeLog();
  /** Guest CPU number and online count, as `vcpu` / `nvcpu` read them. */
  cpuNo = 0;
  online = 1;
  /** VMX pause-loop exiting: 0 disables; else the window in cycles, and the gap. */
  pleWindow = 0;
  pleGap = 128;
  /** Guest memory words this vCPU may load without a sync point (it watches them); unused slots are -1. */
  readonly localAddrs = new Float64Array([-1, -1, -1, -1]);
  nLocal = 0;
  /**
   * Optimistic loads (see `attachLines`): the first load at each pc in a
   * stretch reads memory directly and is logged here; the caller watches the
   * logged words and rolls the stretch back if anyone stores to one before
   * the stretch's end. A load at a pc already run in the stretch (a loop) is a
   * sync op, so loops still stop once per iteration and can be parked.
   */
  optimistic = false;
  readonly specAddr = new Float64Array(SPEC_MAX);
  /** Cache-line seen-versions the logged loads replaced, to undo them on replay. */
  private readonly specLine = new Int32Array(SPEC_MAX);
  private readonly specOld = new Int32Array(SPEC_MAX);
  nSpec = 0;
  private seenAt: Int32Array;
  private stamp = 0;
  private lineWriter: Int32Array = new Int32Array(0);
  private lineVer: Int32Array = new Int32Array(0);
  private seenVer: Int32Array = new Int32Array(0);
  private self = -1;
  /** CPUID features of the guest's CPU model, as a fast lookup. */
  hasAvx2 = true;
  hasRdtscp = true;

  constructor(readonly program: Program, readonly mem: Float64Array) {
    super();
    this.code = program.code;
    this.seenAt = new Int32Array(program.count + 1);
  }

  /**
   * Turn on optimistic loads, charging a cache-line transfer as a synced load
   * would: when the line was last written by another writer since this core
   * last saw it.
   */
  attachLines(lineWriter: Int32Array, lineVer: Int32Array, seenVer: Int32Array, self: number): void {
    this.lineWriter = lineWriter;
    this.lineVer = lineVer;
    this.seenVer = seenVer;
    this.self = self;
    this.optimistic = true;
  }

  /** Undo the cache-line bookkeeping of the last run's optimistic loads (before replaying it). */
  undoSpec(): void {
    for (let k = this.nSpec - 1; k >= 0; k--) this.seenVer[this.specLine[k]] = this.specOld[k];
    this.nSpec = 0;
  }

  save(s: CoreState): void {
    s.pc = this.pc;
    s.regs.set(this.regs);
    s.workLeft = this.workLeft;
    s.ifl = this.ifl;
    s.inIrq = this.inIrq;
    s.irqRet = this.irqRet;
    s.irqVec = this.irqVec;
    s.irqWorkLeft = this.irqWorkLeft;
    if (this.sp) s.stack.set(this.stack.subarray(0, this.sp));
    s.sp = this.sp;
    s.instrs = this.instrs;
    s.sinceSync = this.sinceSync;
    s.pauses = this.pauses;
    s.probed = this.probed;
    s.debt = this.debt;
    s.guestCycles = this.guestCycles;
    s.lastPauseEnd = this.lastPauseEnd;
    s.pleRun = this.pleRun;
    s.syncedLoadPc = this.syncedLoadPc;
  }

  restore(s: CoreState): void {
    this.pc = s.pc;
    this.regs.set(s.regs);
    this.workLeft = s.workLeft;
    this.ifl = s.ifl;
    this.inIrq = s.inIrq;
    this.irqRet = s.irqRet;
    this.irqVec = s.irqVec;
    this.irqWorkLeft = s.irqWorkLeft;
    if (s.sp) this.stack.set(s.stack.subarray(0, s.sp));
    this.sp = s.sp;
    this.instrs = s.instrs;
    this.sinceSync = s.sinceSync;
    this.pauses = s.pauses;
    this.probed = s.probed;
    this.debt = s.debt;
    this.guestCycles = s.guestCycles;
    this.lastPauseEnd = s.lastPauseEnd;
    this.pleRun = s.pleRun;
    this.syncedLoadPc = s.syncedLoadPc;
  }

  /**
   * True when the two states would execute identically from here on.
   * `deadReg` is a register about to be overwritten (a pending load's
   * destination): its current value cannot matter.
   */
  sameAs(s: CoreState, deadReg = -1): boolean {
    if (this.pc !== s.pc || this.sp !== s.sp || this.ifl !== s.ifl || this.inIrq !== s.inIrq || this.workLeft !== s.workLeft) return false;
    const r = this.regs;
    const q = s.regs;
    for (let k = 0; k < 16; k++) if (r[k] !== q[k] && k !== deadReg) return false;
    return true;
  }

  /** Destination register of the pending load at pc. */
  loadDest(): number {
    return this.code[this.pc * STRIDE + 1];
  }

  /** Enter the interrupt handler if the program has one and interrupts are unmasked. */
  interrupt(vec: number): boolean {
    if (!this.ifl || this.inIrq || this.program.irqEntry < 0) return false;
    this.inIrq = 1;
    this.ifl = 0;
    this.irqRet = this.pc;
    this.irqVec = vec;
    this.irqWorkLeft = this.workLeft;
    this.workLeft = 0;
    this.pc = this.program.irqEntry;
    return true;
  }

  private raise(msg: string, pc: number): Stop {
    this.pc = pc;
    this.fault = `${msg} at line ${this.program.lines[pc]} (pc ${pc})`;
    return STOP_FAULT;
  }

  /**
   * Execute local ops for at most `budget` cycles. An op never overruns the
   * budget: it waits for the next run instead (`work` splits exactly).
   */
  run(budget: Cycles): Stop {
    const code = this.code;
    const r = this.regs;
    const n = this.program.count;
    let pc = this.pc;
    let cyc = 0;
    if (this.debt > 0) {
      cyc = Math.min(this.debt, budget);
      this.debt -= cyc;
    }
    let instrs = this.instrs;
    let since = this.sinceSync;
    let stop: Stop = STOP_BUDGET;
    const stamp = ++this.stamp;
    this.nSpec = 0;
    if (this.syncedLoadPc >= 0) this.seenAt[this.syncedLoadPc] = stamp;
    loop: for (;;) {
      if (cyc >= budget) break;
      const o = pc * STRIDE;
      switch (code[o]) {
        case OP_NOP: pc++; cyc += 1; break;
        case OP_LI: r[code[o + 1]] = code[o + 3]; pc++; cyc += 1; break;
        case OP_MOV: r[code[o + 1]] = r[code[o + 2]]; pc++; cyc += 1; break;
        case OP_ADD: r[code[o + 1]] = r[code[o + 2]] + r[code[o + 3]]; pc++; cyc += 1; break;
        case OP_ADD_I: r[code[o + 1]] = r[code[o + 2]] + code[o + 3]; pc++; cyc += 1; break;
        case OP_SUB: r[code[o + 1]] = r[code[o + 2]] - r[code[o + 3]]; pc++; cyc += 1; break;
        case OP_SUB_I: r[code[o + 1]] = r[code[o + 2]] - code[o + 3]; pc++; cyc += 1; break;
        case OP_MUL:
        case OP_MUL_I:
          // Multi-cycle ops wait for the next run rather than overrun the budget.
          if (cyc + COST.mul > budget) { cyc = budget; instrs--; break; }
          r[code[o + 1]] = r[code[o + 2]] * (code[o] === OP_MUL ? r[code[o + 3]] : code[o + 3]);
          pc++;
          cyc += COST.mul;
          break;
        case OP_MOD:
        case OP_MOD_I: {
          if (cyc + COST.mod > budget) { cyc = budget; instrs--; break; }
          const d = code[o] === OP_MOD ? r[code[o + 3]] : code[o + 3];
          if (d === 0) { stop = this.raise('#DE divide error (mod by zero)', pc); break loop; }
          r[code[o + 1]] = r[code[o + 2]] % d;
          pc++;
          cyc += COST.mod;
          break;
        }
        case OP_DIV:
        case OP_DIV_I: {
          if (cyc + COST.mod > budget) { cyc = budget; instrs--; break; }
          const d = code[o] === OP_DIV ? r[code[o + 3]] : code[o + 3];
          if (d === 0) { stop = this.raise('#DE divide error (division by zero)', pc); break loop; }
          r[code[o + 1]] = Math.floor(r[code[o + 2]] / d);
          pc++;
          cyc += COST.mod;
          break;
        }
        case OP_AND: r[code[o + 1]] = r[code[o + 2]] & r[code[o + 3]]; pc++; cyc += 1; break;
        case OP_AND_I: r[code[o + 1]] = r[code[o + 2]] & code[o + 3]; pc++; cyc += 1; break;
        case OP_OR: r[code[o + 1]] = r[code[o + 2]] | r[code[o + 3]]; pc++; cyc += 1; break;
        case OP_OR_I: r[code[o + 1]] = r[code[o + 2]] | code[o + 3]; pc++; cyc += 1; break;
        case OP_XOR: r[code[o + 1]] = r[code[o + 2]] ^ r[code[o + 3]]; pc++; cyc += 1; break;
        case OP_XOR_I: r[code[o + 1]] = r[code[o + 2]] ^ code[o + 3]; pc++; cyc += 1; break;
        case OP_SHL: r[code[o + 1]] = r[code[o + 2]] << r[code[o + 3]]; pc++; cyc += 1; break;
        case OP_SHL_I: r[code[o + 1]] = r[code[o + 2]] << code[o + 3]; pc++; cyc += 1; break;
        case OP_SHR: r[code[o + 1]] = r[code[o + 2]] >>> r[code[o + 3]]; pc++; cyc += 1; break;
        case OP_SHR_I: r[code[o + 1]] = r[code[o + 2]] >>> code[o + 3]; pc++; cyc += 1; break;
        case OP_JMP: pc = code[o + 3]; cyc += 1; break;
        case OP_BEQ: pc = r[code[o + 1]] === r[code[o + 2]] ? code[o + 3] : pc + 1; cyc += 1; break;
        case OP_BEQ_I: pc = r[code[o + 1]] === code[o + 2] ? code[o + 3] : pc + 1; cyc += 1; break;
        case OP_BNE: pc = r[code[o + 1]] !== r[code[o + 2]] ? code[o + 3] : pc + 1; cyc += 1; break;
        case OP_BNE_I: pc = r[code[o + 1]] !== code[o + 2] ? code[o + 3] : pc + 1; cyc += 1; break;
        case OP_BLT: pc = r[code[o + 1]] < r[code[o + 2]] ? code[o + 3] : pc + 1; cyc += 1; break;
        case OP_BLT_I: pc = r[code[o + 1]] < code[o + 2] ? code[o + 3] : pc + 1; cyc += 1; break;
        case OP_BGE: pc = r[code[o + 1]] >= r[code[o + 2]] ? code[o + 3] : pc + 1; cyc += 1; break;
        case OP_BGE_I: pc = r[code[o + 1]] >= code[o + 2] ? code[o + 3] : pc + 1; cyc += 1; break;
        case OP_CALL:
          if (this.sp >= MAX_STACK) { stop = this.raise('#SS stack overflow (call deeper than 64)', pc); break loop; }
          this.stack[this.sp++] = pc + 1;
          pc = code[o + 3];
          cyc += 1;
          break;
        case OP_RET:
          if (this.sp === 0) { stop = this.raise('#SS ret with an empty call stack', pc); break loop; }
          pc = this.stack[--this.sp];
          cyc += 1;
          break;
        case OP_WORK:
        case OP_WORK_I:
        case OP_VWORK:
        case OP_VWORK_I: {
          const op = code[o];
          const vec = op === OP_VWORK || op === OP_VWORK_I;
          if (vec && !this.hasAvx2) { stop = this.raise('#UD invalid opcode (vwork needs avx2)', pc); break loop; }
          let left = this.workLeft;
          if (left === 0) {
            left = op === OP_WORK || op === OP_VWORK ? r[code[o + 1]] : code[o + 3];
            if (!(left >= 0)) { stop = this.raise('#GP work with a negative cycle count', pc); break loop; }
            left = Math.round(left);
            if (left === 0) { pc++; break; }
          }
          const room = budget - cyc;
          if (left <= room) {
            cyc += left;
            this.workLeft = 0;
            pc++;
          } else {
            cyc = budget;
            this.workLeft = left - room;
          }
          break;
        }
        case OP_PAUSE: {
          if (cyc + COST.pause > budget) { cyc = budget; instrs--; break; }
          this.pauses++;
          pc++;
          // PLE counts a loop while PAUSEs come within ple_gap cycles of each
          // other (measured between PAUSEs, as KVM's ple_gap describes).
          const at = this.guestCycles + cyc;
          this.pleRun = at - this.lastPauseEnd <= this.pleGap ? this.pleRun + (at - this.lastPauseEnd) + COST.pause : COST.pause;
          cyc += COST.pause;
          this.lastPauseEnd = at + COST.pause;
          if (this.pleWindow > 0 && this.pleRun >= this.pleWindow) {
            this.pleRun = 0;
            stop = STOP_PLE;
            instrs++;
            break loop;
          }
          break;
        }
        case OP_RDTSC:
          if (cyc + COST.rdtsc > budget) { cyc = budget; break; }
          cyc += COST.rdtsc;
          r[code[o + 1]] = this.tsc0 + cyc;
          pc++;
          break;
        case OP_RDTSCP:
          if (!this.hasRdtscp) { stop = this.raise('#UD invalid opcode (rdtscp needs the rdtscp feature)', pc); break loop; }
          if (cyc + COST.rdtsc + 7 > budget) { cyc = budget; break; }
          cyc += COST.rdtsc + 7;
          r[code[o + 1]] = this.tsc0 + cyc;
          pc++;
          break;
        case OP_VCPU: r[code[o + 1]] = this.cpuNo; pc++; cyc += 1; break;
        case OP_NVCPU: r[code[o + 1]] = this.online; pc++; cyc += 1; break;
        case OP_CLI: this.ifl = 0; pc++; cyc += 1; break;
        case OP_STI: this.ifl = 1; pc++; cyc += 1; break;
        case OP_IRET:
          if (!this.inIrq) { stop = this.raise('#GP iret outside an interrupt handler', pc); break loop; }
          this.inIrq = 0;
          this.ifl = 1;
          pc = this.irqRet;
          this.workLeft = this.irqWorkLeft;
          this.irqWorkLeft = 0;
          cyc += 1;
          break;
        case OP_IRQVEC: r[code[o + 1]] = this.irqVec; pc++; cyc += 1; break;
        case OP_COUNT:
          this.probes.push(code[o + 3], 1, cyc);
          this.probed = 1;
          pc++;
          break;
        case OP_SAMPLE:
          this.probes.push(code[o + 3], r[code[o + 1]], cyc);
          this.probed = 1;
          pc++;
          break;
        case OP_LD: {
          const b = code[o + 2];
          const d = code[o + 4];
          const addr = (b >= 0 ? r[b] : 0) + code[o + 3] + (d >= 0 ? r[d] : 0);
          // A load of the word the vCPU watches runs locally: a store to it by
          // anyone rolls this stretch back to the store's instant (see Vcpu).
          if (this.nLocal > 0) {
            const L = this.localAddrs;
            if (addr === L[0] || (this.nLocal > 1 && (addr === L[1] || addr === L[2] || addr === L[3]))) {
              if (cyc + COST.load > budget) { cyc = budget; instrs--; break; }
              r[code[o + 1]] = this.mem[addr];
              pc++;
              cyc += COST.load;
              break;
            }
          }
          if (this.optimistic && this.seenAt[pc] !== stamp && this.nSpec < SPEC_MAX && addr >= 0 && addr < this.mem.length && addr === Math.floor(addr)) {
            const line = addr >> 3;
            const w = this.lineWriter[line];
            const seen = this.seenVer[line];
            const cost = w !== -1 && w !== this.self && seen !== this.lineVer[line] ? COST.load + COST.lineTransfer : COST.load;
            if (cyc + cost > budget) { cyc = budget; instrs--; break; }
            this.seenAt[pc] = stamp;
            const k = this.nSpec++;
            this.specAddr[k] = addr;
            this.specLine[k] = line;
            this.specOld[k] = seen;
            this.seenVer[line] = this.lineVer[line];
            r[code[o + 1]] = this.mem[addr];
            pc++;
            cyc += cost;
            break;
          }
          stop = STOP_SYNC;
          break loop;
        }
        case OP_ST:
        case OP_XCHG:
        case OP_CMPXCHG:
        case OP_XADD:
          stop = STOP_SYNC;
          break loop;
        case OP_HLT:
        case OP_IN:
        case OP_OUT:
        case OP_CPUID:
        case OP_RDMSR:
        case OP_WRMSR:
        case OP_VMCALL:
        case OP_IPI:
        case OP_IPI_I:
        case OP_IPIALL:
        case OP_TIMER:
        case OP_TIMER_I:
          stop = STOP_EXIT;
          break loop;
        case OP_END:
          stop = this.raise('execution ran off the end of the program', n - 1);
          break loop;
        default:
          stop = this.raise(`#UD invalid opcode ${code[o]}`, pc);
          break loop;
      }
      instrs++;
    }
    // `instrs` counted every op that completed or split; a stop op is not counted.
    since += cyc;
    this.guestCycles += cyc;
    this.pc = pc;
    this.cycles = cyc;
    this.instrs = instrs;
    this.sinceSync = since;
    return stop;
  }

  /**
   * The last run stopped at its budget inside a `work` op it started in (the
   * op at pc, the only one it ran): finish the op as part of that run, its
   * cycles added to `cycles`; the next run starts after it. Returns the
   * cycles added, or 0 when the run was anything else. Replaying any part of
   * one op costs the same, so a budget that bounds replay work need not cut it.
   */
  finishWork(from: CoreState): number {
    if (this.workLeft <= 0 || this.pc !== from.pc || this.instrs !== from.instrs + 1 || !isWorkOp(this.code[this.pc * STRIDE])) return 0;
    const rest = this.workLeft;
    this.workLeft = 0;
    this.pc++;
    this.cycles += rest;
    this.guestCycles += rest;
    this.sinceSync += rest;
    return rest;
  }

  /** Effective address of the memory operand of the op at `pc`. */
  address(): number {
    const o = this.pc * STRIDE;
    const b = this.code[o + 2];
    const d = this.code[o + 0] === OP_CMPXCHG ? -1 : this.code[o + 4];
    return (b >= 0 ? this.regs[b] : 0) + this.code[o + 3] + (d >= 0 ? this.regs[d] : 0);
  }

  /**
   * Execute the pending `sync` op against guest memory. Returns its cycle
   * cost, or -1 after raising a fault. `wrote` tells the caller whether memory changed.
   */
  execSync(): number {
    const o = this.pc * STRIDE;
    const op = this.code[o];
    const ra = this.code[o + 1];
    const addr = this.address();
    const mem = this.mem;
    if (!(addr >= 0 && addr < mem.length) || addr !== Math.floor(addr)) {
      this.raise(`#PF page fault: address ${addr} outside guest memory (0..${mem.length - 1})`, this.pc);
      return -1;
    }
    let cost: number;
    this.syncedLoadPc = op === OP_LD ? this.pc : -1;
    switch (op) {
      case OP_LD: this.regs[ra] = mem[addr]; cost = COST.load; break;
      case OP_ST: mem[addr] = this.regs[ra]; cost = COST.store; break;
      case OP_XCHG: { const old = mem[addr]; mem[addr] = this.regs[ra]; this.regs[ra] = old; cost = COST.atomic; break; }
      case OP_XADD: { const old = mem[addr]; mem[addr] = old + this.regs[ra]; this.regs[ra] = old; cost = COST.atomic; break; }
      case OP_CMPXCHG: {
        const old = mem[addr];
        if (old === this.regs[ra]) mem[addr] = this.regs[this.code[o + 4]];
        this.regs[ra] = old;
        cost = COST.atomic;
        break;
      }
      default:
        this.raise('internal: execSync on a non-memory op', this.pc);
        return -1;
    }
    this.pc++;
    this.instrs++;
    this.sinceSync = 0;
    this.pauses = 0;
    this.probed = 0;
    return cost;
  }

  /** True if the pending sync op writes memory. */
  syncWrites(): boolean {
    return this.code[this.pc * STRIDE] !== OP_LD;
  }

  /** Cycles of `vwork n` on a model without AVX2 when the program takes its fallback path. */
  static scalarFallback(n: number): number {
    return Math.round(n * SCALAR_FALLBACK_FACTOR);
  }
}
