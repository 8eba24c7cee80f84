/**
 * Turns what the detectors found in one block into transfer records: new outpoints become `seen`
 * (or `rejected` with the reason), an outpoint already recorded is left as it is — a duplicate
 * event, a duplicate announcement — unless it was `reorged` or its old block left the best chain,
 * in which case it comes back at its new block with a new generation.
 */
import { bytesToHex, displayToHash, hashToDisplay } from '../../proofs/bytes.js';
import type { RelayerContext } from '../context.js';
import type { ChainRole } from '../store/keys.js';
import type { Direction, Reason, Transfer } from '../transfer.js';
import type { TransferId } from '../transfer.js';

export interface Candidate {
  readonly id: TransferId;
  readonly txidLE: Uint8Array;
  readonly vout: number;
  readonly amount: bigint;
  readonly destination?: Uint8Array;
  readonly rejection?: Reason;
}

/** Records the candidates of one block; returns the transfers that need a `confirm` job. */
export async function recordTransfers(
  ctx: RelayerContext,
  role: ChainRole,
  direction: Direction,
  block: { height: number; hashLE: Uint8Array },
  candidates: readonly Candidate[],
): Promise<Transfer[]> {
  const blockHash = hashToDisplay(block.hashLE);
  const toConfirm: Transfer[] = [];
  for (const c of candidates) {
    const transfer: Transfer = {
      id: c.id,
      direction,
      state: c.rejection === undefined ? 'seen' : 'rejected',
      generation: 0,
      source: { txid: hashToDisplay(c.txidLE), vout: c.vout, blockHash, height: block.height },
      amount: c.amount,
      destination: c.destination === undefined ? '' : bytesToHex(c.destination),
      ...(c.rejection === undefined ? {} : { reason: { code: c.rejection.code, message: c.rejection.message } }),
      createdAt: 0,
      updatedAt: 0,
    };
    const note = c.rejection === undefined ? `seen in ${role} block ${block.height}` : `rejected: ${c.rejection.code}: ${c.rejection.message}`;
    if (await ctx.store.create(transfer, role, note)) {
      if (c.rejection === undefined) toConfirm.push(transfer);
      ctx.log.info({ transferId: c.id, amount: c.amount.toString(), height: block.height, rejected: c.rejection?.code }, c.rejection === undefined ? 'transfer seen' : 'deposit rejected');
      continue;
    }
    const existing = await ctx.store.require(c.id);
    const sameBlock = existing.source.blockHash === blockHash;
    if (sameBlock && (existing.state === 'seen' || existing.state === 'confirming')) {
      toConfirm.push(existing);
      continue;
    }
    // back from a reorg: mined again (in another block, or in the same one back on the best chain)
    const oldOnBest = ctx.light[role].isOnBestChain(displayToHash(existing.source.blockHash));
    const comesBack = existing.state === 'reorged' || (!sameBlock && (existing.state === 'seen' || existing.state === 'confirming') && !oldOnBest);
    if (!comesBack) continue;
    const next = await ctx.store.mutate(c.id, (cur) => {
      if (cur.state !== existing.state || cur.generation !== existing.generation) return undefined;
      const { reason: _r, ...rest } = cur;
      return {
        next: { ...rest, state: 'seen', generation: cur.generation + 1, source: { ...cur.source, blockHash, height: block.height } },
        note: `seen again in ${role} block ${block.height} after a reorg`,
        ...(sameBlock ? {} : { addToBlock: { role, blockHash } }),
      };
    });
    if (next.state === 'seen') toConfirm.push(next);
    ctx.log.info({ transferId: c.id, height: block.height }, 'transfer seen again after a reorg');
  }
  return toConfirm;
}
