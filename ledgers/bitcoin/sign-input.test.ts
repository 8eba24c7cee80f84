import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Transaction as SignerTransaction, p2tr, p2wpkh, p2wsh, p2ms } from '@scure/btc-signer';
import { bytesToHex, equalBytes, hexToBytes, reversed } from '../../proofs/bytes.js';
import { decodeTransaction, type Transaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { needsFixture, readFixtureJson } from '../../test/fixtures.js';
import { BIP143_CASES } from './bip143-examples.js';
import { ScriptError } from './errors.js';
import { federation, lockLeafScript, lockScriptPubKey, lockSpendWitness, lockWitnessScript } from './lock-script.js';
import { p2trKeyPathScriptPubKey, p2wpkhScriptPubKey } from './payments.js';
import { verifyInput } from './script-verify.js';
import {
  federationSighash,
  federationSignature,
  finalizeFederationSpend,
  signP2wpkhInput,
  signTaprootKeyPathInput,
  verifyFederationSignature,
  withInputWitness,
} from './sign-input.js';
import { publicKeyCompressed, xOnlyPublicKey } from './signatures.js';
import { testKey, toHighS, unsignedTx } from './test-utils.js';

const AUX = new Uint8Array(32).fill(0x11);

describe('signP2wpkhInput', () => {
  test("reproduces BIP143's native P2WPKH witness (signature by Bitcoin Core, RFC 6979)", () => {
    const c = BIP143_CASES.find((x) => x.name === 'native P2WPKH')!;
    const { tx } = decodeTransaction(hexToBytes(c.tx));
    const spent: TxOutput = { value: c.amount, scriptPubKey: hexToBytes('00141d0f172a0ecb48aee1be1f2687d2963ae33f71a1') };
    const witness = signP2wpkhInput(tx, c.input, spent, hexToBytes(c.privKey));
    assert.deepEqual(witness.map(bytesToHex), [`${c.signature}01`, c.pubKey]);
  });

  test("refuses an output that is not the key's P2WPKH, and hash types outside the standard six", () => {
    const tx = unsignedTx(1);
    const priv = testKey('w');
    const other: TxOutput = { value: 1000n, scriptPubKey: p2wpkhScriptPubKey(publicKeyCompressed(testKey('x'))) };
    assert.throws(() => signP2wpkhInput(tx, 0, other, priv), /spentOutput\.scriptPubKey: not the P2WPKH output/);
    const mine: TxOutput = { value: 1000n, scriptPubKey: p2wpkhScriptPubKey(publicKeyCompressed(priv)) };
    assert.throws(() => signP2wpkhInput(tx, 0, mine, priv, 0x04), /hashType/);
    assert.throws(() => signP2wpkhInput(tx, 1, mine, priv), /index/);
  });
});

describe('signTaprootKeyPathInput', () => {
  const BIP341 = 'bitcoin/bip341_wallet-test-vectors.json';
  test("reproduces BIP341's key-path witness for the output without a script tree (input 0, SIGHASH_SINGLE)", needsFixture(BIP341), () => {
    type V = {
      given: { rawUnsignedTx: string; utxosSpent: { scriptPubKey: string; amountSats: number }[] };
      inputSpending: { given: { txinIndex: number; internalPrivkey: string; merkleRoot: string | null; hashType: number }; expected: { witness: string[] } }[];
    };
    const v = readFixtureJson<{ keyPathSpending: V[] }>(BIP341).keyPathSpending[0]!;
    const { tx } = decodeTransaction(hexToBytes(v.given.rawUnsignedTx));
    const spent = v.given.utxosSpent.map((u) => ({ value: BigInt(u.amountSats), scriptPubKey: hexToBytes(u.scriptPubKey) }));
    const input = v.inputSpending.find((i) => i.given.merkleRoot === null)!;
    const witness = signTaprootKeyPathInput(tx, input.given.txinIndex, spent, hexToBytes(input.given.internalPrivkey), {
      hashType: input.given.hashType,
      auxRand: new Uint8Array(32),
    });
    assert.deepEqual(witness.map(bytesToHex), input.expected.witness);
    // An output with a script tree is not a key-path-only output of that key.
    const withTree = v.inputSpending.find((i) => i.given.merkleRoot !== null)!;
    assert.throws(() => signTaprootKeyPathInput(tx, withTree.given.txinIndex, spent, hexToBytes(withTree.given.internalPrivkey)), /not the key-path P2TR output/);
  });

  test('64-byte signature by default, 65 with an explicit hash type; refuses undefined hash types', () => {
    const priv = testKey('k');
    const tx = unsignedTx(1);
    const spent: TxOutput[] = [{ value: 5000n, scriptPubKey: p2trKeyPathScriptPubKey(xOnlyPublicKey(priv)) }];
    assert.equal(signTaprootKeyPathInput(tx, 0, spent, priv)[0]!.length, 64);
    assert.equal(signTaprootKeyPathInput(tx, 0, spent, priv, { hashType: 0x81 })[0]!.length, 65);
    assert.throws(() => signTaprootKeyPathInput(tx, 0, spent, priv, { hashType: 0x04 }), /hashType/);
    assert.throws(() => signTaprootKeyPathInput(tx, 0, [], priv), /spentOutputs: expected one per input/);
  });
});

for (const lockType of ['taproot', 'p2wsh'] as const) {
  describe(`federation signing (${lockType} lock)`, () => {
    const privs = [0, 1, 2].map((i) => testKey(`signer ${lockType} ${i}`));
    const fed = federation(2, privs.map(publicKeyCompressed), lockType);
    const byIndex = fed.publicKeys.map((pk) => privs.find((p) => equalBytes(publicKeyCompressed(p), pk))!);
    const spent: TxOutput[] = [{ value: 2_000_000n, scriptPubKey: lockScriptPubKey(fed) }];
    const tx = unsignedTx(1);
    const sigs = byIndex.map((p) => federationSignature(fed, tx, 0, spent, p, { auxRand: AUX }));

    test('each member signature verifies for its own key index only', () => {
      sigs.forEach((sig, i) => {
        assert.ok(verifyFederationSignature(fed, tx, 0, spent, i, sig));
        assert.equal(verifyFederationSignature(fed, tx, 0, spent, (i + 1) % 3, sig), false);
      });
      assert.equal(sigs[0]!.length === 64, lockType === 'taproot');
    });

    test('verifyFederationSignature refuses malformed and altered signatures without throwing', () => {
      const sig = sigs[0]!;
      const bad = [new Uint8Array(0), sig.subarray(1), Uint8Array.of(...sig, 0x01, 0x01), Uint8Array.of(...sig.subarray(0, -1), sig[sig.length - 1]! ^ 1)];
      if (lockType === 'p2wsh') bad.push(toHighS(sig), Uint8Array.of(...sig.subarray(0, -1), 0x04));
      else bad.push(Uint8Array.of(...sig, 0x00), Uint8Array.of(...sig, 0x04));
      for (const b of bad) assert.equal(verifyFederationSignature(fed, tx, 0, spent, 0, b), false, bytesToHex(b));
      assert.equal(verifyFederationSignature(fed, unsignedTx(1, [{ value: 1n, scriptPubKey: Uint8Array.of(0x51) }]), 0, spent, 0, sig), false);
    });

    test('finalizeFederationSpend: all N given, the first M in key order are used, and the input verifies', () => {
      const witness = finalizeFederationSpend(fed, tx, 0, sigs, spent);
      assert.deepEqual(witness, lockSpendWitness(fed, [sigs[0], sigs[1], undefined]));
      verifyInput(withInputWitness(tx, 0, witness), 0, spent);
    });

    test('finalizeFederationSpend: from a Map, any M of them', () => {
      const witness = finalizeFederationSpend(fed, tx, 0, new Map([[2, sigs[2]!], [1, sigs[1]!]]), spent);
      assert.deepEqual(witness, lockSpendWitness(fed, [undefined, sigs[1], sigs[2]]));
      verifyInput(withInputWitness(tx, 0, witness), 0, spent);
    });

    test('finalizeFederationSpend: an invalid signature is SCRIPT_BAD_SIGNATURE naming its key index; too few is SCRIPT_SIG_COUNT', () => {
      assert.throws(
        () => finalizeFederationSpend(fed, tx, 0, [sigs[0], sigs[0], sigs[2]], spent),
        (e: unknown) => e instanceof ScriptError && e.code === 'SCRIPT_BAD_SIGNATURE' && e.details['keyIndex'] === 1,
      );
      assert.throws(
        () => finalizeFederationSpend(fed, tx, 0, [undefined, sigs[1]], spent),
        (e: unknown) => e instanceof ScriptError && e.code === 'SCRIPT_SIG_COUNT' && e.details['have'] === 1 && e.details['need'] === 2,
      );
      assert.throws(() => finalizeFederationSpend(fed, tx, 0, new Map([[3, sigs[0]!]]), spent), /signaturesByKeyIndex key/);
    });

    test('a non-member key or an input that does not spend the lock is refused before signing', () => {
      assert.throws(() => federationSignature(fed, tx, 0, spent, testKey('outsider')), /not one of the federation's keys/);
      const notLock: TxOutput[] = [{ value: 2_000_000n, scriptPubKey: p2wpkhScriptPubKey(publicKeyCompressed(byIndex[0]!)) }];
      assert.throws(() => federationSignature(fed, tx, 0, notLock, byIndex[0]!), /not this federation's lock script/);
      assert.throws(() => federationSighash(fed, tx, 0, spent, lockType === 'p2wsh' ? 0x00 : 0x04), /hashType/);
    });

    test('signatures with explicit hash types carry them and verify', () => {
      for (const hashType of [0x01, 0x02, 0x03, 0x81, 0x82, 0x83]) {
        const sig = federationSignature(fed, tx, 0, spent, byIndex[1]!, { hashType, auxRand: AUX });
        assert.equal(sig[sig.length - 1], hashType);
        assert.ok(verifyFederationSignature(fed, tx, 0, spent, 1, sig));
      }
    });
  });
}

test('withInputWitness returns a copy and leaves the original alone', () => {
  const tx = unsignedTx(2);
  const item = Uint8Array.of(1, 2, 3);
  const next = withInputWitness(tx, 1, [item]);
  assert.deepEqual(tx.inputs[1]!.witness, []);
  assert.deepEqual(next.inputs[1]!.witness, [item]);
  assert.notEqual(next.inputs[1]!.witness[0], item);
  assert.equal(next.inputs[0], tx.inputs[0]);
  assert.throws(() => withInputWitness(tx, 2, []), /index/);
});

/**
 * Interoperability with @scure/btc-signer, an independent signer and finalizer: what it signs and
 * finalizes, our verifier accepts; what we produce is byte for byte what it produces (ECDSA is
 * deterministic, and both sides get the same BIP340 aux randomness).
 */
describe('interoperability with @scure/btc-signer', () => {
  const prevTxid = testKey('interop prev');
  const payTo = p2wpkhScriptPubKey(publicKeyCompressed(testKey('interop payee')));

  /** A btc-signer transaction spending one output, and the same transaction as ours. */
  function build(spent: TxOutput, extra: Record<string, unknown>): { signer: SignerTransaction; tx: Transaction } {
    const signer = new SignerTransaction({ allowUnknownOutputs: true });
    signer.addInput({ txid: bytesToHex(reversed(prevTxid)), index: 3, witnessUtxo: { script: spent.scriptPubKey, amount: spent.value }, ...extra });
    signer.addOutput({ script: payTo, amount: spent.value - 1_000n });
    const { tx } = decodeTransaction(signer.unsignedTx);
    assert.deepEqual(tx.inputs[0]!.prevTxidLE, prevTxid);
    return { signer, tx };
  }

  function finalWitness(signer: SignerTransaction): Uint8Array[] {
    signer.finalizeIdx(0);
    const { tx } = decodeTransaction(signer.extract());
    return tx.inputs[0]!.witness.map((w) => w.slice());
  }

  test('P2WPKH', () => {
    const priv = testKey('interop wallet');
    const spent: TxOutput = { value: 70_000n, scriptPubKey: p2wpkh(publicKeyCompressed(priv)).script };
    assert.deepEqual(spent.scriptPubKey, p2wpkhScriptPubKey(publicKeyCompressed(priv)));
    const { signer, tx } = build(spent, {});
    signer.signIdx(priv, 0);
    const theirs = finalWitness(signer);
    verifyInput(withInputWitness(tx, 0, theirs), 0, [spent]);
    assert.deepEqual(signP2wpkhInput(tx, 0, spent, priv), theirs);
  });

  test('P2TR key path (BIP86)', () => {
    const priv = testKey('interop tr');
    const spent: TxOutput = { value: 80_000n, scriptPubKey: p2tr(xOnlyPublicKey(priv)).script };
    assert.deepEqual(spent.scriptPubKey, p2trKeyPathScriptPubKey(xOnlyPublicKey(priv)));
    const { signer, tx } = build(spent, { tapInternalKey: xOnlyPublicKey(priv) });
    signer.signIdx(priv, 0, undefined, AUX);
    const theirs = finalWitness(signer);
    verifyInput(withInputWitness(tx, 0, theirs), 0, [spent]);
    assert.deepEqual(signTaprootKeyPathInput(tx, 0, [spent], priv, { auxRand: AUX }), theirs);
  });

  for (const [m, n] of [
    [1, 1],
    [2, 3],
    [3, 5],
  ] as const) {
    test(`taproot lock ${m}-of-${n}: btc-signer's CHECKSIGADD finalization and ours agree, and verify`, () => {
      const privs = Array.from({ length: n }, (_, i) => testKey(`interop tr member ${n} ${i}`));
      const fed = federation(m, privs.map(publicKeyCompressed), 'taproot');
      const byIndex = fed.publicKeys.map((pk) => privs.find((p) => equalBytes(publicKeyCompressed(p), pk))!);
      const output = p2tr(undefined, { script: lockLeafScript(fed) });
      const spent: TxOutput = { value: 900_000n, scriptPubKey: output.script };
      assert.deepEqual(spent.scriptPubKey, lockScriptPubKey(fed));
      const { signer, tx } = build(spent, { tapLeafScript: output.tapLeafScript });
      const signers = Array.from({ length: m }, (_, i) => n - 1 - i); // the last M keys
      for (const k of signers) signer.signIdx(byIndex[k]!, 0, undefined, AUX);
      const theirs = finalWitness(signer);
      verifyInput(withInputWitness(tx, 0, theirs), 0, [spent]);
      const ours = finalizeFederationSpend(fed, tx, 0, new Map(signers.map((k) => [k, federationSignature(fed, tx, 0, [spent], byIndex[k]!, { auxRand: AUX })])), [spent]);
      assert.deepEqual(ours.map(bytesToHex), theirs.map(bytesToHex));
    });

    test(`p2wsh lock ${m}-of-${n}: btc-signer's CHECKMULTISIG finalization and ours agree, and verify`, () => {
      const privs = Array.from({ length: n }, (_, i) => testKey(`interop wsh member ${n} ${i}`));
      const fed = federation(m, privs.map(publicKeyCompressed), 'p2wsh');
      const byIndex = fed.publicKeys.map((pk) => privs.find((p) => equalBytes(publicKeyCompressed(p), pk))!);
      const payment = p2wsh(p2ms(m, [...fed.publicKeys]));
      assert.deepEqual(payment.witnessScript, lockWitnessScript(fed));
      const spent: TxOutput = { value: 900_000n, scriptPubKey: payment.script };
      const { signer, tx } = build(spent, { witnessScript: payment.witnessScript });
      const signers = Array.from({ length: m }, (_, i) => i); // the first M keys
      for (const k of signers) signer.signIdx(byIndex[k]!, 0);
      const theirs = finalWitness(signer);
      verifyInput(withInputWitness(tx, 0, theirs), 0, [spent]);
      const ours = finalizeFederationSpend(fed, tx, 0, new Map(signers.map((k) => [k, federationSignature(fed, tx, 0, [spent], byIndex[k]!)])), [spent]);
      assert.deepEqual(ours.map(bytesToHex), theirs.map(bytesToHex));
    });
  }
});
