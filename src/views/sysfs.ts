/**
 * `ls /sys/devices/system/cpu/` inside the guest.
 *
 * One cpuN directory per present CPU (topology_init registers
 * for_each_present_cpu; an offline CPU keeps its directory), numbered as the
 * guest numbers them, plus the files and directories of a RHEL 7 (3.10)
 * guest as the seed lists them. `microcode` exists when the microcode driver
 * registered (arch/x86/kernel/cpu/microcode/core.c, microcode_core.c in
 * older trees): on Intel, and on AMD only from family 0x10 on
 * (init_amd_microcode refuses older families), so the AuthenticAMD qemu64
 * (family 6) guest of the seed has none.
 */
import type { CpuIdentity } from '../cpu/models/types.js';
import { guestLogicalCpus } from './cpus.js';
import type { GuestViewInput } from './types.js';

/** Entries of a 3.10 guest's /sys/devices/system/cpu besides cpuN and microcode. */
const SYS_CPU_ENTRIES = [
  'cpuidle',
  'isolated',
  'kernel_max',
  'modalias',
  'nohz_full',
  'offline',
  'online',
  'possible',
  'power',
  'present',
  'uevent',
];

export interface LsOptions {
  /** Force the microcode directory on or off (kernels differ under a hypervisor). */
  microcode?: boolean;
  /** Further entries of newer kernels (`hotplug`, `smt`, `vulnerabilities`). */
  extraEntries?: string[];
  /**
   * Terminal width for `ls -C` columns. Default: unlimited, which prints one
   * line with two spaces between names, as a wide terminal does.
   */
  width?: number;
}

/** Whether Linux's microcode driver registers for this CPU. */
export function hasMicrocodeDriver(identity: CpuIdentity): boolean {
  if (identity.vendor === 'GenuineIntel') return true;
  if (identity.vendor === 'AuthenticAMD') return identity.family >= 0x10;
  return false;
}

/** Byte order, as `ls` sorts in the C locale (the same order en_US gives these names). */
function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * GNU ls's many-per-line layout (ls.c, calculate_columns and
 * print_many_per_line, sorted down the columns). For each candidate column
 * count, names fill the columns top to bottom (rows = ceil(n / cols)); a
 * column is as wide as its longest name plus two, except the nominal last
 * column, and never narrower than MIN_COLUMN_WIDTH = 3. The most columns
 * whose total stays below `width` win. The last name of a row is not padded.
 * Alignment uses spaces, as `ls -T 0` prints.
 */
export function lsColumns(names: readonly string[], width = Infinity): string {
  const n = names.length;
  if (n === 0) return '';
  const MIN_COLUMN_WIDTH = 3;
  const maxCols = Math.max(1, Math.min(n, Math.floor(width / MIN_COLUMN_WIDTH)));
  const layout = (cols: number): number[] => {
    const rows = Math.ceil(n / cols);
    const widths = new Array<number>(cols).fill(MIN_COLUMN_WIDTH);
    names.forEach((name, i) => {
      const col = Math.floor(i / rows);
      widths[col] = Math.max(widths[col], name.length + (col === cols - 1 ? 0 : 2));
    });
    return widths;
  };
  let cols = maxCols;
  while (cols > 1 && layout(cols).reduce((a, b) => a + b, 0) >= width) cols--;
  const widths = layout(cols);
  const rows = Math.ceil(n / cols);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let text = '';
    for (let i = r, col = 0; i < n; i += rows, col++) {
      text += i + rows < n ? names[i].padEnd(widths[col]) : names[i];
    }
    lines.push(text);
  }
  return lines.join('\n') + '\n';
}

/** The names `ls /sys/devices/system/cpu/` lists, sorted. */
export function sysCpuEntries(input: GuestViewInput, options: LsOptions = {}): string[] {
  const cpus = guestLogicalCpus(input).map((c) => `cpu${c.cpu}`);
  const microcode = options.microcode ?? hasMicrocodeDriver(input.identity);
  const names = [...cpus, ...SYS_CPU_ENTRIES, ...(microcode ? ['microcode'] : []), ...(options.extraEntries ?? [])];
  return names.sort(byteCompare);
}

export function lsSysCpu(input: GuestViewInput, options: LsOptions = {}): string {
  return lsColumns(sysCpuEntries(input, options), options.width);
}
