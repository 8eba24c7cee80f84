import { UtxoRelayError } from '../proofs/base-error.js';

/**
 * Errors of the relayer service (docs/relayer-errors.md explains each code and what to do).
 * - CONFIG_INVALID: the YAML config is missing a key or has a bad value; `details.path` names the
 *   key, the message says the fix. Refused at start.
 * - REDIS_UNREACHABLE: Redis does not answer. Transient for jobs; at start (also when it stops
 *   answering before the relayer is up), the relayer refuses, closing what it opened.
 * - REDIS_VERSION: Redis is older than 6.2 (MIN_REDIS_VERSION), or its version cannot be read: the
 *   relayer refuses to start. `details.version` is what INFO said, `details.minimum` the minimum.
 * - REDIS_EVICTION_POLICY: Redis may evict keys (`maxmemory-policy` is not `noeviction`): queues and
 *   transfer records could vanish, so the relayer refuses to start.
 * - LEASE_LOST: this process lost the watcher lease of a chain to another one; its watcher stops.
 * - TRANSFER_NOT_FOUND: no transfer with that id in the store.
 * - TRANSFER_STATE_CONFLICT: a state change found the transfer in another state than expected
 *   (someone else moved it first); the job re-reads and decides again.
 * - NOT_YET: the chain has not caught up (confirmations, a block not yet seen); delay and retry.
 * - PAUSED: the direction is paused (by an operator, a failed reserve check or a reorg alarm).
 * - LIGHT_CLIENT_BEHIND: this operator's header chain does not (yet) contain the block a proof
 *   names on its best chain.
 * - SIGNER_REFUSED: the signer refused to sign (the spend does not match what was verified).
 * - PAYOUT_CONFLICT: a payout's inputs were spent by a transaction this operator did not build.
 */
export const RELAYER_ERROR_CODES = [
  'CONFIG_INVALID',
  'REDIS_UNREACHABLE',
  'REDIS_VERSION',
  'REDIS_EVICTION_POLICY',
  'LEASE_LOST',
  'TRANSFER_NOT_FOUND',
  'TRANSFER_STATE_CONFLICT',
  'NOT_YET',
  'PAUSED',
  'LIGHT_CLIENT_BEHIND',
  'SIGNER_REFUSED',
  'PAYOUT_CONFLICT',
] as const;
export type RelayerErrorCode = (typeof RELAYER_ERROR_CODES)[number];

export class RelayerError extends UtxoRelayError<RelayerErrorCode> {
  static override readonly docsFile = 'docs/relayer-errors.md';
}
