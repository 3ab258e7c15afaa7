#!/usr/bin/env node
// The `simvm` command. A package from npm ships dist/ (built by `prepack`);
// a clone of the repository has no dist/ until `npm run build`, so its first
// run builds it here, and `npm ci && npx simvm scenario.yaml` works in a clone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write('simvm: error: dist/ is missing and TypeScript is not installed\n  hint: run npm ci, then npm run build\n');
    process.exit(1);
  }
  process.stderr.write('simvm: building dist/ (first run in this clone)\n');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(1);
}
await import(cli.href);
