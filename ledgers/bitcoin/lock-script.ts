/**
 * The federation's M-of-N lock on the main chain (DESIGN.md §1), in one of two forms:
 *
 * - `taproot`: a P2TR output whose internal key is BIP341's NUMS point H (nobody can key-spend)
 *   and whose single tapscript leaf is
 *   `<x1> OP_CHECKSIG <x2> OP_CHECKSIGADD ... <xN> OP_CHECKSIGADD <M> OP_NUMEQUAL`
 *   (x-only keys). Spend: `[sig_N ... sig_1, leaf script, control block]`, an empty item for each
 *   key that does not sign (CHECKSIGADD pops the signature of x1 first, from the top).
 * - `p2wsh`: a P2WSH output of `<M> <pk1> ... <pkN> <N> OP_CHECKMULTISIG` (compressed keys).
 *   Spend: `[<empty dummy>, sig..., witness script]`, the M signatures in key order.
 *
 * Keys are kept sorted lexicographically by their 33-byte compressed encoding, so every operator
 * derives the same script from the same set of keys, whatever order its config lists them in.
 * "Key index" everywhere means the position in that sorted order.
 */
import { assertBytes, concatBytes, equalBytes } from '../../proofs/bytes.js';
import { p2trScriptPubKey, p2wshScriptPubKey } from './payments.js';
import { isValidCompressedPublicKey } from './signatures.js';
import { TAPSCRIPT_LEAF_VERSION, encodeControlBlock, tapLeafHash, taprootNumsKey, tweakTaprootPublicKey } from './taproot.js';

export type LockType = 'taproot' | 'p2wsh';

/** Largest federation (Core's MAX_PUBKEYS_PER_MULTISIG, kept for both forms). */
export const MAX_FEDERATION_KEYS = 20;

export const OP_CHECKSIG = 0xac;
export const OP_CHECKSIGADD = 0xba;
export const OP_NUMEQUAL = 0x9c;
export const OP_CHECKMULTISIG = 0xae;

/** An M-of-N federation. Build it with `federation()`, which validates and sorts the keys. */
export interface Federation {
  /** M: how many signatures a spend needs, 1 <= M <= N. */
  readonly threshold: number;
  /** The N operators' 33-byte compressed keys, sorted lexicographically, distinct (also as x-only keys). */
  readonly publicKeys: readonly Uint8Array[];
  readonly lockType: LockType;
}

/** Federations built (and therefore validated) by `federation()`. */
const validated = new WeakSet<Federation>();

/**
 * A validated federation: 1 <= threshold <= N <= 20, every key a valid compressed secp256k1 point,
 * no two keys equal or sharing an x coordinate (the taproot lock uses x-only keys). The keys are
 * copied and sorted. TypeError/RangeError naming the argument (and the key's position as given)
 * for anything else. The result is frozen.
 */
export function federation(threshold: number, publicKeys: readonly Uint8Array[], lockType: LockType): Federation {
  if (lockType !== 'taproot' && lockType !== 'p2wsh') {
    throw new TypeError(`federation lockType: expected 'taproot' or 'p2wsh', got ${JSON.stringify(lockType)}`);
  }
  if (!Array.isArray(publicKeys)) throw new TypeError('federation publicKeys: expected an array');
  if (publicKeys.length < 1 || publicKeys.length > MAX_FEDERATION_KEYS) {
    throw new RangeError(`federation publicKeys: expected 1..${MAX_FEDERATION_KEYS} keys, got ${publicKeys.length}`);
  }
  publicKeys.forEach((key, i) => {
    assertBytes(key, 33, `federation publicKeys[${i}]`);
    if (!isValidCompressedPublicKey(key)) throw new RangeError(`federation publicKeys[${i}]: not a valid compressed secp256k1 public key`);
  });
  for (let i = 0; i < publicKeys.length; i++) {
    for (let j = 0; j < i; j++) {
      if (equalBytes(publicKeys[i]!.subarray(1), publicKeys[j]!.subarray(1))) {
        const what = publicKeys[i]![0] === publicKeys[j]![0] ? 'is the same key as' : 'has the same x coordinate as';
        throw new RangeError(`federation publicKeys[${i}]: ${what} publicKeys[${j}]`);
      }
    }
  }
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1 || threshold > publicKeys.length) {
    throw new RangeError(`federation threshold: expected an integer in [1, ${publicKeys.length}] (the number of keys), got ${String(threshold)}`);
  }
  const sorted = publicKeys.map((k) => k.slice()).sort(compareBytes);
  const fed: Federation = Object.freeze({ threshold, publicKeys: Object.freeze(sorted), lockType });
  validated.add(fed);
  return fed;
}

/** The position of `publicKey` (33-byte compressed) in the federation's sorted keys, or undefined. */
export function federationKeyIndex(fed: Federation, publicKey: Uint8Array): number | undefined {
  assertFederation(fed);
  assertBytes(publicKey, 33, 'publicKey');
  const index = fed.publicKeys.findIndex((k) => equalBytes(k, publicKey));
  return index === -1 ? undefined : index;
}

/** The taproot lock's tapscript leaf (x-only keys in sorted order). TypeError for a p2wsh federation. */
export function lockLeafScript(fed: Federation): Uint8Array {
  assertFederation(fed, 'taproot');
  const parts: Uint8Array[] = [];
  fed.publicKeys.forEach((key, i) => {
    parts.push(Uint8Array.of(0x20), key.subarray(1), Uint8Array.of(i === 0 ? OP_CHECKSIG : OP_CHECKSIGADD));
  });
  parts.push(encodeSmallNumber(fed.threshold), Uint8Array.of(OP_NUMEQUAL));
  return concatBytes(...parts);
}

/** The p2wsh lock's witness script `<M> <pk1>...<pkN> <N> OP_CHECKMULTISIG`. TypeError for a taproot federation. */
export function lockWitnessScript(fed: Federation): Uint8Array {
  assertFederation(fed, 'p2wsh');
  const parts: Uint8Array[] = [encodeSmallNumber(fed.threshold)];
  for (const key of fed.publicKeys) parts.push(Uint8Array.of(0x21), key);
  parts.push(encodeSmallNumber(fed.publicKeys.length), Uint8Array.of(OP_CHECKMULTISIG));
  return concatBytes(...parts);
}

/** The lock's output script: `OP_1 <output key>` (taproot) or `OP_0 <sha256(witness script)>` (p2wsh). */
export function lockScriptPubKey(fed: Federation): Uint8Array {
  assertFederation(fed);
  if (fed.lockType === 'p2wsh') return p2wshScriptPubKey(lockWitnessScript(fed));
  return p2trScriptPubKey(taprootOutput(fed).outputKey);
}

/** The taproot lock's control block: `(0xc0 | parity) || H` (one leaf, so no Merkle path). */
export function lockControlBlock(fed: Federation): Uint8Array {
  assertFederation(fed, 'taproot');
  return encodeControlBlock({
    leafVersion: TAPSCRIPT_LEAF_VERSION,
    outputKeyParity: taprootOutput(fed).parity,
    internalKey: taprootNumsKey(),
    path: [],
  });
}

/**
 * The witness stack that spends the lock, from `signatures[keyIndex]` (undefined for a key that
 * does not sign). Exactly M signatures must be given: more would break the taproot lock
 * (CHECKSIGADD counts every valid signature and NUMEQUAL wants exactly M) and cannot fit
 * CHECKMULTISIG. Taproot signatures are 64 or 65 bytes (Schnorr, optional hash-type byte), p2wsh
 * ones 9..73 bytes (DER and hash-type byte). RangeError otherwise. Signatures are not verified
 * here (finalizeFederationSpend does).
 */
export function lockSpendWitness(fed: Federation, signatures: readonly (Uint8Array | undefined)[]): Uint8Array[] {
  assertFederation(fed);
  if (!Array.isArray(signatures)) throw new TypeError('signatures: expected an array indexed by key index');
  const n = fed.publicKeys.length;
  if (signatures.length !== n) throw new RangeError(`signatures: expected ${n} entries (one per key, undefined for a non-signer), got ${signatures.length}`);
  let count = 0;
  signatures.forEach((sig, i) => {
    if (sig === undefined) return;
    count++;
    assertBytes(sig, undefined, `signatures[${i}]`);
    if (fed.lockType === 'taproot' ? sig.length !== 64 && sig.length !== 65 : sig.length < 9 || sig.length > 73) {
      const expected = fed.lockType === 'taproot' ? '64 or 65 bytes (Schnorr)' : '9..73 bytes (DER and hash type)';
      throw new RangeError(`signatures[${i}]: expected ${expected}, got ${sig.length} bytes`);
    }
  });
  if (count !== fed.threshold) throw new RangeError(`signatures: expected exactly ${fed.threshold} signatures (the threshold), got ${count}`);
  if (fed.lockType === 'p2wsh') {
    const present = signatures.filter((s): s is Uint8Array => s !== undefined).map((s) => s.slice());
    return [new Uint8Array(0), ...present, lockWitnessScript(fed)];
  }
  const stack: Uint8Array[] = [];
  for (let i = n - 1; i >= 0; i--) stack.push(signatures[i]?.slice() ?? new Uint8Array(0));
  stack.push(lockLeafScript(fed), lockControlBlock(fed));
  return stack;
}

/**
 * Minimal script encoding of a number 1..20: OP_1..OP_16, or a one-byte push for 17..20 (as
 * Core's CScript << n and MINIMALDATA require).
 */
export function encodeSmallNumber(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 1 || n > 0x7f) throw new RangeError(`number: expected an integer in [1, 127], got ${n}`);
  return n <= 16 ? Uint8Array.of(0x50 + n) : Uint8Array.of(0x01, n);
}

/**
 * Throws unless `fed` came from `federation()` or passes the same checks with its keys already
 * sorted (such an object is checked again on every call), and, when `lockType` is given, has that
 * lock type.
 */
export function assertFederation(fed: Federation, lockType?: LockType): void {
  if (fed === null || typeof fed !== 'object') throw new TypeError('federation: expected a Federation');
  if (!validated.has(fed)) {
    const rebuilt = federation(fed.threshold, fed.publicKeys, fed.lockType);
    if (!rebuilt.publicKeys.every((k, i) => equalBytes(k, fed.publicKeys[i]!))) {
      throw new RangeError('federation publicKeys: not in canonical (sorted) order; build it with federation()');
    }
  }
  if (lockType !== undefined && fed.lockType !== lockType) {
    throw new TypeError(`federation: this needs a ${lockType} federation, got a ${fed.lockType} one`);
  }
}

function taprootOutput(fed: Federation): { outputKey: Uint8Array; parity: 0 | 1 } {
  return tweakTaprootPublicKey(taprootNumsKey(), tapLeafHash(lockLeafScript(fed)));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
