import { KTHREADS, kthreadPid } from './kthreads.js';

/** First pid of background processes (after the kernel threads of up to 256 CPUs). */
const FIRST_BACKGROUND_PID = 1500;
/** First pid of QEMU processes; kernel threads and system daemons come before. */
const FIRST_QEMU_PID = 2000;
/** Room for each QEMU process's threads before the next process's pid. */
const PID_STRIDE_MIN = 16;

/** What the host's pid numbering depends on. */
export interface PidInput {
  ncpus: number;
  kthreads: boolean;
  /** Background process declarations, in order (each `count` processes). */
  background: readonly { count: number }[];
  /** Guest declarations, in order (each `count` QEMU processes of `cpus` vCPUs at boot, up to `maxcpus`). */
  guests: readonly { count: number; cpus: number; maxcpus: number }[];
}

/** pids the host hands out: the first background process, and each QEMU process in declaration order (`count` expanded). */
export interface PidPlan {
  backgroundPid: number;
  qemuPids: number[];
}

/**
 * The pid numbering of a run, known before the model is built, so input
 * checks and the builder agree on it: kernel threads from 7 (kthreadPid),
 * background processes from 1500, QEMU processes from 2000, each with room
 * for its threads (main, call_rcu, then one per vCPU, cpu-add included).
 */
export function pidPlan(p: PidInput): PidPlan {
  const backgroundPid = Math.max(FIRST_BACKGROUND_PID, 7 + 5 * p.ncpus + 100);
  const nBackground = p.background.reduce((a, b) => a + b.count, 0);
  let pid = Math.max(FIRST_QEMU_PID, backgroundPid + nBackground + 100);
  const qemuPids: number[] = [];
  for (const g of p.guests) {
    for (let k = 1; k <= g.count; k++) {
      qemuPids.push(pid);
      pid += Math.max(PID_STRIDE_MIN, g.maxcpus + 8);
    }
  }
  return { backgroundPid, qemuPids };
}

/** Every thread id present when the run starts (what `ps -eL` lists before any cpu-add). */
export function bootTids(p: PidInput): Set<number> {
  const plan = pidPlan(p);
  const tids = new Set<number>();
  if (p.kthreads) for (let c = 0; c < p.ncpus; c++) for (let k = 0; k < KTHREADS.length; k++) tids.add(kthreadPid(c, k));
  const nBackground = p.background.reduce((a, b) => a + b.count, 0);
  for (let i = 0; i < nBackground; i++) tids.add(plan.backgroundPid + i);
  let j = 0;
  for (const g of p.guests) {
    for (let k = 1; k <= g.count; k++, j++) {
      // main loop (tid == pid), call_rcu, then one thread per boot vCPU.
      for (let t = 0; t < 2 + g.cpus; t++) tids.add(plan.qemuPids[j] + t);
    }
  }
  return tids;
}
