/**
 * Signing of inputs, for the wallet (P2WPKH and single-key P2TR key path) and for the federation
 * (each operator's contribution to a lock spend, and the final witness from M contributions).
 * Every helper checks that the key and the spent output belong together before it signs, and the
 * federation's finalizer runs the script verifier on the result.
 */
import { assertBytes, assertInteger, equalBytes } from '../../proofs/bytes.js';
import type { Transaction, TxOutput } from '../../proofs/bitcoin/transaction.js';
import { ScriptError } from './errors.js';
import { type Federation, assertFederation, lockLeafScript, lockScriptPubKey, lockSpendWitness, lockWitnessScript } from './lock-script.js';
import { p2trKeyPathScriptPubKey, p2wpkhScriptCode, p2wpkhScriptPubKey } from './payments.js';
import { verifyInput } from './script-verify.js';
import { SIGHASH_ALL, SIGHASH_DEFAULT, isDefinedEcdsaHashType, isTaprootHashType, sighashSegwitV0, sighashTaproot } from './sighash.js';
import {
  hash160,
  isLowSSignature,
  isStrictDerSignature,
  publicKeyCompressed,
  signEcdsa,
  signSchnorr,
  tweakTaprootPrivateKey,
  verifyEcdsa,
  verifySchnorr,
  xOnlyFromCompressed,
  xOnlyPublicKey,
} from './signatures.js';

/** Options of a Schnorr signature: the hash type (SIGHASH_DEFAULT unless given) and BIP340 aux randomness. */
export interface SchnorrSignOptions {
  readonly hashType?: number;
  /** 32 bytes; fresh randomness when absent (pass it only for reproducible tests). */
  readonly auxRand?: Uint8Array;
}

/**
 * Signs input `index`, which spends the P2WPKH output `spentOutput` of `privKey`'s compressed
 * key, and returns its witness `[DER signature || hashType, public key]`. `hashType` must be
 * ALL, NONE or SINGLE, with or without ANYONECANPAY (ALL unless given). RangeError when
 * `spentOutput` is not that key's P2WPKH output.
 */
export function signP2wpkhInput(tx: Transaction, index: number, spentOutput: TxOutput, privKey: Uint8Array, hashType: number = SIGHASH_ALL): Uint8Array[] {
  assertIndex(tx, index);
  assertOutput(spentOutput, 'spentOutput');
  assertEcdsaHashType(hashType);
  const publicKey = publicKeyCompressed(privKey);
  if (!equalBytes(spentOutput.scriptPubKey, p2wpkhScriptPubKey(publicKey))) {
    throw new RangeError("spentOutput.scriptPubKey: not the P2WPKH output of this private key's compressed public key");
  }
  const digest = sighashSegwitV0(tx, index, p2wpkhScriptCode(hash160(publicKey)), spentOutput.value, hashType);
  return [withHashType(signEcdsa(digest, privKey), hashType), publicKey];
}

/**
 * Signs input `index`, which spends the key-path-only P2TR output (BIP86: no script tree) of
 * `privKey`, with the tweaked key, and returns its witness `[signature]` (64 bytes for
 * SIGHASH_DEFAULT, else 65). `spentOutputs` are the outputs of every input. RangeError when
 * `spentOutputs[index]` is not that key's output.
 */
export function signTaprootKeyPathInput(
  tx: Transaction,
  index: number,
  spentOutputs: readonly TxOutput[],
  privKey: Uint8Array,
  options: SchnorrSignOptions = {},
): Uint8Array[] {
  assertIndex(tx, index);
  assertSpentOutputs(tx, spentOutputs);
  const hashType = options.hashType ?? SIGHASH_DEFAULT;
  assertTaprootHashType(hashType);
  const expected = p2trKeyPathScriptPubKey(xOnlyPublicKey(privKey));
  if (!equalBytes(spentOutputs[index]!.scriptPubKey, expected)) {
    throw new RangeError(`spentOutputs[${index}].scriptPubKey: not the key-path P2TR output of this private key`);
  }
  const digest = sighashTaproot(tx, index, spentOutputs, hashType);
  const sig = signSchnorr(digest, tweakTaprootPrivateKey(privKey), options.auxRand);
  return [hashType === SIGHASH_DEFAULT ? sig : withHashType(sig, hashType)];
}

/**
 * The digest a federation member signs for input `index` spending the lock: BIP342's script-path
 * sighash of the lock leaf (taproot) or BIP143's with the witness script (p2wsh). `hashType`
 * defaults to SIGHASH_DEFAULT (taproot) or SIGHASH_ALL (p2wsh). RangeError when
 * `spentOutputs[index]` is not the federation's lock.
 */
export function federationSighash(fed: Federation, tx: Transaction, index: number, spentOutputs: readonly TxOutput[], hashType?: number): Uint8Array {
  assertFederation(fed);
  assertIndex(tx, index);
  assertSpentOutputs(tx, spentOutputs);
  if (!equalBytes(spentOutputs[index]!.scriptPubKey, lockScriptPubKey(fed))) {
    throw new RangeError(`spentOutputs[${index}].scriptPubKey: not this federation's lock script`);
  }
  if (fed.lockType === 'taproot') {
    const type = hashType ?? SIGHASH_DEFAULT;
    assertTaprootHashType(type);
    return sighashTaproot(tx, index, spentOutputs, type, { script: lockLeafScript(fed) });
  }
  const type = hashType ?? SIGHASH_ALL;
  assertEcdsaHashType(type);
  return sighashSegwitV0(tx, index, lockWitnessScript(fed), spentOutputs[index]!.value, type);
}

/**
 * The signature one federation member contributes to a lock spend of input `index`: Schnorr (64
 * bytes, or 65 with an explicit hash type) for a taproot lock, DER || hashType for p2wsh.
 * RangeError when `privKey`'s key is not in the federation or the input does not spend the lock.
 */
export function federationSignature(
  fed: Federation,
  tx: Transaction,
  index: number,
  spentOutputs: readonly TxOutput[],
  privKey: Uint8Array,
  options: SchnorrSignOptions = {},
): Uint8Array {
  assertFederation(fed);
  const publicKey = publicKeyCompressed(privKey);
  if (!fed.publicKeys.some((k) => equalBytes(k, publicKey))) throw new RangeError("privKey: its public key is not one of the federation's keys");
  const digest = federationSighash(fed, tx, index, spentOutputs, options.hashType);
  if (fed.lockType === 'taproot') {
    const hashType = options.hashType ?? SIGHASH_DEFAULT;
    const sig = signSchnorr(digest, privKey, options.auxRand);
    return hashType === SIGHASH_DEFAULT ? sig : withHashType(sig, hashType);
  }
  return withHashType(signEcdsa(digest, privKey), options.hashType ?? SIGHASH_ALL);
}

/**
 * True when `signature` is a valid contribution of the federation key at `keyIndex` to the lock
 * spend of input `index` (with the hash type it carries; for p2wsh also strict DER and low S).
 * False for any bad signature; throws only for malformed arguments or an input that does not
 * spend the lock. Check each signature received from another operator with this.
 */
export function verifyFederationSignature(
  fed: Federation,
  tx: Transaction,
  index: number,
  spentOutputs: readonly TxOutput[],
  keyIndex: number,
  signature: Uint8Array,
): boolean {
  assertFederation(fed);
  assertInteger(keyIndex, 0, fed.publicKeys.length - 1, 'keyIndex');
  assertBytes(signature, undefined, 'signature');
  const key = fed.publicKeys[keyIndex]!;
  if (fed.lockType === 'taproot') {
    if (signature.length !== 64 && signature.length !== 65) return false;
    const hashType = signature.length === 64 ? SIGHASH_DEFAULT : signature[64]!;
    if (signature.length === 65 && (hashType === SIGHASH_DEFAULT || !isTaprootHashType(hashType))) return false;
    if ((hashType & 0x03) === 0x03 && index >= tx.outputs.length) return false;
    const digest = federationSighash(fed, tx, index, spentOutputs, hashType);
    return verifySchnorr(signature.subarray(0, 64), digest, xOnlyFromCompressed(key));
  }
  if (signature.length < 2) return false;
  const hashType = signature[signature.length - 1]!;
  const der = signature.subarray(0, -1);
  if (!isDefinedEcdsaHashType(hashType) || !isStrictDerSignature(der) || !isLowSSignature(der)) return false;
  return verifyEcdsa(der, federationSighash(fed, tx, index, spentOutputs, hashType), key);
}

/**
 * The witness that spends the lock at input `index`, from the signatures collected so far
 * (`signaturesByKeyIndex`: an array indexed by key index with undefined gaps, or a map). Every
 * given signature is verified; the first M in key order are used (the lock needs exactly M).
 * The finished input is then checked with the script verifier. Throws ScriptError
 * SCRIPT_BAD_SIGNATURE (`details.keyIndex`) for an invalid signature and SCRIPT_SIG_COUNT when
 * fewer than M were given.
 */
export function finalizeFederationSpend(
  fed: Federation,
  tx: Transaction,
  index: number,
  signaturesByKeyIndex: readonly (Uint8Array | undefined)[] | ReadonlyMap<number, Uint8Array>,
  spentOutputs: readonly TxOutput[],
): Uint8Array[] {
  assertFederation(fed);
  assertIndex(tx, index);
  const n = fed.publicKeys.length;
  const given = new Map<number, Uint8Array>();
  if (signaturesByKeyIndex instanceof Map) {
    for (const [keyIndex, sig] of signaturesByKeyIndex) {
      assertInteger(keyIndex, 0, n - 1, 'signaturesByKeyIndex key');
      given.set(keyIndex, sig);
    }
  } else if (Array.isArray(signaturesByKeyIndex)) {
    if (signaturesByKeyIndex.length > n) throw new RangeError(`signaturesByKeyIndex: at most ${n} entries (one per key), got ${signaturesByKeyIndex.length}`);
    signaturesByKeyIndex.forEach((sig: Uint8Array | undefined, keyIndex: number) => {
      if (sig !== undefined) given.set(keyIndex, sig);
    });
  } else {
    throw new TypeError('signaturesByKeyIndex: expected an array indexed by key index or a Map');
  }
  for (const [keyIndex, sig] of given) {
    if (!verifyFederationSignature(fed, tx, index, spentOutputs, keyIndex, sig)) {
      throw new ScriptError('SCRIPT_BAD_SIGNATURE', `input ${index}: the signature of federation key ${keyIndex} does not verify`, {
        details: { inputIndex: index, keyIndex },
      });
    }
  }
  if (given.size < fed.threshold) {
    throw new ScriptError('SCRIPT_SIG_COUNT', `input ${index}: ${given.size} signatures collected, the lock needs ${fed.threshold}`, {
      details: { inputIndex: index, have: given.size, need: fed.threshold },
    });
  }
  const chosen: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(n).fill(undefined);
  [...given.keys()]
    .sort((a, b) => a - b)
    .slice(0, fed.threshold)
    .forEach((keyIndex) => (chosen[keyIndex] = given.get(keyIndex)));
  const witness = lockSpendWitness(fed, chosen);
  verifyInput(withInputWitness(tx, index, witness), index, spentOutputs);
  return witness;
}

/** A copy of `tx` whose input `index` carries `witness` (items copied); other inputs are shared. */
export function withInputWitness(tx: Transaction, index: number, witness: readonly Uint8Array[]): Transaction {
  assertIndex(tx, index);
  if (!Array.isArray(witness)) throw new TypeError('witness: expected an array of byte strings');
  witness.forEach((item, i) => assertBytes(item, undefined, `witness[${i}]`));
  const inputs = tx.inputs.map((input, i) => (i === index ? { ...input, witness: witness.map((item) => item.slice()) } : input));
  return { ...tx, inputs };
}

function withHashType(sig: Uint8Array, hashType: number): Uint8Array {
  const out = new Uint8Array(sig.length + 1);
  out.set(sig);
  out[sig.length] = hashType;
  return out;
}

function assertIndex(tx: Transaction, index: number): void {
  if (tx === null || typeof tx !== 'object' || !Array.isArray(tx.inputs as unknown)) throw new TypeError('tx: expected a Transaction');
  assertInteger(index, 0, tx.inputs.length - 1, 'index');
}

function assertOutput(output: TxOutput, label: string): void {
  if (output === null || typeof output !== 'object' || typeof output.value !== 'bigint') throw new TypeError(`${label}: expected a TxOutput with a bigint value`);
  assertBytes(output.scriptPubKey, undefined, `${label}.scriptPubKey`);
}

function assertSpentOutputs(tx: Transaction, spentOutputs: readonly TxOutput[]): void {
  if (!Array.isArray(spentOutputs)) throw new TypeError('spentOutputs: expected an array');
  if (spentOutputs.length !== tx.inputs.length) {
    throw new RangeError(`spentOutputs: expected one per input (${tx.inputs.length}), got ${spentOutputs.length}`);
  }
  spentOutputs.forEach((output, i) => assertOutput(output, `spentOutputs[${i}]`));
}

function assertEcdsaHashType(hashType: number): void {
  if (!isDefinedEcdsaHashType(hashType)) throw new RangeError(`hashType: expected ALL, NONE or SINGLE (optionally | ANYONECANPAY), got ${String(hashType)}`);
}

function assertTaprootHashType(hashType: number): void {
  if (!isTaprootHashType(hashType)) throw new RangeError(`hashType: expected a BIP341 hash type, got ${String(hashType)}`);
}
