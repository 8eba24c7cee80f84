import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rpcError } from './errors.js';
import { handleJsonRpc, type Dispatch } from './jsonrpc.js';
import { amountJson } from './amount.js';

const dispatch: Dispatch = (method, params) => {
  if (method === 'echo') return { params: params as never, amount: amountJson(5_000_000_000n) };
  if (method === 'fail') throw rpcError('RPC_INVALID_PARAMETER', 'Block height out of range');
  if (method === 'bug') throw new Error('boom');
  throw rpcError('RPC_METHOD_NOT_FOUND', 'Method not found');
};

async function call(body: string): Promise<{ status: number; json: unknown; text: string | undefined }> {
  const r = await handleJsonRpc(body, dispatch);
  return { status: r.status, json: r.body === undefined ? undefined : JSON.parse(r.body), text: r.body };
}

describe('JSON-RPC framing (Core httprpc.cpp)', () => {
  test('1.0 success: result and error both present, amounts as 8-decimal numbers, newline-terminated', async () => {
    const r = await call('{"id":7,"method":"echo","params":[1]}');
    assert.equal(r.status, 200);
    assert.equal(r.text, '{"result":{"params":[1],"amount":50.00000000},"error":null,"id":7}\n');
  });

  test('1.0 errors carry HTTP statuses: 500 for method errors, 404 method not found, 400 invalid request, -1 for a bug', async () => {
    assert.deepEqual(await call('{"jsonrpc":"1.0","id":1,"method":"fail"}'), {
      status: 500,
      json: { result: null, error: { code: -8, message: 'Block height out of range' }, id: 1 },
      text: '{"result":null,"error":{"code":-8,"message":"Block height out of range"},"id":1}\n',
    });
    assert.equal((await call('{"id":1,"method":"nope"}')).status, 404);
    const bug = await call('{"id":1,"method":"bug"}');
    assert.equal(bug.status, 500);
    assert.deepEqual((bug.json as { error: unknown }).error, { code: -1, message: 'boom' });
    const invalid = await call('{"id":1}');
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.json, { result: null, error: { code: -32600, message: 'Missing method' }, id: 1 });
  });

  test('1.0 request without id: the reply has no id', async () => {
    assert.deepEqual((await call('{"method":"echo"}')).json, { result: { params: [], amount: 50 }, error: null });
  });

  test('2.0: HTTP 200 with only result or only error; notifications answer 204', async () => {
    assert.deepEqual(await call('{"jsonrpc":"2.0","id":"a","method":"fail"}'), {
      status: 200,
      json: { jsonrpc: '2.0', error: { code: -8, message: 'Block height out of range' }, id: 'a' },
      text: '{"jsonrpc":"2.0","error":{"code":-8,"message":"Block height out of range"},"id":"a"}\n',
    });
    assert.deepEqual((await call('{"jsonrpc":"2.0","id":2,"method":"echo","params":{"x":1}}')).json, { jsonrpc: '2.0', result: { params: { x: 1 }, amount: 50 }, id: 2 });
    assert.deepEqual(await call('{"jsonrpc":"2.0","method":"echo"}'), { status: 204, json: undefined, text: undefined });
  });

  test('parse errors and bad envelopes', async () => {
    assert.deepEqual(await call('{not json'), { status: 500, json: { result: null, error: { code: -32700, message: 'Parse error' }, id: null }, text: '{"result":null,"error":{"code":-32700,"message":"Parse error"},"id":null}\n' });
    assert.equal(((await call('42')).json as { error: { code: number } }).error.code, -32700);
    for (const body of ['{"jsonrpc":"3.0","id":1,"method":"echo"}', '{"jsonrpc":2,"id":1,"method":"echo"}', '{"id":1,"method":5}', '{"id":1,"method":"echo","params":"x"}']) {
      const r = await call(body);
      assert.equal(r.status, 400, body);
      assert.equal((r.json as { error: { code: number } }).error.code, -32600, body);
    }
  });

  test('batches: always HTTP 200, one reply per request in its own version, notifications left out', async () => {
    const r = await call('[{"id":1,"method":"echo"},{"jsonrpc":"2.0","id":2,"method":"fail"},{"jsonrpc":"2.0","method":"echo"},{"id":3,"method":"nope"},7]');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, [
      { result: { params: [], amount: 50 }, error: null, id: 1 },
      { jsonrpc: '2.0', error: { code: -8, message: 'Block height out of range' }, id: 2 },
      { result: null, error: { code: -32601, message: 'Method not found' }, id: 3 },
      { result: null, error: { code: -32600, message: 'Invalid Request object' }, id: null },
    ]);
  });

  test('an empty batch answers [], an all-notification batch 204', async () => {
    assert.deepEqual(await call('[]'), { status: 200, json: [], text: '[]\n' });
    assert.equal((await call('[{"jsonrpc":"2.0","method":"echo"}]')).status, 204);
  });
});
