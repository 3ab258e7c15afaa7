import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const run = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const CONSUMER_TS = `import { loadScenario, simulate, simulateAsync, render, view, InputError, type Results } from 'simvm';

const s = loadScenario({ duration: '10ms', warmup: '2ms', host: { cpus: 2 }, guests: [{ name: 'vm', smp: 2, workload: { kind: 'spinlock' } }] });
const r: Results = simulate(s, { onProgress: (f: number) => void f });
const text: string = render(r, 'text');
const csv: Record<string, string> = render(r, 'csv');
const later: Promise<Results> = simulateAsync(s, { signal: AbortSignal.timeout(60_000) });
const cpus: string = view(s, 'lscpu');
export { text, csv, later, cpus, InputError };
`;

const CONSUMER_JS = `import { loadScenario, simulate, simulateAsync, render, view, VERSION } from 'simvm';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(import.meta.resolve('simvm/package.json').replace('package.json', 'scenarios/overcommit-2on4.yaml'));
const s = loadScenario(file, { duration: '10ms', sets: ['warmup=2ms'] });
const a = simulate(s);
const b = await simulateAsync(s);
if (render(a, 'json') !== render(b, 'json')) throw new Error('sync and async differ');
process.stdout.write(VERSION + '\\n' + render(a, 'text').split('\\n')[0] + '\\n' + view(s, 'lscpu').split('\\n').find((l) => l.startsWith('CPU(s):')) + '\\n');
`;

/**
 * The package as users get it: \`npm pack\` (dist/ is already built by
 * \`npm test\`; prepack would rebuild it under the other test files'
 * feet), installed into an empty project, used through its entry point
 * and its declarations. npm ci caches the dependencies' tarballs but not
 * the registry's package documents, so the first install here may need the
 * registry; afterwards it runs from the cache (--offline).
 */
describe('the packed package', () => {
  it('installs into an empty project, type-checks and runs a scenario through the API', () => {
    const d = mkdtempSync(join(tmpdir(), 'simvm-pack-'));
    const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', d], ROOT);
    expect(pack.code, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info.files.map((f) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('bin/simvm.js');
    expect(files).toContain('scenarios/overcommit-16on4.yaml');
    expect(files.filter((f) => f.endsWith('.png') || f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);

    const app = join(d, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
    const tarball = join(d, info.filename);
    let install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], app);
    if (install.code !== 0) install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
    expect(install.code, install.stderr).toBe(0);
    const dist = join(app, 'node_modules/simvm/dist');
    const js = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(js.filter((f) => /\/\/# sourceMappingURL=/.test(readFileSync(join(dist, f), 'utf8').slice(-300)))).toEqual([]);

    writeFileSync(join(app, 'main.mjs'), CONSUMER_JS);
    const r = run(process.execPath, ['main.mjs'], app);
    expect(r.code, r.stderr).toBe(0);
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect(r.stdout).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}\\nsimvm report: overcommit-2on4\\nCPU\\(s\\): +2\\n$`));

    writeFileSync(join(app, 'consumer.ts'), CONSUMER_TS);
    const tsc = run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--typeRoots', join(ROOT, 'node_modules/@types'), '--types', 'node', 'consumer.ts'], app);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);

    const bin = run(join(app, 'node_modules/.bin/simvm'), ['--version'], app);
    expect(bin.stdout).toBe(`${version}\n`);
  });
});

describe('the simvm bin', () => {
  it('runs dist/ as it is in a package, and rebuilds it in a clone whose src/ is newer', () => {
    const d = mkdtempSync(join(tmpdir(), 'simvm-bin-'));
    for (const sub of ['bin', 'dist']) mkdirSync(join(d, sub));
    copyFileSync(join(ROOT, 'bin/simvm.js'), join(d, 'bin/simvm.js'));
    writeFileSync(join(d, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(d, 'dist/cli.js'), "process.stdout.write('dist ran\\n');\n");
    const bin = () => run(process.execPath, [join(d, 'bin/simvm.js')], d);
    expect(bin()).toMatchObject({ code: 0, stdout: 'dist ran\n' });
    // A clone: src/ changed after the build. No TypeScript can be found from this directory, so it says how to build.
    mkdirSync(join(d, 'src'));
    writeFileSync(join(d, 'src/cli.ts'), '');
    utimesSync(join(d, 'dist/cli.js'), new Date(1e12), new Date(1e12));
    const r = bin();
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('simvm: error: dist/ is missing or older than src/, and TypeScript is not installed\n  hint: run npm ci, then npm run build\n');
  });
});
