/**
 * `simvm sweep` and `simvm merge`. Thin, as the rest of the CLI: yargs
 * parses, src/sweep works, results go to files and stdout, progress and
 * diagnostics to stderr.
 *
 *   sweep.yaml ──loadSweep──▶ spec ──planSweep──▶ points, runs ──runSweep──▶ SweepDoc ──▶ sweep.json, text, html, JUnit
 *   shard results ──mergeDocs──▶ SweepDoc ──▶ the same
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../util/errors.js';
import { stableJson, writeAtomic } from '../util/files.js';
import { renderSweepHtml } from './charts.js';
import { docToJson, type SweepDoc } from './doc.js';
import { sweepCsv } from './csv.js';
import { junitXml } from './junit.js';
import { mergeDocs, readDoc } from './merge.js';
import { planSweep } from './plan.js';
import { inShard, parseShard, runSweep } from './run.js';
import { shardFromEnv } from './shard.js';
import { checkWritable, EXIT, parseFormats } from '../cli/common.js';
import { progress } from '../util/progress.js';
import { loadSweep } from './spec.js';
import { renderSweepText } from './text.js';
import { plural } from '../util/plural.js';

interface OutputArgs {
  out?: string;
  format: string;
  quiet: boolean;
  junit?: string;
}

interface SweepArgs extends OutputArgs {
  file: string;
  workers?: number;
  shard?: string;
  seed?: number;
  duration?: string;
  set?: string[];
  replicates?: number;
  resume: boolean;
}

interface MergeArgs extends OutputArgs {
  results: string[];
}

const SWEEP_FORMATS = ['text', 'json', 'html', 'csv'] as const;

/** Write the results (and the page and JUnit file when asked), print what --format asks; the exit code follows the checks. */
function emit(doc: SweepDoc, dir: string, base: string, args: OutputArgs, fs: string[]): { json: string; code: number } {
  const json = stableJson(docToJson(doc));
  const jsonPath = join(dir, `${base}.json`);
  writeAtomic(jsonPath, json);
  const written = [jsonPath];
  if (fs.includes('html')) {
    const htmlPath = join(dir, `${base}.html`);
    writeAtomic(htmlPath, renderSweepHtml(doc));
    written.push(htmlPath);
  }
  if (fs.includes('csv')) {
    const csvPath = join(dir, `${base}.csv`);
    writeAtomic(csvPath, sweepCsv(doc));
    written.push(csvPath);
  }
  if (args.junit) {
    writeAtomic(args.junit, junitXml(doc));
    written.push(args.junit);
  }
  // Only the text table goes to stdout; json is the results file, always written.
  if (fs.includes('text')) process.stdout.write(renderSweepText(doc));
  if (!args.quiet) process.stderr.write(`wrote ${written.join(', ')}\n`);
  return { json, code: doc.expect.failed > 0 ? EXIT.check : EXIT.ok };
}

async function sweepCommand(args: SweepArgs): Promise<number> {
  const fs = parseFormats(args.format, SWEEP_FORMATS);
  const auto = args.shard === 'auto' ? shardFromEnv(process.env) : undefined;
  const shard = auto ? auto.shard : args.shard !== undefined ? parseShard(args.shard) : undefined;
  if (args.workers !== undefined && (!Number.isInteger(args.workers) || args.workers < 1)) throw new InputError(`--workers must be a whole number of at least 1, got ${args.workers}`);
  if (args.replicates !== undefined && (!Number.isInteger(args.replicates) || args.replicates < 1)) throw new InputError(`--replicates must be a whole number of at least 1, got ${args.replicates}`);
  const loaded = loadSweep(args.file, { sets: args.set, seed: args.seed, duration: args.duration, replicates: args.replicates });
  if (!args.quiet) for (const w of loaded.base.warnings) process.stderr.write(w + '\n');
  const plan = planSweep(loaded);
  const dir = args.out ?? join('reports', plan.spec.name);
  const workers = args.workers ?? availableParallelism();
  checkWritable(join(dir, 'points'));
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.on('SIGINT', onSigint);
  if (auto && !args.quiet) process.stderr.write(`sweep: shard ${auto.shard.index}/${auto.shard.count} (${auto.engine}: ${auto.from})\n`);
  const bar = progress({ label: `sweep ${plan.spec.name}`, total: plan.runs.filter((r) => inShard(r.point, shard)).length, unit: 'runs', quiet: args.quiet });
  const wall0 = process.hrtime.bigint();
  let outcome;
  try {
    outcome = await runSweep(plan, { out: dir, workers, shard, resume: args.resume, onProgress: (p) => bar.update(p.runsDone, `${p.pointsDone}/${p.pointsTotal} points`), signal: ac.signal });
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
  }
  const wall = Number(process.hrtime.bigint() - wall0) / 1e9;
  const base = shard ? `sweep-shard-${shard.index}-of-${shard.count}` : 'sweep';
  const { code } = emit(outcome.doc, dir, base, args, fs);
  if (!args.quiet) {
    const total = outcome.ran + outcome.reused;
    process.stderr.write(`sweep: ${plural(total, 'run')}${shard ? ` (shard ${shard.index}/${shard.count})` : ''}: ${outcome.ran} run on ${plural(workers, 'worker')}, ${outcome.reused} reused from ${join(dir, 'points')}, in ${wall.toFixed(1)}s wall\n`);
  }
  if (outcome.interrupted) {
    process.stderr.write(`sweep interrupted: finished runs are kept in ${join(dir, 'points')}; run the same command again to resume\n`);
    return EXIT.interrupted;
  }
  return code;
}

function mergeCommand(args: MergeArgs): number {
  const fs = parseFormats(args.format, SWEEP_FORMATS);
  const inputs = args.results.map((file) => ({ file, doc: readDoc(file) }));
  const doc = mergeDocs(inputs);
  const dir = args.out ?? join('reports', doc.sweep.name);
  checkWritable(dir);
  const { code } = emit(doc, dir, 'sweep', args, fs);
  if (!doc.complete) {
    const done = doc.points.reduce((a, p) => a + p.runs.length, 0);
    const all = doc.points.reduce((a, p) => a + p.seeds.length, 0);
    process.stderr.write(`merge: ${done} of ${all} runs present: a shard is missing or was interrupted${doc.expect.skipped ? `; ${plural(doc.expect.skipped, 'check')} could not be made, which fails the merge` : ''}\n`);
    // A CI matrix whose shard was lost must not pass on the checks it never made.
    if (doc.expect.skipped) return EXIT.check;
  }
  return code;
}

function outputOptions<T>(y: Argv<T>) {
  return y
    .option('out', { type: 'string', describe: 'Directory for results (default reports/<sweep name>/)' })
    .option('format', { type: 'string', default: 'text', describe: 'text prints the table on stdout (the only thing that does); html writes sweep.html; csv writes sweep.csv (a row per point and metric: parameters, mean, ci_low, ci_high, n); json names the results file, always written (e.g. text,html)' })
    .option('junit', { type: 'string', describe: 'Write the expect: checks as JUnit XML to this file' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress or summary on stderr' });
}

/**
 * The `sweep` and `merge` commands. `setCode` receives the exit code (0 all
 * checks pass, 3 a check failed, 130 interrupted); input errors are thrown
 * as InputError for the CLI to print and exit 2.
 */
export function sweepCommands<T>(y: Argv<T>, setCode: (code: number) => void): Argv<T> {
  const modules: CommandModule<T, object>[] = [
    {
      command: 'sweep <file>',
      describe: 'Run a parameter sweep (a sweep file, or a scenario with a sweep: section) and check its expect: assertions',
      builder: (b: Argv<T>) =>
        outputOptions(b)
          .positional('file', { type: 'string', describe: 'Sweep file, or scenario with sweep:', demandOption: true })
          .option('workers', { alias: 'j', type: 'number', describe: `Worker threads (default: the number of cores, ${availableParallelism()} here)` })
          .option('shard', { type: 'string', describe: 'Run shard i of n (e.g. 2/3): every n-th point; combine with simvm merge. auto: i and n from a Slurm, AWS Batch or Kubernetes array job, or SIMVM_SHARD_INDEX (from 0) and SIMVM_SHARD_COUNT' })
          .option('replicates', { type: 'number', describe: 'Override sweep.replicates' })
          .option('seed', { type: 'number', describe: 'Override the base seed (replicate seeds derive from it)' })
          .option('duration', { type: 'string', describe: 'Override the measured duration of every run (e.g. 500ms)' })
          .option('set', { type: 'string', array: true, describe: 'Override a scenario field for every point: --set host.kvm.ple=false' })
          .option('resume', { type: 'boolean', default: true, describe: 'Reuse finished runs stored under <out>/points (--no-resume runs everything again)' })
          .example('$0 sweep scenarios/sweep-overcommit.yaml --format text,html', 'run the sweep, print a table, write an HTML report')
          .example('$0 sweep sweep.yaml --shard 1/3 && $0 merge reports/*/sweep-shard-*.json', 'one shard of three, then combine'),
      handler: async (a) => {
        setCode(await sweepCommand(a as unknown as SweepArgs));
      },
    },
    {
      command: 'merge <results...>',
      describe: 'Combine the results of sweep shards into the results of the whole sweep',
      builder: (b: Argv<T>) => outputOptions(b).positional('results', { type: 'string', array: true, describe: 'sweep-shard-*.json (or sweep.json) files', demandOption: true }),
      handler: (a) => {
        setCode(mergeCommand(a as unknown as MergeArgs));
      },
    },
  ];
  return modules.reduce((acc, m) => acc.command(m), y);
}
