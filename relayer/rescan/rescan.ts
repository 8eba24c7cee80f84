/**
 * `rescan`: rebuilds every transfer record from the chains, for when Redis was lost (or to check
 * the records against the chains). The chains are the ground truth:
 * - every lock on the main chain's best chain (from `startHeight`) and every burn on the side
 *   chain's is recorded again (`rejected` with its reason when it is bad input);
 * - a lock whose outpoint the side chain says is claimed is recorded with that mint as its payout
 *   (`completed` once the mint has its confirmations, else `broadcast`, which `settle` follows);
 * - a burn whose release (the `UBR1 0x03` memo carrying its burns hash) is on the main chain is
 *   recorded with that release, the same way; so is one whose release waits in the main node's
 *   mempool (`broadcast`, with the release's bytes, so that settle can rebroadcast or fee-bump it);
 * - everything else starts again at `seen`, and the pipeline takes it from there; its payout is
 *   built again, and the side chain's one-claim-per-outpoint rule and the release lookups (chain and
 *   mempool) keep anything from being paid twice.
 * Each payout found is counted in its direction's 24-hour cap window from the time of its block.
 * Records that already exist are left alone (rescan never moves a transfer backwards). At the end
 * the watchers' cursors are set to the tips it scanned and every moving transfer is queued.
 */
import type { BlockRef } from '../../ledgers/adapter.js';
import { bytesToHex, displayToHash, hashToDisplay } from '../../proofs/bytes.js';
import { readHeaderTime } from '../../proofs/bitcoin/header.js';
import { payoutRole, type RelayerContext } from '../context.js';
import { burnsHash } from '../detect/index.js';
import type { ChainRole } from '../store/keys.js';
import { readMempoolReleases, type MempoolReleases } from '../chain/mempool-releases.js';
import type { PayoutTx, Transfer } from '../transfer.js';
import { blockCandidates } from '../watch/block-candidates.js';
import { recordTransfers, type Candidate } from '../watch/record-transfers.js';
import { sweep } from '../watch/sweeper.js';

export interface RescanReport {
  readonly main: { readonly from: number; readonly to: number; readonly locks: number; readonly releases: number };
  readonly side: { readonly from: number; readonly to: number; readonly burns: number };
  /** Records written: new transfers, by the state they were given. */
  readonly recorded: Readonly<Record<string, number>>;
  /** Transfers queued for the pipeline afterwards. */
  readonly queued: number;
}

interface Found {
  readonly block: BlockRef;
  readonly candidates: Candidate[];
}

async function scanChain(ctx: RelayerContext, role: ChainRole, onProgress?: (role: ChainRole, height: number, tip: number) => void): Promise<{ from: number; to: number; blocks: Found[]; releases: number }> {
  const light = ctx.light[role];
  await light.sync();
  const chain = light.chain;
  const from = Math.max(ctx.config.chains[role].startHeight, chain.anchor.height);
  const to = chain.tipHeight;
  const blocks: Found[] = [];
  let releases = 0;
  for (let h = from; h <= to; h++) {
    const hashLE = chain.hashAtHeight(h)!;
    const found = await blockCandidates(ctx, role, hashLE);
    const candidates = found.candidates;
    releases += found.releases;
    if (candidates.length > 0) blocks.push({ block: { height: h, hashLE }, candidates });
    if (h % 1000 === 0) onProgress?.(role, h, to);
  }
  await ctx.marks.setCursor(role, { height: to, hash: hashToDisplay(chain.hashAtHeight(to)!) });
  return { from, to, blocks, releases };
}

/** Where rescan found a payout: in a block of its chain (with its confirmations), or in the mempool. */
interface FoundPayout {
  readonly payout: PayoutTx;
  readonly block?: BlockRef;
  readonly confirmations: number;
}

/**
 * Moves a just-recorded `seen` transfer to the payout the chain already holds, and counts it in its
 * direction's cap window from the time of the payout's block (now, for one in the mempool), as it
 * was counted before Redis was lost.
 */
async function adopt(ctx: RelayerContext, t: Transfer, found: FoundPayout): Promise<string> {
  const role = payoutRole(t);
  const needed = ctx.config.chains[role].confirmations;
  const state = found.confirmations >= needed ? 'completed' : 'broadcast';
  const amount = t.amount;
  const where = found.block === undefined ? 'in the mempool' : `on chain (${found.confirmations} confirmations)`;
  const stored = await ctx.store.mutate(t.id, (cur) =>
    cur.state === 'seen' && cur.generation === t.generation
      ? {
          next: { ...cur, state, payout: found.payout, ...(t.direction === 'pegin' ? { payoutAmount: amount - ctx.config.fees.mint } : {}) },
          note: `rescan: payout ${found.payout.txid} found ${where}`,
        }
      : undefined,
  );
  if (stored.payout?.txid !== found.payout.txid) return stored.state;
  const header = found.block === undefined ? undefined : await ctx.adapters[role].getHeader(found.block.hashLE);
  await ctx.governor.restore(t.direction, t.id, t.amount, header === undefined ? Date.now() : readHeaderTime(header) * 1000);
  return state;
}

export async function rescan(ctx: RelayerContext, onProgress?: (role: ChainRole, height: number, tip: number) => void): Promise<RescanReport> {
  const recorded: Record<string, number> = {};
  const count = (state: string): void => {
    recorded[state] = (recorded[state] ?? 0) + 1;
  };
  // releases first (main), so that burns find theirs
  const main = await scanChain(ctx, 'main', onProgress);
  const side = await scanChain(ctx, 'side', onProgress);
  // the main mempool's releases, read once (only when a burn has no release in a block)
  let mempool: Promise<MempoolReleases> | undefined;
  const pendingReleases = (): Promise<MempoolReleases> =>
    (mempool ??= (async () => readMempoolReleases(ctx, await ctx.adapters.main.listUnspent(ctx.lockScript)))());
  /** The payout of a transfer already on chain (or in the main mempool), if any. */
  const findPayout = async (t: Transfer): Promise<FoundPayout | undefined> => {
    if (t.direction === 'pegin') {
      const claim = await ctx.adapters.side.getPegInClaim(displayToHash(t.source.txid), t.source.vout);
      if (!claim.claimed) return undefined;
      const payout: PayoutTx = { txid: hashToDisplay(claim.mintTxidLE), rawTx: '', inputs: [`${t.source.txid}:${t.source.vout}`], fee: ctx.config.fees.mint, feeRate: 0 };
      return { payout, confirmations: claim.confirmations, ...(claim.block === undefined ? {} : { block: claim.block }) };
    }
    const hashHex = bytesToHex(burnsHash([{ txidLE: displayToHash(t.source.txid), vout: t.source.vout }]));
    const releaseTxid = await ctx.marks.releaseFor(hashHex);
    if (releaseTxid !== undefined) {
      const status = await ctx.adapters.main.getTransactionStatus(displayToHash(releaseTxid));
      const payout: PayoutTx = { txid: releaseTxid, rawTx: '', inputs: [], fee: 0n, feeRate: 0 };
      return status.state === 'confirmed' ? { payout, confirmations: status.confirmations, block: status.block } : { payout, confirmations: 0 };
    }
    // a release signed and sent before Redis was lost, still waiting for a block: follow it
    const pending = (await pendingReleases()).releases.get(hashHex);
    if (pending === undefined) return undefined;
    await ctx.marks.reserve(t.id, pending.inputs);
    return { payout: pending, confirmations: 0 };
  };
  const sources = { main: 0, side: 0 };
  for (const [role, scanned] of [['main', main], ['side', side]] as const) {
    for (const { block, candidates } of scanned.blocks) {
      const fresh = await recordTransfers(ctx, role, role === 'main' ? 'pegin' : 'pegout', block, candidates);
      sources[role] += candidates.length;
      for (const c of candidates) if (c.rejection !== undefined) count('rejected');
      for (const t of fresh) {
        if (t.state !== 'seen' || t.generation !== 0) continue;
        const found = await findPayout(t);
        count(found === undefined ? 'seen' : await adopt(ctx, t, found));
      }
    }
  }
  const { queued } = await sweep(ctx);
  return {
    main: { from: main.from, to: main.to, locks: sources.main, releases: main.releases },
    side: { from: side.from, to: side.to, burns: sources.side },
    recorded,
    queued,
  };
}
