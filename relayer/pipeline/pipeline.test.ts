/**
 * Pipeline.enqueueMany against real BullMQ on a private redis-server: a completed job of the same
 * id blocks a plain add, and `rerunCompleted` (the sweeper) runs the stage again; a failed job is
 * left for the operator.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { redisPerFile, uniquePrefix } from '../../test/redis.js';
import type { RelayerConfig } from '../../config/index.js';
import { transferIdOf } from '../transfer.js';
import { Pipeline } from './pipeline.js';
import { jobIdOf, queueNameOf, type Stage } from './stages.js';

const { connect } = redisPerFile();

/** A pipeline on `redis`, closed when the test ends (before the file's redis-server goes). */
function pipelineOn(t: TestContext, redis: Redis): Pipeline {
  const config = {
    deployment: 'dep',
    redis: { url: 'unused', prefix: uniquePrefix('{pipeline}') },
    workers: { concurrency: { confirm: 1, verify: 1, sign: 1, broadcast: 1, settle: 1 }, attempts: 1, backoff: { delayMs: 10, maxDelayMs: 10 }, keepCompletedSeconds: 86_400, shutdownTimeoutMs: 1000 },
  } as unknown as Pick<RelayerConfig, 'deployment' | 'redis' | 'workers'>;
  const pipeline = new Pipeline(redis, config);
  t.after(() => pipeline.close());
  return pipeline;
}

/** Runs the jobs of `stage` with `step` until `count` have finished (completed or failed). */
async function runJobs(pipeline: Pipeline, redis: Redis, stage: Stage, count: number, step: () => string): Promise<void> {
  let finished = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const connection = redis.duplicate();
  const worker = new Worker(queueNameOf('dep', stage), async () => step(), { connection, prefix: pipeline.config.redis.prefix });
  const count1 = (): void => {
    if (++finished === count) done();
  };
  worker.on('completed', count1);
  worker.on('failed', count1);
  await all;
  await worker.close();
  connection.disconnect();
}

test('a completed job of the same id: a plain add is a no-op, rerunCompleted runs the stage again; a failed job stays failed', async (t) => {
  const redis = connect();
  const pipeline = pipelineOn(t, redis);
  const stuck = { id: transferIdOf('pegout', new Uint8Array(32).fill(1), 0), generation: 0 };
  const failing = { id: transferIdOf('pegout', new Uint8Array(32).fill(2), 0), generation: 0 };
  const queue = pipeline.queue('broadcast');
  const stateOf = (t: typeof stuck): Promise<string> => queue.getJobState(jobIdOf('broadcast', t.id, t.generation));

  await pipeline.enqueueMany([{ stage: 'broadcast', transfer: stuck }]);
  await runJobs(pipeline, redis, 'broadcast', 1, () => 'gone');
  assert.equal(await stateOf(stuck), 'completed');
  assert.equal(await pipeline.enqueueMany([{ stage: 'broadcast', transfer: stuck }]), 0);
  assert.equal(await stateOf(stuck), 'completed', 'a plain add does not run it again');

  assert.equal(await pipeline.enqueueMany([{ stage: 'broadcast', transfer: stuck }], { rerunCompleted: true }), 1);
  assert.equal(await stateOf(stuck), 'waiting', 'the sweeper runs it again');
  assert.equal(await pipeline.enqueueMany([{ stage: 'broadcast', transfer: stuck }], { rerunCompleted: true }), 0, 'a waiting job is left as it is');

  await pipeline.enqueueMany([{ stage: 'broadcast', transfer: failing }]);
  await runJobs(pipeline, redis, 'broadcast', 2, () => {
    throw new Error('refused');
  });
  assert.equal(await stateOf(failing), 'failed');
  assert.equal(await pipeline.enqueueMany([{ stage: 'broadcast', transfer: failing }], { rerunCompleted: true }), 0);
  assert.equal(await stateOf(failing), 'failed', 'a failed job is the operator\'s to retry');
});
