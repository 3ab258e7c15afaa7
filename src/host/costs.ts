/**
 * Exit reasons, as KVM names them (VMX basic exit reasons; `perf kvm stat`
 * prints these names).
 */
export const EXIT_REASONS = [
  'EXTERNAL_INTERRUPT',
  'HLT',
  'IO_INSTRUCTION',
  'CPUID',
  'MSR_READ',
  'MSR_WRITE',
  'VMCALL',
  'PAUSE_INSTRUCTION',
  'APIC_ACCESS',
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];
export const EXIT_INDEX: Record<ExitReason, number> = Object.fromEntries(EXIT_REASONS.map((r, i) => [r, i])) as Record<ExitReason, number>;

/**
 * Cost of each exit, in host TSC cycles for the round trip guest → handler →
 * guest (what kvm-unit-tests x86/vmexit.c measures). See
 * shared/docs/calibration.md for the sources.
 */
export interface ExitCosts {
  /** vmcall round trip: ~1,530-1,560 cycles on Skylake-SP (KVM list, 2020, "Micro-optimize vmexit time when not exposing PMU"). The bare exit cost other entries build on. */
  vmcallCycles: number;
  /** cpuid: ~1,020-1,100 cycles (KVM list, 2024, "Drop the kvm_has_noapic_vcpu optimization"). */
  cpuidCycles: number;
  /** Port I/O emulated in KVM: 7,237 vs vmcall 3,898 on the 2012 machine of kvm-unit-tests commit 00bfecaaa5a4; the ratio 1.86 scaled to the Skylake vmcall. */
  ioKvmCycles: number;
  /** Extra cost of an exit that goes on to QEMU in user space: inl_from_qemu 20,574 - inl_from_kernel 7,237 = 13,337 on the same 2012 machine; ratio to vmcall 3.42 scaled to Skylake. */
  qemuExtraCycles: number;
  /** MSR read/write handled in KVM: a plain exit round trip (~vmcall). */
  msrCycles: number;
  /** IPI send + handle with the target running: ~3,300-4,200 cycles on Skylake-SP ("Ultra fast single target IPI fastpath", 2020). */
  ipiCycles: number;
  /** TSC-deadline timer programming: ~5,300-5,800 cycles on Skylake-SP (tscdeadline fastpath patches, 2020). */
  tscDeadlineCycles: number;
  /** HLT exit before KVM decides to poll or block: a plain exit round trip (~vmcall). */
  hltCycles: number;
  /** External-interrupt exit for a host interrupt (the host tick) while in guest mode: a plain exit round trip (~vmcall). */
  externalInterruptCycles: number;
  /** PAUSE-loop exit plus the kvm_vcpu_on_spin scan: a plain exit round trip (~vmcall). */
  pleCycles: number;
  /**
   * IPI through the xAPIC MMIO page (no x2APIC in the guest's CPU model): an
   * APIC-access exit whose instruction KVM must decode and emulate, instead
   * of the x2APIC MSR fast path. Assumed twice the x2APIC IPI cost.
   */
  apicAccessCycles: number;
}

export const DEFAULT_EXIT_COSTS: ExitCosts = {
  vmcallCycles: 1_550,
  cpuidCycles: 1_100,
  ioKvmCycles: 2_880,
  qemuExtraCycles: 5_300,
  msrCycles: 1_550,
  ipiCycles: 3_800,
  tscDeadlineCycles: 5_500,
  hltCycles: 1_550,
  externalInterruptCycles: 1_550,
  pleCycles: 1_550,
  apicAccessCycles: 7_600,
};

/** Host kernel costs outside KVM. */
export interface HostCosts {
  /**
   * Direct cost of a context switch between threads. lmbench lat_ctx reports
   * 1-3 us on current x86 for small working sets; Li, Ding and Shen,
   * "Quantifying the cost of context switch" (ExpCS 2007) measured 3.8 us.
   */
  contextSwitchNs: number;
  /** Host timer-tick handler (scheduler_tick and friends), ~1-2 us (assumption; not calibrated). */
  tickNs: number;
}

export const DEFAULT_HOST_COSTS: HostCosts = { contextSwitchNs: 2_000, tickNs: 1_000 };

/**
 * Cache-warmth model of a thread that changes CPU. A thread's working set
 * decays from a CPU's caches as others run there: warmth = exp(-idle / decay).
 * Moving to a CPU that does not share the core's private caches refills the
 * private part from the socket's shared LLC; moving to another socket
 * refills everything from remote memory. Model assumptions, documented in
 * docs/model.md; the bandwidths are of the order STREAM reports per core.
 */
export interface CacheModel {
  /** Private (L1+L2) working set of a vCPU thread, bytes. */
  privateBytes: number;
  /** LLC working set that follows a thread across sockets, bytes. */
  llcBytes: number;
  /** Refill bandwidth from the socket's shared LLC, bytes per ns (20 GB/s). */
  llcBytesPerNs: number;
  /** Refill bandwidth from another socket's memory, bytes per ns (8 GB/s). */
  remoteBytesPerNs: number;
  /** Time constant of warmth decay after a thread leaves a CPU, ns. */
  decayNs: number;
}

export const DEFAULT_CACHE: CacheModel = {
  privateBytes: 512 * 1024,
  llcBytes: 4 * 1024 * 1024,
  llcBytesPerNs: 20,
  remoteBytesPerNs: 8,
  decayNs: 2_000_000,
};
