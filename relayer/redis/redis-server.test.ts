/** The private redis-server: start, stop, kill -9 and restart with AOF, ports, findRedis, cleanup at exit. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { eventually } from '../../test/eventually.js';
import { findRedis, startRedisServer, type RedisServer } from './redis-server.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withClient<T>(server: RedisServer, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe('startRedisServer', () => {
  test('runs with the given config; data survives kill -9 and stop thanks to the AOF', async () => {
    const server = await startRedisServer();
    try {
      assert.match(server.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(server.url, `redis://127.0.0.1:${server.port}`);
      assert.notEqual(server.port, 6379);
      const firstPid = server.pid();
      assert.ok(firstPid !== undefined && isAlive(firstPid), 'it runs');
      const config = await withClient(server, async (c) => ({
        policy: await c.config('GET', 'maxmemory-policy'),
        aof: await c.config('GET', 'appendonly'),
        fsync: await c.config('GET', 'appendfsync'),
        save: await c.config('GET', 'save'),
        dir: await c.config('GET', 'dir'),
        bind: await c.config('GET', 'bind'),
      }));
      assert.deepEqual(config, {
        policy: ['maxmemory-policy', 'noeviction'],
        aof: ['appendonly', 'yes'],
        fsync: ['appendfsync', 'everysec'],
        save: ['save', ''],
        dir: ['dir', server.dir],
        bind: ['bind', '127.0.0.1'],
      });

      await withClient(server, (c) => c.set('k', 'before kill'));
      await server.kill();
      assert.equal(server.pid(), undefined);
      assert.equal(isAlive(firstPid), false);
      assert.equal(await findRedis(server.url, 300), false);

      await server.restart();
      const secondPid = server.pid();
      assert.ok(secondPid !== undefined && secondPid !== firstPid, 'a new process runs');
      assert.equal(await withClient(server, (c) => c.get('k')), 'before kill');

      await withClient(server, (c) => c.set('k', 'before stop'));
      await server.stop();
      assert.equal(server.pid(), undefined);
      assert.equal(await findRedis(server.url, 300), false);
      await server.restart();
      assert.equal(await withClient(server, (c) => c.get('k')), 'before stop');

      await server.flushAll();
      assert.equal(await withClient(server, (c) => c.dbsize()), 0);
      await server.restart(); // restart() of a running server stops it first
      assert.equal(await withClient(server, (c) => c.dbsize()), 0);
    } finally {
      await server.kill();
    }
  });

  test('two servers get two free ports; an explicit port that is taken is refused with its output', async () => {
    const [a, b] = await Promise.all([startRedisServer({ appendonly: false }), startRedisServer({ appendonly: false })]);
    try {
      assert.notEqual(a.port, b.port);
      assert.equal(await findRedis(a.url), true);
      assert.equal(await findRedis(b.url), true);
      await assert.rejects(startRedisServer({ port: a.port, appendonly: false }), /Address already in use/i);
      assert.equal(await findRedis(a.url), true, 'the first one still runs');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  test('appendonly: false and maxmemoryPolicy are passed on', async () => {
    const server = await startRedisServer({ appendonly: false, maxmemoryPolicy: 'allkeys-lru' });
    try {
      const config = await withClient(server, async (c) => [await c.config('GET', 'appendonly'), await c.config('GET', 'maxmemory-policy')]);
      assert.deepEqual(config, [['appendonly', 'no'], ['maxmemory-policy', 'allkeys-lru']]);
    } finally {
      await server.stop();
    }
  });

  test('the server and its temp dir do not outlive the process that started it', async () => {
    const moduleUrl = new URL('./redis-server.ts', import.meta.url).href;
    const script = `const { startRedisServer } = await import(${JSON.stringify(moduleUrl)});
      const s = await startRedisServer();
      console.log(JSON.stringify({ pid: s.pid(), dir: s.dir }));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, stderr);
    const { pid, dir } = JSON.parse(stdout) as { pid: number; dir: string };
    await eventually(() => assert.equal(isAlive(pid), false, `redis-server ${pid} still runs`), { what: 'the orphan redis-server to die' });
    assert.equal(existsSync(dir), false, `${dir} was left behind`);
  });
});

describe('findRedis', () => {
  test('true for a Redis, false for a closed port and for a silent TCP server (within the timeout)', async () => {
    const server = await startRedisServer({ appendonly: false });
    try {
      assert.equal(await findRedis(server.url), true);
    } finally {
      await server.stop();
    }
    assert.equal(await findRedis(server.url), false);

    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const address = silent.address();
      assert.ok(typeof address === 'object' && address !== null, 'it listens on TCP');
      const started = Date.now();
      assert.equal(await findRedis(`redis://127.0.0.1:${address.port}`, 300), false);
      assert.ok(Date.now() - started < 2_000, `findRedis took ${Date.now() - started} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
