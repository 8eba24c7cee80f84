/**
 * The ledger adapter contract, version 1: how utxo-relay reaches one chain. An adapter fetches
 * and sends; it never decides whether an answer is true — `proofs/` verifies and the relayer
 * decides (STYLE.md habit 1). Every method that talks to a node fails with a LedgerError
 * (`ledgers/errors.ts`): NODE_REFUSED, NODE_UNREACHABLE (transient), NODE_AUTH, NODE_FAULTY.
 *
 * Hashes and txids are internal byte order (`...LE`); amounts are bigint base units; fee rates
 * are base units per virtual byte. docs/adapters.md explains every member for adapter authors.
 */
import type { InclusionProof } from '../proofs/bitcoin/inclusion.js';
import type { NetworkParams } from '../proofs/bitcoin/params.js';
import type { TxOutput } from '../proofs/bitcoin/transaction.js';
import type { Federation } from './bitcoin/lock-script.js';

/** Bumped on any incompatible change; the loader refuses an adapter built for another version. */
export const ADAPTER_CONTRACT_VERSION = 1;

export type ChainFamily = 'bitcoin';

export interface AdapterInfo {
  /** A stable id for this chain in configs and logs, e.g. "bitcoin-mainnet", "devnet-side". */
  readonly chainId: string;
  readonly family: ChainFamily;
  /** PoW rules and genesis, for the relayer's own HeaderChain. */
  readonly params: NetworkParams;
  /** Segwit address human-readable part (e.g. "bc", "tb", "bcrt", "ltc", "udm"). */
  readonly addressHrp: string;
  readonly capabilities: {
    readonly segwit: boolean;
    readonly taproot: boolean;
    /** Replace-by-fee is honoured by the chain's nodes. */
    readonly rbf: boolean;
    /** A push stream of blocks is available (else the adapter polls). */
    readonly blockStream: boolean;
    /** The chain accepts peg-in mints (the side role). */
    readonly pegInMints: boolean;
  };
}

export interface BlockRef {
  readonly height: number;
  readonly hashLE: Uint8Array;
}

/** What a block stream delivers. `reorg` comes before the blocks of the new branch. */
export type BlockEvent =
  | { readonly type: 'block'; readonly block: BlockRef }
  | { readonly type: 'reorg'; readonly fork: BlockRef; readonly removed: readonly BlockRef[] };

export interface BlockSubscription {
  close(): Promise<void>;
}

/** The scripts a scan looks for, besides `UBR1` memos (which every scan reports). */
export interface WatchSpec {
  readonly scripts: readonly Uint8Array[];
}

/** A transaction of a scanned block that pays a watched script or carries a `UBR1` memo. */
export interface ScannedTransaction {
  readonly txidLE: Uint8Array;
  /** Position in the block. */
  readonly index: number;
  /** The raw transaction: what the relayer re-derives everything from. */
  readonly rawTx: Uint8Array;
}

export interface ScannedBlock {
  readonly block: BlockRef;
  readonly header80: Uint8Array;
  readonly transactions: readonly ScannedTransaction[];
}

export interface Utxo {
  readonly txidLE: Uint8Array;
  readonly vout: number;
  readonly output: TxOutput;
  /** Confirmations on the node's best chain (0: in the mempool). */
  readonly confirmations: number;
}

export type TxStatus =
  | { readonly state: 'unknown' }
  | { readonly state: 'mempool' }
  | { readonly state: 'confirmed'; readonly block: BlockRef; readonly confirmations: number }
  /** One of its inputs is spent by another confirmed transaction. */
  | { readonly state: 'conflicted'; readonly spentByLE?: Uint8Array };

/**
 * Side role: whether a main-chain lock outpoint has been claimed by a peg-in mint (the relayer
 * asks before it builds a mint). `block` is absent and `confirmations` 0 while the mint is in the
 * side node's mempool; once mined, `confirmations` counts from its block on the best chain (1 in
 * the tip).
 */
export type PegInClaim =
  | { readonly claimed: false }
  | {
      readonly claimed: true;
      readonly mintTxidLE: Uint8Array;
      /** The mint's block on the best chain; absent while in the mempool. */
      readonly block?: BlockRef;
      /** 0 in the mempool. */
      readonly confirmations: number;
    };

/** An output of this chain, txid in internal byte order. */
export interface OutpointRef {
  readonly txidLE: Uint8Array;
  readonly vout: number;
}

/** An unconfirmed transaction in the node's mempool that spends an outpoint asked about. */
export interface MempoolSpend {
  readonly txidLE: Uint8Array;
  /** The spending transaction's raw bytes (its txid is `txidLE`; one of its inputs spends the outpoint). */
  readonly rawTx: Uint8Array;
}

/** A deterministic description of a bridge transaction: every operator builds the same bytes. */
export type SpendSpec =
  /** Main chain: spend lock UTXOs to payouts, change back to the lock, a `UBR1 0x03` memo. */
  | {
      readonly kind: 'release';
      readonly federation: Federation;
      readonly inputs: readonly Utxo[];
      readonly payouts: readonly TxOutput[];
      /** Hash of the burn outpoints settled (the `UBR1 0x03` memo), internal order. */
      readonly burnsHashLE: Uint8Array;
      /** Base units per virtual byte. */
      readonly feeRate: number;
    }
  /** Side chain: a peg-in mint claiming one main-chain lock outpoint. */
  | {
      readonly kind: 'mint';
      readonly federation: Federation;
      readonly lockTxidLE: Uint8Array;
      readonly lockVout: number;
      readonly destinationScript: Uint8Array;
      readonly amount: bigint;
      /** The lock's proof, carried in the mint's witness. */
      readonly proof: Extract<InclusionProof, { kind: 'merkleblock' }>;
    };

/** A built transaction waiting for signatures, with what each signer must sign. */
export interface UnsignedSpend {
  readonly spec: SpendSpec;
  /** The transaction without signatures (witnesses empty). */
  readonly unsignedTx: Uint8Array;
  readonly txidLE: Uint8Array;
  /** One 32-byte message per input (release) or one for the whole mint. */
  readonly sighashes: readonly Uint8Array[];
  readonly fee: bigint;
}

export interface LedgerAdapter {
  readonly contractVersion: typeof ADAPTER_CONTRACT_VERSION;
  readonly info: AdapterInfo;

  // headers (raw: the relayer's light client validates them itself)
  getTip(): Promise<BlockRef>;
  /** The node's best-chain hash at `height`, or undefined above its tip. */
  getBlockHash(height: number): Promise<Uint8Array | undefined>;
  /** The 80 raw bytes of a header, or undefined when the node does not know the block. */
  getHeader(hashLE: Uint8Array): Promise<Uint8Array | undefined>;
  /** Up to `count` consecutive best-chain headers from `fromHeight` (fewer at the tip). */
  getHeaders(fromHeight: number, count: number): Promise<Uint8Array[]>;

  // events
  /**
   * Delivers blocks from `fromHeight` (backfilled first) and then as they come: pushed where the
   * node offers a stream, polled otherwise; after a reconnect, backfills before trusting the
   * stream again. Reorgs are reported as `reorg` events.
   */
  subscribeBlocks(fromHeight: number, listener: (event: BlockEvent) => void | Promise<void>): BlockSubscription;

  // scanning and proofs
  /** The transactions of a block that pay a watched script or carry a `UBR1` memo. NODE_REFUSED for an unknown block. */
  scanBlock(hashLE: Uint8Array, watch: WatchSpec): Promise<ScannedBlock>;
  /** The inclusion proof of a transaction in a block (with the block's coinbase, see proofs/bitcoin/inclusion.ts). */
  getInclusionProof(txidLE: Uint8Array, blockHashLE: Uint8Array): Promise<InclusionProof>;

  // spending
  listUnspent(scriptPubKey: Uint8Array): Promise<Utxo[]>;
  /** A fee rate for confirmation within `targetBlocks`, clamped to the configured floor and cap. */
  estimateFeeRate(targetBlocks: number): Promise<number>;
  /** Builds the unsigned transaction of a spec. Pure and deterministic. */
  buildSpend(spec: SpendSpec): UnsignedSpend;
  /**
   * Attaches signatures and returns the raw transaction. `signatures` maps a federation key index
   * (the federation's sorted key order) to that key's signatures, one for each entry of
   * `unsigned.sighashes`, in the same order (one for a mint; one per input for a release).
   */
  finalizeSpend(unsigned: UnsignedSpend, signatures: ReadonlyMap<number, readonly Uint8Array[]>): Uint8Array;
  /** Broadcasts; a transaction the node already has is not an error (`alreadyKnown`). */
  broadcast(rawTx: Uint8Array): Promise<{ txidLE: Uint8Array; alreadyKnown: boolean }>;
  /**
   * Where a transaction stands. With `rawTx`, a transaction the node does not hold is reported
   * `conflicted` when one of its inputs is spent on the best chain (else `unknown`).
   */
  getTransactionStatus(txidLE: Uint8Array, rawTx?: Uint8Array): Promise<TxStatus>;
  /**
   * For each outpoint, in the same order, the transaction in the node's mempool that spends it, or
   * undefined when no mempool transaction does (the outpoint may be unspent, spent in a block, or
   * unknown). The relayer asks it of the lock UTXOs before it builds a release, so that a release
   * still waiting in the mempool (made before Redis was lost) is followed, never paid again.
   * Bitcoin Core: `gettxspendingprevout` (v24+) and `getrawtransaction` of each spender.
   */
  getMempoolSpends(outpoints: readonly OutpointRef[]): Promise<(MempoolSpend | undefined)[]>;

  // bridge state
  /**
   * Side role (capabilities.pegInMints): the mint that claimed main-chain lock outpoint
   * lockTxidLE:lockVout, if any (on the best chain, or in the mempool). On a chain without
   * pegInMints it rejects with LedgerError NODE_REFUSED (the chain does not accept mints).
   */
  getPegInClaim(lockTxidLE: Uint8Array, lockVout: number): Promise<PegInClaim>;
  /**
   * The total value of the best chain's UTXO set at its tip (for the reserve check: on the side
   * chain, which has no block subsidy, it is the pegged supply), with the block it was read at.
   * Provably unspendable outputs (`OP_RETURN`) are not in the set.
   */
  getUtxoSetTotal(): Promise<{ readonly block: BlockRef; readonly total: bigint }>;

  close(): Promise<void>;
}
