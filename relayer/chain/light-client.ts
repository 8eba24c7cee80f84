/**
 * This operator's proof-of-work light client of one chain: a HeaderChain (proofs/) fed with raw
 * headers from the chain's adapter. Every header is validated here (PoW, retarget, timestamps);
 * a node that serves a bad header gets a ProofError: the bad header and everything after it are
 * dropped (the valid headers before it in the same batch are kept: each passed every rule). The
 * best chain is the one with the most work this operator has validated, whatever the node says.
 *
 * Sync: find where the node's best chain meets ours (walking down by height), then fetch the node's
 * headers above it in batches. A node branch with more work becomes our best chain; the reorgs are
 * returned so that the watcher can move the transfers of removed blocks.
 *
 * Persistence: the watcher that holds the chain's lease saves the chain to Redis (`headers:<role>`)
 * and every process restores it at start, then syncs (and validates) from there.
 */
import type { Redis } from 'ioredis';
import type { BlockRef, LedgerAdapter } from '../../ledgers/adapter.js';
import { equalBytes, hashToDisplay } from '../../proofs/bytes.js';
import { HeaderChain, type Anchor, type Reorg } from '../../proofs/bitcoin/header-chain.js';
import { sha256d } from '../../proofs/hash.js';
import { ProofError } from '../../proofs/errors.js';
import { RelayerError } from '../errors.js';

const BATCH = 2000;

export interface LightClientOptions {
  /** A trusted checkpoint (default: the network's genesis). */
  readonly anchor?: { readonly height: number; readonly header: Uint8Array };
  /** Unix seconds, for the header time rule (tests). */
  readonly now?: () => number;
}

export interface SyncResult {
  readonly tip: BlockRef;
  readonly added: number;
  readonly reorgs: readonly Reorg[];
}

export class LightClient {
  private running: Promise<SyncResult> | undefined;
  private lastSync = 0;
  /** Reorgs seen by any sync (a worker's too) since the watcher last took them; undefined: nobody collects. */
  private pending: Reorg[] | undefined;

  private constructor(
    readonly adapter: LedgerAdapter,
    private chain_: HeaderChain,
  ) {}

  /** A light client from the saved chain in Redis (when `redisKey` holds one), else from the anchor. */
  static async open(adapter: LedgerAdapter, options: LightClientOptions & { redis?: Redis; redisKey?: string } = {}): Promise<LightClient> {
    const params = adapter.info.params;
    const hcOptions = options.now === undefined ? {} : { now: options.now };
    if (options.redis !== undefined && options.redisKey !== undefined) {
      const saved = await options.redis.getBuffer(options.redisKey);
      if (saved !== null) {
        const chain = HeaderChain.restore(params, new Uint8Array(saved), hcOptions);
        const wanted = options.anchor?.height ?? 0;
        // the same height is not enough: another header there is another anchor (the genesis is checked by restore)
        const sameHeader = options.anchor === undefined || equalBytes(chain.anchor.hashLE, sha256d(options.anchor.header));
        if (chain.anchor.height === wanted && sameHeader) return new LightClient(adapter, chain);
        // the configured anchor changed: start again from it rather than trust the old file
      }
    }
    if (options.anchor === undefined) return new LightClient(adapter, HeaderChain.fromGenesis(params, hcOptions));
    const anchor: Anchor = { header80: options.anchor.header, height: options.anchor.height, chainWork: 1n };
    return new LightClient(adapter, HeaderChain.fromAnchor(params, anchor, hcOptions));
  }

  get chain(): HeaderChain {
    return this.chain_;
  }

  /** Saves the chain under `key` (the watcher does this after it processed blocks). */
  async save(redis: Redis, key: string): Promise<void> {
    await redis.set(key, Buffer.from(this.chain_.save()));
  }

  /**
   * Starts (or stops) keeping the reorgs that syncs find, whoever runs them, until `takeReorgs`:
   * the watcher must see every reorg, also one that a worker's sync happened to find first.
   */
  collectReorgs(on: boolean): void {
    this.pending = on ? (this.pending ?? []) : undefined;
  }

  /** The reorgs found since the last call (oldest first), when collecting. */
  takeReorgs(): Reorg[] {
    const out = this.pending ?? [];
    if (this.pending !== undefined) this.pending = [];
    return out;
  }

  /** Syncs unless a sync finished less than `maxAgeMs` ago. */
  async syncIfOlder(maxAgeMs: number): Promise<SyncResult | undefined> {
    if (Date.now() - this.lastSync < maxAgeMs && this.running === undefined) return undefined;
    return this.sync();
  }

  /** Brings the chain up to the node's tip; one sync at a time (a second caller shares the first's). */
  sync(): Promise<SyncResult> {
    if (this.running !== undefined) return this.running;
    this.running = this.doSync().finally(() => {
      this.running = undefined;
      this.lastSync = Date.now();
    });
    return this.running;
  }

  private async doSync(): Promise<SyncResult> {
    const adapter = this.adapter;
    const chain = this.chain_;
    const nodeTip = await adapter.getTip();
    const reorgs: Reorg[] = [];
    let added = 0;
    if (chain.has(nodeTip.hashLE)) return { tip: chain.tip, added, reorgs };
    // where the node's best chain meets the headers we hold
    let h = Math.min(chain.tipHeight, nodeTip.height);
    for (;;) {
      if (h < chain.anchor.height) {
        throw new RelayerError('LIGHT_CLIENT_BEHIND', `${adapter.info.chainId}: the node's best chain does not contain this operator's anchor ${hashToDisplay(chain.anchor.hashLE)} at height ${chain.anchor.height}`, {
          details: { chainId: adapter.info.chainId },
        });
      }
      const hash = await adapter.getBlockHash(h);
      if (hash !== undefined && chain.has(hash)) break;
      h--;
    }
    for (let from = h + 1; from <= nodeTip.height; ) {
      const headers = await adapter.getHeaders(from, Math.min(BATCH, nodeTip.height - from + 1));
      if (headers.length === 0) break;
      for (const header of headers) {
        const r = chain.add(header); // throws ProofError on a header that breaks a rule
        if (r.status === 'reorg') {
          reorgs.push(r.reorg);
          this.pending?.push(r.reorg);
        }
        if (r.status !== 'duplicate') added++;
      }
      from += headers.length;
    }
    return { tip: chain.tip, added, reorgs };
  }

  /** Confirmations of a block on this operator's best chain (0: known but not on it; undefined: unknown). */
  confirmations(hashLE: Uint8Array): number | undefined {
    return this.chain_.confirmations(hashLE);
  }

  isOnBestChain(hashLE: Uint8Array): boolean {
    return this.chain_.isOnBestChain(hashLE);
  }

  /** True when `block` is the block at its height on this operator's best chain. */
  holdsOnBest(block: BlockRef): boolean {
    const at = this.chain_.hashAtHeight(block.height);
    return at !== undefined && equalBytes(at, block.hashLE);
  }
}

/** True for the errors a lying or broken node causes in the light client. */
export function isHeaderRefusal(e: unknown): e is ProofError {
  return e instanceof ProofError;
}
