/**
 * The one place that decides what a failed step means (STYLE.md habit 6):
 * - `not-yet`: the chain has not caught up (confirmations, a block not yet seen, a paused
 *   direction): the job waits and tries again; it does not use up a retry.
 * - `transient`: no answer or a conflict that will pass (a node unreachable, Redis, a concurrent
 *   update): retry with backoff; out of retries, the job lands in the failed set for an operator.
 * - `invalid`: the input or an answer is wrong (a proof that does not verify, a node that refuses
 *   the transaction, a signer that refuses): never retried; the transfer is held with the reason.
 * Nothing here looks at message text: only error classes and codes.
 */
import { LedgerError } from '../../ledgers/errors.js';
import { ProofError } from '../../proofs/errors.js';
import { RelayerError } from '../errors.js';

export type Classification =
  | { readonly kind: 'not-yet'; readonly reason: string }
  | { readonly kind: 'transient'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly code: string; readonly reason: string };

export function classify(e: unknown): Classification {
  if (e instanceof RelayerError) {
    switch (e.code) {
      case 'NOT_YET':
      case 'PAUSED':
      case 'LIGHT_CLIENT_BEHIND':
        return { kind: 'not-yet', reason: e.message };
      case 'REDIS_UNREACHABLE':
      case 'TRANSFER_STATE_CONFLICT':
      case 'LEASE_LOST':
        return { kind: 'transient', reason: e.message };
      default:
        return { kind: 'invalid', code: e.code, reason: e.message };
    }
  }
  if (e instanceof LedgerError) {
    // NODE_AUTH is the operator's configuration, not the transfer's fault: retry until it is fixed
    if (e.transient || e.code === 'NODE_AUTH') return { kind: 'transient', reason: e.message };
    return { kind: 'invalid', code: e.code, reason: e.message };
  }
  if (e instanceof ProofError) return { kind: 'invalid', code: e.code, reason: e.message };
  // ioredis and network errors, and anything unexpected: retry, and let the failed set show it
  return { kind: 'transient', reason: e instanceof Error ? e.message : String(e) };
}
