/**
 * Inputs of the views: plain, already-resolved data. A view never looks at
 * simulation state; whoever calls it (the scenario runner, a test) takes a
 * snapshot at some simulated time and hands it over.
 */
import type { CpuIdentity } from '../cpu/models/types.js';
import type { CpuPlace, GuestTopology } from '../topology/types.js';

/** One present vCPU of a guest, as QEMU and the guest kernel see it. */
export interface GuestCpuState {
  place: CpuPlace;
  /**
   * Online inside the guest. A present vCPU the guest took offline keeps its
   * /sys/devices/system/cpu/cpuN directory but leaves /proc/cpuinfo, because
   * show_cpuinfo() walks cpu_online_mask (arch/x86/kernel/cpu/proc.c).
   */
  online: boolean;
  /** QEMU's `halted` flag: the vCPU executed HLT and waits for an interrupt. */
  halted: boolean;
  /**
   * Guest program counter (CS base + RIP) as `info cpus` prints it. Kernel
   * addresses such as 0xffffffff81060eb6 exceed 2^53, so pass a bigint for
   * them; a number is accepted only when it is a safe integer.
   */
  pc: number | bigint;
  /** Host thread id (the LWP of `ps -L`) of the vCPU thread. */
  threadId: number;
  /**
   * Logical CPU number the guest kernel gave this vCPU. Linux hands a CPU
   * plugged for the first time the next free logical number
   * (arch/x86/kernel/apic/apic.c, generic_processor_info), so when omitted it
   * is the vCPU's position in `GuestViewInput.cpus`; set it only to model a
   * guest that unplugged CPUs before plugging others.
   */
  guestCpu?: number;
}

/** What the guest-side views need to know about one guest at one instant. */
export interface GuestViewInput {
  /** Guest name, used in error messages. */
  name: string;
  topology: GuestTopology;
  /**
   * Present vCPUs in the order QEMU created them: boot vCPUs by QEMU index,
   * then hot-plugged ones in plug order (QEMU appends to its CPU list, which
   * is the order `info cpus` walks).
   */
  cpus: GuestCpuState[];
  identity: CpuIdentity;
  /** `cpu MHz` of /proc/cpuinfo, printed with three decimals (kHz resolution). */
  mhz: number;
  /**
   * BogoMIPS as the guest calibrated it at boot. When omitted it is derived
   * from `mhz` the way a TSC-calibrated kernel with HZ=1000 gets it
   * (loops_per_jiffy = tsc_khz), truncated to two decimals.
   */
  bogomips?: number;
  /** `cache size` of /proc/cpuinfo, KB (0 hides the line, as Linux does). */
  cacheSizeKB: number;
  /** Cache sizes lscpu reads from /sys/devices/system/cpu/cpu0/cache, KB. */
  l1dKB: number;
  l1iKB: number;
  l2KB: number;
  /** L3 size, KB; QEMU reports one only with `l3-cache=on`. */
  l3KB?: number;
  /** Defaults to QEMU's `40 bits physical, 48 bits virtual`. */
  addressSizes?: string;
  /** Microcode revision; Linux prints the line only when it is non-zero. */
  microcode?: number;
  /**
   * `TLB size` in 4K pages. Linux reads it from AMD's CPUID leaf 0x80000006
   * (arch/x86/kernel/cpu/common.c, cpu_detect_cache_sizes); when omitted it
   * is 1024 for AMD-like vendors with xlevel >= 0x80000006 (QEMU's L2 DTLB +
   * ITLB of 512 entries each, target/i386/cpu.c) and absent otherwise.
   */
  tlbSize4K?: number;
  /**
   * The `bugs` line newer kernels print after `flags`. Omitted: no line, as
   * on the seed's RHEL 7 (3.10) guests.
   */
  bugs?: string[];
  /** Guest NUMA nodes as lists of guest CPU numbers; default one node 0. */
  numaNodes?: number[][];
  /** lscpu's `Hypervisor vendor:`; default `KVM`, `null` hides both hypervisor lines. */
  hypervisorVendor?: string | null;
}

/** One thread of the host as procps reads it from /proc/<pid>/task/<tid>. */
export interface HostThreadInfo {
  /** Real user name (RUSER). `ps -f` prints the effective user; simvm threads have one user. */
  ruser: string;
  /** Numeric uid; procps prints it instead of a name longer than the column. */
  uid?: number;
  pid: number;
  ppid: number;
  lwp: number;
  /** Processor the thread last ran on (PSR). */
  psr: number;
  /** Command line, or the thread name of a kernel thread. */
  args: string;
  /** Threads in the process (NLWP). */
  nlwp: number;
  /** STIME as procps prints it: `HH:MM` today, `MonDD` this year, else the year. */
  startTime: string;
  /** Controlling terminal (`pts/0`), empty for none (printed `?`). */
  tty: string;
  /** CPU time of this thread, seconds (user + system). */
  cpuTimeS: number;
  /** CPU time over elapsed time, percent; `C` prints it truncated and capped at 99. */
  cpuPercent: number;
  /** Kernel threads have no command line; procps prints `[name]`. */
  kernelThread: boolean;
}

/** One logical CPU of the host as its kernel numbers it. */
export interface HostLogicalCpu {
  /** Logical CPU number (`processor`). */
  cpu: number;
  /** Package (`physical id`). */
  socket: number;
  /** `core id` as the kernel reports it (unique within the socket, maybe sparse). */
  core: number;
  apicId: number;
  /** NUMA node, default 0. */
  node?: number;
  /** Default true. Offline CPUs leave /proc/cpuinfo and lscpu's topology counts. */
  online?: boolean;
}

/** The host's own CPUs, for its /proc/cpuinfo and lscpu. */
export interface HostCpuInput {
  cpus: HostLogicalCpu[];
  identity: CpuIdentity;
  mhz: number;
  bogomips?: number;
  cacheSizeKB: number;
  l1dKB?: number;
  l1iKB?: number;
  l2KB?: number;
  l3KB?: number;
  addressSizes?: string;
  microcode?: number;
  tlbSize4K?: number;
  bugs?: string[];
  /** Names printed after `power management:` (from CPUID 0x80000007 EDX). */
  powerManagement?: string[];
  /** lscpu's `CPU max MHz:` / `CPU min MHz:` (cpufreq), shown when given. */
  maxMhz?: number;
  minMhz?: number;
}
