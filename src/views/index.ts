/**
 * Text views of guests and host, each a pure function from a snapshot to
 * the exact text the real tool prints.
 *
 *   guest:  procCpuinfo, cpuInfoSh, lscpu, lsSysCpu
 *   QEMU:   infoCpus
 *   host:   hostProcCpuinfo, hostLscpu, psEfL, psELo, countPsr, perfKvmStatReport
 */
export type { GuestCpuState, GuestViewInput, HostCpuInput, HostLogicalCpu, HostThreadInfo } from './types.js';
export { procCpuinfo, hostProcCpuinfo } from './proccpuinfo.js';
export { cpuInfoSh } from './cpuinfosh.js';
export { lscpu, hostLscpu } from './lscpu.js';
export { lsSysCpu, lsColumns, sysCpuEntries, hasMicrocodeDriver, type LsOptions } from './sysfs.js';
export { infoCpus, type InfoCpusFormat, type InfoCpusOptions } from './monitor.js';
export {
  psEfL,
  psELo,
  countPsr,
  grepLines,
  awkFieldEquals,
  psTime,
  pidDigits,
  type PsColumn,
  type PsOptions,
} from './ps.js';
export {
  guestLogicalCpus,
  hostLogicalCpus,
  linuxTopologyIds,
  cpulist,
  formatMhz,
  formatBogomips,
  type LogicalCpu,
  type GuestLogicalCpu,
} from './cpus.js';
export { perfKvmStatReport, mergeExitStat, relStddev, type KvmExitStat, type KvmStatInput, type KvmStatOptions } from './kvmstat.js';
