/**
 * The ioredis connections of the relayer, one role each (DESIGN §4, docs/redis.md):
 * - `worker`: BullMQ workers (and queue events). `maxRetriesPerRequest: null`, which BullMQ
 *   requires of blocking connections: a command waits for the reconnection instead of failing.
 * - `producer`: watchers adding jobs. `enableOfflineQueue: false`: while Redis is away a command
 *   fails at once instead of piling up in memory; the watcher resumes from its persisted cursor.
 * - `command`: the transfer store and the watcher lease. `maxRetriesPerRequest: 1`: a command
 *   survives one reconnection, then fails so the caller can decide (retry the job, lose the lease).
 * All reconnect for ever with a capped exponential delay, never use a key prefix (BullMQ refuses
 * one; keys carry their own prefix) and name themselves `utxo-relay:<name>` in CLIENT LIST.
 * Attach an `error` listener to each connection (`logOutages` logs them): ioredis prints
 * unhandled ones, a stack trace on stderr for every reconnection attempt.
 */
import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { UtxoRelayError } from '../../proofs/base-error.js';
import { RelayerError } from '../errors.js';
import { LogThrottle } from '../log-throttle.js';

export type RedisRole = 'worker' | 'producer' | 'command';

/** Reconnection delays: 100 ms doubling to at most 10 s, plus up to 20 % jitter. */
export const RECONNECT_BASE_MS = 100;
export const RECONNECT_MAX_MS = 10_000;

/** The delay before reconnection attempt `attempt` (1, 2, ...); `random` in [0, 1) gives the jitter. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 20);
  const base = Math.min(RECONNECT_BASE_MS * 2 ** exponent, RECONNECT_MAX_MS);
  return Math.round(base * (1 + 0.2 * random()));
}

/** RedisOptions without `replyMapping` (left at its default 'legacy': RESP2-shaped replies). */
export type RelayerRedisOptions = Omit<RedisOptions, 'replyMapping'>;

const ROLE_OPTIONS: Record<RedisRole, RelayerRedisOptions> = {
  worker: { maxRetriesPerRequest: null },
  producer: { enableOfflineQueue: false },
  command: { maxRetriesPerRequest: 1 },
};

/** The ioredis options of a role (exported so that a test or a duplicate() can see them). */
export function redisOptionsFor(role: RedisRole, name: string = role): RelayerRedisOptions {
  return {
    lazyConnect: false,
    connectionName: `utxo-relay:${name}`,
    // Never give up: a relayer that stops reconnecting is a relayer that silently stops working.
    retryStrategy: (attempt: number) => reconnectDelayMs(attempt),
    ...ROLE_OPTIONS[role],
  };
}

/** A new connection to `url` (`redis://[user:password@]host:port[/db]`, or `rediss://` for TLS). */
export function createRedisConnection(url: string, role: RedisRole, name: string = role): Redis {
  return new Redis(url, redisOptionsFor(role, name));
}

export interface RedisCheck {
  /** `redis_version` of INFO server (at least MIN_REDIS_VERSION). */
  readonly version: string;
  /** Always `noeviction` (anything else is refused). */
  readonly maxmemoryPolicy: string;
}

/**
 * The oldest Redis the relayer runs on. BullMQ recommends 6.2 (it warns on stderr below it) and
 * supports nothing below 5; ioredis 6 speaks RESP3 (`HELLO`, Redis 6); 6.2 is what the tests and
 * the Lua scripts are checked against.
 */
export const MIN_REDIS_VERSION = '6.2.0';

/**
 * Whether the Redis version `found` (`redis_version` of INFO: `7.2.4`, `6.2.14`, `6.0.0-rc1`...) is
 * at least `minimum` (`major.minor.patch`). Compares the numbers part by part (`6.10` is above
 * `6.9`), a missing part counts as 0, anything after the numbers (`-rc1`) is ignored; false when
 * `found` does not start with a number.
 */
export function isRedisVersionAtLeast(found: string, minimum: string): boolean {
  const have = versionParts(found);
  const want = versionParts(minimum);
  if (have === undefined) return false;
  if (want === undefined) throw new RangeError(`minimum: expected a version like "6.2.0", got ${JSON.stringify(minimum)}`);
  for (let i = 0; i < 3; i++) {
    if (have[i]! !== want[i]!) return have[i]! > want[i]!;
  }
  return true;
}

function versionParts(version: string): [number, number, number] | undefined {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version.trim());
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

/**
 * The start-up check: Redis answers (else REDIS_UNREACHABLE, with the cause), is at least
 * MIN_REDIS_VERSION (else REDIS_VERSION) and will never evict keys (else REDIS_EVICTION_POLICY).
 * Reads `CONFIG GET maxmemory-policy`, or INFO memory where CONFIG is disabled (managed Redis).
 * Waits for the connection to be ready, at most `timeoutMs` [Default: 5000].
 */
export async function checkRedis(conn: Redis, options: { timeoutMs?: number } = {}): Promise<RedisCheck> {
  const where = redisUrlOf(conn);
  const limit = deadline(options.timeoutMs ?? 5_000, 'no answer');
  const answer = <T>(p: Promise<T>): Promise<T> => limit.race(p);
  // While it waits, the connection's errors are the cause to report (and are not printed by ioredis).
  const onError = (e: unknown): void => {
    if (e instanceof Error) lastErrors.set(conn, e);
  };
  conn.on('error', onError);
  const connected = ready(conn);
  try {
    try {
      await answer(connected.promise);
      lastErrors.delete(conn); // connected: earlier errors are no cause of what follows
      await answer(conn.ping());
    } catch (cause) {
      throw unreachable(conn, cause);
    }
    let version: string | undefined;
    try {
      version = infoField(await answer(conn.info('server')), 'redis_version');
    } catch (cause) {
      if (isReplyError(cause)) {
        throw new RelayerError('REDIS_VERSION', `could not read the version of Redis at ${where} (INFO server: ${errorMessage(cause)}); the relayer needs Redis ${MIN_REDIS_VERSION} or newer: allow INFO for its user`, { cause, details: { url: where, minimum: MIN_REDIS_VERSION } });
      }
      throw unreachable(conn, cause);
    }
    if (version === undefined || !isRedisVersionAtLeast(version, MIN_REDIS_VERSION)) {
      throw new RelayerError(
        'REDIS_VERSION',
        `Redis at ${where} is version ${version ?? '(not reported by INFO server)'}; the relayer needs Redis ${MIN_REDIS_VERSION} or newer (BullMQ and its Lua scripts): upgrade Redis, or point redis.url at a newer one`,
        { details: { url: where, version: version ?? null, minimum: MIN_REDIS_VERSION } },
      );
    }
    let policy: string | undefined;
    try {
      try {
        policy = configValue(await answer(conn.config('GET', 'maxmemory-policy')), 'maxmemory-policy');
      } catch (e) {
        if (!isReplyError(e)) throw e;
        // CONFIG is disabled or not allowed for this user (managed Redis): INFO has the field too.
      }
      policy ??= infoField(await answer(conn.info('memory')), 'maxmemory_policy');
    } catch (cause) {
      if (isReplyError(cause)) {
        throw new RelayerError('REDIS_EVICTION_POLICY', `could not read maxmemory-policy of Redis at ${where} (${errorMessage(cause)}); the relayer needs to see that it is noeviction: allow CONFIG GET or INFO for its user`, { cause, details: { url: where } });
      }
      throw unreachable(conn, cause);
    }
    if (policy !== 'noeviction') {
      throw new RelayerError(
        'REDIS_EVICTION_POLICY',
        `Redis at ${where} has maxmemory-policy ${policy ?? '(not reported)'}: it may evict queue and transfer keys. ` +
          'Run `CONFIG SET maxmemory-policy noeviction` and put `maxmemory-policy noeviction` in redis.conf (or your provider\'s parameter group) so that it survives a restart',
        { details: { url: where, maxmemoryPolicy: policy ?? null } },
      );
    }
    return { version, maxmemoryPolicy: policy };
  } finally {
    limit.clear();
    connected.cancel();
    conn.off('error', onError);
  }
}

/**
 * Waits until `conn` is ready, at most `timeoutMs` [Default: 5000]; REDIS_UNREACHABLE (with the
 * last connection error) when it is not. A producer connection (`enableOfflineQueue: false`)
 * cannot send anything before.
 */
export async function awaitReady(conn: Redis, options: { timeoutMs?: number } = {}): Promise<void> {
  const connected = ready(conn);
  const limit = deadline(options.timeoutMs ?? 5_000, 'not connected');
  try {
    await limit.race(connected.promise);
  } catch (cause) {
    throw unreachable(conn, cause);
  } finally {
    limit.clear();
    connected.cancel();
  }
}

/** `race(p)`: p, or a rejection "<what> within N ms" once `timeoutMs` passed; `clear()` when done. */
function deadline(timeoutMs: number, what: string): { race<T>(p: Promise<T>): Promise<T>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  expired.catch(() => {}); // a deadline that passes when no race is waiting is nobody's failure
  return { race: (p) => Promise.race([p, expired]), clear: () => clearTimeout(timer) };
}

/**
 * What the failure `e` of a command on `conn` means at start-up, while the relayer `doing` (e.g.
 * "the relayer was starting (reading the saved header chain of main)"): REDIS_UNREACHABLE, naming
 * the Redis, `doing`, the failure and the connection's last error (as seen by logOutages), when
 * Redis did not answer: ioredis gave up on the command (MaxRetriesPerRequestError) or the
 * connection is not ready. Anything else is returned as is: a reply error is Redis answering, a
 * utxo-relay error has its own code, a failure on a ready connection is not Redis's.
 */
export function unreachableOr(conn: Redis, e: unknown, doing: string): unknown {
  if (e instanceof UtxoRelayError || isReplyError(e) || !(e instanceof Error)) return e;
  const gaveUp = e.name === 'MaxRetriesPerRequestError';
  if (!gaveUp && conn.status === 'ready') return e;
  return unreachable(conn, e, doing);
}

/** The logger `logOutages` writes to (a pino Logger is one). */
export interface OutageLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export interface OutageLogOptions {
  /** While an outage lasts, how often it is logged again ("still down"). [Default: 60000 ms] */
  readonly repeatEveryMs?: number;
  readonly now?: () => number;
}

/**
 * Logs the outages of `conn` instead of letting ioredis print every reconnection error on stderr:
 * the first error of an outage at warn (`Redis connection lost; reconnecting`, with the error),
 * then at most one warn per `repeatEveryMs` while it lasts (`Redis connection still down`, with
 * how long and how many errors), and at info `Redis connection ready again` when it is. Each line
 * carries `connection` (its name in CLIENT LIST) and `url` (without the password). Returns the
 * function that stops it.
 */
export function logOutages(conn: Redis, log: OutageLog, options: OutageLogOptions = {}): () => void {
  const now = options.now ?? Date.now;
  const throttle = new LogThrottle(options.repeatEveryMs ?? 60_000, now);
  const base = { connection: conn.options.connectionName ?? null, url: redisUrlOf(conn) };
  let outage: { since: number; errors: number } | undefined;
  const onError = (e: unknown): void => {
    if (e instanceof Error) lastErrors.set(conn, e);
    const err = errorFields(e);
    if (outage === undefined) {
      outage = { since: now(), errors: 1 };
      throttle.reset();
      throttle.hit();
      log.warn({ ...base, err }, 'Redis connection lost; reconnecting');
      return;
    }
    outage.errors++;
    if (throttle.hit() !== undefined) log.warn({ ...base, err, downMs: now() - outage.since, errors: outage.errors }, 'Redis connection still down');
  };
  const onReady = (): void => {
    lastErrors.delete(conn);
    if (outage === undefined) return;
    log.info({ ...base, downMs: now() - outage.since, errors: outage.errors }, 'Redis connection ready again');
    outage = undefined;
  };
  conn.on('error', onError);
  conn.on('ready', onReady);
  return () => {
    conn.off('error', onError);
    conn.off('ready', onReady);
  };
}

/**
 * The URL of a connection without its password: `redis://[user:***@]host:port[/db]` (`rediss://`
 * with TLS), or the socket path.
 */
export function redisUrlOf(conn: Redis): string {
  const { host, port, path, username, password, db, tls } = conn.options;
  if (path) return String(path);
  const user = username ? `${username}${password ? ':***' : ''}@` : password ? ':***@' : '';
  return `${tls ? 'rediss' : 'redis'}://${user}${host ?? '127.0.0.1'}:${String(port ?? 6379)}${db ? `/${db}` : ''}`;
}

/**
 * QUIT (lets pending replies arrive) with a limit of `timeoutMs` [Default: 2000], then disconnect;
 * resolves once the socket closed (or the limit passed). Never throws. A connection that waits to
 * reconnect just stops trying (ioredis leaves its status at 'reconnecting' and its queued commands
 * unsettled then).
 */
export async function closeQuietly(conn: Redis, timeoutMs = 2_000): Promise<void> {
  const status = conn.status;
  if (status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  let onEnd = (): void => {};
  const ended = new Promise<void>((resolve) => {
    onEnd = resolve;
    conn.once('end', resolve);
  });
  try {
    if (status === 'ready') await Promise.race([conn.quit().catch(() => {}), limit]);
    conn.disconnect();
    // Only a socket that is open or opening emits 'end' after disconnect().
    if (status === 'ready' || status === 'connect' || status === 'connecting') await Promise.race([ended, limit]);
  } finally {
    clearTimeout(timer);
    conn.off('end', onEnd);
  }
}

/**
 * Resolves when `conn` is ready, rejects if it ended. (A producer cannot send before that.)
 * `cancel` removes the listeners, for when the caller stopped waiting.
 */
function ready(conn: Redis): { promise: Promise<void>; cancel: () => void } {
  if (conn.status === 'ready') return { promise: Promise.resolve(), cancel: () => {} };
  if (conn.status === 'end') return { promise: Promise.reject(new Error('the connection was closed')), cancel: () => {} };
  if (conn.status === 'wait') return { promise: conn.connect(), cancel: () => {} };
  let cancel = (): void => {};
  const promise = new Promise<void>((resolve, reject) => {
    const onReady = (): void => {
      cancel();
      resolve();
    };
    const onEnd = (): void => {
      cancel();
      reject(new Error('the connection was closed'));
    };
    cancel = () => {
      conn.off('ready', onReady);
      conn.off('end', onEnd);
    };
    conn.once('ready', onReady);
    conn.once('end', onEnd);
  });
  return { promise, cancel };
}

/** The last error each connection emitted (seen by checkRedis or logOutages): the cause to report. */
const lastErrors = new WeakMap<Redis, Error>();

function unreachable(conn: Redis, cause: unknown, doing?: string): RelayerError {
  const where = redisUrlOf(conn);
  const last = lastErrors.get(conn);
  const lastText = last === undefined || last === cause || last.message === errorMessage(cause) ? '' : ` (last connection error: ${last.message})`;
  const message = doing === undefined ? `Redis at ${where} does not answer: ${errorMessage(cause)}${lastText}` : `Redis at ${where} stopped answering while ${doing}: ${errorMessage(cause)}${lastText}`;
  return new RelayerError('REDIS_UNREACHABLE', message, { cause, details: { url: where, ...(last === undefined ? {} : { lastError: last.message }) } });
}

function errorFields(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: String(e) };
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, ...(code === undefined ? {} : { code }) };
}

/** The value in a CONFIG GET reply: `[name, value]` (RESP2 shape) or `{ name: value }` (RESP3 map). */
function configValue(reply: unknown, name: string): string | undefined {
  if (Array.isArray(reply)) return reply.length >= 2 ? String(reply[1]) : undefined;
  if (reply instanceof Map) return reply.has(name) ? String(reply.get(name)) : undefined;
  if (typeof reply === 'object' && reply !== null && name in reply) return String((reply as Record<string, unknown>)[name]);
  return undefined;
}

function infoField(info: string, field: string): string | undefined {
  const match = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return match?.[1]?.trim();
}

// ioredis exports ReplyError untyped; a reply error means Redis answered (and said no).
const ReplyErrorClass = ReplyError as new (...args: never[]) => Error;
function isReplyError(e: unknown): boolean {
  return e instanceof ReplyErrorClass;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
