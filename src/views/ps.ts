/**
 * procps `ps` over host threads: `ps -eLf`, `ps -eLo <columns>`, and the
 * shell pipelines the seed wraps around them (`grep`, `awk '$5==N'`,
 * `grep -e "^[[:blank:]]*N$" | wc -l`).
 *
 * Layout follows procps-ng ps/output.c (show_one_proc). Each column has a
 * width and a justification; a running pair of positions does the rest:
 *
 *   correct = where the column should start (sum of width + 1 so far)
 *   actual  = where the cursor is
 *   space   = correct - actual + leftpad, at least 1 between columns
 *
 * so a value wider than its column pushes the line right and the next
 * columns give back their padding until the line is on grid again.
 * Right-justified columns pad on the left (leftpad = width - length); user
 * names, left and unlimited columns do not. PID-like columns are as wide as
 * the largest pid: the digits of pid_max - 1 (get_pid_digits), at least the
 * header's width. Rows come in /proc order: by pid, then by thread id.
 */
import type { HostThreadInfo } from './types.js';

type Justify = 'user' | 'left' | 'right' | 'unlimited';

interface ColumnSpec {
  header: string;
  /** Width from procps' format_array; PID columns take it from pid_max. */
  width: number | 'pid';
  justify: Justify;
  value(t: HostThreadInfo, maxWidth: number): string;
}

/**
 * procps prints a user name only when it fits the column (do_pr_name);
 * otherwise the numeric id.
 */
function userName(t: HostThreadInfo, maxWidth: number): string {
  if (t.ruser.length <= maxWidth || t.uid === undefined) return t.ruser;
  return String(t.uid);
}

/** Kernel threads have an empty cmdline; procps shows `[comm]`. */
function commandLine(t: HostThreadInfo): string {
  if (!t.kernelThread || t.args.startsWith('[')) return t.args;
  return `[${t.args}]`;
}

/** pr_time: cumulative CPU time as [DD-]HH:MM:SS, whole seconds truncated. */
export function psTime(seconds: number): string {
  const t = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const dd = Math.floor(t / 86400);
  const hms = `${two(Math.floor(t / 3600) % 24)}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}`;
  return dd > 0 ? `${dd}-${hms}` : hms;
}

/** Columns simvm can fill, with procps' headers, widths and justification. */
const COLUMNS = {
  ruser: { header: 'RUSER', width: 8, justify: 'user', value: userName },
  user: { header: 'USER', width: 8, justify: 'user', value: userName },
  // `-f` prints the effective user under the UID header (format "uid_hack").
  uid_hack: { header: 'UID', width: 8, justify: 'user', value: userName },
  pid: { header: 'PID', width: 'pid', justify: 'right', value: (t) => String(t.pid) },
  ppid: { header: 'PPID', width: 'pid', justify: 'right', value: (t) => String(t.ppid) },
  lwp: { header: 'LWP', width: 'pid', justify: 'right', value: (t) => String(t.lwp) },
  tid: { header: 'TID', width: 'pid', justify: 'right', value: (t) => String(t.lwp) },
  spid: { header: 'SPID', width: 'pid', justify: 'right', value: (t) => String(t.lwp) },
  psr: { header: 'PSR', width: 3, justify: 'right', value: (t) => String(t.psr) },
  nlwp: { header: 'NLWP', width: 4, justify: 'right', value: (t) => String(t.nlwp) },
  // pr_c: integer %CPU over the thread's life, capped at 99.
  c: {
    header: 'C',
    width: 2,
    justify: 'right',
    value: (t) => String(Math.min(99, Math.max(0, Math.floor(t.cpuPercent)))),
  },
  stime: { header: 'STIME', width: 5, justify: 'right', value: (t) => t.startTime },
  tname: { header: 'TTY', width: 8, justify: 'left', value: (t) => t.tty || '?' },
  tty: { header: 'TT', width: 8, justify: 'left', value: (t) => t.tty || '?' },
  time: { header: 'TIME', width: 8, justify: 'right', value: (t) => psTime(t.cpuTimeS) },
  args: { header: 'COMMAND', width: 27, justify: 'unlimited', value: commandLine },
  cmd: { header: 'CMD', width: 27, justify: 'unlimited', value: commandLine },
  command: { header: 'COMMAND', width: 27, justify: 'unlimited', value: commandLine },
} satisfies Record<string, ColumnSpec>;

export type PsColumn = keyof typeof COLUMNS;

export interface PsOptions {
  /** /proc/sys/kernel/pid_max; sets the width of PID columns. Default 32768. */
  pidMax?: number;
  /** Print the header line (`ps --no-headers` turns it off). Default true. */
  headers?: boolean;
}

/** The `ps -f` column set with `-L` (sortformat.c, generate_sysv_list). */
const PS_F_L_COLUMNS: PsColumn[] = ['uid_hack', 'pid', 'ppid', 'lwp', 'c', 'nlwp', 'stime', 'tname', 'time', 'cmd'];

/** get_pid_digits(): digits of pid_max - 1; 5 when pid_max is unusable. */
export function pidDigits(pidMax = 32768): number {
  if (!Number.isInteger(pidMax) || pidMax < 42) return 5;
  return String(pidMax - 1).length;
}

function resolveColumns(columns: readonly string[]): PsColumn[] {
  return columns.map((name) => {
    if (!Object.hasOwn(COLUMNS, name)) {
      throw new Error(`ps: unknown user-defined format specifier "${name}"`);
    }
    return name as PsColumn;
  });
}

function renderPs(threads: readonly HostThreadInfo[], columns: readonly PsColumn[], options: PsOptions): string[] {
  const digits = pidDigits(options.pidMax);
  const specs: { spec: ColumnSpec; width: number }[] = columns.map((name) => {
    const spec: ColumnSpec = COLUMNS[name];
    const width = spec.width === 'pid' ? Math.max(digits, spec.header.length) : spec.width;
    return { spec, width };
  });

  const layout = (cells: readonly string[]): string => {
    let correct = 0;
    let actual = 0;
    let dospace = 0;
    let out = '';
    cells.forEach((text, i) => {
      const { spec, width } = specs[i];
      const leftpad = spec.justify === 'right' ? Math.max(0, width - text.length) : 0;
      let space = correct - actual + leftpad;
      if (space < 1) space = dospace;
      out += ' '.repeat(space) + text;
      actual += space + text.length;
      correct += width + 1;
      dospace = 1;
    });
    return out;
  };

  const rows = [...threads].sort((a, b) => a.pid - b.pid || a.lwp - b.lwp);
  const lines = rows.map((t) =>
    layout(
      specs.map(({ spec, width }, i) =>
        spec.value(t, i === specs.length - 1 || spec.justify === 'unlimited' ? Infinity : width),
      ),
    ),
  );
  if (options.headers ?? true) lines.unshift(layout(specs.map(({ spec }) => spec.header)));
  return lines;
}

function joinLines(lines: readonly string[]): string {
  return lines.map((l) => `${l}\n`).join('');
}

/**
 * `ps -eLf`, optionally piped through `grep FILTER` (a fixed string; the
 * header survives only if it contains it, as with real grep).
 */
export function psEfL(threads: readonly HostThreadInfo[], filter?: string, options: PsOptions = {}): string {
  const lines = renderPs(threads, PS_F_L_COLUMNS, options);
  return joinLines(filter === undefined ? lines : lines.filter((l) => l.includes(filter)));
}

/** `ps -eLo ruser,pid,ppid,lwp,psr,args` (or any columns simvm knows). */
export function psELo(
  threads: readonly HostThreadInfo[],
  columns: readonly string[] | string = ['ruser', 'pid', 'ppid', 'lwp', 'psr', 'args'],
  options: PsOptions = {},
): string {
  const names = typeof columns === 'string' ? columns.split(',') : columns;
  return joinLines(renderPs(threads, resolveColumns(names), options));
}

/** `ps -eLo psr | grep -e "^[[:blank:]]*N$" | wc -l`: threads last run on CPU N. */
export function countPsr(threads: readonly HostThreadInfo[], cpu: number, options: PsOptions = {}): number {
  const pattern = new RegExp(`^[ \\t]*${cpu}$`);
  return renderPs(threads, ['psr'], options).filter((l) => pattern.test(l)).length;
}

/** `grep [-v] PATTERN` with a fixed-string pattern over a text of lines. */
export function grepLines(text: string, pattern: string, invert = false): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return joinLines(lines.filter((l) => l.includes(pattern) !== invert));
}

/** awk's strnum test: a field that looks like a number compares numerically. */
function looksNumeric(field: string): boolean {
  return /^[ \t]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[ \t]*$/.test(field);
}

/**
 * `awk '{if($N==VALUE) print $0}'`: fields split on blanks; a numeric-looking
 * field is compared as a number, anything else as a string.
 */
export function awkFieldEquals(text: string, field: number, value: number | string): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const keep = lines.filter((l) => {
    const f = l.split(/[ \t]+/).filter((w) => w !== '')[field - 1] ?? '';
    if (typeof value === 'number' && looksNumeric(f)) return Number(f) === value;
    return f === String(value);
  });
  return joinLines(keep);
}
