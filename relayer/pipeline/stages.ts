/**
 * The stages of the job pipeline (DESIGN.md §4), one BullMQ queue each, and the deterministic job
 * id of a transfer at a stage: `<stage>-<transfer id>-g<generation>`. Adding a job whose id exists
 * is a no-op while the first is kept, so duplicate events and the sweeper never make two jobs of
 * one step; the generation (bumped on a reorg, a retry or an approval) lets a transfer run a stage
 * again on purpose.
 */
import type { TransferId, TransferState, Transfer } from '../transfer.js';

export type Stage = 'confirm' | 'verify' | 'sign' | 'broadcast' | 'settle';
export const STAGES: readonly Stage[] = ['confirm', 'verify', 'sign', 'broadcast', 'settle'];

export interface JobData {
  readonly id: TransferId;
  readonly generation: number;
}

export function jobIdOf(stage: Stage, id: TransferId, generation: number): string {
  return `${stage}-${id}-g${generation}`;
}

/** The stage that moves a transfer on from its state, or undefined when it waits for nobody. */
export function stageFor(t: Transfer): Stage | undefined {
  const byState: Partial<Record<TransferState, Stage>> = {
    seen: 'confirm',
    confirming: 'confirm',
    verified: 'sign',
    signing: t.payout === undefined ? 'sign' : 'broadcast',
    broadcast: 'settle',
  };
  return byState[t.state];
}

export function queueNameOf(deployment: string, stage: Stage): string {
  return `${deployment}-${stage}`;
}
