import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, concatBytes, hexToBytes } from '../../proofs/bytes.js';
import { needsFixture, readFixtureJson, readFixtureText } from '../../test/fixtures.js';
import {
  generatePrivateKey,
  hash160,
  isLowSSignature,
  isStrictDerSignature,
  isValidCompressedPublicKey,
  isValidPrivateKey,
  isValidXOnlyPublicKey,
  publicKeyCompressed,
  signEcdsa,
  signSchnorr,
  taggedHash,
  tweakTaprootPrivateKey,
  verifyEcdsa,
  verifySchnorr,
  xOnlyFromCompressed,
  xOnlyPublicKey,
} from './signatures.js';
import { testKey, toHighS } from './test-utils.js';

const BIP340 = 'bitcoin/bip340_test-vectors.csv';
const BIP341 = 'bitcoin/bip341_wallet-test-vectors.json';

describe('BIP340 test vectors (bip-0340/test-vectors.csv)', () => {
  if (needsFixture(BIP340).skip !== undefined) {
    test('BIP340 vectors', needsFixture(BIP340), () => {});
    return;
  }
  const lines = readFixtureText(BIP340).trim().split(/\r?\n/).slice(1);
  for (const line of lines) {
    const [index, secretKey, publicKey, auxRand, message, signature, result, comment] = line.split(',');
    const expected = result === 'TRUE';
    test(`vector ${index}: ${expected ? 'valid' : 'invalid'}${comment ? ` (${comment})` : ''}`, () => {
      const msg = hexToBytes(message!);
      const sig = hexToBytes(signature!);
      const pub = hexToBytes(publicKey!);
      if (secretKey !== '') {
        const priv = hexToBytes(secretKey!);
        assert.equal(bytesToHex(xOnlyPublicKey(priv)), publicKey!.toLowerCase());
        assert.equal(bytesToHex(signSchnorr(msg, priv, hexToBytes(auxRand!))), signature!.toLowerCase());
      }
      assert.equal(verifySchnorr(sig, msg, pub), expected);
    });
  }
});

describe('BIP341 key tweaks (wallet-test-vectors.json)', () => {
  if (needsFixture(BIP341).skip !== undefined) {
    test('BIP341 vectors', needsFixture(BIP341), () => {});
    return;
  }
  type Spending = { given: { txinIndex: number; internalPrivkey: string; merkleRoot: string | null }; intermediary: { internalPubkey: string; tweakedPrivkey: string } };
  const inputs = readFixtureJson<{ keyPathSpending: { inputSpending: Spending[] }[] }>(BIP341).keyPathSpending[0]!.inputSpending;
  for (const input of inputs) {
    test(`input ${input.given.txinIndex}: internal key and tweaked private key`, () => {
      const priv = hexToBytes(input.given.internalPrivkey);
      assert.equal(bytesToHex(xOnlyPublicKey(priv)), input.intermediary.internalPubkey);
      const root = input.given.merkleRoot === null ? undefined : hexToBytes(input.given.merkleRoot);
      assert.equal(bytesToHex(tweakTaprootPrivateKey(priv, root)), input.intermediary.tweakedPrivkey);
    });
  }
});

describe('ECDSA', () => {
  const priv = testKey(1);
  const pub = publicKeyCompressed(priv);
  const msg = createHash('sha256').update('message').digest();
  const digest = new Uint8Array(msg);

  test('signatures are deterministic, strict DER, low S, and verify', () => {
    const sig = signEcdsa(digest, priv);
    assert.deepEqual(signEcdsa(digest, priv), sig);
    assert.ok(isStrictDerSignature(sig));
    assert.ok(isLowSSignature(sig));
    assert.ok(verifyEcdsa(sig, digest, pub));
  });

  test('verification fails for another digest or another key', () => {
    const sig = signEcdsa(digest, priv);
    const other = digest.slice();
    other[0]! ^= 1;
    assert.equal(verifyEcdsa(sig, other, pub), false);
    assert.equal(verifyEcdsa(sig, digest, publicKeyCompressed(testKey(2))), false);
  });

  test('a high-S signature (valid to the math) is refused', () => {
    const sig = signEcdsa(digest, priv);
    const high = toHighS(concatBytes(sig, Uint8Array.of(1))).subarray(0, -1);
    assert.ok(secp256k1.verify(high, digest, pub, { prehash: false, lowS: false, format: 'der' }), 'the high-S form is mathematically valid');
    assert.equal(isLowSSignature(high), false);
    assert.equal(verifyEcdsa(high, digest, pub), false);
  });

  test("out-of-range R or S is not 'high S' (as Core's IsLowDERSignature): it just fails verification", () => {
    const n = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141';
    const nMinus1 = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140';
    const rZero = hexToBytes('3006020100020101');
    assert.ok(isStrictDerSignature(rZero) && isLowSSignature(rZero));
    assert.equal(verifyEcdsa(rZero, digest, pub), false);
    const sIsN = hexToBytes(`3026020101022100${n}`);
    assert.ok(isStrictDerSignature(sIsN) && isLowSSignature(sIsN));
    assert.equal(verifyEcdsa(sIsN, digest, pub), false);
    const sIsNMinus1 = hexToBytes(`3026020101022100${nMinus1}`);
    assert.equal(isLowSSignature(sIsNMinus1), false);
    assert.equal(isLowSSignature(hexToBytes('3006020101020101')), true);
  });

  test('keys: 33-byte compressed only, on the curve', () => {
    const sig = signEcdsa(digest, priv);
    assert.throws(() => verifyEcdsa(sig, digest, secp256k1.getPublicKey(priv, false)), RangeError);
    // BIP340 vector 5's key: an x coordinate with no point on the curve.
    const offCurve = hexToBytes('02eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34');
    assert.equal(isValidCompressedPublicKey(offCurve), false);
    assert.equal(verifyEcdsa(sig, digest, offCurve), false);
    assert.equal(verifyEcdsa(sig, digest, concatBytes(Uint8Array.of(0x04), pub.subarray(1))), false);
  });

  test('message digests are 32 bytes', () => {
    assert.throws(() => signEcdsa(digest.subarray(1), priv), /msg32: expected 32 bytes/);
    assert.throws(() => verifyEcdsa(signEcdsa(digest, priv), digest.subarray(1), pub), /msg32/);
  });
});

describe('strict DER (BIP66 IsValidSignatureEncoding, without the hash-type byte)', () => {
  // A well-formed signature with a 33-byte R (leading 0x00 needed: R's top bit is set) and 32-byte S.
  const r = '00' + 'c1'.repeat(32);
  const s = '3c'.repeat(32);
  const cases: [string, string, boolean][] = [
    ['well-formed, R with its needed 0x00', `30450221${r}0220${s}`, true],
    ['minimal one-byte R and S', '3006020101020101', true],
    ['too short', '30050201010201', false],
    ['wrong sequence tag', `31450221${r}0220${s}`, false],
    ['sequence length disagrees', `30460221${r}0220${s}`, false],
    ['R tag is not an integer', `30450321${r}0220${s}`, false],
    ['zero-length R', `302402000220${s}`, false],
    ['negative R', `30440220${'c1'.repeat(32)}0220${s}`, false],
    ['R with an unnecessary leading zero', `30450221003c${'c1'.repeat(31)}0220${s}`, false],
    ['S tag is not an integer', `30450221${r}0320${s}`, false],
    ['zero-length S', `30250221${r}0200`, false],
    ['negative S', `30450221${r}0220${'c3'.repeat(32)}`, false],
    ['S with an unnecessary leading zero', `30460221${r}022100${s}`, false],
    ['trailing byte', `30450221${r}0220${s}00`, false],
    ['R length runs past the end', `30450250${r}0220${s}`, false],
  ];
  for (const [name, hex, expected] of cases) {
    test(`${name}: ${expected ? 'accepted' : 'refused'}`, () => assert.equal(isStrictDerSignature(hexToBytes(hex)), expected));
  }
  test('every signature our signer makes is strict DER (100 random keys)', () => {
    for (let i = 0; i < 100; i++) {
      const sig = signEcdsa(testKey(`der ${i}`), testKey(`der key ${i}`));
      assert.ok(isStrictDerSignature(sig) && isLowSSignature(sig));
    }
  });
});

describe('Schnorr', () => {
  test('sign and verify with fresh auxiliary randomness', () => {
    const priv = testKey(3);
    const msg = testKey('msg');
    const sig = signSchnorr(msg, priv);
    assert.equal(sig.length, 64);
    assert.ok(verifySchnorr(sig, msg, xOnlyPublicKey(priv)));
    assert.equal(verifySchnorr(sig, testKey('other msg'), xOnlyPublicKey(priv)), false);
  });

  test('labelled argument checks', () => {
    assert.throws(() => signSchnorr(testKey(1), testKey(3), new Uint8Array(31)), /auxRand: expected 32 bytes/);
    assert.throws(() => verifySchnorr(new Uint8Array(65), testKey(1), new Uint8Array(32)), /sig64: expected 64 bytes/);
    assert.throws(() => verifySchnorr(new Uint8Array(64), testKey(1), new Uint8Array(33)), /xOnlyPubKey32: expected 32 bytes/);
  });
});

describe('keys and hashes', () => {
  test('BIP143 example key: compressed public key and hash160 (the P2WPKH program)', () => {
    const priv = hexToBytes('619c335025c7f4012e556c2a58b2506e30b8511b53ade95ea316fd8c3286feb9');
    const pub = publicKeyCompressed(priv);
    assert.equal(bytesToHex(pub), '025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357');
    assert.equal(bytesToHex(hash160(pub)), '1d0f172a0ecb48aee1be1f2687d2963ae33f71a1');
    assert.deepEqual(xOnlyFromCompressed(pub), xOnlyPublicKey(priv));
  });

  test('taggedHash is sha256(sha256(tag) || sha256(tag) || data) (checked with node:crypto)', () => {
    const tag = createHash('sha256').update('TapLeaf').digest();
    const data = Uint8Array.of(1, 2, 3);
    const expected = createHash('sha256').update(tag).update(tag).update(data).digest('hex');
    assert.equal(bytesToHex(taggedHash('TapLeaf', Uint8Array.of(1), Uint8Array.of(2, 3))), expected);
  });

  test('private keys: random ones are valid; 0 and n are not', () => {
    assert.ok(isValidPrivateKey(generatePrivateKey()));
    assert.notDeepEqual(generatePrivateKey(), generatePrivateKey());
    assert.equal(isValidPrivateKey(new Uint8Array(32)), false);
    const n = hexToBytes('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
    assert.equal(isValidPrivateKey(n), false);
    assert.throws(() => publicKeyCompressed(n), /privKey: not in \[1, n-1\]/);
    assert.throws(() => publicKeyCompressed(new Uint8Array(31)), /privKey: expected 32 bytes/);
  });

  test('x-only keys: the field size and non-residues are refused', () => {
    assert.ok(isValidXOnlyPublicKey(xOnlyPublicKey(testKey(1))));
    assert.equal(isValidXOnlyPublicKey(hexToBytes('fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc30')), false);
    assert.equal(isValidXOnlyPublicKey(hexToBytes('eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34')), false);
    assert.throws(() => xOnlyFromCompressed(concatBytes(Uint8Array.of(4), new Uint8Array(32))), /compressed key/);
  });
});
