import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMemo } from '../../proofs/bitcoin/memo.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';
import type { Utxo } from '../adapter.js';
import { ScriptError } from '../bitcoin/errors.js';
import { lockScriptPubKey, type Federation } from '../bitcoin/lock-script.js';
import { federationSignature, verifyFederationSignature } from '../bitcoin/sign-input.js';
import { signSchnorr } from '../bitcoin/signatures.js';
import { mintSignatureMessage, pegInVout } from '../devnet/consensus/mint.js';
import { Wallet, testFederation } from '../devnet/test-utils.js';
import { buildSpend, finalizeSpend, RBF_SEQUENCE } from './build-spend.js';

const payee = Wallet.of('build-spend payee').script;
const burnsHashLE = new Uint8Array(32).fill(3);

function lockUtxo(fed: Federation, seed: number, vout: number, value: bigint): Utxo {
  return { txidLE: new Uint8Array(32).fill(seed), vout, output: { value, scriptPubKey: lockScriptPubKey(fed) }, confirmations: 6 };
}

for (const lockType of ['taproot', 'p2wsh'] as const) {
  describe(`release (${lockType})`, () => {
    const { federation: fed, privateKeys } = testFederation(2, 3, lockType);
    const inputs = [lockUtxo(fed, 9, 1, 50_000n), lockUtxo(fed, 2, 0, 70_000n), lockUtxo(fed, 9, 0, 30_000n)];
    const spec = { kind: 'release' as const, federation: fed, inputs, payouts: [{ value: 100_000n, scriptPubKey: payee }], burnsHashLE, feeRate: 3 };

    test('deterministic: inputs sorted by txid:vout, payouts, change to the lock, memo; RBF sequences', () => {
      const a = buildSpend(spec);
      const b = buildSpend({ ...spec, inputs: [...inputs].reverse() });
      assert.deepEqual(a.unsignedTx, b.unsignedTx);
      const tx = decodeTransaction(a.unsignedTx).tx;
      assert.deepEqual(tx.inputs.map((i) => `${i.prevTxidLE[0]}:${i.prevVout}`), ['2:0', '9:0', '9:1']);
      assert.ok(tx.inputs.every((i) => i.sequence === RBF_SEQUENCE));
      assert.equal(tx.outputs.length, 3);
      assert.deepEqual(tx.outputs[1]!.scriptPubKey, lockScriptPubKey(fed));
      assert.equal(tx.outputs[0]!.value + tx.outputs[1]!.value + a.fee, 150_000n);
      assert.deepEqual(parseMemo(tx.outputs[2]!.scriptPubKey), { kind: 'release', burnsHashLE });
      assert.equal(a.sighashes.length, 3);
    });

    test('fee = rate x the finalized vsize (within the signature-size margin)', () => {
      const u = buildSpend(spec);
      const tx = decodeTransaction(u.unsignedTx).tx;
      if (u.spec.kind !== 'release') throw new Error('kind');
      const spent = u.spec.inputs.map((i) => i.output);
      const sigs = new Map([0, 1].map((k) => [k, tx.inputs.map((_, i) => federationSignature(fed, tx, i, spent, privateKeys[k]!))]));
      const raw = decodeTransaction(finalizeSpend(u, sigs));
      const vsize = Math.ceil(raw.weight / 4);
      assert.ok(Number(u.fee) >= 3 * vsize, `fee ${u.fee} >= 3 x ${vsize}`);
      assert.ok(Number(u.fee) <= 3 * (vsize + 3 * 2), `fee ${u.fee} close to 3 x ${vsize}`);
      raw.tx.inputs.forEach((_, i) => assert.ok(verifyFederationSignature(fed, tx, i, spent, 0, sigs.get(0)![i]!)));
    });

    test('change below the dust limit goes to the fee', () => {
      const u = buildSpend({ ...spec, payouts: [{ value: 149_500n, scriptPubKey: payee }], feeRate: 1 });
      const tx = decodeTransaction(u.unsignedTx).tx;
      assert.equal(tx.outputs.length, 2);
      assert.equal(u.fee, 500n);
    });

    test('refusals: not enough value, an input that is not the lock, a duplicated outpoint, too few signatures', () => {
      assert.throws(() => buildSpend({ ...spec, payouts: [{ value: 150_000n, scriptPubKey: payee }] }), RangeError);
      assert.throws(() => buildSpend({ ...spec, inputs: [{ ...inputs[0]!, output: { value: 1n, scriptPubKey: payee } }] }), RangeError);
      assert.throws(() => buildSpend({ ...spec, inputs: [inputs[0]!, inputs[0]!] }), RangeError);
      assert.throws(() => buildSpend({ ...spec, burnsHashLE: new Uint8Array(31) }), RangeError);
      const u = buildSpend(spec);
      const tx = decodeTransaction(u.unsignedTx).tx;
      if (u.spec.kind !== 'release') throw new Error('kind');
      const spent = u.spec.inputs.map((i) => i.output);
      const one = new Map([[0, tx.inputs.map((_, i) => federationSignature(fed, tx, i, spent, privateKeys[0]!))]]);
      assert.throws(() => finalizeSpend(u, one), (e: unknown) => e instanceof ScriptError && e.code === 'SCRIPT_SIG_COUNT');
      // one signature per input, no more and no less
      const short = new Map([0, 1].map((k) => [k, tx.inputs.slice(1).map((_, i) => federationSignature(fed, tx, i, spent, privateKeys[k]!))]));
      assert.throws(() => finalizeSpend(u, short), (e: unknown) => e instanceof RangeError && /one per sighash/.test(e.message));
    });
  });
}

describe('mint', () => {
  const { federation: fed, privateKeys } = testFederation(2, 3, 'taproot');
  const proof = { kind: 'merkleblock' as const, rawTx: Uint8Array.of(1), coinbaseTx: Uint8Array.of(2), merkleBlock: Uint8Array.of(3) };
  const spec = { kind: 'mint' as const, federation: fed, lockTxidLE: new Uint8Array(32).fill(5), lockVout: 1, destinationScript: payee, amount: 12_345n, proof };

  test('one peg-in input, output 0 = destination, the message is mintSignatureMessage(txid)', () => {
    const u = buildSpend(spec);
    const tx = decodeTransaction(u.unsignedTx).tx;
    assert.equal(tx.inputs.length, 1);
    assert.equal(tx.inputs[0]!.prevVout, pegInVout(1));
    assert.deepEqual(tx.outputs, [{ value: 12_345n, scriptPubKey: payee }]);
    assert.deepEqual(u.sighashes, [mintSignatureMessage(u.txidLE)]);
  });

  test('finalize: N + 3 witness items; a bad signature and too few are refused', () => {
    const u = buildSpend(spec);
    const sig = (k: number): Uint8Array[] => [signSchnorr(u.sighashes[0]!, privateKeys[k]!, new Uint8Array(32))];
    const raw = decodeTransaction(finalizeSpend(u, new Map([[1, sig(1)], [2, sig(2)]])));
    const witness = raw.tx.inputs[0]!.witness;
    assert.equal(witness.length, 6);
    assert.equal(witness[0]!.length, 0);
    assert.deepEqual(witness.slice(3), [proof.rawTx, proof.coinbaseTx, proof.merkleBlock]);
    assert.deepEqual(raw.txidLE, u.txidLE);
    assert.throws(() => finalizeSpend(u, new Map([[0, sig(1)], [2, sig(2)]])), (e: unknown) => e instanceof ScriptError && e.code === 'SCRIPT_BAD_SIGNATURE');
    assert.throws(() => finalizeSpend(u, new Map([[2, sig(2)]])), (e: unknown) => e instanceof ScriptError && e.code === 'SCRIPT_SIG_COUNT');
  });
});
