/**
 * The relayer service of one process: connects to Redis (and refuses to start unless it is
 * `noeviction` and at least 6.2), loads both chains' adapters, opens the light clients, and runs
 * what this process is asked to run: the watchers and the sweeper (each under a lease: one process
 * of the deployment holds each), and the worker pools (every process may run them; jobs are shared
 * through Redis).
 *
 * Start-up either gives a running relayer or throws having closed what it opened; Redis going away
 * at any point of it is REDIS_UNREACHABLE. Once running, Redis outages and block stream errors are
 * logged at warn, at most once per `warnEveryMs` each while they last (LogThrottle).
 */
import { dirname } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { LedgerAdapter } from '../ledgers/adapter.js';
import { lockScriptPubKey } from '../ledgers/bitcoin/lock-script.js';
import { withCaching } from '../ledgers/decorators/caching.js';
import { loadAdapter, type AdapterHost } from '../ledgers/load-adapter.js';
import type { RelayerConfig } from '../config/index.js';
import { LightClient } from './chain/light-client.js';
import type { RelayerContext } from './context.js';
import { RelayerError } from './errors.js';
import { Governor } from './governor/governor.js';
import { createLogger } from './log.js';
import { KeyedLogThrottle, LogThrottle } from './log-throttle.js';
import { Pipeline } from './pipeline/pipeline.js';
import { startWorkers, type WorkerPool } from './pipeline/workers.js';
import { awaitReady, checkRedis, closeQuietly, createRedisConnection, logOutages, unreachableOr, type OutageLog } from './redis/connections.js';
import { Lease } from './redis/lease.js';
import { LocalSigner } from './signing/local-signer.js';
import type { FederationSigner } from './signing/signer.js';
import { ChainMarks } from './store/chain-marks.js';
import { Controls } from './store/controls.js';
import { Keys, type ChainRole } from './store/keys.js';
import { TransferStore } from './store/transfer-store.js';
import { sweep } from './watch/sweeper.js';
import { Watcher } from './watch/watcher.js';

export interface RelayerOptions {
  /** Run the watchers and the sweeper (under leases). [Default: true] */
  readonly watch?: boolean;
  /** Run the worker pools. [Default: true] */
  readonly work?: boolean;
  /** How often the sweeper runs; it queues transfers unchanged for 3 intervals. [Default: 10 s, or 8 poll intervals of the faster chain if shorter] */
  readonly sweepIntervalMs?: number;
  /** How long a lease lasts without renewal. [Default: 15 s] */
  readonly leaseTtlMs?: number;
  /**
   * While a Redis connection stays down, or a chain's block stream keeps failing, how often it is
   * logged again (the first error is logged at once). [Default: the config's log.repeatEveryMs]
   */
  readonly warnEveryMs?: number;
  readonly logger?: Logger;
  /** Adapters to use instead of loading the config's (tests wrap them, e.g. with a lying node). */
  readonly adapters?: Partial<Record<ChainRole, LedgerAdapter>>;
  readonly signer?: FederationSigner;
}

export interface Relayer {
  readonly ctx: RelayerContext;
  stop(): Promise<void>;
}

const ROLES: readonly ChainRole[] = ['main', 'side'];
/** Entries of each loaded adapter's cache (ledgers/decorators/caching.ts): headers, proofs and block scans. */
const ADAPTER_CACHE_ENTRIES = 10_000;

/**
 * The command connection, checked (REDIS_UNREACHABLE / REDIS_VERSION / REDIS_EVICTION_POLICY refuse
 * the start). With `log`, its outages are logged (logOutages) instead of printed by ioredis.
 */
export async function connectStore(config: RelayerConfig, log?: OutageLog, warnEveryMs?: number): Promise<{ redis: Redis; keys: Keys }> {
  const redis = createRedisConnection(config.redis.url, 'command', `${config.deployment}:command`);
  if (log !== undefined) logOutages(redis, log, warnEveryMs === undefined ? {} : { repeatEveryMs: warnEveryMs });
  try {
    await checkRedis(redis);
  } catch (e) {
    await closeQuietly(redis);
    throw e;
  }
  return { redis, keys: new Keys(config.redis.prefix, config.deployment) };
}

export async function startRelayer(config: RelayerConfig, options: RelayerOptions = {}): Promise<Relayer> {
  const log = options.logger ?? createLogger(config.log.level, { deployment: config.deployment });
  const warnEveryMs = options.warnEveryMs ?? config.log.repeatEveryMs;
  if (!Number.isSafeInteger(warnEveryMs) || warnEveryMs < 1) throw new RangeError(`options.warnEveryMs: expected a positive integer (ms), got ${String(warnEveryMs)}`);
  const { redis, keys } = await connectStore(config, log, warnEveryMs);
  const connection = (role: 'producer' | 'worker'): Redis => {
    const conn = createRedisConnection(config.redis.url, role, `${config.deployment}:${role}`);
    logOutages(conn, log, { repeatEveryMs: warnEveryMs });
    return conn;
  };
  const producer = connection('producer');
  const workerConn = connection('worker');
  const owned: LedgerAdapter[] = [];
  const adapters = {} as Record<ChainRole, LedgerAdapter>;
  const light = {} as Record<ChainRole, LightClient>;
  let ctx: RelayerContext;
  try {
    for (const role of ROLES) {
      const given = options.adapters?.[role];
      if (given !== undefined) adapters[role] = given;
      else {
        const host: AdapterHost = { onStreamError: streamErrorLog(log, role, warnEveryMs) };
        // the answers fixed by a block hash (headers, inclusion proofs, scans) are fetched once and
        // still verified at each use: sign re-proves what verify proved, outputs of one
        // transaction share one proof
        adapters[role] = withCaching(await loadAdapter({ module: config.chains[role].adapter, options: config.chains[role].options }, { baseDir: dirname(config.file), host }), { maxEntries: ADAPTER_CACHE_ENTRIES });
        owned.push(adapters[role]);
      }
    }
    if (!adapters.side.info.capabilities.pegInMints) {
      throw new RelayerError('CONFIG_INVALID', `chains.side: the adapter of ${adapters.side.info.chainId} does not accept peg-in mints (capabilities.pegInMints); use the side chain's adapter or profile`, { details: { path: 'chains.side.adapter' } });
    }
    // Redis may have gone since connectStore checked it: every Redis step of the start says so.
    for (const role of ROLES) {
      const anchor = config.chains[role].anchor;
      try {
        light[role] = await LightClient.open(adapters[role], { redis, redisKey: keys.headers(role), ...(anchor === undefined ? {} : { anchor }) });
      } catch (e) {
        throw unreachableOr(redis, e, `the relayer was starting (reading the saved header chain of ${role})`);
      }
    }
    // BullMQ sends on these as soon as it has them; a producer cannot send before it is ready.
    await Promise.all([producer, workerConn].map((c) => awaitReady(c)));
    const federation = config.federation.federation;
    ctx = {
      config,
      federation,
      lockScript: lockScriptPubKey(federation),
      adapters,
      light,
      redis,
      store: new TransferStore(redis, keys),
      controls: new Controls(redis, keys),
      governor: new Governor(redis, keys, config.limits),
      marks: new ChainMarks(redis, keys),
      signer: options.signer ?? new LocalSigner(federation, config.signing.privateKey, config.signing.keyIndex),
      pipeline: new Pipeline(producer, config),
      log,
    };
  } catch (e) {
    await Promise.all(owned.map((a) => a.close().catch(() => {})));
    await Promise.all([redis, producer, workerConn].map((c) => closeQuietly(c)));
    throw e;
  }
  // The producer's errors reach every Queue too, which BullMQ prints on stderr (console.error)
  // when nobody listens; logOutages on the producer already logs the outage at warn.
  for (const queue of ctx.pipeline.queues.values()) {
    queue.on('error', (e) => log.debug({ queue: queue.name, err: describe(e) }, 'queue error'));
  }

  const pool: WorkerPool | undefined = options.work === false ? undefined : startWorkers(ctx, workerConn);
  const leases: { stop(): Promise<void> }[] = [];
  if (options.watch !== false) {
    const ttlMs = options.leaseTtlMs ?? 15_000;
    for (const role of ROLES) {
      const lease = new Lease(redis, keys.lease(role), { ttlMs, onError: (e) => log.error({ chain: role, err: describe(e) }, 'watcher stopped by an error; competing for the lease again') });
      // while Redis or a node is away the same block fails at each delivery: each error once per warnEveryMs
      const notProcessed = new KeyedLogThrottle(warnEveryMs);
      const blockFailed = (e: unknown): void => {
        const err = describe(e);
        const skipped = notProcessed.hit(String(err['message']));
        if (skipped !== undefined) log.warn({ chain: role, err, ...(skipped > 0 ? { skipped } : {}) }, 'block not processed; it is delivered again');
      };
      leases.push(
        lease.run(
          (signal) => new Watcher(ctx, role, blockFailed).run(signal),
          (e) => log.warn({ chain: role, err: describe(e) }, 'watcher lease lost'),
        ),
      );
    }
    const fastest = Math.min(config.chains.main.pollIntervalMs, config.chains.side.pollIntervalMs);
    const every = options.sweepIntervalMs ?? Math.min(10_000, fastest * 8);
    const sweeperLease = new Lease(redis, keys.sweeperLease, { ttlMs, onError: (e) => log.error({ err: describe(e) }, 'sweeper stopped by an error') });
    leases.push(sweeperLease.run((signal) => sweepLoop(ctx, every, signal)));
  }
  log.info({ watch: options.watch !== false, work: pool !== undefined, main: adapters.main.info.chainId, side: adapters.side.info.chainId }, 'relayer started');

  let stopping: Promise<void> | undefined;
  return {
    ctx,
    stop(): Promise<void> {
      stopping ??= (async () => {
        log.info('relayer stopping');
        await Promise.all(leases.map((l) => l.stop()));
        await pool?.close(config.workers.shutdownTimeoutMs);
        await ctx.pipeline.close();
        await Promise.all(owned.map((a) => a.close()));
        await Promise.all([redis, producer, workerConn].map((c) => closeQuietly(c)));
        log.info('relayer stopped');
      })();
      return stopping;
    },
  };
}

/**
 * The sink given to a loaded adapter for its block stream errors (AdapterHost.onStreamError):
 * each at warn with the chain role, at most one per `everyMs` (with the count skipped since the
 * last one); the stream retries by itself.
 */
function streamErrorLog(log: Logger, role: ChainRole, everyMs: number): (e: unknown) => void {
  const throttle = new LogThrottle(everyMs);
  return (e) => {
    const skipped = throttle.hit();
    if (skipped === undefined) return;
    log.warn({ chain: role, err: describe(e), ...(skipped > 0 ? { skipped } : {}) }, 'block stream error; the adapter retries by itself');
  };
}

async function sweepLoop(ctx: RelayerContext, everyMs: number, signal: AbortSignal): Promise<void> {
  let first = true;
  while (!signal.aborted) {
    try {
      // at start everything (a crash may have left any transfer without its job), then the stale ones
      const r = await sweep(ctx, first ? 0 : everyMs * 3);
      first = false;
      if (r.released > 0 || r.rerun > 0) ctx.log.info(r, 'sweep');
    } catch (e) {
      ctx.log.warn({ err: describe(e) }, 'sweep failed; trying again');
    }
    await new Promise<void>((resolve) => {
      // the listener goes when the timer fires too: one left per sweep would pile up on the lease's signal
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, everyMs);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

function describe(e: unknown): Record<string, unknown> {
  if (e instanceof Error) return { name: e.name, message: e.message, ...((e as { code?: unknown }).code === undefined ? {} : { code: (e as { code?: unknown }).code }) };
  return { message: String(e) };
}
