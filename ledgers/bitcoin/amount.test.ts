import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatCoins, MAX_AMOUNT, parseCoins } from './amount.js';

test('parseCoins reads decimal coins exactly', () => {
  assert.equal(parseCoins('1.5'), 150_000_000n);
  assert.equal(parseCoins('0.00000001'), 1n);
  assert.equal(parseCoins('21000000'), MAX_AMOUNT);
  assert.equal(parseCoins(' 2 '), 200_000_000n);
});

test('parseCoins refuses what is not an amount, naming the label', () => {
  for (const bad of ['', '-1', '1.123456789', '1e3', 'abc', '1.', '.5', '21000000.00000001', '0x10']) {
    assert.throws(() => parseCoins(bad, '--amount'), (e: unknown) => e instanceof RangeError && e.message.startsWith('--amount'), bad);
  }
});

test('formatCoins prints 8 decimals and round-trips with parseCoins', () => {
  assert.equal(formatCoins(5_000_000_000n), '50.00000000');
  assert.equal(formatCoins(1n), '0.00000001');
  assert.equal(formatCoins(-1n), '-0.00000001');
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: MAX_AMOUNT }), (units) => parseCoins(formatCoins(units)) === units));
});
