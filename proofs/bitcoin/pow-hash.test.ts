/**
 * The PoW hash is a parameter: a Litecoin-family network plugs scrypt (N=1024, r=1, p=1, from
 * @noble/hashes) into the same header check, while the block id stays double-SHA256. Checked on
 * real Litecoin mainnet headers with their expected scrypt hashes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scrypt } from '@noble/hashes/scrypt.js';
import { hashToDisplay, hexToBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import { needsFixture, readFixtureJson } from '../../test/fixtures.js';
import { decodeHeader, encodeHeader, headerHash } from './header.js';
import { checkHeaderPow, TargetCache } from './header-pow.js';
import { MAINNET, type NetworkParams } from './params.js';

const FILE = 'litecoin/litecoin_scrypt_header_vectors.json';

interface Vector { header_hex: string; expected_scrypt_pow_hash: string; sha256d_block_id: string; bits: string }

const scryptPow = (header80: Uint8Array): Uint8Array => scrypt(header80, header80, { N: 1024, r: 1, p: 1, dkLen: 32 });

/** Litecoin's PoW limit (~uint256(0) >> 20); only the PoW hash and limit matter to this check. */
const SCRYPT_NETWORK: NetworkParams = { ...MAINNET, name: 'scrypt-test', powLimit: (1n << 236n) - 1n, powHash: scryptPow };

describe('a scrypt PoW hash plugged into the header check', needsFixture(FILE), () => {
  const vectors = needsFixture(FILE).skip === undefined ? readFixtureJson<{ vectors: Vector[] }>(FILE).vectors : [];
  vectors.forEach((v, i) => {
    test(`Litecoin header #${i}: scrypt hash ${v.expected_scrypt_pow_hash.slice(0, 16)}... meets bits ${v.bits}`, () => {
      const header80 = hexToBytes(v.header_hex);
      assert.equal(hashToDisplay(scryptPow(header80)), v.expected_scrypt_pow_hash);
      assert.equal(hashToDisplay(headerHash(header80)), v.sha256d_block_id, 'the block id is still double-SHA256');
      checkHeaderPow(SCRYPT_NETWORK, new TargetCache(SCRYPT_NETWORK), header80, headerHash(header80));
      // with double-SHA256 as the PoW hash the same header fails: the parameter is really used
      assert.throws(() => checkHeaderPow(MAINNET, new TargetCache(MAINNET), header80, headerHash(header80)), (e: unknown) => e instanceof ProofError);
      // a changed nonce fails scrypt PoW
      const changed = encodeHeader({ ...decodeHeader(header80), nonce: decodeHeader(header80).nonce ^ 1 });
      assert.throws(() => checkHeaderPow(SCRYPT_NETWORK, new TargetCache(SCRYPT_NETWORK), changed, headerHash(changed)), (e: unknown) => e instanceof ProofError && e.code === 'HEADER_BAD_POW');
    });
  });
});
