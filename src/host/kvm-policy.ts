/**
 * KVM's adaptive windows, as pure functions of their state and module
 * parameters: the pause-loop-exiting window and halt polling. The vCPU
 * (vcpu.ts) keeps the state and calls these at a PLE exit and after a halt.
 */
import type { Ns } from '../engine/time.js';

/**
 * grow_ple_window after a pause-loop exit (arch/x86/kvm/vmx/vmx.c,
 * __grow_ple_window; kvm_intel ple_window_grow, ple_window_max):
 *
 *   grow < 1:           w' = ple_window (growing disabled)
 *   grow < threshold:   w' = min(w * grow, ple_window_max)
 *   otherwise:          w' = min(w + grow, ple_window_max)
 *
 * The kernel's threshold is the base window (ple_window, 4096 by default);
 * simvm's is 1000. Both multiply for the default grow of 2; they differ only
 * for 1000 <= ple_window_grow < ple_window.
 */
export function grownPleWindow(window: number, base: number, grow: number, max: number): number {
  return Math.min(max, grow < 1 ? base : grow < 1000 ? window * grow : window + grow);
}

/**
 * kvm_vcpu_halt's adaptation of halt_poll_ns after a halt that blocked for
 * `blockNs` (virt/kvm/kvm_main.c; halt_poll_ns = `max`):
 *
 *   blockNs <= poll:                   poll' = poll (the poll would have caught it)
 *   poll > 0 and blockNs > max:        poll' = 0 (shrink_halt_poll_ns, halt_poll_ns_shrink = 0)
 *   poll < max and blockNs < max:      poll' = min(max, max(poll * grow, grow_start))  (grow_halt_poll_ns)
 *   otherwise:                         poll' = poll
 *
 * `max` <= 0 disables polling (and adaptation).
 */
export function adaptedHaltPoll(poll: Ns, blockNs: Ns, max: Ns, grow: number, growStart: Ns): Ns {
  if (max <= 0) return poll;
  if (blockNs <= poll) return poll;
  if (poll && blockNs > max) return 0;
  if (poll < max && blockNs < max) {
    const grown = poll * grow;
    return Math.min(max, grown < growStart ? growStart : grown);
  }
  return poll;
}

/**
 * The guest's cpuidle haltpoll governor after an idle period of `idleNs`
 * (drivers/cpuidle/governors/haltpoll.c; guest_halt_poll_ns = `max`,
 * guest_halt_poll_grow_start 50 us, grow and shrink by 2):
 *
 *   idleNs > max:       poll' = floor(poll / 2)
 *   idleNs > poll:      poll' = min(max, max(50 us, poll * 2))
 *   otherwise:          poll' = poll
 */
export function adaptedGuestPoll(poll: Ns, idleNs: Ns, max: Ns): Ns {
  if (max <= 0) return poll;
  if (idleNs > max) return Math.floor(poll / 2);
  if (idleNs > poll) return Math.min(max, Math.max(50_000, poll * 2));
  return poll;
}
