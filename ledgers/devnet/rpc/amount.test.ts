import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { amountJson, formatAmount, parseAmount } from './amount.js';
import { encodeJson } from './json.js';

describe('RPC amounts', () => {
  for (const [units, text] of [
    [5_000_000_000n, '50.00000000'],
    [0n, '0.00000000'],
    [1n, '0.00000001'],
    [2_100_000_000_000_000n, '21000000.00000000'],
    [123_456_789n, '1.23456789'],
    [-1n, '-0.00000001'],
  ] as const) {
    test(`${units} -> ${text}`, () => {
      assert.equal(formatAmount(units), text);
      assert.equal(encodeJson({ value: amountJson(units) }), `{"value":${text}}`);
    });
  }

  test('amounts round-trip exactly where a float would not', () => {
    // 0.1 + 0.2 style drift: 2099999997690000 base units is not representable as coins in binary
    assert.equal(formatAmount(2_099_999_997_690_000n), '20999999.97690000');
    assert.equal(parseAmount('20999999.9769'), 2_099_999_997_690_000n);
    assert.equal(parseAmount(20999999.9769), 2_099_999_997_690_000n);
  });

  for (const [value, units] of [
    [0.1, 10_000_000n],
    [1e-8, 1n],
    [0.00001, 1000n],
    ['0.00000001', 1n],
    [21_000_000, 2_100_000_000_000_000n],
    ['1.', 100_000_000n],
    [0, 0n],
  ] as const) {
    test(`parses ${JSON.stringify(value)}`, () => assert.equal(parseAmount(value), units));
  }

  for (const [value, message] of [
    [-1, /Amount out of range/],
    [21_000_000.00000001, /Amount out of range/],
    ['21000001', /Amount out of range/],
    [1.123456789, /Invalid amount/],
    ['abc', /Invalid amount/],
    ['1e-8', /Invalid amount/],
    [Number.NaN, /Invalid amount/],
  ] as const) {
    test(`refuses ${JSON.stringify(value)}`, () => assert.throws(() => parseAmount(value), message));
  }

  test('refuses a non-number non-string with a TypeError', () => {
    assert.throws(() => parseAmount(true), TypeError);
  });
});
