/**
 * The one classifier of failures: every RelayerError code, every LedgerError code, a ProofError,
 * a plain Error and a non-Error. Each code is one named test, so a new code without a decision
 * shows up here.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LEDGER_ERROR_CODES, LedgerError, type LedgerErrorCode } from '../../ledgers/errors.js';
import { PROOF_ERROR_CODES, ProofError } from '../../proofs/errors.js';
import { RELAYER_ERROR_CODES, RelayerError, type RelayerErrorCode } from '../errors.js';
import { classify, type Classification } from './classify.js';

const RELAYER: Record<RelayerErrorCode, Classification['kind']> = {
  CONFIG_INVALID: 'invalid',
  REDIS_UNREACHABLE: 'transient',
  REDIS_VERSION: 'invalid',
  REDIS_EVICTION_POLICY: 'invalid',
  LEASE_LOST: 'transient',
  TRANSFER_NOT_FOUND: 'invalid',
  TRANSFER_STATE_CONFLICT: 'transient',
  NOT_YET: 'not-yet',
  PAUSED: 'not-yet',
  LIGHT_CLIENT_BEHIND: 'not-yet',
  SIGNER_REFUSED: 'invalid',
  PAYOUT_CONFLICT: 'invalid',
};

const LEDGER: Record<LedgerErrorCode, Classification['kind']> = {
  NODE_REFUSED: 'invalid',
  NODE_UNREACHABLE: 'transient',
  // the operator's configuration, not the transfer's fault: retried until fixed
  NODE_AUTH: 'transient',
  NODE_FAULTY: 'invalid',
};

test('the tables cover every code', () => {
  assert.deepEqual(Object.keys(RELAYER).sort(), [...RELAYER_ERROR_CODES].sort());
  assert.deepEqual(Object.keys(LEDGER).sort(), [...LEDGER_ERROR_CODES].sort());
});

describe('RelayerError', () => {
  for (const code of RELAYER_ERROR_CODES) {
    test(`${code} -> ${RELAYER[code]}`, () => {
      const e = new RelayerError(code, `message of ${code}`);
      const c = classify(e);
      assert.equal(c.kind, RELAYER[code]);
      assert.equal(c.reason, `message of ${code}`);
      if (c.kind === 'invalid') assert.equal(c.code, code);
    });
  }
});

describe('LedgerError', () => {
  for (const code of LEDGER_ERROR_CODES) {
    test(`${code} -> ${LEDGER[code]}`, () => {
      const c = classify(new LedgerError(code, `node says ${code}`, { details: { rpcCode: -25 } }));
      assert.equal(c.kind, LEDGER[code]);
      assert.equal(c.reason, `node says ${code}`);
      if (c.kind === 'invalid') assert.equal(c.code, code);
    });
  }
});

describe('ProofError', () => {
  for (const code of PROOF_ERROR_CODES) {
    test(`${code} -> invalid with its code`, () => {
      assert.deepEqual(classify(new ProofError(code, `bad: ${code}`)), { kind: 'invalid', code, reason: `bad: ${code}` });
    });
  }
});

describe('anything else is transient', () => {
  test('a plain Error (e.g. ioredis "Connection is closed")', () => {
    assert.deepEqual(classify(new Error('Connection is closed.')), { kind: 'transient', reason: 'Connection is closed.' });
  });
  test('a TypeError from a bug is retried and lands in the failed set, not as a hold', () => {
    assert.equal(classify(new TypeError('x is undefined')).kind, 'transient');
  });
  test('the message text never decides: an Error that says NOT_YET is still transient', () => {
    const e = Object.assign(new Error('NOT_YET'), { code: 'NOT_YET' });
    assert.equal(classify(e).kind, 'transient');
  });
  test('non-Errors: a string, undefined, an object', () => {
    assert.deepEqual(classify('boom'), { kind: 'transient', reason: 'boom' });
    assert.deepEqual(classify(undefined), { kind: 'transient', reason: 'undefined' });
    assert.deepEqual(classify(42), { kind: 'transient', reason: '42' });
    assert.equal(classify({ code: 'SIGNER_REFUSED' }).kind, 'transient');
  });
});
