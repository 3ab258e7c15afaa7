#!/usr/bin/env node
// Byte-identical check for refactors: `npm run identical -- --baseline <git-ref>`.
//
// Builds <git-ref> in a temporary git worktree (sharing this checkout's
// node_modules through a symlink), builds the working tree, runs every shipped
// scenario of scenarios/ (sweep files skipped) with both builds, short
// (--duration 300ms, warm-up 100ms) plus one full-length run of
// overcommit-4on4, each with --format json,html,csv --trace, and compares
// every output file byte by byte. Prints the files that differ; exit code 0
// when all are identical, 1 when any differs, 2 on a usage error.
//
// The baseline's outputs are kept under the system temp directory, keyed by
// the commit and the run list, so later checks against the same ref only run
// the working tree. --fresh rebuilds them; --keep leaves the working tree's
// outputs in place and prints their directory.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const ref = value('--baseline');
if (!ref) {
  process.stderr.write('usage: npm run identical -- --baseline <git-ref> [--fresh] [--keep]\n');
  process.exit(2);
}
const git = (...a) => execFileSync('git', a, { cwd: repo, encoding: 'utf8' }).trim();
let sha;
try {
  sha = git('rev-parse', '--verify', `${ref}^{commit}`);
} catch {
  process.stderr.write(`identical: "${ref}" is not a commit of this repository\n`);
  process.exit(2);
}

// The runs: every plain scenario short, and one at full length.
const SHORT = ['--duration', '300ms', '--set', 'warmup=100ms'];
const scenarioDir = join(repo, 'scenarios');
const runs = [];
for (const f of readdirSync(scenarioDir).filter((n) => n.endsWith('.yaml')).sort()) {
  const text = readFileSync(join(scenarioDir, f), 'utf8');
  if (/^sweep:/m.test(text)) continue;
  runs.push({ name: f.replace(/\.yaml$/, ''), file: join(scenarioDir, f), text, extra: SHORT });
}
const full = runs.find((r) => r.name === 'overcommit-4on4');
if (full) runs.push({ ...full, name: 'overcommit-4on4-full', extra: [] });

const key = createHash('sha256')
  .update(sha)
  .update(JSON.stringify(runs.map((r) => [r.name, r.text, r.extra])))
  .digest('hex')
  .slice(0, 16);
const cache = join(tmpdir(), 'simvm-identical', key);

function sh(cmd, args, cwd) {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Runs one scenario with the build in `root`; resolves to its exit code, stdout and stderr written next to the reports. */
function runOne(root, run, out) {
  const dir = join(out, run.name);
  mkdirSync(dir, { recursive: true });
  const args = [join(root, 'dist', 'cli.js'), run.file, ...run.extra, '--format', 'json,html,csv', '--trace', join(dir, 'trace.json'), '--out', dir, '--quiet'];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    const so = [];
    const se = [];
    p.stdout.on('data', (b) => so.push(b));
    p.stderr.on('data', (b) => se.push(b));
    p.on('error', reject);
    p.on('close', (code) => {
      writeFileSync(join(dir, 'stdout'), Buffer.concat(so));
      writeFileSync(join(dir, 'stderr'), Buffer.concat(se));
      writeFileSync(join(dir, 'exit-code'), `${code}\n`);
      resolve(code);
    });
  });
}

/** Runs every scenario with the build in `root` into `out`, two at a time at most (longest first). */
async function runAll(root, out, label) {
  const t0 = Date.now();
  const queue = [...runs].sort((a, b) => a.extra.length - b.extra.length);
  const width = Math.max(1, Math.min(2, cpus().length));
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let r = queue.shift(); r; r = queue.shift()) await runOne(root, r, out);
    }),
  );
  process.stderr.write(`identical: ran ${runs.length} scenarios with ${label} in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
}

function files(dir, base = dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p, base));
    else out.push(relative(base, p));
  }
  return out.sort();
}

// Baseline: built and run once per (commit, run list).
const baseOut = join(cache, 'out');
if (flag('--fresh')) rmSync(cache, { recursive: true, force: true });
if (!existsSync(join(cache, 'done'))) {
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  const wt = mkdtempSync(join(tmpdir(), 'simvm-baseline-'));
  process.stderr.write(`identical: building ${ref} (${sha.slice(0, 7)}) in ${wt}\n`);
  git('worktree', 'add', '--detach', '--force', wt, sha);
  try {
    symlinkSync(join(repo, 'node_modules'), join(wt, 'node_modules'), 'dir');
    sh('npx', ['tsc', '-p', 'tsconfig.build.json'], wt);
    await runAll(wt, baseOut, `${ref} (${sha.slice(0, 7)})`);
    writeFileSync(join(cache, 'done'), `${sha}\n`);
  } finally {
    git('worktree', 'remove', '--force', wt);
  }
} else {
  process.stderr.write(`identical: baseline ${ref} (${sha.slice(0, 7)}) from ${cache}\n`);
}

// Working tree.
process.stderr.write('identical: building the working tree\n');
sh('npx', ['tsc', '-p', 'tsconfig.build.json'], repo);
const cur = mkdtempSync(join(tmpdir(), 'simvm-current-'));
await runAll(repo, cur, 'the working tree');

const a = files(baseOut);
const b = files(cur);
const all = [...new Set([...a, ...b])].sort();
const differ = [];
for (const f of all) {
  const pa = join(baseOut, f);
  const pb = join(cur, f);
  if (!existsSync(pa)) differ.push(`${f}: only in the working tree`);
  else if (!existsSync(pb)) differ.push(`${f}: only in ${ref}`);
  else if (!readFileSync(pa).equals(readFileSync(pb))) differ.push(`${f}: differs`);
}
if (flag('--keep')) process.stderr.write(`identical: working tree outputs kept in ${cur}\n`);
else rmSync(cur, { recursive: true, force: true });
const reports = all.filter((f) => !/(^|\/)(stdout|stderr|exit-code)$/.test(f)).length;
if (differ.length) {
  for (const d of differ) console.log(`DIFF ${d}`);
  console.log(`${differ.length} of ${all.length} files differ from ${ref} (${sha.slice(0, 7)})`);
  process.exit(1);
}
console.log(`identical: all ${all.length} files (${reports} reports and traces, plus stdout, stderr and exit code of ${runs.length} runs) byte-identical to ${ref} (${sha.slice(0, 7)})`);
