/**
 * Bitcoin's Merkle tree of txids (double-SHA256, odd levels duplicate their last node), its
 * mutation check (CVE-2012-2459), and Merkle branches: building one and verifying one.
 */
import { assertBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import { sha256d } from '../hash.js';

/** No Bitcoin-family block can hold 2^32 transactions, so no branch is deeper than this. */
export const MAX_MERKLE_DEPTH = 32;

export interface MerkleRootResult {
  /** The root, internal byte order. */
  readonly rootLE: Uint8Array;
  /**
   * True when some level has two identical nodes at positions (2i, 2i+1): Core's CVE-2012-2459
   * check. Such a leaf list has the same root as a shorter one, so a block with it is refused.
   */
  readonly mutated: boolean;
}

/**
 * Bitcoin Core's ComputeMerkleRoot over internal-order leaves (txids or wtxids). One leaf is its
 * own root. An empty list is refused (PROOF_MALFORMED) rather than given Core's all-zero root.
 */
export function computeMerkleRoot(leavesLE: readonly Uint8Array[]): MerkleRootResult {
  if (!Array.isArray(leavesLE as unknown)) throw new TypeError('merkle leaves: expected an array');
  if (leavesLE.length === 0) throw new ProofError('PROOF_MALFORMED', 'merkle root: no leaves');
  let width = leavesLE.length;
  const level = packLeaves(leavesLE, width + 1);
  let mutated = false;
  while (width > 1) {
    for (let pos = 0; !mutated && pos + 1 < width; pos += 2) {
      if (equalAt(level, pos * 32, level, (pos + 1) * 32)) mutated = true;
    }
    width = reduceLevel(level, width);
  }
  return { rootLE: level.slice(0, 32), mutated };
}

/**
 * The branch (sibling hashes, leaf level first) that proves leaf `index` under the root of
 * `leavesLE`. Where a level has an odd width its last node is its own sibling, as in Core's tree.
 */
export function merkleBranch(leavesLE: readonly Uint8Array[], index: number): Uint8Array[] {
  const levels = merkleLevels(leavesLE, 'merkle branch');
  if (!Number.isSafeInteger(index) || index < 0 || index >= leavesLE.length) {
    throw new RangeError(`merkle branch: index ${String(index)} out of range [0, ${leavesLE.length - 1}]`);
  }
  return branchFromLevels(levels, index);
}

/** The branch of every leaf, in leaf order: one tree for all (merkleBranch per leaf rebuilds it each time). */
export function merkleBranches(leavesLE: readonly Uint8Array[]): Uint8Array[][] {
  const levels = merkleLevels(leavesLE, 'merkle branches');
  return leavesLE.map((_, index) => branchFromLevels(levels, index));
}

interface Level {
  readonly nodes: Uint8Array;
  readonly width: number;
}

/** Every level of the tree below the root, leaves first, each packed in one buffer. */
function merkleLevels(leavesLE: readonly Uint8Array[], label: string): Level[] {
  if (!Array.isArray(leavesLE as unknown)) throw new TypeError(`${label}: expected an array of leaves`);
  if (leavesLE.length === 0) throw new ProofError('PROOF_MALFORMED', `${label}: no leaves`);
  const levels: Level[] = [];
  let width = leavesLE.length;
  const nodes = packLeaves(leavesLE, width + 1);
  while (width > 1) {
    levels.push({ nodes: nodes.slice(0, width * 32), width });
    width = reduceLevel(nodes, width);
  }
  return levels;
}

function branchFromLevels(levels: readonly Level[], index: number): Uint8Array[] {
  const branch: Uint8Array[] = [];
  let pos = index;
  for (const { nodes, width } of levels) {
    const sibling = pos % 2 === 1 ? pos - 1 : pos + 1 < width ? pos + 1 : pos;
    branch.push(nodes.slice(sibling * 32, sibling * 32 + 32));
    pos = Math.floor(pos / 2);
  }
  return branch;
}

/** Number of levels above the leaves in the tree of `txCount` leaves (0 for a single leaf). */
export function merkleDepth(txCount: number): number {
  if (!Number.isSafeInteger(txCount) || txCount < 1) throw new RangeError(`txCount: expected a positive integer, got ${String(txCount)}`);
  let depth = 0;
  for (let width = txCount; width > 1; width = Math.ceil(width / 2)) depth++;
  return depth;
}

/** The parent of two internal-order nodes: sha256d(left || right). */
export function merkleParent(leftLE: Uint8Array, rightLE: Uint8Array): Uint8Array {
  assertBytes(leftLE, 32, 'left');
  assertBytes(rightLE, 32, 'right');
  const buf = new Uint8Array(64);
  buf.set(leftLE, 0);
  buf.set(rightLE, 32);
  return sha256d(buf);
}

export interface MerkleBranchProof {
  /** The proven leaf (a txid), internal byte order. */
  readonly leafLE: Uint8Array;
  /** Position of the leaf in the block, 0-based. */
  readonly index: number;
  /** Sibling hashes, leaf level first, internal byte order. */
  readonly branchLE: readonly Uint8Array[];
  /** The Merkle root the branch must reach (the header's), internal byte order. */
  readonly rootLE: Uint8Array;
  /**
   * Transactions in the block, when known. Fixes the depth of the tree, which is what stops a
   * 64-byte transaction from being passed off as an inner node (CVE-2017-12842). It only protects
   * when it comes from a source the prover does not control (the full block, or a branch of the
   * coinbase), never from the same untrusted proof.
   */
  readonly txCount?: number;
}

/**
 * Verifies a Merkle branch with double-SHA256, or throws a ProofError:
 * - PROOF_MALFORMED: a hash that is not 32 bytes, an index or txCount that is not an integer in
 *   range, more than MAX_MERKLE_DEPTH levels;
 * - MERKLE_BAD_DEPTH: with txCount, index >= txCount or a branch length other than the tree's
 *   depth; without it, an index with bits above the branch's depth;
 * - MERKLE_DUPLICATE_SIBLING: a sibling identical to the current node where an honest tree has
 *   two distinct nodes (CVE-2012-2459). With txCount that is anywhere except the last node of an
 *   odd-width level; without it, wherever the current node is a right child;
 * - MERKLE_MISMATCH: the computed root differs from rootLE (or, with txCount, a level whose last
 *   node Core duplicates comes with a different sibling).
 * Allocates one 64-byte buffer and the hash outputs, nothing per step besides.
 */
export function verifyMerkleBranch(proof: MerkleBranchProof): void {
  const { leafLE, index, branchLE, rootLE, txCount } = proof;
  assertHash(leafLE, 'leaf');
  assertHash(rootLE, 'root');
  if (!Array.isArray(branchLE as unknown)) throw new TypeError('branch: expected an array of 32-byte hashes');
  const depth = branchLE.length;
  if (depth > MAX_MERKLE_DEPTH) {
    throw new ProofError('PROOF_MALFORMED', `branch: ${depth} levels, at most ${MAX_MERKLE_DEPTH} are possible`);
  }
  for (let i = 0; i < depth; i++) assertHash(branchLE[i], `branch[${i}]`);
  if (!Number.isSafeInteger(index) || index < 0 || index > 0xffffffff) {
    throw new ProofError('PROOF_MALFORMED', `index: expected an integer in [0, 4294967295], got ${String(index)}`);
  }

  // Width of the current level when the tree's size is known.
  let width = 0;
  if (txCount !== undefined) {
    if (!Number.isSafeInteger(txCount) || txCount < 1 || txCount > 0xffffffff) {
      throw new ProofError('PROOF_MALFORMED', `txCount: expected an integer in [1, 4294967295], got ${String(txCount)}`);
    }
    if (index >= txCount) {
      throw new ProofError('MERKLE_BAD_DEPTH', `index ${index} is not below the transaction count ${txCount}`, { details: { index, txCount } });
    }
    const expected = merkleDepth(txCount);
    if (depth !== expected) {
      throw new ProofError('MERKLE_BAD_DEPTH', `branch has ${depth} levels, a tree of ${txCount} transactions has ${expected}`, {
        details: { depth, expected, txCount },
      });
    }
    width = txCount;
  } else if (index >= 2 ** depth) {
    throw new ProofError('MERKLE_BAD_DEPTH', `index ${index} does not fit a branch of ${depth} levels`, { details: { index, depth } });
  }

  const buf = new Uint8Array(64);
  let node = leafLE;
  let pos = index;
  for (let level = 0; level < depth; level++) {
    const sibling = branchLE[level]!;
    const isRight = pos % 2 === 1;
    const same = equalAt(node, 0, sibling, 0);
    if (width !== 0) {
      const duplicated = !isRight && pos === width - 1;
      if (duplicated && !same) {
        throw new ProofError('MERKLE_MISMATCH', `level ${level}: node ${pos} is the last of an odd-width level, its sibling must be itself`, {
          details: { level, position: pos },
        });
      }
      if (!duplicated && same) throw duplicateSibling(level, pos);
      width = Math.ceil(width / 2);
    } else if (same && isRight) {
      throw duplicateSibling(level, pos);
    }
    buf.set(isRight ? sibling : node, 0);
    buf.set(isRight ? node : sibling, 32);
    node = sha256d(buf);
    pos = Math.floor(pos / 2);
  }
  if (!equalAt(node, 0, rootLE, 0)) throw new ProofError('MERKLE_MISMATCH', 'branch does not lead to the Merkle root');
}

function duplicateSibling(level: number, pos: number): ProofError {
  return new ProofError('MERKLE_DUPLICATE_SIBLING', `level ${level}: sibling of node ${pos} is identical to it where the tree has distinct nodes (CVE-2012-2459)`, {
    details: { level, position: pos },
  });
}

function assertHash(value: unknown, label: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${label}: expected a 32-byte Uint8Array`);
  if (value.length !== 32) throw new ProofError('PROOF_MALFORMED', `${label}: expected 32 bytes, got ${value.length}`);
}

/** Copies the leaves into one buffer with room for `capacity` nodes. */
function packLeaves(leavesLE: readonly Uint8Array[], capacity: number): Uint8Array {
  const level = new Uint8Array(capacity * 32);
  for (let i = 0; i < leavesLE.length; i++) {
    assertBytes(leavesLE[i], 32, `leaves[${i}]`);
    level.set(leavesLE[i]!, i * 32);
  }
  return level;
}

/** Replaces the level of `width` nodes at the start of `level` by its parents, in place; returns the new width. */
function reduceLevel(level: Uint8Array, width: number): number {
  if (width % 2 === 1) {
    level.copyWithin(width * 32, (width - 1) * 32, width * 32);
    width++;
  }
  const parents = width / 2;
  for (let i = 0; i < parents; i++) level.set(sha256d(level.subarray(i * 64, i * 64 + 64)), i * 32);
  return parents;
}

function equalAt(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number): boolean {
  for (let i = 0; i < 32; i++) if (a[aOffset + i] !== b[bOffset + i]) return false;
  return true;
}
