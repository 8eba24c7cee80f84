/**
 * The sweeper: makes sure every transfer that is on its way has a job, whatever crashed between a
 * state change and the job that follows it. Every interval (and at start) it queues the stage job
 * of each transfer in a moving state that has not changed for `staleMs` (transfers that are
 * moving are left alone) — a no-op when that job is waiting, delayed or running (deterministic
 * ids); a job of that id that completed is run again (its step ended without moving the
 * transfer), a failed one is left for the operator — and
 * asks the governor again for transfers held only by the 24-hour cap, so that they move on once
 * the window has room. One process per deployment runs it (a lease, like the watchers).
 */
import type { RelayerContext } from '../context.js';
import { stageFor, type Stage } from '../pipeline/stages.js';
import type { Transfer, TransferState } from '../transfer.js';

const MOVING: readonly TransferState[] = ['seen', 'confirming', 'verified', 'signing', 'broadcast'];

export async function sweep(ctx: RelayerContext, staleMs = 0): Promise<{ queued: number; rerun: number; released: number }> {
  const items: { stage: Stage; transfer: Transfer }[] = [];
  const updatedBefore = staleMs > 0 ? Date.now() - staleMs : undefined;
  for (const state of MOVING) {
    for (const t of await ctx.store.getMany(await ctx.store.idsInState(state, updatedBefore === undefined ? {} : { updatedBefore }))) {
      if (t.state !== state) continue;
      const stage = stageFor(t);
      if (stage !== undefined) items.push({ stage, transfer: t });
    }
  }
  const rerun = await ctx.pipeline.enqueueMany(items, { rerunCompleted: true });
  let released = 0;
  for (const id of await ctx.store.idsInState('held')) {
    const t = await ctx.store.get(id);
    if (t?.state !== 'held' || t.reason?.code !== 'OVER_DAILY_CAP') continue;
    const admission = await ctx.governor.admit(t.direction, t.id, t.amount, t.approved === true);
    if (!admission.admitted) continue;
    const next = await ctx.store.mutate(id, (cur) => {
      if (cur.state !== 'held' || cur.reason?.code !== 'OVER_DAILY_CAP') return undefined;
      const { reason: _r, ...rest } = cur;
      return { next: { ...rest, state: 'confirming', generation: cur.generation + 1 }, note: 'the 24-hour window has room again' };
    });
    if (next.state === 'confirming') {
      await ctx.pipeline.enqueue('confirm', next);
      released++;
    }
  }
  return { queued: items.length, rerun, released };
}
