/**
 * The seed's `cpu-info.sh` (§2.2), run on a /proc/cpuinfo text.
 *
 * Each step applies the script's own pipeline to the text rather than
 * computing the "right" answer, so its quirks survive: it counts every line
 * containing `processor` (a `model name` such as kvm64's "Common KVM
 * processor" counts too), counts distinct `core id` lines across all
 * packages, and compares the two numbers with `[ -gt ]`, which fails into
 * the final `else` when `siblings` has more than one distinct value.
 *
 * The seed prints the siblings step as `awk- F: '{print $2}'`; the outputs it
 * shows can only come from `awk -F: '{print $2}'`, which is what runs here.
 * Only stdout is returned; `[` and `expr` complaints go to stderr.
 */

/** `cat /proc/cpuinfo | grep PATTERN` (fixed string, optionally -i). */
function grep(lines: readonly string[], pattern: string, ignoreCase = false): string[] {
  if (!ignoreCase) return lines.filter((l) => l.includes(pattern));
  const p = pattern.toLowerCase();
  return lines.filter((l) => l.toLowerCase().includes(p));
}

/** `| sort | uniq`: distinct lines in byte order. */
function sortUniq(lines: readonly string[]): string[] {
  return [...new Set(lines)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Words of an unquoted `$var` after the shell splits it on IFS. */
function words(value: string): string[] {
  return value.split(/[ \t\n]+/).filter((w) => w !== '');
}

/**
 * The integer `[ $var -op ... ]` sees, or null when test(1) would fail with
 * an error (no operand, several operands, not an integer): status 2, so the
 * `if` falls through to the next branch.
 */
function testOperand(value: string): number | null {
  const w = words(value);
  return w.length === 1 && /^[+-]?\d+$/.test(w[0]) ? Number(w[0]) : null;
}

export function cpuInfoSh(procCpuinfoText: string): string {
  const lines = procCpuinfoText.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();

  // `echo -n` leaves the cursor on the line, so the next command's output
  // completes it.
  let out = 'logical CPU number in total: ';
  out += `${grep(lines, 'processor').length}\n`;

  if (grep(lines, 'core id', true).length === 0) {
    return out + 'Warning. No multi-core or hyper-threading is enabled.\n';
  }

  out += 'physical CPU number in total: ';
  out += `${sortUniq(grep(lines, 'physical id')).length}\n`;

  out += 'core number in a physical CPU: ';
  const corePerPhyCpu = String(sortUniq(grep(lines, 'core id')).length);
  out += `${words(corePerPhyCpu).join(' ')}\n`;

  out += 'logical CPU number in a physical CPU: ';
  // $( ... ) strips trailing newlines; awk -F: prints field 2 (or nothing).
  const logicalCpuPerPhyCpu = sortUniq(grep(lines, 'siblings'))
    .map((l) => l.split(':')[1] ?? '')
    .join('\n');
  out += `${words(logicalCpuPerPhyCpu).join(' ')}\n`;

  const logical = testOperand(logicalCpuPerPhyCpu);
  const cores = testOperand(corePerPhyCpu);
  if (logical !== null && cores !== null && logical > cores) {
    // expr prints nothing (and fails) on division by zero.
    const perCore = cores === 0 ? '' : String(Math.trunc(logical / cores));
    out += `Hyper threading is enabled. Each core has ${perCore} threads.\n`;
  } else if (logical !== null && cores !== null && logical === cores) {
    out += 'Hyper threading is NOT enabled.\n';
  } else {
    out += "Error. There's something wrong.\n";
  }
  return out;
}
