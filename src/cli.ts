#!/usr/bin/env node
/**
 * simvm's command line. Thin: yargs parses, the library works, results go
 * to stdout or files, diagnostics to stderr.
 *
 *   scenario.yaml ──load──▶ Scenario ──build──▶ Simulation ──run──▶ Results ──render──▶ text | JSON
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError } from './scenario/errors.js';
import { loadScenario } from './scenario/load.js';
import { runScenarioAsync } from './sim/run.js';
import { renderText } from './report/text.js';
import { renderHtml } from './report/html.js';
import { renderCsv } from './report/csv.js';
import { TraceRecorder } from './sim/trace.js';
import { stableJson, writeAtomic } from './util/files.js';
import { scenarioSchema } from './scenario/schema.js';
import { VERSION } from './version.js';
import { isaDoc } from './cpu/isadoc.js';
import { inspectCommands } from './commands.js';
import { sweepCommands } from './sweep/command.js';

/** Exit codes: 0 success, 1 internal error, 2 bad input, 3 an expectation failed, 130 interrupted. */
export const EXIT = { ok: 0, internal: 1, input: 2, expect: 3, interrupted: 130 } as const;

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
}

function outDir(args: RunArgs, name: string): string {
  return args.out ?? join('reports', name);
}

/** Fail before running when the output directory cannot be written, so no work is lost. */
function checkWritable(dir: string): void {
  try {
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new InputError(`output path "${dir}" exists and is not a directory`, undefined, undefined, undefined, 'choose another --out');
      accessSync(dir, constants.W_OK);
    } else {
      mkdirSync(dir, { recursive: true });
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot write to output directory "${dir}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, undefined, undefined, undefined, 'choose a writable --out');
  }
}

function progressBar(quiet: boolean) {
  const tty = process.stderr.isTTY && !quiet;
  let last = -1;
  return (f: number) => {
    if (!tty) return;
    const pctDone = Math.floor(f * 100);
    if (pctDone === last) return;
    last = pctDone;
    const w = 30;
    const fill = Math.round(f * w);
    process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${pctDone}% simulated`);
    if (f >= 1) process.stderr.write('\r\x1b[K');
  };
}

async function runCommand(args: RunArgs): Promise<number> {
  const formats = args.format.split(',').map((f) => f.trim());
  for (const f of formats) if (!['text', 'json', 'html', 'csv'].includes(f)) throw new InputError(`unknown --format "${f}"`, undefined, undefined, undefined, 'use text, json, html, csv or a list such as text,json,html');
  const s = loadScenario(args.scenario, { sets: args.set, seed: args.seed, duration: args.duration });
  const dir = outDir(args, s.name);
  // html and csv are files in the output directory, so they are written even with --no-write (which skips report.json).
  const files = formats.includes('html') || formats.includes('csv');
  if (args.write || files) checkWritable(dir);
  if (args.trace) checkWritable(dirname(args.trace));
  const tracer = args.trace ? new TraceRecorder({ fromNs: s.warmup }) : undefined;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  // Outside a terminal (CI logs, scripts), one line says the run started and that Ctrl-C is handled from here on.
  if (!args.quiet && !process.stderr.isTTY) process.stderr.write(`simvm: running ${s.name}, ${(s.warmup + s.duration) / 1e9}s simulated; Ctrl-C stops it and writes a partial report\n`);
  const wall0 = process.hrtime.bigint();
  const deadline = args.maxWall !== undefined ? wall0 + BigInt(Math.round(args.maxWall * 1e9)) : undefined;
  const { results, sim } = await runScenarioAsync(s, {
    check: args.check,
    tracer,
    progress: progressBar(args.quiet),
    shouldStop: () =>
      interrupted
        ? 'interrupted (Ctrl-C)'
        : deadline !== undefined && process.hrtime.bigint() > deadline
          ? `--max-wall ${args.maxWall}s reached`
          : args.maxRss !== undefined && process.memoryUsage.rss() > args.maxRss * 2 ** 20
            ? `memory budget of ${args.maxRss} MiB (--max-rss) reached`
            : null,
    maxEvents: args.maxEvents,
  });
  process.off('SIGINT', onSigint);
  const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
  const json = stableJson(results);
  const written: string[] = [];
  const put = (path: string, text: string | Uint8Array, label = path) => {
    writeAtomic(path, text);
    written.push(label);
  };
  if (args.write) put(join(dir, 'report.json'), json);
  if (formats.includes('html')) put(join(dir, 'report.html'), renderHtml(results));
  if (formats.includes('csv')) for (const [name, text] of Object.entries(renderCsv(results))) put(join(dir, name), text);
  if (tracer && args.trace) put(args.trace, tracer.bytes(sim), `${args.trace} (trace${tracer.truncated ? `: window ended early, at ${tracer.maxEvents} events` : ''})`);
  if (results.run.partial) process.stderr.write(`simvm: the run stopped early (${results.run.stop_reason ?? 'stopped'}); the report is marked partial\n`);
  if (formats.includes('text')) process.stdout.write(renderText(results, { perVcpu: s.report.per_vcpu }));
  if (formats.includes('json')) process.stdout.write(json);
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
    .option('format', { type: 'string', default: 'text', describe: 'Comma-separated outputs: text and json print on stdout; html writes report.html (charts, opens offline) and csv writes guests.csv, vcpus.csv, ... to the output directory' })
    .option('trace', { type: 'string', describe: 'Write a Chrome/Perfetto trace of the measured run to FILE (open it at ui.perfetto.dev); at most 200,000 events, from the end of the warm-up' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress or summary on stderr' })
    .option('check', { type: 'boolean', default: false, describe: 'Check the model invariants while running (slower)' })
    .option('max-wall', { type: 'number', describe: 'Stop cleanly after this many seconds of wall time; the report is marked partial' })
    .option('max-events', { type: 'number', describe: 'Stop cleanly after this many events; the report is marked partial' })
    .option('max-rss', { type: 'number', describe: 'Stop cleanly when the process uses more than this many MiB of memory; the report is marked partial' });
}

export async function main(argv: string[]): Promise<number> {
  let code = EXIT.ok as number;
  const debug = argv.includes('--debug');
  const parser = sweepCommands(inspectCommands(yargs(argv)), (c) => (code = c))
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
      'schema',
      'Print the JSON Schema of scenario files (for editor completion)',
      (y) => y.option('write', { type: 'boolean', default: false, describe: 'Write schema/scenario.schema.json instead of printing' }),
      (a) => {
        const text = stableJson(scenarioSchema());
        if (a.write) writeAtomic('schema/scenario.schema.json', text);
        else process.stdout.write(text);
      },
    )
    .command(
      'isa',
      'Print the guest ISA reference (docs/isa.md)',
      (y) => y.option('write', { type: 'boolean', default: false, describe: 'Write docs/isa.md instead of printing' }),
      (a) => {
        if (a.write) writeAtomic('docs/isa.md', isaDoc());
        else process.stdout.write(isaDoc());
      },
    )
    .option('debug', { type: 'boolean', default: false, describe: 'Print stack traces of internal errors' })
    .example('$0 scenarios/overcommit-16on4.yaml', 'one 16-vCPU guest on 4 pCPUs')
    .example('$0 scenarios/overcommit-16on4.yaml --set guests.db.smp=4', 'the same guest with 4 vCPUs')
    .strict()
    .version(VERSION)
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new InputError(msg ?? 'bad command line', undefined, undefined, undefined, 'see simvm --help');
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(e.format() + '\n');
      return EXIT.input;
    }
    process.stderr.write(`simvm: internal error: ${(e as Error).message}\n`);
    if (debug) process.stderr.write(`${(e as Error).stack}\n`);
    else process.stderr.write('  run again with --debug for the stack trace, and please report it\n');
    return EXIT.internal;
  }
  return code;
}

main(hideBin(process.argv)).then((c) => {
  process.exitCode = c;
});
