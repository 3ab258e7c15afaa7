/**
 * `lscpu` in the layout of util-linux 2.23 (RHEL 7, the seed's guests):
 * every line is printf("%-23s%s\n", key, value), so values start at column
 * 24. Later util-linux releases print through libsmartcols with another
 * alignment; simvm follows the seed.
 *
 * Where each line comes from (sys-utils/lscpu.c, print_summary):
 *   CPU(s)              cpus in /sys/devices/system/cpu/present
 *   On-line CPU(s) list /sys/devices/system/cpu/online, as a util-linux cpulist
 *   Off-line CPU(s)     present but not online, shown only if there are any
 *   Thread(s) per core  online CPUs / distinct thread_siblings sets
 *   Core(s) per socket  distinct thread_siblings sets / distinct core_siblings sets
 *   Socket(s)           distinct core_siblings sets
 *   (topology files exist only for online CPUs, so offline ones do not count)
 *   Vendor ID .. BogoMIPS   the first CPU's /proc/cpuinfo fields
 *   Virtualization      AMD-V for the `svm` flag, VT-x for `vmx`
 *   Hypervisor vendor   CPUID leaf 0x40000000 ("KVMKVMKVM" -> KVM), type full
 *   Lx cache            /sys/devices/system/cpu/cpu0/cache/index*, by name
 *   NUMA nodeN CPU(s)   /sys/devices/system/node/nodeN/cpulist
 */
import type { CpuIdentity } from '../cpu/models/types.js';
import {
  cpulist,
  formatBogomips,
  formatMhz,
  guestLogicalCpus,
  hostLogicalCpus,
  type LogicalCpu,
} from './cpus.js';
import type { GuestViewInput, HostCpuInput } from './types.js';

/** Key column width of util-linux 2.23's print_s(). */
const KEY_WIDTH = 23;

interface LscpuFacts {
  identity: CpuIdentity;
  cpus: readonly LogicalCpu[];
  mhz: number;
  bogomips?: number;
  maxMhz?: number;
  minMhz?: number;
  hypervisorVendor: string | null;
  /** NUMA node ids present in /sys/devices/system/node (a node may have no online CPU). */
  nodes: number[];
  caches: { name: string; kb?: number }[];
}

function line(key: string, value: string | number): string {
  return `${key.padEnd(KEY_WIDTH)}${value}\n`;
}

function renderLscpu(f: LscpuFacts): string {
  const { identity } = f;
  const online = f.cpus.filter((c) => c.online);
  const offline = f.cpus.filter((c) => !c.online);
  // A 64-bit kernel needs long mode; lscpu derives the op-modes from `lm`.
  const longMode = identity.flags.includes('lm');
  const nthreads = online.length;
  const ncores = new Set(online.map((c) => `${c.physicalId}/${c.coreId}`)).size;
  const nsockets = new Set(online.map((c) => c.physicalId)).size;

  let out = '';
  out += line('Architecture:', longMode ? 'x86_64' : 'i686');
  out += line('CPU op-mode(s):', longMode ? '32-bit, 64-bit' : '32-bit');
  out += line('Byte Order:', 'Little Endian');
  out += line('CPU(s):', f.cpus.length);
  out += line('On-line CPU(s) list:', cpulist(online.map((c) => c.cpu)));
  if (offline.length > 0) out += line('Off-line CPU(s) list:', cpulist(offline.map((c) => c.cpu)));
  if (nsockets > 0) {
    out += line('Thread(s) per core:', Math.floor(nthreads / ncores));
    out += line('Core(s) per socket:', Math.floor(ncores / nsockets));
    out += line('Socket(s):', nsockets);
  }
  const { nodes } = f;
  out += line('NUMA node(s):', nodes.length);
  out += line('Vendor ID:', identity.vendor);
  out += line('CPU family:', identity.family);
  out += line('Model:', identity.model);
  out += line('Model name:', identity.modelId);
  out += line('Stepping:', identity.stepping);
  // Linux prints `cpu MHz` only for CPUs with a TSC; lscpu copies what is there.
  if (identity.flags.includes('tsc')) out += line('CPU MHz:', formatMhz(f.mhz));
  if (f.maxMhz !== undefined) out += line('CPU max MHz:', f.maxMhz.toFixed(4));
  if (f.minMhz !== undefined) out += line('CPU min MHz:', f.minMhz.toFixed(4));
  out += line('BogoMIPS:', formatBogomips(f.mhz, f.bogomips));
  if (identity.flags.includes('svm')) out += line('Virtualization:', 'AMD-V');
  else if (identity.flags.includes('vmx')) out += line('Virtualization:', 'VT-x');
  if (f.hypervisorVendor !== null) {
    out += line('Hypervisor vendor:', f.hypervisorVendor);
    out += line('Virtualization type:', 'full');
  }
  for (const cache of f.caches) {
    if (cache.kb !== undefined && cache.kb > 0) out += line(`${cache.name} cache:`, `${cache.kb}K`);
  }
  for (const node of nodes) {
    out += line(`NUMA node${node} CPU(s):`, cpulist(online.filter((c) => c.node === node).map((c) => c.cpu)));
  }
  return out;
}

/** `lscpu` inside the guest. */
export function lscpu(input: GuestViewInput): string {
  return renderLscpu({
    identity: input.identity,
    cpus: guestLogicalCpus(input),
    mhz: input.mhz,
    bogomips: input.bogomips,
    hypervisorVendor: input.hypervisorVendor === undefined ? 'KVM' : input.hypervisorVendor,
    nodes: input.numaNodes && input.numaNodes.length > 0 ? input.numaNodes.map((_, i) => i) : [0],
    caches: [
      { name: 'L1d', kb: input.l1dKB },
      { name: 'L1i', kb: input.l1iKB },
      { name: 'L2', kb: input.l2KB },
      { name: 'L3', kb: input.l3KB },
    ],
  });
}

/** `lscpu` on the host (bare metal: no hypervisor lines). */
export function hostLscpu(input: HostCpuInput): string {
  return renderLscpu({
    identity: input.identity,
    cpus: hostLogicalCpus(input),
    mhz: input.mhz,
    bogomips: input.bogomips,
    maxMhz: input.maxMhz,
    minMhz: input.minMhz,
    hypervisorVendor: null,
    nodes: [...new Set(input.cpus.map((c) => c.node ?? 0))].sort((a, b) => a - b),
    caches: [
      { name: 'L1d', kb: input.l1dKB },
      { name: 'L1i', kb: input.l1iKB },
      { name: 'L2', kb: input.l2KB },
      { name: 'L3', kb: input.l3KB },
    ],
  });
}
