/**
 * Output scripts (scriptPubKeys) of the single-key spend types the devnet chain accepts, and the
 * BIP143 script code of P2WPKH. The federation's lock is in lock-script.ts.
 */
import { assertBytes, concatBytes } from '../../proofs/bytes.js';
import { sha256 } from '../../proofs/hash.js';
import { hash160, isValidCompressedPublicKey } from './signatures.js';
import { tweakTaprootPublicKey } from './taproot.js';

/** `OP_0 <20-byte hash160(pubkey)>` for a 33-byte compressed key. */
export function p2wpkhScriptPubKey(publicKey: Uint8Array): Uint8Array {
  assertCompressedKey(publicKey);
  return concatBytes(Uint8Array.of(0x00, 0x14), hash160(publicKey));
}

/** BIP143 script code of a P2WPKH spend: `OP_DUP OP_HASH160 <pubkeyHash> OP_EQUALVERIFY OP_CHECKSIG`. */
export function p2wpkhScriptCode(pubkeyHash: Uint8Array): Uint8Array {
  assertBytes(pubkeyHash, 20, 'pubkeyHash');
  return concatBytes(Uint8Array.of(0x76, 0xa9, 0x14), pubkeyHash, Uint8Array.of(0x88, 0xac));
}

/** `OP_0 <32-byte sha256(witnessScript)>`. */
export function p2wshScriptPubKey(witnessScript: Uint8Array): Uint8Array {
  assertBytes(witnessScript, undefined, 'witnessScript');
  return concatBytes(Uint8Array.of(0x00, 0x20), sha256(witnessScript));
}

/** `OP_1 <32-byte x-only output key>`. */
export function p2trScriptPubKey(outputKey: Uint8Array): Uint8Array {
  assertBytes(outputKey, 32, 'outputKey');
  return concatBytes(Uint8Array.of(0x51, 0x20), outputKey);
}

/**
 * The P2TR output of a single key without a script tree (BIP86): the output key is the internal
 * x-only key tweaked with the tweak of an empty tree.
 */
export function p2trKeyPathScriptPubKey(internalKey: Uint8Array): Uint8Array {
  return p2trScriptPubKey(tweakTaprootPublicKey(internalKey).outputKey);
}

function assertCompressedKey(publicKey: Uint8Array): void {
  assertBytes(publicKey, 33, 'publicKey');
  if (!isValidCompressedPublicKey(publicKey)) throw new RangeError('publicKey: not a valid compressed secp256k1 key');
}
