/** The HTTP side of the RPC server, with a stub method table: paths, methods, auth, cookie, limits. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { COOKIE_USER, isAuthorized, parseCookie, removeCookie, writeCookie } from './auth.js';
import { startRpcServer, type RpcServer } from './server.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(url: string, options: { method?: string; path?: string; auth?: string; body?: string; headers?: Record<string, string> }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth !== undefined) headers['Authorization'] = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    const req = request({ host: u.hostname, port: u.port, path: options.path ?? '/', method: options.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('RPC server over HTTP', () => {
  let server: RpcServer;
  const creds = { user: 'alice', password: 'secret:with:colons' };

  before(async () => {
    server = await startRpcServer({
      port: 0,
      credentials: creds,
      maxBodyBytes: 1000,
      authFailureDelayMs: 10,
      dispatch: (method) => (method === 'getblockcount' ? 42 : { method }),
    });
  });
  after(() => server.close());

  test('POST / with the right credentials answers JSON-RPC', async () => {
    const r = await send(server.url, { auth: 'alice:secret:with:colons', body: '{"id":1,"method":"getblockcount"}' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(r.body), { result: 42, error: null, id: 1 });
  });

  test('no credentials, wrong password, wrong user, not basic: 401 with WWW-Authenticate', async () => {
    for (const auth of [undefined, 'alice:wrong', 'bob:secret:with:colons', 'alice']) {
      const r = await send(server.url, { ...(auth === undefined ? {} : { auth }), body: '{"id":1,"method":"getblockcount"}' });
      assert.equal(r.status, 401, String(auth));
      assert.equal(r.headers['www-authenticate'], 'Basic realm="jsonrpc"');
      assert.equal(r.body, '');
    }
    const bearer = await send(server.url, { headers: { Authorization: 'Bearer x' }, body: '{}' });
    assert.equal(bearer.status, 401);
  });

  test('only POST on /: 405 for GET, 404 for other paths (no wallet endpoint)', async () => {
    assert.equal((await send(server.url, { method: 'GET', auth: 'alice:secret:with:colons' })).status, 405);
    assert.equal((await send(server.url, { path: '/wallet/w1', auth: 'alice:secret:with:colons', body: '{}' })).status, 404);
    assert.equal((await send(server.url, { path: '/rest/chaininfo.json', method: 'GET' })).status, 404);
  });

  test('a body above the limit: 413', async () => {
    const r = await send(server.url, { auth: 'alice:secret:with:colons', body: `{"id":1,"method":"x","params":["${'a'.repeat(2000)}"]}` });
    assert.equal(r.status, 413);
  });
});

describe('RPC cookie', () => {
  test('written as __cookie__:<64 hex> with mode 0600, accepted, removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utxo-relay-cookie-'));
    const { path, credentials } = await writeCookie(dir);
    assert.equal(path, join(dir, '.cookie'));
    const text = readFileSync(path, 'utf8');
    assert.match(text, /^__cookie__:[0-9a-f]{64}$/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(parseCookie(text), credentials);
    assert.equal(credentials.user, COOKIE_USER);
    assert.ok(isAuthorized(`Basic ${Buffer.from(text).toString('base64')}`, credentials));
    assert.ok(!existsSync(`${path}.tmp`));
    await removeCookie(path);
    assert.ok(!existsSync(path));
    await removeCookie(path);
  });
});
