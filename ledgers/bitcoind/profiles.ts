/**
 * Chain profiles of the Bitcoin family: what the `bitcoind` adapter needs to know about a chain
 * besides its node's address — the header rules (`NetworkParams`, for the relayer's own
 * HeaderChain), the segwit address prefix, the capabilities, and a stable chain id.
 *
 * Litecoin is a profile of params plus the scrypt PoW hash (N=1024, r=1, p=1, 32 bytes). Its
 * retarget rule differs from Bitcoin's (it looks back a full interval except at the first
 * retarget, fixing the off-by-one timewarp); `proofs/bitcoin` implements Bitcoin's rule only,
 * so a Litecoin HeaderChain checks PoW, bits validity and links but its retarget check is
 * Bitcoin's (see docs/bitcoind-adapter.md, "Litecoin").
 */
import { scrypt } from '@noble/hashes/scrypt.js';
import { sha256d } from '../../proofs/hash.js';
import { GENESIS_MERKLE_ROOT, MAINNET, REGTEST, TESTNET3, TESTNET4, genesisHeader, type NetworkParams } from '../../proofs/bitcoin/params.js';
import type { AdapterInfo } from '../adapter.js';
import { DEVNET_MAIN, DEVNET_SIDE } from '../devnet/params.js';

/** A chain the adapter can drive: its identity, header rules, address prefix and capabilities. */
export interface ChainProfile {
  readonly chainId: string;
  readonly params: NetworkParams;
  readonly addressHrp: string;
  /** Everything but `blockStream`, which depends on the adapter's config (a websocket URL). */
  readonly capabilities: Omit<AdapterInfo['capabilities'], 'blockStream'>;
}

/** Bitcoin signet (the default signet, BIP325): mainnet's retarget, no min-difficulty blocks. */
export const SIGNET: NetworkParams = Object.freeze({
  name: 'signet',
  family: 'bitcoin',
  genesisHeader: genesisHeader(GENESIS_MERKLE_ROOT, 1598918400, 0x1e0377ae, 52613770),
  powLimit: 0x00000377ae000000000000000000000000000000000000000000000000000000n,
  powHash: sha256d,
  difficulty: MAINNET.difficulty,
  maxFutureBlockTime: 2 * 60 * 60,
  maxTimewarp: 600,
  versionHeights: { bip34: 1, bip66: 1, bip65: 1 },
});

/** Litecoin's PoW hash: scrypt(header, header, N=1024, r=1, p=1, dkLen=32), compared as internal order. */
export function scryptPowHash(header80: Uint8Array): Uint8Array {
  return scrypt(header80, header80, { N: 1024, r: 1, p: 1, dkLen: 32 });
}

/**
 * Litecoin mainnet. Soft-fork heights from Litecoin Core's chainparams.cpp (BIP34 710000,
 * BIP65 918684, BIP66 811879). The retarget check of proofs/ is Bitcoin's: see the module doc.
 */
export const LITECOIN_MAINNET: NetworkParams = Object.freeze({
  name: 'litecoin-mainnet',
  family: 'bitcoin',
  genesisHeader: genesisHeader('97ddfbbae6be97fd6cdf3e7ca13232a3afff2353e29badfab7f73011edd4ced9', 1317972665, 0x1e0ffff0, 2084524493),
  powLimit: 0x00000fffff000000000000000000000000000000000000000000000000000000n,
  powHash: scryptPowHash,
  difficulty: {
    interval: 2016,
    targetTimespan: 3.5 * 24 * 60 * 60,
    targetSpacing: 150,
    noRetargeting: false,
    allowMinDifficultyBlocks: false,
    enforceBip94: false,
  },
  maxFutureBlockTime: 2 * 60 * 60,
  maxTimewarp: 600,
  versionHeights: { bip34: 710000, bip66: 811879, bip65: 918684 },
});

const FULL = { segwit: true, taproot: true, rbf: true, pegInMints: false } as const;

/** Every built-in profile, by chain id. */
export const CHAIN_PROFILES: Readonly<Record<string, ChainProfile>> = Object.freeze({
  'bitcoin-mainnet': { chainId: 'bitcoin-mainnet', params: MAINNET, addressHrp: 'bc', capabilities: FULL },
  'bitcoin-testnet3': { chainId: 'bitcoin-testnet3', params: TESTNET3, addressHrp: 'tb', capabilities: FULL },
  'bitcoin-testnet4': { chainId: 'bitcoin-testnet4', params: TESTNET4, addressHrp: 'tb', capabilities: FULL },
  'bitcoin-signet': { chainId: 'bitcoin-signet', params: SIGNET, addressHrp: 'tb', capabilities: FULL },
  'bitcoin-regtest': { chainId: 'bitcoin-regtest', params: REGTEST, addressHrp: 'bcrt', capabilities: FULL },
  'devnet-main': { chainId: 'devnet-main', params: DEVNET_MAIN, addressHrp: 'udm', capabilities: FULL },
  'devnet-side': { chainId: 'devnet-side', params: DEVNET_SIDE, addressHrp: 'uds', capabilities: { ...FULL, pegInMints: true } },
  'litecoin-mainnet': { chainId: 'litecoin-mainnet', params: LITECOIN_MAINNET, addressHrp: 'ltc', capabilities: { segwit: true, taproot: true, rbf: true, pegInMints: false } },
});

/** The profile of a chain id; RangeError naming the known ids otherwise. */
export function chainProfile(chainId: string): ChainProfile {
  const profile = Object.hasOwn(CHAIN_PROFILES, chainId) ? CHAIN_PROFILES[chainId] : undefined;
  if (profile === undefined) {
    throw new RangeError(`chainId: unknown chain ${JSON.stringify(chainId)}; expected one of ${Object.keys(CHAIN_PROFILES).join(', ')}`);
  }
  return profile;
}
