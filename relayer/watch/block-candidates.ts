/**
 * What one best-chain block holds for the bridge, as the watcher and `rescan` both read it: on the
 * main chain, the releases (recorded at once, by the burns hash their memo carries: a release's
 * lock outputs are its change, not deposits) and the lock outputs; on the side chain, the burns.
 * Bad deposits come back as candidates with their rejection reason.
 */
import { bytesToHex, hashToDisplay } from '../../proofs/bytes.js';
import type { RelayerContext } from '../context.js';
import { detectBurns, detectLocks, detectReleases } from '../detect/index.js';
import type { ChainRole } from '../store/keys.js';
import type { Candidate } from './record-transfers.js';

export async function blockCandidates(ctx: RelayerContext, role: ChainRole, hashLE: Uint8Array): Promise<{ candidates: Candidate[]; releases: number }> {
  const scanned = await ctx.adapters[role].scanBlock(hashLE, { scripts: [ctx.lockScript] });
  const candidates: Candidate[] = [];
  let releases = 0;
  for (const stx of scanned.transactions) {
    if (role === 'side') {
      candidates.push(...detectBurns(stx.rawTx, { dust: ctx.config.limits.dust, lockScript: ctx.lockScript }));
      continue;
    }
    const release = detectReleases(stx.rawTx, { lockScript: ctx.lockScript });
    if (release !== null) {
      await ctx.marks.recordRelease(bytesToHex(release.burnsHashLE), hashToDisplay(release.txidLE));
      releases++;
      continue;
    }
    candidates.push(...detectLocks(stx.rawTx, { lockScript: ctx.lockScript, dust: ctx.config.limits.dust, mintFee: ctx.config.fees.mint, isCoinbase: stx.index === 0 }));
  }
  return { candidates, releases };
}
