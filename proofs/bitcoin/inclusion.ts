/**
 * verifyInclusion: the one check the relayer makes before it acts on a transaction. It proves
 * that the given transaction bytes are in a block that this operator's own HeaderChain holds on
 * its best chain with enough confirmations, and returns what the transaction says, re-derived from
 * its bytes (never from what a node or a job claims).
 */
import { assertBytes, assertInteger, equalBytes, hashToDisplay } from '../bytes.js';
import { ProofError } from '../errors.js';
import { HEADER_SIZE, decodeHeader, headerHash } from './header.js';
import type { HeaderChain } from './header-chain.js';
import { verifyMerkleBranch } from './merkle.js';
import { verifyMerkleBlock } from './merkle-block.js';
import { decodeTransaction, isCoinbase, type DecodedTransaction, type Transaction, type TxOutput } from './transaction.js';

/**
 * An inclusion proof in one of the two shapes Bitcoin-family nodes serve. Both carry the block's
 * coinbase transaction and prove it at index 0 in the same tree: the coinbase pins the depth of the
 * Merkle tree, which is what stops a 64-byte transaction in the block from being passed off as an
 * inner node to "prove" a transaction that is not there (CVE-2017-12842). The transaction count a
 * merkleblock states is not committed by the header and cannot do that on its own.
 */
export type InclusionProof =
  /**
   * Bitcoin Core's `gettxoutproof ["<txid>", "<coinbase txid>"] <blockhash>` bytes (a BIP37
   * merkleblock matching both), the raw transaction and the raw coinbase.
   */
  | { readonly kind: 'merkleblock'; readonly rawTx: Uint8Array; readonly coinbaseTx: Uint8Array; readonly merkleBlock: Uint8Array }
  /**
   * Electrum-style branches (`blockchain.transaction.get_merkle`, and `id_from_pos(height, 0, true)`
   * for the coinbase), siblings from the leaf level up, with the block's header, the raw
   * transaction and the raw coinbase.
   */
  | {
      readonly kind: 'branch';
      readonly rawTx: Uint8Array;
      readonly header80: Uint8Array;
      readonly index: number;
      readonly branchLE: readonly Uint8Array[];
      readonly coinbaseTx: Uint8Array;
      readonly coinbaseBranchLE: readonly Uint8Array[];
    };

export interface InclusionOptions {
  /** At least this many confirmations on the best chain (1 = in the tip block). */
  readonly minConfirmations: number;
}

export interface VerifiedInclusion {
  readonly txidLE: Uint8Array;
  readonly tx: Transaction;
  readonly outputs: readonly TxOutput[];
  readonly isCoinbase: boolean;
  readonly blockHashLE: Uint8Array;
  readonly height: number;
  readonly confirmations: number;
  /** The transaction's position in its block. */
  readonly index: number;
}

/**
 * Verifies an inclusion proof against `chain`. Throws a ProofError:
 * TX_MALFORMED (the bytes are not exactly one transaction); MERKLE_64_BYTE_TX (a 64-byte
 * transaction could be an inner Merkle node); PROOF_MALFORMED (a malformed proof, or the coinbase
 * given is not a coinbase); MERKLE_MISMATCH / MERKLE_DUPLICATE_SIBLING / MERKLE_BAD_DEPTH (the
 * Merkle proof fails, or the transaction's depth differs from the coinbase's);
 * MERKLE_TX_NOT_MATCHED (a valid merkleblock that does not prove this transaction, or not the
 * coinbase at index 0); UNKNOWN_BLOCK (not in this operator's header chain); NOT_ON_BEST_CHAIN;
 * INSUFFICIENT_CONFIRMATIONS.
 */
export function verifyInclusion(proof: InclusionProof, chain: HeaderChain, options: InclusionOptions): VerifiedInclusion {
  assertInteger(options.minConfirmations, 1, 1_000_000, 'minConfirmations');
  const decoded = decodeLeaf(proof.rawTx, 'proof.rawTx');
  const coinbase = decodeLeaf(proof.coinbaseTx, 'proof.coinbaseTx');
  if (!isCoinbase(coinbase.tx)) throw new ProofError('PROOF_MALFORMED', 'proof.coinbaseTx: not a coinbase transaction');
  const { blockHashLE, index } =
    proof.kind === 'merkleblock'
      ? proveByMerkleBlock(proof.merkleBlock, decoded.txidLE, coinbase.txidLE)
      : proveByBranch(proof, decoded.txidLE, coinbase.txidLE);

  const height = chain.heightOf(blockHashLE);
  const block = hashToDisplay(blockHashLE);
  if (height === undefined) {
    throw new ProofError('UNKNOWN_BLOCK', `block ${block} is not in this operator's header chain`, { details: { block } });
  }
  const confirmations = chain.confirmations(blockHashLE)!;
  if (confirmations === 0) {
    throw new ProofError('NOT_ON_BEST_CHAIN', `block ${block} at height ${height} is on a side branch, not the best chain`, { details: { block, height } });
  }
  if (confirmations < options.minConfirmations) {
    throw new ProofError('INSUFFICIENT_CONFIRMATIONS', `block ${block} has ${confirmations} confirmations, ${options.minConfirmations} are required`, {
      details: { block, height, confirmations, required: options.minConfirmations },
    });
  }
  return {
    txidLE: decoded.txidLE,
    tx: decoded.tx,
    outputs: decoded.tx.outputs,
    isCoinbase: isCoinbase(decoded.tx),
    blockHashLE,
    height,
    confirmations,
    index,
  };
}

/** A proven leaf must be exactly one transaction, and not one that could pose as an inner node. */
function decodeLeaf(rawTx: Uint8Array, label: string): DecodedTransaction {
  assertBytes(rawTx, undefined, label);
  const decoded = decodeTransaction(rawTx);
  if (decoded.strippedSize === 64) {
    throw new ProofError('MERKLE_64_BYTE_TX', `${label} ${hashToDisplay(decoded.txidLE)}: its stripped serialization is 64 bytes, which cannot be told apart from an inner Merkle node`);
  }
  return decoded;
}

function proveByMerkleBlock(merkleBlock: Uint8Array, txidLE: Uint8Array, coinbaseTxidLE: Uint8Array): { blockHashLE: Uint8Array; index: number } {
  assertBytes(merkleBlock, undefined, 'proof.merkleBlock');
  const verified = verifyMerkleBlock(merkleBlock);
  const first = verified.matched[0];
  if (first === undefined || first.index !== 0 || !equalBytes(first.txidLE, coinbaseTxidLE)) {
    throw new ProofError('MERKLE_TX_NOT_MATCHED', `the merkleblock of ${hashToDisplay(verified.blockHashLE)} does not prove the given coinbase at index 0 (ask for both: gettxoutproof ["txid", "coinbase txid"])`);
  }
  const match = verified.matched.find((m) => equalBytes(m.txidLE, txidLE));
  if (match === undefined) {
    throw new ProofError('MERKLE_TX_NOT_MATCHED', `the merkleblock of ${hashToDisplay(verified.blockHashLE)} does not prove transaction ${hashToDisplay(txidLE)}`);
  }
  return { blockHashLE: verified.blockHashLE, index: match.index };
}

function proveByBranch(
  proof: Extract<InclusionProof, { kind: 'branch' }>,
  txidLE: Uint8Array,
  coinbaseTxidLE: Uint8Array,
): { blockHashLE: Uint8Array; index: number } {
  if (!(proof.header80 instanceof Uint8Array) || proof.header80.length !== HEADER_SIZE) {
    throw new ProofError('PROOF_MALFORMED', `proof.header80: expected ${HEADER_SIZE} bytes`);
  }
  const rootLE = decodeHeader(proof.header80).merkleRootLE;
  verifyMerkleBranch({ leafLE: coinbaseTxidLE, index: 0, branchLE: proof.coinbaseBranchLE, rootLE });
  if (proof.branchLE.length !== proof.coinbaseBranchLE.length) {
    throw new ProofError('MERKLE_BAD_DEPTH', `the branch has ${proof.branchLE.length} levels, the coinbase's (the tree's depth) ${proof.coinbaseBranchLE.length}`, {
      details: { depth: proof.branchLE.length, expected: proof.coinbaseBranchLE.length },
    });
  }
  verifyMerkleBranch({ leafLE: txidLE, index: proof.index, branchLE: proof.branchLE, rootLE });
  return { blockHashLE: headerHash(proof.header80), index: proof.index };
}
