import { bool, dur } from '../util/params.js';
import { cyc, type WorkloadDef } from './common.js';
import { SCALAR_FALLBACK_FACTOR } from '../cpu/isa.js';

/**
 * Vectorised computation, the way real code dispatches on CPUID: check for
 * AVX2 once, then run the AVX2 kernel, or the SSE2 fallback that takes
 * SCALAR_FALLBACK_FACTOR times longer. Without a fallback (code built with
 * -mavx2) a CPU model lacking AVX2 takes #UD, as in life.
 */
export const vector: WorkloadDef = {
  help: 'Vector computation that uses AVX2 when CPUID has it, else a slower fallback (or #UD without one).',
  params: {
    chunk: dur('AVX2 computation counted as one operation.', 100_000),
    fallback: bool('Whether the program has a non-AVX2 path (dispatch on CPUID); without one it faults on models lacking AVX2.', true),
  },
  build(p, ctx) {
    const n = cyc(p.chunk, ctx.freqHz);
    const source = [
      `; vector workload: ${p.fallback ? 'CPUID dispatch' : 'AVX2 only'}`,
      p.fallback ? '  cpuid' : '  nop',
      p.fallback ? '  beq r0, 0, scalar' : '  nop',
      'avx:',
      `  vwork ${n}`,
      '  count ops',
      '  jmp avx',
      'scalar:',
      `  work ${Math.round(n * SCALAR_FALLBACK_FACTOR)}`,
      '  count ops',
      '  jmp scalar',
    ].join('\n');
    return { source, throughput: { counter: 'ops', unit: 'vector ops' }, latencies: [] };
  },
};
