/**
 * The transfer store against a real redis-server (one per file, a unique key prefix per test):
 * idempotent create, compare-and-set mutate under concurrency, the state and block indexes, the
 * capped history, listing, and the bigint codec (exact round trips, damaged records refused with
 * a TypeError naming the field).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { redisPerFile, uniquePrefix } from '../../test/redis.js';
import { RelayerError } from '../errors.js';
import type { PayoutTx, Transfer, TransferId, TransferState } from '../transfer.js';
import { Keys } from './keys.js';
import { decodeTransfer, encodeTransfer } from './transfer-codec.js';
import { TransferStore } from './transfer-store.js';

const { connect } = redisPerFile();

/** A store on its own key prefix, with a clock the test moves (`clock.t`). */
function openStore(label: string): { store: TransferStore; redis: Redis; keys: Keys; clock: { t: number } } {
  const redis = connect();
  const keys = new Keys(uniquePrefix(label), 'dep');
  const clock = { t: 1_000_000 };
  return { store: new TransferStore(redis, keys, () => clock.t), redis, keys, clock };
}

const hex64 = (n: number): string => n.toString(16).padStart(64, '0');

function transfer(n: number, extra: Partial<Transfer> = {}): Transfer {
  const direction = extra.direction ?? 'pegin';
  return {
    id: `${direction === 'pegin' ? 'in' : 'out'}-${hex64(n)}-${n % 3}` as TransferId,
    direction,
    state: 'seen',
    generation: 0,
    source: { txid: hex64(n), vout: n % 3, blockHash: 'ab'.repeat(32), height: 100 + n },
    amount: 150_000_000n,
    destination: '0014' + '11'.repeat(20),
    createdAt: 0,
    updatedAt: 0,
    ...extra,
  };
}

const payout = (n: number, fee: bigint): PayoutTx => ({ txid: hex64(1000 + n), rawTx: '02000000' + 'ee'.repeat(n), inputs: [`${hex64(n)}:0`, `${hex64(n)}:1`], fee, feeRate: 2.5 });

describe('create', () => {
  test('records a new transfer once: a second create of the same id returns false and changes nothing', async () => {
    const { store, clock } = openStore('create');
    const t = transfer(1);
    assert.equal(await store.create(t, 'main', 'seen in a block'), true);
    const first = await store.getVersioned(t.id);
    clock.t += 5_000;
    assert.equal(await store.create({ ...t, amount: 1n, state: 'confirming', source: { ...t.source, blockHash: 'cd'.repeat(32) } }, 'main', 'again'), false);
    assert.deepEqual(await store.getVersioned(t.id), first);
    assert.equal(first?.version, 1);
    assert.equal(first?.transfer.createdAt, 1_000_000);
    assert.deepEqual(await store.events(t.id), [{ at: 1_000_000, to: 'seen', note: 'seen in a block' }]);
    assert.deepEqual(await store.idsInState('seen'), [t.id]);
    assert.deepEqual(await store.idsInState('confirming'), []);
    assert.deepEqual(await store.idsInBlock('main', 'cd'.repeat(32)), []);
    assert.equal((await store.list()).length, 1);
  });

  test('TRANSFER_NOT_FOUND for unknown ids (require, mutate); get is undefined', async () => {
    const { store } = openStore('missing');
    const id = transfer(7).id;
    assert.equal(await store.get(id), undefined);
    const notFound = (e: unknown): boolean => e instanceof RelayerError && e.code === 'TRANSFER_NOT_FOUND' && e.details['id'] === id;
    await assert.rejects(store.require(id), notFound);
    let called = false;
    await assert.rejects(
      store.mutate(id, (t) => {
        called = true;
        return { next: t, note: 'x' };
      }),
      notFound,
    );
    assert.equal(called, false);
  });
});

describe('mutate', () => {
  test('is a compare-and-set: 20 concurrent increments of generation, none lost', async () => {
    const { store, redis, keys } = openStore('cas');
    const t = transfer(2);
    await store.create(t, 'main', 'seen');
    // a second connection, so that the reads and writes really interleave on the server
    const other = connect();
    const store2 = new TransferStore(other, keys);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : store2).mutate(t.id, (cur) => ({ next: { ...cur, generation: cur.generation + 1 }, note: `bump ${i}` }), 50)),
    );
    assert.deepEqual(results.map((r) => r.generation).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
    const stored = await store.getVersioned(t.id);
    assert.equal(stored?.transfer.generation, 20);
    assert.equal(stored?.version, 21);
    assert.equal(await redis.hget(keys.transfer(t.id), 'version'), '21');
    assert.equal((await store.events(t.id)).length, 21);
  });

  test('a writer that keeps losing gets TRANSFER_STATE_CONFLICT after its tries', async () => {
    const { store, redis, keys } = openStore('conflict');
    const t = transfer(3);
    await store.create(t, 'main', 'seen');
    let calls = 0;
    await assert.rejects(
      store.mutate(
        t.id,
        (cur) => {
          calls++;
          // someone else moves the record between our read and our write, every time (same
          // connection: this command reaches Redis before the store's write)
          void redis.hincrby(keys.transfer(t.id), 'version', 1);
          return { next: { ...cur, state: 'confirming' }, note: 'mine' };
        },
        3,
      ),
      (e: unknown) => e instanceof RelayerError && e.code === 'TRANSFER_STATE_CONFLICT',
    );
    assert.equal(calls, 3);
    assert.equal((await store.require(t.id)).state, 'seen');
  });

  test('undefined from decide writes nothing; a throw from decide writes nothing', async () => {
    const { store } = openStore('noop');
    const t = transfer(4);
    await store.create(t, 'main', 'seen');
    const before = await store.getVersioned(t.id);
    assert.deepEqual(await store.mutate(t.id, () => undefined), before?.transfer);
    await assert.rejects(store.mutate(t.id, () => { throw new RangeError('refused'); }), RangeError);
    assert.deepEqual(await store.getVersioned(t.id), before);
  });

  test('state index sets move with the state (idsInState, counts); idsInBlock with addToBlock', async () => {
    const { store, clock } = openStore('index');
    const a = transfer(10);
    const b = transfer(11, { source: { ...transfer(11).source, blockHash: 'cd'.repeat(32) } });
    await store.create(a, 'main', 'seen');
    clock.t += 1;
    await store.create(b, 'main', 'seen');
    assert.deepEqual(await store.idsInState('seen'), [a.id, b.id]);
    clock.t += 1;
    await store.mutate(a.id, (t) => ({ next: { ...t, state: 'confirming' }, note: 'confirming' }));
    assert.deepEqual(await store.idsInState('seen'), [b.id]);
    assert.deepEqual(await store.idsInState('confirming'), [a.id]);
    clock.t += 1;
    await store.mutate(b.id, (t) => ({ next: { ...t, state: 'confirming' }, note: 'confirming' }));
    assert.deepEqual(await store.idsInState('confirming'), [a.id, b.id], 'oldest update first');
    assert.deepEqual(await store.idsInState('confirming', { limit: 1 }), [a.id]);
    assert.deepEqual(await store.idsInState('confirming', { updatedBefore: clock.t }), [a.id], 'updated strictly before');
    assert.deepEqual(await store.idsInState('confirming', { updatedBefore: clock.t + 1 }), [a.id, b.id]);
    clock.t += 1;
    // a mutate in the same state refreshes its score: now a is the newest update
    await store.mutate(a.id, (t) => ({ next: { ...t, generation: 1 }, note: 'bump' }));
    assert.deepEqual(await store.idsInState('confirming'), [b.id, a.id]);
    await store.mutate(a.id, (t) => ({ next: { ...t, state: 'rejected', reason: { code: 'DUST', message: 'too small' } }, note: 'rejected' }));
    const counts = await store.counts();
    const expected = Object.fromEntries((['seen', 'confirming', 'verified', 'signing', 'broadcast', 'completed', 'held', 'rejected', 'reorged'] as TransferState[]).map((s) => [s, 0]));
    assert.deepEqual(counts, { ...expected, confirming: 1, rejected: 1 });

    assert.deepEqual(await store.idsInBlock('main', 'ab'.repeat(32)), [a.id]);
    assert.deepEqual(await store.idsInBlock('main', 'cd'.repeat(32)), [b.id]);
    assert.deepEqual(await store.idsInBlock('side', 'ab'.repeat(32)), [], 'roles are apart');
    // the source shows up again in another block (after a reorg)
    await store.mutate(b.id, (t) => ({ next: { ...t, state: 'confirming', source: { ...t.source, blockHash: 'ef'.repeat(32) } }, note: 'moved', addToBlock: { role: 'main', blockHash: 'ef'.repeat(32) } }));
    assert.deepEqual(await store.idsInBlock('main', 'ef'.repeat(32)), [b.id]);
    assert.deepEqual(await store.idsInBlock('main', 'cd'.repeat(32)), [b.id], 'the old block still names it (the watcher looks it up on a reorg)');
  });
});

describe('events', () => {
  test('history oldest first with from/to/note and time; capped at 200', async () => {
    const { store, clock } = openStore('events');
    const t = transfer(20);
    await store.create(t, 'main', 'seen in block');
    clock.t = 2_000_000;
    await store.mutate(t.id, (c) => ({ next: { ...c, state: 'confirming' }, note: 'waiting' }));
    clock.t = 3_000_000;
    await store.mutate(t.id, (c) => ({ next: { ...c, state: 'held', reason: { code: 'OVER_DAILY_CAP', message: 'm' } }, note: 'held: cap' }));
    assert.deepEqual(await store.events(t.id), [
      { at: 1_000_000, to: 'seen', note: 'seen in block' },
      { at: 2_000_000, from: 'seen', to: 'confirming', note: 'waiting' },
      { at: 3_000_000, from: 'confirming', to: 'held', note: 'held: cap' },
    ]);
    for (let i = 0; i < 250; i++) {
      clock.t++;
      await store.mutate(t.id, (c) => ({ next: { ...c, generation: c.generation + 1 }, note: `n${i}` }));
    }
    const events = await store.events(t.id);
    assert.equal(events.length, 200);
    assert.equal(events[0]!.note, 'n50', 'the oldest are dropped');
    assert.equal(events.at(-1)!.note, 'n249');
    assert.ok(events.every((e, i) => i === 0 || e.at > events[i - 1]!.at));
  });
});

describe('list', () => {
  test('newest first, with state and direction filters and a limit', async () => {
    const { store, clock } = openStore('list');
    const ids: TransferId[] = [];
    for (let n = 1; n <= 12; n++) {
      clock.t += 10;
      const t = transfer(100 + n, { direction: n % 2 === 0 ? 'pegout' : 'pegin' });
      await store.create(t, n % 2 === 0 ? 'side' : 'main', 'seen');
      ids.push(t.id);
    }
    const newestFirst = [...ids].reverse();
    assert.deepEqual((await store.list()).map((t) => t.id), newestFirst);
    assert.deepEqual((await store.list({ limit: 3 })).map((t) => t.id), newestFirst.slice(0, 3));
    assert.deepEqual((await store.list({ direction: 'pegout' })).map((t) => t.id), newestFirst.filter((_, i) => i % 2 === 0));
    assert.deepEqual((await store.list({ direction: 'pegin', limit: 2 })).map((t) => t.id), newestFirst.filter((_, i) => i % 2 === 1).slice(0, 2));
    // move ids[0] (oldest, pegin) and ids[3] (pegout) to held, ids[0] last
    clock.t += 10;
    await store.mutate(ids[3]!, (c) => ({ next: { ...c, state: 'held' }, note: 'held' }));
    clock.t += 10;
    await store.mutate(ids[0]!, (c) => ({ next: { ...c, state: 'held' }, note: 'held' }));
    assert.deepEqual((await store.list({ state: 'held' })).map((t) => t.id), [ids[0], ids[3]], 'by last update, newest first');
    assert.deepEqual((await store.list({ state: 'held', direction: 'pegout' })).map((t) => t.id), [ids[3]]);
    assert.deepEqual((await store.list({ state: 'held', limit: 1 })).map((t) => t.id), [ids[0]]);
    assert.deepEqual(await store.list({ state: 'completed' }), []);
  });

  test('a direction filter finds matches past the first page', async () => {
    const { store, clock } = openStore('list-pages');
    const pegout = transfer(5000, { direction: 'pegout' });
    await store.create(pegout, 'side', 'seen');
    for (let n = 1; n <= 600; n++) {
      clock.t += 1;
      await store.create(transfer(n), 'main', 'seen');
    }
    assert.deepEqual((await store.list({ direction: 'pegout' })).map((t) => t.id), [pegout.id]);
  });
});

describe('codec', () => {
  const big = 2n ** 64n + 12345n;
  const full = transfer(30, {
    state: 'signing',
    amount: big,
    payoutAmount: big - 999n,
    payout: { ...payout(2, 2n ** 60n + 1n), broadcastHeight: 812_345 },
    payoutHistory: [payout(1, 9_007_199_254_740_993n), payout(2, 0n)],
    proof: { blockHash: 'ab'.repeat(32), height: 130, confirmations: 6, checkedAt: 42 },
    signatures: { '0': ['aa'.repeat(64)], '2': ['bb'.repeat(64), 'cc'.repeat(64)] },
    approved: true,
    reason: { code: 'X', message: 'y' },
  });

  test('bigint amounts and payouts survive the store round trip exactly', async () => {
    const { store } = openStore('bigint');
    await store.create(full, 'main', 'seen');
    const back = await store.require(full.id);
    assert.deepEqual(back, { ...full, createdAt: 1_000_000, updatedAt: 1_000_000 });
    assert.equal(typeof back.amount, 'bigint');
    assert.equal(back.payoutHistory?.[0]?.fee, 9_007_199_254_740_993n);
    const moved = await store.mutate(full.id, (t) => ({ next: { ...t, amount: t.amount + 1n }, note: 'x' }));
    assert.deepEqual(await store.require(full.id), moved);
    assert.equal(moved.amount, big + 1n);
  });

  test('encode/decode is the identity; absent optional fields stay absent', () => {
    assert.deepEqual(decodeTransfer(encodeTransfer(full)), full);
    const bare = transfer(31);
    const back = decodeTransfer(encodeTransfer(bare));
    assert.deepEqual(back, bare);
    assert.equal('payout' in back, false);
    assert.equal('payoutAmount' in back, false);
  });

  const damaged: [string, (j: Record<string, unknown>) => void, RegExp][] = [
    ['amount missing', (j) => delete j['amount'], /amount/],
    ['amount as a JSON number', (j) => (j['amount'] = 150000000), /amount/],
    ['amount with a fraction', (j) => (j['amount'] = '1.5'), /amount/],
    ['payoutAmount not decimal', (j) => (j['payoutAmount'] = '0x10'), /payoutAmount/],
    ['payout.fee missing', (j) => delete (j['payout'] as Record<string, unknown>)['fee'], /payout\.fee/],
    ['payout without txid', (j) => delete (j['payout'] as Record<string, unknown>)['txid'], /payout/],
    ['payout not an object', (j) => (j['payout'] = 'abc'), /payout/],
    ['payoutHistory[1].fee damaged', (j) => ((j['payoutHistory'] as Record<string, unknown>[])[1]!['fee'] = 'one'), /payoutHistory\[1\]\.fee/],
    ['payoutHistory not an array', (j) => (j['payoutHistory'] = { fee: '1' }), /payoutHistory/],
    ['unknown state', (j) => (j['state'] = 'minted'), /state/],
    ['unknown direction', (j) => (j['direction'] = 'sideways'), /direction/],
    ['direction not the id\'s', (j) => (j['direction'] = 'pegout'), /direction/],
    ['generation not a number', (j) => (j['generation'] = '3'), /generation/],
    ['source missing', (j) => delete j['source'], /source/],
    ['source.blockHash missing', (j) => delete (j['source'] as Record<string, unknown>)['blockHash'], /source/],
  ];
  for (const [name, damage, field] of damaged) {
    test(`a damaged record is a TypeError naming the field: ${name}`, async () => {
      const j = JSON.parse(encodeTransfer(full)) as Record<string, unknown>;
      damage(j);
      const named = (e: unknown): boolean => e instanceof TypeError && /^transfer record/.test(e.message) && field.test(e.message);
      assert.throws(() => decodeTransfer(JSON.stringify(j)), named);
      // and through the store: the damage is reported, not read as a wrong amount
      const { store, redis, keys } = openStore('damaged');
      await store.create(full, 'main', 'seen');
      await redis.hset(keys.transfer(full.id), 'json', JSON.stringify(j));
      await assert.rejects(store.get(full.id), named);
    });
  }
});
