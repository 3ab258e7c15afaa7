import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadScenario, type LoadOptions } from '../src/scenario/load.js';
import { runScenario } from '../src/sim/run.js';
import type { Results } from '../src/report/results.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Run a shipped scenario in-process, with invariant checks on. */
export function run(file: string, opts: LoadOptions = {}): Results {
  const s = loadScenario(`${ROOT}scenarios/${file}`, opts);
  return runScenario(s, { check: true }).results;
}

/** Run the built CLI (npm test builds dist/ first). */
export function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [`${ROOT}dist/cli.js`, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
