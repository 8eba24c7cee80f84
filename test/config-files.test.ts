/** The ready configs in config/ load with the same code that reads them in production. */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadFederationFile } from '../ledgers/bitcoin/federation-file.js';

test('config/devnet-federation.json is a valid 1-of-1 taproot federation', () => {
  const fed = loadFederationFile(fileURLToPath(new URL('../config/devnet-federation.json', import.meta.url)));
  assert.equal(fed.threshold, 1);
  assert.equal(fed.publicKeys.length, 1);
  assert.equal(fed.lockType, 'taproot');
});
