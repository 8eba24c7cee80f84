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

  /**
   * Adds many at once (the sweeper, the watcher after a block); returns how many completed jobs were
   * replaced. With `rerunCompleted` (the sweeper's stale transfers), a job of the same id that
   * already completed is removed first, so that the stage runs again: its step ended without
   * moving the transfer on (it found no record while Redis was being rebuilt, say), and a
   * completed job id would otherwise turn every later add into a no-op for `keepCompletedSeconds`.
   * Steps are idempotent, so a run too many does nothing.
   */
  async enqueueMany(items: readonly { stage: Stage; transfer: Pick<Transfer, 'id' | 'generation'> }[], options: { rerunCompleted?: boolean } = {}): Promise<number> {
    let rerun = 0;
    for (const stage of STAGES) {
      const queue = this.queue(stage);
      const mine = items.filter((i) => i.stage === stage);
      if (options.rerunCompleted === true) {
        const ids = mine.map((i) => jobIdOf(stage, i.transfer.id, i.transfer.generation));
        const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
        const done = ids.filter((_, k) => states[k] === 'completed');
        await Promise.all(done.map((id) => queue.remove(id)));
        rerun += done.length;
      }
      const jobs = mine.map((i) => ({ name: stage, data: { id: i.transfer.id, generation: i.transfer.generation } satisfies JobData, opts: { ...this.jobOptions, jobId: jobIdOf(stage, i.transfer.id, i.transfer.generation) } }));
      for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
    }
    return rerun;
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
