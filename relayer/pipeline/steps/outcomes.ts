/**
 * The moves every step shares: wait (NOT_YET), hold with a reason, reject with a reason, and
 * take a transfer out of the pipeline when its source block left the best chain.
 */
import type { RelayerContext } from '../../context.js';
import { RelayerError } from '../../errors.js';
import { FINAL_STATES, type Reason, type Transfer, type TransferState } from '../../transfer.js';

export function notYet(message: string, details: Record<string, unknown> = {}): RelayerError {
  return new RelayerError('NOT_YET', message, { details });
}

/** PAUSED while the transfer's direction is paused (by an operator, the reserve check or a reorg alarm). */
export async function assertNotPaused(ctx: RelayerContext, t: Transfer): Promise<void> {
  const paused = await ctx.controls.pausedReason(t.direction);
  if (paused !== undefined) throw new RelayerError('PAUSED', `${t.direction} is paused (${paused.by}: ${paused.reason})`, { details: { direction: t.direction } });
}

/** States in which no payout has been built: leaving the pipeline moves no value. */
const BEFORE_PAYOUT: ReadonlySet<TransferState> = new Set(['seen', 'confirming', 'verified', 'held']);

/** Whether value may already have moved for this transfer (a payout was signed). */
export function payoutMayExist(t: Transfer): boolean {
  return t.payout !== undefined || t.state === 'broadcast' || t.state === 'completed';
}

/** Moves a transfer to `held` with a reason (nothing moves until an operator or the sweeper says so). */
export async function hold(ctx: RelayerContext, t: Transfer, reason: Reason): Promise<Transfer> {
  const held = await ctx.store.mutate(t.id, (cur) => {
    if (cur.generation !== t.generation || FINAL_STATES.has(cur.state) || cur.state === 'held') return undefined;
    return { next: { ...cur, state: 'held', reason }, note: `held: ${reason.code}: ${reason.message}` };
  });
  // lock outputs reserved for a release that was never signed go back to the pool
  if (held.state === 'held' && held.direction === 'pegout' && held.payout === undefined) await releaseReservations(ctx, t.id);
  ctx.log.warn({ transferId: t.id, reason }, 'transfer held');
  return held;
}

/** Moves a transfer to `rejected` (bad input: never moves value; listed for refund). */
export async function reject(ctx: RelayerContext, t: Transfer, reason: Reason): Promise<Transfer> {
  const out = await ctx.store.mutate(t.id, (cur) => {
    if (cur.generation !== t.generation || FINAL_STATES.has(cur.state) || payoutMayExist(cur)) return undefined;
    return { next: { ...cur, state: 'rejected', reason }, note: `rejected: ${reason.code}: ${reason.message}` };
  });
  await ctx.governor.forget(t.direction, t.id);
  ctx.log.warn({ transferId: t.id, reason }, 'transfer rejected');
  return out;
}

/**
 * The source block of `t` left the best chain. Before a payout exists the transfer becomes
 * `reorged` (it comes back if its output is mined again); after, value may have moved: the
 * direction is paused and an alert raised for the operator.
 */
export async function sourceReorged(ctx: RelayerContext, id: Transfer['id'], blockHash: string): Promise<void> {
  let alarm: Transfer | undefined;
  await ctx.store.mutate(id, (cur) => {
    alarm = undefined;
    if (cur.source.blockHash !== blockHash || cur.state === 'reorged' || cur.state === 'rejected') return undefined;
    if (payoutMayExist(cur)) {
      alarm = cur;
      return undefined;
    }
    if (!BEFORE_PAYOUT.has(cur.state) && cur.state !== 'signing') return undefined;
    return {
      next: { ...cur, state: 'reorged', generation: cur.generation + 1, reason: { code: 'SOURCE_REORGED', message: `block ${blockHash} left the best chain before any payout` } },
      note: `reorged out of block ${blockHash}`,
    };
  });
  if (alarm !== undefined) {
    const t = alarm;
    const kind = t.direction === 'pegin' ? 'MINTED_LOCK_REORGED' : 'RELEASED_BURN_REORGED';
    // several paths see the same reorg (the watcher, a worker's confirm): one alert per transfer and block
    const recent = await ctx.controls.alerts(100);
    if (recent.some((a) => a.kind === kind && a.details?.['transferId'] === t.id && a.details?.['blockHash'] === blockHash)) return;
    const message = `${t.id}: block ${blockHash} holding its ${t.direction === 'pegin' ? 'lock' : 'burn'} left the best chain after its payout ${t.payout?.txid ?? ''} was signed; ${t.direction} paused`;
    await ctx.controls.pause(t.direction, message, 'reorg');
    await ctx.controls.alert(kind, message, { transferId: t.id, blockHash, payout: t.payout?.txid });
    ctx.log.error({ transferId: t.id, blockHash, alert: kind }, message);
    return;
  }
  const now = await ctx.store.get(id);
  if (now?.state === 'reorged') {
    await ctx.governor.forget(now.direction, id);
    await releaseReservations(ctx, id);
    ctx.log.warn({ transferId: id, blockHash }, 'transfer reorged: its block left the best chain');
  }
}

/** Frees the lock outputs a pegout transfer had reserved for a release it never signed. */
export async function releaseReservations(ctx: RelayerContext, id: Transfer['id']): Promise<void> {
  const mine = [...(await ctx.marks.reservations()).entries()].filter(([, owner]) => owner === id).map(([outpoint]) => outpoint);
  await ctx.marks.unreserve(id, mine);
}
