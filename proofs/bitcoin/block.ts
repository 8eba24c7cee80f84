/**
 * Full Bitcoin blocks: decoding (header, transactions, the weight limit) and the context-free
 * checks Bitcoin Core applies to a block (CheckBlock and the witness part of ContextualCheckBlock):
 * proof of work, coinbase position, Merkle root and mutation, transaction sanity, BIP141 witness
 * commitment. Also the BIP34 height a coinbase claims.
 */
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import { assertBytes, assertInteger, concatBytes, equalBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import { sha256d } from '../hash.js';
import { HEADER_SIZE, decodeHeader, headerHash, type BlockHeader } from './header.js';
import { computeMerkleRoot } from './merkle.js';
import { bitsToTarget, hashMeetsTarget, targetToLE } from './pow.js';
import { OP_0, OP_1, OP_16, OP_RETURN } from './script.js';
import {
  MAX_BLOCK_WEIGHT,
  WITNESS_SCALE_FACTOR,
  checkTransactionSanity,
  compactSizeLength,
  encodeTransaction,
  isCoinbase,
  readCount,
  readTransaction,
  type DecodedTransaction,
  type Transaction,
} from './transaction.js';

/** The smallest decodable transaction: version, 1 input without script, no output, locktime. */
const MIN_TRANSACTION_SIZE = 4 + 1 + 41 + 1 + 4;
/** OP_RETURN, push of 36 bytes, BIP141 commitment header 0xaa21a9ed. */
const WITNESS_COMMITMENT_PREFIX = Uint8Array.of(OP_RETURN, 0x24, 0xaa, 0x21, 0xa9, 0xed);
/** Core's MINIMUM_WITNESS_COMMITMENT: the prefix and the 32-byte commitment. */
const MINIMUM_WITNESS_COMMITMENT = 38;
const TWO_256 = 1n << 256n;

export interface DecodedBlock {
  readonly header80: Uint8Array;
  readonly header: BlockHeader;
  /** The block id, internal byte order. */
  readonly hashLE: Uint8Array;
  readonly transactions: readonly DecodedTransaction[];
  /** BIP141 block weight. */
  readonly weight: number;
}

/**
 * Decodes a serialized block exactly: the 80-byte header, a canonical transaction count and that
 * many transactions (see decodeTransaction for their rules), nothing after. Refuses with
 * BLOCK_MALFORMED a block without transactions and one whose weight exceeds 4,000,000 (more than
 * 4,000,000 bytes is refused before reading). The result refers to a private copy of `bytes`.
 */
export function decodeBlock(bytes: Uint8Array): DecodedBlock {
  const block = readBlock(bytes);
  checkWeight(block);
  return block;
}

/** decodeBlock without the weight rule, which verifyBlock applies after the Merkle checks as Core does. */
function readBlock(bytes: Uint8Array): DecodedBlock {
  assertBytes(bytes, undefined, 'block');
  if (bytes.length > MAX_BLOCK_WEIGHT) {
    // Weight is at least the size: this bounds the work before anything is read.
    throw new ProofError('BLOCK_MALFORMED', `block: ${bytes.length} bytes cannot fit the weight limit of ${MAX_BLOCK_WEIGHT}`);
  }
  const r = new ByteReader(new Uint8Array(bytes), 'BLOCK_MALFORMED', 'block');
  const header80 = r.bytesView(HEADER_SIZE, 'header');
  const header = decodeHeader(header80);
  const txCount = readCount(r, 'transaction count', MIN_TRANSACTION_SIZE);
  if (txCount === 0) r.fail('no transactions');
  let weight = (HEADER_SIZE + compactSizeLength(txCount)) * WITNESS_SCALE_FACTOR;
  const transactions: DecodedTransaction[] = [];
  for (let i = 0; i < txCount; i++) {
    const tx = readTransaction(r, `transaction ${i}`);
    weight += tx.weight;
    transactions.push(tx);
  }
  r.end();
  return { header80: header80.slice(), header, hashLE: headerHash(header80), transactions, weight };
}

function checkWeight(block: DecodedBlock): void {
  if (block.weight > MAX_BLOCK_WEIGHT) {
    throw new ProofError('BLOCK_MALFORMED', `block: weight ${block.weight} exceeds ${MAX_BLOCK_WEIGHT}`, { details: { weight: block.weight } });
  }
}

/** Serializes a block: the header, the transaction count, each transaction in its witness form. */
export function encodeBlock(header80: Uint8Array, transactions: readonly Transaction[]): Uint8Array {
  assertBytes(header80, HEADER_SIZE, 'header80');
  const w = new ByteWriter(HEADER_SIZE + 9).bytes(header80).compactSize(transactions.length);
  for (const tx of transactions) w.bytes(encodeTransaction(tx, { witness: true }));
  return w.finish();
}

export interface VerifyBlockOptions {
  /** The chain's easiest allowed target (Core's powLimit). */
  readonly powLimit: bigint;
  /** Hash compared with the target; defaults to double-SHA256 (the block id). Scrypt chains pass theirs. */
  readonly powHash?: (header80: Uint8Array) => Uint8Array;
}

export interface VerifiedBlock {
  readonly hashLE: Uint8Array;
  readonly header: BlockHeader;
  readonly txCount: number;
  readonly merkleRootLE: Uint8Array;
  /**
   * The height the coinbase claims (BIP34), when the header's version is 2 or more and the
   * coinbase starts with a valid height push. A claim, not a fact: the header chain gives the
   * block's real height, and before BIP34's activation version-2 coinbases may say anything.
   */
  readonly height?: number;
  readonly transactions: readonly DecodedTransaction[];
}

/**
 * Decodes a block and checks it as Core does without chain context, in this order:
 * - proof of work: bits decode to a target (BITS_INVALID) no easier than powLimit (BITS_INVALID)
 *   and the PoW hash meets it (HEADER_BAD_POW);
 * - the Merkle root of the txids equals the header's (MERKLE_MISMATCH) and the txid list is not
 *   mutated (BLOCK_MUTATED: repeating the tail of a list can keep its root, CVE-2012-2459);
 * - the weight is at most 4,000,000 (BLOCK_MALFORMED), checked after the Merkle rules as Core's
 *   CheckBlock does, so that a mutated copy of a full block is reported as mutated;
 * - no transaction's stripped size is 64 bytes (MERKLE_64_BYTE_TX: such a transaction can pose
 *   as an inner Merkle node, CVE-2017-12842; refused as BIP54 proposes, stricter than Core today);
 * - the first transaction is the only coinbase (BLOCK_BAD_COINBASE);
 * - every transaction passes checkTransactionSanity (TX_MALFORMED, `details.index`);
 * - BIP141: when the coinbase has a witness commitment output (the last one whose script starts
 *   6a24aa21a9ed and is at least 38 bytes), its witness is exactly one 32-byte reserved value and
 *   the commitment equals sha256d(witness root || reserved value); without one, no transaction
 *   carries witness data (BLOCK_BAD_WITNESS_COMMITMENT).
 * Not checked here: anything needing the chain (previous block, time, difficulty retarget, BIP34
 * height against the real height, spent outputs, scripts, sigop limits).
 */
export function verifyBlock(bytes: Uint8Array, options: VerifyBlockOptions): VerifiedBlock {
  const { powLimit, powHash = headerHash } = options;
  if (typeof powLimit !== 'bigint' || powLimit <= 0n || powLimit >= TWO_256) {
    throw new RangeError(`powLimit: expected a bigint in (0, 2^256), got ${String(powLimit)}`);
  }
  const block = readBlock(bytes);
  const { header, header80, hashLE, transactions } = block;

  const target = bitsToTarget(header.bits);
  if (target > powLimit) {
    throw new ProofError('BITS_INVALID', `block: bits 0x${header.bits.toString(16).padStart(8, '0')} give a target above the chain's powLimit`, {
      details: { bits: header.bits },
    });
  }
  const powHashLE = powHash(header80);
  assertBytes(powHashLE, 32, 'powHash result');
  if (!hashMeetsTarget(powHashLE, targetToLE(target))) {
    throw new ProofError('HEADER_BAD_POW', 'block: header hash does not meet its target');
  }

  const { rootLE, mutated } = computeMerkleRoot(transactions.map((t) => t.txidLE));
  if (!equalBytes(rootLE, header.merkleRootLE)) {
    throw new ProofError('MERKLE_MISMATCH', "block: the Merkle root of the transactions differs from the header's");
  }
  if (mutated) {
    throw new ProofError('BLOCK_MUTATED', 'block: the transaction list repeats a Merkle subtree (CVE-2012-2459); the same root has a shorter list');
  }
  checkWeight(block);
  transactions.forEach((t, index) => {
    if (t.strippedSize === 64) {
      throw new ProofError('MERKLE_64_BYTE_TX', `block: transaction ${index} is 64 bytes without witness, the size of a Merkle inner node (CVE-2017-12842)`, {
        details: { index },
      });
    }
  });

  if (!isCoinbase(transactions[0]!.tx)) throw new ProofError('BLOCK_BAD_COINBASE', 'block: the first transaction is not a coinbase');
  for (let index = 1; index < transactions.length; index++) {
    if (isCoinbase(transactions[index]!.tx)) {
      throw new ProofError('BLOCK_BAD_COINBASE', `block: transaction ${index} is a second coinbase`, { details: { index } });
    }
  }
  transactions.forEach((t, index) => checkTransactionSanity(t.tx, `transaction ${index}`));

  checkWitnessCommitment(transactions);

  const coinbase = transactions[0]!.tx;
  const height = header.version >= 2 ? coinbaseHeight(coinbase) : undefined;
  return {
    hashLE,
    header,
    txCount: transactions.length,
    merkleRootLE: header.merkleRootLE,
    ...(height === undefined ? {} : { height }),
    transactions,
  };
}

/** BIP141 (Core's CheckWitnessMalleation), for a block whose first transaction is its coinbase. */
function checkWitnessCommitment(transactions: readonly DecodedTransaction[]): void {
  const coinbase = transactions[0]!.tx;
  const commitment = findWitnessCommitment(coinbase);
  if (commitment === undefined) {
    const index = transactions.findIndex((t) => t.hasWitness);
    if (index !== -1) {
      throw new ProofError('BLOCK_BAD_WITNESS_COMMITMENT', `block: unexpected witness in transaction ${index}, the coinbase commits to none`, {
        details: { index },
      });
    }
    return;
  }
  const stack = coinbase.inputs[0]!.witness;
  if (stack.length !== 1 || stack[0]!.length !== 32) {
    throw new ProofError('BLOCK_BAD_WITNESS_COMMITMENT', `block: the coinbase witness must be one 32-byte reserved value, got ${stack.length} items`, {
      details: { items: stack.map((item) => item.length) },
    });
  }
  const expected = witnessCommitmentHash(
    transactions.map((t) => t.wtxidLE),
    stack[0]!,
  );
  if (!equalBytes(expected, commitment.commitmentLE)) {
    throw new ProofError('BLOCK_BAD_WITNESS_COMMITMENT', 'block: the witness commitment does not match the transactions', {
      details: { outputIndex: commitment.outputIndex },
    });
  }
}

/**
 * The BIP141 witness commitment of a coinbase: the last output whose script is at least 38 bytes
 * and starts 6a24aa21a9ed (as Core's GetWitnessCommitmentIndex picks it), with its 32 committed
 * bytes; undefined when there is none.
 */
export function findWitnessCommitment(coinbase: Transaction): { outputIndex: number; commitmentLE: Uint8Array } | undefined {
  for (let i = coinbase.outputs.length - 1; i >= 0; i--) {
    const script = coinbase.outputs[i]!.scriptPubKey;
    if (script.length >= MINIMUM_WITNESS_COMMITMENT && equalBytes(script.subarray(0, 6), WITNESS_COMMITMENT_PREFIX)) {
      return { outputIndex: i, commitmentLE: new Uint8Array(script.subarray(6, 38)) };
    }
  }
  return undefined;
}

/**
 * sha256d(witness Merkle root || reserved value), the value a coinbase commits to (BIP141).
 * `wtxidsLE` are all the block's wtxids in order; the first (the coinbase's) is replaced by 32
 * zero bytes, as BIP141 defines the tree, whatever it is.
 */
export function witnessCommitmentHash(wtxidsLE: readonly Uint8Array[], reservedValue: Uint8Array): Uint8Array {
  assertBytes(reservedValue, 32, 'reservedValue');
  if (wtxidsLE.length === 0) throw new RangeError('wtxidsLE: expected at least the coinbase');
  const leaves = [new Uint8Array(32), ...wtxidsLE.slice(1)];
  return sha256d(concatBytes(computeMerkleRoot(leaves).rootLE, reservedValue));
}

/**
 * The block height a coinbase states under BIP34: the scriptSig must start with exactly what
 * Core's `CScript() << height` writes (OP_0, OP_1..OP_16, or the minimal little-endian number
 * push). Undefined when the transaction is not a coinbase or the first element is no such push
 * (negative, non-minimal, truncated, not a push).
 */
export function coinbaseHeight(tx: Transaction): number | undefined {
  if (!isCoinbase(tx)) return undefined;
  const script = tx.inputs[0]!.scriptSig;
  if (script.length === 0) return undefined;
  const op = script[0]!;
  let height: number;
  if (op === OP_0) {
    height = 0;
  } else if (op >= OP_1 && op <= OP_16) {
    height = op - OP_1 + 1;
  } else if (op >= 1 && op <= 4) {
    if (script.length < 1 + op) return undefined;
    if (script[op]! & 0x80) return undefined; // sign bit: a negative number
    height = 0;
    for (let i = op; i >= 1; i--) height = height * 256 + script[i]!;
  } else {
    return undefined;
  }
  const canonical = encodeCoinbaseHeight(height);
  return equalBytes(script.subarray(0, canonical.length), canonical) ? height : undefined;
}

/** The BIP34 push of `height` (Core's `CScript() << height`), for building coinbases. */
export function encodeCoinbaseHeight(height: number): Uint8Array {
  assertInteger(height, 0, 0x7fffffff, 'height');
  if (height === 0) return Uint8Array.of(OP_0);
  if (height <= 16) return Uint8Array.of(OP_1 + height - 1);
  const digits: number[] = [];
  for (let n = height; n > 0; n = Math.floor(n / 256)) digits.push(n % 256);
  if (digits[digits.length - 1]! & 0x80) digits.push(0);
  return Uint8Array.of(digits.length, ...digits);
}
