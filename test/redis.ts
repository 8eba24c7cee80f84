/**
 * Redis for tests (DESIGN §7): each test starts its own `redis-server` on a free port (never the
 * 6379 of the machine) and kills it when done; keys get a unique prefix. `onCleanup` runs a test's
 * clean-ups last-registered first (node:test runs `t.after` hooks first-registered first), so that
 * connections close before their server goes away. `redisPerFile` is for a file whose tests share
 * one server, each test on its own prefix.
 */
import { randomBytes } from 'node:crypto';
import { after, before, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer, type RedisServerOptions } from '../relayer/redis/redis-server.js';

export { startRedisServer, type RedisServer, type RedisServerOptions };

const cleanups = new WeakMap<TestContext, (() => unknown)[]>();

/** Runs `fn` when the test `t` ends, before the clean-ups registered earlier. */
export function onCleanup(t: TestContext, fn: () => unknown): void {
  let stack = cleanups.get(t);
  if (stack === undefined) {
    const fns: (() => unknown)[] = [];
    cleanups.set(t, (stack = fns));
    t.after(async () => {
      for (const f of fns.reverse()) await f();
    });
  }
  stack.push(fn);
}

/** Starts a private redis-server that is killed when the test `t` ends. */
export async function withRedis(t: TestContext, options: RedisServerOptions = {}): Promise<RedisServer> {
  const server = await startRedisServer(options);
  onCleanup(t, () => server.kill());
  return server;
}

/** A key prefix no other test uses: `test:<label>:<random>`. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomBytes(4).toString('hex')}`;
}

export interface FileRedis {
  /** A new connection to the file's server (`maxRetriesPerRequest: null`), closed when the file's tests end. */
  connect(): Redis;
}

/**
 * One private redis-server for the tests of a file: started in a `before` hook, and in an `after`
 * hook every connection that `connect()` opened is closed, then the server killed. Call it at the
 * top level of the file, and `connect()` inside the tests. [Default options: no AOF]
 */
export function redisPerFile(options: RedisServerOptions = { appendonly: false }): FileRedis {
  let server: RedisServer | undefined;
  const clients: Redis[] = [];
  before(async () => {
    server = await startRedisServer(options);
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await server?.kill();
  });
  return {
    connect(): Redis {
      if (server === undefined) throw new Error('redisPerFile: connect() before the before hook started the server');
      const redis = new Redis(server.url, { maxRetriesPerRequest: null });
      clients.push(redis);
      return redis;
    },
  };
}
