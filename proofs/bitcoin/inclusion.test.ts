import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashToDisplay, hexToBytes } from '../bytes.js';
import { needsFixture, readFixtureJson, readFixtureText } from '../../test/fixtures.js';
import { decodeBlock } from './block.js';
import { parseCheckpoints } from './checkpoints.js';
import { encodeHeader, headerHash } from './header.js';
import { HeaderChain } from './header-chain.js';
import { verifyInclusion, type InclusionProof } from './inclusion.js';
import { computeMerkleRoot, merkleBranch } from './merkle.js';
import { buildMerkleBlock } from './merkle-block.js';
import { MAINNET, REGTEST } from './params.js';
import { bitsToTarget, hashMeetsTarget, targetToLE } from './pow.js';
import { decodeTransaction, encodeTransaction, type Transaction } from './transaction.js';
import { codeOf } from '../../test/proof-assert.js';

const MERKLEBLOCKS = 'bitcoin/bitcoinj_merkleblocks_mainnet.json';
const RUN = 'bitcoin/btcrelay_mainnet_headers_bh80_100k.txt';
const CHECKPOINTS = 'bitcoin/bitcoinj_org.bitcoin.production.checkpoints.txt';
const LATE = { now: () => 2_000_000_000 };

interface Fixture {
  block_100001_full: { hex: string };
  merkleblock_100001: { hex: string; expected_matched_txids: string[]; matched_tx_hex: string[] };
}

/** Mainnet headers 80640..100000 from the checkpoint (optionally plus block 100001's header). */
function mainnetChainTo100000(): HeaderChain {
  const anchor = parseCheckpoints(readFixtureText(CHECKPOINTS)).find((c) => c.height === 80640)!;
  const chain = HeaderChain.fromAnchor(MAINNET, anchor, LATE);
  const lines = readFixtureText(RUN).trim().split('\n');
  for (const line of lines.slice(80641 - 80001)) chain.add(hexToBytes(line.trim()));
  return chain;
}

const needs = { ...needsFixture(MERKLEBLOCKS), ...needsFixture(RUN), ...needsFixture(CHECKPOINTS) };

describe('verifyInclusion on mainnet block 100001', needs, () => {
  test('every matched transaction of the merkleblock is proven, with its height, index and confirmations', () => {
    const f = readFixtureJson<Fixture>(MERKLEBLOCKS);
    const block = decodeBlock(hexToBytes(f.block_100001_full.hex));
    const chain = mainnetChainTo100000();
    assert.equal(chain.add(block.header80).status, 'extended');
    const merkleBlock = hexToBytes(f.merkleblock_100001.hex);
    const expectedIndexes = [0, 1, 2, 6];
    const coinbaseTx = hexToBytes(f.merkleblock_100001.matched_tx_hex[0]!);
    f.merkleblock_100001.matched_tx_hex.forEach((txHex, k) => {
      const proof: InclusionProof = { kind: 'merkleblock', rawTx: hexToBytes(txHex), coinbaseTx, merkleBlock };
      const result = verifyInclusion(proof, chain, { minConfirmations: 1 });
      assert.equal(hashToDisplay(result.txidLE), f.merkleblock_100001.expected_matched_txids[k]);
      assert.equal(result.height, 100001);
      assert.equal(result.confirmations, 1);
      assert.equal(result.index, expectedIndexes[k]);
      assert.equal(result.isCoinbase, k === 0);
      assert.equal(hashToDisplay(result.blockHashLE), '00000000000080b66c911bd5ba14a74260057311eaeb1982802f7010f1a9f090');
      assert.equal(codeOf(() => verifyInclusion(proof, chain, { minConfirmations: 2 })), 'INSUFFICIENT_CONFIRMATIONS');
    });
    // a transaction of the block that the merkleblock does not match
    const unmatched = block.transactions[3]!.bytes;
    assert.equal(codeOf(() => verifyInclusion({ kind: 'merkleblock', rawTx: unmatched, coinbaseTx, merkleBlock }, chain, { minConfirmations: 1 })), 'MERKLE_TX_NOT_MATCHED');
    // the coinbase must be given and proven at index 0
    const notCoinbase = hexToBytes(f.merkleblock_100001.matched_tx_hex[1]!);
    assert.equal(codeOf(() => verifyInclusion({ kind: 'merkleblock', rawTx: notCoinbase, coinbaseTx: notCoinbase, merkleBlock }, chain, { minConfirmations: 1 })), 'PROOF_MALFORMED');
    const withoutCoinbase = buildMerkleBlock(block.header80, block.transactions.map((t) => t.txidLE), [1]);
    assert.equal(codeOf(() => verifyInclusion({ kind: 'merkleblock', rawTx: notCoinbase, coinbaseTx, merkleBlock: withoutCoinbase }, chain, { minConfirmations: 1 })), 'MERKLE_TX_NOT_MATCHED');
  });

  test('every transaction of the block is proven by an Electrum-style branch; a wrong count or index is refused', () => {
    const f = readFixtureJson<Fixture>(MERKLEBLOCKS);
    const block = decodeBlock(hexToBytes(f.block_100001_full.hex));
    const chain = mainnetChainTo100000();
    chain.add(block.header80);
    const txids = block.transactions.map((t) => t.txidLE);
    const coinbase = { coinbaseTx: block.transactions[0]!.bytes, coinbaseBranchLE: merkleBranch(txids, 0) };
    block.transactions.forEach((t, index) => {
      const proof = { kind: 'branch', rawTx: t.bytes, header80: block.header80, index, branchLE: merkleBranch(txids, index), ...coinbase } as const;
      assert.equal(verifyInclusion(proof, chain, { minConfirmations: 1 }).index, index);
      const deeper = [...proof.branchLE, new Uint8Array(32)];
      assert.equal(codeOf(() => verifyInclusion({ ...proof, branchLE: deeper }, chain, { minConfirmations: 1 })), 'MERKLE_BAD_DEPTH');
      assert.equal(codeOf(() => verifyInclusion({ ...proof, index: (index + 1) % txids.length }, chain, { minConfirmations: 1 })), 'MERKLE_MISMATCH');
    });
  });

  test('a block this operator does not hold is UNKNOWN_BLOCK, whatever the proof says', () => {
    const f = readFixtureJson<Fixture>(MERKLEBLOCKS);
    const chain = mainnetChainTo100000(); // 100001 not added
    const proof: InclusionProof = {
      kind: 'merkleblock',
      rawTx: hexToBytes(f.merkleblock_100001.matched_tx_hex[1]!),
      coinbaseTx: hexToBytes(f.merkleblock_100001.matched_tx_hex[0]!),
      merkleBlock: hexToBytes(f.merkleblock_100001.hex),
    };
    assert.equal(codeOf(() => verifyInclusion(proof, chain, { minConfirmations: 1 })), 'UNKNOWN_BLOCK');
  });

  test('bytes that are not exactly one transaction are TX_MALFORMED', () => {
    const f = readFixtureJson<Fixture>(MERKLEBLOCKS);
    const chain = mainnetChainTo100000();
    const raw = hexToBytes(f.merkleblock_100001.matched_tx_hex[1]!);
    const coinbaseTx = hexToBytes(f.merkleblock_100001.matched_tx_hex[0]!);
    const merkleBlock = hexToBytes(f.merkleblock_100001.hex);
    const extended = new Uint8Array(raw.length + 1);
    extended.set(raw);
    assert.equal(codeOf(() => verifyInclusion({ kind: 'merkleblock', rawTx: extended, coinbaseTx, merkleBlock }, chain, { minConfirmations: 1 })), 'TX_MALFORMED');
    assert.equal(codeOf(() => verifyInclusion({ kind: 'merkleblock', rawTx: raw.subarray(0, raw.length - 1), coinbaseTx, merkleBlock }, chain, { minConfirmations: 1 })), 'TX_MALFORMED');
  });
});

describe('verifyInclusion on a mined regtest chain', () => {
  const t0 = 1_700_000_000;
  const coinbase = (tag: number): Transaction => ({
    version: 2,
    inputs: [{ prevTxidLE: new Uint8Array(32), prevVout: 0xffffffff, scriptSig: Uint8Array.of(0x01, tag, 0x51, 0x51, 0x51), sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: 50_0000_0000n, scriptPubKey: Uint8Array.of(0x51) }],
    locktime: 0,
  });
  /** A 64-byte transaction: 1 input with an empty scriptSig, 1 output with a 4-byte script. */
  const sixtyFour: Transaction = {
    version: 2,
    inputs: [{ prevTxidLE: new Uint8Array(32).fill(7), prevVout: 0, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: 1000n, scriptPubKey: Uint8Array.of(0x6a, 0x02, 0xab, 0xcd) }],
    locktime: 0,
  };

  function mineBlock(prev: Uint8Array, time: number, txs: Uint8Array[]): { header80: Uint8Array; txidsLE: Uint8Array[] } {
    const txidsLE = txs.map((t) => decodeTransaction(t).txidLE);
    const merkleRootLE = computeMerkleRoot(txidsLE).rootLE;
    const targetLE = targetToLE(bitsToTarget(0x207fffff));
    for (let nonce = 0; ; nonce++) {
      const header80 = encodeHeader({ version: 0x20000000, prevHashLE: headerHash(prev), merkleRootLE, time, bits: 0x207fffff, nonce });
      if (hashMeetsTarget(headerHash(header80), targetLE)) return { header80, txidsLE };
    }
  }

  test('a block that a reorg moved to a side branch is NOT_ON_BEST_CHAIN; confirmations follow the tip', () => {
    const chain = HeaderChain.fromGenesis(REGTEST, LATE);
    const txA = encodeTransaction(coinbase(1), { witness: false });
    const a = mineBlock(REGTEST.genesisHeader, t0 + 1, [txA]);
    chain.add(a.header80);
    const proof: InclusionProof = { kind: 'merkleblock', rawTx: txA, coinbaseTx: txA, merkleBlock: buildMerkleBlock(a.header80, a.txidsLE, [0]) };
    assert.equal(verifyInclusion(proof, chain, { minConfirmations: 1 }).confirmations, 1);
    const a2 = mineBlock(a.header80, t0 + 2, [encodeTransaction(coinbase(2), { witness: false })]);
    chain.add(a2.header80);
    assert.equal(verifyInclusion(proof, chain, { minConfirmations: 2 }).confirmations, 2);
    // a competing branch of three blocks
    let prev = REGTEST.genesisHeader;
    for (let i = 0; i < 3; i++) {
      prev = mineBlock(prev, t0 + 1 + i, [encodeTransaction(coinbase(10 + i), { witness: false })]).header80;
      chain.add(prev);
    }
    assert.equal(codeOf(() => verifyInclusion(proof, chain, { minConfirmations: 1 })), 'NOT_ON_BEST_CHAIN');
  });

  test('a proven 64-byte transaction is refused (CVE-2017-12842; the full attack is in cve.test.ts)', () => {
    const raw = encodeTransaction(sixtyFour, { witness: false });
    assert.equal(raw.length, 64);
    const chain = HeaderChain.fromGenesis(REGTEST, LATE);
    const cb = encodeTransaction(coinbase(1), { witness: false });
    const b = mineBlock(REGTEST.genesisHeader, t0 + 1, [cb, raw]);
    chain.add(b.header80);
    const proof: InclusionProof = { kind: 'merkleblock', rawTx: raw, coinbaseTx: cb, merkleBlock: buildMerkleBlock(b.header80, b.txidsLE, [0, 1]) };
    assert.equal(codeOf(() => verifyInclusion(proof, chain, { minConfirmations: 1 })), 'MERKLE_64_BYTE_TX');
  });

  test('minConfirmations is checked at the boundary', () => {
    const chain = HeaderChain.fromGenesis(REGTEST, LATE);
    const txA = encodeTransaction(coinbase(1), { witness: false });
    const a = mineBlock(REGTEST.genesisHeader, t0 + 1, [txA]);
    chain.add(a.header80);
    const proof: InclusionProof = { kind: 'merkleblock', rawTx: txA, coinbaseTx: txA, merkleBlock: buildMerkleBlock(a.header80, a.txidsLE, [0]) };
    assert.throws(() => verifyInclusion(proof, chain, { minConfirmations: 0 }), RangeError);
  });
});
