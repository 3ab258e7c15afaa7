import type { HostCpuPlace } from './types.js';

/** The parts of a scenario's `host:` section that say where its CPUs are. */
export interface HostPlacesInput {
  cpus?: number;
  topology?: { sockets: number; cores: number; threads: number; numa_nodes: number };
  /** Read from a host file (host.from): taken as they are. */
  places?: HostCpuPlace[];
}

/**
 * Host CPU numbering as Linux enumerates a typical x86 server: the first
 * thread of every core across sockets first, then the second threads, so
 * cpu N and cpu N + sockets*cores are SMT siblings.
 */
export function hostPlaces(h: HostPlacesInput): HostCpuPlace[] {
  if (h.places) return h.places;
  const t = h.topology;
  const given = t !== undefined;
  const sockets = given ? t.sockets : 1;
  const cores = given ? t.cores : (h.cpus ?? 0);
  const threads = given ? t.threads : 1;
  const nodes = given ? t.numa_nodes : 1;
  const places: HostCpuPlace[] = [];
  for (let th = 0; th < threads; th++)
    for (let s = 0; s < sockets; s++)
      for (let c = 0; c < cores; c++) places.push({ socket: s, core: c, thread: th, node: Math.floor((s * nodes) / sockets) });
  return places;
}
