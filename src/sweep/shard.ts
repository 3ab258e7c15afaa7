/**
 * `--shard auto`: which shard this job is, from the environment the batch
 * engine gives each job of an array. Every engine numbers its jobs from 0;
 * simvm's shards are numbered from 1 (`--shard 1/4`), so shard = index + 1.
 *
 *   engine                     index                          count
 *   Slurm job array            SLURM_ARRAY_TASK_ID − MIN      SLURM_ARRAY_TASK_COUNT (= MAX − MIN + 1)
 *   AWS Batch array job        AWS_BATCH_JOB_ARRAY_INDEX      AWS_BATCH_JOB_ARRAY_SIZE
 *   Kubernetes Indexed Job     JOB_COMPLETION_INDEX           SIMVM_SHARD_COUNT (set it to spec.completions)
 *   anything else (GitHub      SIMVM_SHARD_INDEX              SIMVM_SHARD_COUNT
 *   Actions: from strategy.job-index and strategy.job-total)
 *
 * Sources: Slurm's job_array.html (SLURM_ARRAY_TASK_{ID,COUNT,MIN,MAX});
 * AWS Batch's "job environment variables" page (the index starts at 0;
 * AWS_BATCH_JOB_ARRAY_SIZE is the parent's size); Kubernetes' "Indexed Job
 * for parallel processing" task (the control plane sets
 * JOB_COMPLETION_INDEX; the completion count is not in the environment);
 * GitHub Actions' strategy context (job-index from 0, job-total), which is
 * not in the environment either, so the workflow passes it in `env:`.
 */
import { InputError } from '../util/errors.js';
import type { Shard } from './run.js';

export type Engine = 'simvm' | 'slurm' | 'aws-batch' | 'kubernetes';

export interface AutoShard {
  shard: Shard;
  engine: Engine;
  /** The variables it was read from, for the log. */
  from: string;
}

type Env = Record<string, string | undefined>;

const HINT = 'Slurm: sbatch --array=0-3; AWS Batch: an array job; Kubernetes: completionMode: Indexed with env SIMVM_SHARD_COUNT = completions; GitHub Actions and others: env SIMVM_SHARD_INDEX: ${{ strategy.job-index }} and SIMVM_SHARD_COUNT: ${{ strategy.job-total }}';

function int(env: Env, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\s*\d+\s*$/.test(text)) throw new InputError(`--shard auto: ${name}="${text}" is not a whole number`, undefined, undefined, undefined, HINT);
  return Number(text);
}

function need(env: Env, name: string, what: string, hint: string): number {
  const v = int(env, name);
  if (v === undefined) throw new InputError(`--shard auto: ${what} without ${name}`, undefined, undefined, undefined, hint);
  return v;
}

/** The shard of this job, from the engine's environment; an InputError when there is none or it does not add up. */
export function shardFromEnv(env: Env): AutoShard {
  const found: AutoShard[] = [];
  const explicitCount = int(env, 'SIMVM_SHARD_COUNT');
  if (int(env, 'SIMVM_SHARD_INDEX') !== undefined) {
    const index = int(env, 'SIMVM_SHARD_INDEX')!;
    const count = need(env, 'SIMVM_SHARD_COUNT', 'SIMVM_SHARD_INDEX', 'set SIMVM_SHARD_COUNT to the number of shards (GitHub Actions: ${{ strategy.job-total }})');
    found.push({ engine: 'simvm', shard: { index, count }, from: 'SIMVM_SHARD_INDEX, SIMVM_SHARD_COUNT' });
  }
  if (int(env, 'SLURM_ARRAY_TASK_ID') !== undefined) {
    const id = int(env, 'SLURM_ARRAY_TASK_ID')!;
    const hint = 'submit a contiguous array: sbatch --array=0-3 (or 1-4) runs 4 shards';
    const min = need(env, 'SLURM_ARRAY_TASK_MIN', 'a Slurm array task', hint);
    const max = need(env, 'SLURM_ARRAY_TASK_MAX', 'a Slurm array task', hint);
    const count = need(env, 'SLURM_ARRAY_TASK_COUNT', 'a Slurm array task', hint);
    // A stepped or listed array (--array=1-7:2, --array=1,4,9) has gaps: its task IDs are not shard numbers.
    if (count !== max - min + 1) throw new InputError(`--shard auto: the Slurm array ${min}-${max} has ${count} tasks, so it has gaps`, undefined, undefined, undefined, hint);
    found.push({ engine: 'slurm', shard: { index: id - min, count }, from: 'SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_MAX, SLURM_ARRAY_TASK_COUNT' });
  }
  if (int(env, 'AWS_BATCH_JOB_ARRAY_INDEX') !== undefined) {
    const count = need(env, 'AWS_BATCH_JOB_ARRAY_SIZE', 'an AWS Batch array job', 'AWS Batch sets AWS_BATCH_JOB_ARRAY_SIZE in the children of an array job');
    found.push({ engine: 'aws-batch', shard: { index: int(env, 'AWS_BATCH_JOB_ARRAY_INDEX')!, count }, from: 'AWS_BATCH_JOB_ARRAY_INDEX, AWS_BATCH_JOB_ARRAY_SIZE' });
  }
  if (int(env, 'JOB_COMPLETION_INDEX') !== undefined) {
    const count = need(env, 'SIMVM_SHARD_COUNT', 'a Kubernetes Indexed Job', 'the completion count is not in the environment: add env SIMVM_SHARD_COUNT with the value of spec.completions');
    found.push({ engine: 'kubernetes', shard: { index: int(env, 'JOB_COMPLETION_INDEX')!, count }, from: 'JOB_COMPLETION_INDEX, SIMVM_SHARD_COUNT' });
  }
  if (!found.length) {
    const gh = env.GITHUB_ACTIONS === 'true';
    throw new InputError(
      `--shard auto: no batch engine's shard index in the environment${gh ? ' (GitHub Actions does not put the matrix job index there)' : ''}`,
      undefined,
      undefined,
      undefined,
      gh ? 'add to the job: env: { SIMVM_SHARD_INDEX: ${{ strategy.job-index }}, SIMVM_SHARD_COUNT: ${{ strategy.job-total }} }' : HINT,
    );
  }
  // SIMVM_SHARD_INDEX is the explicit choice; two engines at once (a Slurm job in a Kubernetes pod?) must agree.
  const chosen = found[0];
  for (const other of found.slice(1)) {
    if (other.shard.index !== chosen.shard.index || other.shard.count !== chosen.shard.count) {
      throw new InputError(`--shard auto: ${chosen.from} say shard ${chosen.shard.index + 1}/${chosen.shard.count} but ${other.from} say ${other.shard.index + 1}/${other.shard.count}`, undefined, undefined, undefined, 'unset the variables of the engine that is not running this job');
    }
  }
  if (explicitCount !== undefined && explicitCount !== chosen.shard.count) {
    throw new InputError(`--shard auto: SIMVM_SHARD_COUNT=${explicitCount} but ${chosen.from} say ${chosen.shard.count} shards`, undefined, undefined, undefined, 'unset SIMVM_SHARD_COUNT or make it match');
  }
  const { index, count } = chosen.shard;
  if (count < 1 || index >= count) throw new InputError(`--shard auto: index ${index} (from ${chosen.from.split(',')[0]}) is not below the count ${count}`, undefined, undefined, undefined, 'indexes run from 0 to count - 1');
  return { ...chosen, shard: { index: index + 1, count } };
}
