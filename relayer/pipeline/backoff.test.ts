/**
 * The retry schedule is pure: with a fixed random source its exact sequence is pinned here
 * (STYLE.md: retry schedules are pure and pinned), capped at maxDelayMs, and always within
 * [exp/2, exp] of its exponential bound.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from './backoff.js';

const options = { delayMs: 1_000, maxDelayMs: 60_000 };

/** A deterministic source of [0, 1): a fixed cycle of values. */
function cycle(values: readonly number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

test('the exact sequence for a fixed random source', () => {
  const random = cycle([0, 0.5, 0.25, 0.999, 0.1]);
  const delays = Array.from({ length: 10 }, (_, i) => backoffDelay(i + 1, options, random));
  // exp: 1000 2000 4000 8000 16000 32000 60000 60000 60000 60000
  assert.deepEqual(delays, [500, 1500, 2500, 7996, 8800, 16000, 45000, 37500, 59970, 33000]);
});

test('with random() = 0 the floor exp/2, with random() -> 1 the bound exp', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelay(a, options, () => 0)), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  const justBelowOne = 1 - Number.EPSILON;
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelay(a, options, () => justBelowOne)), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
});

test('capped at maxDelayMs, even for absurd attempt counts', () => {
  for (const attempt of [7, 50, 1_023, 1_024, 5_000, Number.MAX_SAFE_INTEGER]) {
    const d = backoffDelay(attempt, options, () => 0.999999);
    assert.ok(d <= 60_000 && d >= 30_000, `attempt ${attempt}: ${d}`);
  }
});

test('attempt 0 or below counts as the first', () => {
  assert.equal(backoffDelay(0, options, () => 0), 500);
  assert.equal(backoffDelay(-3, options, () => 0.5), 750);
});

test('always within [exp/2, exp] and an integer (seeded sweep, odd delays too)', () => {
  let seed = 12345;
  const lcg = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (const opts of [options, { delayMs: 333, maxDelayMs: 10_001 }, { delayMs: 1, maxDelayMs: 7 }]) {
    for (let attempt = 1; attempt <= 40; attempt++) {
      const exp = Math.min(opts.maxDelayMs, opts.delayMs * 2 ** (attempt - 1));
      for (let k = 0; k < 25; k++) {
        const d = backoffDelay(attempt, opts, lcg);
        assert.ok(Number.isInteger(d), `${d} is an integer`);
        assert.ok(d >= exp / 2 && d <= exp, `attempt ${attempt}: ${d} in [${exp / 2}, ${exp}]`);
      }
    }
  }
});

test('the default random source stays within the bounds', () => {
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(3, options);
    assert.ok(d >= 2_000 && d <= 4_000);
  }
});
