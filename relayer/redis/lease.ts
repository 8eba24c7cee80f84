/**
 * A lease in Redis: at most one process of a deployment holds it at a time (to run a chain's
 * watcher), and another takes over within about one TTL when the holder dies.
 *
 * Key layout (docs/redis.md): `<prefix>:<deployment>:lease:watcher:<chain role>`, a string whose
 * value is the holder's owner id (`hostname:pid:random`), with a PX expiry of `ttlMs`. Only the
 * holder extends or deletes it (compare-and-set in Lua).
 *
 * Safety: the holder counts its lease as valid until `ttlMs` (minus a small clock-drift margin)
 * after it *sent* the last successful SET/renewal, which is never later than when Redis expires
 * the key. If no renewal succeeded by then (someone else holds it, or Redis did not answer), it
 * aborts the work's signal and reports LEASE_LOST before anyone else can have taken over. The
 * work must stop when its signal aborts; `run` waits for it to settle before acquiring again.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { RelayerError } from '../errors.js';

/**
 * Extends the lease if this owner still holds it.
 * KEYS[1] the lease key; ARGV[1] owner id; ARGV[2] ttl in ms.
 * Returns 1 if extended, 0 if the key is absent or holds another owner.
 */
const RENEW_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

/**
 * Deletes the lease if this owner holds it.
 * KEYS[1] the lease key; ARGV[1] owner id.
 * Returns 1 if deleted, 0 if the key is absent or holds another owner.
 */
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

export interface LeaseOptions {
  /** How long the lease lasts without renewal. [Required] e.g. 10000 */
  readonly ttlMs: number;
  /** How often the holder renews and a standby tries to acquire. [Default: ttlMs / 3] */
  readonly renewEveryMs?: number;
  /** This holder's id, stored as the key's value. [Default: `hostname:pid:random`] */
  readonly owner?: string;
  /** Called when `onAcquired` throws or rejects (the lease is then released). [Default: none] */
  readonly onError?: (err: unknown) => void;
}

/** The lease key of a chain's watcher. */
export function watcherLeaseKey(prefix: string, deployment: string, chainRole: string): string {
  return `${prefix}:${deployment}:lease:watcher:${chainRole}`;
}

export class Lease {
  readonly owner: string;
  readonly #redis: Redis;
  readonly #key: string;
  readonly #ttlMs: number;
  readonly #renewEveryMs: number;
  readonly #onError: ((err: unknown) => void) | undefined;
  /** performance.now() until which this owner may trust the lease (see the file comment). */
  #validUntil = 0;
  #running = false;

  constructor(redis: Redis, key: string, options: LeaseOptions) {
    if (!Number.isInteger(options.ttlMs) || options.ttlMs < 10) throw new RangeError(`lease ttlMs must be an integer >= 10, got ${options.ttlMs}`);
    const renewEveryMs = options.renewEveryMs ?? Math.floor(options.ttlMs / 3);
    if (!(renewEveryMs > 0 && renewEveryMs < options.ttlMs)) {
      throw new RangeError(`lease renewEveryMs must be > 0 and < ttlMs (${options.ttlMs}), got ${renewEveryMs}`);
    }
    if (key === '') throw new RangeError('lease key must not be empty');
    this.#redis = redis;
    this.#key = key;
    this.#ttlMs = options.ttlMs;
    this.#renewEveryMs = renewEveryMs;
    this.#onError = options.onError;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  /** SET key owner NX PX ttl: true if this owner now holds the lease. */
  async tryAcquire(): Promise<boolean> {
    const sentAt = performance.now();
    const reply = await this.#redis.set(this.#key, this.owner, 'PX', this.#ttlMs, 'NX');
    if (reply !== 'OK') return false;
    this.#validUntil = sentAt + this.#ttlMs - this.#driftMs();
    return true;
  }

  /** Extends the lease by ttlMs if this owner still holds it. */
  async renew(): Promise<boolean> {
    const sentAt = performance.now();
    const reply = await this.#redis.eval(RENEW_LUA, 1, this.#key, this.owner, this.#ttlMs);
    if (reply !== 1) return false;
    this.#validUntil = sentAt + this.#ttlMs - this.#driftMs();
    return true;
  }

  /** Deletes the lease if this owner holds it (someone else's is left alone). */
  async release(): Promise<void> {
    this.#validUntil = 0;
    await this.#redis.eval(RELEASE_LUA, 1, this.#key, this.owner);
  }

  /** The current holder's owner id, or null if nobody holds it. */
  async holder(): Promise<string | null> {
    return this.#redis.get(this.#key);
  }

  /**
   * Tries to acquire every renew period; once held, calls `onAcquired` with a signal and renews on
   * a timer. When a renewal fails (another owner, or no answer before the lease ran out) the
   * signal aborts with LEASE_LOST, `onLost` is called, and once `onAcquired` settled it goes back
   * to trying. If `onAcquired` throws, the signal aborts with that error, `onError` is called, the
   * lease is released, and it competes again after a period. `stop()` aborts (an AbortError),
   * waits for `onAcquired` to settle (at most ttlMs) and releases the lease (waiting at most
   * renewEveryMs for Redis: else the lease just expires). One run() at a time per Lease.
   */
  run(onAcquired: (signal: AbortSignal) => Promise<void> | void, onLost?: (err: RelayerError) => void): { stop(): Promise<void> } {
    if (this.#running) throw new Error(`lease ${this.#key}: run() is already running; stop() it first`);
    this.#running = true;
    let stopped = false;
    let current: { controller: AbortController; work: Promise<void> } | undefined;
    const wakers = new Set<() => void>();

    /** `promise`, or STOPPED as soon as stop() is called. */
    const interruptible = <T>(promise: Promise<T>): Promise<T | typeof STOPPED> => {
      if (stopped) {
        promise.catch(() => {});
        return Promise.resolve(STOPPED);
      }
      let waker = (): void => {};
      const woken = new Promise<typeof STOPPED>((resolve) => {
        waker = () => resolve(STOPPED);
        wakers.add(waker);
      });
      return Promise.race([promise, woken]).finally(() => wakers.delete(waker));
    };
    const pause = (ms: number): Promise<void | typeof STOPPED> => {
      let timer: NodeJS.Timeout | undefined;
      return interruptible(new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))).finally(() => clearTimeout(timer));
    };

    const work = async (controller: AbortController): Promise<void> => {
      try {
        await onAcquired(controller.signal);
      } catch (err) {
        if (controller.signal.aborted && err === controller.signal.reason) return; // it ended as asked
        this.#onError?.(err);
        if (controller.signal.aborted) return;
        controller.abort(err);
        await withDeadline(this.release(), this.#renewEveryMs).catch(() => {}); // else it expires
      }
    };

    /** Renews until the lease is lost (the error), or stop() or a failed `onAcquired` (undefined). */
    const hold = async (controller: AbortController): Promise<RelayerError | undefined> => {
      let lastError: unknown;
      for (;;) {
        const remaining = this.#validUntil - performance.now();
        if (remaining <= 0) {
          return new RelayerError('LEASE_LOST', `lease ${this.#key}: no renewal was confirmed by Redis before the lease ran out (${this.#ttlMs} ms)`, {
            cause: lastError,
            details: { key: this.#key, owner: this.owner },
          });
        }
        if ((await pause(Math.min(this.#renewEveryMs, remaining))) === STOPPED || controller.signal.aborted) return undefined;
        const left = this.#validUntil - performance.now();
        if (left <= 0) continue;
        let renewed: boolean | 'timeout' | typeof STOPPED;
        try {
          renewed = await interruptible(withDeadline(this.renew(), left));
        } catch (err) {
          lastError = err; // try again while the lease is still valid
          continue;
        }
        if (renewed === STOPPED || controller.signal.aborted) return undefined;
        if (renewed === false) {
          const holder = await withDeadline(this.holder(), this.#renewEveryMs).catch(() => null);
          return new RelayerError('LEASE_LOST', `lease ${this.#key} is held by another owner now`, {
            details: { key: this.#key, owner: this.owner, holder: holder === 'timeout' ? null : holder },
          });
        }
      }
    };

    const loop = async (): Promise<void> => {
      while (!stopped) {
        const acquired = await interruptible(this.tryAcquire().catch(() => false)); // Redis away: next period
        if (acquired === STOPPED) return;
        if (!acquired) {
          await pause(this.#renewEveryMs);
          continue;
        }
        const controller = new AbortController();
        current = { controller, work: work(controller) };
        const lost = await hold(controller);
        if (lost !== undefined) {
          this.#validUntil = 0;
          controller.abort(lost);
          onLost?.(lost);
        }
        // The work must have stopped before this process competes again.
        if ((await interruptible(current.work)) === STOPPED) return;
        current = undefined;
        if (lost === undefined) await pause(this.#renewEveryMs); // onAcquired failed: let others have a go
      }
    };
    const looping = loop();

    let stopping: Promise<void> | undefined;
    return {
      stop: () =>
        (stopping ??= (async () => {
          stopped = true;
          for (const wake of wakers) wake();
          const last = current;
          last?.controller.abort();
          await looping;
          if (last) await withDeadline(last.work, this.#ttlMs);
          await withDeadline(this.release(), this.#renewEveryMs).catch(() => {}); // else it expires
          this.#running = false;
        })()),
    };
  }

  #driftMs(): number {
    return Math.ceil(this.#ttlMs * 0.01) + 2;
  }
}

const STOPPED: unique symbol = Symbol('stopped');

/** `promise`'s value, or 'timeout' if it does not settle within `ms`. */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}
