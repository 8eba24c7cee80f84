/** What adapter authors and other packages import by name resolves, with the names the docs promise. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('the package exports resolve to their public APIs', async () => {
  const proofs = await import('utxo-relay/proofs');
  assert.equal(typeof proofs.verifyInclusion, 'function');
  assert.equal(typeof proofs.HeaderChain, 'function');
  const adapter = await import('utxo-relay/adapter');
  assert.equal(adapter.ADAPTER_CONTRACT_VERSION, 1);
  const errors = await import('utxo-relay/errors');
  assert.equal(typeof errors.LedgerError, 'function');
  const bitcoind = await import('utxo-relay/bitcoind');
  assert.equal(typeof bitcoind.createBitcoindAdapter, 'function');
  const conformance = await import('utxo-relay/conformance');
  assert.equal(typeof conformance.runConformance, 'function');
});
