/**
 * The watcher of one chain: only the holder of the chain's lease runs it (relayer/redis/lease.ts),
 * so several processes of a deployment can run and one takes over when another dies. It follows
 * the adapter's block stream from its persisted cursor, feeds every header through this operator's
 * light client (validated, saved to Redis), scans each best-chain block for locks and releases
 * (main) or burns (side), records the transfers and queues them, moves the transfers of blocks that
 * left the best chain, and runs the reserve check after every block.
 */
import type { BlockEvent, BlockRef, BlockSubscription } from '../../ledgers/adapter.js';
import { displayToHash, equalBytes, hashToDisplay } from '../../proofs/bytes.js';
import type { Reorg } from '../../proofs/bitcoin/header-chain.js';
import type { RelayerContext } from '../context.js';
import type { ChainRole } from '../store/keys.js';
import { isHeaderRefusal } from '../chain/light-client.js';
import { sourceReorged } from '../pipeline/steps/outcomes.js';
import { blockCandidates } from './block-candidates.js';
import { recordTransfers } from './record-transfers.js';
import { checkReserve } from './reserve-check.js';

/** Save the light client at most this often (ms); and at shutdown. */
const SAVE_EVERY_MS = 5_000;

/** How long a watcher leaves a node alone after it served a header the light client refused. */
const REFUSAL_BACKOFF_MS = 10_000;

export class Watcher {
  private lastSave = 0;
  private refused: { at: number; error: unknown } | undefined;
  private subscription: BlockSubscription | undefined;

  constructor(
    private readonly ctx: RelayerContext,
    readonly role: ChainRole,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  /** Runs until `signal` aborts (the lease was lost or the process stops). */
  async run(signal: AbortSignal): Promise<void> {
    const { ctx, role } = this;
    const light = ctx.light[role];
    const log = ctx.log.child({ chain: role });
    light.collectReorgs(true);
    try {
      await light.sync();
    } catch (e) {
      await this.reportRefusal(e).catch(() => {});
      throw e;
    }
    await this.handleReorgs(light.takeReorgs());
    const from = await this.resumeHeight();
    log.info({ from, tip: light.chain.tipHeight }, 'watcher started');
    this.subscription = ctx.adapters[role].subscribeBlocks(from, (event) => this.onEvent(event));
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await this.subscription.close();
    this.subscription = undefined;
    light.collectReorgs(false);
    await light.save(ctx.redis, ctx.store.keys.headers(role));
    log.info('watcher stopped');
  }

  /**
   * Where to start: above the cursor when the cursor's block is still on the best chain; else above
   * the fork, after moving the transfers of the blocks between (they left the best chain while
   * this watcher was away).
   */
  private async resumeHeight(): Promise<number> {
    const { ctx, role } = this;
    const chain = ctx.light[role].chain;
    const cursor = await ctx.marks.cursor(role);
    if (cursor === undefined) return Math.max(ctx.config.chains[role].startHeight, chain.anchor.height);
    const hashLE = displayToHash(cursor.hash);
    if (chain.isOnBestChain(hashLE)) return cursor.height + 1;
    if (!chain.has(hashLE)) {
      // a cursor block this light client never saw (its saved chain was lost): rescan from a safe depth
      return Math.max(chain.anchor.height, cursor.height - 100);
    }
    let h = cursor.height;
    while (h > chain.anchor.height) {
      const a = chain.ancestor(hashLE, h);
      const best = chain.hashAtHeight(h);
      if (a !== undefined && best !== undefined && equalBytes(a, best)) break;
      if (a !== undefined) await this.blockRemoved(hashToDisplay(a));
      h--;
    }
    await ctx.marks.setCursor(role, { height: h, hash: hashToDisplay(chain.hashAtHeight(h)!) });
    return h + 1;
  }

  private async blockRemoved(blockHash: string): Promise<void> {
    for (const id of await this.ctx.store.idsInBlock(this.role, blockHash)) await sourceReorged(this.ctx, id, blockHash);
  }

  private async handleReorgs(reorgs: readonly Reorg[]): Promise<void> {
    for (const r of reorgs) {
      this.ctx.log.warn({ chain: this.role, fork: r.fork.height, removed: r.removed.length, added: r.added.length }, 'reorg');
      for (const b of r.removed) await this.blockRemoved(hashToDisplay(b.hashLE));
    }
  }

  private async onEvent(event: BlockEvent): Promise<void> {
    // a node serving a refused header is not asked again at every poll: back off for a while
    if (this.refused !== undefined && Date.now() - this.refused.at < REFUSAL_BACKOFF_MS) throw this.refused.error;
    this.refused = undefined;
    try {
      const light = this.ctx.light[this.role];
      await light.sync();
      await this.handleReorgs(light.takeReorgs());
      if (event.type === 'reorg') {
        // the node's word is only a hint: a block leaves only when this operator's best chain says so
        for (const b of event.removed) if (!light.isOnBestChain(b.hashLE)) await this.blockRemoved(hashToDisplay(b.hashLE));
        return;
      }
      if (!light.holdsOnBest(event.block)) {
        this.ctx.log.debug({ chain: this.role, height: event.block.height }, 'block not on this operator\'s best chain: skipped');
        return;
      }
      await this.catchUp(event.block);
      await this.processBlock(event.block);
    } catch (e) {
      this.onError(e);
      await this.reportRefusal(e).catch(() => {});
      throw e; // the stream delivers this block again
    }
  }

  /**
   * A header this operator's light client refuses (bad PoW, bad difficulty, a time rule...) means
   * the node lies or is broken: no block above it can be processed until it answers otherwise. Tell
   * the operator with a NODE_FAULTY alert (once per refusal, not once per retry).
   */
  private async reportRefusal(e: unknown): Promise<void> {
    if (!isHeaderRefusal(e)) return;
    this.refused = { at: Date.now(), error: e };
    const { ctx, role } = this;
    const message = `the ${role} node (${ctx.adapters[role].info.chainId}) serves a header this operator's light client refuses: ${e.code}: ${e.message}; no ${role} block above it is processed until the node is fixed or replaced`;
    const recent = await ctx.controls.alerts(20);
    if (!recent.some((a) => a.kind === 'NODE_FAULTY' && a.message === message)) {
      await ctx.controls.alert('NODE_FAULTY', message, { chain: role, code: e.code });
      ctx.log.error({ chain: role, alert: 'NODE_FAULTY', code: e.code }, message);
    }
  }

  /**
   * Scans the best-chain blocks below `block` that this watcher never scanned: the stream delivered
   * them while this operator's best chain was another branch (a tie of work, or a reorg the node
   * made before this light client followed it), so they were skipped then. They lie between the
   * fork of the cursor's branch and `block`.
   */
  private async catchUp(block: BlockRef): Promise<void> {
    const chain = this.ctx.light[this.role].chain;
    const cursor = await this.ctx.marks.cursor(this.role);
    if (cursor === undefined) return;
    const cursorLE = displayToHash(cursor.hash);
    if (!chain.has(cursorLE)) return;
    let h = Math.min(cursor.height, block.height - 1);
    while (h > chain.anchor.height) {
      const a = chain.ancestor(cursorLE, h);
      const best = chain.hashAtHeight(h);
      if (a !== undefined && best !== undefined && equalBytes(a, best)) break;
      h--;
    }
    for (let k = h + 1; k < block.height; k++) {
      const hashLE = chain.hashAtHeight(k);
      if (hashLE === undefined) return;
      this.ctx.log.info({ chain: this.role, height: k }, 'scanning a best-chain block skipped when it arrived (another branch was best then)');
      await this.processBlock({ height: k, hashLE });
    }
  }

  /** Scans one best-chain block, records what it holds, moves the cursor, checks the reserve. */
  async processBlock(block: BlockRef): Promise<void> {
    const { ctx, role } = this;
    const { candidates } = await blockCandidates(ctx, role, block.hashLE);
    const toConfirm = await recordTransfers(ctx, role, role === 'main' ? 'pegin' : 'pegout', block, candidates);
    await ctx.pipeline.enqueueMany(toConfirm.map((t) => ({ stage: 'confirm' as const, transfer: t })));
    await ctx.marks.setCursor(role, { height: block.height, hash: hashToDisplay(block.hashLE) });
    if (Date.now() - this.lastSave >= SAVE_EVERY_MS) {
      this.lastSave = Date.now();
      await ctx.light[role].save(ctx.redis, ctx.store.keys.headers(role));
    }
    await checkReserve(ctx);
  }
}
