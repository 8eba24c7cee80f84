/**
 * Verification of input spends for the script subset the devnet chain accepts (DESIGN.md §5).
 * Supported, each with an empty scriptSig:
 *
 * - P2WPKH: `[sig, pubkey]`, ECDSA over BIP143, a compressed key whose hash160 is the program.
 * - P2TR key path: `[sig]`, BIP340 over BIP341 (64 bytes: SIGHASH_DEFAULT; 65: explicit type).
 * - P2TR script path with a multisig tapscript leaf
 *   `<x1> OP_CHECKSIG (<xi> OP_CHECKSIGADD)* <M> OP_NUMEQUAL` (the federation's lock and any
 *   other of that shape), interpreted per BIP342: an empty signature is a failed check that
 *   pushes nothing to the count, a non-empty invalid one fails the spend; the control block's
 *   commitment to the output key is verified per BIP341.
 * - P2WSH of `<M> <pubkeys...> <N> OP_CHECKMULTISIG` with Bitcoin Core's CHECKMULTISIG (signatures
 *   matched to keys in order, the dummy element empty (NULLDUMMY), and, when the check fails,
 *   every signature empty (NULLFAIL)).
 *
 * ECDSA signatures follow Core's standard rules: strict DER (BIP66), low S, a defined hash type
 * (ALL, NONE, SINGLE, each with or without ANYONECANPAY); keys in v0 witness spends are
 * compressed. Anything else (legacy and P2SH outputs, OP_RETURN, other witness versions and
 * scripts, leaf versions other than 0xc0, an annex) is refused as SCRIPT_NONSTANDARD with the
 * reason. Every refusal is a ScriptError whose `details.inputIndex` names the input.
 *
 * Where Core would refuse for several reasons, the one reported may differ from Core's error (a
 * witness with the wrong number of items is reported as such before its signatures are looked
 * at); what is accepted and refused is the same as Core's for the supported templates.
 */
import { assertBytes, assertInteger, equalBytes } from '../../proofs/bytes.js';
import { sha256 } from '../../proofs/hash.js';
import { classifyScript } from '../../proofs/bitcoin/script.js';
import type { Transaction, TxInput, TxOutput } from '../../proofs/bitcoin/transaction.js';
import { ScriptError, type ScriptErrorCode } from './errors.js';
import { OP_CHECKMULTISIG, OP_CHECKSIG, OP_CHECKSIGADD, OP_NUMEQUAL } from './lock-script.js';
import { p2wpkhScriptCode } from './payments.js';
import { SIGHASH_DEFAULT, SIGHASH_SINGLE, isDefinedEcdsaHashType, isTaprootHashType, sighashSegwitV0, sighashTaproot } from './sighash.js';
import { hash160, isLowSSignature, isStrictDerSignature, verifyEcdsa, verifySchnorr } from './signatures.js';
import { TAPSCRIPT_LEAF_VERSION, isControlBlockSize, parseControlBlock, verifyTaprootCommitment } from './taproot.js';

/** A multisig script template: the keys in script order and the threshold M. */
export interface MultisigTemplate {
  readonly threshold: number;
  readonly publicKeys: readonly Uint8Array[];
}

/** Most keys a multisig tapscript may hold here (BIP342's 1000-element stack: N signatures and a key). */
export const MAX_TAPSCRIPT_MULTISIG_KEYS = 999;
/** Most keys in a CHECKMULTISIG (Core's MAX_PUBKEYS_PER_MULTISIG). */
export const MAX_MULTISIG_KEYS = 20;

/**
 * Verifies that input `inputIndex` of `tx` validly spends `spentOutputs[inputIndex]` under the
 * supported subset; `spentOutputs` holds the output spent by every input, in input order
 * (Taproot signatures commit to all of them). Returns nothing; throws ScriptError when the spend
 * is refused, TypeError/RangeError for malformed arguments. Not for coinbase inputs.
 */
export function verifyInput(tx: Transaction, inputIndex: number, spentOutputs: readonly TxOutput[]): void {
  assertArguments(tx, spentOutputs);
  assertInteger(inputIndex, 0, tx.inputs.length - 1, 'inputIndex');
  new InputVerifier(tx, inputIndex, spentOutputs).run();
}

/** verifyInput for every input, in order; the first refusal is thrown. */
export function verifyTransactionScripts(tx: Transaction, spentOutputs: readonly TxOutput[]): void {
  assertArguments(tx, spentOutputs);
  for (let i = 0; i < tx.inputs.length; i++) new InputVerifier(tx, i, spentOutputs).run();
}

/**
 * Reads `<x1> OP_CHECKSIG (<xi> OP_CHECKSIGADD)* <M> OP_NUMEQUAL` with 32-byte key pushes,
 * 1 <= M <= N <= 999 and M minimally encoded; undefined for any other script.
 */
export function parseMultisigTapscript(script: Uint8Array): MultisigTemplate | undefined {
  assertBytes(script, undefined, 'script');
  const keys: Uint8Array[] = [];
  let offset = 0;
  while (offset + 34 <= script.length && script[offset] === 0x20) {
    const op = script[offset + 33];
    if (op !== (keys.length === 0 ? OP_CHECKSIG : OP_CHECKSIGADD)) return undefined;
    keys.push(script.slice(offset + 1, offset + 33));
    offset += 34;
  }
  if (keys.length === 0 || keys.length > MAX_TAPSCRIPT_MULTISIG_KEYS) return undefined;
  const number = readScriptNumber(script, offset);
  if (number === undefined || number.end + 1 !== script.length || script[number.end] !== OP_NUMEQUAL) return undefined;
  if (number.value < 1 || number.value > keys.length) return undefined;
  return { threshold: number.value, publicKeys: keys };
}

/**
 * Reads `<M> <key1> ... <keyN> <N> OP_CHECKMULTISIG` with 1 <= M <= N <= 20, numbers minimally
 * encoded and each key a direct push of 33 or 65 bytes (whether the keys are compressed is for
 * the caller to judge); undefined for any other script.
 */
export function parseMultisigWitnessScript(script: Uint8Array): MultisigTemplate | undefined {
  assertBytes(script, undefined, 'script');
  const m = readScriptNumber(script, 0);
  if (m === undefined) return undefined;
  const keys: Uint8Array[] = [];
  let offset = m.end;
  while (offset < script.length && (script[offset] === 33 || script[offset] === 65)) {
    const size = script[offset]!;
    if (offset + 1 + size > script.length) return undefined;
    keys.push(script.slice(offset + 1, offset + 1 + size));
    offset += 1 + size;
  }
  const n = readScriptNumber(script, offset);
  if (n === undefined || n.end + 1 !== script.length || script[n.end] !== OP_CHECKMULTISIG) return undefined;
  if (keys.length === 0 || keys.length > MAX_MULTISIG_KEYS || n.value !== keys.length) return undefined;
  if (m.value < 1 || m.value > keys.length) return undefined;
  return { threshold: m.value, publicKeys: keys };
}

/** One input's verification; holds the context every check reports. */
class InputVerifier {
  private readonly input: TxInput;
  private readonly spent: TxOutput;

  constructor(
    private readonly tx: Transaction,
    private readonly inputIndex: number,
    private readonly spentOutputs: readonly TxOutput[],
  ) {
    this.input = tx.inputs[inputIndex]!;
    this.spent = spentOutputs[inputIndex]!;
  }

  run(): void {
    const type = classifyScript(this.spent.scriptPubKey);
    switch (type.type) {
      case 'p2wpkh':
        this.requireEmptyScriptSig();
        return this.verifyP2wpkh(type.pubkeyHash);
      case 'p2wsh':
        this.requireEmptyScriptSig();
        return this.verifyP2wsh(type.scriptHash);
      case 'p2tr':
        this.requireEmptyScriptSig();
        return this.verifyP2tr(type.outputKey);
      case 'op_return':
        return this.fail('SCRIPT_NONSTANDARD', 'the spent output is an OP_RETURN output, which is unspendable');
      case 'p2pkh':
      case 'p2sh':
        return this.fail('SCRIPT_NONSTANDARD', `the spent output is ${type.type.toUpperCase()}: only P2WPKH, P2WSH multisig and P2TR spends are supported`);
      case 'witness_unknown':
        return this.fail('SCRIPT_NONSTANDARD', `the spent output is a witness v${type.version} program of ${type.program.length} bytes, which has no supported meaning`);
      default:
        return this.fail('SCRIPT_NONSTANDARD', 'the spent output script is not of a supported type');
    }
  }

  private requireEmptyScriptSig(): void {
    if (this.input.scriptSig.length !== 0) {
      this.fail('SCRIPT_NOT_EMPTY_SCRIPTSIG', `a native witness spend must have an empty scriptSig, got ${this.input.scriptSig.length} bytes`);
    }
  }

  // --- P2WPKH ---

  private verifyP2wpkh(pubkeyHash: Uint8Array): void {
    const witness = this.input.witness;
    if (witness.length !== 2) this.fail('SCRIPT_WITNESS_MALFORMED', `a P2WPKH witness is [signature, public key], got ${witness.length} items`);
    const [sig, pubKey] = witness as [Uint8Array, Uint8Array];
    if (!equalBytes(hash160(pubKey), pubkeyHash)) this.fail('SCRIPT_WITNESS_MISMATCH', 'the public key does not hash to the P2WPKH program');
    this.requireCompressedKey(pubKey, {});
    if (sig.length === 0) this.fail('SCRIPT_BAD_SIGNATURE', 'empty signature: CHECKSIG fails');
    const hashType = this.checkEcdsaEncoding(sig, {});
    const digest = sighashSegwitV0(this.tx, this.inputIndex, p2wpkhScriptCode(pubkeyHash), this.spent.value, hashType);
    if (!verifyEcdsa(sig.subarray(0, -1), digest, pubKey)) this.fail('SCRIPT_BAD_SIGNATURE', 'the signature does not verify for this key and transaction');
  }

  // --- P2WSH multisig ---

  private verifyP2wsh(scriptHash: Uint8Array): void {
    const witness = this.input.witness;
    if (witness.length === 0) this.fail('SCRIPT_WITNESS_MALFORMED', 'a P2WSH witness needs at least the witness script');
    const script = witness[witness.length - 1]!;
    if (!equalBytes(sha256(script), scriptHash)) this.fail('SCRIPT_WITNESS_MISMATCH', 'the witness script does not hash to the P2WSH program');
    const template = parseMultisigWitnessScript(script);
    if (template === undefined) this.fail('SCRIPT_NONSTANDARD', 'the witness script is not <M> <keys...> <N> OP_CHECKMULTISIG');
    const { threshold: m, publicKeys: keys } = template;
    keys.forEach((key, keyIndex) => this.requireCompressedKey(key, { keyIndex }));
    const stack = witness.slice(0, -1);
    if (stack.length !== m + 1) {
      this.fail('SCRIPT_WITNESS_MALFORMED', `CHECKMULTISIG here needs the empty dummy and exactly ${m} signatures (${m + 1} items before the script), got ${stack.length}`);
    }
    const sigs = stack.slice(1);
    const digests = new Map<number, Uint8Array>();

    // Core's loop: from the last signature and the last key downwards; a key that does not
    // match is skipped; fail as soon as fewer keys than signatures remain.
    let isig = m - 1;
    let ikey = keys.length - 1;
    let sigsLeft = m;
    let keysLeft = keys.length;
    let success = true;
    while (success && sigsLeft > 0) {
      const sig = sigs[isig]!;
      const key = keys[ikey]!;
      let ok = false;
      if (sig.length > 0) {
        const hashType = this.checkEcdsaEncoding(sig, { signatureIndex: isig });
        let digest = digests.get(hashType);
        if (digest === undefined) {
          digest = sighashSegwitV0(this.tx, this.inputIndex, script, this.spent.value, hashType);
          digests.set(hashType, digest);
        }
        ok = verifyEcdsa(sig.subarray(0, -1), digest, key);
      }
      if (ok) {
        isig--;
        sigsLeft--;
      }
      ikey--;
      keysLeft--;
      if (sigsLeft > keysLeft) success = false;
    }
    if (!success && sigs.some((s) => s.length > 0)) {
      this.fail('SCRIPT_NULLFAIL', `CHECKMULTISIG failed: fewer than ${m} signatures match the keys in key order, and a failed CHECKMULTISIG must have only empty signatures (NULLFAIL)`);
    }
    if (stack[0]!.length !== 0) this.fail('SCRIPT_NULLDUMMY', `the CHECKMULTISIG dummy element must be empty, got ${stack[0]!.length} bytes`);
    if (!success) this.fail('SCRIPT_SIG_COUNT', `no signatures: CHECKMULTISIG needs ${m}`);
  }

  // --- P2TR ---

  private verifyP2tr(outputKey: Uint8Array): void {
    let witness = this.input.witness;
    if (witness.length === 0) this.fail('SCRIPT_WITNESS_MALFORMED', 'a P2TR spend needs a witness');
    if (witness.length >= 2 && witness[witness.length - 1]![0] === 0x50) {
      this.fail('SCRIPT_NONSTANDARD', 'the witness carries an annex (last item starting with 0x50), which is not standard');
    }
    if (witness.length === 1) return this.verifyTaprootKeyPath(outputKey, witness[0]!);
    const controlBlock = witness[witness.length - 1]!;
    const script = witness[witness.length - 2]!;
    witness = witness.slice(0, -2);
    if (!isControlBlockSize(controlBlock)) {
      this.fail('SCRIPT_WITNESS_MALFORMED', `the control block must be 33 + 32*m bytes (m <= 128), got ${controlBlock.length}`);
    }
    if (!verifyTaprootCommitment(outputKey, controlBlock, script)) {
      this.fail('SCRIPT_WITNESS_MISMATCH', 'the control block and leaf script do not commit to the output key (BIP341)');
    }
    const { leafVersion } = parseControlBlock(controlBlock);
    if (leafVersion !== TAPSCRIPT_LEAF_VERSION) this.fail('SCRIPT_NONSTANDARD', `leaf version 0x${leafVersion.toString(16)} is not tapscript (0xc0)`);
    const template = parseMultisigTapscript(script);
    if (template === undefined) {
      this.fail('SCRIPT_NONSTANDARD', 'the leaf script is not <x1> OP_CHECKSIG (<xi> OP_CHECKSIGADD)* <M> OP_NUMEQUAL');
    }
    const { threshold: m, publicKeys: keys } = template;
    if (witness.length !== keys.length) {
      this.fail('SCRIPT_WITNESS_MALFORMED', `the leaf script needs ${keys.length} signature items (empty for keys that do not sign), got ${witness.length}`);
    }
    const leaf = { script, leafVersion };
    const digests = new Map<number, Uint8Array>();
    let count = 0;
    keys.forEach((key, keyIndex) => {
      // CHECKSIG consumes the top of the stack (the last witness item) with the first key.
      const sig = witness[witness.length - 1 - keyIndex]!;
      if (sig.length === 0) return;
      const hashType = this.checkSchnorrEncoding(sig, { keyIndex });
      let digest = digests.get(hashType);
      if (digest === undefined) {
        digest = sighashTaproot(this.tx, this.inputIndex, this.spentOutputs, hashType, leaf);
        digests.set(hashType, digest);
      }
      if (!verifySchnorr(sig.subarray(0, 64), digest, key)) {
        this.fail('SCRIPT_BAD_SIGNATURE', `the signature for key ${keyIndex} does not verify (a non-empty invalid signature fails the script, BIP342)`, { keyIndex });
      }
      count++;
    });
    // BIP342's validation-weight budget (50 + witness size, 50 per non-empty signature) cannot
    // run out here: every signature adds at least 65 bytes to the witness.
    if (count !== m) this.fail('SCRIPT_SIG_COUNT', `${count} valid signatures, the leaf script needs exactly ${m} (OP_NUMEQUAL)`);
  }

  private verifyTaprootKeyPath(outputKey: Uint8Array, sig: Uint8Array): void {
    const hashType = this.checkSchnorrEncoding(sig, {});
    const digest = sighashTaproot(this.tx, this.inputIndex, this.spentOutputs, hashType);
    if (!verifySchnorr(sig.subarray(0, 64), digest, outputKey)) {
      this.fail('SCRIPT_BAD_SIGNATURE', 'the key-path signature does not verify for the output key and transaction');
    }
  }

  // --- signature and key encodings ---

  /** Core's CheckSignatureEncoding for a non-empty ECDSA signature; returns its hash type. */
  private checkEcdsaEncoding(sig: Uint8Array, details: Record<string, unknown>): number {
    const der = sig.subarray(0, -1);
    if (!isStrictDerSignature(der)) this.fail('SCRIPT_SIG_DER', 'the signature is not strict DER (BIP66)', details);
    if (!isLowSSignature(der)) this.fail('SCRIPT_HIGH_S', 'the signature has a high S value (only low S is standard)', details);
    const hashType = sig[sig.length - 1]!;
    if (!isDefinedEcdsaHashType(hashType)) {
      this.fail('SCRIPT_SIGHASH_TYPE', `hash type 0x${hashType.toString(16).padStart(2, '0')} is not ALL, NONE or SINGLE (with or without ANYONECANPAY)`, { ...details, hashType });
    }
    return hashType;
  }

  /** BIP341/342 rules on a non-empty Schnorr signature's size and hash type; returns the hash type. */
  private checkSchnorrEncoding(sig: Uint8Array, details: Record<string, unknown>): number {
    if (sig.length !== 64 && sig.length !== 65) this.fail('SCRIPT_SIG_SIZE', `a Schnorr signature is 64 or 65 bytes, got ${sig.length}`, details);
    if (sig.length === 64) return SIGHASH_DEFAULT;
    const hashType = sig[64]!;
    if (hashType === SIGHASH_DEFAULT) this.fail('SCRIPT_SIGHASH_TYPE', 'a 65-byte signature must not carry hash type 0x00 (use the 64-byte form)', { ...details, hashType });
    if (!isTaprootHashType(hashType)) this.fail('SCRIPT_SIGHASH_TYPE', `hash type 0x${hashType.toString(16).padStart(2, '0')} is not defined by BIP341`, { ...details, hashType });
    if ((hashType & 0x03) === SIGHASH_SINGLE && this.inputIndex >= this.tx.outputs.length) {
      this.fail('SCRIPT_SIGHASH_TYPE', `SIGHASH_SINGLE on input ${this.inputIndex} without an output at that index`, { ...details, hashType });
    }
    return hashType;
  }

  /** BIP143's key-type policy: keys in v0 witness spends are 33-byte compressed keys. */
  private requireCompressedKey(key: Uint8Array, details: Record<string, unknown>): void {
    if (key.length !== 33 || (key[0] !== 0x02 && key[0] !== 0x03)) {
      this.fail('SCRIPT_PUBKEY_TYPE', `public keys in witness v0 spends must be compressed (33 bytes, 0x02/0x03), got ${key.length} bytes`, details);
    }
  }

  private fail(code: ScriptErrorCode, message: string, details: Record<string, unknown> = {}): never {
    throw new ScriptError(code, `input ${this.inputIndex}: ${message}`, { details: { inputIndex: this.inputIndex, ...details } });
  }
}

/**
 * A positive number pushed minimally at `offset`: OP_1..OP_16, or a direct push of 1..2 bytes
 * holding a minimal little-endian CScriptNum above 16. Undefined otherwise.
 */
function readScriptNumber(script: Uint8Array, offset: number): { value: number; end: number } | undefined {
  const op = script[offset];
  if (op === undefined) return undefined;
  if (op >= 0x51 && op <= 0x60) return { value: op - 0x50, end: offset + 1 };
  if (op !== 1 && op !== 2) return undefined;
  if (offset + 1 + op > script.length) return undefined;
  const bytes = script.subarray(offset + 1, offset + 1 + op);
  const last = bytes[bytes.length - 1]!;
  if (last & 0x80) return undefined; // negative
  if ((last & 0x7f) === 0 && (bytes.length === 1 || !(bytes[bytes.length - 2]! & 0x80))) return undefined; // not minimal
  const value = bytes.length === 1 ? bytes[0]! : bytes[0]! | (bytes[1]! << 8);
  if (value <= 16) return undefined; // OP_1..OP_16 is the minimal form
  return { value, end: offset + 1 + op };
}

function assertArguments(tx: Transaction, spentOutputs: readonly TxOutput[]): void {
  if (tx === null || typeof tx !== 'object' || !Array.isArray(tx.inputs as unknown) || !Array.isArray(tx.outputs as unknown)) {
    throw new TypeError('tx: expected a Transaction');
  }
  if (!Array.isArray(spentOutputs)) throw new TypeError('spentOutputs: expected an array');
  if (spentOutputs.length !== tx.inputs.length) {
    throw new RangeError(`spentOutputs: expected one per input (${tx.inputs.length}), got ${spentOutputs.length}`);
  }
  spentOutputs.forEach((output, i) => {
    if (typeof output.value !== 'bigint') throw new TypeError(`spentOutputs[${i}].value: expected a bigint`);
    assertBytes(output.scriptPubKey, undefined, `spentOutputs[${i}].scriptPubKey`);
  });
  tx.inputs.forEach((input, i) => {
    assertBytes(input.scriptSig, undefined, `tx.inputs[${i}].scriptSig`);
    if (!Array.isArray(input.witness as unknown)) throw new TypeError(`tx.inputs[${i}].witness: expected an array`);
    input.witness.forEach((item, j) => assertBytes(item, undefined, `tx.inputs[${i}].witness[${j}]`));
  });
}
