import type { Ns } from '../engine/time.js';

/**
 * Observer of the model's state changes, for traces. The host and vCPUs
 * call it only when one is attached, so an untraced run pays one null test.
 */
export interface Tracer {
  /** Thread `tid` starts running on `cpu` (after the switch-in cost), or -1 when the CPU goes idle. */
  run(cpu: number, tid: number, now: Ns): void;
  /** A running thread changes mode (ACC_GUEST .. ACC_HOST) on `cpu`. */
  mode(cpu: number, tid: number, mode: number, now: Ns): void;
  /** A VM exit of vCPU thread `tid` on `cpu`. */
  exit(cpu: number, tid: number, reason: string, now: Ns): void;
  /** A scenario timeline command took effect. */
  command(text: string, now: Ns): void;
}
