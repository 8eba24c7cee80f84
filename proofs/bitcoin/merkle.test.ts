import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { needsFixture, readFixture } from '../../test/fixtures.js';
import { bytesToHex } from '../bytes.js';
import { ProofError } from '../errors.js';
import { sha256d } from '../hash.js';
import { decodeBlock } from './block.js';
import { computeMerkleRoot, merkleBranch, merkleBranches, merkleDepth, merkleParent, verifyMerkleBranch, type MerkleBranchProof } from './merkle.js';
import { throwsProof } from '../../test/proof-assert.js';

const BLOCK_413567 = 'bitcoin/block413567.raw';

/** Compares bytes by content (hash outputs are Buffers, decoded fields plain Uint8Arrays). */
function sameBytes(actual: Uint8Array | undefined, expected: Uint8Array | undefined, message?: string): void {
  assert.ok(actual !== undefined && expected !== undefined, message);
  assert.equal(bytesToHex(actual), bytesToHex(expected), message);
}

/** Distinct synthetic leaves. */
function leaves(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => sha256d(Uint8Array.of(i & 0xff, i >>> 8)));
}

/** The reference definition, written the plain way: pairwise parents, last node duplicated. */
function referenceRoot(nodes: Uint8Array[]): Uint8Array {
  let level = nodes;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(merkleParent(level[i]!, level[i + 1] ?? level[i]!));
    level = next;
  }
  return level[0]!;
}

const block = needsFixture(BLOCK_413567).skip === undefined ? decodeBlock(readFixture(BLOCK_413567)) : undefined;

void describe('computeMerkleRoot', () => {
  void test('block 413567: the root of its 1557 txids is the header’s, not mutated', needsFixture(BLOCK_413567), () => {
    assert.ok(block);
    const { rootLE, mutated } = computeMerkleRoot(block.transactions.map((t) => t.txidLE));
    sameBytes(rootLE, block.header.merkleRootLE);
    assert.equal(mutated, false);
  });

  void test('matches the plain definition for 1..70 leaves', () => {
    for (let n = 1; n <= 70; n++) {
      const l = leaves(n);
      sameBytes(computeMerkleRoot(l).rootLE, referenceRoot(l), `${n} leaves`);
      assert.equal(computeMerkleRoot(l).mutated, false);
    }
  });

  void test('one leaf is its own root', () => {
    const [leaf] = leaves(1);
    sameBytes(computeMerkleRoot([leaf!]).rootLE, leaf);
  });

  void test('[a, b, c] and [a, b, c, c] share a root; only the second is mutated', () => {
    const [a, b, c] = leaves(3) as [Uint8Array, Uint8Array, Uint8Array];
    const honest = computeMerkleRoot([a, b, c]);
    const mutated = computeMerkleRoot([a, b, c, c]);
    sameBytes(mutated.rootLE, honest.rootLE);
    assert.equal(honest.mutated, false);
    assert.equal(mutated.mutated, true);
  });

  void test('detects an identical pair at a higher level', () => {
    const l = leaves(6);
    // [l0..l5, l4, l5]: level 1 = [p0, p1, p2, p2].
    const result = computeMerkleRoot([...l, l[4]!, l[5]!]);
    assert.equal(result.mutated, true);
    sameBytes(result.rootLE, computeMerkleRoot(l).rootLE);
  });

  void test('an identical pair at odd positions (1, 2) is not a mutation', () => {
    const [a, b, c] = leaves(3) as [Uint8Array, Uint8Array, Uint8Array];
    assert.equal(computeMerkleRoot([a, b, b, c]).mutated, false);
  });

  void test('refuses no leaves', () => throwsProof(() => computeMerkleRoot([]), 'PROOF_MALFORMED', /no leaves/));
});

void describe('merkleDepth', () => {
  for (const [count, depth] of [
    [1, 0],
    [2, 1],
    [3, 2],
    [4, 2],
    [5, 3],
    [1557, 11],
    [16666, 15],
    [2 ** 32 - 1, 32],
  ] as const) {
    void test(`${count} transactions: ${depth} levels`, () => assert.equal(merkleDepth(count), depth));
  }
});

void describe('merkleBranch / verifyMerkleBranch on block 413567', () => {
  void test('the branch of each of the 1557 transactions verifies, with and without txCount', needsFixture(BLOCK_413567), () => {
    assert.ok(block);
    const txids = block.transactions.map((t) => t.txidLE);
    const branches = merkleBranches(txids);
    const rootLE = block.header.merkleRootLE;
    for (let index = 0; index < txids.length; index++) {
      const branchLE = branches[index]!;
      assert.equal(branchLE.length, 11);
      verifyMerkleBranch({ leafLE: txids[index]!, index, branchLE, rootLE, txCount: 1557 });
      verifyMerkleBranch({ leafLE: txids[index]!, index, branchLE, rootLE });
    }
    assert.deepEqual(merkleBranch(txids, 1556).map(bytesToHex), branches[1556]!.map(bytesToHex));
    assert.deepEqual(merkleBranch(txids, 0).map(bytesToHex), branches[0]!.map(bytesToHex));
  });

  void test('each branch fails with a neighbour’s index or with another root', needsFixture(BLOCK_413567), () => {
    assert.ok(block);
    const txids = block.transactions.map((t) => t.txidLE);
    const branches = merkleBranches(txids);
    const otherRoot = sha256d(block.header.merkleRootLE);
    for (let index = 0; index < txids.length; index++) {
      const proof = { leafLE: txids[index]!, index, branchLE: branches[index]!, rootLE: block.header.merkleRootLE, txCount: 1557 };
      const wrongIndex = index === 1556 ? 1555 : index + 1;
      const { txCount: _ignored, ...withoutCount } = proof;
      assert.throws(() => verifyMerkleBranch({ ...proof, index: wrongIndex }), ProofError, `index ${index}`);
      assert.throws(() => verifyMerkleBranch({ ...withoutCount, index: wrongIndex }), ProofError, `index ${index}`);
      throwsProof(() => verifyMerkleBranch({ ...proof, rootLE: otherRoot }), 'MERKLE_MISMATCH');
    }
  });

  void test('the last transaction of an odd-width level is its own sibling, and that is accepted', needsFixture(BLOCK_413567), () => {
    assert.ok(block);
    const txids = block.transactions.map((t) => t.txidLE);
    const branchLE = merkleBranch(txids, 1556);
    sameBytes(branchLE[0], txids[1556]);
    verifyMerkleBranch({ leafLE: txids[1556]!, index: 1556, branchLE, rootLE: block.header.merkleRootLE, txCount: 1557 });
  });
});

void describe('verifyMerkleBranch checks', () => {
  const l = leaves(5);
  const root = computeMerkleRoot(l).rootLE;
  const proof = (index: number): MerkleBranchProof => ({ leafLE: l[index]!, index, branchLE: merkleBranch(l, index), rootLE: root, txCount: 5 });

  void test('index >= txCount: MERKLE_BAD_DEPTH', () => throwsProof(() => verifyMerkleBranch({ ...proof(4), index: 5 }), 'MERKLE_BAD_DEPTH', /index 5 is not below the transaction count 5/));
  void test('a branch shorter than the tree: MERKLE_BAD_DEPTH', () =>
    throwsProof(() => verifyMerkleBranch({ ...proof(1), branchLE: proof(1).branchLE.slice(0, 2) }), 'MERKLE_BAD_DEPTH', /branch has 2 levels, a tree of 5 transactions has 3/));
  void test('a branch longer than the tree: MERKLE_BAD_DEPTH', () =>
    throwsProof(() => verifyMerkleBranch({ ...proof(1), branchLE: [...proof(1).branchLE, root] }), 'MERKLE_BAD_DEPTH', /branch has 4 levels/));
  void test('one transaction: an empty branch, the leaf is the root', () => {
    verifyMerkleBranch({ leafLE: l[0]!, index: 0, branchLE: [], rootLE: l[0]!, txCount: 1 });
    throwsProof(() => verifyMerkleBranch({ leafLE: l[0]!, index: 0, branchLE: [l[1]!], rootLE: merkleParent(l[0]!, l[1]!), txCount: 1 }), 'MERKLE_BAD_DEPTH');
  });
  void test('without txCount, an index with bits above the depth: MERKLE_BAD_DEPTH', () => {
    const { txCount: _ignored, ...rest } = proof(1);
    verifyMerkleBranch(rest);
    throwsProof(() => verifyMerkleBranch({ ...rest, index: 1 + 8 }), 'MERKLE_BAD_DEPTH', /index 9 does not fit a branch of 3 levels/);
  });

  const malformed: [string, Partial<MerkleBranchProof>, RegExp][] = [
    ['a 31-byte leaf', { leafLE: new Uint8Array(31) }, /^leaf: expected 32 bytes, got 31$/],
    ['a 33-byte root', { rootLE: new Uint8Array(33) }, /^root: expected 32 bytes, got 33$/],
    ['a 0-byte branch hash', { branchLE: [new Uint8Array(0)] }, /^branch\[0\]: expected 32 bytes, got 0$/],
    ['a negative index', { index: -1 }, /^index: expected an integer/],
    ['a fractional index', { index: 1.5 }, /^index: expected an integer/],
    ['an index of 2^32', { index: 2 ** 32 }, /^index: expected an integer/],
    ['a txCount of 0', { txCount: 0 }, /^txCount: expected an integer in \[1, 4294967295\], got 0$/],
    ['33 levels', { branchLE: Array.from({ length: 33 }, () => new Uint8Array(32)) }, /branch: 33 levels, at most 32/],
  ];
  for (const [name, change, message] of malformed) {
    void test(`${name}: PROOF_MALFORMED`, () => throwsProof(() => verifyMerkleBranch({ ...proof(1), ...change }), 'PROOF_MALFORMED', message));
  }

  void test('a non-Uint8Array hash is a TypeError (a bug, not a bad proof)', () => {
    assert.throws(() => verifyMerkleBranch({ ...proof(1), leafLE: 'ab' as unknown as Uint8Array }), TypeError);
  });
});

void describe('verifyMerkleBranch duplicate siblings (CVE-2012-2459 rules)', () => {
  const [a, b, c] = leaves(3) as [Uint8Array, Uint8Array, Uint8Array];

  void test('with txCount: a duplicate is accepted only as the last node of an odd-width level', () => {
    const root = computeMerkleRoot([a, b, c]).rootLE;
    verifyMerkleBranch({ leafLE: c, index: 2, branchLE: [c, merkleParent(a, b)], rootLE: root, txCount: 3 });
    // The same tree seen as the mutated [a, b, c, c]: c at index 3 would be a right child.
    throwsProof(() => verifyMerkleBranch({ leafLE: c, index: 3, branchLE: [c, merkleParent(a, b)], rootLE: root, txCount: 4 }), 'MERKLE_DUPLICATE_SIBLING', /level 0/);
    throwsProof(() => verifyMerkleBranch({ leafLE: c, index: 2, branchLE: [c, merkleParent(a, b)], rootLE: root, txCount: 4 }), 'MERKLE_DUPLICATE_SIBLING', /level 0/);
  });

  void test('with txCount: where the tree duplicates, a different sibling is refused', () => {
    const root = computeMerkleRoot([a, b, c]).rootLE;
    throwsProof(() => verifyMerkleBranch({ leafLE: c, index: 2, branchLE: [a, merkleParent(a, b)], rootLE: root, txCount: 3 }), 'MERKLE_MISMATCH', /must be itself/);
  });

  void test('without txCount: a duplicate is accepted as a left child only', () => {
    const root = computeMerkleRoot([a, b, c]).rootLE;
    verifyMerkleBranch({ leafLE: c, index: 2, branchLE: [c, merkleParent(a, b)], rootLE: root });
    throwsProof(() => verifyMerkleBranch({ leafLE: c, index: 3, branchLE: [c, merkleParent(a, b)], rootLE: root }), 'MERKLE_DUPLICATE_SIBLING');
  });

  void test('a duplicate at a higher level (mutated [a, b, c, c] proves c again at index 3 above level 0)', () => {
    const l = leaves(6);
    const root = computeMerkleRoot(l).rootLE;
    // Mutated list [l0..l5, l4, l5]: l5 at index 7 has level-1 sibling p2 == its own parent.
    const p2 = merkleParent(l[4]!, l[5]!);
    const top = merkleParent(merkleParent(l[0]!, l[1]!), merkleParent(l[2]!, l[3]!));
    const branchLE = [l[4]!, p2, top];
    throwsProof(() => verifyMerkleBranch({ leafLE: l[5]!, index: 7, branchLE, rootLE: root }), 'MERKLE_DUPLICATE_SIBLING', /level 1/);
    throwsProof(() => verifyMerkleBranch({ leafLE: l[5]!, index: 7, branchLE, rootLE: root, txCount: 8 }), 'MERKLE_DUPLICATE_SIBLING', /level 1/);
    verifyMerkleBranch({ leafLE: l[5]!, index: 5, branchLE, rootLE: root, txCount: 6 });
  });
});

void describe('verifyMerkleBranch properties', () => {
  /** Flips one bit of one element of a valid proof: the leaf, the index, a branch hash or the root. */
  const flipped = (proof: Required<MerkleBranchProof>, target: number, bit: number): Required<MerkleBranchProof> => {
    const flip = (h: Uint8Array): Uint8Array => {
      const copy = h.slice();
      const at = (bit >>> 3) % 32;
      copy[at] = copy[at]! ^ (1 << (bit & 7));
      return copy;
    };
    const slots = 3 + proof.branchLE.length;
    const slot = target % slots;
    if (slot === 0) return { ...proof, leafLE: flip(proof.leafLE) };
    if (slot === 1) return { ...proof, rootLE: flip(proof.rootLE) };
    if (slot === 2) return { ...proof, index: (proof.index ^ (1 << (bit % 32))) >>> 0 };
    const branchLE = proof.branchLE.slice();
    branchLE[slot - 3] = flip(branchLE[slot - 3]!);
    return { ...proof, branchLE };
  };

  void test('flipping any single bit of a valid branch is refused (with and without txCount)', () => {
    const trees = new Map<number, { l: Uint8Array[]; branches: Uint8Array[][]; rootLE: Uint8Array }>();
    const tree = (count: number): { l: Uint8Array[]; branches: Uint8Array[][]; rootLE: Uint8Array } => {
      let t = trees.get(count);
      if (t === undefined) {
        const l = leaves(count);
        t = { l, branches: merkleBranches(l), rootLE: computeMerkleRoot(l).rootLE };
        trees.set(count, t);
      }
      return t;
    };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), fc.nat({ max: 255 }), (count, at, target, bit) => {
        const { l, branches, rootLE } = tree(count);
        const index = at % count;
        const proof = { leafLE: l[index]!, index, branchLE: branches[index]!, rootLE, txCount: count };
        verifyMerkleBranch(proof);
        const bad = flipped(proof, target, bit);
        assert.throws(() => verifyMerkleBranch(bad), ProofError);
        const { txCount: _ignored, ...withoutCount } = bad;
        assert.throws(() => verifyMerkleBranch(withoutCount), ProofError);
      }),
      { numRuns: 2000 },
    );
  });

  void test('random branches are refused with a ProofError, never another error', () => {
    const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(hash, fc.array(hash, { maxLength: 12 }), hash, fc.nat(), fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }), (leafLE, branchLE, rootLE, index, txCount) => {
        const proof: MerkleBranchProof = txCount === undefined ? { leafLE, index, branchLE, rootLE } : { leafLE, index, branchLE, rootLE, txCount };
        assert.throws(() => verifyMerkleBranch(proof), ProofError);
      }),
      { numRuns: 2000 },
    );
  });
});
