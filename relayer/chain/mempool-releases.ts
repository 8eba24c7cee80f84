/**
 * Releases waiting in the main chain's mempool, read from the chain rather than from Redis.
 *
 * A release is signed and broadcast before it confirms; if Redis is lost meanwhile (or its last
 * writes are), nothing in the relayer's records says that the burn is being paid, and the watcher
 * only finds releases in blocks. So before it builds a release — and when `rescan` rebuilds the
 * records — the relayer asks the main node which mempool transactions spend the lock outputs, and
 * reads the `UBR1 0x03` memo of each: a spender carrying a burn's burns hash *is* that burn's
 * release (only the federation can spend lock outputs, and the node checked the signatures), and
 * it is followed, never paid again. The lock outputs a mempool transaction spends are left out of
 * every new release, so that no release is ever built to conflict with one already sent.
 */
import type { BlockRef, Utxo } from '../../ledgers/adapter.js';
import { bytesToHex, hashToDisplay } from '../../proofs/bytes.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';
import type { RelayerContext } from '../context.js';
import { detectReleases } from '../detect/index.js';
import { outpointText, type PayoutTx } from '../transfer.js';

export interface MempoolReleases {
  /** Releases in the mempool by the burns hash (hex, internal order) their memo carries, as payouts to follow. */
  readonly releases: ReadonlyMap<string, PayoutTx>;
  /** Lock outputs (`txid:vout`, display order) that a mempool transaction spends: not for a new release. */
  readonly spent: ReadonlySet<string>;
  /**
   * The main node's tip, read after the mempool: a release that left the mempool for a block
   * before the mempool was read is in a block at or below it.
   */
  readonly tip: BlockRef;
}

/**
 * The mempool's spends of `lockOutputs` (the lock script's UTXOs, as `listUnspent` gives them):
 * the releases among them, each as the payout a transfer records (raw bytes, inputs, fee and fee
 * rate when every input is one of `lockOutputs`, `broadcastHeight` = the tip's height so that fee
 * bumps count from now), every spent lock output, and the tip read after the mempool.
 */
export async function readMempoolReleases(ctx: RelayerContext, lockOutputs: readonly Utxo[]): Promise<MempoolReleases> {
  const spends = await ctx.adapters.main.getMempoolSpends(lockOutputs.map((u) => ({ txidLE: u.txidLE, vout: u.vout })));
  const tip = await ctx.adapters.main.getTip();
  const values = new Map(lockOutputs.map((u) => [outpointText(u), u.output.value]));
  const spent = new Set<string>();
  const spenders = new Map<string, Uint8Array>();
  spends.forEach((spend, i) => {
    if (spend === undefined) return;
    spent.add(outpointText(lockOutputs[i]!));
    spenders.set(hashToDisplay(spend.txidLE), spend.rawTx);
  });
  const releases = new Map<string, PayoutTx>();
  for (const [txid, rawTx] of spenders) {
    const release = detectReleases(rawTx, { lockScript: ctx.lockScript });
    if (release === null) {
      ctx.log.warn({ txid }, 'a mempool transaction spends lock outputs and is not a release (no single UBR1 0x03 memo)');
      continue;
    }
    const hash = bytesToHex(release.burnsHashLE);
    const other = releases.get(hash);
    if (other !== undefined) {
      // two mempool transactions that do not conflict and release the same burns: paid twice
      const message = `releases ${other.txid} and ${txid} in the main mempool carry the same burns hash ${hash}`;
      await ctx.controls.alert('RELEASE_DUPLICATED', message, { burnsHash: hash, txids: [other.txid, txid] });
      await ctx.controls.pause('pegout', message, 'mempool-releases');
      continue;
    }
    const decoded = decodeTransaction(rawTx);
    const inputs = release.inputs.map(outpointText);
    const inputValues = inputs.map((o) => values.get(o));
    const known = inputValues.every((v) => v !== undefined);
    const fee = known ? inputValues.reduce<bigint>((sum, v) => sum + v!, 0n) - decoded.tx.outputs.reduce((sum, o) => sum + o.value, 0n) : 0n;
    const vsize = Math.ceil(decoded.weight / 4);
    releases.set(hash, { txid, rawTx: bytesToHex(rawTx), inputs, fee, feeRate: known ? Number(fee) / vsize : 0, broadcastHeight: tip.height });
  }
  return { releases, spent, tip };
}
