/**
 * Stage `settle`: waits for the payout's confirmations on the destination chain, and keeps it
 * moving meanwhile: a payout the node lost is rebroadcast (the same bytes), a release that stays
 * unconfirmed for `rbf.afterBlocks` is fee-bumped (same inputs, so only one version can ever
 * confirm: payouts are tracked by the outpoints they spend, not by txid). `broadcast` -> `completed`.
 */
import { LedgerError } from '../../../ledgers/errors.js';
import type { TxStatus } from '../../../ledgers/adapter.js';
import { bytesToHex, displayToHash, hashToDisplay, hexToBytes } from '../../../proofs/bytes.js';
import { payoutRole, type RelayerContext } from '../../context.js';
import { burnsHash } from '../../detect/index.js';
import { outpointText, type PayoutTx, type Transfer } from '../../transfer.js';
import type { Stage } from '../stages.js';
import { hold, notYet } from './outcomes.js';

async function complete(ctx: RelayerContext, t: Transfer, payoutTxid: string, confirmations: number): Promise<void> {
  await ctx.store.mutate(t.id, (cur) => {
    if (cur.state !== 'broadcast' || cur.generation !== t.generation) return undefined;
    const known = [cur.payout, ...(cur.payoutHistory ?? [])].find((p) => p?.txid === payoutTxid);
    const payout = known ?? { ...cur.payout!, txid: payoutTxid, rawTx: '' };
    const history = [cur.payout, ...(cur.payoutHistory ?? [])].filter((p): p is PayoutTx => p !== undefined && p.txid !== payoutTxid);
    return { next: { ...cur, state: 'completed', payout, ...(history.length > 0 ? { payoutHistory: history } : {}) }, note: `payout ${payoutTxid} has ${confirmations} confirmations` };
  });
  if (t.direction === 'pegout') {
    await ctx.marks.recordRelease(bytesToHex(burnsHash([{ txidLE: displayToHash(t.source.txid), vout: t.source.vout }])), payoutTxid);
    await ctx.marks.unreserve(t.id, t.payout?.inputs ?? []);
  }
  ctx.log.info({ transferId: t.id, txid: payoutTxid, confirmations }, 'transfer completed');
}

async function rebroadcast(ctx: RelayerContext, t: Transfer, payout: PayoutTx): Promise<void> {
  if (payout.rawTx === '') return;
  try {
    await ctx.adapters[payoutRole(t)].broadcast(hexToBytes(payout.rawTx, 'payout.rawTx'));
    ctx.log.info({ transferId: t.id, txid: payout.txid }, 'payout rebroadcast');
  } catch (e) {
    if (!(e instanceof LedgerError) || e.code !== 'NODE_REFUSED') throw e;
  }
}

export async function settleStep(ctx: RelayerContext, t: Transfer): Promise<Stage | undefined> {
  if (t.state !== 'broadcast' || t.payout === undefined) return undefined;
  return t.direction === 'pegin' ? settleMint(ctx, t) : settleRelease(ctx, t);
}

async function settleMint(ctx: RelayerContext, t: Transfer): Promise<Stage | undefined> {
  const need = ctx.config.chains.side.confirmations;
  const claim = await ctx.adapters.side.getPegInClaim(displayToHash(t.source.txid), t.source.vout);
  if (!claim.claimed) {
    await rebroadcast(ctx, t, t.payout!);
    throw notYet(`mint ${t.payout!.txid} is not yet on the side chain`);
  }
  const mint = hashToDisplay(claim.mintTxidLE);
  if (claim.confirmations >= need) {
    await complete(ctx, t, mint, claim.confirmations);
    return undefined;
  }
  throw notYet(`mint ${mint}: ${claim.confirmations} of ${need} confirmations`);
}

async function settleRelease(ctx: RelayerContext, t: Transfer): Promise<Stage | undefined> {
  const main = ctx.adapters.main;
  const need = ctx.config.chains.main.confirmations;
  const payout = t.payout!;
  const versions = [payout, ...(t.payoutHistory ?? [])];
  const statuses: TxStatus[] = [];
  for (const v of versions) {
    const status = await main.getTransactionStatus(displayToHash(v.txid), v.rawTx === '' ? undefined : hexToBytes(v.rawTx, 'payout.rawTx'));
    if (status.state === 'confirmed') {
      if (status.confirmations >= need) {
        await complete(ctx, t, v.txid, status.confirmations);
        return undefined;
      }
      throw notYet(`release ${v.txid}: ${status.confirmations} of ${need} confirmations`);
    }
    statuses.push(status);
  }
  if (statuses.some((s) => s.state === 'mempool')) {
    await maybeBumpFee(ctx, t);
    throw notYet(`release ${payout.txid} is in the mempool`);
  }
  if (statuses.every((s) => s.state === 'unknown')) {
    await rebroadcast(ctx, t, payout);
    throw notYet(`release ${payout.txid} was not known to the node: rebroadcast`);
  }
  // an input was spent by something else: a version of this release built before Redis was lost?
  const seen = await ctx.marks.releaseFor(bytesToHex(burnsHash([{ txidLE: displayToHash(t.source.txid), vout: t.source.vout }])));
  if (seen !== undefined && !versions.some((v) => v.txid === seen)) {
    await ctx.store.mutate(t.id, (cur) =>
      cur.state === 'broadcast' && cur.generation === t.generation
        ? { next: { ...cur, payout: { txid: seen, rawTx: '', inputs: cur.payout!.inputs, fee: 0n, feeRate: 0 }, payoutHistory: versions }, note: `release ${seen} of this burn found on chain` }
        : undefined,
    );
    throw notYet(`following release ${seen}`);
  }
  const message = `the inputs of release ${payout.txid} were spent by a transaction this operator did not build`;
  await ctx.controls.alert('PAYOUT_CONFLICT', `${t.id}: ${message}`, { transferId: t.id, txid: payout.txid });
  await hold(ctx, t, { code: 'PAYOUT_CONFLICT', message });
  return undefined;
}

/** Replaces an unconfirmed release with a higher fee rate once it waited `rbf.afterBlocks` blocks. */
async function maybeBumpFee(ctx: RelayerContext, t: Transfer): Promise<void> {
  const main = ctx.adapters.main;
  const payout = t.payout!;
  const { afterBlocks, factor, maxFeeRate } = ctx.config.rbf;
  const tip = await main.getTip();
  if (payout.broadcastHeight === undefined || tip.height - payout.broadcastHeight < afterBlocks) return;
  const feeRate = Math.min(maxFeeRate, Math.ceil(Math.max(payout.feeRate, 1) * factor));
  if (feeRate <= payout.feeRate) return;
  const wanted = new Set(payout.inputs);
  const inputs = (await main.listUnspent(ctx.lockScript)).filter((u) => wanted.has(outpointText(u)));
  if (inputs.length !== wanted.size) return; // an input is gone: the next status check tells why
  const hashLE = burnsHash([{ txidLE: displayToHash(t.source.txid), vout: t.source.vout }]);
  const destination = hexToBytes(t.destination, 'destination');
  const build = (value: bigint) => main.buildSpend({ kind: 'release', federation: ctx.federation, inputs, payouts: [{ value, scriptPubKey: destination }], burnsHashLE: hashLE, feeRate });
  const fee = build(1n).fee;
  if (t.amount - fee <= ctx.config.limits.dust) return;
  const unsigned = build(t.amount - fee);
  const signatures = await ctx.signer.collect({
    transferId: t.id,
    unsigned,
    expect: { kind: 'release', inputs, destination, maxPayout: t.amount, burned: t.amount, burnsHashLE: hashLE },
  });
  const raw = main.finalizeSpend(unsigned, signatures);
  const bumped: PayoutTx = { txid: hashToDisplay(unsigned.txidLE), rawTx: bytesToHex(raw), inputs: payout.inputs, fee: unsigned.fee, feeRate, broadcastHeight: tip.height };
  const stored = await ctx.store.mutate(t.id, (cur) =>
    cur.state === 'broadcast' && cur.payout?.txid === payout.txid
      ? { next: { ...cur, payout: bumped, payoutHistory: [payout, ...(cur.payoutHistory ?? [])] }, note: `fee bump: ${payout.txid} (${payout.feeRate}/vB) replaced by ${bumped.txid} (${feeRate}/vB), same inputs` }
      : undefined,
  );
  if (stored.payout?.txid !== bumped.txid) return;
  await rebroadcast(ctx, t, bumped);
  ctx.log.info({ transferId: t.id, from: payout.txid, to: bumped.txid, feeRate }, 'release fee bumped');
}
