import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JsonNumberText, doubleText, encodeJson, numberText } from './json.js';

describe('RPC JSON encoding', () => {
  test('writes number text verbatim, leaves out undefined fields, keeps null', () => {
    assert.equal(
      encodeJson({ a: new JsonNumberText('1.50000000'), b: undefined, c: null, d: [1, 'x', true], e: 12345678901234567890n, f: numberText(7n) }),
      '{"a":1.50000000,"c":null,"d":[1,"x",true],"e":12345678901234567890,"f":7}',
    );
  });

  test('the output parses as JSON with the same structure', () => {
    const text = encodeJson({ s: 'quote " and \\ and \n', n: -0.5, nested: { list: [] } });
    assert.deepEqual(JSON.parse(text), { s: 'quote " and \\ and \n', n: -0.5, nested: { list: [] } });
  });

  test('doubles as Core writes them (%.16g)', () => {
    for (const [value, text] of [
      [4.656542373906925e-10, '4.656542373906925e-10'],
      [1, '1'],
      [0, '0'],
      [0.5, '0.5'],
      [1234.5678, '1234.5678'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1e16, '1e+16'],
      [-2.5e-7, '-2.5e-07'],
      [1 / 3, '0.3333333333333333'],
    ] as const) {
      assert.equal(doubleText(value).text, text);
      assert.equal(Number(doubleText(value).text), Number(value.toPrecision(16)));
    }
  });

  test('refuses non-finite numbers and non-decimal number text', () => {
    assert.throws(() => encodeJson({ x: Number.POSITIVE_INFINITY }), RangeError);
    assert.throws(() => new JsonNumberText('1e5.0'), RangeError);
    assert.throws(() => new JsonNumberText('01'), RangeError);
  });
});
