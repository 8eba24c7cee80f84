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
 * (The helpers are those of relayer-crash.test.ts: test files do not import each other.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { loadConfig } from '../../config/index.js';
import { formatCoins, parseCoins } from '../../ledgers/bitcoin/amount.js';
import { UTXO_RELAY_BIN } from '../../ledgers/devnet/node-process.js';
import { buildSignedPayment, type SpendableCoin } from '../../ledgers/devnet/wallet/build-payment.js';
import { bytesToHex, displayToHash, hexToBytes } from '../../proofs/bytes.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';
import { burnsHash } from '../../relayer/detect/index.js';
import { Governor } from '../../relayer/governor/governor.js';
import { Keys } from '../../relayer/store/keys.js';
import { writeDevnetConfig } from '../../relayer/devnet/devnet-stack.js';
import type { RescanReport } from '../../relayer/rescan/rescan.js';
import { transferIdOf, type Transfer, type TransferId } from '../../relayer/transfer.js';
import { openOperatorStore } from '../../relayer/operator/operator-store.js';
import { retryTransfer } from '../../relayer/operator/actions.js';
import { eventually } from '../eventually.js';
import { Bridge, type RelayerProcess } from './bridge-harness.js';

const COIN = 100_000_000n;
const FEE_RATE = 2;
/**
 * Least time between two blocks of a chain. Main blocks come slower than the side node's follower
 * polls the main node (every second): else the relayer may see a lock's confirmations before the
 * side node knows the lock's block, and the side node refuses the mint (see untilCompleted).
 */
const PACE_MS = { main: 1200, side: 400 } as const;

interface Sent {
  readonly id: TransferId;
  readonly txid: string;
  readonly vout: number;
  readonly amount: bigint;
  /** The destination scriptPubKey named in the memo: a fresh one per transfer. */
  readonly destination: Uint8Array;
}

test('Redis restarted, then killed and started again, under running relayers: everything completes, nothing twice', { timeout: 600_000 }, async (t) => {
  const bridge = await Bridge.start(t, { relayers: 0 });
  bridge.redis.on('error', () => {}); // the test's own connection: while Redis is away its commands fail, which is enough
  const logs: string[] = [];
  const start = (): RelayerProcess => {
    const r = bridge.startRelayer();
    logs.push(r.logFile);
    return r;
  };
  await fundFirst(bridge, start);
  const funds = await fund(bridge, t, 12, 8);
  start();
  await untilStarted(bridge.relayers);
  const { locks, burns } = await sendWave(bridge, funds, [0, 0], 12, 8);
  const ids = [...locks, ...burns].map((s) => s.id);

  // a clean restart while payouts are being signed and broadcast (the AOF keeps every write)
  const first = await mineWhilePolling(bridge, async () => {
    const c = await bridge.store.counts();
    return c.signing + c.broadcast > 0 ? c : undefined;
  }, 'payouts being signed or broadcast');
  await bridge.redisServer.restart();
  t.diagnostic(`Redis restarted with ${first.signing} signing, ${first.broadcast} broadcast, ${first.completed} completed`);
  const completedBefore = first.completed;
  await mineWhilePolling(bridge, async () => ((await bridge.store.counts()).completed >= completedBefore + 3 ? true : undefined), 'three more transfers completed after the restart');
  assertRunning(bridge);

  // a crash while transfers are in flight: the relayers see it, blocks come meanwhile
  const second = await mineWhilePolling(bridge, async () => {
    const c = await bridge.store.counts();
    return c.confirming + c.verified + c.signing + c.broadcast > 0 ? c : undefined;
  }, 'transfers in flight');
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
  const bridge = await Bridge.start(t, { relayers: 0 });
  bridge.redis.on('error', () => {}); // the test's own connection: while Redis is away its commands fail, which is enough
  const logs: string[] = [];
  const start = (): RelayerProcess => {
    const r = bridge.startRelayer();
    logs.push(r.logFile);
    return r;
  };
  await fundFirst(bridge, start);
  const funds = await fund(bridge, t, 14, 11);
  start();
  await untilStarted(bridge.relayers);

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
    }, 'wave 3 seen and a release in the main mempool');
  } else {
    // wave 2's releases all confirmed (once at least: not in the mempool)
    await mineWhilePolling(bridge, async () => {
      for (const b of w2.burns) if (!(await releaseSettled(bridge, b.id))) return undefined;
      return true;
    }, 'the releases of wave 2 confirmed');
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
  const before = new Map<TransferId, Transfer | undefined>();
  for (const s of all) before.set(s.id, await bridge.store.get(s.id));
  const inMempool: TransferId[] = [];
  for (const tr of before.values()) if (tr?.payout !== undefined && (await mempoolHas(bridge, tr.direction === 'pegin' ? 'side' : 'main', tr.payout.txid))) inMempool.push(tr.id);
  t.diagnostic(`before the flush: ${histogram([...before.values()])}; payouts in a mempool: ${inMempool.join(', ') || 'none'}`);
  const states = new Set([...before.values()].map((tr) => tr?.state));
  assert.ok(states.has('completed') && (states.has('broadcast') || states.has('signing')) && (states.has('seen') || states.has('confirming') || states.has('verified')), `transfers at every stage: ${histogram([...before.values()])}`);

  const pendingReleases = inMempool.filter((id) => id.startsWith('out-'));
  if (scenario.pending === 'a release in the mempool') assert.ok(pendingReleases.length > 0, 'a release waits in the main mempool at the flush');
  if (scenario.relayers === 'down') for (const r of [...bridge.relayers]) await bridge.killRelayer(r);
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
    if (old?.state === 'completed') assert.ok(tr.state === 'completed' || tr.payout === undefined, `${s.id} completed before the flush; now ${tr.state}`);
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

/** Waits until each process logged that it runs (on a loaded machine a start takes tens of seconds). */
async function untilStarted(relayers: readonly RelayerProcess[]): Promise<void> {
  await eventually(
    () => {
      for (const r of relayers) {
        assert.equal(r.child.exitCode, null, `relayer ${r.child.pid} exited: ${readFileSync(r.logFile, 'utf8').slice(-2000)}`);
        assert.ok(readFileSync(r.logFile, 'utf8').includes('"msg":"relayer started"'), `relayer ${r.child.pid} not started yet`);
      }
    },
    { timeoutMs: 120_000, intervalMs: 200, what: 'relayer processes started' },
  );
}

function assertRunning(bridge: Bridge): void {
  for (const r of bridge.relayers) assert.equal(r.child.exitCode, null, `relayer ${r.child.pid} died: ${readFileSync(r.logFile, 'utf8').slice(-3000)}`);
}

/**
 * Mines the main wallet's first mature coins before any relayer runs, and points the relayer's
 * `startHeight` at that tip (as an operator deploys at a recent height), then starts one.
 */
async function fundFirst(bridge: Bridge, start: () => RelayerProcess): Promise<RelayerProcess> {
  await bridge.fundMain(2);
  const startHeight = await bridge.nodes.mainRpc.call<number>('getblockcount', []);
  const chain = (role: 'main' | 'side', from: number): Record<string, unknown> => ({
    adapter: bridge.config.chains[role].adapter,
    options: bridge.nodes.adapterOptions(role),
    confirmations: bridge.config.chains[role].confirmations,
    startHeight: from,
    pollIntervalMs: bridge.config.chains[role].pollIntervalMs,
  });
  writeDevnetConfig(bridge.configPath, bridge.nodes, bridge.redisServer.url, { sections: { chains: { main: chain('main', startHeight), side: chain('side', 0) } } });
  return start();
}

interface Funds {
  readonly bootstrap: Sent;
  readonly mainCoins: readonly SpendableCoin[];
  readonly sideCoins: readonly SpendableCoin[];
}

/** One lock of 8 coins minted to the side wallet, then one confirmed coin per lock and per burn to come. */
async function fund(bridge: Bridge, t: TestContext, locks: number, burns: number): Promise<Funds> {
  assert.equal(await lockedValue(bridge), 0n, 'a fresh chain: nothing locked yet');
  const key = bridge.walletFile.primaryKey();
  const lock = await bridge.mainWallet.lock(8n * COIN, await bridge.sideWallet.address(key), bridge.federation);
  const lockVout = decodeTransaction(lock.raw).tx.outputs.findIndex((o) => o.value === 8n * COIN);
  const bootstrap: Sent = { id: transferIdOf('pegin', lock.txidLE, lockVout), txid: lock.txid, vout: lockVout, amount: 8n * COIN, destination: key.scriptPubKey };
  await untilCompleted(bridge, t, [bootstrap.id], bridge.relayers.map((r) => r.logFile));
  const mainCoins = await splitCoins(bridge, 'main', locks, lockAmount(locks) + 10_000n);
  const sideCoins = await splitCoins(bridge, 'side', burns, burnAmount(burns) + 10_000n);
  await bridge.mine('main');
  await bridge.mine('side');
  return { bootstrap, mainCoins, sideCoins };
}

const lockAmount = (i: number): bigint => COIN + BigInt(i) * 1000n;
const burnAmount = (i: number): bigint => 20_000_000n + BigInt(i) * 1000n;

/** Sends `locks` locks and `burns` burns at once, from coins `from` (main, side) on, each to a fresh destination. */
async function sendWave(bridge: Bridge, funds: Funds, from: readonly [number, number], locks: number, burns: number): Promise<{ locks: Sent[]; burns: Sent[] }> {
  const out = { locks: [] as Sent[], burns: [] as Sent[] };
  for (let i = 0; i < Math.max(locks, burns); i++) {
    const [l, b] = [from[0] + i, from[1] + i];
    if (i < locks) out.locks.push(await sendLock(bridge, funds.mainCoins[l]!, lockAmount(l)));
    if (i < burns) out.burns.push(await sendBurn(bridge, funds.sideCoins[b]!, burnAmount(b)));
  }
  return out;
}

function rpcOf(bridge: Bridge, role: 'main' | 'side'): Bridge['nodes']['mainRpc'] {
  return role === 'main' ? bridge.nodes.mainRpc : bridge.nodes.sideRpc;
}

/** One transaction paying `count` outputs of `value` to the wallet; returns them as coins (unconfirmed). */
async function splitCoins(bridge: Bridge, role: 'main' | 'side', count: number, value: bigint): Promise<SpendableCoin[]> {
  const key = bridge.walletFile.primaryKey();
  const wallet = role === 'main' ? bridge.mainWallet : bridge.sideWallet;
  const outputs = Array.from({ length: count }, () => ({ value, scriptPubKey: key.scriptPubKey }));
  const payment = buildSignedPayment({ coins: await wallet.coins(), outputs, feeRate: FEE_RATE, changeScript: key.scriptPubKey });
  await rpcOf(bridge, role).call('sendrawtransaction', [bytesToHex(payment.raw)]);
  return outputs.map((output, vout) => ({ txidLE: payment.txidLE, vout, output, privateKey: key.privateKey }));
}

function freshDestination(): Uint8Array {
  return hexToBytes(`0014${randomBytes(20).toString('hex')}`);
}

async function sendLock(bridge: Bridge, coin: SpendableCoin, amount: bigint): Promise<Sent> {
  const destination = freshDestination();
  const outputs = [
    { value: amount, scriptPubKey: bridge.lockScript },
    { value: 0n, scriptPubKey: encodeMemo({ kind: 'lock', destinationScript: destination }) },
  ];
  const p = buildSignedPayment({ coins: [coin], outputs, feeRate: FEE_RATE, changeScript: bridge.walletFile.primaryKey().scriptPubKey });
  const txid = await bridge.nodes.mainRpc.call<string>('sendrawtransaction', [bytesToHex(p.raw)]);
  return { id: transferIdOf('pegin', p.txidLE, 0), txid, vout: 0, amount, destination };
}

async function sendBurn(bridge: Bridge, coin: SpendableCoin, amount: bigint): Promise<Sent> {
  const destination = freshDestination();
  const outputs = [{ value: amount, scriptPubKey: encodeMemo({ kind: 'burn', destinationScript: destination }) }];
  const p = buildSignedPayment({ coins: [coin], outputs, feeRate: FEE_RATE, changeScript: bridge.walletFile.primaryKey().scriptPubKey });
  const txid = await bridge.nodes.sideRpc.call<string>('sendrawtransaction', [bytesToHex(p.raw), 0.1, Number(formatCoins(amount))]);
  return { id: transferIdOf('pegout', p.txidLE, 0), txid, vout: 0, amount, destination };
}

/**
 * Mines a block on each chain whose watcher has caught up with the tip (its cursor is there, or
 * there is none), paced by PACE_MS: on a loaded machine the chains never run ahead of the
 * relayer. While Redis does not answer it mines nothing (the check fails and is tried again).
 */
function miner(bridge: Bridge): () => Promise<void> {
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

/** Polls `probe` every few milliseconds, mining meanwhile, until it returns something. */
async function mineWhilePolling<T>(bridge: Bridge, probe: () => Promise<T | undefined>, what: string, timeoutMs = 180_000): Promise<T> {
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
 * Mines until every id is `completed`; fails at once on `held` or `rejected`, with the logs' tails.
 * One hold is retried instead, as an operator would (`utxo-relay transfers retry`), and reported:
 * the side node refusing a mint whose lock block it has not followed yet (it polls the main node
 * every second), a passing condition that the relayer holds for good (BROADCAST_REFUSED).
 */
async function untilCompleted(bridge: Bridge, t: TestContext, ids: readonly TransferId[], logs: readonly string[], timeoutMs = 400_000): Promise<void> {
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

async function retryAsOperator(bridge: Bridge, t: TestContext, tr: Transfer): Promise<void> {
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

function isSideLagHold(tr: Transfer): boolean {
  return tr.state === 'held' && tr.direction === 'pegin' && tr.reason?.code === 'BROADCAST_REFUSED' && /mint-bad-proof .*not in this operator's header chain/.test(tr.reason.message);
}

function tail(logFiles: readonly string[]): string {
  return logFiles.map((f) => `--- ${f}\n${readFileSync(f, 'utf8').split('\n').slice(-15).join('\n')}`).join('\n');
}

function units(amount: number): bigint {
  return parseCoins(amount.toFixed(8));
}

async function lockedValue(bridge: Bridge): Promise<bigint> {
  const r = await bridge.nodes.mainRpc.call<{ unspents: { amount: number }[] }>('scantxoutset', ['start', [`raw(${bytesToHex(bridge.lockScript)})`]]);
  return r.unspents.reduce((s, u) => s + units(u.amount), 0n);
}

interface RpcTx {
  txid: string;
  fee?: number;
  vout: { value: number; scriptPubKey: { hex: string } }[];
}

/**
 * The books, on both chains and in the store, once every transfer completed: nothing twice and
 * nothing lost. A few more blocks are mined first so that a stray second payout would confirm.
 */
async function checkBooks(bridge: Bridge, locks: readonly Sent[], burns: readonly Sent[], otherLocks: readonly Sent[]): Promise<void> {
  await bridge.mine('main', 3);
  await bridge.mine('side', 3);
  const { mainRpc, sideRpc } = bridge.nodes;
  const all = [...locks, ...burns, ...otherLocks];

  const counts = await bridge.store.counts();
  assert.deepEqual(counts, { seen: 0, confirming: 0, verified: 0, signing: 0, broadcast: 0, completed: all.length, held: 0, rejected: 0, reorged: 0 });
  assert.deepEqual((await bridge.controls.alerts()).map((a) => `${a.kind}: ${a.message}`), []);
  assert.deepEqual(await bridge.controls.paused(), {});
  const records = new Map<TransferId, Transfer>();
  for (const s of all) records.set(s.id, await bridge.store.require(s.id));

  // peg-ins: each lock outpoint claimed once, by the mint on record, which paid its destination once
  const mintFee = bridge.config.fees.mint;
  for (const s of locks) {
    const claim = await sideRpc.call<{ claimed: boolean; mint_txid: string; confirmations: number }>('getpegclaim', [s.txid, s.vout]);
    assert.equal(claim.claimed, true, `${s.id} is claimed`);
    assert.equal(claim.mint_txid, records.get(s.id)!.payout?.txid, `${s.id}: the claim is the mint on record`);
    assert.ok(claim.confirmations >= bridge.config.chains.side.confirmations);
    const paid = await scan(sideRpc, s.destination);
    assert.deepEqual(paid.map((u) => [u.txid, units(u.amount)]), [[claim.mint_txid, s.amount - mintFee]], `${s.id}: its destination got amount - mint fee, once`);
  }
  for (const s of otherLocks) assert.equal((await sideRpc.call<{ claimed: boolean }>('getpegclaim', [s.txid, s.vout])).claimed, true);
  const sumLocks = [...locks, ...otherLocks].reduce((s, l) => s + l.amount, 0n);
  const sumBurns = burns.reduce((s, b) => s + b.amount, 0n);
  const side = await sideRpc.call<{ total_amount: number }>('gettxoutsetinfo', []);
  assert.equal(units(side.total_amount), sumLocks - sumBurns, 'side supply = sum of locks - sum of burns (mint fees and side fees stay in the supply, paid to side miners)');

  // peg-outs: exactly one confirmed transaction carries each burn's release memo
  const memoOf = new Map(burns.map((b) => [bytesToHex(encodeMemo({ kind: 'release', burnsHashLE: burnsHash([{ txidLE: displayToHash(b.txid), vout: b.vout }]) })), b]));
  const releases = new Map<TransferId, RpcTx[]>();
  const tip = await mainRpc.call<number>('getblockcount', []);
  for (let h = 1; h <= tip; h++) {
    const block = await mainRpc.call<{ tx: RpcTx[] }>('getblock', [await mainRpc.call<string>('getblockhash', [h]), 2]);
    for (const tx of block.tx) {
      for (const o of tx.vout) {
        const b = memoOf.get(o.scriptPubKey.hex);
        if (b !== undefined) releases.set(b.id, [...(releases.get(b.id) ?? []), tx]);
      }
    }
  }
  for (const b of burns) {
    const found = releases.get(b.id) ?? [];
    assert.equal(found.length, 1, `${b.id}: exactly one confirmed release (found ${found.map((x) => x.txid).join(', ') || 'none'})`);
    const release = found[0]!;
    assert.equal(release.txid, records.get(b.id)!.payout?.txid, `${b.id}: the release on chain is the one on record`);
    const fee = units(release.fee!);
    assert.ok(fee > 0n && fee < 100_000n, `${b.id}: release fee ${fee}`);
    const paid = await scan(mainRpc, b.destination);
    assert.deepEqual(paid.map((u) => [u.txid, units(u.amount)]), [[release.txid, b.amount - fee]], `${b.id}: its destination got amount - release fee, once`);
  }
  for (const txid of await mainRpc.call<string[]>('getrawmempool', [])) {
    const tx = await mainRpc.call<RpcTx>('getrawtransaction', [txid, 1]);
    assert.ok(!tx.vout.some((o) => memoOf.has(o.scriptPubKey.hex)), `mempool transaction ${txid} carries a release memo`);
  }
  assert.equal(await lockedValue(bridge), sumLocks - sumBurns, 'the lock holds exactly what was locked minus what was burned');
}

async function scan(rpc: Bridge['nodes']['mainRpc'], script: Uint8Array): Promise<{ txid: string; amount: number }[]> {
  const r = await rpc.call<{ unspents: { txid: string; amount: number }[] }>('scantxoutset', ['start', [`raw(${bytesToHex(script)})`]]);
  return r.unspents;
}
