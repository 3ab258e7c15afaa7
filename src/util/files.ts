import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Write a file atomically: to a temporary name in the same directory, then
 * rename over the target. A failed run never leaves a half-written report
 * and never destroys an earlier good one.
 */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** JSON with stable formatting: key order is the order the report builds them in. */
export function stableJson(x: unknown): string {
  return JSON.stringify(x, null, 2) + '\n';
}
