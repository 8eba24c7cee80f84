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
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { loadConfig } from '../../config/index.js';
import { formatCoins, parseCoins } from '../../ledgers/bitcoin/amount.js';
import { buildSignedPayment, type SpendableCoin } from '../../ledgers/devnet/wallet/build-payment.js';
import { bytesToHex, displayToHash, hexToBytes } from '../../proofs/bytes.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';
import { burnsHash } from '../../relayer/detect/index.js';
import { transferIdOf, type Transfer, type TransferId } from '../../relayer/transfer.js';
import { openOperatorStore } from '../../relayer/operator/operator-store.js';
import { retryTransfer } from '../../relayer/operator/actions.js';
import { eventually } from '../eventually.js';
import { writeDevnetConfig } from '../../relayer/devnet/devnet-stack.js';
import { Bridge, type RelayerProcess } from './bridge-harness.js';

const COIN = 100_000_000n;
const LOCKS = 30;
const BURNS = 20;
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
  /** The destination scriptPubKey named in the memo: a fresh one per transfer, so that its UTXOs are this transfer's payout only. */
  readonly destination: Uint8Array;
}

test('relayers SIGKILLed while signing, right after a broadcast and while confirming: every transfer completes once', { timeout: 600_000 }, async (t) => {
  const bridge = await Bridge.start(t, { relayers: 0 });
  const logs: string[] = [];
  const start = (): RelayerProcess => {
    const r = bridge.startRelayer();
    logs.push(r.logFile);
    return r;
  };
  const r0 = await fundFirst(bridge, start);
  const { locks, burns, bootstrap } = await prepare(bridge, t);
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

  await untilCompleted(bridge, t, [...ids, bootstrap.id], logs);
  for (const r of bridge.relayers) assert.equal(r.child.exitCode, null, `relayer ${r.child.pid} is still running (${r.logFile})`);
  await checkBooks(bridge, locks, burns, [bootstrap]);
});

/**
 * Mines the main wallet's first mature coins before any relayer runs, and starts the relayer with
 * `startHeight` at that tip (as an operator deploys at a recent height): a watcher working through
 * 100 empty blocks on a loaded machine would only slow the test down.
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

/**
 * Funds the wallets: one lock of 8 coins minted to the side wallet (the coins the burns spend),
 * then 30 main-chain coins and 20 side-chain coins, one per transfer; then sends the 30 locks and
 * the 20 burns at once, each to its own fresh destination.
 */
async function prepare(bridge: Bridge, t: TestContext): Promise<{ locks: Sent[]; burns: Sent[]; bootstrap: Sent }> {
  assert.equal(await lockedValue(bridge), 0n, 'a fresh chain: nothing locked yet');
  const key = bridge.walletFile.primaryKey();
  const sideAddress = await bridge.sideWallet.address(key);
  const lock = await bridge.mainWallet.lock(8n * COIN, sideAddress, bridge.federation);
  const lockVout = decodeTransaction(lock.raw).tx.outputs.findIndex((o) => o.value === 8n * COIN);
  const bootstrap: Sent = { id: transferIdOf('pegin', lock.txidLE, lockVout), txid: lock.txid, vout: lockVout, amount: 8n * COIN, destination: key.scriptPubKey };
  await untilCompleted(bridge, t, [bootstrap.id], []);

  const lockAmount = (i: number): bigint => COIN + BigInt(i) * 1000n;
  const burnAmount = (i: number): bigint => 20_000_000n + BigInt(i) * 1000n;
  const mainCoins = await splitCoins(bridge, 'main', LOCKS, lockAmount(LOCKS) + 10_000n);
  const sideCoins = await splitCoins(bridge, 'side', BURNS, burnAmount(BURNS) + 10_000n);
  await bridge.mine('main');
  await bridge.mine('side');

  const locks: Sent[] = [];
  const burns: Sent[] = [];
  for (let i = 0; i < Math.max(LOCKS, BURNS); i++) {
    if (i < LOCKS) locks.push(await sendLock(bridge, mainCoins[i]!, lockAmount(i)));
    if (i < BURNS) burns.push(await sendBurn(bridge, sideCoins[i]!, burnAmount(i)));
  }
  t.diagnostic(`${LOCKS} locks and ${BURNS} burns sent`);
  return { locks, burns, bootstrap };
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
 * there is no cursor), paced by PACE_MS: on a loaded machine the chains never run ahead of
 * the relayer, and while no watcher runs (a lease waiting to expire) they wait for it.
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

/**
 * Polls `probe` every few milliseconds (the moments it looks for last a few milliseconds), mining
 * meanwhile, until `probe` returns something.
 */
async function mineWhilePolling<T>(bridge: Bridge, probe: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
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
        const os = await openOperatorStore(loadConfig(bridge.configPath));
        try {
          await retryTransfer(os, tr.id);
        } finally {
          await os.close();
        }
        t.diagnostic(`${tr.id}: held by ${tr.reason!.code} (${tr.reason!.message}); retried as an operator would`);
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

  // the records: all completed, nothing held, rejected, reorged or on its way; no alarm
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
      const memos = tx.vout.map((o) => o.scriptPubKey.hex).filter((hex) => hex.startsWith('6a'));
      for (const hex of memos) {
        const b = memoOf.get(hex);
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
  // no second release waiting in the mempool either
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
