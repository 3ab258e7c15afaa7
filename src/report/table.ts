/** A plain-text table: first column left-aligned, numbers right-aligned. */
export function table(header: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const al = align ?? header.map((_, i) => (i === 0 ? 'l' : 'r'));
  const line = (r: string[]) =>
    r
      .map((c, i) => (al[i] === 'l' ? (c ?? '').padEnd(widths[i]) : (c ?? '').padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}
