/**
 * The block rules that need the block's place in the chain but not the UTXO set (Core's
 * ContextualCheckBlock, plus the devnet's output rule): the coinbase's BIP34 height, every
 * transaction final, every output of a standard type. And the one rule of ConnectBlock about the
 * coinbase: it pays at most the subsidy plus the fees.
 */
import { coinbaseHeight } from '../../../proofs/bitcoin/block.js';
import type { DecodedTransaction, Transaction } from '../../../proofs/bitcoin/transaction.js';
import { DevnetRejectError, reject } from '../errors.js';
import { checkFinal } from './finality.js';
import { checkStandardOutputs } from './standard.js';

/**
 * Checks a block's transactions for a block at `height` whose parent has median time past
 * `prevMedianTime`. Throws DevnetRejectError: BLOCK_BAD_CB_HEIGHT "bad-cb-height", TX_NON_FINAL
 * "bad-txns-nonfinal", TX_NONSTANDARD_OUTPUT "scriptpubkey" (with `details.txIndex`).
 */
export function checkBlockContext(transactions: readonly DecodedTransaction[], height: number, prevMedianTime: number): void {
  const coinbase = transactions[0]!.tx;
  const claimed = coinbaseHeight(coinbase);
  if (claimed !== height) {
    reject('BLOCK_BAD_CB_HEIGHT', 'bad-cb-height', `the coinbase states height ${claimed ?? 'none'}, the block is at height ${height}`);
  }
  transactions.forEach((t, txIndex) => {
    try {
      checkFinal(t.tx, height, prevMedianTime, 'bad-txns-nonfinal');
      checkStandardOutputs(t.tx);
    } catch (error) {
      throw error instanceof DevnetRejectError ? error.withDetails({ txIndex }) : error;
    }
  });
}

/** Refuses (BLOCK_BAD_CB_AMOUNT "bad-cb-amount") a coinbase paying more than `subsidy + fees`. */
export function checkCoinbaseAmount(coinbase: Transaction, subsidy: bigint, fees: bigint): void {
  let paid = 0n;
  for (const output of coinbase.outputs) paid += output.value;
  if (paid > subsidy + fees) reject('BLOCK_BAD_CB_AMOUNT', 'bad-cb-amount', `the coinbase pays ${paid}, the limit is ${subsidy + fees} (subsidy ${subsidy} + fees ${fees})`);
}
