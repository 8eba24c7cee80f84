/**
 * The two Merkle-tree weaknesses of Bitcoin that matter to an SPV bridge, each attack built for
 * real and refused:
 * - CVE-2012-2459: a transaction list that repeats its tail has the same Merkle root as the
 *   honest list (odd levels duplicate their last node). Refused in a merkleblock, a full block and
 *   a branch.
 * - CVE-2017-12842: a 64-byte transaction hashes like an inner node, so its two halves can be
 *   presented as leaves of a tree one level deeper. Refused in a block (no 64-byte transaction)
 *   and in a branch checked against the true transaction count.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { needsFixture, readFixture, readFixtureJson } from '../../test/fixtures.js';
import { bytesToHex, concatBytes, hexToBytes } from '../bytes.js';
import { sha256d } from '../hash.js';
import { decodeBlock, encodeBlock, encodeCoinbaseHeight, verifyBlock } from './block.js';
import { encodeHeader, headerHash } from './header.js';
import { computeMerkleRoot, merkleBranch, merkleParent, verifyMerkleBranch } from './merkle.js';
import { buildMerkleBlock, verifyMerkleBlock } from './merkle-block.js';
import { bitsToTarget, hashMeetsTarget, targetToLE } from './pow.js';
import { decodeTransaction, encodeTransaction, transactionTxid, type Transaction } from './transaction.js';
import { HeaderChain } from './header-chain.js';
import { verifyInclusion } from './inclusion.js';
import { REGTEST as REGTEST_PARAMS } from './params.js';
import { throwsProof } from '../../test/proof-assert.js';

const REGTEST_BITS = 0x207fffff;
const REGTEST = { powLimit: (1n << 255n) - 1n };

function coinbase(height: number): Transaction {
  return {
    version: 1,
    inputs: [{ prevTxidLE: new Uint8Array(32), prevVout: 0xffffffff, scriptSig: concatBytes(encodeCoinbaseHeight(height), Uint8Array.of(0)), sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: 50_0000_0000n, scriptPubKey: Uint8Array.of(0x51) }],
    locktime: 0,
  };
}

function payment(seed: number): Transaction {
  return {
    version: 2,
    inputs: [{ prevTxidLE: sha256d(Uint8Array.of(seed)), prevVout: 0, scriptSig: Uint8Array.of(0x51), sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: 1000n, scriptPubKey: hexToBytes('0014' + '42'.repeat(20)) }],
    locktime: 0,
  };
}

/** A header over `txs` at regtest difficulty, with a nonce that meets it (about two tries). */
function mine(txs: readonly Transaction[], prevHashLE: Uint8Array = new Uint8Array(32)): Uint8Array {
  const merkleRootLE = computeMerkleRoot(txs.map(transactionTxid)).rootLE;
  const targetLE = targetToLE(bitsToTarget(REGTEST_BITS));
  for (let nonce = 0; ; nonce++) {
    const header80 = encodeHeader({ version: 0x20000000, prevHashLE, merkleRootLE, time: 1_700_000_000, bits: REGTEST_BITS, nonce });
    if (hashMeetsTarget(headerHash(header80), targetLE)) return header80;
  }
}

void describe('CVE-2012-2459 (duplicated tail, same Merkle root)', () => {
  void test('CVE-2012-2459 in a full block: a regtest block with its last transaction repeated is BLOCK_MUTATED', () => {
    const txs = [coinbase(1), payment(1), payment(2)];
    const header80 = mine(txs);
    verifyBlock(encodeBlock(header80, txs), REGTEST);
    // Same header, same proof of work, same root: only the mutation check tells them apart.
    throwsProof(() => verifyBlock(encodeBlock(header80, [...txs, txs[2]!]), REGTEST), 'BLOCK_MUTATED', /CVE-2012-2459/);
  });

  void test('CVE-2012-2459 in a full block: mainnet block 413567 with its last transaction repeated is BLOCK_MUTATED', needsFixture('bitcoin/block413567.raw'), () => {
    const block = decodeBlock(readFixture('bitcoin/block413567.raw'));
    const txs = block.transactions.map((t) => t.tx);
    throwsProof(() => verifyBlock(encodeBlock(block.header80, [...txs, txs[1556]!]), { powLimit: (1n << 224n) - 1n }), 'BLOCK_MUTATED');
  });

  void test('CVE-2012-2459 in a merkleblock: proving the repeated copy hits identical siblings', () => {
    const [a, b, c] = [1, 2, 3].map((i) => sha256d(Uint8Array.of(i))) as [Uint8Array, Uint8Array, Uint8Array];
    const header80 = encodeHeader({ version: 1, prevHashLE: new Uint8Array(32), merkleRootLE: computeMerkleRoot([a, b, c]).rootLE, time: 0, bits: REGTEST_BITS, nonce: 0 });
    assert.deepEqual(verifyMerkleBlock(buildMerkleBlock(header80, [a, b, c], [2])).matched.map((m) => m.index), [2]);
    throwsProof(() => verifyMerkleBlock(buildMerkleBlock(header80, [a, b, c, c], [3])), 'MERKLE_DUPLICATE_SIBLING', /CVE-2012-2459/);
    throwsProof(() => verifyMerkleBlock(buildMerkleBlock(header80, [a, b, c, c], [2])), 'MERKLE_DUPLICATE_SIBLING');
  });

  void test('CVE-2012-2459 in a merkleblock: block 100001 (12 txs) with its last 4 txids repeated, same root', needsFixture('bitcoin/bitcoinj_merkleblocks_mainnet.json'), () => {
    const { block_100001_full } = readFixtureJson<{ block_100001_full: { hex: string } }>('bitcoin/bitcoinj_merkleblocks_mainnet.json');
    const block = decodeBlock(hexToBytes(block_100001_full.hex));
    const txids = block.transactions.map((t) => t.txidLE);
    // Level 2 of 12 leaves has 3 nodes, so its last is duplicated: 16 leaves repeating leaves 8..11 give the same root.
    const mutated = [...txids, ...txids.slice(8, 12)];
    assert.equal(bytesToHex(computeMerkleRoot(mutated).rootLE), bytesToHex(block.header.merkleRootLE));
    throwsProof(() => verifyMerkleBlock(buildMerkleBlock(block.header80, mutated, [12])), 'MERKLE_DUPLICATE_SIBLING');
    throwsProof(() => verifyMerkleBlock(buildMerkleBlock(block.header80, mutated, [9])), 'MERKLE_DUPLICATE_SIBLING');
  });

  void test('CVE-2012-2459 in a branch: the repeated copy of the last transaction of block 413567', needsFixture('bitcoin/block413567.raw'), () => {
    const block = decodeBlock(readFixture('bitcoin/block413567.raw'));
    const txids = block.transactions.map((t) => t.txidLE);
    const rootLE = block.header.merkleRootLE;
    // The mutated list of 1558 has the same root; the copy at index 1557 is a right child equal to its sibling.
    const branchLE = merkleBranch([...txids, txids[1556]!], 1557);
    const leafLE = txids[1556]!;
    throwsProof(() => verifyMerkleBranch({ leafLE, index: 1557, branchLE, rootLE }), 'MERKLE_DUPLICATE_SIBLING', /level 0/);
    throwsProof(() => verifyMerkleBranch({ leafLE, index: 1557, branchLE, rootLE, txCount: 1558 }), 'MERKLE_DUPLICATE_SIBLING');
    throwsProof(() => verifyMerkleBranch({ leafLE, index: 1557, branchLE, rootLE, txCount: 1557 }), 'MERKLE_BAD_DEPTH');
    // The honest branch of the same transaction, at its true position, verifies.
    verifyMerkleBranch({ leafLE, index: 1556, branchLE, rootLE, txCount: 1557 });
  });
});

void describe('CVE-2017-12842 (a 64-byte transaction posing as an inner node)', () => {
  // The attacker's fake transaction: a large payment it wants a verifier to believe is in a block.
  // Grind its locktime until byte 4 of its txid is 0x01: then txid || 32 chosen bytes parses as a
  // transaction (version = txid[0..4], one input), so that "transaction" can really be mined.
  const fake = (() => {
    for (let locktime = 0; ; locktime++) {
      const tx: Transaction = { ...payment(99), outputs: [{ value: 1_000_0000_0000n, scriptPubKey: hexToBytes('0014' + '66'.repeat(20)) }], locktime };
      const txidLE = transactionTxid(tx);
      if (txidLE[4] === 0x01) return { tx, txidLE };
    }
  })();
  // Bytes 32..63: the rest of the prev txid (5), prev vout, empty scriptSig, sequence, one output
  // of 0 with a 4-byte script, locktime.
  const tail = hexToBytes('0102030405' + '00000000' + '00' + 'ffffffff' + '01' + '0000000000000000' + '04' + '6a020000' + '00000000');
  const tx64Bytes = concatBytes(fake.txidLE, tail);
  const tx64 = decodeTransaction(tx64Bytes);
  const txs = [coinbase(7), tx64.tx];
  const header80 = mine(txs);
  const rootLE = computeMerkleRoot(txs.map(transactionTxid)).rootLE;
  const coinbaseTxid = transactionTxid(txs[0]!);

  void test('CVE-2017-12842: the 64-byte transaction is a valid transaction whose txid is the parent of (fake txid, tail)', () => {
    assert.equal(tx64Bytes.length, 64);
    assert.equal(tx64.strippedSize, 64);
    assert.equal(bytesToHex(encodeTransaction(tx64.tx, { witness: false })), bytesToHex(tx64Bytes));
    assert.equal(bytesToHex(tx64.txidLE), bytesToHex(merkleParent(fake.txidLE, tail)));
  });

  void test('CVE-2017-12842: a block containing a 64-byte transaction is MERKLE_64_BYTE_TX', () => {
    throwsProof(() => verifyBlock(encodeBlock(header80, txs), REGTEST), 'MERKLE_64_BYTE_TX', /transaction 1 is 64 bytes/);
  });

  void test('CVE-2017-12842: the branch one level deeper proves the fake transaction when the depth is not known', () => {
    // The danger, shown: the fake raw transaction hashes to the leaf, and the branch reaches the real root.
    const proof = { leafLE: transactionTxid(fake.tx), index: 2, branchLE: [tail, coinbaseTxid], rootLE };
    verifyMerkleBranch(proof);
    // The honest branch of the 64-byte transaction itself.
    verifyMerkleBranch({ leafLE: tx64.txidLE, index: 1, branchLE: [coinbaseTxid], rootLE, txCount: 2 });
  });

  void test('CVE-2017-12842: with the true transaction count the deeper branch is MERKLE_BAD_DEPTH', () => {
    const proof = { leafLE: fake.txidLE, index: 2, branchLE: [tail, coinbaseTxid], rootLE };
    throwsProof(() => verifyMerkleBranch({ ...proof, txCount: 2 }), 'MERKLE_BAD_DEPTH');
    throwsProof(() => verifyMerkleBranch({ ...proof, index: 1, txCount: 2 }), 'MERKLE_BAD_DEPTH', /branch has 2 levels, a tree of 2 transactions has 1/);
  });

  void test('CVE-2017-12842: a merkleblock can claim the deeper tree (its count is not committed), so only a trusted count refuses it', () => {
    // Core's verifytxoutproof accepts this too: the transaction count is whatever the proof says.
    // 4 "transactions"; hashes: level-1 node 0 (the coinbase txid), then leaves 2 (matched) and 3.
    // Flag bits, traversal order: root 1, node (1,0) 0, node (1,1) 1, leaf 2 1, leaf 3 0.
    const hashes = [coinbaseTxid, fake.txidLE, tail];
    const payload = concatBytes(header80, Uint8Array.of(4, 0, 0, 0), Uint8Array.of(3), ...hashes, Uint8Array.of(1), Uint8Array.of(0b01101));
    const result = verifyMerkleBlock(payload);
    assert.deepEqual(result.matched.map((m) => [m.index, bytesToHex(m.txidLE)]), [[2, bytesToHex(fake.txidLE)]]);
    assert.equal(result.txCount, 4);
    // The defence: the block's real count (from the full block, or pinned by a coinbase proof).
    throwsProof(() => verifyMerkleBranch({ leafLE: fake.txidLE, index: 2, branchLE: [tail, coinbaseTxid], rootLE: result.merkleRootLE, txCount: 2 }), 'MERKLE_BAD_DEPTH');
  });

  void test('CVE-2017-12842 through verifyInclusion: the coinbase proof pins the depth, both proof shapes refuse the fake', () => {
    const chain = HeaderChain.fromGenesis(REGTEST_PARAMS, { now: () => 2_000_000_000 });
    const linked = mine(txs, headerHash(REGTEST_PARAMS.genesisHeader));
    chain.add(linked);
    const fakeRaw = encodeTransaction(fake.tx, { witness: false });
    const coinbaseTx = encodeTransaction(txs[0]!, { witness: false });
    const options = { minConfirmations: 1 };
    // The deeper merkleblock proves the fake at index 2 but cannot prove the coinbase at index 0.
    const hashes = [coinbaseTxid, fake.txidLE, tail];
    const deeper = concatBytes(linked, Uint8Array.of(4, 0, 0, 0), Uint8Array.of(3), ...hashes, Uint8Array.of(1), Uint8Array.of(0b01101));
    throwsProof(() => verifyInclusion({ kind: 'merkleblock', rawTx: fakeRaw, coinbaseTx, merkleBlock: deeper }, chain, options), 'MERKLE_TX_NOT_MATCHED', /coinbase/);
    // The deeper branch is one level longer than the coinbase's.
    const branch = { kind: 'branch', rawTx: fakeRaw, header80: linked, index: 2, branchLE: [tail, coinbaseTxid], coinbaseTx, coinbaseBranchLE: [tx64.txidLE] } as const;
    throwsProof(() => verifyInclusion(branch, chain, options), 'MERKLE_BAD_DEPTH');
    // and claiming the coinbase at the same (fake) depth needs a coinbase whose txid is an inner node: impossible here
    throwsProof(() => verifyInclusion({ ...branch, coinbaseBranchLE: [new Uint8Array(32), tx64.txidLE] }, chain, options), 'MERKLE_MISMATCH');
  });
});
