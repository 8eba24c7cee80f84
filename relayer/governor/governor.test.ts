/**
 * The governor against a real redis-server: the per-transfer maximum, the rolling 24-hour cap
 * (time moved with the `now` parameter), idempotent admits, operator approval, concurrency at the
 * cap, forget, used, and the exact range of amounts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redisPerFile, uniquePrefix } from '../../test/redis.js';
import { Keys } from '../store/keys.js';
import type { Direction, TransferId } from '../transfer.js';
import { Governor, WINDOW_MS, type Limits } from './governor.js';

const { connect } = redisPerFile();

const HOUR = 60 * 60 * 1000;

function open(label: string, pegin: Limits, pegout: Limits = {}): { gov: Governor; clock: { t: number }; keys: Keys; limits: Record<Direction, Limits> } {
  const keys = new Keys(uniquePrefix(label), 'dep');
  const clock = { t: 1_700_000_000_000 };
  const limits = { pegin, pegout };
  return { gov: new Governor(connect(), keys, limits, () => clock.t), clock, keys, limits };
}

const idOf = (n: number): TransferId => `in-${n.toString(16).padStart(64, '0')}-0` as TransferId;

describe('caps', () => {
  test('per-transfer maximum: at the maximum is admitted, one above is OVER_TRANSFER_CAP and not counted', async () => {
    const { gov } = open('max', { maxPerTransfer: 1_000n });
    assert.deepEqual(await gov.admit('pegin', idOf(1), 1_000n, false), { admitted: true });
    const over = await gov.admit('pegin', idOf(2), 1_001n, false);
    assert.equal(over.admitted, false);
    assert.equal(over.admitted === false && over.code, 'OVER_TRANSFER_CAP');
    assert.equal(await gov.used('pegin'), 1_000n);
    assert.equal(await gov.used('pegout'), 0n, 'directions are apart');
    assert.deepEqual(await gov.admit('pegout', idOf(2), 1_001n, false), { admitted: true }, 'pegout has no limits here');
  });

  test('rolling 24 h cap: entries older than 24 h stop counting', async () => {
    const { gov, clock } = open('window', { dailyCap: 100n });
    assert.equal((await gov.admit('pegin', idOf(1), 60n, false)).admitted, true);
    clock.t += 10 * HOUR;
    assert.equal((await gov.admit('pegin', idOf(2), 40n, false)).admitted, true);
    assert.equal(await gov.used('pegin'), 100n);
    const over = await gov.admit('pegin', idOf(3), 1n, false);
    assert.equal(over.admitted === false && over.code, 'OVER_DAILY_CAP');
    assert.match(over.admitted === false ? over.message : '', /101/);
    // just before the first entry is 24 h old it still counts
    clock.t += 14 * HOUR - 1;
    assert.equal(await gov.used('pegin'), 100n);
    assert.equal((await gov.admit('pegin', idOf(3), 1n, false)).admitted, false);
    // at 24 h it no longer does
    clock.t += 1;
    assert.equal(await gov.used('pegin'), 40n);
    assert.equal((await gov.admit('pegin', idOf(3), 60n, false)).admitted, true);
    assert.equal(await gov.used('pegin'), 100n);
    clock.t += WINDOW_MS;
    assert.equal(await gov.used('pegin'), 0n);
  });

  test('an admit of the same id is idempotent: counted once, admitted again even at the cap', async () => {
    const { gov } = open('idem', { dailyCap: 100n, maxPerTransfer: 80n });
    assert.equal((await gov.admit('pegin', idOf(1), 80n, false)).admitted, true);
    assert.equal((await gov.admit('pegin', idOf(1), 80n, false)).admitted, true);
    assert.equal((await gov.admit('pegin', idOf(2), 20n, false)).admitted, true);
    assert.equal((await gov.admit('pegin', idOf(1), 80n, false)).admitted, true);
    assert.equal(await gov.used('pegin'), 100n);
  });

  test('approved bypasses both caps but still counts', async () => {
    const { gov } = open('approved', { dailyCap: 100n, maxPerTransfer: 50n });
    assert.equal((await gov.admit('pegin', idOf(1), 500n, false)).admitted, false);
    assert.equal(await gov.used('pegin'), 0n);
    assert.deepEqual(await gov.admit('pegin', idOf(1), 500n, true), { admitted: true });
    assert.equal(await gov.used('pegin'), 500n);
    const next = await gov.admit('pegin', idOf(2), 1n, false);
    assert.equal(next.admitted === false && next.code, 'OVER_DAILY_CAP', 'the approved amount fills the window');
  });

  test('forget takes a transfer out of the window', async () => {
    const { gov } = open('forget', { dailyCap: 100n });
    await gov.admit('pegin', idOf(1), 70n, false);
    await gov.admit('pegin', idOf(2), 30n, false);
    assert.equal((await gov.admit('pegin', idOf(3), 50n, false)).admitted, false);
    await gov.forget('pegin', idOf(1));
    await gov.forget('pegin', idOf(99)); // unknown: no error
    assert.equal(await gov.used('pegin'), 30n);
    assert.equal((await gov.admit('pegin', idOf(3), 50n, false)).admitted, true);
    assert.equal(await gov.used('pegin'), 80n);
  });

  test('restore counts a transfer paid at a past time until its 24 h are over; outside the window or already counted, nothing', async () => {
    const { gov, clock } = open('restore', { dailyCap: 100n });
    assert.equal(await gov.restore('pegin', idOf(1), 60n, clock.t - 23 * HOUR), true);
    assert.equal(await gov.restore('pegin', idOf(2), 60n, clock.t - WINDOW_MS), false, 'exactly 24 h ago: outside');
    assert.equal(await gov.used('pegin'), 60n);
    assert.equal(await gov.restore('pegin', idOf(1), 99n, clock.t), false, 'already counted: kept as it is');
    assert.equal(await gov.used('pegin'), 60n);
    assert.equal((await gov.admit('pegin', idOf(3), 50n, false)).admitted, false, 'the restored amount takes room under the cap');
    clock.t += HOUR + 1;
    assert.equal(await gov.used('pegin'), 0n, 'it leaves the window 24 h after the time it paid');
    assert.equal((await gov.admit('pegin', idOf(3), 50n, false)).admitted, true);
    assert.equal(await gov.used('pegout'), 0n);
  });
});

describe('concurrency', () => {
  test('50 parallel admits of 10 against a cap of 100: exactly 10 admitted', async () => {
    const { keys, limits, clock } = open('race', { dailyCap: 100n });
    // several processes of one deployment, each with its own connection
    const govs = Array.from({ length: 5 }, () => new Governor(connect(), keys, limits, () => clock.t));
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => govs[i % govs.length]!.admit('pegin', idOf(i), 10n, false)));
    assert.equal(results.filter((r) => r.admitted).length, 10);
    assert.ok(results.every((r) => r.admitted || r.code === 'OVER_DAILY_CAP'));
    assert.equal(await govs[0]!.used('pegin'), 100n);
  });

  test('the same id admitted 20 times at once counts once', async () => {
    const { keys, limits, clock } = open('race-same', { dailyCap: 100n });
    const govs = Array.from({ length: 4 }, () => new Governor(connect(), keys, limits, () => clock.t));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => govs[i % govs.length]!.admit('pegin', idOf(7), 60n, false)));
    assert.ok(results.every((r) => r.admitted));
    assert.equal(await govs[0]!.used('pegin'), 60n);
  });
});

describe('exact amounts', () => {
  test('amounts above 2^53 - 1 (and negative) are refused with a RangeError; 2^53 - 1 is counted exactly', async () => {
    const { gov } = open('range', {});
    await assert.rejects(gov.admit('pegin', idOf(1), 2n ** 53n, false), (e: unknown) => e instanceof RangeError && /amount/.test(e.message));
    await assert.rejects(gov.admit('pegin', idOf(1), -1n, false), RangeError);
    assert.equal(await gov.used('pegin'), 0n);
    assert.equal((await gov.admit('pegin', idOf(2), 2n ** 53n - 1n, false)).admitted, true);
    assert.equal(await gov.used('pegin'), 2n ** 53n - 1n);
  });

  test('large totals: a cap of 21e14 (all bitcoin) is enforced exactly and its message says the true total', async () => {
    const cap = 2_100_000_000_000_000n;
    const { gov } = open('large', { dailyCap: cap });
    assert.equal((await gov.admit('pegin', idOf(1), cap - 12_345n, false)).admitted, true);
    assert.equal((await gov.admit('pegin', idOf(2), 12_345n, false)).admitted, true);
    const over = await gov.admit('pegin', idOf(3), 1n, false);
    assert.equal(over.admitted === false && over.code, 'OVER_DAILY_CAP');
    assert.match(over.admitted === false ? over.message : '', /2100000000000001/);
    assert.equal(await gov.used('pegin'), cap);
  });
});
