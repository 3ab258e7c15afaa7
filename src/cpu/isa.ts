/**
 * The guest ISA: one table, the single source of every op's operands, cycle
 * cost, class and documentation (docs/isa.md is checked against it).
 *
 * Classes:
 * - `local`: runs inside the core without touching shared state; may run
 *   ahead of simulated time and be replayed.
 * - `sync`: touches guest memory shared by the guest's vCPUs; executes only
 *   at its exact simulated instant, in global time order.
 * - `exit`: causes a VM exit (or, for `hlt`, halts); handled by KVM or QEMU
 *   at a cost from the host's exit-cost table.
 * - `probe`: instrumentation for reports; costs nothing, like a perf probe.
 */
export type OpClass = 'local' | 'sync' | 'exit' | 'probe';

/** Operand kinds: r = register, i = immediate, ri = register or immediate, m = memory, l = label, n = statistic name. */
export type Operand = 'r' | 'i' | 'ri' | 'm' | 'l' | 'n';

export interface OpSpec {
  mnemonic: string;
  operands: Operand[];
  /** Cycles when executed in guest mode; `null` when it depends (see doc). */
  cycles: number | null;
  cls: OpClass;
  /** CPUID feature the op needs; without it the op raises #UD. */
  feature?: string;
  doc: string;
}

// Opcode numbers. An op with a register-or-immediate operand has two
// opcodes: the `_I` variant takes the immediate.
export const OP_NOP = 0;
export const OP_LI = 1;
export const OP_MOV = 2;
export const OP_ADD = 3;
export const OP_ADD_I = 4;
export const OP_SUB = 5;
export const OP_SUB_I = 6;
export const OP_MUL = 7;
export const OP_MUL_I = 8;
export const OP_AND = 9;
export const OP_AND_I = 10;
export const OP_OR = 11;
export const OP_OR_I = 12;
export const OP_XOR = 13;
export const OP_XOR_I = 14;
export const OP_SHL = 15;
export const OP_SHL_I = 16;
export const OP_SHR = 17;
export const OP_SHR_I = 18;
export const OP_MOD = 19;
export const OP_MOD_I = 20;
export const OP_JMP = 21;
export const OP_BEQ = 22;
export const OP_BEQ_I = 23;
export const OP_BNE = 24;
export const OP_BNE_I = 25;
export const OP_BLT = 26;
export const OP_BLT_I = 27;
export const OP_BGE = 28;
export const OP_BGE_I = 29;
export const OP_CALL = 30;
export const OP_RET = 31;
export const OP_WORK = 32;
export const OP_WORK_I = 33;
export const OP_PAUSE = 34;
export const OP_RDTSC = 35;
export const OP_VCPU = 36;
export const OP_CLI = 37;
export const OP_STI = 38;
export const OP_IRET = 39;
export const OP_IRQVEC = 40;
export const OP_LD = 41;
export const OP_ST = 42;
export const OP_XCHG = 43;
export const OP_CMPXCHG = 44;
export const OP_XADD = 45;
export const OP_HLT = 46;
export const OP_IN = 47;
export const OP_OUT = 48;
export const OP_CPUID = 49;
export const OP_RDMSR = 50;
export const OP_WRMSR = 51;
export const OP_VMCALL = 52;
export const OP_IPI = 53;
export const OP_IPI_I = 54;
export const OP_IPIALL = 55;
export const OP_TIMER = 56;
export const OP_TIMER_I = 57;
export const OP_COUNT = 58;
export const OP_SAMPLE = 59;
export const OP_VWORK_I = 60;
export const OP_VWORK = 61;
export const OP_RDTSCP = 62;
export const OP_NVCPU = 63;
export const OP_DIV = 64;
export const OP_DIV_I = 65;
/** Sentinel after the last instruction: reaching it is running off the end (not an op programs can write). */
export const OP_END = 66;

/** Cycle costs of local and sync ops, in core cycles. */
export const COST = {
  alu: 1,
  mul: 3,
  // Integer divide latency on Skylake is 26 cycles for 64-bit operands (Agner Fog, instruction tables).
  mod: 26,
  branch: 1,
  // Intel 64 and IA-32 Optimization Reference Manual, 2.5.4: PAUSE takes up
  // to 140 cycles from Skylake on (about 10 before).
  pause: 140,
  // RDTSC latency ~25 cycles on Skylake (Agner Fog, instruction tables).
  rdtsc: 25,
  // L1 hit load-to-use latency, 4-5 cycles (Intel optimization manual, table 2-6).
  load: 4,
  store: 4,
  // A locked RMW on an uncontended line costs ~18-20 cycles on Skylake (Agner Fog).
  atomic: 20,
  // Moving a cache line from another core's L1/L2 on the same socket, ~70-100
  // cycles (Molka et al., "Memory Performance and Cache Coherency Effects on
  // an Intel Nehalem Multiprocessor System", PACT 2009).
  lineTransfer: 80,
} as const;

/**
 * Vector work: `vwork n` is n cycles of AVX2 work. Without AVX2 the same work
 * done with SSE2 takes this many times longer (256-bit vs 128-bit lanes plus
 * missing FMA/gather: a 2x-3x ratio is typical for vectorised kernels).
 */
export const SCALAR_FALLBACK_FACTOR = 2.5;

export const OPS: Record<string, OpSpec> = {
  nop: { mnemonic: 'nop', operands: [], cycles: 1, cls: 'local', doc: 'Does nothing for one cycle.' },
  li: { mnemonic: 'li', operands: ['r', 'i'], cycles: 1, cls: 'local', doc: 'rd = imm.' },
  mov: { mnemonic: 'mov', operands: ['r', 'r'], cycles: 1, cls: 'local', doc: 'rd = rs.' },
  add: { mnemonic: 'add', operands: ['r', 'r', 'ri'], cycles: 1, cls: 'local', doc: 'rd = rs + (rt|imm).' },
  sub: { mnemonic: 'sub', operands: ['r', 'r', 'ri'], cycles: 1, cls: 'local', doc: 'rd = rs - (rt|imm).' },
  mul: { mnemonic: 'mul', operands: ['r', 'r', 'ri'], cycles: COST.mul, cls: 'local', doc: 'rd = rs * (rt|imm).' },
  mod: { mnemonic: 'mod', operands: ['r', 'r', 'ri'], cycles: COST.mod, cls: 'local', doc: 'rd = rs mod (rt|imm); modulo by zero raises #DE (a fault).' },
  div: { mnemonic: 'div', operands: ['r', 'r', 'ri'], cycles: COST.mod, cls: 'local', doc: 'rd = floor(rs / (rt|imm)); division by zero raises #DE (a fault).' },
  and: { mnemonic: 'and', operands: ['r', 'r', 'ri'], cycles: 1, cls: 'local', doc: 'rd = rs & (rt|imm), on 32-bit integers.' },
  or: { mnemonic: 'or', operands: ['r', 'r', 'ri'], cycles: 1, cls: 'local', doc: 'rd = rs | (rt|imm), on 32-bit integers.' },
  xor: { mnemonic: 'xor', operands: ['r', 'r', 'ri'], cycles: 1, cls: 'local', doc: 'rd = rs ^ (rt|imm), on 32-bit integers.' },
  shl: { mnemonic: 'shl', operands: ['r', 'r', 'ri'], cycles: 1, cls: 'local', doc: 'rd = rs << (rt|imm), on 32-bit integers.' },
  shr: { mnemonic: 'shr', operands: ['r', 'r', 'ri'], cycles: 1, cls: 'local', doc: 'rd = rs >>> (rt|imm), on 32-bit integers.' },
  jmp: { mnemonic: 'jmp', operands: ['l'], cycles: 1, cls: 'local', doc: 'Jump to label.' },
  beq: { mnemonic: 'beq', operands: ['r', 'ri', 'l'], cycles: 1, cls: 'local', doc: 'Branch to label if ra == (rb|imm).' },
  bne: { mnemonic: 'bne', operands: ['r', 'ri', 'l'], cycles: 1, cls: 'local', doc: 'Branch to label if ra != (rb|imm).' },
  blt: { mnemonic: 'blt', operands: ['r', 'ri', 'l'], cycles: 1, cls: 'local', doc: 'Branch to label if ra < (rb|imm).' },
  bge: { mnemonic: 'bge', operands: ['r', 'ri', 'l'], cycles: 1, cls: 'local', doc: 'Branch to label if ra >= (rb|imm).' },
  call: { mnemonic: 'call', operands: ['l'], cycles: 1, cls: 'local', doc: 'Push the return address on the vCPU\'s call stack (64 deep) and jump; overflow raises #SS.' },
  ret: { mnemonic: 'ret', operands: [], cycles: 1, cls: 'local', doc: 'Return from `call`; an empty stack raises #SS.' },
  work: { mnemonic: 'work', operands: ['ri'], cycles: null, cls: 'local', doc: 'Computation that touches no shared memory: takes exactly n cycles (n from the register or immediate). Splits across budgets and preemptions.' },
  vwork: { mnemonic: 'vwork', operands: ['ri'], cycles: null, cls: 'local', feature: 'avx2', doc: 'n cycles of AVX2 vector work. Raises #UD when the guest CPU model lacks avx2.' },
  pause: { mnemonic: 'pause', operands: [], cycles: COST.pause, cls: 'local', doc: 'Spin-loop hint. Counts toward pause-loop exiting (PLE) when the host enables it.' },
  rdtsc: { mnemonic: 'rdtsc', operands: ['r'], cycles: COST.rdtsc, cls: 'local', doc: 'rd = the guest TSC (cycles since the run started, at the host TSC frequency). No exit (TSC offsetting).' },
  rdtscp: { mnemonic: 'rdtscp', operands: ['r'], cycles: COST.rdtsc + 7, cls: 'local', feature: 'rdtscp', doc: 'Like rdtsc but serialising; needs the rdtscp feature, else #UD.' },
  vcpu: { mnemonic: 'vcpu', operands: ['r'], cycles: 1, cls: 'local', doc: 'rd = this vCPU\'s guest CPU number (what smp_processor_id() returns).' },
  nvcpu: { mnemonic: 'nvcpu', operands: ['r'], cycles: 1, cls: 'local', doc: 'rd = the number of online vCPUs of the guest (num_online_cpus()).' },
  cli: { mnemonic: 'cli', operands: [], cycles: 1, cls: 'local', doc: 'Mask interrupts.' },
  sti: { mnemonic: 'sti', operands: [], cycles: 1, cls: 'local', doc: 'Unmask interrupts.' },
  iret: { mnemonic: 'iret', operands: [], cycles: 1, cls: 'local', doc: 'Return from the interrupt handler and unmask interrupts.' },
  irqvec: { mnemonic: 'irqvec', operands: ['r'], cycles: 1, cls: 'local', doc: 'rd = vector of the interrupt being handled (1 timer, 2 IPI, 3 device).' },
  ld: { mnemonic: 'ld', operands: ['r', 'm'], cycles: COST.load, cls: 'sync', doc: 'rd = mem. Plus a cache-line transfer when another vCPU wrote the line last.' },
  st: { mnemonic: 'st', operands: ['r', 'm'], cycles: COST.store, cls: 'sync', doc: 'mem = rs. Plus a cache-line transfer when another vCPU wrote the line last.' },
  xchg: { mnemonic: 'xchg', operands: ['r', 'm'], cycles: COST.atomic, cls: 'sync', doc: 'Atomically swap rd and mem.' },
  cmpxchg: { mnemonic: 'cmpxchg', operands: ['r', 'm', 'r'], cycles: COST.atomic, cls: 'sync', doc: 'Atomically: old = mem; if old == ra then mem = rs; ra = old.' },
  xadd: { mnemonic: 'xadd', operands: ['r', 'm'], cycles: COST.atomic, cls: 'sync', doc: 'Atomically: old = mem; mem = old + rd; rd = old (fetch-and-add).' },
  hlt: { mnemonic: 'hlt', operands: [], cycles: null, cls: 'exit', doc: 'Halt until an interrupt. With an interrupt already pending it does not halt. Exit reason HLT, handled by KVM (halt-polling, then the thread sleeps).' },
  in: { mnemonic: 'in', operands: ['r', 'i'], cycles: null, cls: 'exit', doc: 'rd = port read. Exit IO_INSTRUCTION, handled by KVM for in-kernel devices or by QEMU (user mode) otherwise.' },
  out: { mnemonic: 'out', operands: ['i', 'r'], cycles: null, cls: 'exit', doc: 'Port write of rs. Exit IO_INSTRUCTION, handled by the device\'s owner (KVM or QEMU).' },
  cpuid: { mnemonic: 'cpuid', operands: [], cycles: null, cls: 'exit', doc: 'Exit CPUID, handled by KVM.' },
  rdmsr: { mnemonic: 'rdmsr', operands: ['r', 'i'], cycles: null, cls: 'exit', doc: 'rd = MSR. Exit MSR_READ, handled by KVM. MSR 0x4b564d03 (MSR_KVM_STEAL_TIME) reads this vCPU\'s steal time in ns.' },
  wrmsr: { mnemonic: 'wrmsr', operands: ['i', 'r'], cycles: null, cls: 'exit', doc: 'MSR = rs. Exit MSR_WRITE, handled by KVM.' },
  vmcall: { mnemonic: 'vmcall', operands: ['i'], cycles: null, cls: 'exit', doc: 'Hypercall nr. Exit VMCALL, handled by KVM. Hypercall 5 (KVM_HC_KICK_CPU) wakes the halted vCPU given in r1.' },
  ipi: { mnemonic: 'ipi', operands: ['ri'], cycles: null, cls: 'exit', doc: 'Send an IPI to vCPU n (x2APIC ICR write: exit MSR_WRITE). A target that is not running gets it when it next runs.' },
  ipiall: { mnemonic: 'ipiall', operands: [], cycles: null, cls: 'exit', doc: 'Send an IPI to every other online vCPU (a TLB-shootdown broadcast).' },
  timer: { mnemonic: 'timer', operands: ['ri'], cycles: null, cls: 'exit', doc: 'Arm the one-shot TSC-deadline timer n ns ahead (MSR_WRITE to IA32_TSC_DEADLINE); vector 1 fires then.' },
  count: { mnemonic: 'count', operands: ['n'], cycles: 0, cls: 'probe', doc: 'Add one to the named per-guest counter (operations for throughput).' },
  sample: { mnemonic: 'sample', operands: ['n', 'r'], cycles: 0, cls: 'probe', doc: 'Record rs (TSC cycles) as a latency sample of the named distribution.' },
};

/** Names of interrupt vectors, as `irqvec` returns them. */
export const VEC_TIMER = 1;
export const VEC_IPI = 2;
export const VEC_DEVICE = 3;

/** The ISA as Markdown, for docs/isa.md. */
export function isaMarkdown(): string {
  const rows = Object.values(OPS).map(
    (o) =>
      `| \`${o.mnemonic}${o.operands.length ? ' ' + o.operands.join(', ') : ''}\` | ${o.cycles ?? 'see text'} | ${o.cls} | ${o.feature ?? ''} | ${o.doc} |`,
  );
  return ['| op | cycles | class | needs | what it does |', '|---|---|---|---|---|', ...rows].join('\n');
}
