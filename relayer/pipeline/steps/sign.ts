/**
 * Stage `sign`: builds the payout, has the federation sign it, and stores the signed transaction
 * before anything is broadcast. Before it builds anything it re-reads the transfer and the chains:
 * the source must still be proven on this operator's best chain; a peg-in asks the side chain
 * whether the lock outpoint is already claimed; a peg-out looks for a release of its burn already
 * on the main chain or in its mempool. `verified` -> `signing` (with the payout stored) -> hands over to `broadcast`.
 */
import { bytesToHex, displayToHash, hashToDisplay, hexToBytes } from '../../../proofs/bytes.js';
import type { RelayerContext } from '../../context.js';
import { burnsHash } from '../../detect/index.js';
import { RelayerError } from '../../errors.js';
import { outpointText, type PayoutTx, type Transfer } from '../../transfer.js';
import type { Stage } from '../stages.js';
import { assertNotPaused, hold, notYet } from './outcomes.js';
import { proveOrLeave, type ProvenSource } from './verify.js';
import { buildRelease } from './build-release.js';
import { readMempoolReleases } from '../../chain/mempool-releases.js';

/** Re-proves the source right before signing; undefined when the transfer left the pipeline. */
async function reprove(ctx: RelayerContext, t: Transfer): Promise<ProvenSource | undefined> {
  const source = await proveOrLeave(ctx, t);
  if (source === undefined) return undefined;
  if (source.amount !== t.amount || bytesToHex(source.destination) !== t.destination) {
    await hold(ctx, t, { code: 'PROOF_CHANGED', message: 'the proven amount or destination differs from the one verified earlier' });
    return undefined;
  }
  return source;
}

/** Stores the signed payout (`signing` with a payout): the broadcast stage sends exactly these bytes. */
async function storePayout(ctx: RelayerContext, t: Transfer, payout: PayoutTx, signatures: ReadonlyMap<number, readonly Uint8Array[]>, note: string): Promise<Stage | undefined> {
  const stored = await ctx.store.mutate(t.id, (cur) => {
    if (cur.generation !== t.generation || (cur.state !== 'verified' && cur.state !== 'signing') || cur.payout !== undefined) return undefined;
    const sigs = Object.fromEntries([...signatures].map(([k, list]) => [String(k), list.map(bytesToHex)]));
    return { next: { ...cur, state: 'signing', payout, signatures: sigs }, note };
  });
  return stored.payout?.txid === payout.txid && stored.state === 'signing' ? 'broadcast' : undefined;
}

/** A payout found already on chain (after a crash or a lost Redis): follow it instead of building one. */
async function adoptPayout(ctx: RelayerContext, t: Transfer, payout: PayoutTx, note: string): Promise<Stage | undefined> {
  const stored = await ctx.store.mutate(t.id, (cur) => {
    if (cur.generation !== t.generation || cur.state === 'completed' || cur.state === 'broadcast') return undefined;
    return { next: { ...cur, state: 'broadcast', payout }, note };
  });
  return stored.state === 'broadcast' ? 'settle' : undefined;
}

async function markSigning(ctx: RelayerContext, t: Transfer): Promise<boolean> {
  const cur = await ctx.store.mutate(t.id, (c) =>
    c.state === 'verified' && c.generation === t.generation ? { next: { ...c, state: 'signing' }, note: 'building the payout' } : undefined,
  );
  return cur.state === 'signing' && cur.generation === t.generation;
}

export async function signStep(ctx: RelayerContext, t: Transfer): Promise<Stage | undefined> {
  if (t.state === 'signing' && t.payout !== undefined) return 'broadcast';
  if (t.state !== 'verified' && t.state !== 'signing') return undefined;
  await assertNotPaused(ctx, t);
  const source = await reprove(ctx, t);
  if (source === undefined) return undefined;
  if (!(await markSigning(ctx, t))) return undefined;
  return t.direction === 'pegin' ? signMint(ctx, t, source) : signRelease(ctx, t, source);
}

async function signMint(ctx: RelayerContext, t: Transfer, source: ProvenSource): Promise<Stage | undefined> {
  const side = ctx.adapters.side;
  const lockTxidLE = displayToHash(t.source.txid);
  if (source.proof.kind !== 'merkleblock') {
    await hold(ctx, t, { code: 'PROOF_WRONG_SHAPE', message: `a mint carries a merkleblock proof; the main chain's adapter gave a '${source.proof.kind}' proof` });
    return undefined;
  }
  const payoutAmount = t.payoutAmount;
  if (payoutAmount === undefined || payoutAmount <= 0n) throw new RelayerError('SIGNER_REFUSED', `${t.id}: no payout amount was verified`);
  const unsigned = side.buildSpend({
    kind: 'mint',
    federation: ctx.federation,
    lockTxidLE,
    lockVout: t.source.vout,
    destinationScript: hexToBytes(t.destination, 'destination'),
    amount: payoutAmount,
    proof: source.proof,
  });
  // exactly once: the side chain is the judge of whether this lock outpoint was claimed
  const claim = await side.getPegInClaim(lockTxidLE, t.source.vout);
  if (claim.claimed) {
    const ours = hashToDisplay(claim.mintTxidLE) === hashToDisplay(unsigned.txidLE);
    const payout: PayoutTx = { txid: hashToDisplay(claim.mintTxidLE), rawTx: '', inputs: [`${t.source.txid}:${t.source.vout}`], fee: 0n, feeRate: 0 };
    if (!ours) await ctx.controls.alert('CLAIMED_BY_OTHER_MINT', `${t.id}: the lock outpoint is claimed by mint ${payout.txid}, not the one this operator builds`, { transferId: t.id, mint: payout.txid });
    return adoptPayout(ctx, t, payout, `lock outpoint already claimed by mint ${payout.txid}${ours ? ' (this operator\'s)' : ' (not built by this operator)'}`);
  }
  const signatures = await ctx.signer.collect({
    transferId: t.id,
    unsigned,
    expect: { kind: 'mint', lockTxidLE, lockVout: t.source.vout, destination: hexToBytes(t.destination, 'destination'), amount: payoutAmount },
  });
  const raw = side.finalizeSpend(unsigned, signatures);
  const payout: PayoutTx = { txid: hashToDisplay(unsigned.txidLE), rawTx: bytesToHex(raw), inputs: [`${t.source.txid}:${t.source.vout}`], fee: ctx.config.fees.mint, feeRate: 0 };
  ctx.log.info({ transferId: t.id, mint: payout.txid }, 'mint signed');
  return storePayout(ctx, t, payout, signatures, `mint ${payout.txid} signed`);
}

/** NOT_YET until the main watcher has scanned (and recorded the releases of) every block up to `height`. */
async function assertMainScanned(ctx: RelayerContext, height: number): Promise<void> {
  const scanned = await ctx.marks.cursor('main');
  if (scanned === undefined || scanned.height < height) {
    throw notYet(`the main chain is scanned up to ${scanned?.height ?? 'no block'} of ${height}: a release of this burn may be in a block not scanned yet`);
  }
}

async function signRelease(ctx: RelayerContext, t: Transfer, _source: ProvenSource): Promise<Stage | undefined> {
  const main = ctx.adapters.main;
  const burnOutpoint = { txidLE: displayToHash(t.source.txid), vout: t.source.vout };
  const hashLE = burnsHash([burnOutpoint]);
  const hashHex = bytesToHex(hashLE);
  // exactly once: a release of this burn in the main mempool or on the main chain is followed, not
  // rebuilt. The order matters: the lock outputs, then their mempool spends, then the node's tip;
  // then the main chain must be scanned up to that tip. A release that left the mempool for a
  // block before the mempool was read is then in the releases the watcher recorded. (After a lost
  // Redis the main watcher starts over while the side watcher re-records the burns: a release may
  // sit in a block not scanned yet.) listUnspent can be slow (a scan of the node's UTXO set): not
  // while the watcher is visibly behind.
  await assertMainScanned(ctx, ctx.light.main.chain.tipHeight);
  const lockOutputs = await main.listUnspent(ctx.lockScript);
  const mempool = await readMempoolReleases(ctx, lockOutputs);
  await assertMainScanned(ctx, Math.max(mempool.tip.height, ctx.light.main.chain.tipHeight));
  const existing = await ctx.marks.releaseFor(hashHex);
  if (existing !== undefined) {
    return adoptPayout(ctx, t, { txid: existing, rawTx: '', inputs: [], fee: 0n, feeRate: 0 }, `release ${existing} of this burn found on the main chain`);
  }
  const pending = mempool.releases.get(hashHex);
  if (pending !== undefined) {
    if (!(await ctx.marks.reserve(t.id, pending.inputs))) ctx.log.warn({ transferId: t.id, release: pending.txid }, 'an input of the release found in the mempool is reserved by another transfer');
    return adoptPayout(ctx, t, pending, `release ${pending.txid} of this burn found in the main mempool`);
  }
  const available = lockOutputs.filter((u) => u.confirmations >= 1 && !mempool.spent.has(outpointText(u)));
  const feeRate = await main.estimateFeeRate(ctx.config.fees.releaseTargetBlocks);
  const built = await buildRelease(ctx, t, hashLE, feeRate, available);
  if (built.kind === 'wait') throw notYet(built.reason);
  if (built.kind === 'refuse') {
    await hold(ctx, t, built.reason);
    return undefined;
  }
  const { unsigned, inputs } = built;
  const signatures = await ctx.signer.collect({
    transferId: t.id,
    unsigned,
    expect: { kind: 'release', inputs, destination: hexToBytes(t.destination, 'destination'), maxPayout: t.amount, burned: t.amount, burnsHashLE: hashLE },
  });
  const raw = main.finalizeSpend(unsigned, signatures);
  const payout: PayoutTx = {
    txid: hashToDisplay(unsigned.txidLE),
    rawTx: bytesToHex(raw),
    inputs: inputs.map(outpointText),
    fee: unsigned.fee,
    feeRate,
  };
  ctx.log.info({ transferId: t.id, release: payout.txid, fee: unsigned.fee.toString() }, 'release signed');
  return storePayout(ctx, t, payout, signatures, `release ${payout.txid} signed (fee ${unsigned.fee} at ${feeRate}/vB)`);
}
