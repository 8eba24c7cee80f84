/**
 * A caching decorator (STYLE.md habit 9): `withCaching(adapter, options)` returns an adapter with
 * the same contract that remembers the answers that cannot change, in one bounded LRU:
 * - `getHeader(hash)` when the header is known (a block's header is fixed by its hash; "unknown"
 *   is not cached: the node may learn the block later);
 * - `getInclusionProof(txid, block)` (the block's transactions are fixed by its hash);
 * - `scanBlock(block, watch)` (same block, same watched scripts, in any order: same answer).
 * Only answers that hold up against their key are kept, so that a node's lie is not served on
 * after the node is fixed: a header must hash to the asked hash; a proof's header must hash to the
 * asked block, its transaction to the asked txid, and its Merkle part must prove that txid and the
 * coinbase under that header (the chain, the work and the confirmations stay the caller's to
 * check); a scan's header must hash to the asked block (which transactions it lists cannot be
 * checked without the block).
 * It never caches what moves with the chain or the mempool: the tip, the hash at a height,
 * header ranges, UTXOs, fee rates, transaction status, mempool spends (a spender comes, is
 * replaced, is mined), peg-in claims (a claim comes, confirms and may leave with a reorg), the
 * UTXO set total. Failures are never cached.
 * Answers are copied in and out of the cache, so a caller that mutates a returned array does not
 * corrupt later answers. `cacheStats()` reports hits, misses and size.
 */
import type { BlockSubscription, BlockEvent, LedgerAdapter, ScannedBlock, WatchSpec } from '../adapter.js';
import type { InclusionProof } from '../../proofs/bitcoin/inclusion.js';
import { bytesToHex, equalBytes } from '../../proofs/bytes.js';
import { HEADER_SIZE, decodeHeader, headerHash } from '../../proofs/bitcoin/header.js';
import { verifyMerkleBranch } from '../../proofs/bitcoin/merkle.js';
import { verifyMerkleBlock } from '../../proofs/bitcoin/merkle-block.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';

export interface CachingOptions {
  /** Entries kept (headers, proofs and scans together); the least recently used goes first. [Default: 2000] */
  readonly maxEntries?: number;
}

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
  readonly maxEntries: number;
}

export interface CachingLedgerAdapter extends LedgerAdapter {
  cacheStats(): CacheStats;
  /** Drops every entry (e.g. after switching the node to another network in a test). */
  clearCache(): void;
}

export const DEFAULT_CACHE_ENTRIES = 2000;

type Entry = { kind: 'header'; value: Uint8Array } | { kind: 'proof'; value: InclusionProof } | { kind: 'scan'; value: ScannedBlock };

/** A least-recently-used map: a Map keeps insertion order, a hit is re-inserted at the end. */
class Lru {
  private readonly map = new Map<string, Entry>();
  constructor(readonly maxEntries: number) {}

  get(key: string): Entry | undefined {
    const entry = this.map.get(key);
    if (entry !== undefined) {
      this.map.delete(key);
      this.map.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: Entry): void {
    this.map.delete(key);
    this.map.set(key, entry);
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done === true) break;
      this.map.delete(oldest.value);
    }
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

function copyProof(p: InclusionProof): InclusionProof {
  return p.kind === 'merkleblock'
    ? { kind: 'merkleblock', rawTx: p.rawTx.slice(), coinbaseTx: p.coinbaseTx.slice(), merkleBlock: p.merkleBlock.slice() }
    : {
        kind: 'branch',
        rawTx: p.rawTx.slice(),
        header80: p.header80.slice(),
        index: p.index,
        branchLE: p.branchLE.map((b) => b.slice()),
        coinbaseTx: p.coinbaseTx.slice(),
        coinbaseBranchLE: p.coinbaseBranchLE.map((b) => b.slice()),
      };
}

function copyScan(s: ScannedBlock): ScannedBlock {
  return {
    block: { height: s.block.height, hashLE: s.block.hashLE.slice() },
    header80: s.header80.slice(),
    transactions: s.transactions.map((t) => ({ txidLE: t.txidLE.slice(), index: t.index, rawTx: t.rawTx.slice() })),
  };
}

function headerIs(header80: Uint8Array, hashLE: Uint8Array): boolean {
  return header80.length === HEADER_SIZE && equalBytes(headerHash(header80), hashLE);
}

/** Whether `proof` proves `txidLE` (and a coinbase) in the block `blockHashLE` on its own terms. */
function proofHolds(proof: InclusionProof, txidLE: Uint8Array, blockHashLE: Uint8Array): boolean {
  try {
    const txid = decodeTransaction(proof.rawTx).txidLE;
    const coinbaseTxid = decodeTransaction(proof.coinbaseTx).txidLE;
    if (!equalBytes(txid, txidLE)) return false;
    if (proof.kind === 'merkleblock') {
      const verified = verifyMerkleBlock(proof.merkleBlock);
      return (
        equalBytes(verified.blockHashLE, blockHashLE) &&
        verified.matched.some((m) => equalBytes(m.txidLE, txid)) &&
        verified.matched.some((m) => m.index === 0 && equalBytes(m.txidLE, coinbaseTxid))
      );
    }
    if (!headerIs(proof.header80, blockHashLE)) return false;
    const rootLE = decodeHeader(proof.header80).merkleRootLE;
    verifyMerkleBranch({ leafLE: txid, index: proof.index, branchLE: proof.branchLE, rootLE });
    verifyMerkleBranch({ leafLE: coinbaseTxid, index: 0, branchLE: proof.coinbaseBranchLE, rootLE });
    return true;
  } catch {
    return false;
  }
}

function watchKey(watch: WatchSpec): string {
  return [...new Set(watch.scripts.map(bytesToHex))].sort().join(',');
}

export function withCaching(adapter: LedgerAdapter, options: CachingOptions = {}): CachingLedgerAdapter {
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE_ENTRIES;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`withCaching: options.maxEntries must be a positive integer, got ${String(maxEntries)}`);
  }
  const lru = new Lru(maxEntries);
  let hits = 0;
  let misses = 0;

  return {
    contractVersion: adapter.contractVersion,
    info: adapter.info,
    getTip: () => adapter.getTip(),
    getBlockHash: (height) => adapter.getBlockHash(height),
    async getHeader(hashLE) {
      const key = `h:${bytesToHex(hashLE)}`;
      const hit = lru.get(key);
      if (hit?.kind === 'header') {
        hits += 1;
        return hit.value.slice();
      }
      misses += 1;
      const header = await adapter.getHeader(hashLE);
      if (header !== undefined && headerIs(header, hashLE)) lru.set(key, { kind: 'header', value: header.slice() });
      return header;
    },
    getHeaders: (fromHeight, count) => adapter.getHeaders(fromHeight, count),
    subscribeBlocks: (fromHeight: number, listener: (event: BlockEvent) => void | Promise<void>): BlockSubscription => adapter.subscribeBlocks(fromHeight, listener),
    async scanBlock(hashLE, watch) {
      const key = `s:${bytesToHex(hashLE)}:${watchKey(watch)}`;
      const hit = lru.get(key);
      if (hit?.kind === 'scan') {
        hits += 1;
        return copyScan(hit.value);
      }
      misses += 1;
      const scan = await adapter.scanBlock(hashLE, watch);
      if (headerIs(scan.header80, hashLE) && equalBytes(scan.block.hashLE, hashLE)) lru.set(key, { kind: 'scan', value: copyScan(scan) });
      return scan;
    },
    async getInclusionProof(txidLE, blockHashLE) {
      const key = `p:${bytesToHex(txidLE)}:${bytesToHex(blockHashLE)}`;
      const hit = lru.get(key);
      if (hit?.kind === 'proof') {
        hits += 1;
        return copyProof(hit.value);
      }
      misses += 1;
      const proof = await adapter.getInclusionProof(txidLE, blockHashLE);
      if (proofHolds(proof, txidLE, blockHashLE)) lru.set(key, { kind: 'proof', value: copyProof(proof) });
      return proof;
    },
    listUnspent: (script) => adapter.listUnspent(script),
    estimateFeeRate: (target) => adapter.estimateFeeRate(target),
    buildSpend: (spec) => adapter.buildSpend(spec),
    finalizeSpend: (unsigned, signatures) => adapter.finalizeSpend(unsigned, signatures),
    broadcast: (rawTx) => adapter.broadcast(rawTx),
    getTransactionStatus: (txidLE, rawTx) => adapter.getTransactionStatus(txidLE, rawTx),
    getMempoolSpends: (outpoints) => adapter.getMempoolSpends(outpoints),
    getPegInClaim: (lockTxidLE, lockVout) => adapter.getPegInClaim(lockTxidLE, lockVout),
    getUtxoSetTotal: () => adapter.getUtxoSetTotal(),
    close: () => adapter.close(),
    cacheStats: () => ({ hits, misses, size: lru.size, maxEntries }),
    clearCache: () => {
      lru.clear();
    },
  };
}
