/**
 * The worker pools: one BullMQ Worker per stage, each job a call of that stage's step on the
 * transfer's current record. The job carries only the transfer id and generation: a job of an
 * older generation (the transfer was reorged, retried or approved since) does nothing. What the
 * step throws is sorted by classify.ts: not-yet waits (a delayed job, no retry used up),
 * transient retries with backoff.ts (the failed set once out of tries), invalid holds the transfer
 * with the reason and ends the job.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { payoutRole, sourceRole, type RelayerContext } from '../context.js';
import { KeyedLogThrottle } from '../log-throttle.js';
import type { Transfer } from '../transfer.js';
import { backoffDelay } from './backoff.js';
import { classify } from './classify.js';
import { queueNameOf, STAGES, type JobData, type Stage } from './stages.js';
import { broadcastStep } from './steps/broadcast.js';
import { confirmStep } from './steps/confirm.js';
import { hold } from './steps/outcomes.js';
import { settleStep } from './steps/settle.js';
import { signStep } from './steps/sign.js';
import { verifyStep } from './steps/verify.js';

export type Step = (ctx: RelayerContext, t: Transfer) => Promise<Stage | undefined>;

const STEPS: Readonly<Record<Stage, Step>> = {
  confirm: confirmStep,
  verify: verifyStep,
  sign: signStep,
  broadcast: broadcastStep,
  settle: settleStep,
};

/** How long a waiting job sleeps: the poll interval of the chain it waits for. */
function waitMs(ctx: RelayerContext, stage: Stage, t: Transfer): number {
  const role = stage === 'broadcast' || stage === 'settle' ? payoutRole(t) : sourceRole(t);
  return ctx.config.chains[role].pollIntervalMs;
}

/** Runs one job of `stage`: the transfer of its generation through its step, then the next stage (or a wait, a hold, a retry). */
async function runJob(ctx: RelayerContext, stage: Stage, job: Pick<Job<JobData>, 'data' | 'moveToDelayed'>, token: string | undefined): Promise<string> {
  const { id, generation } = job.data;
  const t = await ctx.store.get(id);
  if (t === undefined) return 'gone';
  if (t.generation !== generation) return 'stale';
  const log = ctx.log.child({ transferId: id, stage });
  try {
    const next = await STEPS[stage](ctx, t);
    if (next !== undefined) {
      const now = await ctx.store.require(id);
      await ctx.pipeline.enqueue(next, now);
      log.debug({ next }, 'handed over');
    }
    return next ?? 'done';
  } catch (e) {
    const c = classify(e);
    if (c.kind === 'not-yet') {
      log.debug({ reason: c.reason }, 'waiting');
      await job.moveToDelayed(Date.now() + waitMs(ctx, stage, t), token);
      throw new DelayedError();
    }
    if (c.kind === 'invalid') {
      await hold(ctx, t, { code: c.code, message: c.reason });
      return 'held';
    }
    log.warn({ err: e instanceof Error ? { message: e.message, code: (e as { code?: unknown }).code } : String(e) }, 'step failed; will retry');
    throw e;
  }
}

export interface WorkerPool {
  readonly workers: readonly Worker[];
  /** Stops taking jobs and waits for the running ones, at most `timeoutMs`; then forces. */
  close(timeoutMs: number): Promise<void>;
}

export function startWorkers(ctx: RelayerContext, connection: Redis, stages: readonly Stage[] = STAGES): WorkerPool {
  const { workers: w, deployment, redis } = ctx.config;
  const workers = stages.map(
    (stage) =>
      new Worker<JobData, string>(queueNameOf(deployment, stage), (job, token) => runJob(ctx, stage, job, token), {
        connection,
        prefix: redis.prefix,
        concurrency: w.concurrency[stage],
        // a stall is a crashed (or blocked) process, not the step's fault, and every step re-reads
        // the record, so running it again is safe. BullMQ's default of 1 failed a job on its second
        // stall in its whole life (the count survives delays: a confirm or settle job waits long),
        // and a failed job id stops the sweeper from queueing the stage again: the transfer stuck.
        maxStalledCount: w.attempts,
        settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, w.backoff) },
      }),
  );
  // While Redis is away every worker (and its blocking connection) reports each reconnection
  // attempt: log each distinct error at most once per log.repeatEveryMs, with the count skipped.
  const throttle = new KeyedLogThrottle(ctx.config.log.repeatEveryMs);
  for (const worker of workers) {
    worker.on('error', (err) => {
      const skipped = throttle.hit(err.message);
      if (skipped !== undefined) ctx.log.error({ err: { message: err.message }, skipped }, 'worker error');
    });
  }
  return {
    workers,
    async close(timeoutMs: number): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const graceful = Promise.all(workers.map((x) => x.close())).then(() => 'closed' as const);
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const result = await Promise.race([graceful, timeout]);
      clearTimeout(timer);
      if (result === 'timeout') {
        ctx.log.warn({ timeoutMs }, 'jobs still running at shutdown: closing workers by force (their jobs run again elsewhere)');
        await Promise.all(workers.map((x) => x.close(true)));
      }
    },
  };
}
