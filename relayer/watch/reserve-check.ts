/**
 * The reserve check (run after every block): the pegged supply on the side chain — the whole value
 * of its UTXO set, since the side chain has no block subsidy — must not exceed the value locked on
 * the main chain (the confirmed outputs paying the federation's lock script). If it does, something
 * minted without a lock (or a lock was reorged away after its mint): both directions are paused and
 * an alert raised, until an operator resumes.
 */
import type { RelayerContext } from '../context.js';

export interface ReserveReport {
  readonly ok: boolean;
  readonly locked: bigint;
  readonly supply: bigint;
}

export async function checkReserve(ctx: RelayerContext): Promise<ReserveReport> {
  const [utxos, side] = await Promise.all([ctx.adapters.main.listUnspent(ctx.lockScript), ctx.adapters.side.getUtxoSetTotal()]);
  const locked = utxos.filter((u) => u.confirmations >= 1).reduce((s, u) => s + u.output.value, 0n);
  const supply = side.total;
  const ok = supply <= locked;
  if (!ok) {
    const message = `reserve check failed: side-chain supply ${supply} exceeds the ${locked} locked on the main chain; both directions paused`;
    const paused = await ctx.controls.paused();
    if (paused.pegin?.by !== 'reserve-check' || paused.pegout?.by !== 'reserve-check') {
      await ctx.controls.pause('pegin', message, 'reserve-check');
      await ctx.controls.pause('pegout', message, 'reserve-check');
      await ctx.controls.alert('RESERVE_CHECK_FAILED', message, { locked: locked.toString(), supply: supply.toString(), sideHeight: side.block.height });
      ctx.log.error({ locked: locked.toString(), supply: supply.toString(), alert: 'RESERVE_CHECK_FAILED' }, message);
    }
  }
  return { ok, locked, supply };
}
