import { UtxoRelayError } from '../proofs/base-error.js';

/**
 * How a call to a chain node failed, sorted the way the relayer must react (STYLE.md habit 6):
 * - NODE_REFUSED: the node answered and said no (an RPC error: unknown block, rejected
 *   transaction...). Permanent for that request: do not retry blindly; `details.rpcCode` has
 *   the node's code.
 * - NODE_UNREACHABLE: no answer (connection refused, timeout, HTTP 5xx without a JSON-RPC body).
 *   Transient: retry with backoff.
 * - NODE_AUTH: the node refused the credentials (HTTP 401/403). Fix the configuration.
 * - NODE_FAULTY: an answer that makes no sense (not JSON, wrong shape, wrong id). The node or
 *   something between is broken or lying: report it, do not trust it.
 */
export const LEDGER_ERROR_CODES = ['NODE_REFUSED', 'NODE_UNREACHABLE', 'NODE_AUTH', 'NODE_FAULTY'] as const;
export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

export class LedgerError extends UtxoRelayError<LedgerErrorCode> {
  static override readonly docsFile = 'docs/ledger-errors.md';

  /** Whether trying the same request again later may succeed. */
  get transient(): boolean {
    return this.code === 'NODE_UNREACHABLE';
  }
}
