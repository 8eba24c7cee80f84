/**
 * End to end, test 4 of the relayer issue: the deployment's Redis goes away under running relayer
 * processes, with transfers in flight.
 *   (a) Redis restarted (SIGTERM, its AOF kept), then killed (SIGKILL: the last second of writes
 *       may be lost) and started again: the relayers ride it out, everything completes, once.
 *   (b) Redis flushed (FLUSHALL) with transfers completed, broadcast and just seen: `rescan`
 *       rebuilds the records from the chains, and everything completes without paying anything
 *       twice, even a release that was still in the mempool when its record was lost.
 * Both end with the books of test 3: one claim per lock outpoint, one confirmed release per burn,
 * each destination paid once the exact amount, side supply and lock value exact.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { UTXO_RELAY_BIN } from '../../ledgers/devnet/node-process.js';
import { Governor } from '../../relayer/governor/governor.js';
import type { RescanReport } from '../../relayer/rescan/rescan.js';
import { Keys } from '../../relayer/store/keys.js';
import type { Transfer, TransferId } from '../../relayer/transfer.js';
import { eventually } from '../eventually.js';
import { checkBooks } from './books.js';
import { Bridge, type RelayerProcess } from './bridge-harness.js';
import { rpcOf } from './chain-reads.js';
import { fundBeforeStart } from './funded-bridge.js';
import { assertRunning, relayerStarter, untilStarted } from './relayer-processes.js';
import { fund, sendWave, type Funds, type Sent } from './transfer-waves.js';
import { isSideLagHold, retryAsOperator, untilCompleted } from './until-completed.js';
import { mineWhilePolling } from './watcher-mining.js';

/** How long each mineWhilePolling of this file may take (longer than its default of 120 s). */
const POLL_MS = 180_000;

test('Redis restarted, then killed and started again, under running relayers: everything completes, nothing twice', { timeout: 600_000 }, async (t) => {
  const { bridge, logs, funds } = await startBridge(t, 12, 8);
  const { locks, burns } = await sendWave(bridge, funds, [0, 0], 12, 8);
  const ids = [...locks, ...burns].map((s) => s.id);

  // a clean restart while payouts are being signed and broadcast (the AOF keeps every write)
  const first = await mineWhilePolling(bridge, async () => {
    const c = await bridge.store.counts();
    return c.signing + c.broadcast > 0 ? c : undefined;
  }, 'payouts being signed or broadcast', POLL_MS);
  await bridge.redisServer.restart();
  t.diagnostic(`Redis restarted with ${first.signing} signing, ${first.broadcast} broadcast, ${first.completed} completed`);
  const completedBefore = first.completed;
  await mineWhilePolling(bridge, async () => ((await bridge.store.counts()).completed >= completedBefore + 3 ? true : undefined), 'three more transfers completed after the restart', POLL_MS);
  assertRunning(bridge);

  // a crash while transfers are in flight: the relayers see it, blocks come meanwhile
  const second = await mineWhilePolling(bridge, async () => {
    const c = await bridge.store.counts();
    return c.confirming + c.verified + c.signing + c.broadcast > 0 ? c : undefined;
  }, 'transfers in flight', POLL_MS);
  const offsets = bridge.relayers.map((r) => readFileSync(r.logFile, 'utf8').length);
  await bridge.redisServer.kill();
  await bridge.mine('main', 2);
  await bridge.mine('side', 2);
  await eventually(
    () => {
      for (const [i, r] of bridge.relayers.entries()) {
        assert.match(readFileSync(r.logFile, 'utf8').slice(offsets[i]), /ECONNREFUSED|Connection is closed|connect/i, `relayer ${r.child.pid} has not noticed yet`);
      }
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'the relayers notice that Redis is gone' },
  );
  assertRunning(bridge);
  await bridge.redisServer.restart();
  t.diagnostic(`Redis killed and started again with ${second.confirming} confirming, ${second.verified} verified, ${second.signing} signing, ${second.broadcast} broadcast`);

  await untilCompleted(bridge, t, [...ids, funds.bootstrap.id], logs);
  assertRunning(bridge);
  await checkBooks(bridge, locks, burns, [funds.bootstrap]);
});

test('Redis flushed under running relayers with transfers completed, broadcast and seen; rescan; nothing is paid twice', { timeout: 600_000 }, async (t) => {
  await flushScenario(t, { pending: 'nothing', relayers: 'running', rescan: true });
});

test('Redis flushed with the relayers down: rescan rebuilds every record in the state the chains say, then all complete once', { timeout: 600_000 }, async (t) => {
  await flushScenario(t, { pending: 'nothing', relayers: 'down', rescan: true });
});

test('Redis flushed with the relayers down while a release waits in the main mempool: rescan follows that release, and nothing is paid twice', { timeout: 600_000 }, async (t) => {
  await flushScenario(t, { pending: 'a release in the mempool', relayers: 'down', rescan: true });
});

test('Redis flushed under running relayers while a release waits in the main mempool, and no rescan: the relayers find the release themselves, and nothing is paid twice', { timeout: 600_000 }, async (t) => {
  await flushScenario(t, { pending: 'a release in the mempool', relayers: 'running', rescan: false });
});

/**
 * The bridge with its main wallet funded and a first relayer started at the tips (fundBeforeStart),
 * `fund`ed for `locks` locks and `burns` burns, then a second relayer: both started.
 */
async function startBridge(t: TestContext, locks: number, burns: number): Promise<{ bridge: Bridge; logs: readonly string[]; start: () => RelayerProcess; funds: Funds }> {
  const bridge = await Bridge.start(t, { relayers: 0 });
  bridge.redis.on('error', () => {}); // the test's own connection: while Redis is away its commands fail, which is enough
  const { logs, start } = relayerStarter(bridge);
  await fundBeforeStart(bridge, 2);
  start();
  const funds = await fund(bridge, t, locks, burns);
  start();
  await untilStarted(bridge.relayers);
  return { bridge, logs, start, funds };
}

/**
 * Three waves of locks and burns: wave 1 completed, wave 2 on its way, wave 3 just seen; then
 * FLUSHALL, then (with `rescan`) `utxo-relay rescan`.
 * - pending 'nothing': the flush comes when no release is being signed or waits in the mempool
 *   (wave 3's locks mint meanwhile: their mints wait in the side mempool, which the side chain's
 *   one-claim rule covers);
 * - pending 'a release in the mempool': the flush comes while a release waits in the main
 *   mempool, the one payout that nothing on chain records yet;
 * - relayers 'down': both relayers are SIGKILLed before the flush, so that what rescan writes can
 *   be checked exactly against the chains before relayers start again;
 * - no `rescan`: the running relayers rebuild the records themselves (their cursors went with the
 *   flush, so the watchers scan the chains again): the pipeline alone must find every payout.
 */
interface FlushScenario {
  readonly pending: 'nothing' | 'a release in the mempool';
  readonly relayers: 'running' | 'down';
  readonly rescan: boolean;
}

async function flushScenario(t: TestContext, scenario: FlushScenario): Promise<void> {
  const { bridge, logs, start, funds } = await startBridge(t, 14, 11);

  const w1 = await sendWave(bridge, funds, [0, 0], 5, 4);
  await untilCompleted(bridge, t, [...w1.locks, ...w1.burns].map((s) => s.id), logs);
  const w2 = await sendWave(bridge, funds, [5, 4], 5, 4);
  let w3: { locks: Sent[]; burns: Sent[] };
  if (scenario.pending === 'a release in the mempool') {
    w3 = await sendWave(bridge, funds, [10, 8], 4, 3);
    await mineWhilePolling(bridge, async () => {
      for (const s of [...w3.locks, ...w3.burns]) if ((await bridge.store.get(s.id)) === undefined) return undefined;
      for (const b of [...w2.burns, ...w3.burns]) {
        const tr = await bridge.store.get(b.id);
        if (tr?.payout !== undefined && (await mempoolHas(bridge, 'main', tr.payout.txid))) return true;
      }
      return undefined;
    }, 'wave 3 seen and a release in the main mempool', POLL_MS);
  } else {
    // wave 2's releases all confirmed (once at least: not in the mempool)
    await mineWhilePolling(bridge, async () => {
      for (const b of w2.burns) if (!(await releaseSettled(bridge, b.id))) return undefined;
      return true;
    }, 'the releases of wave 2 confirmed', POLL_MS);
    // wave 3: two main blocks (its locks confirm and mint: mints wait in the side mempool), one
    // side block (its burns are seen, one confirmation short); no block after that until the flush
    w3 = await sendWave(bridge, funds, [10, 8], 4, 3);
    await bridge.mine('main');
    await bridge.mine('side');
    const seen = [...w3.locks, ...w3.burns];
    await eventually(async () => {
      for (const s of seen) assert.ok((await bridge.store.get(s.id)) !== undefined, `${s.id} not seen yet`);
    }, { timeoutMs: 60_000, intervalMs: 100, what: 'wave 3 seen' });
    await bridge.mine('main');
    await eventually(
      async () => {
        for (const s of w3.locks) {
          const tr = await bridge.store.get(s.id);
          if (tr !== undefined && isSideLagHold(tr)) await retryAsOperator(bridge, t, tr);
          assert.equal(tr?.state, 'broadcast', `${s.id} minted`);
        }
        for (const s of w3.burns) assert.ok((await bridge.store.get(s.id)) !== undefined, `${s.id} seen`);
        for (const b of [...w1.burns, ...w2.burns, ...w3.burns]) assert.ok(await releaseSettled(bridge, b.id, true), `${b.id}: a release on its way`);
      },
      { timeoutMs: 120_000, intervalMs: 100, what: "wave 3's mints broadcast and its burns seen, no release on its way" },
    );
  }
  const all = [...w1.locks, ...w1.burns, ...w2.locks, ...w2.burns, ...w3.locks, ...w3.burns, funds.bootstrap];
  // with the relayers down, killed first: the records read next are the last they wrote
  if (scenario.relayers === 'down') for (const r of [...bridge.relayers]) await bridge.killRelayer(r);
  const before = new Map<TransferId, Transfer | undefined>();
  for (const s of all) before.set(s.id, await bridge.store.get(s.id));
  const inMempool: TransferId[] = [];
  for (const tr of before.values()) if (tr?.payout !== undefined && (await mempoolHas(bridge, tr.direction === 'pegin' ? 'side' : 'main', tr.payout.txid))) inMempool.push(tr.id);
  t.diagnostic(`before the flush: ${histogram([...before.values()])}; payouts in a mempool: ${inMempool.join(', ') || 'none'}`);
  const states = new Set([...before.values()].map((tr) => tr?.state));
  assert.ok(states.has('completed') && (states.has('broadcast') || states.has('signing')) && (states.has('seen') || states.has('confirming') || states.has('verified')), `transfers at every stage: ${histogram([...before.values()])}`);

  const pendingReleases = inMempool.filter((id) => id.startsWith('out-'));
  if (scenario.pending === 'a release in the mempool') assert.ok(pendingReleases.length > 0, 'a release waits in the main mempool at the flush');
  await bridge.redisServer.flushAll();
  if (!scenario.rescan) {
    // no main block until then (it would confirm the release, which the watcher then finds): the
    // pipeline must find each release waiting at the flush in the mempool, and follow it
    await eventually(
      async () => {
        for (const id of pendingReleases) {
          const tr = await bridge.store.get(id);
          assert.equal(tr?.payout?.txid, before.get(id)?.payout?.txid, `${id} (${tr?.state ?? 'unseen'}) does not follow the release made before the flush yet`);
        }
      },
      { timeoutMs: 180_000, intervalMs: 250, what: 'the relayers find the releases waiting in the mempool' },
    );
    for (const id of pendingReleases) {
      const notes = (await bridge.store.events(id)).map((e) => e.note).join('\n');
      assert.match(notes, /found in the main mempool/, `${id}: its release was found in the mempool`);
    }
    await untilCompleted(bridge, t, all.map((s) => s.id), logs);
    assertRunning(bridge);
    await checkBooks(bridge, [...w1.locks, ...w2.locks, ...w3.locks], [...w1.burns, ...w2.burns, ...w3.burns], [funds.bootstrap]);
    return;
  }
  const report = await runRescan(bridge);
  t.diagnostic(`rescan: ${JSON.stringify(report)}`);
  assert.equal(report.main.locks, 15, 'rescan found every lock (and the first one)');
  assert.equal(report.side.burns, 11, 'rescan found every burn');
  if (scenario.relayers === 'down') {
    // nothing ran since: each record is what the chains say, and rescan's report counts them
    const expected: Record<string, number> = {};
    for (const s of all) {
      const want = await chainSays(bridge, s, before.get(s.id));
      const tr = await bridge.store.get(s.id);
      assert.equal(tr?.state, want.state, `${s.id}: rescan recorded it ${tr?.state ?? 'nowhere'}; the chains say ${want.state}`);
      assert.equal(tr.payout?.txid, want.payout, `${s.id}: the payout rescan found`);
      expected[want.state] = (expected[want.state] ?? 0) + 1;
    }
    assert.deepEqual(report.recorded, expected);
    // the cap windows count again what was paid (every block of this run is minutes old)
    const governor = new Governor(bridge.redis, new Keys(bridge.config.redis.prefix, bridge.config.deployment), bridge.config.limits);
    for (const direction of ['pegin', 'pegout'] as const) {
      let paid = 0n;
      for (const s of all) {
        const tr = await bridge.store.get(s.id);
        if (tr?.direction === direction && tr.payout !== undefined) paid += tr.amount;
      }
      assert.equal(await governor.used(direction), paid, `${direction}: the cap window after rescan counts what the chains say was paid`);
    }
    start();
    start();
  }

  // every transfer is back; a payout already on chain is the one on record, never another one
  const after = new Map<TransferId, Transfer>();
  for (const s of all) {
    const tr = await bridge.store.get(s.id);
    assert.ok(tr !== undefined, `${s.id} is back in the store after rescan`);
    assert.ok(tr.state !== 'held' && tr.state !== 'rejected' && tr.state !== 'reorged', `${s.id} is ${tr.state} after rescan`);
    after.set(s.id, tr);
    const old = before.get(s.id);
    if (old?.payout !== undefined && tr.payout !== undefined) assert.equal(tr.payout.txid, old.payout.txid, `${s.id}: the payout on record is the one made before the flush`);
    // completed before: completed again, or not yet re-proven (no payout), or — when a running
    // relayer re-recorded it before rescan did — following that same payout until settle completes it
    if (old?.state === 'completed') assert.ok(tr.state === 'completed' || tr.payout === undefined || (scenario.relayers === 'running' && tr.state === 'broadcast'), `${s.id} completed before the flush; now ${tr.state}`);
  }
  // rescan gives a transfer its state from the chains, unless a relayer's watcher (whose cursor
  // went with the flush) recorded it first: then the pipeline finds its payout on chain instead
  t.diagnostic(`after rescan: ${histogram([...after.values()])}`);

  await untilCompleted(bridge, t, all.map((s) => s.id), logs);
  assertRunning(bridge);
  await checkBooks(bridge, [...w1.locks, ...w2.locks, ...w3.locks], [...w1.burns, ...w2.burns, ...w3.burns], [funds.bootstrap]);
}

/**
 * Whether the burn's release is settled enough that no payout of it is being made: completed, or
 * broadcast and confirmed. With `orNotYet`, also a burn that has not reached signing.
 */
async function releaseSettled(bridge: Bridge, id: TransferId, orNotYet = false): Promise<boolean> {
  const tr = await bridge.store.get(id);
  if (tr === undefined) return false;
  if (tr.state === 'completed') return true;
  if (tr.state === 'broadcast') {
    const status = await bridge.nodes.mainRpc.call<{ confirmations?: number }>('getrawtransaction', [tr.payout!.txid, 1]).catch(() => ({ confirmations: 0 }));
    return (status.confirmations ?? 0) > 0;
  }
  if (!orNotYet || (tr.state !== 'seen' && tr.state !== 'confirming')) return false;
  // not confirmed enough to move on without another block
  const header = await bridge.nodes.sideRpc.call<{ confirmations: number }>('getblockheader', [tr.source.blockHash, true]);
  return header.confirmations < bridge.config.chains.side.confirmations;
}

/** `utxo-relay rescan --config F` as an operator runs it; its JSON report. */
async function runRescan(bridge: Bridge): Promise<RescanReport> {
  const child = spawn(process.execPath, [UTXO_RELAY_BIN, 'rescan', '--config', bridge.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, `utxo-relay rescan failed: ${err}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as RescanReport;
}

/**
 * The state rescan must give a transfer, from the chains: its payout claimed or confirmed with
 * enough confirmations `completed`, claimed or confirmed with fewer `broadcast` (a mint in the
 * side mempool claims too), none `seen`. (`before` names the release to look up.)
 */
async function chainSays(bridge: Bridge, s: Sent, before: Transfer | undefined): Promise<{ state: string; payout?: string }> {
  const { chains } = bridge.config;
  if (s.id.startsWith('in-')) {
    const claim = await bridge.nodes.sideRpc.call<{ claimed: boolean; mint_txid?: string; confirmations?: number }>('getpegclaim', [s.txid, s.vout]);
    if (!claim.claimed) return { state: 'seen' };
    return { state: (claim.confirmations ?? 0) >= chains.side.confirmations ? 'completed' : 'broadcast', payout: claim.mint_txid! };
  }
  if (before?.payout === undefined) return { state: 'seen' };
  // a release signed but never sent (the relayers were killed first) is on no chain
  const tx = await bridge.nodes.mainRpc.call<{ confirmations?: number } | undefined>('getrawtransaction', [before.payout.txid, 1]).catch((e: unknown) => {
    if (e instanceof Error && /RPC error -5\b/.test(e.message)) return undefined;
    throw e;
  });
  if (tx === undefined) return { state: 'seen' };
  // a release waiting in the mempool is followed (rescan reads the mempool's spends of lock outputs)
  if ((tx.confirmations ?? 0) === 0) return (await mempoolHas(bridge, 'main', before.payout.txid)) ? { state: 'broadcast', payout: before.payout.txid } : { state: 'seen' };
  return { state: tx.confirmations! >= chains.main.confirmations ? 'completed' : 'broadcast', payout: before.payout.txid };
}

function histogram(records: readonly (Transfer | undefined)[]): string {
  const h: Record<string, number> = {};
  for (const tr of records) h[tr?.state ?? 'unseen'] = (h[tr?.state ?? 'unseen'] ?? 0) + 1;
  return JSON.stringify(h);
}

async function mempoolHas(bridge: Bridge, role: 'main' | 'side', txid: string): Promise<boolean> {
  return (await rpcOf(bridge, role).call<string[]>('getrawmempool', [])).includes(txid);
}
