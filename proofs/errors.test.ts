import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PROOF_ERROR_CODES, ProofError } from './errors.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

test('every proof error code is documented in docs/errors.md under its docsPath anchor, and nothing else is', () => {
  const documented = [...doc.matchAll(/^#### ([a-z0-9-]+)\n`([A-Z0-9_]+)`/gm)].map((m) => [m[1]!, m[2]!] as const);
  for (const code of PROOF_ERROR_CODES) {
    const error = new ProofError(code, 'x');
    const anchor = error.docsPath.split('#')[1];
    assert.ok(documented.some(([a, c]) => a === anchor && c === code), `${code} is not documented as #### ${anchor}`);
  }
  for (const [, code] of documented) assert.ok((PROOF_ERROR_CODES as readonly string[]).includes(code), `${code} is documented but does not exist`);
});

test('a ProofError carries its code, details, cause and name', () => {
  const cause = new Error('inner');
  const e = new ProofError('HEADER_BAD_POW', 'msg', { cause, details: { index: 3 } });
  assert.equal(e.name, 'ProofError');
  assert.equal(e.code, 'HEADER_BAD_POW');
  assert.equal(e.details['index'], 3);
  assert.equal(e.cause, cause);
  assert.deepEqual(JSON.parse(JSON.stringify(e)), { code: 'HEADER_BAD_POW', message: 'msg', details: { index: 3 } });
});
