/** LogThrottle on a made-up clock: the first occurrence logs, then at most one per interval with the count skipped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedLogThrottle, LogThrottle } from './log-throttle.js';

function clocked(intervalMs: number): { throttle: LogThrottle; at: (ms: number) => number | undefined } {
  let now = 0;
  const throttle = new LogThrottle(intervalMs, () => now);
  return {
    throttle,
    at: (ms) => {
      now = ms;
      return throttle.hit();
    },
  };
}

test('an error every 100 ms for 3 minutes gives one line a minute, each with the count skipped', () => {
  const { at } = clocked(60_000);
  const logged: [number, number][] = [];
  for (let t = 0; t <= 180_000; t += 100) {
    const skipped = at(t);
    if (skipped !== undefined) logged.push([t, skipped]);
  }
  assert.deepEqual(logged, [
    [0, 0],
    [60_000, 599],
    [120_000, 599],
    [180_000, 599],
  ]);
});

test('after a quiet interval the next occurrence logs at once', () => {
  const { at } = clocked(1_000);
  assert.equal(at(0), 0);
  assert.equal(at(999), undefined);
  assert.equal(at(5_000), 1, 'logged, with the one skipped before the quiet time');
  assert.equal(at(5_001), undefined);
});

test('reset starts again and returns what was skipped', () => {
  const { throttle, at } = clocked(1_000);
  assert.equal(at(0), 0);
  assert.equal(at(10), undefined);
  assert.equal(at(20), undefined);
  assert.equal(throttle.reset(), 2);
  assert.equal(at(30), 0, 'the first after a reset logs at once');
});

test('refuses an interval that is not a positive integer', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new LogThrottle(bad), /intervalMs: expected a positive integer/);
});

test('KeyedLogThrottle: one error recurring does not hide another; past maxKeys the oldest key is forgotten', () => {
  let now = 0;
  const keyed = new KeyedLogThrottle(60_000, 2, () => now);
  assert.equal(keyed.hit('ECONNREFUSED'), 0);
  now = 100;
  assert.equal(keyed.hit('ECONNREFUSED'), undefined, 'the same error within the minute: counted');
  assert.equal(keyed.hit('NOSCRIPT'), 0, 'another error: logged at once');
  assert.equal(keyed.hit('third'), 0);
  assert.equal(keyed.hit('ECONNREFUSED'), 0, 'the oldest key was dropped for the third: logged again');
  now = 60_100;
  assert.equal(keyed.hit('NOSCRIPT'), 0, 'NOSCRIPT was dropped too (2 keys at most)');
  assert.throws(() => new KeyedLogThrottle(0), RangeError);
  assert.throws(() => new KeyedLogThrottle(1000, 0), RangeError);
});
