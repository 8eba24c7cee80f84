/** Connection roles on a real redis-server: options, the start-up check, what each role does when Redis dies. */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { eventually } from '../../test/eventually.js';
import { onCleanup, uniquePrefix, withRedis } from '../../test/redis.js';
import { RelayerError } from '../errors.js';
import {
  MIN_REDIS_VERSION,
  awaitReady,
  checkRedis,
  closeQuietly,
  createRedisConnection,
  isRedisVersionAtLeast,
  logOutages,
  reconnectDelayMs,
  redisOptionsFor,
  unreachableOr,
  type OutageLog,
  type RedisRole,
} from './connections.js';

/** A connection whose errors are not printed, closed when the test ends. */
function connect(t: TestContext, url: string, role: RedisRole, name?: string): Redis {
  const conn = createRedisConnection(url, role, name);
  conn.on('error', () => {});
  onCleanup(t, () => closeQuietly(conn));
  return conn;
}

function isRelayerError(code: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof RelayerError, `expected a RelayerError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  };
}

describe('connection options', () => {
  test('reconnect delays double from 100 ms up to 10 s, with at most 20 % jitter, for ever', () => {
    const low = Array.from({ length: 10 }, (_, i) => reconnectDelayMs(i + 1, () => 0));
    assert.deepEqual(low, [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]);
    assert.equal(reconnectDelayMs(1_000_000, () => 0), 10_000);
    assert.equal(reconnectDelayMs(3, () => 0.999_999), 480);
    const retry = redisOptionsFor('producer').retryStrategy;
    assert.ok(typeof retry === 'function', 'a retry strategy is set');
    for (const attempt of [1, 10, 1000]) assert.equal(typeof retry(attempt), 'number', 'never gives up');
  });

  test('each role has the options BullMQ and DESIGN §4 ask for', () => {
    const pick = (role: RedisRole): unknown => {
      const o = redisOptionsFor(role, 'x');
      return { maxRetriesPerRequest: o.maxRetriesPerRequest, enableOfflineQueue: o.enableOfflineQueue, lazyConnect: o.lazyConnect, connectionName: o.connectionName, keyPrefix: o.keyPrefix };
    };
    assert.deepEqual(pick('worker'), { maxRetriesPerRequest: null, enableOfflineQueue: undefined, lazyConnect: false, connectionName: 'utxo-relay:x', keyPrefix: undefined });
    assert.deepEqual(pick('producer'), { maxRetriesPerRequest: undefined, enableOfflineQueue: false, lazyConnect: false, connectionName: 'utxo-relay:x', keyPrefix: undefined });
    assert.deepEqual(pick('command'), { maxRetriesPerRequest: 1, enableOfflineQueue: undefined, lazyConnect: false, connectionName: 'utxo-relay:x', keyPrefix: undefined });
    assert.equal(redisOptionsFor('command').connectionName, 'utxo-relay:command', 'the name defaults to the role');
  });
});

describe('the Redis version', () => {
  const vectors: [found: string, atLeast: boolean][] = [
    ['6.2.0', true],
    ['6.2.14', true],
    ['7.0.15', true],
    ['7.2.4', true],
    ['10.0.0', true],
    ['6.10.0', true], // numbers, not text: 10 > 2
    ['255.255.255', true], // an unstable build
    ['6.2', true], // a missing part is 0
    ['6.2.0-rc1', true], // what follows the numbers is ignored
    ['6.1.99', false],
    ['6.0.16', false],
    ['5.0.14', false],
    ['2.8.24', false],
    ['6', false],
    ['', false],
    ['unknown', false],
  ];
  for (const [found, atLeast] of vectors) {
    test(`${JSON.stringify(found)} ${atLeast ? 'is' : 'is not'} at least ${MIN_REDIS_VERSION}`, () => {
      assert.equal(isRedisVersionAtLeast(found, MIN_REDIS_VERSION), atLeast);
    });
  }

  test('the minimum is 6.2.0, and a malformed minimum is a RangeError', () => {
    assert.equal(MIN_REDIS_VERSION, '6.2.0');
    assert.throws(() => isRedisVersionAtLeast('7.0.0', 'x'), RangeError);
  });

  test('checkRedis reports the version of the test server, which is new enough', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const check = await checkRedis(connect(t, server.url, 'command'));
    assert.ok(isRedisVersionAtLeast(check.version, MIN_REDIS_VERSION), check.version);
  });
});

describe('checkRedis', () => {
  test('accepts a noeviction Redis and names the connection', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const conn = connect(t, server.url, 'producer', 'watcher-main');
    const check = await checkRedis(conn); // waits for ready: a producer cannot send before
    assert.equal(check.maxmemoryPolicy, 'noeviction');
    assert.match(check.version, /^\d+\.\d+\.\d+/);
    assert.equal(await conn.client('GETNAME'), 'utxo-relay:watcher-main');
  });

  test('refuses an evicting Redis with the fix in the message', async (t) => {
    const server = await withRedis(t, { appendonly: false, maxmemoryPolicy: 'allkeys-lru' });
    const conn = connect(t, server.url, 'command');
    await assert.rejects(checkRedis(conn), (e) => {
      isRelayerError('REDIS_EVICTION_POLICY')(e);
      assert.match((e as Error).message, /allkeys-lru/);
      assert.match((e as Error).message, /CONFIG SET maxmemory-policy noeviction/);
      assert.match((e as Error).message, /redis\.conf/);
      assert.deepEqual((e as RelayerError).details, { url: `redis://127.0.0.1:${server.port}`, maxmemoryPolicy: 'allkeys-lru' });
      return true;
    });
  });

  test('reads INFO memory where CONFIG is disabled (managed Redis)', async (t) => {
    const noConfig = ['--rename-command', 'CONFIG', ''];
    const [evicting, fine] = await Promise.all([
      withRedis(t, { appendonly: false, maxmemoryPolicy: 'volatile-lru', extraArgs: noConfig }),
      withRedis(t, { appendonly: false, extraArgs: noConfig }),
    ]);
    const a = connect(t, evicting.url, 'command');
    const b = connect(t, fine.url, 'command');
    await assert.rejects(a.config('GET', 'maxmemory-policy'), /unknown command/i, 'CONFIG is really disabled');
    await assert.rejects(checkRedis(a), isRelayerError('REDIS_EVICTION_POLICY'));
    assert.equal((await checkRedis(b)).maxmemoryPolicy, 'noeviction');
  });

  test('REDIS_UNREACHABLE once Redis is killed: the producer fails fast, the worker waits, the command gives up', async (t) => {
    const server = await withRedis(t);
    const producer = connect(t, server.url, 'producer');
    const worker = connect(t, server.url, 'worker');
    const command = connect(t, server.url, 'command');
    for (const conn of [producer, worker, command]) await checkRedis(conn);
    await worker.set('k', 'v');

    await server.kill();
    await eventually(() => assert.notEqual(producer.status, 'ready'), { what: 'the producer to see the loss' });

    const started = Date.now();
    await assert.rejects(producer.set('k', 'lost'), /enableOfflineQueue/);
    assert.ok(Date.now() - started < 250, 'the producer does not queue');
    for (const conn of [producer, worker, command]) {
      await assert.rejects(checkRedis(conn, { timeoutMs: 300 }), (e) => {
        isRelayerError('REDIS_UNREACHABLE')(e);
        assert.ok((e as Error).cause instanceof Error, 'with the cause');
        return true;
      });
    }
    // The command connection gives up after one reconnection attempt.
    await assert.rejects(command.get('k'), (e: Error) => e.name === 'MaxRetriesPerRequestError');
    // The worker connection waits for Redis to come back.
    const waiting = worker.get('k');
    await server.restart();
    assert.equal(await waiting, 'v', 'AOF kept the key; the worker command waited');
    await eventually(async () => assert.equal(await producer.get('k'), 'v'), { what: 'the producer to reconnect' });
    for (const conn of [producer, worker, command]) assert.equal((await checkRedis(conn)).maxmemoryPolicy, 'noeviction');
  });
});

describe('with BullMQ', () => {
  test('a Queue on a producer connection and a Worker on a worker connection run a job', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const producer = connect(t, server.url, 'producer');
    const worker = connect(t, server.url, 'worker');
    await checkRedis(producer); // a producer connection must be ready before BullMQ sends anything
    const name = uniquePrefix('queue').replaceAll(':', '-');
    const queue = new Queue(name, { connection: producer, prefix: '{utxo-relay}' });
    onCleanup(t, () => queue.close());
    await queue.add('mint', { n: 1 }, { jobId: 'mint-ab-0' });
    const processed: unknown[] = [];
    const consumer = new Worker(name, async (job) => void processed.push(job.data), { connection: worker, prefix: '{utxo-relay}' });
    onCleanup(t, () => consumer.close());
    await eventually(async () => assert.equal(await queue.getJobState('mint-ab-0'), 'completed'));
    assert.deepEqual(processed, [{ n: 1 }]);
  });
});

describe('closeQuietly', () => {
  test('ends a live connection, and one whose Redis is gone without waiting for it', async (t) => {
    const server = await withRedis(t);
    const live = connect(t, server.url, 'command');
    await checkRedis(live);
    await closeQuietly(live);
    assert.equal(live.status, 'end');
    await closeQuietly(live); // twice is fine

    const orphan = connect(t, server.url, 'worker', 'orphan');
    await checkRedis(orphan);
    await server.kill();
    await eventually(() => assert.equal(orphan.status, 'reconnecting'));
    const started = Date.now();
    await closeQuietly(orphan);
    assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);

    // It stopped reconnecting: once Redis is back, a new connection gets in and the orphan does not.
    await server.restart();
    const fresh = connect(t, server.url, 'command', 'fresh');
    await checkRedis(fresh);
    const names = String(await fresh.client('LIST')).match(/name=\S+/g) ?? [];
    assert.deepEqual(names, ['name=utxo-relay:fresh']);
  });
});

/** A logger that keeps its lines. */
function keptLog(): OutageLog & { lines: { level: 'warn' | 'info'; msg: string; fields: Record<string, unknown> }[] } {
  const lines: { level: 'warn' | 'info'; msg: string; fields: Record<string, unknown> }[] = [];
  return {
    lines,
    warn: (fields, msg) => void lines.push({ level: 'warn', msg, fields }),
    info: (fields, msg) => void lines.push({ level: 'info', msg, fields }),
  };
}

describe('logOutages', () => {
  test('Redis killed for a while, then back: one warning, a reminder per repeatEveryMs with the count, ready again; nothing printed', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const conn = createRedisConnection(server.url, 'command', 'outage-test');
    onCleanup(t, () => closeQuietly(conn));
    const log = keptLog();
    const stop = logOutages(conn, log, { repeatEveryMs: 500 });
    onCleanup(t, stop);
    await checkRedis(conn);
    const printed: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void printed.push(args);
    try {
      await server.kill();
      // reconnection attempts 100, 200, 400, 800 ms apart: about five errors in the first 1.5 s
      await eventually(() => assert.ok(log.lines.filter((l) => l.msg === 'Redis connection still down').length >= 2, 'two reminders'), { what: 'reminders' });
      await server.restart();
      await eventually(() => assert.ok(log.lines.some((l) => l.msg === 'Redis connection ready again'), 'back'), { what: 'the connection to be ready again' });
    } finally {
      console.error = original;
    }
    assert.deepEqual(printed, [], 'ioredis printed nothing (the listener took the errors)');
    const [first, ...rest] = log.lines;
    assert.equal(first!.level, 'warn');
    assert.equal(first!.msg, 'Redis connection lost; reconnecting');
    assert.deepEqual({ connection: first!.fields['connection'], url: first!.fields['url'] }, { connection: 'utxo-relay:outage-test', url: server.url });
    assert.match(JSON.stringify(first!.fields['err']), /ECONNREFUSED|ECONNRESET|Connection is closed/);
    const reminders = rest.filter((l) => l.msg === 'Redis connection still down');
    const back = rest.at(-1)!;
    assert.equal(back.level, 'info');
    assert.equal(back.msg, 'Redis connection ready again');
    assert.equal(rest.length, reminders.length + 1, 'nothing else was logged');
    const errors = Number(back.fields['errors']);
    assert.ok(errors > 1 + reminders.length, `fewer lines than errors: ${1 + reminders.length} lines for ${errors} errors`);
    for (const r of reminders) assert.equal(r.level, 'warn');
    assert.ok(Number(back.fields['downMs']) >= 1_000, `downMs ${String(back.fields['downMs'])}`);

    // A second outage is logged again from its first error.
    log.lines.length = 0;
    await server.kill();
    await eventually(() => assert.equal(log.lines[0]?.msg, 'Redis connection lost; reconnecting', 'the second outage is logged'));
  });
});

describe('failures at start-up', () => {
  test('unreachableOr: a command ioredis gave up on is REDIS_UNREACHABLE; a reply error or a failure on a ready connection is itself', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const conn = connect(t, server.url, 'command', 'start-test');
    onCleanup(t, logOutages(conn, keptLog())); // it keeps the last connection error, for the message
    await checkRedis(conn);
    await conn.set('a-string', 'x');
    const wrongType = await conn.lpush('a-string', 'y').catch((e: unknown) => e);
    assert.equal(unreachableOr(conn, wrongType, 'testing'), wrongType, 'Redis answered: not unreachable');
    const bug = new TypeError('a bug');
    assert.equal(unreachableOr(conn, bug, 'testing'), bug, 'the connection is fine: not Redis');

    await server.kill();
    const gaveUp = await conn.get('a-string').catch((e: unknown) => e);
    assert.equal((gaveUp as Error).name, 'MaxRetriesPerRequestError');
    const e = unreachableOr(conn, gaveUp, 'the relayer was starting (reading something)');
    isRelayerError('REDIS_UNREACHABLE')(e);
    const message = (e as Error).message;
    assert.match(message, new RegExp(`^Redis at redis://127\\.0\\.0\\.1:${server.port} stopped answering while the relayer was starting \\(reading something\\): Reached the max retries`));
    assert.match(message, /\(last connection error: connect ECONNREFUSED/);
    assert.equal((e as RelayerError).cause, gaveUp);
  });

  test('awaitReady: REDIS_UNREACHABLE when the connection does not come back in time', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const conn = connect(t, server.url, 'producer', 'ready-test');
    await awaitReady(conn);
    await server.kill();
    await eventually(() => assert.notEqual(conn.status, 'ready', 'the loss is seen'));
    await assert.rejects(awaitReady(conn, { timeoutMs: 300 }), (e) => {
      isRelayerError('REDIS_UNREACHABLE')(e);
      assert.match((e as Error).message, /not connected within 300 ms/);
      return true;
    });
  });

  test('messages name the URL with the password replaced, the user and db kept', async (t) => {
    const server = await withRedis(t, { appendonly: false, extraArgs: ['--user', 'relayer', 'on', '>s3cret', '~*', '&*', '+@all'] });
    const url = `redis://relayer:s3cret@127.0.0.1:${server.port}/3`;
    const fine = connect(t, url, 'command');
    assert.equal((await checkRedis(fine)).maxmemoryPolicy, 'noeviction', 'the user can log in');
    const wrong = connect(t, `redis://relayer:wrong@127.0.0.1:${server.port}/3`, 'command');
    await assert.rejects(checkRedis(wrong, { timeoutMs: 500 }), (e) => {
      isRelayerError('REDIS_UNREACHABLE')(e);
      const text = `${(e as Error).message} ${JSON.stringify((e as RelayerError).details)}`;
      assert.match(text, new RegExp(`redis://relayer:\\*\\*\\*@127\\.0\\.0\\.1:${server.port}/3`));
      assert.doesNotMatch(text, /wrong|s3cret/);
      assert.match((e as Error).message, /WRONGPASS/, 'the cause');
      return true;
    });
  });
});
