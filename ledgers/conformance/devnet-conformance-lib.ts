/**
 * The built-in `bitcoind` adapter on a devnet driver's node, as the conformance runs and the
 * decorator tests create it.
 */
import { createBitcoindAdapter } from '../bitcoind/index.js';
import { CHAIN_PROFILES } from '../bitcoind/profiles.js';
import type { LedgerAdapter } from '../adapter.js';
import type { DevnetChainDriver } from './devnet-driver.js';

export const FEE_RATE_BOUNDS = { floor: 1, cap: 500 } as const;

/** A bitcoind adapter on a devnet driver's node, pushed blocks through its websocket. */
export function devnetBitcoindAdapter(driver: DevnetChainDriver): LedgerAdapter {
  return createBitcoindAdapter({
    profile: CHAIN_PROFILES[driver.role === 'main' ? 'devnet-main' : 'devnet-side']!,
    endpoints: [driver.endpoint],
    websocketUrl: driver.wsUrl,
    pollIntervalMs: 100,
    feeRate: FEE_RATE_BOUNDS,
  });
}
