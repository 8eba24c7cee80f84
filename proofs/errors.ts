import { UtxoRelayError } from './base-error.js';

/**
 * Every way a proof, header or encoded object can be refused. Stable: tests, the CLI's JSON and
 * operators' alerting match on these strings. Each is documented in docs/errors.md.
 */
export const PROOF_ERROR_CODES = [
  // bytes that do not decode
  'HEADER_MALFORMED',
  'TX_MALFORMED',
  'BLOCK_MALFORMED',
  'PROOF_MALFORMED',
  'MEMO_MALFORMED',
  // proof of work and compact targets
  'BITS_INVALID',
  'HEADER_BAD_POW',
  // contextual header rules
  'HEADER_BAD_PREV',
  'HEADER_BAD_BITS',
  'HEADER_TIME_TOO_OLD',
  'HEADER_TIME_TOO_NEW',
  'HEADER_TIMEWARP',
  'HEADER_BAD_VERSION',
  'ANCHOR_INVALID',
  'CHAIN_STATE_INVALID',
  // Merkle trees, blocks and inclusion
  'MERKLE_MISMATCH',
  'MERKLE_DUPLICATE_SIBLING',
  'MERKLE_64_BYTE_TX',
  'MERKLE_BAD_DEPTH',
  'MERKLE_TX_NOT_MATCHED',
  'BLOCK_MUTATED',
  'BLOCK_BAD_WITNESS_COMMITMENT',
  'BLOCK_BAD_COINBASE',
  'UNKNOWN_BLOCK',
  'NOT_ON_BEST_CHAIN',
  'INSUFFICIENT_CONFIRMATIONS',
] as const;

export type ProofErrorCode = (typeof PROOF_ERROR_CODES)[number];

/** A header, proof or encoding was refused. `details.index` (when set) names the offending input item. */
export class ProofError extends UtxoRelayError<ProofErrorCode> {}

/** Throws a ProofError with `code` unless `condition` holds. */
export function ensure(condition: boolean, code: ProofErrorCode, message: string, details?: Record<string, unknown>): asserts condition {
  if (!condition) throw new ProofError(code, message, details === undefined ? {} : { details });
}
