/**
 * Stage `verify`: the inclusion proof of the source transaction, fetched from the node and checked
 * against this operator's own header chain (PoW, best chain, confirmations); then the amount, the
 * memo and the destination re-derived from the proven bytes, never from what the node or the job
 * said; then the governor's caps. `confirming` -> `verified` (or `held`, `rejected`, `reorged`).
 */
import { bytesToHex, displayToHash, equalBytes, hashToDisplay } from '../../../proofs/bytes.js';
import { ProofError } from '../../../proofs/errors.js';
import { verifyInclusion, type InclusionProof, type VerifiedInclusion } from '../../../proofs/bitcoin/inclusion.js';
import { encodeTransaction } from '../../../proofs/bitcoin/transaction.js';
import { sourceRole, type RelayerContext } from '../../context.js';
import { detectBurns, detectLocks } from '../../detect/index.js';
import type { Reason, Transfer } from '../../transfer.js';
import type { Stage } from '../stages.js';
import { hold, notYet, reject, sourceReorged } from './outcomes.js';

/** The proven source output of a transfer, re-derived from the proven transaction. */
export interface ProvenSource {
  readonly proof: InclusionProof;
  readonly inclusion: VerifiedInclusion;
  readonly amount: bigint;
  readonly destination: Uint8Array;
  readonly rejection?: Reason;
}

/**
 * Fetches and checks the proof of `t`'s source transaction. Throws NOT_YET while confirmations are
 * missing; returns `reorged` when the block is off this operator's best chain; `invalid` with a
 * reason when the proof or the proven bytes do not hold up.
 */
export async function proveSource(
  ctx: RelayerContext,
  t: Transfer,
): Promise<{ kind: 'proven'; source: ProvenSource } | { kind: 'reorged' } | { kind: 'invalid'; reason: Reason }> {
  const role = sourceRole(t);
  const adapter = ctx.adapters[role];
  const light = ctx.light[role];
  const minConfirmations = ctx.config.chains[role].confirmations;
  const txidLE = displayToHash(t.source.txid);
  const proof = await adapter.getInclusionProof(txidLE, displayToHash(t.source.blockHash));
  await light.syncIfOlder(ctx.config.chains[role].pollIntervalMs / 2);
  let inclusion: VerifiedInclusion;
  try {
    inclusion = verifyInclusion(proof, light.chain, { minConfirmations });
  } catch (e) {
    if (!(e instanceof ProofError)) throw e;
    if (e.code === 'INSUFFICIENT_CONFIRMATIONS') throw notYet(`the proof's block has fewer than ${minConfirmations} confirmations on this operator's ${role} chain`);
    if (e.code === 'NOT_ON_BEST_CHAIN') return { kind: 'reorged' };
    if (e.code === 'UNKNOWN_BLOCK') {
      // our header chain may be behind the node: sync once, then it is the node's word against ours
      await light.sync();
      try {
        inclusion = verifyInclusion(proof, light.chain, { minConfirmations });
      } catch (e2) {
        if (!(e2 instanceof ProofError)) throw e2;
        return { kind: 'invalid', reason: { code: `PROOF_${e2.code}`, message: `the ${role} node's inclusion proof does not verify: ${e2.message}` } };
      }
    } else {
      return { kind: 'invalid', reason: { code: `PROOF_${e.code}`, message: `the ${role} node's inclusion proof does not verify: ${e.message}` } };
    }
  }
  if (!equalBytes(inclusion.txidLE, txidLE)) {
    return { kind: 'invalid', reason: { code: 'PROOF_WRONG_TX', message: `the node proved ${hashToDisplay(inclusion.txidLE)}, not ${t.source.txid}` } };
  }
  if (t.direction === 'pegin') {
    const lock = detectLocks(encodeTransaction(inclusion.tx, { witness: false }), {
      lockScript: ctx.lockScript,
      dust: ctx.config.limits.dust,
      mintFee: ctx.config.fees.mint,
      isCoinbase: inclusion.isCoinbase,
    }).find((l) => l.vout === t.source.vout);
    if (lock === undefined) {
      return { kind: 'invalid', reason: { code: 'PROOF_NO_SUCH_OUTPUT', message: `the proven transaction ${t.source.txid} has no lock output at ${t.source.vout}` } };
    }
    return {
      kind: 'proven',
      source: { proof, inclusion, amount: lock.amount, destination: lock.destination ?? new Uint8Array(0), ...(lock.rejection === undefined ? {} : { rejection: lock.rejection }) },
    };
  }
  const burn = detectBurns(encodeTransaction(inclusion.tx, { witness: false }), { dust: ctx.config.limits.dust, lockScript: ctx.lockScript }).find((b) => b.vout === t.source.vout);
  if (burn === undefined) {
    return { kind: 'invalid', reason: { code: 'PROOF_NO_SUCH_OUTPUT', message: `the proven transaction ${t.source.txid} has no burn output at ${t.source.vout}` } };
  }
  return {
    kind: 'proven',
    source: { proof, inclusion, amount: burn.amount, destination: burn.destination ?? new Uint8Array(0), ...(burn.rejection === undefined ? {} : { rejection: burn.rejection }) },
  };
}

/**
 * proveSource, with the transfer moved out of the pipeline when it does not hold up: `reorged`
 * (block off the best chain), `held` (a proof that fails), `rejected` (bad input in the proven
 * bytes). Undefined then; the proven source otherwise.
 */
export async function proveOrLeave(ctx: RelayerContext, t: Transfer): Promise<ProvenSource | undefined> {
  const result = await proveSource(ctx, t);
  if (result.kind === 'reorged') {
    await sourceReorged(ctx, t.id, t.source.blockHash);
    return undefined;
  }
  if (result.kind === 'invalid') {
    await hold(ctx, t, result.reason);
    return undefined;
  }
  if (result.source.rejection !== undefined) {
    await reject(ctx, t, result.source.rejection);
    return undefined;
  }
  return result.source;
}

export async function verifyStep(ctx: RelayerContext, t: Transfer): Promise<Stage | undefined> {
  if (t.state === 'verified') return 'sign';
  if (t.state !== 'confirming') return undefined;
  const source = await proveOrLeave(ctx, t);
  if (source === undefined) return undefined;
  const { inclusion, amount, destination } = source;
  const notes: string[] = [];
  if (amount !== t.amount) notes.push(`the watcher saw ${t.amount}, the proof says ${amount}: the proof wins`);
  if (bytesToHex(destination) !== t.destination) notes.push('the destination differs from what the watcher saw: the proof wins');
  const payoutAmount = t.direction === 'pegin' ? amount - ctx.config.fees.mint : amount;
  const admission = await ctx.governor.admit(t.direction, t.id, amount, t.approved === true);
  const blockHash = hashToDisplay(inclusion.blockHashLE);
  const proofFacts = { blockHash, height: inclusion.height, confirmations: inclusion.confirmations, checkedAt: Date.now() };
  const base = { amount, destination: bytesToHex(destination), payoutAmount, proof: proofFacts, source: { ...t.source, blockHash, height: inclusion.height } };
  if (!admission.admitted) {
    await ctx.store.mutate(t.id, (cur) =>
      cur.state === 'confirming' && cur.generation === t.generation
        ? { next: { ...cur, ...base, state: 'held', reason: { code: admission.code, message: admission.message } }, note: `proof checked (${inclusion.confirmations} confirmations); held: ${admission.message}` }
        : undefined,
    );
    ctx.log.warn({ transferId: t.id, reason: admission.code }, 'transfer held by the governor');
    return undefined;
  }
  const stored = await ctx.store.mutate(t.id, (cur) => {
    if (cur.state !== 'confirming' || cur.generation !== t.generation) return undefined;
    const { reason: _drop, ...rest } = cur;
    return { next: { ...rest, ...base, state: 'verified' }, note: [`proof checked in block ${blockHash} (${inclusion.confirmations} confirmations)`, ...notes].join('; ') };
  });
  ctx.log.info({ transferId: t.id, amount: amount.toString(), confirmations: inclusion.confirmations }, 'transfer verified');
  return stored.state === 'verified' ? 'sign' : undefined;
}
