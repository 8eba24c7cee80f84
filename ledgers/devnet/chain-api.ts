/**
 * What a devnet node's chain offers the RPC server, the websocket notifier, the miner loop and
 * the CLI: the contract between `ledgers/devnet/chain/` (which implements it) and
 * `ledgers/devnet/rpc/` (which consumes it). Hashes and txids are internal byte order (`...LE`);
 * the RPC layer converts to display hex. Amounts are bigint base units.
 */
import type { DecodedTransaction, Transaction, TxOutput } from '../../proofs/bitcoin/transaction.js';
import type { NetworkParams } from '../../proofs/bitcoin/params.js';

export type DevnetRole = 'main' | 'side';

export interface BlockInfo {
  readonly hashLE: Uint8Array;
  readonly height: number;
  readonly header80: Uint8Array;
  /** Cumulative work up to and including this block. */
  readonly chainWork: bigint;
  readonly prevHashLE: Uint8Array;
  /** Best-chain successor, when this block is on the best chain and not the tip. */
  readonly nextHashLE?: Uint8Array;
  /** Median time past of the block (the median of it and its 10 ancestors). */
  readonly medianTime: number;
  readonly txCount: number;
  readonly size: number;
  readonly strippedSize: number;
  readonly weight: number;
  /** 'active' = on the best chain; the rest as Core's getchaintips statuses. */
  readonly status: 'active' | 'valid-fork' | 'valid-headers' | 'invalid' | 'headers-only';
}

export interface UtxoEntry {
  readonly txidLE: Uint8Array;
  readonly vout: number;
  readonly output: TxOutput;
  /** Height of the block that created it (an output of a mempool transaction, seen with includeMempool: the next block's height, i.e. 0 confirmations). */
  readonly height: number;
  readonly coinbase: boolean;
}

/** The best chain's UTXO set in numbers (gettxoutsetinfo): Core's CCoinsStats fields the devnet computes exactly. */
export interface UtxoSetStats {
  /** Unspent outputs (Core's `txouts`). */
  readonly txouts: number;
  /** Transactions with at least one unspent output (Core's `transactions`). */
  readonly transactions: number;
  /** Core's `bogosize`: for each unspent output, 50 bytes plus its script's length. */
  readonly bogoSize: number;
  /** The value of every unspent output, in base units (Core's `total_amount`). */
  readonly totalAmount: bigint;
}

export interface MempoolEntry {
  readonly tx: DecodedTransaction;
  readonly fee: bigint;
  readonly vsize: number;
  /** Unix seconds when it entered the mempool. */
  readonly time: number;
  /** Height of the tip when it entered. */
  readonly height: number;
  /** Txids (LE) of in-mempool parents. */
  readonly dependsLE: readonly Uint8Array[];
  /** Txids (LE) of in-mempool children. */
  readonly spentByLE: readonly Uint8Array[];
  /** Fee plus the fees of its in-mempool ancestors, and their sizes (for fee-rate ordering). */
  readonly ancestorFee: bigint;
  readonly ancestorVsize: number;
}

/**
 * Outcome of checking a transaction against the mempool (testmempoolaccept's answer). `reason` is
 * Core's reject reason, followed by the details in parentheses when there are any
 * ("bad-txns-in-belowout (value in 10 < value out 11)"). For bytes that do not decode
 * (`code: 'malformed'`) there is no txid: txidLE and wtxidLE are then 32 zero bytes.
 */
export type AcceptResult =
  | { readonly allowed: true; readonly txidLE: Uint8Array; readonly wtxidLE: Uint8Array; readonly fee: bigint; readonly vsize: number }
  | { readonly allowed: false; readonly txidLE: Uint8Array; readonly wtxidLE: Uint8Array; readonly reason: string; readonly code: RejectCode };

/** Why a transaction or block was refused, sorted the way Core's RPC error codes sort them. */
export type RejectCode =
  /** -25: an input is missing or already spent (RPC_VERIFY_ERROR) */
  | 'missing-inputs'
  /** -26: refused by consensus or policy (RPC_VERIFY_REJECTED) */
  | 'rejected'
  /** -27: already in the chain (RPC_VERIFY_ALREADY_IN_CHAIN) */
  | 'already-in-chain'
  /** -22: does not decode (RPC_DESERIALIZATION_ERROR) */
  | 'malformed';

export interface ChainEvents {
  /** A new best tip (after every block connected; once per reorg, after `reorg`). */
  onTip(listener: (tip: BlockInfo) => void): () => void;
  /** The best chain switched branch. Emitted before the new tip's `onTip`. */
  onReorg(listener: (reorg: { fork: BlockInfo; removed: BlockInfo[]; added: BlockInfo[] }) => void): () => void;
  /** A transaction entered the mempool. */
  onMempoolTx(listener: (txidLE: Uint8Array) => void): () => void;
}

export interface ChainApi extends ChainEvents {
  readonly role: DevnetRole;
  readonly params: NetworkParams;
  /** Segwit address human-readable part ('udm' or 'uds'). */
  readonly hrp: string;

  // chain
  tip(): BlockInfo;
  blockInfo(hashLE: Uint8Array): BlockInfo | undefined;
  blockHashAtHeight(height: number): Uint8Array | undefined;
  /** Raw block bytes (any held block, best chain or not). */
  rawBlock(hashLE: Uint8Array): Uint8Array | undefined;
  /** Every known chain tip (getchaintips). */
  chainTips(): BlockInfo[];
  /** Submits a block (from mining or submitblock): accepted (also when already held), or refused with the reason. */
  submitBlock(raw: Uint8Array): { accepted: true; hashLE: Uint8Array } | { accepted: false; reason: string; code: RejectCode };
  invalidateBlock(hashLE: Uint8Array): void;
  reconsiderBlock(hashLE: Uint8Array): void;

  // transactions
  /** A transaction by txid: confirmed on the best chain (with its block) or in the mempool. */
  transaction(txidLE: Uint8Array): { tx: DecodedTransaction; blockHashLE?: Uint8Array; blockHeight?: number } | undefined;
  /** An unspent output of the best chain (optionally: seen through the mempool, as gettxout's include_mempool). */
  utxo(txidLE: Uint8Array, vout: number, includeMempool: boolean): UtxoEntry | undefined;
  /** Every unspent output of the best chain paying `scriptPubKey` (scantxoutset). */
  utxosByScript(scriptPubKey: Uint8Array): UtxoEntry[];
  /** The best chain's UTXO set at `tip()` in numbers (gettxoutsetinfo); kept incrementally, O(1). */
  utxoSetStats(): UtxoSetStats;

  // mempool
  testAccept(raw: Uint8Array): AcceptResult;
  /** Adds to the mempool (sendrawtransaction); idempotent for a transaction already there. */
  acceptToMempool(raw: Uint8Array): AcceptResult;
  mempool(): MempoolEntry[];
  mempoolEntry(txidLE: Uint8Array): MempoolEntry | undefined;
  /** The txid of the mempool transaction spending outpoint `txidLE:vout` (gettxspendingprevout), or undefined when none does. */
  mempoolSpenderOf(txidLE: Uint8Array, vout: number): Uint8Array | undefined;
  /** Fee rate in base units per virtual byte to confirm within `blocks` (a simple estimate). */
  estimateFeeRate(blocks: number): number;

  // mining
  /** Mines `count` blocks paying the coinbase to `scriptPubKey`; returns their hashes. */
  generate(count: number, scriptPubKey: Uint8Array): Uint8Array[];
  /** Mines one block with exactly these transactions (raw, or txids of mempool entries), in order. */
  generateBlock(scriptPubKey: Uint8Array, transactions: readonly (Uint8Array | { txidLE: Uint8Array })[]): Uint8Array;
  /** Mines `count` blocks on `parentHashLE` (a competing branch, for reorg tests). */
  generateOn(parentHashLE: Uint8Array, count: number, scriptPubKey: Uint8Array): Uint8Array[];

  // side role
  /** The side chain's claim of a main-chain lock outpoint: the mint that claimed it, if any. */
  claimOf(lockTxidLE: Uint8Array, lockVout: number): { mintTxidLE: Uint8Array; blockHashLE?: Uint8Array; height?: number } | undefined;

  /** Closes files and timers. */
  close(): Promise<void>;
}

/** Helpers RPC code needs to render transactions. */
export type { DecodedTransaction, Transaction, TxOutput };
