import { readFileSync } from 'node:fs';
import { InputError, notJsonMessage } from '../util/errors.js';
import { buildDoc, docFromJson, SWEEP_VERSION, type RunRecord, type SweepDoc } from './doc.js';
import type { PointInfo } from './plan.js';

/** Read a sweep results file (sweep.json or a shard's), checking it is one. */
export function readDoc(file: string): SweepDoc {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`, file, undefined, undefined, 'give the sweep results files (sweep.json, sweep-shard-*.json) that simvm sweep wrote');
  }
  let doc: SweepDoc;
  try {
    doc = JSON.parse(text) as SweepDoc;
  } catch (e) {
    throw new InputError(notJsonMessage(e), file, undefined, undefined, 'give the sweep results files that simvm sweep wrote');
  }
  if (!doc || typeof doc !== 'object' || !doc.simvm || typeof doc.simvm.sweep_version !== 'number' || !Array.isArray(doc.points) || !doc.sweep) {
    throw new InputError('not simvm sweep results', file, undefined, undefined, 'a scenario report (report.json) cannot be merged; give sweep.json or sweep-shard-*.json files');
  }
  if (doc.simvm.sweep_version !== SWEEP_VERSION) throw new InputError(`sweep results version ${doc.simvm.sweep_version}; this simvm reads version ${SWEEP_VERSION}`, file, undefined, undefined, 'run the sweep again with this simvm');
  return docFromJson(doc);
}

const info = (p: PointInfo): PointInfo => ({ index: p.index, key: p.key, params: p.params, baseline: p.baseline, seeds: p.seeds, throughput_units: p.throughput_units });

/**
 * Combine the results of shards (or of runs of the same sweep) into the
 * results of the whole sweep. The runs are put together by point and
 * replicate and everything is recomputed by buildDoc, so merging all shards
 * gives the bytes an unsharded run gives.
 */
export function mergeDocs(inputs: { file: string; doc: SweepDoc }[]): SweepDoc {
  const [first, ...rest] = inputs;
  const specText = JSON.stringify(first.doc.sweep);
  const pointsText = JSON.stringify(first.doc.points.map(info));
  for (const { file, doc } of rest) {
    if (doc.simvm.version !== first.doc.simvm.version) throw new InputError(`made by simvm ${doc.simvm.version}, ${first.file} by simvm ${first.doc.simvm.version}`, file, undefined, undefined, 'run every shard with the same simvm');
    if (JSON.stringify(doc.sweep) !== specText) {
      const diff = Object.keys(first.doc.sweep).find((k) => JSON.stringify((doc.sweep as unknown as Record<string, unknown>)[k]) !== JSON.stringify((first.doc.sweep as unknown as Record<string, unknown>)[k]));
      throw new InputError(`results of a different sweep than ${first.file}${diff ? ` (its ${diff} differs)` : ''}`, file, undefined, undefined, 'merge the shards of one sweep, run with the same file and options');
    }
    if (JSON.stringify(doc.points.map(info)) !== pointsText) throw new InputError(`its points differ from those of ${first.file}`, file, undefined, undefined, 'merge the shards of one sweep, run with the same file and options');
  }
  const runs: Map<number, RunRecord>[] = first.doc.points.map(() => new Map());
  const from: Map<number, string>[] = first.doc.points.map(() => new Map());
  for (const { file, doc } of inputs) {
    doc.points.forEach((p, i) => {
      for (const r of p.runs) {
        const had = runs[i].get(r.replicate);
        if (had && JSON.stringify(had) !== JSON.stringify(r)) {
          throw new InputError(`point ${p.index + 1} replicate ${r.replicate} differs from the same run in ${from[i].get(r.replicate)}`, file, undefined, undefined, 'the same run gave different results: were the shards run with different simvm builds?');
        }
        runs[i].set(r.replicate, r);
        from[i].set(r.replicate, file);
      }
    });
  }
  return buildDoc(
    first.doc.sweep,
    first.doc.points.map(info),
    runs.map((m) => [...m.values()]),
    null,
  );
}
