/**
 * Keys and signatures on secp256k1, as thin wrappers over audited libraries: ECDSA and BIP340
 * Schnorr from @noble/curves, tagged hashes from @noble/curves' BIP340 helper, the Taproot
 * private-key tweak from @scure/btc-signer. Nothing here implements curve arithmetic or a hash.
 *
 * The only code of our own is a byte-format check: Bitcoin Core's strict DER rule (BIP66,
 * `IsValidSignatureEncoding`), which decides which ECDSA encodings the verifier accepts before
 * the library parses them.
 *
 * Conventions: private keys are 32 bytes; ECDSA public keys are 33-byte compressed SEC1;
 * Schnorr public keys are 32-byte x-only (BIP340). ECDSA signatures are DER without the sighash
 * byte that Bitcoin appends to them.
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { taprootTweakPrivKey } from '@scure/btc-signer/utils.js';
import { assertBytes } from '../../proofs/bytes.js';
import { sha256 } from '../../proofs/hash.js';

/** A fresh random private key (from the platform's CSPRNG, via @noble/curves). */
export function generatePrivateKey(): Uint8Array {
  return secp256k1.utils.randomSecretKey();
}

/** True when `privKey` is 32 bytes encoding an integer in [1, n-1]. */
export function isValidPrivateKey(privKey: Uint8Array): boolean {
  return privKey instanceof Uint8Array && privKey.length === 32 && secp256k1.utils.isValidSecretKey(privKey);
}

/** The 33-byte compressed public key of `privKey`. Throws RangeError for an invalid key. */
export function publicKeyCompressed(privKey: Uint8Array): Uint8Array {
  assertPrivateKey(privKey);
  return secp256k1.getPublicKey(privKey, true);
}

/** The 32-byte x-only (BIP340) public key of `privKey`. Throws RangeError for an invalid key. */
export function xOnlyPublicKey(privKey: Uint8Array): Uint8Array {
  assertPrivateKey(privKey);
  return schnorr.getPublicKey(privKey);
}

/** The x-only key of a 33-byte compressed key: its x coordinate (the parity byte dropped). */
export function xOnlyFromCompressed(publicKey: Uint8Array): Uint8Array {
  assertBytes(publicKey, 33, 'publicKey');
  if (publicKey[0] !== 0x02 && publicKey[0] !== 0x03) {
    throw new RangeError(`publicKey: expected a compressed key (prefix 0x02 or 0x03), got prefix 0x${publicKey[0]!.toString(16)}`);
  }
  return publicKey.slice(1);
}

/** True when `publicKey` is a 33-byte compressed encoding of a point on the curve. */
export function isValidCompressedPublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 33) return false;
  if (publicKey[0] !== 0x02 && publicKey[0] !== 0x03) return false;
  return secp256k1.utils.isValidPublicKey(publicKey, true);
}

/** True when `xOnly` is 32 bytes, below the field size, and the x coordinate of a curve point. */
export function isValidXOnlyPublicKey(xOnly: Uint8Array): boolean {
  if (!(xOnly instanceof Uint8Array) || xOnly.length !== 32) return false;
  const compressed = new Uint8Array(33);
  compressed[0] = 0x02;
  compressed.set(xOnly, 1);
  return secp256k1.utils.isValidPublicKey(compressed, true);
}

/** RIPEMD-160 of SHA-256 (Bitcoin's key and script hash for P2PKH/P2WPKH). */
export function hash160(data: Uint8Array): Uint8Array {
  assertBytes(data, undefined, 'data');
  return ripemd160(sha256(data));
}

/**
 * ECDSA signature of a 32-byte digest (a sighash, not hashed again): deterministic (RFC 6979),
 * low-S, DER-encoded without a sighash byte.
 */
export function signEcdsa(msg32: Uint8Array, privKey: Uint8Array): Uint8Array {
  assertBytes(msg32, 32, 'msg32');
  assertPrivateKey(privKey);
  return secp256k1.sign(msg32, privKey, { prehash: false, lowS: true, format: 'der' });
}

/**
 * Verifies an ECDSA signature (DER, without sighash byte) of a 32-byte digest by a 33-byte
 * compressed key, with Bitcoin Core's standard rules: false for an encoding that is not strict
 * DER (BIP66), for a high-S signature (BIP146's LOW_S), for an r or s out of range and for a key
 * that is not a curve point.
 */
export function verifyEcdsa(derSig: Uint8Array, msg32: Uint8Array, pubKey33: Uint8Array): boolean {
  assertBytes(derSig, undefined, 'derSig');
  assertBytes(msg32, 32, 'msg32');
  assertBytes(pubKey33, 33, 'pubKey33');
  if (!isStrictDerSignature(derSig) || !isLowSSignature(derSig)) return false;
  if (!isValidCompressedPublicKey(pubKey33)) return false;
  try {
    return secp256k1.verify(derSig, msg32, pubKey33, { prehash: false, lowS: true, format: 'der' });
  } catch {
    return false;
  }
}

/**
 * Bitcoin Core's `IsValidSignatureEncoding` (BIP66 strict DER), applied to a DER signature
 * without its sighash byte: `0x30 <len> 0x02 <lenR> <R> 0x02 <lenS> <S>` with exact lengths,
 * R and S non-empty, non-negative and without unnecessary leading zero bytes, 8..72 bytes in all.
 */
export function isStrictDerSignature(der: Uint8Array): boolean {
  assertBytes(der, undefined, 'der');
  // Core checks the signature with its sighash byte: every bound below is Core's minus one.
  const size = der.length;
  if (size < 8 || size > 72) return false;
  if (der[0] !== 0x30) return false;
  if (der[1] !== size - 2) return false;
  const lenR = der[3]!;
  if (5 + lenR >= size + 1) return false;
  const lenS = der[5 + lenR]!;
  if (lenR + lenS + 6 !== size) return false;
  if (der[2] !== 0x02) return false;
  if (lenR === 0) return false;
  if (der[4]! & 0x80) return false;
  if (lenR > 1 && der[4] === 0x00 && !(der[5]! & 0x80)) return false;
  if (der[lenR + 4] !== 0x02) return false;
  if (lenS === 0) return false;
  if (der[lenR + 6]! & 0x80) return false;
  if (lenS > 1 && der[lenR + 6] === 0x00 && !(der[lenR + 7]! & 0x80)) return false;
  return true;
}

/**
 * Core's `IsLowDERSignature` for a strict-DER signature (without sighash byte): false when its S
 * is above n/2 (a valid but malleated signature: some S' = n - S signs the same), true otherwise.
 * As in Core, an S or R out of range (0, or n and above) is not "high": such a signature simply
 * fails verification. False for an encoding that is not strict DER.
 */
export function isLowSSignature(der: Uint8Array): boolean {
  if (!isStrictDerSignature(der)) return false;
  const lenR = der[3]!;
  const lenS = der[5 + lenR]!;
  let s = 0n;
  for (const byte of der.subarray(6 + lenR, 6 + lenR + lenS)) s = (s << 8n) | BigInt(byte);
  const n = secp256k1.Point.Fn.ORDER;
  return !(s > n >> 1n && s < n);
}

/**
 * BIP340 Schnorr signature (64 bytes) of `msg` with `privKey`. `auxRand` (32 bytes) defaults to
 * fresh randomness, as BIP340 recommends; pass it only for reproducible tests. BIP340 allows
 * messages of any length; Bitcoin signs 32-byte sighashes.
 */
export function signSchnorr(msg: Uint8Array, privKey: Uint8Array, auxRand?: Uint8Array): Uint8Array {
  assertBytes(msg, undefined, 'msg');
  assertPrivateKey(privKey);
  if (auxRand !== undefined) assertBytes(auxRand, 32, 'auxRand');
  return schnorr.sign(msg, privKey, auxRand);
}

/**
 * Verifies a 64-byte BIP340 signature of `msg` by a 32-byte x-only key. False (never a throw)
 * for any invalid signature or a key that is not a valid x coordinate.
 */
export function verifySchnorr(sig64: Uint8Array, msg: Uint8Array, xOnlyPubKey32: Uint8Array): boolean {
  assertBytes(sig64, 64, 'sig64');
  assertBytes(msg, undefined, 'msg');
  assertBytes(xOnlyPubKey32, 32, 'xOnlyPubKey32');
  try {
    return schnorr.verify(sig64, msg, xOnlyPubKey32);
  } catch {
    return false;
  }
}

/** BIP340 tagged hash: sha256(sha256(tag) || sha256(tag) || parts...). */
export function taggedHash(tag: string, ...parts: Uint8Array[]): Uint8Array {
  if (typeof tag !== 'string' || tag.length === 0) throw new TypeError('tag: expected a non-empty string');
  parts.forEach((part, i) => assertBytes(part, undefined, `parts[${i}]`));
  return schnorr.utils.taggedHash(tag, ...parts);
}

/**
 * BIP341 `taproot_tweak_seckey`: the private key of the output key committed to `merkleRoot`
 * (32 bytes), or, without it, of a key-path-only output (BIP86: the tweak of an empty script
 * tree). Sign a key-path spend with the result.
 */
export function tweakTaprootPrivateKey(privKey: Uint8Array, merkleRoot?: Uint8Array): Uint8Array {
  assertPrivateKey(privKey);
  if (merkleRoot !== undefined) assertBytes(merkleRoot, 32, 'merkleRoot');
  return taprootTweakPrivKey(privKey, merkleRoot ?? new Uint8Array(0));
}

function assertPrivateKey(privKey: unknown): asserts privKey is Uint8Array {
  assertBytes(privKey, 32, 'privKey');
  if (!secp256k1.utils.isValidSecretKey(privKey)) throw new RangeError('privKey: not in [1, n-1]');
}
