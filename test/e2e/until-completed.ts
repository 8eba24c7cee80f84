/**
 * Waiting, in the end-to-end tests with many transfers in flight, until every transfer completed:
 * mining in step with the watchers, retrying as an operator would the one hold that a lagging
 * side node causes, and failing with the logs, the histories and the BullMQ jobs of what is stuck.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { loadConfig } from '../../config/index.js';
import { retryTransfer } from '../../relayer/operator/actions.js';
import { openOperatorStore } from '../../relayer/operator/operator-store.js';
import type { Transfer, TransferId } from '../../relayer/transfer.js';
import { eventually } from '../eventually.js';
import type { Bridge } from './bridge-harness.js';
import { tail } from './relayer-processes.js';
import { miner } from './watcher-mining.js';

/**
 * Mines until every id is `completed`; fails at once on `held` or `rejected`, with the logs' tails.
 * One hold is retried instead, as an operator would (`utxo-relay transfers retry`), and reported:
 * the side node refusing a mint whose lock block it has not followed yet (it polls the main node
 * every second), a passing condition that the relayer holds for good (BROADCAST_REFUSED).
 */
export async function untilCompleted(bridge: Bridge, t: TestContext, ids: readonly TransferId[], logs: readonly string[], timeoutMs = 400_000): Promise<void> {
  const mine = miner(bridge);
  const bad = await eventually(
    async () => {
      const all = await Promise.all(ids.map((id) => bridge.store.get(id)));
      for (const tr of all) {
        if (tr === undefined || !isSideLagHold(tr)) continue;
        await retryAsOperator(bridge, t, tr);
        throw new Error(`${tr.id} retried`);
      }
      const stopped = all.find((tr) => tr?.state === 'held' || tr?.state === 'rejected');
      if (stopped !== undefined) return stopped;
      const i = all.findIndex((tr) => tr?.state !== 'completed');
      if (i < 0) return undefined;
      await mine();
      throw new Error(`${all.filter((tr) => tr?.state !== 'completed').length} of ${ids.length} not completed (e.g. ${ids[i]}: ${all[i]?.state ?? 'not seen'})\n${tail(logs)}`);
    },
    { timeoutMs, intervalMs: 100, what: `${ids.length} transfer(s) completed` },
  ).catch(async (e: unknown) => assert.fail(`${e instanceof Error ? e.message : String(e)}\n${await stuck(bridge, ids)}`));
  if (bad !== undefined) assert.fail(`${bad.id} is ${bad.state}: ${bad.reason?.code} ${bad.reason?.message}\n${tail(logs)}`);
}

/** A mint held because the side node had not followed the lock's block yet (see untilCompleted). */
export function isSideLagHold(tr: Transfer): boolean {
  return tr.state === 'held' && tr.direction === 'pegin' && tr.reason?.code === 'BROADCAST_REFUSED' && /mint-bad-proof .*not in this operator's header chain/.test(tr.reason.message);
}

/** `utxo-relay transfers retry` of a held transfer, as an operator runs it; reported as a diagnostic. */
export async function retryAsOperator(bridge: Bridge, t: TestContext, tr: Transfer): Promise<void> {
  const os = await openOperatorStore(loadConfig(bridge.configPath));
  try {
    await retryTransfer(os, tr.id);
  } finally {
    await os.close();
  }
  t.diagnostic(`${tr.id}: held by ${tr.reason!.code} (${tr.reason!.message}); retried as an operator would`);
}

/** For a failure message: the history and the BullMQ jobs of the transfers that did not complete. */
async function stuck(bridge: Bridge, ids: readonly TransferId[]): Promise<string> {
  const out: string[] = [];
  for (const id of ids) {
    const tr = await bridge.store.get(id).catch(() => undefined);
    if (tr?.state === 'completed' || out.length >= 4) continue;
    out.push(`${id}: ${tr?.state ?? 'not seen'}`);
    for (const e of await bridge.store.events(id).catch(() => [])) out.push(`  ${new Date(e.at).toISOString()} ${e.from ?? ''} -> ${e.to}: ${e.note}`);
    if (tr === undefined) continue;
    for (const stage of ['confirm', 'verify', 'sign', 'broadcast', 'settle']) {
      const queue = `${bridge.config.redis.prefix}:${bridge.config.deployment}-${stage}`;
      const jobId = `${stage}-${id}-g${tr.generation}`;
      const job = await bridge.redis.hgetall(`${queue}:${jobId}`);
      if (Object.keys(job).length === 0) continue;
      const where: string[] = [];
      for (const set of ['delayed', 'completed', 'failed', 'prioritized']) if ((await bridge.redis.zscore(`${queue}:${set}`, jobId)) !== null) where.push(set);
      for (const list of ['wait', 'active', 'paused']) if ((await bridge.redis.lpos(`${queue}:${list}`, jobId)) !== null) where.push(list);
      const { data: _d, opts: _o, ...fields } = job;
      out.push(`  job ${jobId} in ${where.join(',') || 'no set'}: ${JSON.stringify(fields)}`);
    }
  }
  return out.join('\n');
}
