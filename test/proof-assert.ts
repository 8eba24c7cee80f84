/** Assertions for typed errors, shared by the tests: match on `code`, never on message text alone. */
import assert from 'node:assert/strict';
import { UtxoRelayError } from '../proofs/base-error.js';
import { ProofError, type ProofErrorCode } from '../proofs/errors.js';

/** Asserts that `fn` throws a ProofError with `code` (and a message matching `message`, when given). */
export function throwsProof(fn: () => unknown, code: ProofErrorCode, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ProofError, `expected a ProofError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

/** The `code` of the UtxoRelayError that `fn` throws, or 'ok' when it returns. Other errors propagate. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof UtxoRelayError) return e.code;
    throw e;
  }
  return 'ok';
}
