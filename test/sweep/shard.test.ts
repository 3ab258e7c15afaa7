import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/util/errors.js';
import { shardFromEnv } from '../../src/sweep/shard.js';

const message = (env: Record<string, string>) => {
  try {
    shardFromEnv(env);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).format();
  }
  throw new Error('no error');
};

describe('--shard auto: each engine', () => {
  it('GitHub Actions and anything else: SIMVM_SHARD_INDEX (from 0) and SIMVM_SHARD_COUNT', () => {
    expect(shardFromEnv({ GITHUB_ACTIONS: 'true', SIMVM_SHARD_INDEX: '0', SIMVM_SHARD_COUNT: '4' })).toMatchObject({ engine: 'simvm', shard: { index: 1, count: 4 } });
    expect(shardFromEnv({ SIMVM_SHARD_INDEX: '3', SIMVM_SHARD_COUNT: '4' }).shard).toEqual({ index: 4, count: 4 });
  });
  it('Slurm job array: the task ID counted from the array minimum', () => {
    const slurm = (id: number, min: number, max: number, count: number) => ({ SLURM_ARRAY_TASK_ID: `${id}`, SLURM_ARRAY_TASK_MIN: `${min}`, SLURM_ARRAY_TASK_MAX: `${max}`, SLURM_ARRAY_TASK_COUNT: `${count}` });
    expect(shardFromEnv(slurm(0, 0, 3, 4))).toMatchObject({ engine: 'slurm', shard: { index: 1, count: 4 } });
    expect(shardFromEnv(slurm(7, 5, 8, 4)).shard).toEqual({ index: 3, count: 4 });
    // --array=1-7:2 has 4 tasks over 1..7: the IDs have gaps.
    expect(message(slurm(3, 1, 7, 4))).toMatch(/^simvm: error: --shard auto: the Slurm array 1-7 has 4 tasks, so it has gaps\n  hint: submit a contiguous array/);
    expect(message({ SLURM_ARRAY_TASK_ID: '2' })).toMatch(/a Slurm array task without SLURM_ARRAY_TASK_MIN/);
  });
  it('AWS Batch array job: AWS_BATCH_JOB_ARRAY_INDEX and AWS_BATCH_JOB_ARRAY_SIZE', () => {
    expect(shardFromEnv({ AWS_BATCH_JOB_ARRAY_INDEX: '9', AWS_BATCH_JOB_ARRAY_SIZE: '10' })).toMatchObject({ engine: 'aws-batch', shard: { index: 10, count: 10 } });
    expect(message({ AWS_BATCH_JOB_ARRAY_INDEX: '1' })).toMatch(/an AWS Batch array job without AWS_BATCH_JOB_ARRAY_SIZE/);
  });
  it('Kubernetes Indexed Job: JOB_COMPLETION_INDEX, and the count passed as SIMVM_SHARD_COUNT', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '2', SIMVM_SHARD_COUNT: '3' })).toMatchObject({ engine: 'kubernetes', shard: { index: 3, count: 3 } });
    expect(message({ JOB_COMPLETION_INDEX: '2' })).toMatch(/a Kubernetes Indexed Job without SIMVM_SHARD_COUNT\n  hint: the completion count is not in the environment/);
  });
});

describe('--shard auto: errors', () => {
  it('no engine: names what it looked for; in GitHub Actions, the two env lines to add', () => {
    expect(message({})).toMatch(/^simvm: error: --shard auto: no batch engine's shard index in the environment\n  hint: Slurm: sbatch --array/);
    expect(message({ GITHUB_ACTIONS: 'true' })).toMatch(/does not put the matrix job index there\)\n  hint: add to the job: env: \{ SIMVM_SHARD_INDEX: \$\{\{ strategy.job-index \}\}, SIMVM_SHARD_COUNT: \$\{\{ strategy.job-total \}\} \}/);
  });
  it('an index beyond the count, a value that is not a number, engines that disagree', () => {
    expect(message({ SIMVM_SHARD_INDEX: '4', SIMVM_SHARD_COUNT: '4' })).toMatch(/index 4 \(from SIMVM_SHARD_INDEX\) is not below the count 4/);
    expect(message({ AWS_BATCH_JOB_ARRAY_INDEX: 'x', AWS_BATCH_JOB_ARRAY_SIZE: '4' })).toMatch(/AWS_BATCH_JOB_ARRAY_INDEX="x" is not a whole number/);
    expect(message({ SIMVM_SHARD_INDEX: '0', SIMVM_SHARD_COUNT: '2', AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: '2' })).toMatch(/say shard 1\/2 but AWS_BATCH_JOB_ARRAY_INDEX, AWS_BATCH_JOB_ARRAY_SIZE say 2\/2/);
    expect(message({ SIMVM_SHARD_COUNT: '3', AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: '2' })).toMatch(/SIMVM_SHARD_COUNT=3 but AWS_BATCH_JOB_ARRAY_INDEX, AWS_BATCH_JOB_ARRAY_SIZE say 2 shards/);
  });
  it('agreeing engines are fine', () => {
    expect(shardFromEnv({ SIMVM_SHARD_INDEX: '1', SIMVM_SHARD_COUNT: '2', AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: '2' }).shard).toEqual({ index: 2, count: 2 });
  });
});
