#!/usr/bin/env node
// The `simvm` command. A package from npm ships dist/ (built by `prepack`).
// A clone of the repository has src/ and no dist/ until it is built, so
// here dist/ is built on the first run, and again when src/ has changed
// since: `npm ci && npx simvm scenario.yaml` works in a fresh clone, and
// after a pull, without a `prepare` step that every install would run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const src = join(root, 'src');

/** True when dist/ is missing, or older than a file of src/ (a clone that changed). */
function stale() {
  if (!existsSync(cli)) return true;
  if (!existsSync(src)) return false;
  const built = statSync(cli).mtimeMs;
  return readdirSync(src, { recursive: true }).some((f) => statSync(join(src, f)).mtimeMs > built);
}

if (stale()) {
  let tsc;
  try {
    // TypeScript's exports map hides bin/; its package.json names the compiler.
    const pkg = createRequire(import.meta.url).resolve('typescript/package.json');
    tsc = join(dirname(pkg), JSON.parse(readFileSync(pkg, 'utf8')).bin.tsc);
  } catch {
    process.stderr.write('simvm: error: dist/ is missing or older than src/, and TypeScript is not installed\n  hint: run npm ci, then npm run build\n');
    process.exit(1);
  }
  process.stderr.write('simvm: building dist/ from src/ (npm run build)\n');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(1);
}
await import(pathToFileURL(cli).href);
