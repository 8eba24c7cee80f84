/**
 * Redis for tests (DESIGN §7): each test starts its own `redis-server` on a free port (never the
 * 6379 of the machine) and kills it when done; keys get a unique prefix. `onCleanup` runs a test's
 * clean-ups last-registered first (node:test runs `t.after` hooks first-registered first), so that
 * connections close before their server goes away.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
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
