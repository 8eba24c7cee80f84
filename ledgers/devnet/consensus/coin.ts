/** An unspent output as the consensus rules see it: what it pays, and where it was created. */
import type { TxOutput } from '../../../proofs/bitcoin/transaction.js';

/** One unspent output with its origin. */
export interface Coin {
  readonly txidLE: Uint8Array;
  readonly vout: number;
  readonly output: TxOutput;
  /** Height of the block that created it (for a mempool output: the next block's height). */
  readonly height: number;
  /** Created by a coinbase: spendable only after the coinbase maturity. */
  readonly coinbase: boolean;
}
