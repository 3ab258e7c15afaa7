/** What the commands share: exit codes, --format lists, output directories. */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { InputError } from '../util/errors.js';

/**
 * Exit codes: 0 success, 1 internal error, 2 bad input (or no command), 3 a
 * check failed (a sweep's expect:, migrate-check), 130 interrupted.
 */
export const EXIT = { ok: 0, internal: 1, input: 2, check: 3, interrupted: 130 } as const;

/** A --format list such as `text,html`, each one of `allowed`. */
export function parseFormats<F extends string>(text: string, allowed: readonly F[]): F[] {
  const fs = text.split(',').map((f) => f.trim());
  for (const f of fs) if (!allowed.includes(f as F)) throw new InputError(`unknown --format "${f}"`, undefined, undefined, undefined, `use ${allowed.join(', ')} or a list such as ${allowed.slice(0, 2).join(',')}`);
  return fs as F[];
}

/** Fail before running when the output directory cannot be written, so no work is lost. */
export function checkWritable(dir: string): void {
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError(`output path "${dir}" exists and is not a directory`, undefined, undefined, undefined, 'choose another --out');
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot write to output directory "${dir}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, undefined, undefined, undefined, 'choose a writable --out');
  }
}
