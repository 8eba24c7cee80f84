/**
 * End to end, test 3 of the relayer issue: relayer processes are SIGKILLed at moments read from
 * the transfer store, with 30 locks and 20 burns in flight at once:
 *   1. while a payout is being signed (a transfer `signing` without a payout yet);
 *   2. right after a payout was signed and handed to the node (`signing` with a payout, or
 *      `broadcast`), killing the process whose log says it did it, while a second process runs on;
 *   3. while payouts wait for their confirmations, killing the holder of the main watcher lease.
 * A relayer is started again after each kill, and the leases must be taken over. In the end every
 * transfer is completed and the chains show nothing done twice: one claim per lock outpoint, one
 * confirmed release per burn, each destination paid once the exact amount, and the side supply and
 * the lock's value equal to what the locks and burns say.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Transfer, TransferId } from '../../relayer/transfer.js';
import { eventually } from '../eventually.js';
import { checkBooks } from './books.js';
import { Bridge, type RelayerProcess } from './bridge-harness.js';
import { fundBeforeStart } from './funded-bridge.js';
import { assertRunning, relayerStarter, untilStarted } from './relayer-processes.js';
import { fund, sendWave } from './transfer-waves.js';
import { untilCompleted } from './until-completed.js';
import { mineWhilePolling, miner } from './watcher-mining.js';

const LOCKS = 30;
const BURNS = 20;

test('relayers SIGKILLed while signing, right after a broadcast and while confirming: every transfer completes once', { timeout: 600_000 }, async (t) => {
  const bridge = await Bridge.start(t, { relayers: 0 });
  const { logs, start } = relayerStarter(bridge);
  await fundBeforeStart(bridge, 2);
  const r0 = start();
  // one lock minted to the side wallet, then a coin per transfer; then the 30 locks and the 20
  // burns at once, each to its own fresh destination
  const funds = await fund(bridge, t, LOCKS, BURNS);
  const { locks, burns } = await sendWave(bridge, funds, [0, 0], LOCKS, BURNS);
  t.diagnostic(`${LOCKS} locks and ${BURNS} burns sent`);
  const ids = [...locks, ...burns].map((s) => s.id);

  // 1. while signing: the only relayer dies between `signing` and its stored payout
  const signing = await mineWhilePolling(bridge, async () => {
    for (const id of await bridge.store.idsInState('signing')) {
      const tr = await bridge.store.get(id);
      if (tr?.state === 'signing' && tr.payout === undefined) {
        r0.child.kill('SIGKILL');
        return tr;
      }
    }
    return undefined;
  }, 'a transfer in signing without a payout');
  await bridge.killRelayer(r0);
  t.diagnostic(`kill 1: ${signing.id} was signing; after the kill it is ${await stateOf(bridge, signing.id)}`);
  const paidBefore = new Set(await paidIds(bridge));
  const r1 = start();
  const r2 = start();
  await untilStarted([r1, r2]);
  await untilLeasesHeldBy(bridge, [r1, r2], 'the new processes take over the leases of the killed one');

  // 2. right after a payout was signed and broadcast: kill the process that did it; the other runs on
  let fresh: Transfer | undefined;
  const culprit = await mineWhilePolling(bridge, async () => {
    for (const id of await paidIds(bridge)) {
      if (paidBefore.has(id)) continue;
      const tr = await bridge.store.get(id);
      if (tr === undefined) continue;
      const r = [r1, r2].find((p) => loggedPayout(p, id));
      if (r === undefined) continue; // its line is not in the log yet
      r.child.kill('SIGKILL');
      fresh = tr;
      return r;
    }
    return undefined;
  }, 'a payout signed or broadcast since the first kill, and the process that logged it');
  await bridge.killRelayer(culprit);
  const survivor = culprit === r1 ? r2 : r1;
  t.diagnostic(`kill 2: ${fresh!.id} was ${fresh!.state} (payout ${fresh!.payout?.txid}); relayer ${culprit.child.pid} killed, ${survivor.child.pid} runs on`);
  const r3 = start();
  await untilStarted([r3]);

  // 3. while payouts wait for confirmations: kill the holder of the main watcher lease
  const waiting = await mineWhilePolling(bridge, async () => {
    const counts = await bridge.store.counts();
    if (counts.confirming + counts.broadcast === 0) return undefined;
    const holder = await leaseHolderPid(bridge, 'main');
    const r = [survivor, r3].find((p) => p.child.pid === holder);
    if (r === undefined) return undefined;
    r.child.kill('SIGKILL');
    return { r, counts };
  }, 'transfers confirming or broadcast, and the holder of the main watcher lease');
  await bridge.killRelayer(waiting.r);
  t.diagnostic(`kill 3: main watcher holder ${waiting.r.child.pid} killed with ${waiting.counts.confirming} confirming and ${waiting.counts.broadcast} broadcast`);
  const left = waiting.r === survivor ? r3 : survivor;
  const r4 = start();
  await untilLeasesHeldBy(bridge, [left, r4], 'the live processes take over the leases of the killed one');

  await untilCompleted(bridge, t, [...ids, funds.bootstrap.id], logs);
  assertRunning(bridge);
  await checkBooks(bridge, locks, burns, [funds.bootstrap]);
});

async function stateOf(bridge: Bridge, id: TransferId): Promise<string> {
  const tr = await bridge.store.get(id);
  return tr === undefined ? 'gone' : `${tr.state}${tr.payout === undefined ? '' : ` with payout ${tr.payout.txid}`}`;
}

/** Transfers whose payout was signed: `signing` with a payout, `broadcast`, `completed`. */
async function paidIds(bridge: Bridge): Promise<TransferId[]> {
  const out: TransferId[] = [...(await bridge.store.idsInState('broadcast')), ...(await bridge.store.idsInState('completed'))];
  for (const id of await bridge.store.idsInState('signing')) if ((await bridge.store.get(id))?.payout !== undefined) out.push(id);
  return out;
}

/** Whether the relayer's log has a line saying it signed or broadcast the payout of `id`. */
function loggedPayout(r: RelayerProcess, id: TransferId): boolean {
  for (const line of readFileSync(r.logFile, 'utf8').split('\n')) {
    if (!line.includes(id)) continue;
    if (line.includes('"mint signed"') || line.includes('"release signed"') || line.includes('"payout broadcast"')) return true;
  }
  return false;
}

async function leaseHolderPid(bridge: Bridge, role: 'main' | 'side'): Promise<number | undefined> {
  const owner = await bridge.redis.get(bridge.store.keys.lease(role));
  return owner === null ? undefined : Number(owner.split(':')[1]);
}

/** Mines until both watcher leases and the sweeper lease are held by processes of `live`. */
async function untilLeasesHeldBy(bridge: Bridge, live: readonly RelayerProcess[], what: string): Promise<void> {
  const pids = new Set(live.map((r) => r.child.pid));
  const mine = miner(bridge);
  await eventually(
    async () => {
      await mine();
      for (const key of [bridge.store.keys.lease('main'), bridge.store.keys.lease('side'), bridge.store.keys.sweeperLease]) {
        const owner = await bridge.redis.get(key);
        assert.ok(owner !== null && pids.has(Number(owner.split(':')[1])), `${key} is held by ${owner ?? 'nobody'}`);
      }
    },
    { timeoutMs: 60_000, intervalMs: 100, what },
  );
}
