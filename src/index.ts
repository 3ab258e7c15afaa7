/**
 * simvm as a library: the command line's pipeline, one function a step.
 *
 *   file or object ──loadScenario──▶ Scenario ──simulate / simulateAsync──▶ Results ──render──▶ text | json | html | csv
 *                                       └──────view──▶ what a tool in the guest or on the host prints
 *
 * Errors in the input are thrown as `InputError` (file, line, column, hint);
 * anything else is a bug in simvm.
 */
import { stringify } from 'yaml';
import { InputError, InputErrors } from './util/errors.js';
import { loadScenario as loadFile, parseScenario as parseText, type LoadOptions, type Scenario } from './scenario/load.js';
import { runScenario, runScenarioAsync, type RunOptions } from './sim/run.js';
import { parseViewTime, renderView, simulationForView, type ViewOptions } from './sim/inspect.js';
import type { Results } from './report/results.js';
import { renderText } from './report/text.js';
import { renderHtml } from './report/html.js';
import { renderCsv } from './report/csv.js';
import { stableJson } from './util/files.js';

export { InputError, InputErrors } from './util/errors.js';
export { VERSION } from './version.js';
export { VIEWS } from './sim/inspect.js';
export type { LoadOptions, Scenario } from './scenario/load.js';
export type { Results, GuestResult, VcpuResult, LatencySummary } from './report/results.js';

/**
 * A scenario as a plain object: the same fields as a scenario file, units
 * as strings (`{ duration: '2s', host: { cpus: 4 }, guests: [...] }`).
 */
export type ScenarioObject = Record<string, unknown>;

/**
 * Load a scenario from a YAML file (a path) or from an object with the
 * fields of a scenario file. `opts` overrides fields as the command line's
 * `--set`, `--seed` and `--duration` do. Errors in an object name the field
 * (`host.cpus must be ...`) and `opts.file` (default `<object>`), without a
 * line.
 */
export function loadScenario(source: string | ScenarioObject, opts: LoadOptions & { file?: string } = {}): Scenario {
  if (typeof source === 'string') return loadFile(source, opts);
  const file = opts.file ?? '<object>';
  try {
    return parseText(stringify(source), file, opts);
  } catch (e) {
    // Lines and columns would be those of the YAML made from the object: not the caller's.
    const strip = (x: InputError) => new InputError(x.message, x.file, undefined, undefined, x.hint);
    if (e instanceof InputErrors) throw new InputErrors(e.errors.map(strip));
    if (e instanceof InputError) throw strip(e);
    throw e;
  }
}

/** Parse a scenario from YAML text; `file` names it in errors. */
export function parseScenario(text: string, file = '<text>', opts: LoadOptions = {}): Scenario {
  return parseText(text, file, opts);
}

export interface SimulateOptions {
  /** Called now and then (every simulated millisecond) with the fraction of simulated time done, 0 to 1. */
  onProgress?: (fraction: number) => void;
  /** Abort to stop cleanly at the next simulated millisecond; the results are marked partial. */
  signal?: AbortSignal;
  /** Most events the run may deliver before it stops, marked partial. */
  maxEvents?: number;
  /** Check the model's invariants while running (slower; throws on a violation). */
  check?: boolean;
}

function runOptions(o: SimulateOptions): RunOptions {
  return {
    check: o.check,
    progress: o.onProgress,
    maxEvents: o.maxEvents,
    shouldStop: o.signal ? () => (o.signal!.aborted ? `aborted${o.signal!.reason instanceof Error ? `: ${o.signal!.reason.message}` : ''}` : null) : undefined,
  };
}

/**
 * Run a scenario to its end in this thread and return its results. The
 * same scenario and seed give the same results, byte for byte as JSON.
 */
export function simulate(scenario: Scenario, opts: SimulateOptions = {}): Results {
  return runScenario(scenario, runOptions(opts)).results;
}

/**
 * The same run, yielding to the event loop every few simulated
 * milliseconds so that `signal` (a timeout, a Ctrl-C handler) can stop it.
 * Results are identical to `simulate`'s.
 */
export async function simulateAsync(scenario: Scenario, opts: SimulateOptions = {}): Promise<Results> {
  return (await runScenarioAsync(scenario, runOptions(opts))).results;
}

export type Format = 'text' | 'json' | 'html' | 'csv';
export const FORMATS: readonly Format[] = ['text', 'json', 'html', 'csv'];

export interface RenderOptions {
  /** Text: the per-vCPU table (default: the scenario's `report.per_vcpu`, else true). */
  perVcpu?: boolean;
}

/**
 * Render results: `text` is the terminal report, `json` the versioned
 * report (report.json), `html` a page with charts that opens offline, `csv`
 * one table per file name (guests.csv, vcpus.csv, ...).
 */
export function render(results: Results, format: 'text' | 'json' | 'html', opts?: RenderOptions): string;
export function render(results: Results, format: 'csv'): Record<string, string>;
export function render(results: Results, format: Format, opts: RenderOptions = {}): string | Record<string, string> {
  switch (format) {
    case 'text':
      return renderText(results, { perVcpu: opts.perVcpu });
    case 'json':
      return stableJson(results);
    case 'html':
      return renderHtml(results);
    case 'csv':
      return renderCsv(results);
  }
  throw new InputError(`unknown format "${String(format)}"`, undefined, undefined, undefined, `use one of ${FORMATS.join(', ')}`);
}

/**
 * What a tool in a guest or on the host prints (`cpuinfo`, `lscpu`, `ps`,
 * ...; see VIEWS), at simulated time `at` (e.g. '1s'). Without `at`, the
 * guest's static views (cpuinfo, lscpu, ls-cpu, cpu-info.sh, info-cpus)
 * show its CPUs after the timeline's hot-plugs without running the
 * workloads, and the others show the end of the run.
 */
export function view(scenario: Scenario, what: string, opts: ViewOptions & { at?: string } = {}): string {
  return renderView(simulationForView(scenario, what, opts.at === undefined ? undefined : parseViewTime(scenario, opts.at)), what, opts);
}
