/**
 * The `bitcoind` ledger adapter: the Bitcoin family over Bitcoin Core's JSON-RPC (a real bitcoind
 * or fork, and the devnet node), with chain profiles and an endpoint pool with failover and
 * cross-checks.
 */
export { DEFAULT_POLL_INTERVAL_MS, MAX_HEADERS_PER_CALL, createBitcoindAdapter, type BitcoindAdapter } from './bitcoind-adapter.js';
export { DEFAULT_DUST_LIMIT, RBF_SEQUENCE } from './build-spend.js';
export { assertBitcoindConfig, type BitcoindAdapterConfig } from './config.js';
export { CHAIN_PROFILES, LITECOIN_MAINNET, SIGNET, chainProfile, scryptPowHash, type ChainProfile } from './profiles.js';
export { EndpointPool, type AgreedTip, type EndpointHealth } from './endpoint-pool.js';
