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
 * Attach an `error` listener (a logger) to each connection: ioredis prints unhandled ones.
 */
import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { RelayerError } from '../errors.js';

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
  /** `redis_version` of INFO server. */
  readonly version: string;
  /** Always `noeviction` (anything else is refused). */
  readonly maxmemoryPolicy: string;
}

/**
 * The start-up check: Redis answers (else REDIS_UNREACHABLE, with the cause) and will never evict
 * keys (else REDIS_EVICTION_POLICY). Reads `CONFIG GET maxmemory-policy`, or INFO memory where
 * CONFIG is disabled (managed Redis). Waits for the connection to be ready, at most `timeoutMs`.
 */
export async function checkRedis(conn: Redis, options: { timeoutMs?: number } = {}): Promise<RedisCheck> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const where = describe(conn);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  const answer = <T>(p: Promise<T>): Promise<T> => Promise.race([p, expired]);
  const connected = ready(conn);
  try {
    try {
      await answer(connected.promise);
      await answer(conn.ping());
    } catch (cause) {
      throw unreachable(where, cause);
    }
    let version: string;
    let policy: string | undefined;
    try {
      version = infoField(await answer(conn.info('server')), 'redis_version') ?? 'unknown';
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
      throw unreachable(where, cause);
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
    clearTimeout(timer);
    connected.cancel();
  }
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

function unreachable(where: string, cause: unknown): RelayerError {
  return new RelayerError('REDIS_UNREACHABLE', `Redis at ${where} does not answer: ${errorMessage(cause)}`, { cause, details: { url: where } });
}

/** `host:port` of the connection (never the password). */
function describe(conn: Redis): string {
  const { host, port, path } = conn.options;
  return path ? String(path) : `${host ?? '127.0.0.1'}:${String(port ?? 6379)}`;
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
