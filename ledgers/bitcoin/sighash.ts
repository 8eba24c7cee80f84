/**
 * Signature hashes of witness spends: BIP143 (segwit v0, ECDSA) and BIP341/BIP342 (Taproot key
 * and script path, Schnorr). The preimages are built by @scure/btc-signer's audited
 * `preimageWitnessV0` / `preimageWitnessV1`; this file converts our Transaction into its form
 * (through the serialization both sides share) and checks every argument first, so that a bad
 * index or hash type is a labelled RangeError rather than a library error. Tested against the
 * BIP143 examples and the BIP341 key-path vectors.
 */
import { Transaction as SignerTransaction } from '@scure/btc-signer';
import { assertBytes, assertInteger } from '../../proofs/bytes.js';
import { encodeTransaction, type Transaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { TAPSCRIPT_LEAF_VERSION } from './taproot.js';

/** Taproot only: like ALL, signalled by a 64-byte signature without a hash-type byte. */
export const SIGHASH_DEFAULT = 0x00;
export const SIGHASH_ALL = 0x01;
export const SIGHASH_NONE = 0x02;
export const SIGHASH_SINGLE = 0x03;
export const SIGHASH_ANYONECANPAY = 0x80;

/** The largest amount the preimages can encode here: a non-negative int64. */
const MAX_AMOUNT = (1n << 63n) - 1n;

/**
 * The hash types Bitcoin Core's standard rules accept on an ECDSA signature (STRICTENC's
 * `IsDefinedHashtypeSignature`): ALL, NONE, SINGLE, each with or without ANYONECANPAY.
 */
export function isDefinedEcdsaHashType(hashType: number): boolean {
  return Number.isInteger(hashType) && [0x01, 0x02, 0x03, 0x81, 0x82, 0x83].includes(hashType);
}

/** The hash types BIP341 defines: DEFAULT (0x00), and ALL, NONE, SINGLE with or without ANYONECANPAY. */
export function isTaprootHashType(hashType: number): boolean {
  return hashType === SIGHASH_DEFAULT || isDefinedEcdsaHashType(hashType);
}

/**
 * BIP143 signature hash of input `inputIndex` for segwit v0 (the digest an ECDSA signature
 * signs). `scriptCode` is the script without its length prefix: for P2WPKH
 * `OP_DUP OP_HASH160 <20-byte hash> OP_EQUALVERIFY OP_CHECKSIG` (see p2wpkhScriptCode), for P2WSH the
 * witness script. `amount` is the value of the output being spent. `hashType` is the byte
 * appended to the signature (any byte value: consensus hashes whatever the signature carries; an
 * out-of-range SIGHASH_SINGLE hashes zero outputs, as BIP143 says).
 */
export function sighashSegwitV0(tx: Transaction, inputIndex: number, scriptCode: Uint8Array, amount: bigint, hashType: number): Uint8Array {
  assertInputIndex(tx, inputIndex);
  assertBytes(scriptCode, undefined, 'scriptCode');
  assertAmount(amount, 'amount');
  assertInteger(hashType, 0, 0xff, 'hashType');
  return toSignerTransaction(tx).preimageWitnessV0(inputIndex, scriptCode, hashType, amount);
}

/**
 * BIP341 signature hash of input `inputIndex` (the message a Schnorr signature signs): the key
 * path when `leaf` is absent; with `leaf`, BIP342's script path for that leaf script (leaf
 * version 0xc0 unless given, no OP_CODESEPARATOR executed). `spentOutputs` are the outputs every
 * input spends, in input order (BIP341 commits to all their amounts and scripts). No annex.
 * RangeError for a hash type BIP341 does not define and for SIGHASH_SINGLE without an output at
 * `inputIndex` (BIP341 leaves that case without a digest: no signature can be valid).
 */
export function sighashTaproot(
  tx: Transaction,
  inputIndex: number,
  spentOutputs: readonly TxOutput[],
  hashType: number,
  leaf?: { script: Uint8Array; leafVersion?: number },
): Uint8Array {
  assertInputIndex(tx, inputIndex);
  assertSpentOutputs(tx, spentOutputs);
  if (!isTaprootHashType(hashType)) throw new RangeError(`hashType: 0x${hexByte(hashType)} is not a BIP341 hash type`);
  if ((hashType & 0x03) === SIGHASH_SINGLE && inputIndex >= tx.outputs.length) {
    throw new RangeError(`hashType: SIGHASH_SINGLE for input ${inputIndex} but the transaction has only ${tx.outputs.length} outputs`);
  }
  const scripts = spentOutputs.map((o) => o.scriptPubKey);
  const amounts = spentOutputs.map((o) => o.value);
  const signer = toSignerTransaction(tx);
  if (leaf === undefined) return signer.preimageWitnessV1(inputIndex, scripts, hashType, amounts);
  assertBytes(leaf.script, undefined, 'leaf.script');
  const leafVersion = leaf.leafVersion ?? TAPSCRIPT_LEAF_VERSION;
  assertInteger(leafVersion, 0, 0xfe, 'leaf.leafVersion');
  if (leafVersion % 2 !== 0 || leafVersion === 0x50) {
    throw new RangeError(`leaf.leafVersion: expected an even byte other than 0x50, got 0x${hexByte(leafVersion)}`);
  }
  return signer.preimageWitnessV1(inputIndex, scripts, hashType, amounts, -1, leaf.script, leafVersion);
}

/**
 * Our transaction as btc-signer's, through the stripped serialization (the sighashes never read
 * witnesses). Unknown output scripts, versions and inputs are allowed: this object only hashes.
 */
function toSignerTransaction(tx: Transaction): SignerTransaction {
  return SignerTransaction.fromRaw(encodeTransaction(tx, { witness: false }), {
    allowUnknownOutputs: true,
    allowUnknownInputs: true,
    allowUnknownVersion: true,
    disableScriptCheck: true,
  });
}

function assertInputIndex(tx: Transaction, inputIndex: number): void {
  if (tx === null || typeof tx !== 'object' || !Array.isArray(tx.inputs as unknown)) throw new TypeError('tx: expected a Transaction');
  assertInteger(inputIndex, 0, tx.inputs.length - 1, 'inputIndex');
}

function assertSpentOutputs(tx: Transaction, spentOutputs: readonly TxOutput[]): void {
  if (!Array.isArray(spentOutputs)) throw new TypeError('spentOutputs: expected an array');
  if (spentOutputs.length !== tx.inputs.length) {
    throw new RangeError(`spentOutputs: expected one per input (${tx.inputs.length}), got ${spentOutputs.length}`);
  }
  spentOutputs.forEach((output, i) => {
    assertAmount(output.value, `spentOutputs[${i}].value`);
    assertBytes(output.scriptPubKey, undefined, `spentOutputs[${i}].scriptPubKey`);
  });
}

function assertAmount(amount: unknown, label: string): void {
  if (typeof amount !== 'bigint' || amount < 0n || amount > MAX_AMOUNT) {
    throw new RangeError(`${label}: expected a bigint in [0, 2^63-1], got ${typeof amount === 'bigint' ? amount.toString() : typeof amount}`);
  }
}

function hexByte(n: number): string {
  return Number.isInteger(n) ? n.toString(16).padStart(2, '0') : String(n);
}
