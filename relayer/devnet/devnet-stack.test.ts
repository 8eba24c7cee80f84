/** devnetRedis: which Redis `npm start` uses, and why it starts its own. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { startRedisServer } from '../redis/redis-server.js';
import { devnetRedis } from './devnet-stack.js';

test('devnetRedis uses the Redis at REDIS_URL when it passes the start-up check, and starts a private one when it evicts keys', async (t) => {
  const shared = await startRedisServer();
  t.after(() => shared.stop());
  const good = await devnetRedis({ REDIS_URL: shared.url });
  assert.deepEqual(good, { url: shared.url });

  const admin = new Redis(shared.url, { maxRetriesPerRequest: 0 });
  await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
  admin.disconnect();
  const fallback = await devnetRedis({ REDIS_URL: shared.url });
  t.after(() => fallback.server?.stop());
  assert.ok(fallback.server !== undefined, 'a private redis-server was started');
  assert.notEqual(fallback.url, shared.url);
  assert.match(fallback.unused ?? '', /^REDIS_EVICTION_POLICY: .*allkeys-lru/);
});

test('devnetRedis starts a private Redis when none answers at REDIS_URL', async (t) => {
  const probe = await startRedisServer();
  const deadUrl = probe.url;
  await probe.stop();
  const r = await devnetRedis({ REDIS_URL: deadUrl });
  t.after(() => r.server?.stop());
  assert.ok(r.server !== undefined);
  assert.equal(r.unused, 'none answered');
});
