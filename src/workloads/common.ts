import type { Fields } from '../util/params.js';
import { nsToCyclesNearest } from '../engine/time.js';
import type { WorkloadEnv } from './env.js';

export interface BuildContext {
  /** vCPUs the guest can ever have (maxcpus): per-vCPU data is sized for it. */
  maxcpus: number;
  freqHz: number;
}

export interface WorkloadInstance {
  /** The guest program, in the ISA's text form. */
  source: string;
  /** Devices the program talks to. */
  install?(env: WorkloadEnv): void;
  /** Counter that measures throughput, and what one count is. */
  throughput: { counter: string; unit: string };
  /** Latency distributions of interest, in report order. */
  latencies: string[];
}

export interface WorkloadDef {
  help: string;
  params: Fields;
  build(p: Record<string, any>, ctx: BuildContext): WorkloadInstance;
}

export const cyc = (ns: number, freqHz: number) => Math.max(0, nsToCyclesNearest(ns, freqHz));

/** Ports of simvm's virtual devices. */
export const PORT_REQ_DONE = 0x510;
export const PORT_IO_SUBMIT = 0x520;

/**
 * ISA fragment: `work` for mean `meanCycles` with uniform jitter of +/-
 * `jitter` (a fraction), from a per-vCPU Park-Miller generator in r12
 * (seeded from the vCPU number, so each vCPU has its own sequence). Local
 * ops only: no shared-memory access, no exit.
 */
export function jitteredWork(meanCycles: number, jitter: number): string {
  if (jitter <= 0 || meanCycles === 0) return `  work ${meanCycles}`;
  const low = Math.round(meanCycles * (1 - jitter));
  const span = Math.round(2 * jitter * meanCycles);
  return [
    '  mul r12, r12, 48271',
    '  mod r12, r12, 2147483647',
    '  shr r13, r12, 16',
    `  mul r13, r13, ${span}`,
    '  div r13, r13, 32768',
    `  add r13, r13, ${low}`,
    '  work r13',
  ].join('\n');
}

/**
 * Prologue that seeds r12 per vCPU (Park-Miller needs a state in
 * 1..2^31-2) from r14, which the host fills from the guest's named stream
 * `guest/<name>/vcpu<N>/seed`: different seeds give different jitter.
 */
export function seedPrologue(salt: number): string {
  return ['  vcpu r12', '  mul r12, r12, 7919', `  add r12, r12, ${salt % 100000}`, '  add r12, r12, r14', '  mod r12, r12, 2147483646', '  add r12, r12, 1'].join('\n');
}
