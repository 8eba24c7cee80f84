/**
 * Stage `confirm`: waits until the source block has the configured confirmations on this
 * operator's own best chain. `seen` -> `confirming`; then hands over to `verify`. A block that
 * left the best chain makes the transfer `reorged`.
 */
import { displayToHash } from '../../../proofs/bytes.js';
import { sourceRole, type RelayerContext } from '../../context.js';
import type { Transfer } from '../../transfer.js';
import type { Stage } from '../stages.js';
import { notYet, sourceReorged } from './outcomes.js';

export async function confirmStep(ctx: RelayerContext, t: Transfer): Promise<Stage | undefined> {
  if (t.state !== 'seen' && t.state !== 'confirming') return undefined;
  const role = sourceRole(t);
  const chainConfig = ctx.config.chains[role];
  const light = ctx.light[role];
  const blockLE = displayToHash(t.source.blockHash);
  let confirmations = light.confirmations(blockLE);
  if (confirmations === undefined || confirmations < chainConfig.confirmations) {
    await light.syncIfOlder(chainConfig.pollIntervalMs / 2);
    confirmations = light.confirmations(blockLE);
  }
  if (confirmations === undefined) throw notYet(`block ${t.source.blockHash} is not yet in this operator's ${role} header chain`);
  if (confirmations === 0) {
    await sourceReorged(ctx, t.id, t.source.blockHash);
    return undefined;
  }
  if (t.state === 'seen') {
    await ctx.store.mutate(t.id, (cur) =>
      cur.state === 'seen' && cur.generation === t.generation ? { next: { ...cur, state: 'confirming' }, note: `${confirmations} of ${chainConfig.confirmations} confirmations` } : undefined,
    );
  }
  if (confirmations < chainConfig.confirmations) throw notYet(`${confirmations} of ${chainConfig.confirmations} confirmations`, { confirmations });
  return 'verify';
}
