import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { needsFixture, readFixtureJson } from '../../test/fixtures.js';
import { bytesToHex, concatBytes, hashToDisplay, hexToBytes } from '../bytes.js';
import { ProofError, type ProofErrorCode } from '../errors.js';
import { sha256d } from '../hash.js';
import { decodeBlock } from './block.js';
import { encodeHeader } from './header.js';
import { computeMerkleRoot } from './merkle.js';
import { MAX_MERKLE_BLOCK_TRANSACTIONS, buildMerkleBlock, decodeMerkleBlock, verifyMerkleBlock, type VerifiedMerkleBlock } from './merkle-block.js';
import { decodeTransaction } from './transaction.js';
import { throwsProof } from '../../test/proof-assert.js';

const BITCOINJ = 'bitcoin/bitcoinj_merkleblocks_mainnet.json';

interface BitcoinjFixture {
  merkleblock_dab0: { hex: string; expected_block_hash: string; expected_matched_txids: string[] };
  merkleblock_100001: { hex: string; expected_block_hash: string; expected_matched_txids: string[]; matched_tx_hex: string[] };
  block_100001_full: { hex: string; expected_block_hash: string };
}

const fixture = needsFixture(BITCOINJ).skip === undefined ? readFixtureJson<BitcoinjFixture>(BITCOINJ) : undefined;

/** Distinct synthetic txids. */
function txids(n: number, salt = 0): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => sha256d(Uint8Array.of(salt, i & 0xff, i >>> 8)));
}

/** A header committing to `leaves` (no proof of work: verifyMerkleBlock does not check it). */
function headerFor(leaves: Uint8Array[]): Uint8Array {
  return encodeHeader({ version: 1, prevHashLE: new Uint8Array(32), merkleRootLE: computeMerkleRoot(leaves).rootLE, time: 0, bits: 0x207fffff, nonce: 0 });
}

/** The merkleblock with one part replaced: the layout is header, count, hashes, flags. */
function rebuild(bytes: Uint8Array, change: { txCount?: number; hashes?: Uint8Array[]; flags?: Uint8Array }): Uint8Array {
  const mb = decodeMerkleBlock(bytes);
  const hashes = change.hashes ?? [...mb.hashesLE];
  const flags = change.flags ?? mb.flags;
  const count = new Uint8Array(4);
  new DataView(count.buffer).setUint32(0, change.txCount ?? mb.txCount, true);
  return concatBytes(mb.header80, count, Uint8Array.of(hashes.length), ...hashes, Uint8Array.of(flags.length), flags);
}

/**
 * The security property of a merkleblock: whatever verifies for the same block reports only
 * genuine (txid, position) pairs. (BIP37 does not authenticate leaf-level flag bits, nor the
 * transaction count beyond the tree shape the hashes use: such a change can only select other
 * genuine leaves, which is why the caller must check that the transaction it wants is matched.)
 */
function onlyGenuine(result: VerifiedMerkleBlock, blockHashLE: Uint8Array, leaves: readonly Uint8Array[]): boolean {
  if (bytesToHex(result.blockHashLE) !== bytesToHex(blockHashLE)) return true; // another block: its header is not in our chain
  return result.matched.every((m) => leaves[m.index] !== undefined && bytesToHex(leaves[m.index]!) === bytesToHex(m.txidLE));
}

void describe('verifyMerkleBlock on bitcoinj mainnet merkleblocks (gettxoutproof format)', () => {
  if (fixture === undefined) {
    void test('fixture', needsFixture(BITCOINJ), () => undefined);
    return;
  }
  const { merkleblock_dab0: dab0, merkleblock_100001: mb100001, block_100001_full: full } = fixture;

  void test('block 000000000000dab0...: one transaction, matched', () => {
    const result = verifyMerkleBlock(hexToBytes(dab0.hex));
    assert.equal(hashToDisplay(result.blockHashLE), dab0.expected_block_hash);
    assert.equal(result.txCount, 1);
    assert.deepEqual(result.matched.map((m) => [m.index, hashToDisplay(m.txidLE)]), [[0, dab0.expected_matched_txids[0]]]);
  });

  void test('block 100001: 12 transactions, 4 matched at positions 0, 1, 2, 6', () => {
    const result = verifyMerkleBlock(hexToBytes(mb100001.hex));
    assert.equal(hashToDisplay(result.blockHashLE), mb100001.expected_block_hash);
    assert.equal(result.txCount, 12);
    assert.deepEqual(result.matched.map((m) => m.index), [0, 1, 2, 6]);
    assert.deepEqual(result.matched.map((m) => hashToDisplay(m.txidLE)), mb100001.expected_matched_txids);
  });

  void test('block 100001: the matched raw transactions hash to the matched txids', () => {
    const result = verifyMerkleBlock(hexToBytes(mb100001.hex));
    assert.deepEqual(
      mb100001.matched_tx_hex.map((hex) => bytesToHex(decodeTransaction(hexToBytes(hex)).txidLE)),
      result.matched.map((m) => bytesToHex(m.txidLE)),
    );
  });

  void test('buildMerkleBlock over block 100001’s 12 txids reproduces the payload byte for byte', () => {
    const block = decodeBlock(hexToBytes(full.hex));
    assert.equal(hashToDisplay(block.hashLE), full.expected_block_hash);
    const built = buildMerkleBlock(block.header80, block.transactions.map((t) => t.txidLE), [0, 1, 2, 6]);
    assert.equal(bytesToHex(built), mb100001.hex);
  });

  void test('buildMerkleBlock over the one txid of block dab0 reproduces its payload', () => {
    const mb = decodeMerkleBlock(hexToBytes(dab0.hex));
    assert.equal(bytesToHex(buildMerkleBlock(mb.header80, [mb.hashesLE[0]!], [0])), dab0.hex);
  });

  void test('every single-bit flip of both payloads is refused, names another block, or reports only genuine matches', () => {
    const block = decodeBlock(hexToBytes(full.hex));
    const leaves100001 = block.transactions.map((t) => t.txidLE);
    const cases = [
      { bytes: hexToBytes(mb100001.hex), leaves: leaves100001 },
      { bytes: hexToBytes(dab0.hex), leaves: [decodeMerkleBlock(hexToBytes(dab0.hex)).hashesLE[0]!] },
    ];
    let refused = 0;
    let total = 0;
    for (const { bytes, leaves } of cases) {
      const blockHashLE = verifyMerkleBlock(bytes).blockHashLE;
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        const flipped = bytes.slice();
        flipped[bit >>> 3] = flipped[bit >>> 3]! ^ (1 << (bit & 7));
        total++;
        try {
          assert.ok(onlyGenuine(verifyMerkleBlock(flipped), blockHashLE, leaves), `bit ${bit}`);
        } catch (error) {
          if (!(error instanceof ProofError)) throw error;
          refused++;
        }
      }
    }
    // Header bits (640 a payload) change the block; almost every other flip is refused.
    assert.ok(refused > total - 2 * 640 - 16, `${refused} of ${total} refused`);
  });
});

void describe('verifyMerkleBlock refusals (Core ExtractMatches)', () => {
  const leaves = txids(12);
  const header = headerFor(leaves);
  const good = buildMerkleBlock(header, leaves, [0, 1, 2, 6]);
  const mb = decodeMerkleBlock(good);

  void test('the synthetic proof verifies', () => assert.deepEqual(verifyMerkleBlock(good).matched.map((m) => m.index), [0, 1, 2, 6]));

  const cases: [string, () => Uint8Array, ProofErrorCode, RegExp][] = [
    ['a transaction count of zero', () => rebuild(good, { txCount: 0 }), 'PROOF_MALFORMED', /transaction count is zero/],
    ['a transaction count above 16666', () => rebuild(good, { txCount: MAX_MERKLE_BLOCK_TRANSACTIONS + 1 }), 'PROOF_MALFORMED', /16667 exceeds 16666/],
    ['more hashes than transactions', () => rebuild(good, { txCount: mb.hashesLE.length - 1 }), 'PROOF_MALFORMED', /8 hashes for 7 transactions/],
    ['fewer flag bits than hashes', () => rebuild(good, { flags: new Uint8Array(0) }), 'PROOF_MALFORMED', /0 flag bits for 8 hashes/],
    ['flag bits that run out', () => rebuild(good, { flags: Uint8Array.of(0xff) }), 'PROOF_MALFORMED', /flag bits run out/],
    ['hashes that run out', () => rebuild(good, { hashes: mb.hashesLE.slice(0, -1) }), 'PROOF_MALFORMED', /hashes run out/],
    ['an unused hash', () => rebuild(good, { hashes: [...mb.hashesLE, txids(1, 9)[0]!] }), 'PROOF_MALFORMED', /9 hashes, the traversal used 8/],
    ['an unused flag byte', () => rebuild(good, { flags: concatBytes(mb.flags, Uint8Array.of(0)) }), 'PROOF_MALFORMED', /3 flag bytes, the traversal used 15 bits/],
    ['a set padding bit', () => rebuild(good, { flags: Uint8Array.of(mb.flags[0]!, mb.flags[1]! | 0x80) }), 'PROOF_MALFORMED', /padding flag bit 15 is set/],
    ['a changed hash (root mismatch)', () => rebuild(good, { hashes: [txids(1, 7)[0]!, ...mb.hashesLE.slice(1)] }), 'MERKLE_MISMATCH', /differs from the header's Merkle root/],
    ['a trailing byte', () => concatBytes(good, Uint8Array.of(0)), 'PROOF_MALFORMED', /unexpected trailing bytes/],
    ['a non-canonical hash count', () => concatBytes(good.subarray(0, 84), hexToBytes('fd0800'), good.subarray(85)), 'PROOF_MALFORMED', /non-canonical/],
    ['a hash count the bytes cannot hold', () => concatBytes(good.subarray(0, 84), hexToBytes('fe00000001')), 'PROOF_MALFORMED', /hash count: 16777216 items/],
  ];
  for (const [name, make, code, message] of cases) {
    void test(name, () => throwsProof(() => verifyMerkleBlock(make()), code, message));
  }

  void test('every truncation is refused', () => {
    for (let n = 0; n < good.length; n++) throwsProof(() => verifyMerkleBlock(good.subarray(0, n)), 'PROOF_MALFORMED');
  });

  void test('16666 transactions are accepted, the most a block can hold', () => {
    const many = txids(MAX_MERKLE_BLOCK_TRANSACTIONS);
    const result = verifyMerkleBlock(buildMerkleBlock(headerFor(many), many, [16665]));
    assert.deepEqual(result.matched.map((m) => m.index), [16665]);
  });

  void test('no match is a valid proof with an empty match list', () => {
    const result = verifyMerkleBlock(buildMerkleBlock(header, leaves, []));
    assert.deepEqual(result.matched, []);
  });

  void test('buildMerkleBlock refuses an empty txid list and out-of-range match indexes', () => {
    assert.throws(() => buildMerkleBlock(header, [], []), RangeError);
    assert.throws(() => buildMerkleBlock(header, leaves, [12]), RangeError);
    assert.throws(() => buildMerkleBlock(header, leaves, [-1]), RangeError);
    assert.throws(() => buildMerkleBlock(header.subarray(1), leaves, [0]), RangeError);
  });
});

void describe('merkleblock properties', () => {
  const treeArb = fc
    .integer({ min: 1, max: 200 })
    .chain((count) => fc.tuple(fc.constant(count), fc.uniqueArray(fc.nat({ max: count - 1 }), { maxLength: Math.min(count, 12) }), fc.nat({ max: 255 })));

  void test('verifyMerkleBlock(buildMerkleBlock(...)) returns exactly the matches, in block order', () => {
    fc.assert(
      fc.property(treeArb, ([count, matches, salt]) => {
        const leaves = txids(count, salt);
        const result = verifyMerkleBlock(buildMerkleBlock(headerFor(leaves), leaves, matches));
        const sorted = [...matches].sort((a, b) => a - b);
        assert.equal(result.txCount, count);
        assert.deepEqual(result.matched.map((m) => m.index), sorted);
        assert.deepEqual(result.matched.map((m) => bytesToHex(m.txidLE)), sorted.map((i) => bytesToHex(leaves[i]!)));
      }),
      { numRuns: 300 },
    );
  });

  void test('a single-bit flip of a built proof is refused, names another block, or reports only genuine matches', () => {
    fc.assert(
      fc.property(treeArb, fc.nat(), ([count, matches, salt], at) => {
        const leaves = txids(count, salt);
        const bytes = buildMerkleBlock(headerFor(leaves), leaves, matches);
        const blockHashLE = verifyMerkleBlock(bytes).blockHashLE;
        const bit = at % (bytes.length * 8);
        bytes[bit >>> 3] = bytes[bit >>> 3]! ^ (1 << (bit & 7));
        try {
          assert.ok(onlyGenuine(verifyMerkleBlock(bytes), blockHashLE, leaves));
        } catch (error) {
          if (!(error instanceof ProofError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });

  void test('random bytes only ever give a ProofError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        assert.throws(() => verifyMerkleBlock(bytes), ProofError);
      }),
      { numRuns: 2000 },
    );
    // Past the header, random bodies: the structure and the tree rules do the refusing.
    const header = headerFor(txids(3));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (body) => {
        assert.throws(() => verifyMerkleBlock(concatBytes(header, body)), ProofError);
      }),
      { numRuns: 2000 },
    );
  });
});
