/**
 * summa-tx/bitcoin-spv shared vectors for headers and difficulty (the transaction and Merkle
 * categories are in summa-vectors.test.ts). Covered: retargetAlgorithm (all 9, against
 * difficulty.ts), validateHeaderChain and validateHeaderChainError (a run of headers checked with
 * header.ts + header-pow.ts: length, links, own PoW), validateHeaderWork and checkWork (pow.ts),
 * validateHeaderPrevHash (header.ts), work/workHash (header hash and target).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { equalBytes, hexToBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import { needsFixture, readFixtureJson } from '../../test/fixtures.js';
import { nextRetargetBits } from './difficulty.js';
import { decodeHeader, headerHash } from './header.js';
import { checkHeaderPow, TargetCache } from './header-pow.js';
import { MAINNET } from './params.js';
import { bitsToTarget, hashMeetsTarget, targetToLE } from './pow.js';

const FILE = 'bitcoin/summa_bitcoin-spv_testVectors.json';
const DIFF1_TARGET = 0xffffn << 208n;

interface RetargetHeader { hex: string; timestamp: number; difficulty: number; height: number }
interface Vectors {
  retargetAlgorithm: { input: RetargetHeader[]; output: number }[];
  validateHeaderChain: { input: string; output: number }[];
  validateHeaderChainError: { comment: string; input: string }[];
  validateHeaderWork: { input: { digest: string; target: string }; output: boolean }[];
  checkWork: { input: { header: string; target: string }; output: boolean }[];
  validateHeaderPrevHash: { input: { header: string; prevHash: string }; output: boolean }[];
  work: { input: string; output: string }[];
  workHash: { input: string; output: string }[];
}

const hex = (s: string): Uint8Array => hexToBytes(s.replace(/^0x/, ''));
/** summa writes digests and targets as big-endian numbers; our hashes are little-endian bytes. */
const beToBigInt = (s: string): bigint => BigInt(s);

/** Checks a concatenated run of headers: whole headers, each linked to the last, each meeting its bits. */
function checkRun(bytes: Uint8Array): bigint {
  if (bytes.length % 80 !== 0) throw new ProofError('HEADER_MALFORMED', `header run: ${bytes.length} bytes is not a multiple of 80`);
  const targets = new TargetCache(MAINNET);
  let total = 0n;
  let prevHash: Uint8Array | undefined;
  for (let off = 0; off < bytes.length; off += 80) {
    const header80 = bytes.subarray(off, off + 80);
    const hash = headerHash(header80);
    if (prevHash !== undefined && !equalBytes(decodeHeader(header80).prevHashLE, prevHash)) {
      throw new ProofError('HEADER_BAD_PREV', `header ${off / 80} does not link to the previous one`);
    }
    checkHeaderPow(MAINNET, targets, header80, hash);
    total += DIFF1_TARGET / bitsToTarget(decodeHeader(header80).bits);
    prevHash = hash;
  }
  return total;
}

describe('summa bitcoin-spv header vectors', needsFixture(FILE), () => {
  const v = needsFixture(FILE).skip === undefined ? readFixtureJson<Vectors>(FILE) : undefined;
  if (v === undefined) return;

  v.retargetAlgorithm.forEach((vector, i) => {
    const [first, last, next] = vector.input as [RetargetHeader, RetargetHeader, RetargetHeader];
    test(`retargetAlgorithm #${i}: ${first.height}..${last.height} -> ${next.height}`, () => {
      const bits = nextRetargetBits(MAINNET, {
        lastBits: decodeHeader(hex(last.hex)).bits,
        firstBits: decodeHeader(hex(first.hex)).bits,
        firstTime: first.timestamp,
        lastTime: last.timestamp,
      });
      assert.equal(bits, decodeHeader(hex(next.hex)).bits);
      assert.equal(Number(DIFF1_TARGET / bitsToTarget(bits)), vector.output);
    });
  });

  v.validateHeaderChain.forEach((vector, i) => {
    test(`validateHeaderChain #${i}: total difficulty ${vector.output}`, () => {
      assert.equal(checkRun(hex(vector.input)), BigInt(vector.output));
    });
  });

  const expectedCode: Record<string, string> = {
    'Header bytes not multiple of 80': 'HEADER_MALFORMED',
    'Header bytes not a valid chain': 'HEADER_BAD_PREV',
    // The offending header claims bits 0x1f00ffff, easier than mainnet's PoW limit: we refuse those
    // bits before comparing the hash (Core's CheckProofOfWork does the same).
    'Header does not meet its own difficulty target': 'BITS_INVALID',
  };
  v.validateHeaderChainError.forEach((vector, i) => {
    test(`validateHeaderChainError #${i}: ${vector.comment}`, () => {
      const code = expectedCode[vector.comment];
      assert.ok(code, `unmapped vector comment ${vector.comment}`);
      assert.throws(() => checkRun(hex(vector.input)), (e: unknown) => e instanceof ProofError && e.code === code);
    });
  });

  v.validateHeaderWork.forEach((vector, i) => {
    test(`validateHeaderWork #${i}`, () => {
      // digests are in internal (little-endian) order, targets are big-endian numbers; summa also
      // calls an all-zero digest invalid (no SHA-256 output is zero in practice)
      const digestLE = hex(vector.input.digest);
      const ok = digestLE.some((b) => b !== 0) && hashMeetsTarget(digestLE, targetToLE(beToBigInt(vector.input.target)));
      assert.equal(ok, vector.output);
    });
  });

  v.checkWork.forEach((vector, i) => {
    test(`checkWork #${i}`, () => {
      const ok = hashMeetsTarget(headerHash(hex(vector.input.header)), targetToLE(beToBigInt(vector.input.target)));
      assert.equal(ok, vector.output);
    });
  });

  v.validateHeaderPrevHash.forEach((vector, i) => {
    test(`validateHeaderPrevHash #${i}`, () => {
      assert.equal(equalBytes(decodeHeader(hex(vector.input.header)).prevHashLE, hex(vector.input.prevHash)), vector.output);
    });
  });

  v.workHash.forEach((vector, i) => {
    test(`workHash #${i}`, () => {
      assert.deepEqual(headerHash(hex(vector.input)), hex(vector.output));
    });
  });

  v.work.forEach((vector, i) => {
    test(`work #${i}: the header's hash read as a number`, () => {
      const hash = headerHash(hex(vector.input));
      let n = 0n;
      for (let k = 31; k >= 0; k--) n = (n << 8n) | BigInt(hash[k]!);
      assert.equal(n, BigInt(vector.output));
    });
  });
});
