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

/**
 * Why `loadAdapter` (ledgers/load-adapter.ts) refused the adapter a config names. Never transient:
 * fix the config, the installation or the adapter, then restart.
 * - ADAPTER_NOT_FOUND: the module cannot be resolved (wrong path, package not installed).
 * - ADAPTER_LOAD_FAILED: the module was found but threw while being imported.
 * - ADAPTER_BAD_EXPORT: the module does not export a `createAdapter` function.
 * - ADAPTER_CREATE_FAILED: `createAdapter(options)` threw (usually bad options); `cause` says why.
 * - ADAPTER_CONTRACT_MISMATCH: the adapter implements another contract version.
 * - ADAPTER_INCOMPLETE: a member of the contract is missing or of the wrong type.
 */
export const ADAPTER_LOAD_ERROR_CODES = [
  'ADAPTER_NOT_FOUND',
  'ADAPTER_LOAD_FAILED',
  'ADAPTER_BAD_EXPORT',
  'ADAPTER_CREATE_FAILED',
  'ADAPTER_CONTRACT_MISMATCH',
  'ADAPTER_INCOMPLETE',
] as const;
export type AdapterLoadErrorCode = (typeof ADAPTER_LOAD_ERROR_CODES)[number];

export class AdapterLoadError extends UtxoRelayError<AdapterLoadErrorCode> {
  static override readonly docsFile = 'docs/ledger-errors.md';
}
