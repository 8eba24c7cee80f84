/**
 * The operator's actions (docs/operator.md): retry, approve, pause, resume, and what `status`,
 * `transfers list` and `transfers show` print. Pure logic over an OperatorStore, so that the CLI,
 * the tests and the HTTP API call the same code. Every change of a transfer is a compare-and-set
 * through `store.mutate` with an `operator: ...` note in its history; nothing here talks to a
 * chain: whatever an action sends back into the pipeline is checked again by the stages.
 */
import type { Job } from 'bullmq';
import { RelayerError } from '../errors.js';
import { jobIdOf, stageFor, STAGES, type Stage } from '../pipeline/stages.js';
import type { FailedJob } from '../pipeline/pipeline.js';
import type { Alert, PauseReason } from '../store/controls.js';
import type { Cursor } from '../store/chain-marks.js';
import type { ChainRole } from '../store/keys.js';
import type { TransferEvent } from '../store/transfer-store.js';
import { DIRECTIONS, type Direction, type Transfer, type TransferId, type TransferState } from '../transfer.js';
import type { OperatorStore } from './operator-store.js';

/** States in which a transfer is on its way and a stage job should exist for it. */
export const MOVING_STATES: ReadonlySet<TransferState> = new Set(['seen', 'confirming', 'verified', 'signing', 'broadcast']);

/** What `retryTransfer` / `approveTransfer` did. */
export type RetryAction = 'requeued' | 'job-retried' | 'already-queued';

export interface JobRef {
  readonly stage: Stage;
  readonly jobId: string;
  /** BullMQ's state of the job after the action: waiting, delayed, active, completed, failed, unknown... */
  readonly state: string;
}

export interface RetryResult {
  readonly action: RetryAction;
  /** The record as stored after the action. */
  readonly transfer: Transfer;
  /** The stage job that was queued, retried or found. */
  readonly job: JobRef;
  /** What happened, in one or two sentences (the CLI prints it). */
  readonly message: string;
}

// ---------------------------------------------------------------------------------------------
// retry and approve

/**
 * Sends a transfer on again.
 * - `held`: back into the pipeline with `generation + 1` and its `reason` removed (`approved` is
 *   kept as it was); the stage job of the new generation is queued. Without a payout it goes back
 *   to `confirming`: confirmations, proof, amount, memo and caps are all checked again. With a
 *   signed payout (held by a refused broadcast or a payout conflict) it is never sent through
 *   `sign` again, which could sign a second, different payout: it goes back to `signing` (the
 *   stored bytes are broadcast again) or, once broadcast or found on chain, to `broadcast` (settle
 *   asks the chain where the payout stands).
 * - moving (seen, confirming, verified, signing, broadcast): a job of its current generation in
 *   the failed set — the one of stageFor, or the next stage's that it handed over to (`verify` of a
 *   `confirming` transfer) — goes back to waiting (`job-retried`). With nothing failed and a job
 *   waiting, delayed or running: `already-queued`, nothing done. With no job that will run: the
 *   stage job is queued (`already-queued`; a no-op when it exists), or, when it completed without
 *   moving the transfer, run again (`job-retried`).
 * - completed, rejected, reorged: TRANSFER_STATE_CONFLICT saying why there is nothing to retry.
 */
export async function retryTransfer(os: OperatorStore, id: TransferId): Promise<RetryResult> {
  const t = await os.store.require(id);
  if (t.state === 'held') return reenterHeld(os, id, false);
  if (!MOVING_STATES.has(t.state)) throw refusal(t, 'retry');
  return kickMoving(os, t);
}

/**
 * Approves a `held` transfer past the governor's caps (`approved: true`: the per-transfer maximum
 * and the 24-hour cap no longer apply to it, though it still counts in the window; its proof is
 * still checked in full) and sends it on like `retryTransfer`. Any other state:
 * TRANSFER_STATE_CONFLICT.
 */
export async function approveTransfer(os: OperatorStore, id: TransferId): Promise<RetryResult> {
  const t = await os.store.require(id);
  if (t.state !== 'held') throw refusal(t, 'approve');
  return reenterHeld(os, id, true);
}

/** The state a held transfer goes back to (see retryTransfer). */
export function reentryStateOf(t: Transfer): TransferState {
  if (t.payout === undefined) return 'confirming';
  return t.payout.broadcastHeight !== undefined || t.payout.rawTx === '' ? 'broadcast' : 'signing';
}

async function reenterHeld(os: OperatorStore, id: TransferId, approve: boolean): Promise<RetryResult> {
  const next = await os.store.mutate(id, (cur) => {
    if (cur.state !== 'held') throw refusal(cur, approve ? 'approve' : 'retry', 'changed while the operator acted');
    const { reason: _reason, ...rest } = cur;
    const state = reentryStateOf(cur);
    const was = cur.reason === undefined ? 'held' : `held: ${cur.reason.code}`;
    return {
      next: { ...rest, state, generation: cur.generation + 1, ...(approve ? { approved: true } : {}) },
      note: approve ? `operator: approved past the governor's caps (${was})` : `operator: retried (${was})`,
    };
  });
  const stage = stageFor(next)!;
  await os.pipeline.enqueue(stage, next);
  const job = await jobRef(os, stage, next);
  const what =
    next.state === 'confirming'
      ? 'verification runs again in full (confirmations, proof, amount, memo, caps)'
      : next.state === 'signing'
        ? `its signed payout ${next.payout!.txid} is broadcast again (it is not signed again)`
        : `settle asks the chain where its payout ${next.payout!.txid} stands`;
  const message =
    `${id}: ${approve ? 'approved past the caps (the proof is still checked); ' : ''}held -> ${next.state} (generation ${next.generation}); ` +
    `${stage} job ${job.jobId} queued: ${what}${await pauseNote(os, next)}`;
  return { action: 'requeued', transfer: next, job, message };
}

const LIVE_JOB_STATES: ReadonlySet<string> = new Set(['waiting', 'prioritized', 'delayed', 'active', 'waiting-children']);

/**
 * A moving transfer's jobs of its current generation, one per stage that has one. More than the
 * job of stageFor can matter: a stage that hands over ends before the next one moves the
 * transfer (a `confirming` transfer is moved on by its `verify` job once `confirm` completed).
 */
async function jobsOf(os: OperatorStore, t: Pick<Transfer, 'id' | 'generation'>): Promise<{ stage: Stage; jobId: string; job: Job; state: string }[]> {
  const out: { stage: Stage; jobId: string; job: Job; state: string }[] = [];
  for (const stage of STAGES) {
    const jobId = jobIdOf(stage, t.id, t.generation);
    const job = (await os.pipeline.queue(stage).getJob(jobId)) as Job | undefined;
    if (job !== undefined) out.push({ stage, jobId, job, state: await job.getState() });
  }
  return out;
}

async function kickMoving(os: OperatorStore, t: Transfer): Promise<RetryResult> {
  const stage = stageFor(t);
  if (stage === undefined) throw refusal(t, 'retry');
  const jobs = await jobsOf(os, t);

  // 1. a failed job of its current generation (normally the one of stageFor; possibly the next
  //    stage's, e.g. `verify` of a `confirming` transfer): back to waiting
  const failed = jobs.filter((j) => j.state === 'failed');
  const retried: { stage: Stage; jobId: string; failedReason: string }[] = [];
  for (const f of failed) {
    if (await os.pipeline.retryFailed(f.stage, t)) retried.push({ stage: f.stage, jobId: f.jobId, failedReason: f.job.failedReason });
  }
  if (retried.length > 0) {
    const first = retried[0]!;
    const transfer = await noteOnRecord(os, t, `operator: retried the failed ${retried.map((r) => `${r.stage} job ${r.jobId}`).join(', ')}`);
    const job = await jobRef(os, first.stage, t);
    const what = retried.map((r) => `the failed ${r.stage} job ${r.jobId} is ${r === first ? job.state : 'waiting'} again (it had failed: ${r.failedReason})`).join('; ');
    return { action: 'job-retried', transfer, job, message: `${t.id}: ${what}${await pauseNote(os, t)}` };
  }

  // 2. a job that will run (waiting, delayed, active): nothing to do
  const live = jobs.find((j) => LIVE_JOB_STATES.has(j.state));
  if (live !== undefined) {
    return {
      action: 'already-queued',
      transfer: t,
      job: { stage: live.stage, jobId: live.jobId, state: live.state },
      message: `${t.id}: ${t.state}, nothing failed; its ${live.stage} job ${live.jobId} is already queued (${describeJobState(live.state)})${await pauseNote(os, t)}`,
    };
  }

  // 3. no job will run: the stage job completed without moving the transfer (a new add would be a
  //    no-op while the completed job is kept, workers.keepCompletedSeconds): run it again
  const own = jobs.find((j) => j.stage === stage);
  if (own !== undefined && own.state === 'completed') {
    try {
      await own.job.retry('completed');
      const transfer = await noteOnRecord(os, t, `operator: ran the ${stage} job ${own.jobId} again (it had completed and no job was moving the transfer)`);
      const job = await jobRef(os, stage, t);
      return { action: 'job-retried', transfer, job, message: `${t.id}: its ${stage} job ${own.jobId} had completed and no job was moving it on; it is ${job.state} again${await pauseNote(os, t)}` };
    } catch {
      // removed or moved meanwhile: queue it below
    }
  }

  // 4. no job at all (e.g. a crash between a state change and the next add): queue it
  await os.pipeline.enqueue(stage, t);
  const job = await jobRef(os, stage, t);
  return {
    action: 'already-queued',
    transfer: t,
    job,
    message: `${t.id}: ${t.state}, nothing failed; its ${stage} job ${job.jobId} was queued again (${describeJobState(job.state)})${await pauseNote(os, t)}`,
  };
}

function describeJobState(state: string): string {
  switch (state) {
    case 'waiting':
    case 'prioritized':
      return 'waiting for a worker';
    case 'delayed':
      return 'delayed: it waits for the chain (confirmations, a block not yet seen) or for a pause to end, and tries again by itself';
    case 'active':
      return 'running now';
    default:
      return state;
  }
}

/** Writes a history note on an unchanged record (when it is still in the state and generation seen). */
async function noteOnRecord(os: OperatorStore, t: Transfer, note: string): Promise<Transfer> {
  return os.store.mutate(t.id, (cur) => (cur.state === t.state && cur.generation === t.generation ? { next: cur, note } : undefined));
}

async function jobRef(os: OperatorStore, stage: Stage, t: Pick<Transfer, 'id' | 'generation'>): Promise<JobRef> {
  const jobId = jobIdOf(stage, t.id, t.generation);
  const job = (await os.pipeline.queue(stage).getJob(jobId)) as Job | undefined;
  return { stage, jobId, state: job === undefined ? 'unknown' : await job.getState() };
}

async function pauseNote(os: OperatorStore, t: Transfer): Promise<string> {
  const paused = await os.controls.pausedReason(t.direction);
  return paused === undefined ? '' : `; note: ${t.direction} is paused (${paused.by}: ${paused.reason}): nothing is signed or broadcast until it is resumed`;
}

function refusal(t: Transfer, action: 'retry' | 'approve', context?: string): RelayerError {
  const why = ((): string => {
    const reason = t.reason === undefined ? '' : ` (${t.reason.code}: ${t.reason.message})`;
    switch (t.state) {
      case 'completed':
        return `it is completed${t.payout === undefined ? '' : `: its payout ${t.payout.txid} has its confirmations`}; nothing to ${action}`;
      case 'rejected':
        return `it is rejected${reason}: the deposit is listed for refund; it moves no value, nothing to ${action}`;
      case 'reorged':
        return `it is reorged: its block left the best chain; it comes back by itself if its output is mined again, nothing to ${action}`;
      case 'held':
        return `it is held${reason}`;
      default:
        return action === 'approve'
          ? `it is ${t.state}, on its way: only a held transfer can be approved (retry it if it looks stuck)`
          : `it is ${t.state} now (look again, then retry)`;
    }
  })();
  return new RelayerError('TRANSFER_STATE_CONFLICT', `cannot ${action} ${t.id}${context === undefined ? '' : ` (it ${context})`}: ${why}`, {
    details: { id: t.id, state: t.state },
  });
}

// ---------------------------------------------------------------------------------------------
// pause and resume

export type DirectionChoice = Direction | 'all';

export interface PauseResult {
  readonly direction: Direction;
  /** The pause in force afterwards. */
  readonly pause: PauseReason;
  /** True when the direction was already paused: that pause (its reason and author) is kept. */
  readonly already: boolean;
}

export interface ResumeResult {
  readonly direction: Direction;
  /** The pause that was lifted (who paused it, why, when); undefined when it was not paused. */
  readonly was?: PauseReason;
}

function directionsOf(choice: DirectionChoice): readonly Direction[] {
  if (choice === 'all') return DIRECTIONS;
  if (!DIRECTIONS.includes(choice)) throw new RangeError(`direction: expected pegin, pegout or all, got ${JSON.stringify(choice)}`);
  return [choice];
}

/**
 * Pauses a direction (or both): nothing of it is signed or broadcast until it is resumed; jobs
 * wait (delayed), they do not fail. A direction already paused keeps its pause (the first reason
 * and author, e.g. a reorg alarm, stay visible).
 */
export async function pauseDirection(os: OperatorStore, choice: DirectionChoice, reason: string, by = 'operator'): Promise<PauseResult[]> {
  const out: PauseResult[] = [];
  for (const direction of directionsOf(choice)) {
    const existing = await os.controls.pausedReason(direction);
    if (existing !== undefined) {
      out.push({ direction, pause: existing, already: true });
      continue;
    }
    await os.controls.pause(direction, reason, by);
    out.push({ direction, pause: (await os.controls.pausedReason(direction)) ?? { reason, by, at: Date.now() }, already: false });
  }
  return out;
}

/** Resumes a direction (or both) and says what each pause was: by whom, why and since when. */
export async function resumeDirection(os: OperatorStore, choice: DirectionChoice): Promise<ResumeResult[]> {
  const out: ResumeResult[] = [];
  for (const direction of directionsOf(choice)) {
    const was = await os.controls.pausedReason(direction);
    const removed = await os.controls.resume(direction);
    out.push(removed && was !== undefined ? { direction, was } : { direction });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// status, list, show

export interface GovernorStatus {
  /** Base units counted in the rolling 24-hour window. */
  readonly used: bigint;
  readonly dailyCap?: bigint;
  readonly maxPerTransfer?: bigint;
}

export interface Status {
  readonly deployment: string;
  readonly transfers: Record<TransferState, number>;
  /** Per stage: wait, active, delayed, failed, completed. */
  readonly jobs: Record<Stage, Record<string, number>>;
  readonly paused: Partial<Record<Direction, PauseReason>>;
  /** The last 10, newest first. */
  readonly alerts: Alert[];
  /** The watchers' cursors; null before a watcher processed its first block. */
  readonly cursors: Record<ChainRole, Cursor | null>;
  readonly governor: Record<Direction, GovernorStatus>;
}

export async function status(os: OperatorStore): Promise<Status> {
  const [transfers, jobs, paused, alerts, main, side, peginUsed, pegoutUsed] = await Promise.all([
    os.store.counts(),
    os.pipeline.counts(),
    os.controls.paused(),
    os.controls.alerts(10),
    os.marks.cursor('main'),
    os.marks.cursor('side'),
    os.governor.used('pegin'),
    os.governor.used('pegout'),
  ]);
  const gov = (direction: Direction, used: bigint): GovernorStatus => {
    const l = os.config.limits[direction];
    return { used, ...(l.dailyCap === undefined ? {} : { dailyCap: l.dailyCap }), ...(l.maxPerTransfer === undefined ? {} : { maxPerTransfer: l.maxPerTransfer }) };
  };
  return {
    deployment: os.config.deployment,
    transfers,
    jobs,
    paused,
    alerts,
    cursors: { main: main ?? null, side: side ?? null },
    governor: { pegin: gov('pegin', peginUsed), pegout: gov('pegout', pegoutUsed) },
  };
}

/** Transfers, newest first, optionally of one state and/or direction. [Default limit: 100] */
export async function listTransfers(os: OperatorStore, options: { state?: TransferState; direction?: Direction; limit?: number } = {}): Promise<Transfer[]> {
  return os.store.list(options);
}

export interface TransferDetails {
  readonly transfer: Transfer;
  /** Oldest first. */
  readonly history: TransferEvent[];
  /** The stage job that moves it on now (moving states only). */
  readonly job?: JobRef;
  /** Jobs of its current generation in the failed set, with BullMQ's failure reason. */
  readonly failedJobs: FailedJob[];
}

/** A transfer with its history and its jobs; TRANSFER_NOT_FOUND when there is none. */
export async function showTransfer(os: OperatorStore, id: TransferId): Promise<TransferDetails> {
  const transfer = await os.store.require(id);
  const history = await os.store.events(id);
  const failedJobs: FailedJob[] = [];
  for (const stage of STAGES) {
    const job = (await os.pipeline.queue(stage).getJob(jobIdOf(stage, id, transfer.generation))) as Job | undefined;
    if (job === undefined || !(await job.isFailed())) continue;
    failedJobs.push({
      stage,
      jobId: job.id ?? '',
      data: job.data as FailedJob['data'],
      failedReason: job.failedReason,
      attemptsMade: job.attemptsMade,
      ...(job.finishedOn === undefined ? {} : { finishedOn: job.finishedOn }),
    });
  }
  const stage = MOVING_STATES.has(transfer.state) ? stageFor(transfer) : undefined;
  return { transfer, history, failedJobs, ...(stage === undefined ? {} : { job: await jobRef(os, stage, transfer) }) };
}
