/**
 * The QEMU monitor's `info cpus` (hmp_info_cpus).
 *
 * QEMU walks its CPU list in creation order and marks with `*` the monitor's
 * current CPU: the one chosen with the HMP `cpu N` command, else the first
 * CPU (mon_get_cpu falls back to first_cpu), which is the BSP. Numbers are
 * QEMU cpu indexes, so a CPU added with `cpu-add 7` shows as #7.
 *
 * Three formats exist, one per QEMU era (src/topology/machines.ts says which
 * release prints which):
 *   query-cpus        (QEMU <= 2.11, the chapter's 2.7): "%c CPU #%d: pc=0x%016x[ (halted)] thread_id=%d"
 *   query-cpus-fast   (2.12 - 10.0, which stopped interrupting vCPUs to read
 *                     their registers): "%c CPU #%d: thread_id=%d"
 *   query-cpus-model  (10.1 on, hw/core/machine-hmp-cmds.c): "%c CPU #%d: thread_id=%d model=%s",
 *                     the model being the -cpu name (cpu_model_from_type() of the QOM type)
 */
import type { GuestCpuState } from './types.js';
import type { InfoCpusFormat } from '../topology/machines.js';

export type { InfoCpusFormat };

export interface InfoCpusOptions {
  format?: InfoCpusFormat;
  /** The -cpu model name, for the query-cpus-model format. */
  model?: string;
  /** QEMU index selected with the monitor's `cpu N`; default the first CPU. */
  monitorCpu?: number;
}

/** `0x%016` PRIx64 of a guest address; numbers must be exact. */
function hex64(pc: number | bigint): string {
  if (typeof pc === 'number' && !Number.isSafeInteger(pc)) {
    throw new RangeError(`pc ${pc} is not exact as a number; pass kernel addresses as bigint`);
  }
  const value = BigInt.asUintN(64, BigInt(pc));
  return `0x${value.toString(16).padStart(16, '0')}`;
}

export function infoCpus(input: { cpus: readonly GuestCpuState[] }, options: InfoCpusOptions = {}): string {
  const { cpus } = input;
  if (cpus.length === 0) return '';
  const format = options.format ?? 'query-cpus';
  const current = options.monitorCpu ?? cpus[0].place.index;
  let out = '';
  for (const cpu of cpus) {
    const mark = cpu.place.index === current ? '*' : ' ';
    out += `${mark} CPU #${cpu.place.index}:`;
    if (format === 'query-cpus') {
      out += ` pc=${hex64(cpu.pc)}`;
      if (cpu.halted) out += ' (halted)';
    }
    out += ` thread_id=${cpu.threadId}`;
    if (format === 'query-cpus-model') out += ` model=${options.model ?? 'qemu64'}`;
    out += '\n';
  }
  return out;
}
