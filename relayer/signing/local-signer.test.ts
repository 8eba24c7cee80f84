/**
 * LocalSigner on real unsigned mints and releases built by buildSpend (taproot and p2wsh locks):
 * its signatures verify (finalizeSpend accepts them; a mint's Schnorr signature verifies against
 * mintSignatureMessage), it refuses a tampered spend without signing, and it does not pretend to
 * be a whole M-of-N federation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Utxo } from '../../ledgers/adapter.js';
import { lockScriptPubKey, type Federation } from '../../ledgers/bitcoin/lock-script.js';
import { verifyFederationSignature } from '../../ledgers/bitcoin/sign-input.js';
import { verifySchnorr, xOnlyFromCompressed } from '../../ledgers/bitcoin/signatures.js';
import { buildSpend, finalizeSpend } from '../../ledgers/bitcoind/build-spend.js';
import { mintSignatureMessage } from '../../ledgers/devnet/consensus/mint.js';
import { testFederation, Wallet } from '../../ledgers/devnet/test-utils.js';
import { verifyInput } from '../../ledgers/bitcoin/script-verify.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';
import { RelayerError } from '../errors.js';
import type { TransferId } from '../transfer.js';
import { LocalSigner } from './local-signer.js';
import type { MintExpectation, ReleaseExpectation, SigningRequest } from './signer.js';

const transferId = `in-${'cd'.repeat(32)}-1` as TransferId;
const payee = Wallet.of('local-signer payee').script;
const thief = Wallet.of('local-signer thief').script;
const burnsHashLE = new Uint8Array(32).fill(7);
const proof = { kind: 'merkleblock' as const, rawTx: Uint8Array.of(1), coinbaseTx: Uint8Array.of(2), merkleBlock: Uint8Array.of(3) };
const refused = (e: unknown): boolean => e instanceof RelayerError && e.code === 'SIGNER_REFUSED';

function lockUtxo(fed: Federation, seed: number, vout: number, value: bigint): Utxo {
  return { txidLE: new Uint8Array(32).fill(seed), vout, output: { value, scriptPubKey: lockScriptPubKey(fed) }, confirmations: 6 };
}

function mintRequest(fed: Federation, amount = 12_345n): SigningRequest {
  const lockTxidLE = new Uint8Array(32).fill(5);
  const unsigned = buildSpend({ kind: 'mint', federation: fed, lockTxidLE, lockVout: 1, destinationScript: payee, amount, proof });
  const expect: MintExpectation = { kind: 'mint', lockTxidLE, lockVout: 1, destination: payee, amount: 12_345n };
  return { transferId, unsigned, expect };
}

function releaseRequest(fed: Federation, payTo = payee): SigningRequest {
  const inputs = [lockUtxo(fed, 9, 1, 50_000n), lockUtxo(fed, 2, 0, 70_000n), lockUtxo(fed, 9, 0, 30_000n)];
  const unsigned = buildSpend({ kind: 'release', federation: fed, inputs, payouts: [{ value: 100_000n, scriptPubKey: payTo }], burnsHashLE, feeRate: 3 });
  const expect: ReleaseExpectation = { kind: 'release', inputs, destination: payee, maxPayout: 100_000n, burned: 105_000n, burnsHashLE };
  return { transferId, unsigned, expect };
}

for (const lockType of ['taproot', 'p2wsh'] as const) {
  describe(`1-of-1 federation (${lockType})`, () => {
    const { federation: fed, privateKeys } = testFederation(1, 1, lockType);
    const signer = new LocalSigner(fed, privateKeys[0]!, 0);

    test('a mint: one Schnorr signature that verifies against mintSignatureMessage; finalizeSpend accepts it', async () => {
      const request = mintRequest(fed);
      const sigs = await signer.collect(request);
      assert.deepEqual([...sigs.keys()], [0]);
      const [sig] = sigs.get(0)!;
      assert.equal(sig!.length, 64);
      assert.ok(verifySchnorr(sig!, mintSignatureMessage(request.unsigned.txidLE), xOnlyFromCompressed(fed.publicKeys[0]!)));
      const raw = decodeTransaction(finalizeSpend(request.unsigned, sigs));
      assert.deepEqual(raw.txidLE, request.unsigned.txidLE);
    });

    test('a release: one signature per input; finalizeSpend accepts them and every input verifies', async () => {
      const request = releaseRequest(fed);
      const sigs = await signer.collect(request);
      assert.equal(sigs.get(0)!.length, 3);
      const raw = decodeTransaction(finalizeSpend(request.unsigned, sigs));
      assert.deepEqual(raw.txidLE, request.unsigned.txidLE);
      const spec = request.unsigned.spec;
      if (spec.kind !== 'release') throw new Error('kind');
      const spent = spec.inputs.map((u) => u.output);
      raw.tx.inputs.forEach((_, i) => verifyInput(raw.tx, i, spent));
    });

    test('a tampered mint or release is refused: nothing is signed', async () => {
      await assert.rejects(signer.collect(mintRequest(fed, 99_999n)), refused);
      await assert.rejects(signer.collect(releaseRequest(fed, thief)), refused);
      assert.throws(() => signer.sign(releaseRequest(fed, thief)), refused);
    });
  });

  describe(`2-of-3 federation (${lockType})`, () => {
    const { federation: fed, privateKeys } = testFederation(2, 3, lockType);
    const signers = privateKeys.map((k, i) => new LocalSigner(fed, k, i));

    test('refuses to act as the whole federation (collect)', async () => {
      await assert.rejects(signers[0]!.collect(mintRequest(fed)), refused);
      await assert.rejects(signers[1]!.collect(releaseRequest(fed)), refused);
    });

    test('each member signs its share; any two shares finalize, one does not', () => {
      const release = releaseRequest(fed);
      const shares = signers.map((s) => s.sign(release));
      const tx = decodeTransaction(release.unsigned.unsignedTx).tx;
      const spec = release.unsigned.spec;
      if (spec.kind !== 'release') throw new Error('kind');
      const spent = spec.inputs.map((u) => u.output);
      shares.forEach((sigs, k) => sigs.forEach((sig, i) => assert.ok(verifyFederationSignature(fed, tx, i, spent, k, sig), `key ${k} input ${i}`)));
      for (const pair of [[0, 1], [0, 2], [1, 2]]) {
        const raw = finalizeSpend(release.unsigned, new Map(pair.map((k) => [k, shares[k]!])));
        assert.deepEqual(decodeTransaction(raw).txidLE, release.unsigned.txidLE);
      }
      assert.throws(() => finalizeSpend(release.unsigned, new Map([[2, shares[2]!]])));

      const mint = mintRequest(fed);
      const mintShares = signers.map((s) => s.sign(mint));
      mintShares.forEach(([sig], k) => assert.ok(verifySchnorr(sig!, mintSignatureMessage(mint.unsigned.txidLE), xOnlyFromCompressed(fed.publicKeys[k]!))));
      finalizeSpend(mint.unsigned, new Map([[0, mintShares[0]!], [2, mintShares[2]!]]));
    });

    test('a member refuses a tampered spend before signing its share', () => {
      assert.throws(() => signers[2]!.sign(releaseRequest(fed, thief)), refused);
      assert.throws(() => signers[2]!.sign(mintRequest(fed, 1n)), refused);
    });
  });
}
