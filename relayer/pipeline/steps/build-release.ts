/**
 * Builds the release of one burn on the main chain: picks lock outputs among those it is given
 * (largest first, never one another release reserved), reserves them in Redis, and sizes the payout
 * so that payout + fee = the burned amount exactly: the lock loses what the side chain burned, no
 * more (so the reserve check keeps holding), and the change goes back to the lock.
 */
import { bytesToHex, hexToBytes } from '../../../proofs/bytes.js';
import type { UnsignedSpend, Utxo } from '../../../ledgers/adapter.js';
import type { RelayerContext } from '../../context.js';
import { outpointText, type Reason, type Transfer } from '../../transfer.js';

export type BuiltRelease =
  | { readonly kind: 'built'; readonly unsigned: UnsignedSpend; readonly inputs: readonly Utxo[] }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly reason: Reason };

/** Chooses lock outputs worth at least `amount`, leaving change of 0 or above dust. */
export function selectInputs(candidates: readonly Utxo[], amount: bigint, dust: bigint, preferred: ReadonlySet<string>): Utxo[] | undefined {
  const sorted = [...candidates].sort((a, b) => {
    const pa = preferred.has(outpointText(a)) ? 1 : 0;
    const pb = preferred.has(outpointText(b)) ? 1 : 0;
    if (pa !== pb) return pb - pa;
    return a.output.value === b.output.value ? outpointText(a).localeCompare(outpointText(b)) : a.output.value > b.output.value ? -1 : 1;
  });
  const chosen: Utxo[] = [];
  let total = 0n;
  for (const u of sorted) {
    if (total >= amount && (total === amount || total - amount > dust)) break;
    chosen.push(u);
    total += u.output.value;
  }
  if (total < amount || (total !== amount && total - amount <= dust)) return undefined;
  return chosen;
}

/**
 * `available`: the lock outputs a new release may spend — confirmed, and spent by no mempool
 * transaction (the caller read both from the main node).
 */
export async function buildRelease(ctx: RelayerContext, t: Transfer, burnsHashLE: Uint8Array, feeRate: number, available: readonly Utxo[]): Promise<BuiltRelease> {
  const main = ctx.adapters.main;
  const dust = ctx.config.limits.dust;
  const reservations = await ctx.marks.reservations();
  const mine = new Set([...reservations].filter(([, owner]) => owner === t.id).map(([o]) => o));
  const unspent = available.filter((u) => (reservations.get(outpointText(u)) ?? t.id) === t.id);
  const inputs = selectInputs(unspent, t.amount, dust, mine);
  if (inputs === undefined) return { kind: 'wait', reason: `the confirmed lock outputs that no other release reserved or spends do not cover ${t.amount} (with change of 0 or above dust)` };
  const wanted = inputs.map(outpointText);
  await ctx.marks.unreserve(t.id, [...mine].filter((o) => !wanted.includes(o)));
  if (!(await ctx.marks.reserve(t.id, wanted))) return { kind: 'wait', reason: 'another release reserved one of the chosen lock outputs first' };
  const destination = hexToBytes(t.destination, 'destination');
  const build = (payout: bigint): UnsignedSpend =>
    main.buildSpend({ kind: 'release', federation: ctx.federation, inputs, payouts: [{ value: payout, scriptPubKey: destination }], burnsHashLE, feeRate });
  // the fee of this shape of transaction, then the payout that leaves amount = payout + fee
  let fee = build(1n).fee;
  for (let i = 0; i < 3; i++) {
    const payout = t.amount - fee;
    if (payout <= dust) {
      return { kind: 'refuse', reason: { code: 'AMOUNT_BELOW_FEES', message: `the release fee ${fee} at ${feeRate}/vB leaves ${payout}, at or below dust, of the ${t.amount} burned` } };
    }
    const unsigned = build(payout);
    if (unsigned.fee === fee) return { kind: 'built', unsigned, inputs };
    fee = unsigned.fee;
  }
  return { kind: 'refuse', reason: { code: 'RELEASE_FEE_UNSTABLE', message: `the release fee did not settle (last ${fee}); inputs ${bytesToHex(burnsHashLE)}` } };
}
