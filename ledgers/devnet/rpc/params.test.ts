import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RpcError } from './errors.js';
import { positionalParams, usage, type ParamSpec } from './params.js';

const SPECS: ParamSpec[] = [
  { name: 'blockhash', type: 'string', required: true },
  { name: 'verbosity', alias: 'verbose', type: 'number|boolean' },
  { name: 'extra', type: 'amount' },
];

function rpcCode(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof RpcError, String(e));
    return e.rpcCode;
  }
  assert.fail('expected an RpcError');
}

describe('RPC parameters (Core transformNamedArguments and HandleRequest)', () => {
  test('positional parameters pass through', () => {
    assert.deepEqual(positionalParams('getblock', SPECS, ['aa', 2]), ['aa', 2]);
  });

  test('named parameters map by name and alias; holes before a given one become null; none at the end', () => {
    assert.deepEqual(positionalParams('getblock', SPECS, { blockhash: 'aa' }), ['aa']);
    assert.deepEqual(positionalParams('getblock', SPECS, { verbose: true, blockhash: 'aa' }), ['aa', true]);
    assert.deepEqual(positionalParams('getblock', SPECS, { blockhash: 'aa', extra: '0.1' }), ['aa', null, '0.1']);
  });

  test('"args" supplies leading positional parameters', () => {
    assert.deepEqual(positionalParams('getblock', SPECS, { args: ['aa'], verbosity: 0 }), ['aa', 0]);
    assert.equal(rpcCode(() => positionalParams('getblock', SPECS, { args: ['aa'], blockhash: 'bb' })), -8);
  });

  test('unknown named parameter: -8', () => {
    assert.throws(() => positionalParams('getblock', SPECS, { blockhash: 'aa', nope: 1 }), /Unknown named parameter nope/);
    assert.equal(rpcCode(() => positionalParams('getblock', SPECS, { blockhash: 'aa', nope: 1 })), -8);
  });

  test('wrong count: -1 with the usage line', () => {
    assert.equal(rpcCode(() => positionalParams('getblock', SPECS, [])), -1);
    assert.equal(rpcCode(() => positionalParams('getblock', SPECS, ['a', 1, 1, 1])), -1);
    assert.throws(() => positionalParams('getblock', SPECS, []), { message: 'getblock "blockhash" ( verbosity ) ( extra )' });
  });

  test('wrong JSON type: -3 naming the position; null is accepted anywhere', () => {
    assert.equal(rpcCode(() => positionalParams('getblock', SPECS, [1])), -3);
    assert.throws(() => positionalParams('getblock', SPECS, ['aa', 'x']), /Position 2 \(verbosity\)/);
    assert.deepEqual(positionalParams('getblock', SPECS, ['aa', null, null]), ['aa', null, null]);
  });

  test('usage line', () => {
    assert.equal(usage('getblockcount', []), 'getblockcount');
  });
});
