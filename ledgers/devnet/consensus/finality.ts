/** Transaction finality by nLockTime (Bitcoin Core's IsFinalTx). Relative lock times (BIP68) are not enforced. */
import type { Transaction } from '../../../proofs/bitcoin/transaction.js';
import { reject } from '../errors.js';

/** nLockTime values below this are block heights, others Unix times. */
export const LOCKTIME_THRESHOLD = 500_000_000;
const SEQUENCE_FINAL = 0xffffffff;

/**
 * Core's IsFinalTx: final when nLockTime is 0, below the block height (height lock) or the block
 * time (time lock; pass the median time past of the previous block, BIP113), or when every input
 * has the final sequence 0xffffffff.
 */
export function isFinalTx(tx: Transaction, blockHeight: number, blockTime: number): boolean {
  if (tx.locktime === 0) return true;
  if (tx.locktime < (tx.locktime < LOCKTIME_THRESHOLD ? blockHeight : blockTime)) return true;
  return tx.inputs.every((input) => input.sequence === SEQUENCE_FINAL);
}

/** Refuses (TX_NON_FINAL with `reason`) a transaction that is not final in a block at this height and time. */
export function checkFinal(tx: Transaction, blockHeight: number, blockTime: number, reason: 'bad-txns-nonfinal' | 'non-final'): void {
  if (!isFinalTx(tx, blockHeight, blockTime)) {
    const kind = tx.locktime < LOCKTIME_THRESHOLD ? `height ${blockHeight}` : `median time past ${blockTime}`;
    reject('TX_NON_FINAL', reason, `nLockTime ${tx.locktime} is not reached at ${kind}`);
  }
}
