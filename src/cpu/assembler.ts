import * as I from './isa.js';
import { OPS, type Operand } from './isa.js';
import { suggest } from '../util/suggest.js';
import { plural } from '../util/plural.js';

/** Stride of one decoded instruction in `Program.code`: [op, a, b, c, d]. */
export const STRIDE = 5;

/** A guest program, decoded once into a flat Int32Array (TinyEMU style). */
export interface Program {
  code: Int32Array;
  count: number;
  labels: Map<string, number>;
  data: Map<string, { addr: number; words: number }>;
  /** Initial contents of guest memory, in 64-bit words. */
  memWords: number;
  init: { addr: number; value: number }[];
  /** Names of `count` / `sample` probes, indexed by their operand. */
  probes: string[];
  /** Kind of each probe: a counter, or a latency sample in TSC cycles. */
  probeKinds: ('count' | 'sample')[];
  /** Instruction index of the `irq:` label, or -1 when the program has none. */
  irqEntry: number;
  /** Source line (1-based) of each instruction. */
  lines: Int32Array;
  /** CPUID features the program's ops need (from the op table). */
  features: Set<string>;
}

export class AsmError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const REG = /^r(1[0-5]|[0-9])$/;
const IDENT = /^[A-Za-z_.][A-Za-z0-9_.]*$/;
/** Words per 64-byte cache line: data objects are line-aligned so unrelated ones never share a line. */
export const LINE_WORDS = 8;

const BINARY = new Map<string, [number, number]>([
  ['add', [I.OP_ADD, I.OP_ADD_I]],
  ['sub', [I.OP_SUB, I.OP_SUB_I]],
  ['mul', [I.OP_MUL, I.OP_MUL_I]],
  ['mod', [I.OP_MOD, I.OP_MOD_I]],
  ['div', [I.OP_DIV, I.OP_DIV_I]],
  ['and', [I.OP_AND, I.OP_AND_I]],
  ['or', [I.OP_OR, I.OP_OR_I]],
  ['xor', [I.OP_XOR, I.OP_XOR_I]],
  ['shl', [I.OP_SHL, I.OP_SHL_I]],
  ['shr', [I.OP_SHR, I.OP_SHR_I]],
]);
const BRANCH = new Map<string, [number, number]>([
  ['beq', [I.OP_BEQ, I.OP_BEQ_I]],
  ['bne', [I.OP_BNE, I.OP_BNE_I]],
  ['blt', [I.OP_BLT, I.OP_BLT_I]],
  ['bge', [I.OP_BGE, I.OP_BGE_I]],
]);
const SIMPLE = new Map<string, number>([
  ['nop', I.OP_NOP], ['li', I.OP_LI], ['mov', I.OP_MOV], ['jmp', I.OP_JMP], ['call', I.OP_CALL],
  ['ret', I.OP_RET], ['pause', I.OP_PAUSE], ['rdtsc', I.OP_RDTSC], ['rdtscp', I.OP_RDTSCP],
  ['vcpu', I.OP_VCPU], ['nvcpu', I.OP_NVCPU], ['cli', I.OP_CLI], ['sti', I.OP_STI],
  ['iret', I.OP_IRET], ['irqvec', I.OP_IRQVEC], ['ld', I.OP_LD], ['st', I.OP_ST],
  ['xchg', I.OP_XCHG], ['cmpxchg', I.OP_CMPXCHG], ['xadd', I.OP_XADD], ['hlt', I.OP_HLT],
  ['in', I.OP_IN], ['out', I.OP_OUT], ['cpuid', I.OP_CPUID], ['rdmsr', I.OP_RDMSR],
  ['wrmsr', I.OP_WRMSR], ['vmcall', I.OP_VMCALL], ['ipiall', I.OP_IPIALL],
  ['count', I.OP_COUNT], ['sample', I.OP_SAMPLE],
]);
const RI_OPS = new Map<string, [number, number]>([
  ['work', [I.OP_WORK, I.OP_WORK_I]],
  ['vwork', [I.OP_VWORK, I.OP_VWORK_I]],
  ['ipi', [I.OP_IPI, I.OP_IPI_I]],
  ['timer', [I.OP_TIMER, I.OP_TIMER_I]],
]);

interface Line {
  no: number;
  text: string;
  /** Column (1-based) where `text` starts in the source line. */
  col: number;
}

/**
 * Assemble the text form of the ISA (docs/isa.md). Two passes: the first
 * places labels and data, the second decodes every instruction once.
 */
export function assemble(source: string): Program {
  const lines: Line[] = [];
  source.split(/\r?\n/).forEach((raw, i) => {
    const cut = raw.search(/[;#]/);
    const body = cut >= 0 ? raw.slice(0, cut) : raw;
    const trimmed = body.trim();
    if (trimmed) lines.push({ no: i + 1, text: trimmed, col: body.indexOf(trimmed) + 1 });
  });

  const labels = new Map<string, number>();
  const data = new Map<string, { addr: number; words: number }>();
  const equ = new Map<string, number>();
  const init: { addr: number; value: number }[] = [];
  const insns: { line: Line; op: string; args: { text: string; col: number }[] }[] = [];
  let memWords = 0;

  for (const line of lines) {
    let text = line.text;
    let col = line.col;
    const lab = /^([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(text);
    if (lab) {
      const name = lab[1];
      if (labels.has(name)) throw new AsmError(`label "${name}" is defined twice`, line.no, col);
      labels.set(name, insns.length);
      const rest = text.slice(lab[0].length);
      const restTrim = rest.trimStart();
      col += lab[0].length + (rest.length - restTrim.length);
      text = restTrim;
      if (!text) continue;
    }
    const m = /^(\S+)\s*(.*)$/.exec(text)!;
    const op = m[1].toLowerCase();
    const argText = m[2];
    const argStart = col + text.indexOf(argText, m[1].length);
    // Directives separate their operands by spaces or commas; instructions by commas.
    const args = op.startsWith('.') ? splitWords(argText, argStart) : splitArgs(argText, argStart);
    if (op === '.data') {
      if (args.length < 2 || args.length > 3) throw new AsmError('.data takes a name, a size in words and an optional initial value', line.no, col);
      const name = args[0].text;
      if (!IDENT.test(name)) throw new AsmError(`bad data name "${name}"`, line.no, args[0].col);
      if (data.has(name) || equ.has(name)) throw new AsmError(`"${name}" is defined twice`, line.no, args[0].col);
      const words = parseIntLit(args[1].text, equ);
      if (words === null || words < 1 || words > 1 << 24) throw new AsmError(`.data size must be a whole number of words from 1 to ${1 << 24}`, line.no, args[1].col);
      const addr = memWords;
      data.set(name, { addr, words });
      memWords += Math.ceil(words / LINE_WORDS) * LINE_WORDS;
      if (args[2]) {
        const v = parseIntLit(args[2].text, equ);
        if (v === null) throw new AsmError(`bad initial value "${args[2].text}"`, line.no, args[2].col);
        for (let k = 0; k < words; k++) init.push({ addr: addr + k, value: v });
      }
      continue;
    }
    if (op === '.equ') {
      if (args.length !== 2) throw new AsmError('.equ takes a name and a value', line.no, col);
      const v = parseIntLit(args[1].text, equ);
      if (v === null) throw new AsmError(`bad value "${args[1].text}"`, line.no, args[1].col);
      equ.set(args[0].text, v);
      continue;
    }
    insns.push({ line, op, args });
  }

  // One slot more than the program: an OP_END sentinel, so the interpreter
  // needs no bounds check per instruction.
  const code = new Int32Array((insns.length + 1) * STRIDE);
  code[insns.length * STRIDE] = I.OP_END;
  const lineOf = new Int32Array(insns.length);
  const probes: string[] = [];
  const probeKinds: ('count' | 'sample')[] = [];
  const features = new Set<string>();
  const probeIndex = (name: string, kind: 'count' | 'sample', line: Line, col: number) => {
    let k = probes.indexOf(name);
    if (k < 0) {
      k = probes.push(name) - 1;
      probeKinds.push(kind);
    } else if (probeKinds[k] !== kind) {
      throw new AsmError(`"${name}" is used both as a counter and as a sample`, line.no, col);
    }
    return k;
  };

  insns.forEach((ins, idx) => {
    const { line, op, args } = ins;
    lineOf[idx] = line.no;
    const spec = OPS[op];
    if (!spec) {
      const s = suggest(op, [...Object.keys(OPS), '.data', '.equ']);
      throw new AsmError(`unknown instruction "${op}"`, line.no, line.col, s ? `did you mean "${s}"?` : undefined);
    }
    if (spec.feature) features.add(spec.feature);
    if (args.length !== spec.operands.length) {
      throw new AsmError(
        `"${op}" takes ${plural(spec.operands.length, 'operand')} (${spec.operands.join(', ') || 'none'}), got ${args.length}`,
        line.no,
        line.col,
        `syntax: ${op} ${spec.operands.join(', ')}`,
      );
    }
    const o = idx * STRIDE;
    const fail = (k: number, what: string): never => {
      throw new AsmError(`operand ${k + 1} of "${op}": ${what}`, line.no, args[k].col);
    };
    const reg = (k: number) => {
      const t = args[k].text.toLowerCase();
      if (!REG.test(t)) fail(k, `expected a register r0..r15, got "${args[k].text}"`);
      return Number(t.slice(1));
    };
    const imm = (k: number) => {
      const v = parseValue(args[k].text, equ, data);
      if (v === null) fail(k, `expected a number or constant, got "${args[k].text}"`);
      if (!Number.isSafeInteger(v!) || Math.abs(v!) > 0x7fffffff) fail(k, 'value out of range (32-bit signed)');
      return v!;
    };
    const isReg = (k: number) => REG.test(args[k].text.toLowerCase());
    const label = (k: number) => {
      const t = args[k].text;
      const at = labels.get(t);
      if (at === undefined) {
        const s = suggest(t, [...labels.keys()]);
        throw new AsmError(`unknown label "${t}"`, line.no, args[k].col, s ? `did you mean "${s}"?` : undefined);
      }
      return at;
    };
    const mem = (k: number): [number, number, number] => {
      const t = args[k].text;
      if (!t.startsWith('[') || !t.endsWith(']')) fail(k, `expected a memory operand like [name+r1+8], got "${t}"`);
      let base = -1;
      let index = -1;
      let off = 0;
      for (const termRaw of t.slice(1, -1).split('+')) {
        const term = termRaw.trim();
        if (REG.test(term.toLowerCase())) {
          if (base < 0) base = Number(term.slice(1));
          else if (index < 0) index = Number(term.slice(1));
          else fail(k, 'at most two registers in an address');
        } else {
          const v = parseValue(term, equ, data);
          if (v === null) {
            const s = suggest(term, [...data.keys()]);
            throw new AsmError(`unknown address term "${term}"`, line.no, args[k].col, s ? `did you mean "${s}"?` : undefined);
          }
          off += v;
        }
      }
      return [base, off, index];
    };
    const set = (op: number, a = 0, b = 0, c = 0, d = 0) => {
      code[o] = op;
      code[o + 1] = a;
      code[o + 2] = b;
      code[o + 3] = c;
      code[o + 4] = d;
    };
    const bin = BINARY.get(op);
    const br = BRANCH.get(op);
    const ri = RI_OPS.get(op);
    if (bin) {
      if (isReg(2)) set(bin[0], reg(0), reg(1), reg(2));
      else set(bin[1], reg(0), reg(1), imm(2));
    } else if (br) {
      if (isReg(1)) set(br[0], reg(0), reg(1), label(2));
      else set(br[1], reg(0), imm(1), label(2));
    } else if (ri) {
      if (isReg(0)) set(ri[0], reg(0));
      else {
        const v = imm(0);
        if ((op === 'work' || op === 'vwork' || op === 'timer') && v < 0) fail(0, 'must not be negative');
        set(ri[1], 0, 0, v);
      }
    } else {
      const opc = SIMPLE.get(op)!;
      const kinds: Operand[] = spec.operands;
      switch (op) {
        case 'li': set(opc, reg(0), 0, imm(1)); break;
        case 'mov': set(opc, reg(0), reg(1)); break;
        case 'jmp': case 'call': set(opc, 0, 0, label(0)); break;
        case 'ld': case 'st': case 'xchg': case 'xadd': { const [b, c, d] = mem(1); set(opc, reg(0), b, c, d); break; }
        case 'cmpxchg': {
          // The fifth slot holds the new-value register, so no index register here.
          const [b, c, d] = mem(1);
          if (d >= 0) fail(1, 'cmpxchg takes a base register and offset only');
          set(opc, reg(0), b, c, reg(2));
          break;
        }
        case 'in': set(opc, reg(0), 0, imm(1)); break;
        case 'out': set(opc, reg(1), 0, imm(0)); break;
        case 'rdmsr': set(opc, reg(0), 0, imm(1)); break;
        case 'wrmsr': set(opc, reg(1), 0, imm(0)); break;
        case 'vmcall': set(opc, 0, 0, imm(0)); break;
        case 'count': set(opc, 0, 0, probeIndex(name(args[0].text, line, args[0].col), 'count', line, args[0].col)); break;
        case 'sample': set(opc, reg(1), 0, probeIndex(name(args[0].text, line, args[0].col), 'sample', line, args[0].col)); break;
        default:
          if (kinds.length === 1 && kinds[0] === 'r') set(opc, reg(0));
          else set(opc);
      }
    }
  });

  if (insns.length === 0) throw new AsmError('the program has no instructions', 1, 1);
  for (const [lab, at] of labels) {
    if (at >= insns.length) throw new AsmError(`label "${lab}" is at the end of the program with no instruction after it`, lines[lines.length - 1].no, 1);
  }
  return {
    code,
    count: insns.length,
    labels,
    data,
    memWords: Math.max(memWords, LINE_WORDS),
    init,
    probes,
    probeKinds,
    irqEntry: labels.get('irq') ?? -1,
    lines: lineOf,
    features,
  };
}

function name(t: string, line: Line, col: number): string {
  if (!IDENT.test(t)) throw new AsmError(`bad statistic name "${t}"`, line.no, col);
  return t;
}

function splitArgs(text: string, col: number): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  if (!text.trim()) return out;
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (i === text.length || (ch === ',' && depth === 0)) {
      const piece = text.slice(start, i);
      const t = piece.trim();
      out.push({ text: t, col: col + start + (piece.length - piece.trimStart().length) });
      start = i + 1;
    }
  }
  return out;
}

function splitWords(text: string, col: number): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  const re = /[^\s,]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) out.push({ text: m[0], col: col + m.index });
  return out;
}

function parseIntLit(t: string, equ: Map<string, number>): number | null {
  const s = t.replace(/_/g, '');
  if (/^-?(0x[0-9a-fA-F]+|\d+)$/.test(s)) return Number(s.startsWith('-') ? -Number(s.slice(1)) : Number(s));
  const e = equ.get(t);
  return e === undefined ? null : e;
}

function parseValue(t: string, equ: Map<string, number>, data: Map<string, { addr: number }>): number | null {
  const v = parseIntLit(t, equ);
  if (v !== null) return v;
  const d = data.get(t);
  return d ? d.addr : null;
}
