/**
 * The devnet's two networks (docs/devnet.md, "Networks"): `DEVNET_MAIN` and `DEVNET_SIDE`, with
 * regtest's rules (PoW limit 0x7fff...ff, bits always 0x207fffff, no retargeting, BIP34/65/66 from
 * height 1, the 2-hour and median-time-past rules) and a genesis block of their own, so that a
 * block of one role can never pass for a block of the other.
 *
 * The genesis block: version 1, time 1700000000, bits 0x207fffff, one coinbase whose scriptSig is
 * one push of the ASCII text `utxo-relay devnet main` (or `side`) and whose single output pays 0
 * to a bare `OP_RETURN`; the nonce is the first that meets the target, found at module load.
 */
import { concatBytes } from '../../proofs/bytes.js';
import { sha256d } from '../../proofs/hash.js';
import { encodeBlock } from '../../proofs/bitcoin/block.js';
import { encodeHeader, headerHash } from '../../proofs/bitcoin/header.js';
import { computeMerkleRoot } from '../../proofs/bitcoin/merkle.js';
import type { NetworkParams } from '../../proofs/bitcoin/params.js';
import { bitsToTarget, hashMeetsTarget, targetToLE } from '../../proofs/bitcoin/pow.js';
import { OP_RETURN, encodeDataPush } from '../../proofs/bitcoin/script.js';
import { transactionTxid, type Transaction } from '../../proofs/bitcoin/transaction.js';
import type { DevnetRole } from './chain-api.js';

/** The compact bits of every devnet header (regtest's PoW limit). */
export const DEVNET_BITS = 0x207fffff;
/** The easiest target, regtest's: 0x7fff...ff. */
export const DEVNET_POW_LIMIT = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn;
/** Timestamp of both genesis blocks. */
export const DEVNET_GENESIS_TIME = 1_700_000_000;
/** Base units in one coin. */
export const COIN = 100_000_000n;
/** The main role's subsidy before any halving: 50 coins. */
export const INITIAL_SUBSIDY = 50n * COIN;
/** Blocks between two halvings of the main role's subsidy (as regtest). */
export const HALVING_INTERVAL = 150;
/** Blocks a coinbase output waits before it can be spent, unless configured otherwise. */
export const DEFAULT_COINBASE_MATURITY = 100;

/** Everything a devnet node of one role needs besides the header rules. */
export interface DevnetNetwork {
  readonly role: DevnetRole;
  readonly params: NetworkParams;
  /** Segwit address human-readable part. */
  readonly hrp: 'udm' | 'uds';
  /** The full raw genesis block (the chain serves it like any block). */
  readonly genesisBlock: Uint8Array;
  readonly genesisHashLE: Uint8Array;
  /** The 4 bytes that start every record of this role's blocks.dat. */
  readonly storeMagic: Uint8Array;
  /** Block subsidy at `height`, in base units. */
  subsidy(height: number): bigint;
}

const REGTEST_LIKE_DIFFICULTY = {
  interval: 2016,
  targetTimespan: 14 * 24 * 60 * 60,
  targetSpacing: 10 * 60,
  noRetargeting: true,
  allowMinDifficultyBlocks: false,
  enforceBip94: false,
} as const;

/** The main role's subsidy: 50 coins halving every 150 blocks (0 after 64 halvings). */
export function mainSubsidy(height: number): bigint {
  assertHeight(height);
  const halvings = Math.floor(height / HALVING_INTERVAL);
  return halvings >= 64 ? 0n : INITIAL_SUBSIDY >> BigInt(halvings);
}

/** The side role has no subsidy: its coins exist only through peg-in mints. */
export function sideSubsidy(height: number): bigint {
  assertHeight(height);
  return 0n;
}

/** The subsidy rule of a role. */
export function blockSubsidy(role: DevnetRole, height: number): bigint {
  return role === 'main' ? mainSubsidy(height) : sideSubsidy(height);
}

function assertHeight(height: number): void {
  if (!Number.isSafeInteger(height) || height < 0) throw new RangeError(`height: expected a non-negative integer, got ${String(height)}`);
}

/** The genesis coinbase of a role. */
export function genesisCoinbase(role: DevnetRole): Transaction {
  return {
    version: 1,
    inputs: [
      {
        prevTxidLE: new Uint8Array(32),
        prevVout: 0xffffffff,
        scriptSig: encodeDataPush(new TextEncoder().encode(`utxo-relay devnet ${role}`)),
        sequence: 0xffffffff,
        witness: [],
      },
    ],
    outputs: [{ value: 0n, scriptPubKey: Uint8Array.of(OP_RETURN) }],
    locktime: 0,
  };
}

/** Builds a role's genesis block, searching the first nonce that meets the target. */
function buildGenesis(role: DevnetRole): { header80: Uint8Array; block: Uint8Array } {
  const coinbase = genesisCoinbase(role);
  const merkleRootLE = computeMerkleRoot([transactionTxid(coinbase)]).rootLE;
  const targetLE = targetToLE(bitsToTarget(DEVNET_BITS));
  for (let nonce = 0; nonce <= 0xffffffff; nonce++) {
    const header80 = encodeHeader({ version: 1, prevHashLE: new Uint8Array(32), merkleRootLE, time: DEVNET_GENESIS_TIME, bits: DEVNET_BITS, nonce });
    if (hashMeetsTarget(sha256d(header80), targetLE)) return { header80, block: encodeBlock(header80, [coinbase]) };
  }
  throw new Error(`no nonce meets the devnet target for the ${role} genesis`);
}

function network(role: DevnetRole): DevnetNetwork {
  const { header80, block } = buildGenesis(role);
  const params: NetworkParams = Object.freeze({
    name: `devnet-${role}`,
    family: 'bitcoin',
    genesisHeader: header80,
    powLimit: DEVNET_POW_LIMIT,
    powHash: sha256d,
    difficulty: REGTEST_LIKE_DIFFICULTY,
    maxFutureBlockTime: 2 * 60 * 60,
    maxTimewarp: 600,
    versionHeights: { bip34: 1, bip66: 1, bip65: 1 },
  });
  return Object.freeze({
    role,
    params,
    hrp: role === 'main' ? 'udm' : 'uds',
    genesisBlock: block,
    genesisHashLE: headerHash(header80),
    storeMagic: concatBytes(new TextEncoder().encode('UDV'), new TextEncoder().encode(role === 'main' ? 'M' : 'S')),
    subsidy: role === 'main' ? mainSubsidy : sideSubsidy,
  });
}

const MAIN_NETWORK = network('main');
const SIDE_NETWORK = network('side');

/** Header rules of the main role (name `devnet-main`). */
export const DEVNET_MAIN: NetworkParams = MAIN_NETWORK.params;
/** Header rules of the side role (name `devnet-side`). */
export const DEVNET_SIDE: NetworkParams = SIDE_NETWORK.params;
/** The raw genesis block of the main role. */
export const DEVNET_MAIN_GENESIS_BLOCK: Uint8Array = MAIN_NETWORK.genesisBlock;
/** The raw genesis block of the side role. */
export const DEVNET_SIDE_GENESIS_BLOCK: Uint8Array = SIDE_NETWORK.genesisBlock;

/** The network description of a role. */
export function devnetNetwork(role: DevnetRole): DevnetNetwork {
  if (role === 'main') return MAIN_NETWORK;
  if (role === 'side') return SIDE_NETWORK;
  throw new TypeError(`role: expected 'main' or 'side', got ${JSON.stringify(role)}`);
}
