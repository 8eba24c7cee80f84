import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesToHex } from '../../proofs/bytes.js';
import { FederationFileError, federationToJson, loadFederationFile, parseFederation } from './federation-file.js';
import { generatePrivateKey, publicKeyCompressed } from './signatures.js';

const keys = [1, 2, 3].map(() => bytesToHex(publicKeyCompressed(generatePrivateKey())));

test('a federation file round-trips, keys sorted', () => {
  const fed = parseFederation({ threshold: 2, publicKeys: keys, lockType: 'taproot' });
  assert.deepEqual(federationToJson(fed).publicKeys, [...keys].sort());
  const dir = mkdtempSync(join(tmpdir(), 'fed-'));
  writeFileSync(join(dir, 'f.json'), JSON.stringify(federationToJson(fed)));
  assert.deepEqual(federationToJson(loadFederationFile(join(dir, 'f.json'))), federationToJson(fed));
});

test('bad federation files are refused naming the key and the fix', () => {
  const cases: [unknown, RegExp][] = [
    [[], /expected an object/],
    [{ threshold: 2, publicKeys: ['zz'], lockType: 'taproot' }, /"publicKeys" must be/],
    [{ threshold: 2, publicKeys: keys, lockType: 'p2sh' }, /"lockType" must be/],
    [{ threshold: '2', publicKeys: keys, lockType: 'p2wsh' }, /"threshold" must be a number/],
    [{ threshold: 4, publicKeys: keys, lockType: 'p2wsh' }, /threshold: expected an integer in \[1, 3\]/],
    [{ threshold: 1, publicKeys: [keys[0], keys[0]], lockType: 'p2wsh' }, /same key/],
  ];
  for (const [json, message] of cases) assert.throws(() => parseFederation(json), (e: unknown) => e instanceof FederationFileError && message.test(e.message));
  assert.throws(() => loadFederationFile('/nonexistent/fed.json'), /cannot read the federation file \(ENOENT\)/);
});
