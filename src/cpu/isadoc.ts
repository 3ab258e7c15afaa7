import { COST, isaMarkdown } from './isa.js';

/** docs/isa.md, generated from the op table (`npm run isa`). */
export function isaDoc(): string {
  return `# simvm guest ISA

Guest programs run on simvm's execution core, one interpreter per vCPU.
The ISA is small on purpose: enough to write the locks, barriers, request
loops and device drivers whose behaviour under over-commit matters, with
the cycle cost and exit behaviour of every op stated here. This file is
generated from \`src/cpu/isa.ts\` (\`npm run isa\`); a test checks it.

## Machine

- 16 registers \`r0\`..\`r15\`, 64-bit floats holding integers (bitwise ops
  work on 32 bits).
- Guest memory is shared by all vCPUs of a guest, addressed in 64-bit
  words. \`.data NAME WORDS [INIT]\` reserves words; every object starts on
  its own 64-byte cache line (8 words).
- Memory operands: \`[name]\`, \`[name+r1]\`, \`[name+r1+4]\`, \`[r1+r2+8]\`.
- \`.equ NAME VALUE\` defines a constant; \`label:\` marks an instruction;
  \`;\` or \`#\` starts a comment.
- The label \`irq:\` is the interrupt handler entry; without it, interrupts
  only wake the vCPU from \`hlt\`.

## Timing and memory order

Local ops run ahead of simulated time in one stretch. An op that touches
shared memory (class \`sync\`) executes at its exact simulated instant, after
everything that happened earlier anywhere in the guest: stores are seen by
later loads in global time order (sequential consistency at 1 ns
resolution). A store to a line last written by another vCPU, or a load of
one, pays a cache-line transfer of ${COST.lineTransfer} cycles.

A loop that repeats the same load with the same machine state and reads
the same value cannot end until somebody writes that word; the core
fast-forwards it (the vCPU keeps burning simulated cycles, accounted as
guest time and as spinning) and resumes at the first iteration after the
write. With pause-loop exiting on, a loop containing \`pause\` exits to KVM
after \`ple_window\` cycles.

## Ops

${isaMarkdown()}

## Exits

Every \`exit\` op costs its entry in the host's exit-cost table (scenario
\`host.costs\`), spent in KVM (kernel mode); port I/O to a device handled in
QEMU adds \`qemu_extra\` in QEMU (user mode). Reasons are reported with
KVM's names: HLT, IO_INSTRUCTION, CPUID, MSR_READ, MSR_WRITE (also IPIs and
timer programming), VMCALL, PAUSE_INSTRUCTION (PLE) and EXTERNAL_INTERRUPT
(host ticks while in guest mode).

## CPUID

\`cpuid\` sets r0 = 1 if the guest CPU model has avx2, r1 = 1 if it has
rdtscp, so a program can choose a fallback path.
`;
}
