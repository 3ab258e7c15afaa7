/**
 * A guest's SMP topology as QEMU's `-smp` option describes it
 * (hw/core/machine-smp.c). `cpus` vCPUs are present at boot; up to
 * `maxcpus` can exist after hot-plug. sockets*dies*cores*threads == maxcpus.
 */
export interface GuestTopology {
  cpus: number;
  maxcpus: number;
  sockets: number;
  dies: number;
  cores: number;
  threads: number;
}

/** Where one logical CPU sits in a topology. */
export interface CpuPlace {
  /** QEMU's cpu index (the `#N` of `info cpus`, the id of `cpu-add N`). */
  index: number;
  socket: number;
  die: number;
  core: number;
  thread: number;
  /** x86 APIC id as QEMU assigns it (bit fields per level, widths rounded up to powers of two). */
  apicId: number;
}

/** A host's topology: sockets x cores x threads, optionally NUMA nodes. */
export interface HostTopology {
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
  numaNodes: number;
}

/** Where one host CPU sits: socket, core, SMT thread and NUMA node. */
export interface HostCpuPlace {
  socket: number;
  core: number;
  thread: number;
  node: number;
}
