/**
 * Everything a stage, the watcher and the sweeper need, built once per process by service.ts.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { LedgerAdapter } from '../ledgers/adapter.js';
import type { Federation } from '../ledgers/bitcoin/lock-script.js';
import type { RelayerConfig } from '../config/index.js';
import type { LightClient } from './chain/light-client.js';
import type { Governor } from './governor/governor.js';
import type { Pipeline } from './pipeline/pipeline.js';
import type { FederationSigner } from './signing/signer.js';
import type { ChainMarks } from './store/chain-marks.js';
import type { Controls } from './store/controls.js';
import type { ChainRole } from './store/keys.js';
import type { TransferStore } from './store/transfer-store.js';
import type { Transfer } from './transfer.js';

export interface RelayerContext {
  readonly config: RelayerConfig;
  readonly federation: Federation;
  readonly lockScript: Uint8Array;
  readonly adapters: Readonly<Record<ChainRole, LedgerAdapter>>;
  readonly light: Readonly<Record<ChainRole, LightClient>>;
  /** The command connection (transfer store, marks, controls). */
  readonly redis: Redis;
  readonly store: TransferStore;
  readonly controls: Controls;
  readonly governor: Governor;
  readonly marks: ChainMarks;
  readonly signer: FederationSigner;
  readonly pipeline: Pipeline;
  readonly log: Logger;
}

/** The chain a transfer's source output is on. */
export function sourceRole(t: Pick<Transfer, 'direction'>): ChainRole {
  return t.direction === 'pegin' ? 'main' : 'side';
}

/** The chain its payout is made on. */
export function payoutRole(t: Pick<Transfer, 'direction'>): ChainRole {
  return t.direction === 'pegin' ? 'side' : 'main';
}
