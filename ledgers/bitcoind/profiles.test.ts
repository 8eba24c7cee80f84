import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { hashToDisplay, hexToBytes, reversed, bytesToHex } from '../../proofs/bytes.js';
import { decodeHeader, headerHash, headerHashDisplay } from '../../proofs/bitcoin/header.js';
import { TargetCache, checkHeaderPow } from '../../proofs/bitcoin/header-pow.js';
import { ProofError } from '../../proofs/errors.js';
import { CHAIN_PROFILES, LITECOIN_MAINNET, SIGNET, chainProfile, scryptPowHash } from './profiles.js';

interface Vector {
  readonly header_hex: string;
  readonly expected_scrypt_pow_hash: string;
  readonly sha256d_block_id: string;
}
const FIXTURE = '/work/shared/fixtures/litecoin/litecoin_scrypt_header_vectors.json';
const vectors = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { vectors: Vector[] }).vectors;

describe('chain profiles', () => {
  test('signet genesis hash', () => {
    assert.equal(headerHashDisplay(SIGNET.genesisHeader), '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6');
  });
  test('signet genesis meets its own PoW limit', () => {
    const h = SIGNET.genesisHeader;
    checkHeaderPow(SIGNET, new TargetCache(SIGNET), h, headerHash(h));
  });
  test('litecoin genesis hash and scrypt PoW', () => {
    const h = LITECOIN_MAINNET.genesisHeader;
    assert.equal(headerHashDisplay(h), '12a765e31ffd4059bada1e25190f6e98c99d9714d334efa41a195a7e7e04bfe2');
    checkHeaderPow(LITECOIN_MAINNET, new TargetCache(LITECOIN_MAINNET), h, headerHash(h));
  });
  test('every profile: chain id key, params name, a hrp', () => {
    for (const [id, p] of Object.entries(CHAIN_PROFILES)) {
      assert.equal(p.chainId, id);
      assert.ok(p.addressHrp.length > 0);
      assert.equal(chainProfile(id), p);
    }
    assert.equal(CHAIN_PROFILES['devnet-side']!.capabilities.pegInMints, true);
    assert.throws(() => chainProfile('nope'), RangeError);
    assert.throws(() => chainProfile('toString'), RangeError);
  });
});

describe('litecoin scrypt vectors (Litecoin Core scrypt_tests.cpp)', () => {
  const targets = new TargetCache(LITECOIN_MAINNET);
  vectors.forEach((v, i) => {
    test(`vector ${i}: scrypt PoW hash, block id, checkHeaderPow`, () => {
      const header80 = hexToBytes(v.header_hex);
      assert.equal(hashToDisplay(scryptPowHash(header80)), v.expected_scrypt_pow_hash);
      assert.equal(headerHashDisplay(header80), v.sha256d_block_id);
      checkHeaderPow(LITECOIN_MAINNET, targets, header80, headerHash(header80));
    });
  });
  // counted from 1 as in the fixture's source: indexes 3, 2, 1 here
  test('vectors 4, 3, 2 (1-based) link by previous hash', () => {
    const order = [3, 2, 1];
    const chain = order.map((i) => hexToBytes(vectors[i]!.header_hex));
    for (let i = 1; i < chain.length; i++) {
      assert.equal(bytesToHex(decodeHeader(chain[i]!).prevHashLE), bytesToHex(headerHash(chain[i - 1]!)), `vector index ${order[i]} builds on ${order[i - 1]}`);
    }
  });
  test('a header whose nonce is changed fails the scrypt PoW', () => {
    const header80 = hexToBytes(vectors[0]!.header_hex);
    header80[79] = header80[79]! ^ 0xff;
    assert.throws(() => checkHeaderPow(LITECOIN_MAINNET, targets, header80, headerHash(header80)), (e: unknown) => e instanceof ProofError && e.code === 'HEADER_BAD_POW');
  });
  test('scrypt is not double-SHA256: the block id does not meet the target', () => {
    const header80 = hexToBytes(vectors[0]!.header_hex);
    assert.notEqual(bytesToHex(reversed(headerHash(header80))), vectors[0]!.expected_scrypt_pow_hash);
  });
});
