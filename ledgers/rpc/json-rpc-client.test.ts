/** The client against a real HTTP server that answers as a Core node would, and as a broken one. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LedgerError } from '../errors.js';
import { JsonRpcClient } from './json-rpc-client.js';

type Handler = (body: unknown, req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = () => undefined;
let server: Server;
let url = '';

before(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => handler(JSON.parse(data), req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  url = `http://127.0.0.1:${address.port}/`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: unknown) => (e instanceof LedgerError ? e.code : `not a LedgerError: ${String(e)}`));

describe('JsonRpcClient', () => {
  test('a call sends JSON-RPC 1.0 with basic auth and returns the result', async () => {
    handler = (body, req, res) => {
      assert.equal(req.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
      const { id, method, params } = body as { id: number; method: string; params: unknown[] };
      json(res, 200, { result: { method, params }, error: null, id });
    };
    const client = new JsonRpcClient({ url, user: 'u', password: 'p' });
    assert.deepEqual(await client.call('getblockhash', [5]), { method: 'getblockhash', params: [5] });
  });

  test('credentials come from the URL or a cookie file too', async () => {
    const seen: (string | undefined)[] = [];
    handler = (body, req, res) => {
      seen.push(req.headers.authorization);
      json(res, 200, { result: 1, error: null, id: (body as { id: number }).id });
    };
    await new JsonRpcClient({ url: url.replace('http://', 'http://alice:s%3Acret@') }).call('x');
    const dir = mkdtempSync(join(tmpdir(), 'rpc-cookie-'));
    writeFileSync(join(dir, '.cookie'), '__cookie__:abc\n');
    await new JsonRpcClient({ url, cookieFile: join(dir, '.cookie') }).call('x');
    assert.deepEqual(seen, [`Basic ${Buffer.from('alice:s:cret').toString('base64')}`, `Basic ${Buffer.from('__cookie__:abc').toString('base64')}`]);
    assert.equal(await codeOf(new JsonRpcClient({ url, cookieFile: join(dir, 'missing') }).call('x')), 'NODE_AUTH');
  });

  test('an RPC error is NODE_REFUSED with the node\'s code (Core answers it with HTTP 500)', async () => {
    handler = (body, _req, res) => json(res, 500, { result: null, error: { code: -5, message: 'Block not found' }, id: (body as { id: number }).id });
    const error = await new JsonRpcClient({ url }).call('getblock', ['00']).catch((e: unknown) => e);
    assert.ok(error instanceof LedgerError);
    assert.equal(error.code, 'NODE_REFUSED');
    assert.equal(error.details['rpcCode'], -5);
    assert.equal(error.transient, false);
  });

  test('401 is NODE_AUTH; non-JSON, a wrong id or no result is NODE_FAULTY; 5xx without JSON is NODE_UNREACHABLE', async () => {
    const client = new JsonRpcClient({ url });
    handler = (_b, _r, res) => res.writeHead(401).end();
    assert.equal(await codeOf(client.call('x')), 'NODE_AUTH');
    handler = (_b, _r, res) => res.writeHead(200).end('<html>');
    assert.equal(await codeOf(client.call('x')), 'NODE_FAULTY');
    handler = (_b, _r, res) => json(res, 200, { result: 1, error: null, id: 999 });
    assert.equal(await codeOf(client.call('x')), 'NODE_FAULTY');
    handler = (body, _r, res) => json(res, 200, { error: null, id: (body as { id: number }).id });
    assert.equal(await codeOf(client.call('x')), 'NODE_FAULTY');
    handler = (_b, _r, res) => res.writeHead(503).end('busy');
    assert.equal(await codeOf(client.call('x')), 'NODE_UNREACHABLE');
  });

  test('no answer in time, or nobody listening, is NODE_UNREACHABLE (transient)', async () => {
    handler = () => undefined; // never answers
    const error = await new JsonRpcClient({ url, timeoutMs: 200 }).call('x').catch((e: unknown) => e);
    assert.ok(error instanceof LedgerError && error.code === 'NODE_UNREACHABLE' && error.transient);
    assert.equal(await codeOf(new JsonRpcClient({ url: 'http://127.0.0.1:1/' }).call('x')), 'NODE_UNREACHABLE');
  });

  test('a batch answers each call in order, refused calls as errors, whatever order the node answers in', async () => {
    handler = (body, _r, res) => {
      const calls = body as { id: number; method: string }[];
      json(res, 200, calls.reverse().map((c) => (c.method === 'bad' ? { result: null, error: { code: -8, message: 'no' }, id: c.id } : { result: c.method, error: null, id: c.id })));
    };
    const results = await new JsonRpcClient({ url }).batch([{ method: 'a' }, { method: 'bad' }, { method: 'c' }]);
    assert.equal(results[0], 'a');
    assert.ok(results[1] instanceof LedgerError && results[1].code === 'NODE_REFUSED');
    assert.equal(results[2], 'c');
  });
});
