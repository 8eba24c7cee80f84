/**
 * The BullMQ side of the pipeline: one queue per stage (stages.ts), jobs added with deterministic
 * ids, retries with the backoff of backoff.ts, completed jobs kept for `keepCompletedSeconds` (the
 * window in which a duplicate add is a no-op: the transfer store, not the queue, is the record),
 * failed jobs kept until an operator retries them.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RelayerConfig } from '../../config/index.js';
import type { Transfer } from '../transfer.js';
import { jobIdOf, queueNameOf, STAGES, type JobData, type Stage } from './stages.js';

/** The backoff strategy's name in job options (`settings.backoffStrategy` of the workers computes it). */
export const BACKOFF_TYPE = 'utxo-relay';

export interface FailedJob {
  readonly stage: Stage;
  readonly jobId: string;
  readonly data: JobData;
  readonly failedReason: string;
  readonly attemptsMade: number;
  readonly finishedOn?: number;
}

export class Pipeline {
  readonly queues: ReadonlyMap<Stage, Queue>;
  private readonly jobOptions: JobsOptions;

  constructor(
    producer: Redis,
    readonly config: Pick<RelayerConfig, 'deployment' | 'redis' | 'workers'>,
  ) {
    this.queues = new Map(STAGES.map((s) => [s, new Queue(queueNameOf(config.deployment, s), { connection: producer, prefix: config.redis.prefix })]));
    this.jobOptions = {
      attempts: config.workers.attempts,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: { age: config.workers.keepCompletedSeconds },
      removeOnFail: false,
    };
  }

  queue(stage: Stage): Queue {
    return this.queues.get(stage)!;
  }

  /** Adds the job of `stage` for the transfer's current generation (a no-op when it exists). */
  async enqueue(stage: Stage, t: Pick<Transfer, 'id' | 'generation'>, delayMs = 0): Promise<void> {
    const data: JobData = { id: t.id, generation: t.generation };
    await this.queue(stage).add(stage, data, { ...this.jobOptions, jobId: jobIdOf(stage, t.id, t.generation), ...(delayMs > 0 ? { delay: delayMs } : {}) });
  }

  /** Adds many at once (the sweeper, the watcher after a block). */
  async enqueueMany(items: readonly { stage: Stage; transfer: Pick<Transfer, 'id' | 'generation'> }[]): Promise<void> {
    for (const stage of STAGES) {
      const jobs = items
        .filter((i) => i.stage === stage)
        .map((i) => ({ name: stage, data: { id: i.transfer.id, generation: i.transfer.generation } satisfies JobData, opts: { ...this.jobOptions, jobId: jobIdOf(stage, i.transfer.id, i.transfer.generation) } }));
      for (let i = 0; i < jobs.length; i += 500) await this.queue(stage).addBulk(jobs.slice(i, i + 500));
    }
  }

  /** Jobs out of retries, newest first. */
  async failed(limit = 100): Promise<FailedJob[]> {
    const out: FailedJob[] = [];
    for (const stage of STAGES) {
      for (const job of await this.queue(stage).getFailed(0, limit - 1)) {
        out.push({
          stage,
          jobId: job.id ?? '',
          data: job.data as JobData,
          failedReason: job.failedReason,
          attemptsMade: job.attemptsMade,
          ...(job.finishedOn === undefined ? {} : { finishedOn: job.finishedOn }),
        });
      }
    }
    return out.sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0)).slice(0, limit);
  }

  /** Retries the failed job of a transfer at `stage` and generation; false when there is none. */
  async retryFailed(stage: Stage, t: Pick<Transfer, 'id' | 'generation'>): Promise<boolean> {
    const job = await this.queue(stage).getJob(jobIdOf(stage, t.id, t.generation));
    if (job === undefined || !(await job.isFailed())) return false;
    await job.retry('failed', { resetAttemptsMade: true });
    return true;
  }

  /** Jobs waiting, active, delayed and failed per stage. */
  async counts(): Promise<Record<Stage, Record<string, number>>> {
    const out = {} as Record<Stage, Record<string, number>>;
    for (const stage of STAGES) out[stage] = await this.queue(stage).getJobCounts('wait', 'active', 'delayed', 'failed', 'completed');
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
