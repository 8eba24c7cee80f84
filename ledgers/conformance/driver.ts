/**
 * What an adapter author provides, besides the adapter, to run the conformance suite: a driver
 * of their test chain (a regtest node, a devnet, a local testnet). Every method acts on the real
 * chain the adapter talks to; the suite then checks what the adapter reports.
 */
import type { InclusionProof } from '../../proofs/bitcoin/inclusion.js';
import type { TxOutput } from '../../proofs/bitcoin/transaction.js';
import type { Federation } from '../bitcoin/lock-script.js';

export interface TestChainDriver {
  /**
   * Mines `count` blocks on the tip (coinbase to `toScript`, or to a script nobody watches) and
   * resolves with their hashes (internal order) once the node serves them.
   */
  mine(count: number, toScript?: Uint8Array): Promise<Uint8Array[]>;
  /**
   * Mines `count` blocks on `parentHashLE`, a best-chain block below the tip, so that this
   * competing branch becomes the best chain (the suite always asks for more blocks than the
   * branch it replaces). Resolves with the new blocks' hashes once they are the best chain.
   */
  mineOn(parentHashLE: Uint8Array, count: number): Promise<Uint8Array[]>;
  /**
   * Pays `outputs` from a funded test wallet (change to the wallet; `OP_RETURN` outputs may carry
   * 0) and resolves once the node's mempool holds the transaction. Must work again after
   * `stopNode`/`startNode`, and for many calls in a row without mining in between.
   */
  send(outputs: readonly TxOutput[]): Promise<{ txidLE: Uint8Array; rawTx: Uint8Array }>;
  /** The node goes away (process stopped, port closed) while the adapter is open. */
  stopNode(): Promise<void>;
  /** The node comes back at the same address with the same chain. */
  startNode(): Promise<void>;
  /** The bridge federation of this test chain (the lock script of releases). */
  readonly federation: Federation;
  /** The federation's private keys by key index (the federation's canonical key order). */
  readonly federationPrivateKeys: readonly Uint8Array[];
  /**
   * Side chains only (adapters with `capabilities.pegInMints`); without it the suite skips the
   * mint tests. Locks `value` to the federation on the main chain this side chain follows, with a
   * `UBR1 0x01` memo naming `destinationScript`, mines it, and resolves once the side node would
   * accept a mint of it, with the lock outpoint and its proof (`gettxoutproof [lock, coinbase]`).
   */
  pegIn?(value: bigint, destinationScript: Uint8Array): Promise<{ lockTxidLE: Uint8Array; lockVout: number; proof: Extract<InclusionProof, { kind: 'merkleblock' }> }>;
}
