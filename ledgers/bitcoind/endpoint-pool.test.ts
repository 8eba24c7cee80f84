import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, describe, test } from 'node:test';
import { LedgerError } from '../errors.js';
import { EndpointPool } from './endpoint-pool.js';

const h = (c: string): string => c.repeat(64);

/** A JSON-RPC server over a fixed chain of display hashes (index = height). */
async function fakeNode(chain: readonly string[]): Promise<{ url: string; server: Server; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r = JSON.parse(body) as { id: number; method: string; params: unknown[] };
      calls.push(r.method);
      let result: unknown = null;
      let error: unknown = null;
      if (r.method === 'getbestblockhash') result = chain.at(-1);
      else if (r.method === 'getblockheader') result = { height: chain.indexOf(r.params[0] as string) };
      else if (r.method === 'getblockhash') result = chain[r.params[0] as number] ?? null;
      else if (r.method === 'fail') error = { code: -5, message: 'no' };
      if (result === null && error === null) error = { code: -8, message: 'out of range' };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ result: error === null ? result : null, error, id: r.id }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server, calls };
}

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

describe('EndpointPool', () => {
  test('crossCheck: a lagging endpoint on the same chain gives the common lower tip', async () => {
    const a = await fakeNode([h('0'), h('1'), h('2')]);
    const b = await fakeNode([h('0'), h('1')]);
    servers.push(a.server, b.server);
    const pool = new EndpointPool([{ url: a.url }, { url: b.url }]);
    assert.deepEqual(await pool.crossCheck(), { height: 1, hashDisplay: h('1') });
  });

  test('crossCheck: different hashes at the lower tip are NODE_FAULTY naming both endpoints', async () => {
    const a = await fakeNode([h('0'), h('1'), h('2')]);
    const b = await fakeNode([h('0'), h('a')]);
    servers.push(a.server, b.server);
    const pool = new EndpointPool([{ url: a.url }, { url: b.url }]);
    await assert.rejects(pool.crossCheck(), (e: unknown) => e instanceof LedgerError && e.code === 'NODE_FAULTY' && e.message.includes(a.url) && e.message.includes(b.url));
  });

  test('crossCheck leaves an unreachable endpoint out; none reachable is NODE_UNREACHABLE', async () => {
    const a = await fakeNode([h('0')]);
    servers.push(a.server);
    const dead = 'http://127.0.0.1:1/';
    assert.deepEqual(await new EndpointPool([{ url: dead }, { url: a.url }]).crossCheck(), { height: 0, hashDisplay: h('0') });
    await assert.rejects(new EndpointPool([{ url: dead }]).crossCheck(), (e: unknown) => e instanceof LedgerError && e.code === 'NODE_UNREACHABLE');
  });

  test('failover on NODE_UNREACHABLE only; a refusal is not failed over and does not hurt the health', async () => {
    const a = await fakeNode([h('0')]);
    const b = await fakeNode([h('0')]);
    servers.push(a.server, b.server);
    const pool = new EndpointPool([{ url: 'http://127.0.0.1:1/' }, { url: a.url }, { url: b.url }]);
    assert.equal(await pool.call('getbestblockhash'), h('0'));
    await assert.rejects(pool.call('fail'), (e: unknown) => e instanceof LedgerError && e.code === 'NODE_REFUSED');
    assert.equal([...a.calls, ...b.calls].filter((m) => m === 'fail').length, 1, 'the refusal was not retried elsewhere');
    const [dead, ...healthy] = pool.health();
    assert.equal(dead!.consecutiveFailures, 1);
    assert.equal(healthy.reduce((s, e) => s + e.successes, 0), 2, 'a refusal counts as an answer');
    assert.ok(healthy.every((e) => e.failures === 0));
    assert.throws(() => new EndpointPool([]), RangeError);
  });
});
