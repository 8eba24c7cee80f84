import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ADAPTER_LOAD_ERROR_CODES, LEDGER_ERROR_CODES } from '../errors.js';
import { ADDRESS_ERROR_CODES, AddressError, SCRIPT_ERROR_CODES, ScriptError } from './errors.js';

const doc = readFileSync(new URL('../../docs/ledger-errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^#### ([a-z0-9-]+)\n`([A-Z0-9_]+)`/gm)].map((m) => [m[1]!, m[2]!] as const);

test('every script and address error code is documented in docs/ledger-errors.md under its docsPath anchor, and nothing else is', () => {
  const errors = [...SCRIPT_ERROR_CODES.map((c) => new ScriptError(c, 'x')), ...ADDRESS_ERROR_CODES.map((c) => new AddressError(c, 'x'))];
  for (const error of errors) {
    const [file, anchor] = error.docsPath.split('#');
    assert.equal(file, 'docs/ledger-errors.md');
    assert.ok(documented.some(([a, c]) => a === anchor && c === error.code), `${error.code} is not documented as #### ${anchor}`);
  }
  // the same file also explains the node errors, adapter loading and federation files
  const all: readonly string[] = [...SCRIPT_ERROR_CODES, ...ADDRESS_ERROR_CODES, ...LEDGER_ERROR_CODES, ...ADAPTER_LOAD_ERROR_CODES, 'FEDERATION_FILE_INVALID'];
  for (const [, code] of documented) assert.ok(all.includes(code), `${code} is documented but does not exist`);
});

test('a ScriptError carries its code, details, cause and name', () => {
  const cause = new Error('inner');
  const e = new ScriptError('SCRIPT_NULLFAIL', 'msg', { cause, details: { inputIndex: 2 } });
  assert.equal(e.name, 'ScriptError');
  assert.equal(e.cause, cause);
  assert.deepEqual(JSON.parse(JSON.stringify(e)), { code: 'SCRIPT_NULLFAIL', message: 'msg', details: { inputIndex: 2 } });
});
