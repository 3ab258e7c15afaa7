import type { Ns } from '../engine/time.js';
import type { Stream } from '../engine/rng.js';
import type { Program } from '../cpu/assembler.js';

/** How a port access is handled: in KVM (an in-kernel device or ioeventfd) or in QEMU user space. */
export interface PortHandler {
  /** true: KVM handles the exit; false: it goes on to QEMU (user mode). */
  inKernel: boolean;
  /** A guest `out` of `value` by guest CPU `cpu`, completed at `now`. */
  out?(value: number, cpu: number, now: Ns): void;
  /** A guest `in` by guest CPU `cpu` at `now`: the value read. */
  in?(cpu: number, now: Ns): number;
}

/**
 * What a guest offers its workload's devices: guest memory, interrupts, the
 * QEMU main loop, statistics. The host's Guest implements it; workloads
 * depend only on this interface.
 */
export interface WorkloadEnv {
  readonly name: string;
  readonly program: Program;
  readonly mem: Float64Array;
  /** Online vCPUs, in guest numbering. */
  online(): number;
  rng(stream: string): Stream;
  now(): Ns;
  /** Schedule a callback at a simulated time (device timers, arrivals). */
  at(time: Ns, fn: (now: Ns) => void): void;
  /** A device (DMA) writes guest memory: vCPUs spinning on it see the store. */
  write(addr: number, value: number, now: Ns): void;
  /** Raise an interrupt on guest CPU `cpu`. */
  interrupt(cpu: number, vector: number, now: Ns): void;
  /** Run `ns` of work on the QEMU main-loop thread, then `then`. */
  mainLoop(ns: Ns, then: (now: Ns) => void): void;
  port(port: number, h: PortHandler): void;
  /** Record a latency sample (ns) of a named distribution, if past warm-up. */
  latency(name: string, ns: Ns, now: Ns): void;
  /** Count an operation of a named counter, if past warm-up. */
  count(name: string, now: Ns, n?: number): void;
  /** Register a value read at the end of the run (e.g. requests still in flight). */
  gauge(name: string, read: () => number): void;
  /** Host TSC frequency, for converting times given in the scenario to cycles. */
  readonly freqHz: number;
}
