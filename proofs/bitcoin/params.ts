/**
 * Network parameters of the Bitcoin family: what a header chain needs to validate headers of one
 * network. A new Bitcoin-derived chain (Litecoin, Dogecoin, DigiByte...) is added as one more
 * `NetworkParams` value: its genesis, PoW limit, difficulty rule settings, soft-fork heights and
 * the PoW hash function (double-SHA256 here; scrypt for Litecoin comes from @noble/hashes).
 */
import { hexToBytes, reversed } from '../bytes.js';
import { sha256d } from '../hash.js';
import { encodeHeader } from './header.js';
import { targetToBits } from './pow.js';

export const BITCOIN_NETWORKS = ['mainnet', 'testnet3', 'testnet4', 'regtest'] as const;
export type BitcoinNetworkName = (typeof BITCOIN_NETWORKS)[number];

export interface DifficultyRules {
  /** Blocks per retarget period (2016). */
  readonly interval: number;
  /** Seconds a period should take (two weeks). */
  readonly targetTimespan: number;
  /** Seconds a block should take (600). */
  readonly targetSpacing: number;
  /** regtest: bits never change. */
  readonly noRetargeting: boolean;
  /**
   * testnet: a header more than 2 x targetSpacing after its parent may use the PoW limit; others
   * walk back to the last header that did not (or to the period's first).
   */
  readonly allowMinDifficultyBlocks: boolean;
  /** testnet4 (BIP94): retarget from the period's FIRST header's bits, and the timewarp rule. */
  readonly enforceBip94: boolean;
}

export interface NetworkParams {
  readonly name: string;
  readonly family: 'bitcoin';
  /** The 80-byte genesis header. */
  readonly genesisHeader: Uint8Array;
  /** The highest target a header may have. */
  readonly powLimit: bigint;
  /** The PoW hash compared with the target (internal byte order); the block id is always double-SHA256. */
  readonly powHash: (header80: Uint8Array) => Uint8Array;
  readonly difficulty: DifficultyRules;
  /** Headers may not be more than this many seconds ahead of the clock (7200). */
  readonly maxFutureBlockTime: number;
  /** BIP94: a period's first header may not be more than this many seconds before its parent (600). */
  readonly maxTimewarp: number;
  /** From these heights on, headers need version >= 2 (BIP34), >= 3 (BIP66), >= 4 (BIP65). */
  readonly versionHeights: { readonly bip34: number; readonly bip66: number; readonly bip65: number };
}

const BITCOIN_POW_LIMIT = 0x00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffn;
const REGTEST_POW_LIMIT = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn;

/** Satoshi's genesis coinbase Merkle root (display order), shared by mainnet, testnet3, regtest and signet. */
export const GENESIS_MERKLE_ROOT = '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b';

/** A version-1 genesis header (no previous block) from its Merkle root (display order), time, bits and nonce. */
export function genesisHeader(merkleRootDisplay: string, time: number, bits: number, nonce: number): Uint8Array {
  return encodeHeader({
    version: 1,
    prevHashLE: new Uint8Array(32),
    merkleRootLE: reversed(hexToBytes(merkleRootDisplay)),
    time,
    bits,
    nonce,
  });
}

const BITCOIN_DIFFICULTY: DifficultyRules = {
  interval: 2016,
  targetTimespan: 14 * 24 * 60 * 60,
  targetSpacing: 10 * 60,
  noRetargeting: false,
  allowMinDifficultyBlocks: false,
  enforceBip94: false,
};

const COMMON = { family: 'bitcoin', powHash: sha256d, maxFutureBlockTime: 2 * 60 * 60, maxTimewarp: 600 } as const;

export const MAINNET: NetworkParams = {
  ...COMMON,
  name: 'mainnet',
  genesisHeader: genesisHeader(GENESIS_MERKLE_ROOT, 1231006505, 0x1d00ffff, 2083236893),
  powLimit: BITCOIN_POW_LIMIT,
  difficulty: BITCOIN_DIFFICULTY,
  versionHeights: { bip34: 227931, bip66: 363725, bip65: 388381 },
};

export const TESTNET3: NetworkParams = {
  ...COMMON,
  name: 'testnet3',
  genesisHeader: genesisHeader(GENESIS_MERKLE_ROOT, 1296688602, 0x1d00ffff, 414098458),
  powLimit: BITCOIN_POW_LIMIT,
  difficulty: { ...BITCOIN_DIFFICULTY, allowMinDifficultyBlocks: true },
  versionHeights: { bip34: 21111, bip66: 330776, bip65: 581885 },
};

export const TESTNET4: NetworkParams = {
  ...COMMON,
  name: 'testnet4',
  genesisHeader: genesisHeader('7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e', 1714777860, 0x1d00ffff, 393743547),
  powLimit: BITCOIN_POW_LIMIT,
  difficulty: { ...BITCOIN_DIFFICULTY, allowMinDifficultyBlocks: true, enforceBip94: true },
  versionHeights: { bip34: 1, bip66: 1, bip65: 1 },
};

export const REGTEST: NetworkParams = {
  ...COMMON,
  name: 'regtest',
  genesisHeader: genesisHeader(GENESIS_MERKLE_ROOT, 1296688602, 0x207fffff, 2),
  powLimit: REGTEST_POW_LIMIT,
  difficulty: { ...BITCOIN_DIFFICULTY, noRetargeting: true, allowMinDifficultyBlocks: true },
  versionHeights: { bip34: 1, bip66: 1, bip65: 1 },
};

const BY_NAME: Readonly<Record<BitcoinNetworkName, NetworkParams>> = {
  mainnet: MAINNET,
  testnet3: TESTNET3,
  testnet4: TESTNET4,
  regtest: REGTEST,
};

/** Network aliases accepted at the edges (CLI, config): Core's chain names too. */
const ALIASES: Readonly<Record<string, BitcoinNetworkName>> = { main: 'mainnet', bitcoin: 'mainnet', test: 'testnet3', testnet: 'testnet3' };

export function bitcoinNetwork(name: string): NetworkParams {
  const key = (ALIASES[name] ?? name) as BitcoinNetworkName;
  const params = BY_NAME[key];
  if (params === undefined) {
    throw new RangeError(`network: unknown network ${JSON.stringify(name)}; expected one of ${BITCOIN_NETWORKS.join(', ')}`);
  }
  return params;
}

/** The compact bits of a network's PoW limit (what min-difficulty headers carry), as Core's GetCompact. */
export function powLimitBits(params: NetworkParams): number {
  return targetToBits(params.powLimit);
}
