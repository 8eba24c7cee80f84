/**
 * Stage `broadcast`: sends the stored signed payout, exactly those bytes (a retry rebroadcasts the
 * same transaction). `signing` (with a payout) -> `broadcast`; then hands over to `settle`. A node
 * that refuses the transaction is asked where the payout stands: a claim or a spend of its inputs
 * that is already there is settled by `settle`; anything else holds the transfer with the reason.
 */
import { LedgerError } from '../../../ledgers/errors.js';
import { displayToHash, hexToBytes } from '../../../proofs/bytes.js';
import { payoutRole, type RelayerContext } from '../../context.js';
import type { Transfer } from '../../transfer.js';
import type { Stage } from '../stages.js';
import { assertNotPaused, hold, notYet } from './outcomes.js';
import { proveSource } from './verify.js';

export async function broadcastStep(ctx: RelayerContext, t: Transfer): Promise<Stage | undefined> {
  if (t.state === 'broadcast') return 'settle';
  if (t.state !== 'signing' || t.payout === undefined) return undefined;
  await assertNotPaused(ctx, t);
  const role = payoutRole(t);
  const adapter = ctx.adapters[role];
  const tip = await adapter.getTip();
  try {
    const r = await adapter.broadcast(hexToBytes(t.payout.rawTx, 'payout.rawTx'));
    ctx.log.info({ transferId: t.id, txid: t.payout.txid, alreadyKnown: r.alreadyKnown }, 'payout broadcast');
  } catch (e) {
    if (!(e instanceof LedgerError) || e.code !== 'NODE_REFUSED') throw e;
    const status = await adapter.getTransactionStatus(displayToHash(t.payout.txid), hexToBytes(t.payout.rawTx, 'payout.rawTx'));
    const claimed = t.direction === 'pegin' ? (await adapter.getPegInClaim(displayToHash(t.source.txid), t.source.vout)).claimed : false;
    if (status.state === 'unknown' && !claimed) {
      // a side node refuses a valid mint while its own view of the main chain catches up (after a
      // main reorg): while this operator still proves the lock, wait a grace period before holding
      const grace = Math.max(60_000, 60 * ctx.config.chains.side.pollIntervalMs);
      if (t.direction === 'pegin' && Date.now() - t.updatedAt < grace) {
        const still = await proveSource(ctx, t);
        if (still.kind === 'proven') throw notYet(`the side node refused mint ${t.payout.txid} (${e.message}); the lock is still proven: trying again`);
      }
      await hold(ctx, t, { code: 'BROADCAST_REFUSED', message: `the ${role} node refused payout ${t.payout.txid}: ${e.message}` });
      return undefined;
    }
    ctx.log.warn({ transferId: t.id, txid: t.payout.txid, status: status.state }, 'broadcast refused, but the payout or a conflict is already there: settling');
  }
  const stored = await ctx.store.mutate(t.id, (cur) =>
    cur.state === 'signing' && cur.generation === t.generation && cur.payout?.txid === t.payout?.txid
      ? { next: { ...cur, state: 'broadcast', payout: { ...cur.payout!, broadcastHeight: tip.height } }, note: `broadcast ${t.payout!.txid} at ${role} height ${tip.height}` }
      : undefined,
  );
  return stored.state === 'broadcast' ? 'settle' : undefined;
}
