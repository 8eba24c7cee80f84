import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sha256d } from '../../../proofs/hash.js';
import { decodeTransaction } from '../../../proofs/bitcoin/transaction.js';
import { encodeMemo } from '../../../proofs/bitcoin/memo.js';
import { p2wpkhScriptPubKey } from '../../bitcoin/payments.js';
import { verifyTransactionScripts } from '../../bitcoin/script-verify.js';
import { generatePrivateKey, publicKeyCompressed } from '../../bitcoin/signatures.js';
import { buildSignedPayment, DUST, SEQUENCE_RBF, type SpendableCoin } from './build-payment.js';
import { WalletError } from './wallet-error.js';

const key = generatePrivateKey();
const mine = p2wpkhScriptPubKey(publicKeyCompressed(key));
const other = p2wpkhScriptPubKey(publicKeyCompressed(generatePrivateKey()));
const coin = (seed: number, value: bigint): SpendableCoin => ({ txidLE: sha256d(Uint8Array.of(seed)), vout: seed % 3, output: { value, scriptPubKey: mine }, privateKey: key });

describe('buildSignedPayment', () => {
  test('largest coins first, change back, every input signed and valid, RBF signaled, fee at the rate', () => {
    const coins = [coin(1, 10_000n), coin(2, 1_000_000n), coin(3, 500_000n)];
    const p = buildSignedPayment({ coins, outputs: [{ value: 1_200_000n, scriptPubKey: other }], feeRate: 2, changeScript: mine });
    const tx = decodeTransaction(p.raw);
    assert.deepEqual(p.spent.map((c) => c.output.value), [1_000_000n, 500_000n]);
    verifyTransactionScripts(tx.tx, p.spent.map((c) => c.output));
    assert.ok(tx.tx.inputs.every((i) => i.sequence === SEQUENCE_RBF));
    assert.equal(tx.tx.outputs.length, 2);
    assert.equal(p.change, 1_500_000n - 1_200_000n - p.fee);
    assert.ok(p.fee >= BigInt(2 * p.vsize), `fee ${p.fee} covers ${p.vsize} vB at 2/vB`);
    assert.ok(p.fee <= BigInt(2 * (p.vsize + 4)), 'and not much more');
  });

  test('a memo output rides along with its zero value; change below dust goes to the fee', () => {
    const memo = { value: 0n, scriptPubKey: encodeMemo({ kind: 'lock', destinationScript: other }) };
    // the estimate at 1/vB: 11 fixed + 31 payment + 39 memo + 31 change + 68 input = 180
    const justAboveDust = buildSignedPayment({ coins: [coin(1, 100_000n)], outputs: [{ value: 100_000n - 180n - DUST, scriptPubKey: other }, memo], feeRate: 1, changeScript: mine });
    assert.equal(justAboveDust.change, DUST);
    assert.equal(decodeTransaction(justAboveDust.raw).tx.outputs.length, 3);
    const p = buildSignedPayment({ coins: [coin(1, 100_000n)], outputs: [{ value: 100_000n - 180n - DUST + 1n, scriptPubKey: other }, memo], feeRate: 1, changeScript: mine });
    assert.equal(p.change, 0n);
    assert.equal(p.fee, 180n + DUST - 1n);
    assert.equal(decodeTransaction(p.raw).tx.outputs.length, 2);
  });

  test('not enough coins is INSUFFICIENT_FUNDS; a dust payment is AMOUNT_TOO_SMALL', () => {
    assert.throws(() => buildSignedPayment({ coins: [coin(1, 1000n)], outputs: [{ value: 1000n, scriptPubKey: other }], feeRate: 1, changeScript: mine }), (e: unknown) => e instanceof WalletError && e.code === 'INSUFFICIENT_FUNDS');
    assert.throws(() => buildSignedPayment({ coins: [], outputs: [{ value: 1000n, scriptPubKey: other }], feeRate: 1, changeScript: mine }), (e: unknown) => e instanceof WalletError && e.code === 'INSUFFICIENT_FUNDS');
    assert.throws(() => buildSignedPayment({ coins: [coin(1, 100_000n)], outputs: [{ value: DUST - 1n, scriptPubKey: other }], feeRate: 1, changeScript: mine }), (e: unknown) => e instanceof WalletError && e.code === 'AMOUNT_TOO_SMALL');
  });
});
