/**
 * The configuration of `createBitcoindAdapter` (ledgers/bitcoind/bitcoind-adapter.ts). Every key
 * says its default or that it is required (STYLE.md habit 12); `assertBitcoindConfig` refuses a
 * bad value with the key's path.
 */
import type { RpcEndpoint } from '../rpc/json-rpc-client.js';
import type { ChainProfile } from './profiles.js';

export interface BitcoindAdapterConfig {
  /** [Required] The chain: params, address hrp, capabilities, chain id (see `CHAIN_PROFILES`). */
  readonly profile: ChainProfile;
  /** [Required] One or more JSON-RPC endpoints of nodes of that chain; the healthiest is used, with failover. */
  readonly endpoints: readonly RpcEndpoint[];
  /** [Default: none, i.e. poll] The devnet node's websocket URL (`ws://host:port/ws`) for pushed blocks. */
  readonly websocketUrl?: string;
  /** [Default: 1000] Milliseconds between polls of the block stream (and of its watchdog with a websocket). */
  readonly pollIntervalMs?: number;
  /** [Required] Bounds of `estimateFeeRate`, base units per vbyte: floor >= 0, cap >= floor. */
  readonly feeRate: { readonly floor: number; readonly cap: number };
  /** [Default: false] Compare tips across every endpoint on tip queries; NODE_FAULTY when they disagree. */
  readonly crossCheck?: boolean;
  /** [Default: ignored] Told of every failure a block stream recovers from by itself (RPC errors, websocket drops, a listener that threw). */
  readonly onStreamError?: (error: unknown) => void;
  /** [Default: 546] Change below this many base units is left to the fee. */
  readonly dustLimit?: bigint;
}

/** Refuses a malformed configuration with the key's path (TypeError/RangeError). */
export function assertBitcoindConfig(config: BitcoindAdapterConfig): void {
  if (typeof config !== 'object' || config === null) throw new TypeError('bitcoind config: expected an object');
  if (typeof config.profile !== 'object' || config.profile === null || typeof config.profile.chainId !== 'string') {
    throw new TypeError('bitcoind config.profile: expected a ChainProfile (see CHAIN_PROFILES in ledgers/bitcoind/profiles.ts)');
  }
  if (!Array.isArray(config.endpoints) || config.endpoints.length === 0) {
    throw new RangeError('bitcoind config.endpoints: expected at least one { url, user?, password?, cookieFile? }');
  }
  config.endpoints.forEach((e: RpcEndpoint, i: number) => {
    if (typeof e?.url !== 'string') throw new TypeError(`bitcoind config.endpoints[${i}].url: expected a URL string`);
    try {
      new URL(e.url);
    } catch {
      throw new TypeError(`bitcoind config.endpoints[${i}].url: ${JSON.stringify(e.url)} is not a URL`);
    }
  });
  if (config.websocketUrl !== undefined && !/^wss?:\/\//.test(config.websocketUrl)) {
    throw new TypeError(`bitcoind config.websocketUrl: expected ws:// or wss://, got ${JSON.stringify(config.websocketUrl)}`);
  }
  if (config.pollIntervalMs !== undefined && (!Number.isFinite(config.pollIntervalMs) || config.pollIntervalMs < 10)) {
    throw new RangeError(`bitcoind config.pollIntervalMs: expected a number >= 10, got ${String(config.pollIntervalMs)}`);
  }
  const fee = config.feeRate;
  if (typeof fee !== 'object' || fee === null || !Number.isFinite(fee.floor) || !Number.isFinite(fee.cap) || fee.floor < 0 || fee.cap < fee.floor) {
    throw new RangeError(`bitcoind config.feeRate: expected { floor >= 0, cap >= floor } in base units per vbyte, got ${JSON.stringify(fee)}`);
  }
  if (config.onStreamError !== undefined && typeof config.onStreamError !== 'function') {
    throw new TypeError('bitcoind config.onStreamError: expected a function');
  }
  if (config.dustLimit !== undefined && (typeof config.dustLimit !== 'bigint' || config.dustLimit < 0n)) {
    throw new RangeError('bitcoind config.dustLimit: expected a non-negative bigint');
  }
}
