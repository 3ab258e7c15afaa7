/**
 * The host kernel's fair scheduler by Linux version (`host.kernel:`).
 *
 *   2.6.38 - 6.5   CFS. kernel/sched/fair.c (kernel/sched_fair.c before 3.3):
 *                  sysctl_sched_latency            = 6 ms   * factor
 *                  sysctl_sched_min_granularity    = 0.75 ms * factor
 *                  sysctl_sched_wakeup_granularity = 1 ms   * factor
 *                  unchanged from 2.6.38 (when the log scaling made them
 *                  "default: 6ms * (1 + ilog(ncpus))") to 6.5.
 *   6.6 - 6.14     EEVDF (commit 147f3efaa241 "sched/fair: Implement an
 *                  EEVDF-like scheduling policy", 6.6): the three CFS
 *                  tunables give way to sysctl_sched_base_slice = 0.75 ms * factor.
 *   6.15 on        base_slice = 0.70 ms * factor (fair.c, "sched: Reduce the
 *                  default slice to avoid tasks getting an extra tick").
 *
 * factor = 1 + ilog2(min(ncpus, 8)) throughout (get_update_sysctl_factor,
 * SCHED_TUNABLESCALING_LOG). A kernel newer than simvm knows follows the
 * newest rule here. Kernels before 3.10 (RHEL 7) are not modelled.
 */
import type { Ns } from '../engine/time.js';
import { tunableFactor } from './cfs.js';
import { atLeast, HintedError, type MajorMinor } from '../util/version.js';

export type KernelRelease = MajorMinor;

export interface KernelScheduler {
  kind: 'cfs' | 'eevdf';
  /** EEVDF only: sysctl_sched_base_slice for this many CPUs. Units: ns. */
  baseSliceNs?: Ns;
}

/** `6.8`, `5.14.0-427.el9_4.x86_64`, `3.10.0-1160.el7`: the major and minor numbers lead. */
export const KERNEL_PATTERN = /^(\d{1,2})\.(\d{1,3})(?:\.\d+)?(?:[-+~_.][A-Za-z0-9._+~-]*)?$/;

export class KernelError extends HintedError {}

export function parseKernel(text: string): KernelRelease {
  const m = KERNEL_PATTERN.exec(text);
  if (!m) throw new KernelError(`"${text}" is not a Linux version`, 'write it as uname -r prints it, e.g. "6.8" or "5.14.0-427.el9"');
  const k = { major: Number(m[1]), minor: Number(m[2]) };
  if (!atLeast(k, 3, 10)) throw new KernelError(`Linux ${k.major}.${k.minor} is older than simvm models`, 'simvm models host kernels from 3.10 (RHEL 7) on');
  return k;
}


/** The fair scheduler and its default tunables of kernel `k` on `ncpus` CPUs. */
export function kernelScheduler(k: KernelRelease, ncpus: number): KernelScheduler {
  if (!atLeast(k, 6, 6)) return { kind: 'cfs' };
  const base = atLeast(k, 6, 15) ? 700_000 : 750_000;
  return { kind: 'eevdf', baseSliceNs: base * tunableFactor(ncpus) };
}
