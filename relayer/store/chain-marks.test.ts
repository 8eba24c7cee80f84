/**
 * ChainMarks against a real redis-server: the watcher cursor, releases seen by burns hash, and the
 * atomic reservation of lock outpoints (two releases never pick the same input).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redisPerFile, uniquePrefix } from '../../test/redis.js';
import type { TransferId } from '../transfer.js';
import { ChainMarks } from './chain-marks.js';
import { Keys } from './keys.js';

const { connect } = redisPerFile();

function open(label: string): { marks: ChainMarks; keys: Keys } {
  const keys = new Keys(uniquePrefix(label), 'dep');
  return { marks: new ChainMarks(connect(), keys), keys };
}

const hex64 = (n: number): string => n.toString(16).padStart(64, '0');
const op = (n: number, vout = 0): string => `${hex64(n)}:${vout}`;
const idOf = (n: number): TransferId => `out-${hex64(n)}-0` as TransferId;

describe('cursor', () => {
  test('undefined until set; per role; overwritten', async () => {
    const { marks } = open('cursor');
    assert.equal(await marks.cursor('main'), undefined);
    await marks.setCursor('main', { height: 120, hash: 'ab'.repeat(32) });
    assert.deepEqual(await marks.cursor('main'), { height: 120, hash: 'ab'.repeat(32) });
    assert.equal(await marks.cursor('side'), undefined);
    await marks.setCursor('main', { height: 0, hash: 'cd'.repeat(32) });
    assert.deepEqual(await marks.cursor('main'), { height: 0, hash: 'cd'.repeat(32) });
  });
});

describe('releases', () => {
  test('recordRelease, releaseFor, forgetRelease only forgets the txid it names', async () => {
    const { marks } = open('releases');
    const burns = 'aa'.repeat(32);
    assert.equal(await marks.releaseFor(burns), undefined);
    await marks.recordRelease(burns, hex64(1));
    assert.equal(await marks.releaseFor(burns), hex64(1));
    await marks.forgetRelease(burns, hex64(2));
    assert.equal(await marks.releaseFor(burns), hex64(1), 'another txid (e.g. a fee bump that replaced it) is not forgotten');
    await marks.forgetRelease(burns, hex64(1));
    assert.equal(await marks.releaseFor(burns), undefined);
    await marks.forgetRelease(burns, hex64(1)); // nothing to forget: no error
  });
});

describe('reserve', () => {
  test('a transfer reserves outpoints; again is fine; another transfer cannot take one of them', async () => {
    const { marks } = open('reserve');
    assert.equal(await marks.reserve(idOf(1), [op(1), op(2)]), true);
    assert.equal(await marks.reserve(idOf(1), [op(1), op(2), op(3)]), true, 'its own and a new one');
    assert.equal(await marks.reserve(idOf(2), [op(4), op(2)]), false);
    assert.deepEqual(await marks.reservations(), new Map([[op(1), idOf(1)], [op(2), idOf(1)], [op(3), idOf(1)]]), 'the loser changed nothing (op 4 not taken)');
    assert.equal(await marks.reserve(idOf(2), []), true, 'nothing to reserve');
  });

  test('is atomic: transfers racing for overlapping outpoints, exactly one wins each round, losers change nothing', async () => {
    const { keys } = open('race');
    // separate connections, so that the scripts really interleave on the server
    const racers = Array.from({ length: 8 }, () => new ChainMarks(connect(), keys));
    const marks = racers[0]!;
    for (let round = 0; round < 20; round++) {
      const base = round * 100;
      // racer i wants outpoints base+i .. base+i+3: neighbours overlap
      const wants = racers.map((_, i) => [0, 1, 2, 3].map((k) => op(base + i + k)));
      const ids = racers.map((_, i) => idOf(base + i));
      const won = await Promise.all(racers.map((m, i) => m.reserve(ids[i]!, wants[i]!)));
      const reservations = await marks.reservations();
      const mine = [...reservations].filter(([o]) => Number.parseInt(o.slice(0, 64), 16) >= base && Number.parseInt(o.slice(0, 64), 16) < base + 100);
      // every winner holds all it asked for; no loser holds anything
      for (const [i, w] of won.entries()) {
        const held = mine.filter(([, id]) => id === ids[i]).map(([o]) => o).sort();
        assert.deepEqual(held, w ? [...wants[i]!].sort() : [], `round ${round} racer ${i}`);
      }
      // winners never overlap, and the first to run always wins: at least one winner
      assert.ok(won.some((w) => w));
      assert.equal(mine.length, won.filter((w) => w).length * 4);
    }
  });

  test('two transfers, the same outpoints, at once: exactly one wins', async () => {
    const { keys } = open('pair');
    for (let round = 0; round < 30; round++) {
      const a = new ChainMarks(connect(), keys);
      const b = new ChainMarks(connect(), keys);
      const outs = [op(round, 0), op(round, 1)];
      const won = await Promise.all([a.reserve(idOf(1000 + round), outs), b.reserve(idOf(2000 + round), [outs[1]!, outs[0]!])]);
      assert.equal(won.filter((w) => w).length, 1, `round ${round}`);
      const winner = won[0] ? idOf(1000 + round) : idOf(2000 + round);
      const r = await a.reservations();
      assert.equal(r.get(outs[0]!), winner);
      assert.equal(r.get(outs[1]!), winner);
    }
  });

  test('unreserve removes only what the caller holds', async () => {
    const { marks } = open('unreserve');
    await marks.reserve(idOf(1), [op(1), op(2)]);
    await marks.reserve(idOf(2), [op(3)]);
    assert.equal(await marks.unreserve(idOf(2), [op(1), op(2), op(3), op(9)]), 1);
    assert.deepEqual(await marks.reservations(), new Map([[op(1), idOf(1)], [op(2), idOf(1)]]));
    assert.equal(await marks.unreserve(idOf(1), [op(2)]), 1);
    assert.equal(await marks.unreserve(idOf(1), []), 0);
    assert.deepEqual(await marks.reservations(), new Map([[op(1), idOf(1)]]));
    // a freed outpoint can be taken by another transfer
    assert.equal(await marks.reserve(idOf(3), [op(2), op(3)]), true);
  });
});
