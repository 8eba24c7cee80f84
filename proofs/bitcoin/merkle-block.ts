/**
 * BIP37 `merkleblock`, the byte format of Bitcoin Core's `gettxoutproof`: an 80-byte header, the
 * block's transaction count (uint32), a compact-size count of 32-byte hashes, and a compact-size
 * count of flag bytes (bits least significant first). Verification is Core's
 * CPartialMerkleTree::ExtractMatches; building is its CPartialMerkleTree constructor.
 */
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import { assertBytes, equalBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import { sha256d } from '../hash.js';
import { HEADER_SIZE, decodeHeader, headerHash } from './header.js';
import { merkleParent } from './merkle.js';
import { MAX_BLOCK_WEIGHT, readCount } from './transaction.js';

/** Core's MIN_TRANSACTION_WEIGHT: 4 x 60 bytes, the smallest valid transaction. */
export const MIN_TRANSACTION_WEIGHT = 240;
/** More transactions than this cannot fit in a block (16666); Core refuses such a proof. */
export const MAX_MERKLE_BLOCK_TRANSACTIONS = Math.floor(MAX_BLOCK_WEIGHT / MIN_TRANSACTION_WEIGHT);

export interface MerkleBlock {
  readonly header80: Uint8Array;
  /** Transactions in the whole block, as the proof claims. */
  readonly txCount: number;
  /** The partial tree's hashes, traversal order, internal byte order. */
  readonly hashesLE: readonly Uint8Array[];
  /** The traversal flag bits, packed least significant bit first. */
  readonly flags: Uint8Array;
}

export interface MerkleBlockMatch {
  /** A matched txid, internal byte order. */
  readonly txidLE: Uint8Array;
  /** Its position in the block. */
  readonly index: number;
}

export interface VerifiedMerkleBlock {
  readonly header80: Uint8Array;
  /** The block id (double-SHA256 of the header), internal byte order. */
  readonly blockHashLE: Uint8Array;
  readonly merkleRootLE: Uint8Array;
  readonly txCount: number;
  /** The matched transactions, in block order. */
  readonly matched: readonly MerkleBlockMatch[];
}

/**
 * Decodes the byte layout only (PROOF_MALFORMED when it does not parse exactly); verifyMerkleBlock
 * checks what it proves. The result refers to a private copy of `bytes`.
 */
export function decodeMerkleBlock(bytes: Uint8Array): MerkleBlock {
  assertBytes(bytes, undefined, 'merkleblock');
  const r = new ByteReader(new Uint8Array(bytes), 'PROOF_MALFORMED', 'merkleblock');
  const header80 = r.bytesView(HEADER_SIZE, 'header');
  const txCount = r.u32('transaction count');
  const hashCount = readCount(r, 'hash count', 32);
  const hashesLE: Uint8Array[] = [];
  for (let i = 0; i < hashCount; i++) hashesLE.push(r.bytesView(32, `hash ${i}`));
  const flags = r.varBytes('flag bytes');
  r.end();
  return { header80, txCount, hashesLE, flags };
}

/**
 * Verifies a merkleblock against its own header, exactly as Core's ExtractMatches, and returns the
 * matched txids with their positions. Refuses with PROOF_MALFORMED: a zero transaction count, more
 * than MAX_MERKLE_BLOCK_TRANSACTIONS, more hashes than transactions, fewer flag bits than hashes,
 * a traversal that runs out of bits or hashes, bits or hashes left unused (bits only up to the
 * byte boundary), and, stricter than Core (whose builder never sets them), non-zero padding bits;
 * MERKLE_DUPLICATE_SIBLING: identical left and right subtrees (CVE-2012-2459); MERKLE_MISMATCH:
 * a computed root other than the header's.
 *
 * It does not check the header's proof of work or its place in a chain: the caller checks that
 * `blockHashLE` is a block of its own header chain. The transaction count is not committed to by
 * the header; it only shapes the tree the hashes must fit. So a proof may claim a tree one level
 * deeper in which the two halves of a real 64-byte transaction pose as leaves (CVE-2017-12842),
 * exactly as Core's verifytxoutproof would accept it: a caller that relies on a match also needs
 * the block's true count (verifyMerkleBranch with `txCount` from the full block, or a count
 * pinned by a proof of the coinbase).
 */
export function verifyMerkleBlock(bytes: Uint8Array): VerifiedMerkleBlock {
  const { header80, txCount, hashesLE, flags } = decodeMerkleBlock(bytes);
  const header = decodeHeader(header80);
  const malformed = (message: string, details: Record<string, unknown> = {}): never => {
    throw new ProofError('PROOF_MALFORMED', `merkleblock: ${message}`, { details });
  };

  if (txCount === 0) malformed('transaction count is zero');
  if (txCount > MAX_MERKLE_BLOCK_TRANSACTIONS) {
    malformed(`transaction count ${txCount} exceeds ${MAX_MERKLE_BLOCK_TRANSACTIONS}, the most a block can hold`, { txCount });
  }
  if (hashesLE.length > txCount) malformed(`${hashesLE.length} hashes for ${txCount} transactions`);
  const bitCount = flags.length * 8;
  if (bitCount < hashesLE.length) malformed(`${bitCount} flag bits for ${hashesLE.length} hashes`);

  let height = 0;
  while (treeWidth(txCount, height) > 1) height++;

  const state = { bitsUsed: 0, hashesUsed: 0 };
  const matched: MerkleBlockMatch[] = [];
  const buf = new Uint8Array(64);

  const extract = (level: number, pos: number): Uint8Array => {
    if (state.bitsUsed >= bitCount) malformed(`flag bits run out at level ${level}, node ${pos}`);
    const bit = state.bitsUsed++;
    const parentOfMatch = (flags[bit >>> 3]! >>> (bit & 7)) & 1;
    if (level === 0 || parentOfMatch === 0) {
      if (state.hashesUsed >= hashesLE.length) malformed(`hashes run out at level ${level}, node ${pos}`);
      const hash = hashesLE[state.hashesUsed++]!;
      if (level === 0 && parentOfMatch === 1) matched.push({ txidLE: hash.slice(), index: pos });
      return hash;
    }
    const left = extract(level - 1, pos * 2);
    let right = left;
    if (pos * 2 + 1 < treeWidth(txCount, level - 1)) {
      right = extract(level - 1, pos * 2 + 1);
      if (equalBytes(left, right)) {
        throw new ProofError('MERKLE_DUPLICATE_SIBLING', `merkleblock: identical subtrees under level ${level}, node ${pos} (CVE-2012-2459)`, {
          details: { level, position: pos },
        });
      }
    }
    buf.set(left, 0);
    buf.set(right, 32);
    return sha256d(buf);
  };
  const rootLE = extract(height, 0);

  if (((state.bitsUsed + 7) >>> 3) !== flags.length) {
    malformed(`${flags.length} flag bytes, the traversal used ${state.bitsUsed} bits`);
  }
  for (let bit = state.bitsUsed; bit < bitCount; bit++) {
    if ((flags[bit >>> 3]! >>> (bit & 7)) & 1) malformed(`padding flag bit ${bit} is set`);
  }
  if (state.hashesUsed !== hashesLE.length) malformed(`${hashesLE.length} hashes, the traversal used ${state.hashesUsed}`);
  if (!equalBytes(rootLE, header.merkleRootLE)) {
    throw new ProofError('MERKLE_MISMATCH', "merkleblock: the partial tree's root differs from the header's Merkle root");
  }
  return {
    header80: header80.slice(),
    blockHashLE: headerHash(header80),
    merkleRootLE: header.merkleRootLE,
    txCount,
    matched,
  };
}

/**
 * Builds the merkleblock Core's `gettxoutproof` returns for the block with this header and these
 * txids (all of them, block order) when the transactions at `matchIndexes` are asked for. It does
 * not check that the header commits to the txids (verifyMerkleBlock does), so tests can build
 * proofs of mutated trees.
 */
export function buildMerkleBlock(header80: Uint8Array, txidsLE: readonly Uint8Array[], matchIndexes: readonly number[]): Uint8Array {
  assertBytes(header80, HEADER_SIZE, 'header80');
  if (!Array.isArray(txidsLE as unknown) || txidsLE.length === 0) throw new RangeError('txidsLE: expected at least one txid');
  if (txidsLE.length > 0xffffffff) throw new RangeError('txidsLE: more than 2^32 - 1 txids');
  txidsLE.forEach((txid, i) => assertBytes(txid, 32, `txidsLE[${i}]`));
  const txCount = txidsLE.length;
  const match = new Uint8Array(txCount);
  for (const index of matchIndexes) {
    if (!Number.isSafeInteger(index) || index < 0 || index >= txCount) {
      throw new RangeError(`matchIndexes: ${String(index)} is not a position in [0, ${txCount - 1}]`);
    }
    match[index] = 1;
  }

  // Every level of the full tree (level 0 = txids) and which nodes have a match below them.
  const hashes: Uint8Array[][] = [[...txidsLE]];
  const parentOfMatch: Uint8Array[] = [match];
  while (hashes[hashes.length - 1]!.length > 1) {
    const below = hashes[hashes.length - 1]!;
    const belowMatch = parentOfMatch[parentOfMatch.length - 1]!;
    const width = Math.ceil(below.length / 2);
    const level: Uint8Array[] = [];
    const levelMatch = new Uint8Array(width);
    for (let i = 0; i < width; i++) {
      const left = below[2 * i]!;
      const right = below[2 * i + 1] ?? left;
      level.push(merkleParent(left, right));
      levelMatch[i] = belowMatch[2 * i]! | (belowMatch[2 * i + 1] ?? 0);
    }
    hashes.push(level);
    parentOfMatch.push(levelMatch);
  }

  const bits: number[] = [];
  const used: Uint8Array[] = [];
  const build = (level: number, pos: number): void => {
    const flag = parentOfMatch[level]![pos]!;
    bits.push(flag);
    if (level === 0 || flag === 0) {
      used.push(hashes[level]![pos]!);
      return;
    }
    build(level - 1, pos * 2);
    if (pos * 2 + 1 < hashes[level - 1]!.length) build(level - 1, pos * 2 + 1);
  };
  build(hashes.length - 1, 0);

  const flags = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((bit, i) => {
    flags[i >>> 3] = flags[i >>> 3]! | (bit << (i & 7));
  });
  const w = new ByteWriter(HEADER_SIZE + 4 + 9 + used.length * 32 + 9 + flags.length);
  w.bytes(header80).u32(txCount).compactSize(used.length);
  for (const hash of used) w.bytes(hash);
  w.varBytes(flags);
  return w.finish();
}

/** Core's CalcTreeWidth: nodes at `height` (0 = leaves) in a tree of `txCount` leaves. */
function treeWidth(txCount: number, height: number): number {
  return Math.ceil(txCount / 2 ** height);
}
