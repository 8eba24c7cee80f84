/**
 * Errors of the Bitcoin-family transaction tooling: a spend refused by the script verifier
 * (ScriptError) and an address that does not decode (AddressError). Codes are stable: tests,
 * the devnet's RPC answers and operators' alerting match on them, never on message text. Each is
 * explained in docs/ledger-errors.md. None is transient: the same bytes give the same answer.
 */
import { UtxoRelayError } from '../../proofs/base-error.js';

/** Every way the script verifier refuses the spending of an input. */
export const SCRIPT_ERROR_CODES = [
  // outside the supported subset (policy, not necessarily invalid for Bitcoin Core)
  'SCRIPT_NONSTANDARD',
  'SCRIPT_NOT_EMPTY_SCRIPTSIG',
  // the witness does not fit the output it spends
  'SCRIPT_WITNESS_MALFORMED',
  'SCRIPT_WITNESS_MISMATCH',
  'SCRIPT_PUBKEY_TYPE',
  // signature encoding
  'SCRIPT_SIG_DER',
  'SCRIPT_HIGH_S',
  'SCRIPT_SIGHASH_TYPE',
  'SCRIPT_SIG_SIZE',
  // signature checks
  'SCRIPT_BAD_SIGNATURE',
  'SCRIPT_SIG_COUNT',
  'SCRIPT_NULLDUMMY',
  'SCRIPT_NULLFAIL',
] as const;

export type ScriptErrorCode = (typeof SCRIPT_ERROR_CODES)[number];

/** Every way a segwit address is refused. */
export const ADDRESS_ERROR_CODES = [
  'ADDRESS_MALFORMED',
  'ADDRESS_MIXED_CASE',
  'ADDRESS_BAD_CHECKSUM',
  'ADDRESS_WRONG_HRP',
  'ADDRESS_BAD_VERSION',
  'ADDRESS_BAD_PROGRAM',
  'ADDRESS_WRONG_ENCODING',
] as const;

export type AddressErrorCode = (typeof ADDRESS_ERROR_CODES)[number];

/** Where the codes of this file are explained (proofs' docs/errors.md holds only proof codes). */
const DOCS_FILE = 'docs/ledger-errors.md';

function anchor(code: string): string {
  return code.toLowerCase().replaceAll('_', '-');
}

/**
 * The spending of an input was refused. `details.inputIndex` names the input; other details
 * (e.g. `keyIndex`, `hashType`) name the offending item where there is one.
 */
export class ScriptError extends UtxoRelayError<ScriptErrorCode> {
  override get docsPath(): string {
    return `${DOCS_FILE}#${anchor(this.code)}`;
  }
}

/** An address string was refused. `details.address` holds the input (when it was a string). */
export class AddressError extends UtxoRelayError<AddressErrorCode> {
  override get docsPath(): string {
    return `${DOCS_FILE}#${anchor(this.code)}`;
  }
}
