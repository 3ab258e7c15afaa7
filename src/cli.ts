#!/usr/bin/env node
/**
 * simvm's command line. Thin: yargs parses, the library works, the text
 * report goes to stdout and every other format to files, progress and
 * diagnostics to stderr.
 *
 *   scenario.yaml ──load──▶ Scenario ──build──▶ Simulation ──run──▶ Results ──render──▶ text | JSON
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { SCENARIO } from './scenario/fields.js';
import { InputError } from './util/errors.js';
import { loadScenario } from './scenario/load.js';
import { PRECISION_METRICS, runScenarioAsync, type PrecisionMetric } from './sim/run.js';
import { TraceRecorder } from './sim/trace.js';
import { stableJson, writeAtomic } from './util/files.js';
import { progress } from './util/progress.js';
import { scenarioSchema } from './scenario/schema.js';
import { FORMATS, render } from './index.js';
import { checkWritable, EXIT, parseFormats } from './cli/common.js';
import { VERSION } from './version.js';
import { isaDoc } from './cpu/isadoc.js';
import { inspectCommands } from './commands.js';
import { sweepCommands } from './sweep/command.js';
import { importLibvirt } from './libvirt/import.js';
import { diffFiles, renderDiffHtml, renderDiffJson, renderDiffText } from './compare/diff.js';

interface RunArgs {
  scenario: string;
  seed?: number;
  duration?: string;
  set?: string[];
  out?: string;
  format: string;
  quiet: boolean;
  check: boolean;
  debug: boolean;
  maxWall?: number;
  maxEvents?: number;
  maxRss?: number;
  write: boolean;
  trace?: string;
  precision?: string;
  precisionMetric: string;
}

/** `--precision 1%` or `--precision 0.01`: a relative half-width in (0, 1). */
export function parsePrecision(text: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(%?)\s*$/.exec(text);
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(v > 0 && v < 1)) throw new InputError(`--precision ${JSON.stringify(text)} is not a precision`, undefined, undefined, undefined, 'give the half-width of the 95% interval relative to the value, between 0 and 100%: --precision 1% (or 0.01)');
  return v;
}

function parsePrecisionMetrics(text: string): PrecisionMetric[] {
  const out: PrecisionMetric[] = [];
  for (const m of text.split(',').map((x) => x.trim())) {
    if (!(PRECISION_METRICS as readonly string[]).includes(m)) throw new InputError(`--precision-metric: unknown figure "${m}"`, undefined, undefined, undefined, `use ${PRECISION_METRICS.join(', ')}, or a list such as throughput,steal`);
    out.push(m as PrecisionMetric);
  }
  return out;
}

function outDir(args: RunArgs, name: string): string {
  return args.out ?? join('reports', name);
}

async function runCommand(args: RunArgs): Promise<number> {
  const formats = parseFormats(args.format, FORMATS);
  for (const [flag, v] of [['max-wall', args.maxWall], ['max-events', args.maxEvents], ['max-rss', args.maxRss]] as const) {
    if (v !== undefined && !(v > 0)) throw new InputError(`--${flag} must be a number above 0, got ${v}`, undefined, undefined, undefined, 'leave it out for no limit');
  }
  // Same range as the scenario's seed: field (src/scenario/fields.ts); yargs reads "abc" as NaN.
  if (args.seed !== undefined && !(Number.isInteger(args.seed) && args.seed >= 0 && args.seed <= SCENARIO.seed.max)) {
    throw new InputError(`--seed must be a whole number from 0 to ${SCENARIO.seed.max}, got ${Number.isNaN(args.seed) ? 'something that is not a number' : args.seed}`, undefined, undefined, undefined, 'e.g. --seed 7');
  }
  const precision = args.precision !== undefined ? { target: parsePrecision(args.precision), metrics: parsePrecisionMetrics(args.precisionMetric) } : undefined;
  const s = loadScenario(args.scenario, { sets: args.set, seed: args.seed, duration: args.duration });
  if (!args.quiet) for (const w of s.warnings) process.stderr.write(w + '\n');
  const dir = outDir(args, s.name);
  // Only the text report goes to stdout; the other formats are files in the
  // output directory, written when asked for even with --no-write (which
  // skips the default report.json).
  const writeJson = args.write || formats.includes('json');
  if (writeJson || formats.some((f) => f !== 'text')) checkWritable(dir);
  if (args.trace) checkWritable(dirname(args.trace));
  const tracer = args.trace ? new TraceRecorder({ fromNs: s.warmup }) : undefined;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const wall0 = process.hrtime.bigint();
  const deadline = args.maxWall !== undefined ? wall0 + BigInt(Math.round(args.maxWall * 1e9)) : undefined;
  const endMs = Math.round((s.warmup + s.duration) / 1e6);
  const bar = progress({ label: `run ${s.name}`, total: endMs, unit: 'ms simulated', quiet: args.quiet });
  const { results, sim } = await runScenarioAsync(s, {
    // Outside a terminal (CI logs, scripts), one line says the run started and that Ctrl-C is handled from here on;
    // once the model is built, so that an error found in building it is the only thing printed.
    started: () => {
      if (!args.quiet && !process.stderr.isTTY) process.stderr.write(`simvm: running ${s.name}, ${(s.warmup + s.duration) / 1e9}s simulated; Ctrl-C stops it and writes a partial report\n`);
    },
    check: args.check,
    tracer,
    progress: (f) => bar.update(Math.round(f * endMs)),
    shouldStop: () =>
      interrupted
        ? 'interrupted (Ctrl-C)'
        : deadline !== undefined && process.hrtime.bigint() > deadline
          ? `--max-wall ${args.maxWall}s reached`
          : args.maxRss !== undefined && process.memoryUsage.rss() > args.maxRss * 2 ** 20
            ? `memory budget of ${args.maxRss} MiB (--max-rss) reached`
            : null,
    maxEvents: args.maxEvents,
    precision,
  });
  bar.stop();
  process.off('SIGINT', onSigint);
  const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
  const json = render(results, 'json');
  const written: string[] = [];
  const put = (path: string, text: string | Uint8Array, label = path) => {
    writeAtomic(path, text);
    written.push(label);
  };
  if (writeJson) put(join(dir, 'report.json'), json);
  if (formats.includes('html')) put(join(dir, 'report.html'), render(results, 'html'));
  if (formats.includes('csv')) for (const [name, text] of Object.entries(render(results, 'csv'))) put(join(dir, name), text);
  if (tracer && args.trace) put(args.trace, tracer.bytes(sim), `${args.trace} (trace${tracer.truncated ? `: window ended early, at ${tracer.maxEvents} events` : ''})`);
  if (results.run.partial) process.stderr.write(`simvm: the run stopped early (${results.run.stop_reason ?? 'stopped'}); the report is marked partial\n`);
  if (formats.includes('text')) process.stdout.write(render(results, 'text', { perVcpu: s.report.per_vcpu }));
  if (!args.quiet) {
    const simS = results.run.simulated_ns / 1e9 + s.warmup / 1e9;
    process.stderr.write(`${results.run.partial ? 'partial run' : 'run'}: ${simS.toFixed(2)}s simulated in ${(wallMs / 1000).toFixed(2)}s wall (${(simS / (wallMs / 1000)).toFixed(1)}x), ${results.run.events} events (${((results.run.events / wallMs) * 1000 / 1e6).toFixed(2)}M/s)${written.length ? `; wrote ${written.join(', ')}` : ''}\n`);
  }
  return interrupted ? EXIT.interrupted : EXIT.ok;
}

function runOptions<T>(y: Argv<T>) {
  return y
    .positional('scenario', { type: 'string', describe: 'Scenario YAML file', demandOption: true })
    .option('seed', { type: 'number', describe: 'Override the scenario seed' })
    .option('duration', { type: 'string', describe: 'Override the measured duration (e.g. 2s)' })
    .option('set', { type: 'string', array: true, describe: 'Override any field: --set guests.db.smp=4 --set host.kvm.ple=false' })
    .option('out', { type: 'string', describe: 'Directory for report files (default reports/<scenario name>/)' })
    .option('write', { type: 'boolean', default: true, describe: 'Write report.json to the output directory (--no-write to skip)' })
    .option('format', { type: 'string', default: 'text', describe: 'Comma-separated outputs: text prints on stdout (the only thing that does); json writes report.json (even with --no-write), html report.html (charts, opens offline), csv guests.csv, vcpus.csv, ... to the output directory' })
    .option('trace', { type: 'string', describe: 'Write a Chrome/Perfetto trace of the measured run to FILE (open it at ui.perfetto.dev); at most 200,000 events, from the end of the warm-up' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress or summary on stderr' })
    .option('check', { type: 'boolean', default: false, describe: 'Check the model invariants while running (slower)' })
    .option('max-wall', { type: 'number', describe: 'Stop cleanly after this many seconds of wall time; the report is marked partial' })
    .option('max-events', { type: 'number', describe: 'Stop cleanly after this many events; the report is marked partial' })
    .option('max-rss', { type: 'number', describe: 'Stop cleanly when the process uses more than this many MiB of memory; the report is marked partial' })
    .option('precision', { type: 'string', describe: "Run until every guest's throughput is known within this (the 95% interval's half-width relative to the value, e.g. 1%), at most the scenario's duration; the report says whether it got there" })
    .option('precision-metric', { type: 'string', default: 'throughput', describe: `Figures --precision aims at, for every guest: ${PRECISION_METRICS.join(', ')} (comma-separated)` });
}

export async function main(argv: string[]): Promise<number> {
  let code = EXIT.ok as number;
  const debug = argv.includes('--debug');
  const setCode = (c: number) => (code = c);
  const parser = sweepCommands(inspectCommands(yargs(argv), setCode), setCode)
    .scriptName('simvm')
    .usage('$0 <scenario.yaml> [options]\n\nSimulate SMP guests on a KVM/QEMU host: over-commit, pinning, topology, CPU models.')
    .command(
      ['$0 <scenario>', 'run <scenario>'],
      'Run a scenario and print its report',
      (y) => runOptions(y),
      async (a) => {
        code = await runCommand(a as unknown as RunArgs);
      },
    )
    .command(
      'import libvirt <domains..>',
      'Write a scenario from libvirt domain XML files (virsh dumpxml): what simvm models of each, and warnings for the rest',
      (y) =>
        y
          .positional('domains', { type: 'string', array: true, demandOption: true, describe: 'Domain XML files' })
          .option('host', { type: 'string', describe: "The host: a saved /proc/cpuinfo or `lscpu -p` (becomes host.from)" })
          .option('o', { alias: 'out', type: 'string', describe: 'Write the scenario to this file instead of stdout' })
          .option('force', { type: 'boolean', default: false, describe: 'Overwrite the -o file if it exists' }),
      (a) => {
        const out = a.o as string | undefined;
        if (out && existsSync(out) && !a.force) throw new InputError('the output file exists', out, undefined, undefined, 'choose another -o, or add --force to replace it');
        const r = importLibvirt(a.domains as string[], { host: a.host as string | undefined, out });
        for (const w of r.warnings) process.stderr.write(w + '\n');
        if (out) {
          writeAtomic(out, r.yaml);
          process.stderr.write(`wrote ${out}\n`);
        } else process.stdout.write(r.yaml);
      },
    )
    .command(
      'diff <a> <b>',
      'Compare two reports (report.json) or two sweeps (sweep.json): per guest or point and metric, both values, the change and whether it is significant',
      (y) =>
        y
          .positional('a', { type: 'string', demandOption: true, describe: 'The first results file' })
          .positional('b', { type: 'string', demandOption: true, describe: 'The second results file' })
          .option('format', { type: 'string', default: 'text', describe: 'text (a table), json, or html (a self-contained page)' }),
      (a) => {
        const render = { text: renderDiffText, json: renderDiffJson, html: renderDiffHtml }[a.format as string];
        if (!render) throw new InputError(`unknown --format "${a.format}"`, undefined, undefined, undefined, 'use text, json or html');
        process.stdout.write(render(diffFiles(a.a as string, a.b as string)));
      },
    )
    .command(
      'schema',
      'Print the JSON Schema of scenario files (for editor completion)',
      (y) => y,
      () => {
        process.stdout.write(stableJson(scenarioSchema()));
      },
    )
    .command(
      'isa',
      'Print the guest ISA reference (docs/isa.md)',
      (y) => y,
      () => {
        process.stdout.write(isaDoc());
      },
    )
    .option('debug', { type: 'boolean', default: false, describe: 'Print stack traces of internal errors' })
    .example('$0 scenarios/overcommit-16on4.yaml', 'one 16-vCPU guest on 4 pCPUs')
    .example('$0 scenarios/overcommit-16on4.yaml --set guests.db.smp=4', 'the same guest with 4 vCPUs')
    .strict()
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new InputError(msg ?? 'bad command line', undefined, undefined, undefined, 'see simvm --help');
    });
  try {
    // No command: the usage, on stderr as for any usage error, exit 2 (as
    // grep and tar do), so a script that lost its argument fails.
    if (argv.length === 0) {
      process.stderr.write(`${await parser.getHelp()}\n`);
      return EXIT.input;
    }
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(e.format() + '\n');
      return EXIT.input;
    }
    process.stderr.write(`simvm: error: internal: ${(e as Error).message}\n`);
    if (debug) process.stderr.write(`${(e as Error).stack}\n`);
    else process.stderr.write('  run again with --debug for the stack trace, and please report it\n');
    return EXIT.internal;
  }
  return code;
}

main(hideBin(process.argv)).then((c) => {
  process.exitCode = c;
});
