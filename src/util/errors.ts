/**
 * An error in the user's input, with where it is and how to fix it. The CLI
 * prints `simvm: error: file:line:col: message`, the hint on the next line,
 * and exits 2.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly col?: number,
    readonly hint?: string,
  ) {
    super(message);
  }

  /** `file:line:col: message`, as much of the place as is known. */
  describe(): string {
    const where = this.file ? `${this.file}${this.line ? `:${this.line}:${this.col ?? 1}` : ''}: ` : '';
    return `${where}${this.message}`;
  }

  /** What the CLI prints: one line that starts as every simvm error does, then the fix. */
  format(): string {
    return `simvm: error: ${this.describe()}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

/** Several input errors at once, reported together. */
export class InputErrors extends InputError {
  constructor(readonly errors: InputError[]) {
    super(errors[0].message, errors[0].file, errors[0].line, errors[0].col, errors[0].hint);
  }
  override format(): string {
    const shown = this.errors.slice(0, 20).map((e) => e.format());
    if (this.errors.length > 20) shown.push(`... and ${this.errors.length - 20} more`);
    return shown.join('\n');
  }
}

/**
 * What is wrong with a file JSON.parse refused, without quoting it: V8's
 * messages can quote the file's first characters ("Unexpected token 'h',
 * "hello"... is not valid JSON"), so only the position is kept.
 */
export function notJsonMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : '';
  const lc = /line (\d+) column (\d+)/.exec(m);
  if (lc) return `not JSON (at line ${lc[1]}, column ${lc[2]})`;
  const pos = /at position (\d+)/.exec(m);
  if (pos) return `not JSON (at character ${Number(pos[1]) + 1})`;
  if (/end of JSON input|Unexpected end/.test(m)) return 'not JSON (it ends too early)';
  return 'not JSON';
}
