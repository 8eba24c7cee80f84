/**
 * Block building for the devnet: the coinbase (BIP34 height, an extranonce so that coinbases
 * differ, the BIP141 witness commitment when a transaction has a witness), the header (version
 * 0x20000000, time after the median time past) and the nonce search at the network's target.
 * Pure functions: the chain decides what goes in and submits the result like any other block.
 */
import { assertBytes, assertInteger, concatBytes } from '../../proofs/bytes.js';
import { sha256d } from '../../proofs/hash.js';
import { encodeBlock, encodeCoinbaseHeight, witnessCommitmentHash } from '../../proofs/bitcoin/block.js';
import { encodeHeader } from '../../proofs/bitcoin/header.js';
import { computeMerkleRoot } from '../../proofs/bitcoin/merkle.js';
import { bitsToTarget, hashMeetsTarget, targetToLE } from '../../proofs/bitcoin/pow.js';
import { OP_RETURN, encodeDataPush } from '../../proofs/bitcoin/script.js';
import { transactionTxid, transactionWtxid, type DecodedTransaction, type Transaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { DEVNET_BITS } from './params.js';

/** Header version of mined blocks (BIP9's top bits, no signal). */
export const BLOCK_VERSION = 0x20000000;
/** BIP141's commitment header: OP_RETURN, push 36, 0xaa21a9ed. */
const WITNESS_COMMITMENT_HEADER = Uint8Array.of(OP_RETURN, 0x24, 0xaa, 0x21, 0xa9, 0xed);

/** What buildCoinbase writes. */
export interface CoinbaseOptions {
  readonly height: number;
  /** Makes the coinbase unique among blocks of the same height (8 bytes little-endian in the scriptSig). */
  readonly extraNonce: bigint;
  /** Outputs paying the block reward (subsidy + fees, or less). */
  readonly outputs: readonly TxOutput[];
  /**
   * sha256d(witness root || reserved value) to commit to, or undefined for a block without witness
   * data. The coinbase then carries the 32-byte zero reserved value as its witness.
   */
  readonly witnessCommitmentLE?: Uint8Array;
  /** Height written in the scriptSig, when it must differ from `height` (tests of bad blocks). */
  readonly statedHeight?: number;
}

/** A coinbase transaction (version 2, locktime 0, sequence final). */
export function buildCoinbase(options: CoinbaseOptions): Transaction {
  assertInteger(options.height, 0, 0x7fffffff, 'height');
  if (typeof options.extraNonce !== 'bigint' || options.extraNonce < 0n || options.extraNonce >= 1n << 64n) {
    throw new RangeError(`extraNonce: expected a bigint in [0, 2^64), got ${String(options.extraNonce)}`);
  }
  const nonceBytes = new Uint8Array(8);
  new DataView(nonceBytes.buffer).setBigUint64(0, options.extraNonce, true);
  const scriptSig = concatBytes(encodeCoinbaseHeight(options.statedHeight ?? options.height), encodeDataPush(nonceBytes));
  const outputs = [...options.outputs];
  const witness: Uint8Array[] = [];
  if (options.witnessCommitmentLE !== undefined) {
    assertBytes(options.witnessCommitmentLE, 32, 'witnessCommitmentLE');
    outputs.push({ value: 0n, scriptPubKey: concatBytes(WITNESS_COMMITMENT_HEADER, options.witnessCommitmentLE) });
    witness.push(new Uint8Array(32));
  }
  return {
    version: 2,
    inputs: [{ prevTxidLE: new Uint8Array(32), prevVout: 0xffffffff, scriptSig, sequence: 0xffffffff, witness }],
    outputs,
    locktime: 0,
  };
}

/** What assembleBlock builds. */
export interface AssembleOptions {
  readonly prevHashLE: Uint8Array;
  readonly height: number;
  readonly time: number;
  /** The block's other transactions, in order. */
  readonly transactions: readonly (DecodedTransaction | Transaction)[];
  /** Outputs of the coinbase (before the witness commitment, which is added when needed). */
  readonly coinbaseOutputs: readonly TxOutput[];
  readonly extraNonce: bigint;
  readonly bits?: number;
  readonly version?: number;
  /** BIP34 height to write instead of `height` (tests of bad blocks). */
  readonly statedHeight?: number;
}

/**
 * Builds a complete block: coinbase (with the witness commitment when any transaction has
 * witness data), Merkle root, and a nonce meeting the target of `bits` (the devnet's unless
 * given). Returns the raw block.
 */
export function assembleBlock(options: AssembleOptions): Uint8Array {
  assertBytes(options.prevHashLE, 32, 'prevHashLE');
  assertInteger(options.time, 0, 0xffffffff, 'time');
  const txs = options.transactions.map((t) => ('tx' in t ? t.tx : t));
  const hasWitness = txs.some((tx) => tx.inputs.some((i) => i.witness.length > 0));
  const wtxids = options.transactions.map((t) => ('tx' in t ? t.wtxidLE : transactionWtxid(t)));
  const coinbase = buildCoinbase({
    height: options.height,
    extraNonce: options.extraNonce,
    outputs: options.coinbaseOutputs,
    ...(hasWitness ? { witnessCommitmentLE: witnessCommitmentHash([new Uint8Array(32), ...wtxids], new Uint8Array(32)) } : {}),
    ...(options.statedHeight === undefined ? {} : { statedHeight: options.statedHeight }),
  });
  const txids = [transactionTxid(coinbase), ...options.transactions.map((t) => ('tx' in t ? t.txidLE : transactionTxid(t)))];
  const header80 = solveHeader({
    version: options.version ?? BLOCK_VERSION,
    prevHashLE: options.prevHashLE,
    merkleRootLE: computeMerkleRoot(txids).rootLE,
    time: options.time,
    bits: options.bits ?? DEVNET_BITS,
  });
  return encodeBlock(header80, [coinbase, ...txs]);
}

/**
 * The first header (nonce from 0 up) whose hash meets the target of `bits`. At the devnet's
 * target about every second nonce does. Throws RangeError when no nonce does.
 */
export function solveHeader(header: { version: number; prevHashLE: Uint8Array; merkleRootLE: Uint8Array; time: number; bits: number }): Uint8Array {
  const targetLE = targetToLE(bitsToTarget(header.bits));
  const header80 = encodeHeader({ ...header, nonce: 0 });
  const view = new DataView(header80.buffer, header80.byteOffset, 80);
  for (let nonce = 0; nonce <= 0xffffffff; nonce++) {
    view.setUint32(76, nonce, true);
    if (hashMeetsTarget(sha256d(header80), targetLE)) return header80;
  }
  throw new RangeError('no nonce meets the target: change the time or the extranonce');
}
