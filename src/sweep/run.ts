/**
 * Running a sweep:
 *
 *   Plan ──shard──▶ its runs ──points/ has a record with the same hash?──▶ reuse
 *                                   └─ no ──▶ worker pool ──record──▶ points/<run>.json
 *   records ──buildDoc──▶ SweepDoc (points by index, runs by replicate)
 *
 * Workers take the next run as they free up, so runs finish in any order;
 * nothing downstream depends on that order, which is why the results are
 * the same bytes for any number of workers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import { stableJson, writeAtomic } from '../util/files.js';
import { buildDoc, type RunRecord, type SweepDoc } from './doc.js';
import { describePoint, type Plan, type RunTask } from './plan.js';
import { runTask, type TaskMessage, type TaskReply } from './task.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface Progress {
  runsDone: number;
  runsTotal: number;
  pointsDone: number;
  pointsTotal: number;
}

export interface SweepRunOptions {
  /** Results directory: run records go to `<out>/points/`. */
  out: string;
  /** Worker threads; 0 runs in this thread (for tests and debugging). */
  workers: number;
  shard?: Shard;
  /** Reuse runs stored under points/ (default true); false runs everything again and overwrites them. */
  resume?: boolean;
  onProgress?: (p: Progress) => void;
  /** Stop dispatching and abandon runs in flight (Ctrl-C); finished runs stay on disk. */
  signal?: AbortSignal;
}

export interface SweepOutcome {
  doc: SweepDoc;
  /** Runs of this invocation: done now, and found already done on disk. */
  ran: number;
  reused: number;
  interrupted: boolean;
}

/** Shard i of n takes every n-th point, starting at the i-th: neighbours (which cost alike) spread over the shards. */
export function inShard(point: number, shard?: Shard): boolean {
  return !shard || point % shard.count === shard.index - 1;
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i < 1 || i > n) throw new InputError(`--shard "${text}" is not i/n with 1 <= i <= n`, undefined, undefined, undefined, 'e.g. --shard 2/3 runs the second of three shards');
  return { index: i, count: n };
}

/** A stored record, if it is the record of this run (same inputs, same simvm). */
function storedRecord(path: string, run: RunTask): RunRecord | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as RunRecord & { point?: string };
    if (r.hash !== run.hash || r.seed !== run.seed || r.replicate !== run.replicate || typeof r.values !== 'object' || r.values === null) return undefined;
    return { replicate: r.replicate, seed: r.seed, hash: r.hash, partial: Boolean(r.partial), values: r.values };
  } catch {
    // A damaged record (a disk filled mid-write before writeAtomic's rename cannot be) is simply run again.
    return undefined;
  }
}

/** Runs by their estimated cost, largest first; ties keep plan order. */
function longestFirst(runs: RunTask[]): RunTask[] {
  return runs.map((r, i) => ({ r, i })).sort((a, b) => b.r.cost - a.r.cost || a.i - b.i).map((x) => x.r);
}

/** The compiled worker: next to this file in dist/, or in dist/ when this file runs from src/ (vitest). */
function workerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL('../../dist/sweep/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error('the sweep worker (dist/sweep/worker.js) is not built: run npm run build, or use workers: 0');
}

export async function runSweep(plan: Plan, opts: SweepRunOptions): Promise<SweepOutcome> {
  const mine = plan.runs.filter((r) => inShard(r.point, opts.shard));
  const records = new Map<RunTask, RunRecord>();
  for (const run of opts.resume === false ? [] : mine) {
    const rec = storedRecord(join(opts.out, 'points', run.record), run);
    if (rec) records.set(run, rec);
  }
  const reused = records.size;
  // Longest first (LPT): a heavy run started last would leave the other
  // workers idle at the end. Order does not change any result.
  const todo = longestFirst(mine.filter((r) => !records.has(r)));
  const perPoint = new Map<number, number>();
  for (const r of mine) perPoint.set(r.point, (perPoint.get(r.point) ?? 0) + 1);
  const donePerPoint = new Map<number, number>();
  let pointsDone = 0;
  const count = (point: number) => {
    const n = (donePerPoint.get(point) ?? 0) + 1;
    donePerPoint.set(point, n);
    if (n === perPoint.get(point)) pointsDone++;
  };
  for (const r of records.keys()) count(r.point);
  const progress = () => opts.onProgress?.({ runsDone: records.size, runsTotal: mine.length, pointsDone, pointsTotal: perPoint.size });
  progress();

  const finish = (run: RunTask, reply: TaskReply) => {
    if ('error' in reply) {
      const where = `${plan.spec.name}: point ${run.point + 1} (${describePoint(plan.points.find((p) => p.index === run.point)?.params ?? {})}), replicate ${run.replicate}, seed ${run.seed}`;
      if (reply.input) throw new InputError(`${where}: ${reply.error}`, undefined, undefined, undefined, reply.hint);
      const err = new Error(`${where}: ${reply.error}`);
      // The worker's stack, for --debug: it says where in the model the run failed.
      if (reply.stack) err.stack = `${err.message}\n${reply.stack}`;
      throw err;
    }
    const rec: RunRecord = { replicate: run.replicate, seed: run.seed, hash: run.hash, partial: reply.partial, values: reply.values };
    const p = plan.points.find((q) => q.index === run.point)!;
    writeAtomic(join(opts.out, 'points', run.record), stableJson({ point: p.key, params: p.params, ...rec }));
    records.set(run, rec);
    count(run.point);
    progress();
  };

  const interrupted = opts.workers <= 0 ? await inProcess(todo, finish, opts.signal) : await pool(todo, opts.workers, finish, opts.signal);

  const byPoint: RunRecord[][] = plan.points.map(() => []);
  for (const r of mine) if (records.has(r)) byPoint[r.point].push(records.get(r)!);
  const doc = buildDoc(plan.spec, plan.points, byPoint, opts.shard ? `${opts.shard.index}/${opts.shard.count}` : null);
  return { doc, ran: records.size - reused, reused, interrupted };
}

const message = (run: RunTask, id: number): TaskMessage => ({ id, text: run.text, file: run.file, seed: run.seed });

async function inProcess(todo: RunTask[], finish: (run: RunTask, r: TaskReply) => void, signal?: AbortSignal): Promise<boolean> {
  for (let i = 0; i < todo.length; i++) {
    if (signal?.aborted) return true;
    finish(todo[i], runTask(message(todo[i], i)));
    // Let a pending Ctrl-C be noticed between runs.
    await new Promise((r) => setImmediate(r));
  }
  return Boolean(signal?.aborted);
}

function pool(todo: RunTask[], n: number, finish: (run: RunTask, r: TaskReply) => void, signal?: AbortSignal): Promise<boolean> {
  if (todo.length === 0) return Promise.resolve(false);
  const url = workerUrl();
  return new Promise<boolean>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let busy = 0;
    let settled = false;
    const end = (err: unknown, interrupted = false) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      Promise.all(workers.map((w) => w.terminate())).then(
        () => (err ? reject(err) : resolve(interrupted)),
        () => (err ? reject(err) : resolve(interrupted)),
      );
    };
    const onAbort = () => end(undefined, true);
    signal?.addEventListener('abort', onAbort);
    const feed = (w: Worker) => {
      if (settled) return;
      if (next < todo.length) {
        busy++;
        const id = next++;
        w.postMessage(message(todo[id], id));
      } else if (busy === 0) end(undefined);
    };
    for (let k = 0; k < Math.min(n, todo.length); k++) {
      const w = new Worker(url);
      workers.push(w);
      w.on('message', (reply: TaskReply) => {
        busy--;
        try {
          finish(todo[reply.id], reply);
        } catch (e) {
          end(e);
          return;
        }
        feed(w);
      });
      w.on('error', (e) => end(e));
      w.on('exit', (code) => {
        if (!settled && code !== 0) end(new Error(`a sweep worker exited with code ${code}`));
      });
      feed(w);
    }
    if (signal?.aborted) onAbort();
  });
}
