/**
 * What a federation member checks before it signs, on real unsigned mints and releases built by
 * the adapter's buildSpend (taproot and p2wsh locks): the honest spend gives the messages the
 * builder computed (an independent cross-check), and every tampering is SIGNER_REFUSED.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { UnsignedSpend, Utxo } from '../../ledgers/adapter.js';
import { lockScriptPubKey, type Federation } from '../../ledgers/bitcoin/lock-script.js';
import { buildSpend } from '../../ledgers/bitcoind/build-spend.js';
import { mintSignatureMessage, pegInVout } from '../../ledgers/devnet/consensus/mint.js';
import { testFederation, Wallet } from '../../ledgers/devnet/test-utils.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { decodeTransaction, encodeTransaction, transactionTxid, type Transaction } from '../../proofs/bitcoin/transaction.js';
import { RelayerError } from '../errors.js';
import type { TransferId } from '../transfer.js';
import { checkSpend } from './check-spend.js';
import type { MintExpectation, ReleaseExpectation, SigningRequest } from './signer.js';

const transferId = `out-${'ab'.repeat(32)}-0` as TransferId;
const payee = Wallet.of('check-spend payee').script;
const thief = Wallet.of('check-spend thief').script;
const burnsHashLE = new Uint8Array(32).fill(7);
const proof = { kind: 'merkleblock' as const, rawTx: Uint8Array.of(1), coinbaseTx: Uint8Array.of(2), merkleBlock: Uint8Array.of(3) };

const refused = (e: unknown): boolean => e instanceof RelayerError && e.code === 'SIGNER_REFUSED' && e.details['transferId'] === transferId;

/** `unsigned` with its transaction replaced by `change(tx)` and the txid of the new bytes (a consistent forgery). */
function forge(unsigned: UnsignedSpend, change: (tx: Transaction) => Transaction): UnsignedSpend {
  const tx = change(decodeTransaction(unsigned.unsignedTx).tx);
  return { ...unsigned, unsignedTx: encodeTransaction(tx, { witness: false }), txidLE: transactionTxid(tx) };
}

function lockUtxo(fed: Federation, seed: number, vout: number, value: bigint): Utxo {
  return { txidLE: new Uint8Array(32).fill(seed), vout, output: { value, scriptPubKey: lockScriptPubKey(fed) }, confirmations: 6 };
}

for (const lockType of ['taproot', 'p2wsh'] as const) {
  describe(`mint (${lockType} federation)`, () => {
    const { federation: fed } = testFederation(2, 3, lockType);
    const lockTxidLE = new Uint8Array(32).fill(5);
    const spec = { kind: 'mint' as const, federation: fed, lockTxidLE, lockVout: 1, destinationScript: payee, amount: 12_345n, proof };
    const expect: MintExpectation = { kind: 'mint', lockTxidLE, lockVout: 1, destination: payee, amount: 12_345n };
    const request = (unsigned: UnsignedSpend, e: MintExpectation = expect): SigningRequest => ({ transferId, unsigned, expect: e });

    test('the honest mint: one message, the builder\'s, mintSignatureMessage(txid)', () => {
      const unsigned = buildSpend(spec);
      const messages = checkSpend(fed, request(unsigned));
      assert.deepEqual(messages, [mintSignatureMessage(unsigned.txidLE)]);
      assert.deepEqual(messages, unsigned.sighashes);
    });

    test('the adapter\'s sighashes are not trusted: the signer computes its own', () => {
      const unsigned = buildSpend(spec);
      const messages = checkSpend(fed, request({ ...unsigned, sighashes: [new Uint8Array(32).fill(9)] }));
      assert.deepEqual(messages, [mintSignatureMessage(unsigned.txidLE)]);
    });

    const tampered: [string, () => UnsignedSpend][] = [
      ['another lock txid', () => buildSpend({ ...spec, lockTxidLE: new Uint8Array(32).fill(6) })],
      ['another lock vout', () => buildSpend({ ...spec, lockVout: 0 })],
      ['the lock outpoint without the peg-in flag', () => forge(buildSpend(spec), (tx) => ({ ...tx, inputs: [{ ...tx.inputs[0]!, prevVout: 1 }] }))],
      ['another destination', () => buildSpend({ ...spec, destinationScript: thief })],
      ['another amount (one more)', () => buildSpend({ ...spec, amount: 12_346n })],
      ['another amount (one less)', () => buildSpend({ ...spec, amount: 12_344n })],
      ['two outputs (the destination and a thief)', () => forge(buildSpend(spec), (tx) => ({ ...tx, outputs: [...tx.outputs, { value: 1n, scriptPubKey: thief }] }))],
      ['two outputs that split the amount', () => forge(buildSpend(spec), (tx) => ({ ...tx, outputs: [{ value: 12_000n, scriptPubKey: payee }, { value: 345n, scriptPubKey: payee }] }))],
      ['a second input', () => forge(buildSpend(spec), (tx) => ({ ...tx, inputs: [...tx.inputs, { ...tx.inputs[0]!, prevVout: pegInVout(2) }] }))],
      ['a txid that does not match the bytes', () => ({ ...buildSpend(spec), txidLE: buildSpend({ ...spec, amount: 1n }).txidLE })],
      ['bytes that do not decode', () => ({ ...buildSpend(spec), unsignedTx: Uint8Array.of(2, 0, 0, 0, 1) })],
    ];
    for (const [name, make] of tampered) {
      test(`refused: ${name}`, () => {
        assert.throws(() => checkSpend(fed, request(make())), (x: unknown) => { console.log(name, "=>", (x as Error).message); return refused(x); });
      });
    }
  });

  describe(`release (${lockType} lock)`, () => {
    const { federation: fed } = testFederation(2, 3, lockType);
    const lock = lockScriptPubKey(fed);
    const inputs = [lockUtxo(fed, 9, 1, 50_000n), lockUtxo(fed, 2, 0, 70_000n), lockUtxo(fed, 9, 0, 30_000n)];
    const spec = { kind: 'release' as const, federation: fed, inputs, payouts: [{ value: 100_000n, scriptPubKey: payee }], burnsHashLE, feeRate: 3 };
    const honest = buildSpend(spec);
    const fee = honest.fee;
    // the burn was 100,000 + the fee: the payout is what is left once the fee is taken
    const expect: ReleaseExpectation = { kind: 'release', inputs, destination: payee, maxPayout: 100_000n, burned: 100_000n + fee, burnsHashLE };
    const request = (unsigned: UnsignedSpend, e: Partial<ReleaseExpectation> = {}): SigningRequest => ({ transferId, unsigned, expect: { ...expect, ...e } });

    test('the honest release: one message per input, the builder\'s', () => {
      const messages = checkSpend(fed, request(honest));
      assert.equal(messages.length, 3);
      assert.deepEqual(messages, honest.sighashes);
    });

    test('the honest release with expected inputs it does not spend, and a payout below the maximum', () => {
      const extra = [...inputs, lockUtxo(fed, 4, 4, 1_000n)];
      const smaller = buildSpend({ ...spec, payouts: [{ value: 90_000n, scriptPubKey: payee }] });
      assert.deepEqual(checkSpend(fed, request(smaller, { inputs: extra })), smaller.sighashes);
    });

    test('the adapter\'s sighashes are not trusted: the signer computes its own', () => {
      const lying = { ...honest, sighashes: honest.sighashes.map(() => new Uint8Array(32).fill(1)) };
      assert.deepEqual(checkSpend(fed, request(lying)), honest.sighashes);
    });

    const memo2 = { value: 0n, scriptPubKey: encodeMemo({ kind: 'release', burnsHashLE }) };
    const tampered: [string, () => UnsignedSpend, Partial<ReleaseExpectation>?][] = [
      ['paying another script', () => buildSpend({ ...spec, payouts: [{ value: 100_000n, scriptPubKey: thief }] })],
      ['paying another script a little on the side', () => buildSpend({ ...spec, payouts: [{ value: 99_000n, scriptPubKey: payee }, { value: 1_000n, scriptPubKey: thief }] })],
      ['paying more than maxPayout', () => buildSpend({ ...spec, payouts: [{ value: 100_001n, scriptPubKey: payee }] })],
      ['paying more than maxPayout in two outputs', () => buildSpend({ ...spec, payouts: [{ value: 60_000n, scriptPubKey: payee }, { value: 40_001n, scriptPubKey: payee }] })],
      ['payout + fee > burned (fee raised)', () => buildSpend({ ...spec, feeRate: 4 })],
      ['payout + fee > burned (one unit)', () => honest, { burned: 100_000n + fee - 1n }],
      ['no payout at all', () => forge(honest, (tx) => ({ ...tx, outputs: tx.outputs.slice(1) }))],
      ['a second memo', () => forge(honest, (tx) => ({ ...tx, outputs: [...tx.outputs, memo2] }))],
      ['no memo', () => forge(honest, (tx) => ({ ...tx, outputs: tx.outputs.slice(0, -1) }))],
      ['a memo that carries value', () => forge(honest, (tx) => ({ ...tx, outputs: [...tx.outputs.slice(0, -1), { ...memo2, value: 1n }] }))],
      ['a lock (peg-in) memo instead of the release memo', () => forge(honest, (tx) => ({ ...tx, outputs: [...tx.outputs.slice(0, -1), { value: 0n, scriptPubKey: encodeMemo({ kind: 'lock', destinationScript: thief }) }] }))],
      ['a wrong burns hash', () => buildSpend({ ...spec, burnsHashLE: new Uint8Array(32).fill(8) })],
      ['an input not in the expected set', () => buildSpend({ ...spec, inputs: [...inputs, lockUtxo(fed, 3, 0, 10_000n)] })],
      ['an input not in the expected set (same txid, another vout)', () => forge(honest, (tx) => ({ ...tx, inputs: tx.inputs.map((i, k) => (k === 0 ? { ...i, prevVout: 7 } : i)) }))],
      ['an input listed twice', () => forge(honest, (tx) => ({ ...tx, inputs: [...tx.inputs, tx.inputs[0]!] }))],
      ['an expected input that is not the lock script', () => honest, { inputs: inputs.map((u, i) => (i === 0 ? { ...u, output: { ...u.output, scriptPubKey: thief } } : u)) }],
      ['change to a script other than the lock', () => forge(honest, (tx) => ({ ...tx, outputs: tx.outputs.map((o) => (o.scriptPubKey.length === lock.length && o.scriptPubKey.every((b, i) => b === lock[i]) ? { ...o, scriptPubKey: thief } : o)) }))],
      ['outputs above the inputs', () => forge(honest, (tx) => ({ ...tx, outputs: tx.outputs.map((o, i) => (i === 1 ? { ...o, value: o.value + fee + 1n } : o)) }))],
      ['a txid that does not match the bytes', () => ({ ...honest, txidLE: buildSpend({ ...spec, feeRate: 2 }).txidLE })],
      ['bytes that do not decode', () => ({ ...honest, unsignedTx: honest.unsignedTx.slice(0, 40) })],
    ];
    for (const [name, make, e] of tampered) {
      test(`refused: ${name}`, () => {
        assert.throws(() => checkSpend(fed, request(make(), e)), (x: unknown) => { console.log(name, "=>", (x as Error).message); return refused(x); });
      });
    }

    test('a release checked against a mint expectation (and the reverse) is refused', () => {
      const mintExpect: MintExpectation = { kind: 'mint', lockTxidLE: inputs[0]!.txidLE, lockVout: 1, destination: payee, amount: 100_000n };
      assert.throws(() => checkSpend(fed, { transferId, unsigned: honest, expect: mintExpect }), refused);
      const mint = buildSpend({ kind: 'mint', federation: fed, lockTxidLE: inputs[0]!.txidLE, lockVout: 1, destinationScript: payee, amount: 100_000n, proof });
      assert.throws(() => checkSpend(fed, request(mint)), refused);
    });

    test('a spend of another federation\'s lock is refused', () => {
      const other = testFederation(1, 1, lockType).federation;
      const theirs = [lockUtxo(other, 9, 1, 150_000n)];
      const u = buildSpend({ ...spec, federation: other, inputs: theirs });
      assert.throws(() => checkSpend(fed, request(u, { inputs: theirs })), refused);
    });
  });
}
