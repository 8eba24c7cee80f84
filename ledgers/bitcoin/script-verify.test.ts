import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, concatBytes, equalBytes, hexToBytes } from '../../proofs/bytes.js';
import { decodeTransaction, type Transaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { needsFixture, readFixtureJson } from '../../test/fixtures.js';
import { ScriptError, type ScriptErrorCode } from './errors.js';
import { type Federation, federation, lockControlBlock, lockLeafScript, lockScriptPubKey, lockSpendWitness, lockWitnessScript } from './lock-script.js';
import { p2trKeyPathScriptPubKey, p2trScriptPubKey, p2wpkhScriptPubKey, p2wshScriptPubKey } from './payments.js';
import { verifyInput, verifyTransactionScripts } from './script-verify.js';
import { BIP143_6_OF_6_SCRIPT, BIP143_CASES } from './bip143-examples.js';
import { sighashTaproot } from './sighash.js';
import { federationSignature, signP2wpkhInput, signTaprootKeyPathInput, withInputWitness } from './sign-input.js';
import { hash160, publicKeyCompressed, signEcdsa, signSchnorr, xOnlyPublicKey } from './signatures.js';
import { encodeControlBlock, tapLeafHash, taprootNumsKey, tweakTaprootPublicKey } from './taproot.js';
import { combinations, tamperOutput, testKey, toHighS, unsignedTx, withScriptSig } from './test-utils.js';

const EMPTY = new Uint8Array(0);
const AUX = new Uint8Array(32).fill(0x42);
const HASH_TYPES = [0x01, 0x02, 0x03, 0x81, 0x82, 0x83] as const;
const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

function expectScriptError(fn: () => void, code: ScriptErrorCode, details: Record<string, unknown> = {}): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ScriptError, `expected a ScriptError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const [key, value] of Object.entries(details)) assert.equal(e.details[key], value, `details.${key}`);
    return true;
  });
}

/** `tx` with `witness` on input `index`, verified against `spent`. */
function verifyWith(tx: Transaction, index: number, witness: readonly Uint8Array[], spent: readonly TxOutput[]): void {
  verifyInput(withInputWitness(tx, index, witness), index, spent);
}

/** Changes the last byte of a copy (a signature's hash type). */
function withLastByte(bytes: Uint8Array, last: number): Uint8Array {
  const out = bytes.slice();
  out[out.length - 1] = last;
  return out;
}

describe('P2WPKH', () => {
  const priv = testKey('wallet');
  const pub = publicKeyCompressed(priv);
  const spent: TxOutput[] = [{ value: 100_000n, scriptPubKey: p2wpkhScriptPubKey(pub) }];
  const tx = unsignedTx(1);
  const witness = signP2wpkhInput(tx, 0, spent[0]!, priv);

  for (const hashType of HASH_TYPES) {
    test(`a valid spend with hash type ${hex2(hashType)}`, () => {
      verifyWith(tx, 0, signP2wpkhInput(tx, 0, spent[0]!, priv, hashType), spent);
    });
  }

  test('SIGHASH_NONE leaves the outputs free; ANYONECANPAY lets inputs be added', () => {
    const none = signP2wpkhInput(tx, 0, spent[0]!, priv, 0x02);
    verifyWith(tamperOutput(tx), 0, none, spent);
    const acp = signP2wpkhInput(tx, 0, spent[0]!, priv, 0x81);
    const bigger: Transaction = { ...tx, inputs: [...tx.inputs, { ...tx.inputs[0]!, prevVout: 9 }] };
    verifyInput(withInputWitness(bigger, 0, acp), 0, [spent[0]!, spent[0]!]);
  });

  test('signature by another key: SCRIPT_BAD_SIGNATURE', () => {
    const other = signP2wpkhInput(tx, 0, { ...spent[0]!, scriptPubKey: p2wpkhScriptPubKey(publicKeyCompressed(testKey('thief'))) }, testKey('thief'));
    expectScriptError(() => verifyWith(tx, 0, [other[0]!, pub], spent), 'SCRIPT_BAD_SIGNATURE', { inputIndex: 0 });
  });

  test("another key's public key (and its signature): SCRIPT_WITNESS_MISMATCH", () => {
    const thief = testKey('thief');
    const other = signP2wpkhInput(tx, 0, { ...spent[0]!, scriptPubKey: p2wpkhScriptPubKey(publicKeyCompressed(thief)) }, thief);
    expectScriptError(() => verifyWith(tx, 0, other, spent), 'SCRIPT_WITNESS_MISMATCH');
  });

  test('high-S signature: SCRIPT_HIGH_S', () => {
    expectScriptError(() => verifyWith(tx, 0, [toHighS(witness[0]!), pub], spent), 'SCRIPT_HIGH_S');
  });

  test('non-strict DER (wrong length byte): SCRIPT_SIG_DER', () => {
    const bad = witness[0]!.slice();
    bad[1]! += 1;
    expectScriptError(() => verifyWith(tx, 0, [bad, pub], spent), 'SCRIPT_SIG_DER');
  });

  test('undefined hash type 0x04 or 0x00: SCRIPT_SIGHASH_TYPE', () => {
    expectScriptError(() => verifyWith(tx, 0, [withLastByte(witness[0]!, 0x04), pub], spent), 'SCRIPT_SIGHASH_TYPE', { hashType: 0x04 });
    expectScriptError(() => verifyWith(tx, 0, [withLastByte(witness[0]!, 0x00), pub], spent), 'SCRIPT_SIGHASH_TYPE');
  });

  test('a signature with another hash type byte than it was made with: SCRIPT_BAD_SIGNATURE', () => {
    expectScriptError(() => verifyWith(tx, 0, [withLastByte(witness[0]!, 0x81), pub], spent), 'SCRIPT_BAD_SIGNATURE');
  });

  test('a strict-DER signature with R = 0: SCRIPT_BAD_SIGNATURE (not SCRIPT_HIGH_S)', () => {
    expectScriptError(() => verifyWith(tx, 0, [hexToBytes('300602010002010101'), pub], spent), 'SCRIPT_BAD_SIGNATURE');
  });

  test('empty signature: SCRIPT_BAD_SIGNATURE', () => {
    expectScriptError(() => verifyWith(tx, 0, [EMPTY, pub], spent), 'SCRIPT_BAD_SIGNATURE');
  });

  test('non-empty scriptSig: SCRIPT_NOT_EMPTY_SCRIPTSIG', () => {
    expectScriptError(() => verifyWith(withScriptSig(tx, 0, Uint8Array.of(0x00)), 0, witness, spent), 'SCRIPT_NOT_EMPTY_SCRIPTSIG');
  });

  test('output tampered with after signing: SCRIPT_BAD_SIGNATURE', () => {
    expectScriptError(() => verifyWith(tamperOutput(tx), 0, witness, spent), 'SCRIPT_BAD_SIGNATURE');
  });

  test('wrong amount in the spent output: SCRIPT_BAD_SIGNATURE', () => {
    expectScriptError(() => verifyWith(tx, 0, witness, [{ ...spent[0]!, value: 100_001n }]), 'SCRIPT_BAD_SIGNATURE');
  });

  test('wrong number of witness items: SCRIPT_WITNESS_MALFORMED', () => {
    expectScriptError(() => verifyWith(tx, 0, [witness[0]!], spent), 'SCRIPT_WITNESS_MALFORMED');
    expectScriptError(() => verifyWith(tx, 0, [...witness, EMPTY], spent), 'SCRIPT_WITNESS_MALFORMED');
    expectScriptError(() => verifyWith(tx, 0, [], spent), 'SCRIPT_WITNESS_MALFORMED');
  });

  test('an uncompressed key (even with a valid signature): SCRIPT_PUBKEY_TYPE', () => {
    const uncompressed = secp256k1.getPublicKey(priv, false);
    const spk = concatBytes(Uint8Array.of(0x00, 0x14), hash160(uncompressed));
    const out: TxOutput[] = [{ value: 100_000n, scriptPubKey: spk }];
    expectScriptError(() => verifyWith(tx, 0, [witness[0]!, uncompressed], out), 'SCRIPT_PUBKEY_TYPE');
  });
});

describe('P2TR key path', () => {
  const privs = [testKey('tr 0'), testKey('tr 1')];
  const spent: TxOutput[] = privs.map((p, i) => ({ value: 50_000n + BigInt(i), scriptPubKey: p2trKeyPathScriptPubKey(xOnlyPublicKey(p)) }));
  const tx = unsignedTx(2);
  const sign = (hashType = 0, t: Transaction = tx, index = 0): Uint8Array[] => signTaprootKeyPathInput(t, index, spent, privs[index]!, { hashType, auxRand: AUX });
  const witness = sign();

  for (const hashType of [0x00, ...HASH_TYPES]) {
    test(`a valid spend with hash type ${hex2(hashType)} (${hashType === 0 ? '64' : '65'}-byte signature)`, () => {
      const w = sign(hashType);
      assert.equal(w[0]!.length, hashType === 0 ? 64 : 65);
      verifyWith(tx, 0, w, spent);
      verifyWith(tx, 1, sign(hashType, tx, 1), spent);
    });
  }

  test('signature by another key: SCRIPT_BAD_SIGNATURE', () => {
    const digest = sighashTaproot(tx, 0, spent, 0);
    expectScriptError(() => verifyWith(tx, 0, [signSchnorr(digest, privs[1]!, AUX)], spent), 'SCRIPT_BAD_SIGNATURE');
  });

  test('signature by the untweaked internal key: SCRIPT_BAD_SIGNATURE', () => {
    const digest = sighashTaproot(tx, 0, spent, 0);
    expectScriptError(() => verifyWith(tx, 0, [signSchnorr(digest, privs[0]!, AUX)], spent), 'SCRIPT_BAD_SIGNATURE');
  });

  test('a 65-byte signature with hash type 0x00: SCRIPT_SIGHASH_TYPE', () => {
    expectScriptError(() => verifyWith(tx, 0, [concatBytes(witness[0]!, Uint8Array.of(0))], spent), 'SCRIPT_SIGHASH_TYPE');
  });

  test('an undefined hash type 0x04: SCRIPT_SIGHASH_TYPE', () => {
    expectScriptError(() => verifyWith(tx, 0, [concatBytes(witness[0]!, Uint8Array.of(4))], spent), 'SCRIPT_SIGHASH_TYPE');
  });

  test('SIGHASH_SINGLE without an output at the input index: SCRIPT_SIGHASH_TYPE', () => {
    const three = unsignedTx(3);
    const spent3 = [...spent, spent[0]!];
    expectScriptError(() => verifyInput(withInputWitness(three, 2, [concatBytes(witness[0]!, Uint8Array.of(3))]), 2, spent3), 'SCRIPT_SIGHASH_TYPE');
  });

  test('a signature of 63 or 66 bytes: SCRIPT_SIG_SIZE', () => {
    expectScriptError(() => verifyWith(tx, 0, [witness[0]!.subarray(1)], spent), 'SCRIPT_SIG_SIZE');
    expectScriptError(() => verifyWith(tx, 0, [concatBytes(witness[0]!, Uint8Array.of(1, 1))], spent), 'SCRIPT_SIG_SIZE');
    expectScriptError(() => verifyWith(tx, 0, [EMPTY], spent), 'SCRIPT_SIG_SIZE');
  });

  test('output tampered with after signing: SCRIPT_BAD_SIGNATURE', () => {
    expectScriptError(() => verifyWith(tamperOutput(tx), 0, witness, spent), 'SCRIPT_BAD_SIGNATURE');
  });

  test('wrong amount in the spent output, or in another input\'s spent output (BIP341 commits to all): SCRIPT_BAD_SIGNATURE', () => {
    expectScriptError(() => verifyWith(tx, 0, witness, [{ ...spent[0]!, value: 1n }, spent[1]!]), 'SCRIPT_BAD_SIGNATURE');
    expectScriptError(() => verifyWith(tx, 0, witness, [spent[0]!, { ...spent[1]!, value: 1n }]), 'SCRIPT_BAD_SIGNATURE');
  });

  test('non-empty scriptSig: SCRIPT_NOT_EMPTY_SCRIPTSIG', () => {
    expectScriptError(() => verifyWith(withScriptSig(tx, 0, Uint8Array.of(0x51)), 0, witness, spent), 'SCRIPT_NOT_EMPTY_SCRIPTSIG');
  });

  test('an annex: SCRIPT_NONSTANDARD; no witness: SCRIPT_WITNESS_MALFORMED', () => {
    expectScriptError(() => verifyWith(tx, 0, [witness[0]!, Uint8Array.of(0x50, 1)], spent), 'SCRIPT_NONSTANDARD');
    expectScriptError(() => verifyWith(tx, 0, [], spent), 'SCRIPT_WITNESS_MALFORMED');
  });
});

/** A federation with its members' private keys in key-index order, a lock output and a transaction spending it. */
function lockSetup(m: number, n: number, lockType: 'taproot' | 'p2wsh', label = 'member') {
  const privs = Array.from({ length: n }, (_, i) => testKey(`${label} ${lockType} ${n} ${i}`));
  const fed = federation(m, privs.map(publicKeyCompressed), lockType);
  const byIndex = fed.publicKeys.map((pk) => privs.find((p) => equalBytes(publicKeyCompressed(p), pk))!);
  const spent: TxOutput[] = [{ value: 1_000_000n, scriptPubKey: lockScriptPubKey(fed) }];
  const tx = unsignedTx(1);
  const sign = (keyIndex: number, t: Transaction = tx, hashType?: number, s: readonly TxOutput[] = spent): Uint8Array =>
    federationSignature(fed, t, 0, s, byIndex[keyIndex]!, hashType === undefined ? { auxRand: AUX } : { hashType, auxRand: AUX });
  return { fed, byIndex, spent, tx, sign };
}

/** The taproot lock's witness from slots indexed by key (no count checks, unlike lockSpendWitness). */
function taprootWitness(fed: Federation, slots: readonly (Uint8Array | undefined)[], controlBlock = lockControlBlock(fed), leaf = lockLeafScript(fed)): Uint8Array[] {
  return [...[...slots].reverse().map((s) => s ?? EMPTY), leaf, controlBlock];
}

/** The p2wsh lock's witness from signatures in the given order (no count checks). */
function p2wshWitness(fed: Federation, sigs: readonly Uint8Array[], dummy: Uint8Array = EMPTY, script = lockWitnessScript(fed)): Uint8Array[] {
  return [dummy, ...sigs, script];
}

describe('taproot lock (script path)', () => {
  for (const [m, n] of [
    [1, 1],
    [2, 3],
    [3, 3],
  ] as const) {
    for (const signers of combinations(n, m)) {
      test(`${m}-of-${n} signed by keys ${signers.join(', ')}: valid`, () => {
        const { fed, tx, spent, sign } = lockSetup(m, n, 'taproot');
        const sigs = Array.from({ length: n }, (_, i) => (signers.includes(i) ? sign(i) : undefined));
        verifyWith(tx, 0, lockSpendWitness(fed, sigs), spent);
      });
    }
  }

  const { fed, tx, spent, sign } = lockSetup(2, 3, 'taproot');
  const s0 = sign(0);
  const s1 = sign(1);
  const s2 = sign(2);

  test('2-of-3 with mixed hash types (ALL|ANYONECANPAY and DEFAULT): valid', () => {
    verifyWith(tx, 0, taprootWitness(fed, [sign(0, tx, 0x81), undefined, s2]), spent);
  });

  test('a non-member\'s signature in a slot: SCRIPT_BAD_SIGNATURE', () => {
    const outsider = signSchnorr(sighashTaproot(tx, 0, spent, 0, { script: lockLeafScript(fed) }), testKey('outsider'), AUX);
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s0, outsider, undefined]), spent), 'SCRIPT_BAD_SIGNATURE', { keyIndex: 1 });
  });

  test('M-1 signatures: SCRIPT_SIG_COUNT', () => {
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s0, undefined, undefined]), spent), 'SCRIPT_SIG_COUNT');
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [undefined, undefined, undefined]), spent), 'SCRIPT_SIG_COUNT');
  });

  test('more than M valid signatures (NUMEQUAL wants exactly M): SCRIPT_SIG_COUNT', () => {
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s0, s1, s2]), spent), 'SCRIPT_SIG_COUNT');
  });

  test('a duplicated signature (key 0\'s in slots 0 and 1): SCRIPT_BAD_SIGNATURE', () => {
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s0, s0, undefined]), spent), 'SCRIPT_BAD_SIGNATURE', { keyIndex: 1 });
  });

  test('two signatures swapped between their slots: SCRIPT_BAD_SIGNATURE', () => {
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s1, s0, undefined]), spent), 'SCRIPT_BAD_SIGNATURE', { keyIndex: 0 });
  });

  test('non-empty scriptSig: SCRIPT_NOT_EMPTY_SCRIPTSIG', () => {
    expectScriptError(() => verifyWith(withScriptSig(tx, 0, Uint8Array.of(1, 1)), 0, taprootWitness(fed, [s0, s1, undefined]), spent), 'SCRIPT_NOT_EMPTY_SCRIPTSIG');
  });

  test('output tampered with after signing: SCRIPT_BAD_SIGNATURE', () => {
    expectScriptError(() => verifyWith(tamperOutput(tx), 0, taprootWitness(fed, [s0, s1, undefined]), spent), 'SCRIPT_BAD_SIGNATURE');
  });

  test('wrong amount in the spent output: SCRIPT_BAD_SIGNATURE', () => {
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s0, s1, undefined]), [{ ...spent[0]!, value: 999_999n }]), 'SCRIPT_BAD_SIGNATURE');
  });

  test('wrong control block (parity flipped, other internal key, extra path node, other leaf version): SCRIPT_WITNESS_MISMATCH', () => {
    // (Another federation's control block is (0xc0 | parity) || H too: it differs only in parity.)
    const good = lockControlBlock(fed);
    const flipped = good.slice();
    flipped[0]! ^= 1;
    const otherKey = good.slice();
    otherKey.set(xOnlyPublicKey(testKey('someone')), 1);
    const extraNode = concatBytes(good, new Uint8Array(32).fill(7));
    const otherVersion = good.slice();
    otherVersion[0] = 0xc2 | (good[0]! & 1);
    for (const cb of [flipped, otherKey, extraNode, otherVersion]) {
      expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s0, s1, undefined], cb), spent), 'SCRIPT_WITNESS_MISMATCH');
    }
  });

  test("another federation's leaf script and control block: SCRIPT_WITNESS_MISMATCH", () => {
    const other = lockSetup(2, 3, 'taproot', 'other federation');
    const witness = taprootWitness(other.fed, [s0, s1, undefined], lockControlBlock(other.fed), lockLeafScript(other.fed));
    expectScriptError(() => verifyWith(tx, 0, witness, spent), 'SCRIPT_WITNESS_MISMATCH');
  });

  test('a control block of the wrong size: SCRIPT_WITNESS_MALFORMED', () => {
    const cb = concatBytes(lockControlBlock(fed), Uint8Array.of(0));
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s0, s1, undefined], cb), spent), 'SCRIPT_WITNESS_MALFORMED');
  });

  test('too few or too many signature slots: SCRIPT_WITNESS_MALFORMED', () => {
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s0, s1]), spent), 'SCRIPT_WITNESS_MALFORMED');
    expectScriptError(() => verifyWith(tx, 0, [EMPTY, ...taprootWitness(fed, [s0, s1, undefined])], spent), 'SCRIPT_WITNESS_MALFORMED');
  });

  test('a 63-byte signature item: SCRIPT_SIG_SIZE; a 65-byte one with hash type 0x00: SCRIPT_SIGHASH_TYPE', () => {
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s0, s1.subarray(1), undefined]), spent), 'SCRIPT_SIG_SIZE', { keyIndex: 1 });
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s0, concatBytes(s1, Uint8Array.of(0)), undefined]), spent), 'SCRIPT_SIGHASH_TYPE');
  });

  test('a key-path spend of the lock (nobody knows the NUMS key): SCRIPT_BAD_SIGNATURE', () => {
    expectScriptError(() => verifyWith(tx, 0, [s0], spent), 'SCRIPT_BAD_SIGNATURE');
  });

  test('an annex after the control block: SCRIPT_NONSTANDARD', () => {
    expectScriptError(() => verifyWith(tx, 0, [...taprootWitness(fed, [s0, s1, undefined]), Uint8Array.of(0x50)], spent), 'SCRIPT_NONSTANDARD');
  });

  /** An output committing to `script` under `leafVersion` with the NUMS internal key, and its control block. */
  function committed(script: Uint8Array, leafVersion: number): { spk: Uint8Array; cb: Uint8Array } {
    const { outputKey, parity } = tweakTaprootPublicKey(taprootNumsKey(), tapLeafHash(script, leafVersion));
    const cb = encodeControlBlock({ leafVersion, outputKeyParity: parity, internalKey: taprootNumsKey(), path: [] });
    return { spk: p2trScriptPubKey(outputKey), cb };
  }

  test('a committed leaf with another leaf version (0xc2): SCRIPT_NONSTANDARD', () => {
    const script = lockLeafScript(fed);
    const { spk, cb } = committed(script, 0xc2);
    expectScriptError(() => verifyWith(tx, 0, taprootWitness(fed, [s0, s1, undefined], cb, script), [{ ...spent[0]!, scriptPubKey: spk }]), 'SCRIPT_NONSTANDARD');
  });

  test('committed tapscripts outside the multisig template: SCRIPT_NONSTANDARD', () => {
    const x = fed.publicKeys.map((k) => k.subarray(1));
    const scripts = [
      hexToBytes('51'), // OP_TRUE
      concatBytes(Uint8Array.of(0x20), x[0]!, Uint8Array.of(0xad, 0x20), x[1]!, Uint8Array.of(0xac)), // CHECKSIGVERIFY chain
      concatBytes(Uint8Array.of(0x20), x[0]!, Uint8Array.of(0xac)), // single CHECKSIG, no NUMEQUAL
      concatBytes(Uint8Array.of(0x20), x[0]!, Uint8Array.of(0xac, 0x20), x[1]!, Uint8Array.of(0xba, 0x00, 0x9c)), // threshold 0
      concatBytes(Uint8Array.of(0x20), x[0]!, Uint8Array.of(0xac, 0x20), x[1]!, Uint8Array.of(0xba, 0x53, 0x9c)), // threshold 3 > 2 keys
      concatBytes(Uint8Array.of(0x20), x[0]!, Uint8Array.of(0xac, 0x20), x[1]!, Uint8Array.of(0xba, 0x01, 0x02, 0x9c)), // non-minimal 2
      concatBytes(lockLeafScript(fed), Uint8Array.of(0x75)), // trailing opcode
    ];
    for (const script of scripts) {
      const { spk, cb } = committed(script, 0xc0);
      expectScriptError(() => verifyWith(tx, 0, [s0, script, cb], [{ ...spent[0]!, scriptPubKey: spk }]), 'SCRIPT_NONSTANDARD');
    }
  });
});

describe('p2wsh lock (CHECKMULTISIG)', () => {
  for (const [m, n] of [
    [1, 1],
    [2, 3],
    [3, 3],
  ] as const) {
    for (const signers of combinations(n, m)) {
      test(`${m}-of-${n} signed by keys ${signers.join(', ')}: valid`, () => {
        const { fed, tx, spent, sign } = lockSetup(m, n, 'p2wsh');
        const sigs = Array.from({ length: n }, (_, i) => (signers.includes(i) ? sign(i) : undefined));
        verifyWith(tx, 0, lockSpendWitness(fed, sigs), spent);
      });
    }
  }

  const { fed, tx, spent, sign } = lockSetup(2, 3, 'p2wsh');
  const s0 = sign(0);
  const s1 = sign(1);
  const s2 = sign(2);

  test('2-of-3 with mixed hash types (NONE|ANYONECANPAY and SINGLE): valid', () => {
    verifyWith(tx, 0, p2wshWitness(fed, [sign(0, tx, 0x82), sign(2, tx, 0x03)]), spent);
  });

  test("a non-member's signature in place of a member's: SCRIPT_NULLFAIL", () => {
    const outsider = concatBytes(signEcdsa(testKey('digest'), testKey('outsider')), Uint8Array.of(1));
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s0, outsider]), spent), 'SCRIPT_NULLFAIL');
  });

  test('high-S signature: SCRIPT_HIGH_S', () => {
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s0, toHighS(s1)]), spent), 'SCRIPT_HIGH_S');
  });

  test('non-strict DER: SCRIPT_SIG_DER; undefined hash type: SCRIPT_SIGHASH_TYPE', () => {
    const bad = s1.slice();
    bad[0] = 0x31;
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s0, bad]), spent), 'SCRIPT_SIG_DER');
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s0, withLastByte(s1, 0x84)]), spent), 'SCRIPT_SIGHASH_TYPE');
  });

  test('M-1 signatures and an empty item: SCRIPT_NULLFAIL; M-1 signatures alone: SCRIPT_WITNESS_MALFORMED', () => {
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s0, EMPTY]), spent), 'SCRIPT_NULLFAIL');
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s0]), spent), 'SCRIPT_WITNESS_MALFORMED');
  });

  test('all signatures empty: SCRIPT_SIG_COUNT', () => {
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [EMPTY, EMPTY]), spent), 'SCRIPT_SIG_COUNT');
  });

  test('a duplicated signature: SCRIPT_NULLFAIL', () => {
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s1, s1]), spent), 'SCRIPT_NULLFAIL');
  });

  test('signatures out of key order: SCRIPT_NULLFAIL', () => {
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s2, s0]), spent), 'SCRIPT_NULLFAIL');
  });

  test('three signatures for a 2-of-3: SCRIPT_WITNESS_MALFORMED (clean stack)', () => {
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s0, s1, s2]), spent), 'SCRIPT_WITNESS_MALFORMED');
  });

  test('a non-empty dummy element: SCRIPT_NULLDUMMY', () => {
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s0, s1], Uint8Array.of(0)), spent), 'SCRIPT_NULLDUMMY');
  });

  test('non-empty scriptSig: SCRIPT_NOT_EMPTY_SCRIPTSIG', () => {
    expectScriptError(() => verifyWith(withScriptSig(tx, 0, Uint8Array.of(0)), 0, p2wshWitness(fed, [s0, s1]), spent), 'SCRIPT_NOT_EMPTY_SCRIPTSIG');
  });

  test('output tampered with after signing: SCRIPT_NULLFAIL', () => {
    expectScriptError(() => verifyWith(tamperOutput(tx), 0, p2wshWitness(fed, [s0, s1]), spent), 'SCRIPT_NULLFAIL');
  });

  test('wrong amount in the spent output: SCRIPT_NULLFAIL', () => {
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s0, s1]), [{ ...spent[0]!, value: 1n }]), 'SCRIPT_NULLFAIL');
  });

  test("another federation's witness script: SCRIPT_WITNESS_MISMATCH", () => {
    const other = lockSetup(2, 3, 'p2wsh', 'other federation');
    expectScriptError(() => verifyWith(tx, 0, p2wshWitness(fed, [s0, s1], EMPTY, lockWitnessScript(other.fed)), spent), 'SCRIPT_WITNESS_MISMATCH');
  });

  test('an uncompressed key in the witness script: SCRIPT_PUBKEY_TYPE', () => {
    const script = concatBytes(Uint8Array.of(0x51, 0x41), secp256k1.getPublicKey(testKey('u'), false), Uint8Array.of(0x51, 0xae));
    expectScriptError(() => verifyWith(tx, 0, [EMPTY, s0, script], [{ ...spent[0]!, scriptPubKey: p2wshScriptPubKey(script) }]), 'SCRIPT_PUBKEY_TYPE');
  });

  test('witness scripts outside the multisig template: SCRIPT_NONSTANDARD', () => {
    const pk = fed.publicKeys[0]!;
    const scripts = [
      hexToBytes('51'),
      concatBytes(Uint8Array.of(0x21), pk, Uint8Array.of(0xac)), // P2PK
      concatBytes(Uint8Array.of(0x52, 0x21), pk, Uint8Array.of(0x51, 0xae)), // M > N
      concatBytes(Uint8Array.of(0x51, 0x21), pk, Uint8Array.of(0x52, 0xae)), // N disagrees with the keys
      concatBytes(Uint8Array.of(0x01, 0x01, 0x21), pk, Uint8Array.of(0x51, 0xae)), // non-minimal M
      concatBytes(Uint8Array.of(0x51, 0x21), pk, Uint8Array.of(0x51, 0xaf)), // CHECKMULTISIGVERIFY
    ];
    for (const script of scripts) {
      expectScriptError(() => verifyWith(tx, 0, [EMPTY, s0, script], [{ ...spent[0]!, scriptPubKey: p2wshScriptPubKey(script) }]), 'SCRIPT_NONSTANDARD');
    }
  });

  test("BIP143's 6-of-6 (six hash types, signed by Bitcoin Core) re-used as a native P2WSH spend: valid; rotated: SCRIPT_NULLFAIL", () => {
    // BIP143 digests do not commit to the scriptSig, so the P2SH-P2WSH example's signatures also
    // sign the same transaction spending the same witness script natively.
    const cases = BIP143_CASES.filter((c) => c.scriptCode === BIP143_6_OF_6_SCRIPT);
    assert.equal(cases.length, 6);
    const { tx: unsigned } = decodeTransaction(hexToBytes(cases[0]!.tx));
    const script = hexToBytes(BIP143_6_OF_6_SCRIPT);
    const sigs = cases.map((c) => concatBytes(hexToBytes(c.signature), Uint8Array.of(c.hashType)));
    const out: TxOutput[] = [{ value: cases[0]!.amount, scriptPubKey: p2wshScriptPubKey(script) }];
    verifyWith(unsigned, 0, [EMPTY, ...sigs, script], out);
    expectScriptError(() => verifyWith(unsigned, 0, [EMPTY, ...sigs.slice(1), sigs[0]!, script], out), 'SCRIPT_NULLFAIL');
  });
});

describe('outputs outside the supported subset: SCRIPT_NONSTANDARD', () => {
  const tx = unsignedTx(1);
  const scripts: [string, string][] = [
    ['OP_RETURN', '6a0401020304'],
    ['P2PKH', '76a914751e76e8199196d454941c45d1b3a323f1433bd688ac'],
    ['P2SH', 'a914751e76e8199196d454941c45d1b3a323f1433bd687'],
    ['P2PK', '2103c9f4836b9a4f77fc0d81f7bcb01b7f1b35916864b9476c241ce9fc198bd25432ac'],
    ['bare 1-of-1 multisig', '512103c9f4836b9a4f77fc0d81f7bcb01b7f1b35916864b9476c241ce9fc198bd2543251ae'],
    ['witness v2', '5210751e76e8199196d454941c45d1b3a323'],
    ['P2A anchor (v1, 2 bytes)', '51024e73'],
    ['witness v0 of 21 bytes', '0015751e76e8199196d454941c45d1b3a323f1433bd600'],
    ['OP_TRUE', '51'],
    ['empty script', ''],
  ];
  for (const [name, hex] of scripts) {
    test(name, () => {
      expectScriptError(() => verifyWith(tx, 0, [Uint8Array.of(1)], [{ value: 1000n, scriptPubKey: hexToBytes(hex) }]), 'SCRIPT_NONSTANDARD', { inputIndex: 0 });
    });
  }
});

describe('real signed transactions', () => {
  test("BIP143's native P2WPKH example (signed by Bitcoin Core): the P2WPKH input verifies, the P2PK one is outside the subset", () => {
    const signed =
      '01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f00000000494830450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000';
    const { tx } = decodeTransaction(hexToBytes(signed));
    const spent: TxOutput[] = [
      { value: 625_000_000n, scriptPubKey: hexToBytes('2103c9f4836b9a4f77fc0d81f7bcb01b7f1b35916864b9476c241ce9fc198bd25432ac') },
      { value: 600_000_000n, scriptPubKey: hexToBytes('00141d0f172a0ecb48aee1be1f2687d2963ae33f71a1') },
    ];
    verifyInput(tx, 1, spent);
    expectScriptError(() => verifyInput(tx, 0, spent), 'SCRIPT_NONSTANDARD', { inputIndex: 0 });
    expectScriptError(() => verifyTransactionScripts(tx, spent), 'SCRIPT_NONSTANDARD', { inputIndex: 0 });
    expectScriptError(() => verifyInput(tx, 1, [spent[0]!, { ...spent[1]!, value: 600_000_001n }]), 'SCRIPT_BAD_SIGNATURE');
  });

  const BIP341 = 'bitcoin/bip341_wallet-test-vectors.json';
  test("BIP341's key-path vectors: every signed input verifies with its published witness (outputs with script trees included)", needsFixture(BIP341), () => {
    type V = {
      given: { rawUnsignedTx: string; utxosSpent: { scriptPubKey: string; amountSats: number }[] };
      inputSpending: { given: { txinIndex: number }; expected: { witness: string[] } }[];
    };
    const v = readFixtureJson<{ keyPathSpending: V[] }>(BIP341).keyPathSpending[0]!;
    let { tx } = decodeTransaction(hexToBytes(v.given.rawUnsignedTx));
    const spent = v.given.utxosSpent.map((u) => ({ value: BigInt(u.amountSats), scriptPubKey: hexToBytes(u.scriptPubKey) }));
    for (const input of v.inputSpending) tx = withInputWitness(tx, input.given.txinIndex, input.expected.witness.map((w) => hexToBytes(w)));
    for (const input of v.inputSpending) verifyInput(tx, input.given.txinIndex, spent);
    const first = v.inputSpending[0]!.given.txinIndex;
    expectScriptError(() => verifyInput(tamperOutput(tx), first, spent), 'SCRIPT_BAD_SIGNATURE', { inputIndex: first });
  });
});

describe('verifyTransactionScripts', () => {
  const wallet = testKey('mixed wallet');
  const trKey = testKey('mixed tr');
  const tr = lockSetup(2, 3, 'taproot', 'mixed');
  const wsh = lockSetup(2, 3, 'p2wsh', 'mixed');
  const spent: TxOutput[] = [
    { value: 10_000n, scriptPubKey: p2wpkhScriptPubKey(publicKeyCompressed(wallet)) },
    { value: 20_000n, scriptPubKey: p2trKeyPathScriptPubKey(xOnlyPublicKey(trKey)) },
    { value: 30_000n, scriptPubKey: lockScriptPubKey(tr.fed) },
    { value: 40_000n, scriptPubKey: lockScriptPubKey(wsh.fed) },
  ];
  let tx = unsignedTx(4);
  const sigsFor = (setup: ReturnType<typeof lockSetup>, index: number): (Uint8Array | undefined)[] =>
    [0, 2].reduce<(Uint8Array | undefined)[]>(
      (slots, k) => {
        slots[k] = federationSignature(setup.fed, tx, index, spent, setup.byIndex[k]!, { auxRand: AUX });
        return slots;
      },
      [undefined, undefined, undefined],
    );
  const witnesses = [
    signP2wpkhInput(tx, 0, spent[0]!, wallet),
    signTaprootKeyPathInput(tx, 1, spent, trKey, { auxRand: AUX }),
    lockSpendWitness(tr.fed, sigsFor(tr, 2)),
    lockSpendWitness(wsh.fed, sigsFor(wsh, 3)),
  ];
  witnesses.forEach((w, i) => (tx = withInputWitness(tx, i, w)));

  test('a transaction spending P2WPKH, P2TR key path, the taproot lock and the p2wsh lock: every input valid', () => {
    verifyTransactionScripts(tx, spent);
  });

  test('one bad input is reported with its index', () => {
    const broken = withInputWitness(tx, 3, [EMPTY, ...witnesses[3]!.slice(2, 3), EMPTY, witnesses[3]![3]!]);
    expectScriptError(() => verifyTransactionScripts(broken, spent), 'SCRIPT_NULLFAIL', { inputIndex: 3 });
    expectScriptError(() => verifyTransactionScripts(tamperOutput(tx), spent), 'SCRIPT_BAD_SIGNATURE', { inputIndex: 0 });
  });

  test('argument checks: one spent output per input, an existing input index', () => {
    assert.throws(() => verifyTransactionScripts(tx, spent.slice(1)), /spentOutputs: expected one per input \(4\), got 3/);
    assert.throws(() => verifyInput(tx, 4, spent), /inputIndex/);
    assert.throws(() => verifyInput(tx, 0, [{ value: 1 as unknown as bigint, scriptPubKey: EMPTY }, ...spent.slice(1)]), /spentOutputs\[0\]\.value/);
  });

  test('the error points at the operator docs', () => {
    try {
      verifyTransactionScripts(tamperOutput(tx), spent);
      assert.fail('expected a ScriptError');
    } catch (e) {
      assert.ok(e instanceof ScriptError);
      assert.equal(e.docsPath, 'docs/ledger-errors.md#script-bad-signature');
      assert.equal(e.name, 'ScriptError');
      assert.deepEqual(JSON.parse(JSON.stringify(e)).code, 'SCRIPT_BAD_SIGNATURE');
      assert.match(bytesToHex(tx.inputs[0]!.prevTxidLE), /^[0-9a-f]{64}$/);
    }
  });
});
