/**
 * Mining in step with the relayer's watchers, for the end-to-end tests: blocks only as fast as the
 * watchers follow them (`miner`, `mineWhilePolling`), or a few blocks and then a wait until the
 * watchers have processed both tips (`settledChains`).
 */
import assert from 'node:assert/strict';
import { ChainMarks } from '../../relayer/store/chain-marks.js';
import { eventually } from '../eventually.js';
import type { Bridge } from './bridge-harness.js';
import { rpcOf } from './chain-reads.js';

/**
 * Least time between two blocks of a chain. Main blocks come slower than the side node's follower
 * polls the main node (every second): else the relayer may see a lock's confirmations before the
 * side node knows the lock's block, and the side node refuses the mint (see untilCompleted).
 */
export const PACE_MS = { main: 1200, side: 400 } as const;

/**
 * Mines a block on each chain whose watcher has caught up with the tip (its cursor is there, or
 * there is no cursor), paced by PACE_MS: on a loaded machine the chains never run ahead of the
 * relayer, and while no watcher runs (a lease waiting to expire) they wait for it. While Redis
 * does not answer it mines nothing (the check fails and is tried again).
 */
export function miner(bridge: Bridge): () => Promise<void> {
  const last = { main: 0, side: 0 };
  return async () => {
    for (const role of ['main', 'side'] as const) {
      if (Date.now() - last[role] < PACE_MS[role]) continue;
      last[role] = Date.now();
      const tip = await rpcOf(bridge, role).call<number>('getblockcount', []);
      const cursor = await bridge.redis.hget(bridge.store.keys.cursor(role), 'height');
      if (cursor === null || Number(cursor) >= tip) await bridge.mine(role);
    }
  };
}

/**
 * Polls `probe` every few milliseconds (the moments it looks for last a few milliseconds), mining
 * meanwhile with `miner`, until `probe` returns something.
 */
export async function mineWhilePolling<T>(bridge: Bridge, probe: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
  const mine = miner(bridge);
  return eventually(
    async () => {
      const found = await probe();
      if (found !== undefined) return found;
      await mine();
      throw new Error('not yet');
    },
    { timeoutMs, intervalMs: 5, what },
  );
}

/**
 * Mines `blocks` more on each chain, then waits until the relayer's watchers have processed both
 * tips (their cursors): whatever the relayer would do with those blocks, it has had the chance.
 */
export async function settledChains(bridge: Bridge, blocks: number): Promise<void> {
  const marks = new ChainMarks(bridge.redis, bridge.store.keys);
  const start = { main: await rpcOf(bridge, 'main').call<number>('getblockcount', []), side: await rpcOf(bridge, 'side').call<number>('getblockcount', []) };
  await bridge.mineUntil(async () => {
    for (const role of ['main', 'side'] as const) {
      const height = await rpcOf(bridge, role).call<number>('getblockcount', []);
      assert.ok(height >= start[role] + blocks, `${role}: ${height - start[role]} of ${blocks} blocks`);
    }
  }, { what: `${blocks} more blocks on each chain` });
  await eventually(async () => {
    for (const role of ['main', 'side'] as const) {
      const tip = await rpcOf(bridge, role).call<string>('getbestblockhash', []);
      assert.equal((await marks.cursor(role))?.hash, tip, `the ${role} watcher's cursor is at the tip`);
    }
  }, { timeoutMs: 60_000, what: 'the watchers at both tips' });
}
