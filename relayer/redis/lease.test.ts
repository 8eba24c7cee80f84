/** The watcher lease on a real redis-server: one holder, takeover after a death, loss, release. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { eventually } from '../../test/eventually.js';
import { onCleanup, uniquePrefix, withRedis, type RedisServer } from '../../test/redis.js';
import { RelayerError } from '../errors.js';
import { closeQuietly, createRedisConnection } from './connections.js';
import { Lease, watcherLeaseKey } from './lease.js';

const TTL = 600;
const RENEW = 150;

/** A command connection (as the relayer uses for the lease), closed when the test ends. */
function connect(t: TestContext, server: RedisServer, name = 'lease'): Redis {
  const conn = createRedisConnection(server.url, 'command', name);
  conn.on('error', () => {});
  onCleanup(t, () => closeQuietly(conn));
  return conn;
}

/** Runs `lease` and records what happens, stopped when the test ends. */
function watch(t: TestContext, lease: Lease, work?: (signal: AbortSignal) => Promise<void> | void) {
  const seen = { acquired: [] as number[], signals: [] as AbortSignal[], lost: [] as RelayerError[], lostAt: [] as number[] };
  const runner = lease.run(
    async (signal) => {
      seen.acquired.push(performance.now());
      seen.signals.push(signal);
      await work?.(signal);
    },
    (err) => {
      seen.lostAt.push(performance.now());
      seen.lost.push(err);
    },
  );
  onCleanup(t, () => runner.stop());
  return { ...seen, stop: () => runner.stop() };
}

describe('Lease', () => {
  test('the key layout', () => {
    assert.equal(watcherLeaseKey('utxo-relay', 'op1', 'main'), 'utxo-relay:op1:lease:watcher:main');
  });

  test('of many contenders exactly one acquires; holder() names it', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const key = `${uniquePrefix('lease')}:lease:watcher:main`;
    const leases = Array.from({ length: 8 }, (_, i) => new Lease(connect(t, server, `c${i}`), key, { ttlMs: TTL }));
    assert.equal(new Set(leases.map((l) => l.owner)).size, 8, 'owners are unique by default');
    const won = await Promise.all(leases.map((l) => l.tryAcquire()));
    assert.equal(won.filter(Boolean).length, 1);
    const winner = leases[won.indexOf(true)]!;
    assert.equal(await winner.holder(), winner.owner);
    assert.equal(await leases[(won.indexOf(true) + 1) % 8]!.tryAcquire(), false, 'still held');
    const pttl = await connect(t, server).pttl(key);
    assert.ok(pttl > 0 && pttl <= TTL, `PX ttl set, got ${pttl}`);
  });

  test('a holder that stops renewing (a hung process) is replaced once its lease expired, not before', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const key = `${uniquePrefix('lease')}:lease:watcher:main`;
    const dead = new Lease(connect(t, server, 'dead'), key, { ttlMs: TTL, owner: 'dead' });
    const heldSince = performance.now();
    assert.equal(await dead.tryAcquire(), true); // and never renews: no run(), no stop()
    const standby = new Lease(connect(t, server, 'standby'), key, { ttlMs: TTL, renewEveryMs: RENEW, owner: 'standby' });
    const seen = watch(t, standby);
    await eventually(() => assert.equal(seen.acquired.length, 1), { what: 'the standby to take over' });
    assert.ok(seen.acquired[0]! - heldSince >= TTL - 5, `took over after ${seen.acquired[0]! - heldSince} ms, before the ${TTL} ms lease ran out`);
    assert.equal(await standby.holder(), 'standby');
    assert.equal(await dead.renew(), false, 'the old holder cannot extend it any more');
  });

  test('a holder killed with SIGKILL is replaced by a standby', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const key = `${uniquePrefix('lease')}:lease:watcher:side`;
    const here = (file: string): string => JSON.stringify(new URL(file, import.meta.url).href);
    const script = `
      const { Lease } = await import(${here('./lease.ts')});
      const { createRedisConnection } = await import(${here('./connections.ts')});
      const conn = createRedisConnection(${JSON.stringify(server.url)}, 'command', 'child');
      conn.on('error', () => {});
      new Lease(conn, ${JSON.stringify(key)}, { ttlMs: ${TTL}, renewEveryMs: ${RENEW}, owner: 'child' })
        .run(() => console.log('acquired'));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onCleanup(t, () => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await eventually(() => assert.match(stdout, /acquired/, stderr), { what: 'the child to hold the lease', timeoutMs: 30_000 });

    const standby = new Lease(connect(t, server), key, { ttlMs: TTL, renewEveryMs: RENEW, owner: 'standby' });
    const seen = watch(t, standby);
    // The child keeps renewing (its key's PTTL goes back up) for longer than a TTL, and the
    // standby does not get in meanwhile.
    const redis = connect(t, server, 'observer');
    let renewals = 0;
    let lastPttl = await redis.pttl(key);
    await eventually(async () => {
      const pttl = await redis.pttl(key);
      if (pttl > lastPttl) renewals++;
      lastPttl = pttl;
      assert.ok(renewals >= Math.ceil((1.5 * TTL) / RENEW), `${renewals} renewals seen`);
    }, { what: 'the child to renew for longer than a TTL' });
    assert.equal(seen.acquired.length, 0, 'the standby must not acquire while the holder renews');
    assert.equal(await standby.holder(), 'child');

    child.kill('SIGKILL');
    const killedAt = performance.now();
    await eventually(() => assert.equal(seen.acquired.length, 1), { what: 'the standby to take over' });
    assert.ok(seen.acquired[0]! - killedAt < TTL + 2 * RENEW + 500, `takeover took ${seen.acquired[0]! - killedAt} ms`);
    assert.equal(await standby.holder(), 'standby');
  });

  test('onLost fires with LEASE_LOST and the signal aborts when the key is overwritten; it acquires again later', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const key = `${uniquePrefix('lease')}:lease:watcher:main`;
    const redis = connect(t, server);
    const lease = new Lease(connect(t, server, 'holder'), key, { ttlMs: TTL, renewEveryMs: RENEW, owner: 'holder' });
    const seen = watch(t, lease);
    await eventually(() => assert.equal(seen.acquired.length, 1));
    assert.equal(seen.signals[0]!.aborted, false);

    await redis.set(key, 'intruder', 'PX', 2 * TTL);
    await eventually(() => assert.equal(seen.lost.length, 1), { what: 'onLost' });
    const lost = seen.lost[0]!;
    assert.ok(lost instanceof RelayerError, 'onLost gets a RelayerError');
    assert.equal(lost.code, 'LEASE_LOST');
    assert.equal(lost.details.holder, 'intruder');
    assert.equal(seen.signals[0]!.aborted, true);
    assert.equal(seen.signals[0]!.reason, lost);
    assert.equal(await redis.get(key), 'intruder', 'the loser does not touch the new holder\'s key');

    await eventually(() => assert.equal(seen.acquired.length, 2), { what: 'acquiring again once the intruder expired' });
    assert.equal(await lease.holder(), 'holder');
    assert.equal(seen.signals[1]!.aborted, false);
  });

  test('onLost fires when Redis does not answer before the lease runs out (SIGSTOP)', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const key = `${uniquePrefix('lease')}:lease:watcher:main`;
    const lease = new Lease(connect(t, server, 'holder'), key, { ttlMs: TTL, renewEveryMs: RENEW, owner: 'holder' });
    const seen = watch(t, lease);
    await eventually(() => assert.equal(seen.acquired.length, 1));

    const pid = server.pid()!;
    process.kill(pid, 'SIGSTOP');
    const frozenAt = performance.now();
    try {
      await eventually(() => assert.equal(seen.lost.length, 1), { what: 'onLost while Redis is frozen' });
      // It gave up at the lease's own expiry (TTL after its last confirmed renewal, which was
      // before the freeze), not later; the slack is for timers that fire late on a busy machine.
      assert.ok(seen.lostAt[0]! - frozenAt <= TTL + 250, `lost ${seen.lostAt[0]! - frozenAt} ms after the freeze`);
      assert.equal(seen.lost[0]!.code, 'LEASE_LOST');
      assert.equal(seen.signals[0]!.aborted, true);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await eventually(() => assert.equal(seen.acquired.length, 2), { what: 'acquiring again once Redis answers' });
  });

  test('release() and renew() only touch the owner\'s own lease', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const key = `${uniquePrefix('lease')}:lease:watcher:main`;
    const redis = connect(t, server);
    const a = new Lease(connect(t, server, 'a'), key, { ttlMs: TTL, owner: 'a' });
    const b = new Lease(connect(t, server, 'b'), key, { ttlMs: TTL, owner: 'b' });
    assert.equal(await a.tryAcquire(), true);
    await b.release();
    assert.equal(await a.holder(), 'a', 'b cannot release a\'s lease');
    assert.equal(await b.renew(), false, 'nor renew it');
    assert.equal(await a.renew(), true);

    await redis.set(key, 'other');
    await a.release();
    assert.equal(await redis.get(key), 'other', 'a cannot release a lease it lost');
    await redis.set(key, 'a');
    await a.release();
    assert.equal(await a.holder(), null);

    const runner = a.run(() => {});
    assert.throws(() => a.run(() => {}), /already running/, 'one run() at a time');
    await runner.stop();
    await a.run(() => {}).stop(); // after stop(), run() may start again
  });

  test('stop() aborts the work, waits for it, releases: a standby takes over at once', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const key = `${uniquePrefix('lease')}:lease:watcher:main`;
    const longTtl = 30_000; // takeover must come from the release, not from expiry
    let workEnded = false;
    const first = new Lease(connect(t, server, 'first'), key, { ttlMs: longTtl, renewEveryMs: RENEW, owner: 'first' });
    const seenFirst = watch(t, first, async (signal) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      workEnded = true;
    });
    await eventually(() => assert.equal(seenFirst.acquired.length, 1));
    const second = new Lease(connect(t, server, 'second'), key, { ttlMs: longTtl, renewEveryMs: RENEW, owner: 'second' });
    const seenSecond = watch(t, second);

    await seenFirst.stop();
    assert.equal(workEnded, true, 'stop() waited for the work');
    assert.equal(seenFirst.signals[0]!.aborted, true);
    assert.equal(seenFirst.lost.length, 0, 'stopping is not losing');
    await eventually(() => assert.equal(seenSecond.acquired.length, 1), { what: 'the standby to take over', timeoutMs: 5_000 });
    assert.equal(await second.holder(), 'second');
    await seenFirst.stop(); // twice is fine
  });

  test('work that throws is reported, releases the lease and lets another take it', async (t) => {
    const server = await withRedis(t, { appendonly: false });
    const key = `${uniquePrefix('lease')}:lease:watcher:main`;
    const errors: unknown[] = [];
    const boom = new Error('watcher crashed');
    const failing = new Lease(connect(t, server, 'failing'), key, { ttlMs: 30_000, renewEveryMs: 1_000, owner: 'failing', onError: (e) => errors.push(e) });
    const seenFailing = watch(t, failing, () => {
      throw boom;
    });
    await eventually(() => assert.deepEqual(errors, [boom]));
    assert.equal(seenFailing.signals[0]!.aborted, true);
    assert.equal(seenFailing.signals[0]!.reason, boom);
    const other = new Lease(connect(t, server, 'other'), key, { ttlMs: 30_000, renewEveryMs: RENEW, owner: 'other' });
    const seenOther = watch(t, other);
    await eventually(() => assert.equal(seenOther.acquired.length, 1), { what: 'the other to acquire the released lease', timeoutMs: 5_000 });
  });

  test('refuses bad options', () => {
    const redis = {} as Redis;
    assert.throws(() => new Lease(redis, 'k', { ttlMs: 0 }), RangeError);
    assert.throws(() => new Lease(redis, 'k', { ttlMs: 1000, renewEveryMs: 1000 }), RangeError);
    assert.throws(() => new Lease(redis, '', { ttlMs: 1000 }), RangeError);
  });
});
