#!/usr/bin/env node
// The `simvm` command. A package from npm ships dist/ (built by `prepack`);
// a clone of the repository has no dist/ until `npm run build`, so its first
// run builds it here, and `npm ci && npx simvm scenario.yaml` works in a clone.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  let tsc;
  try {
    // TypeScript's exports map hides bin/; its package.json names the compiler.
    const pkg = createRequire(import.meta.url).resolve('typescript/package.json');
    tsc = join(dirname(pkg), JSON.parse(readFileSync(pkg, 'utf8')).bin.tsc);
  } catch {
    process.stderr.write('simvm: error: dist/ is missing and TypeScript is not installed\n  hint: run npm ci, then npm run build\n');
    process.exit(1);
  }
  process.stderr.write('simvm: building dist/ (first run in this clone)\n');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(1);
}
await import(cli.href);
