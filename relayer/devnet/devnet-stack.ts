/**
 * The devnet bridge on one machine, for `npm start`, the end-to-end tests and the benchmark: two
 * devnet node processes (main, and side following main with the federation), a Redis (the one at
 * REDIS_URL when it answers, else a private `redis-server` on a free port), and the relayer config
 * of config/devnet.yaml pointed at them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadConfig, type RelayerConfig } from '../../config/index.js';
import { spawnDevnetNode, stopNodeProcess, type NodeProcess } from '../../ledgers/devnet/node-process.js';
import { JsonRpcClient } from '../../ledgers/rpc/json-rpc-client.js';
import { RelayerError } from '../errors.js';
import { checkRedis, closeQuietly, createRedisConnection } from '../redis/connections.js';
import { findRedis, startRedisServer, type RedisServer } from '../redis/redis-server.js';

export const DEVNET_CONFIG = fileURLToPath(new URL('../../config/devnet.yaml', import.meta.url));
export const DEVNET_FEDERATION = fileURLToPath(new URL('../../config/devnet-federation.json', import.meta.url));

export interface DevnetNodesOptions {
  /** Where the datadirs go. [Default: a fresh temporary folder] */
  readonly dir?: string;
  /** Seconds between mined blocks on both chains; undefined: mine only on request. */
  readonly mineIntervalSeconds?: number;
  /** Confirmations a lock needs on main before the side chain accepts its mint. [Default: 1] */
  readonly pegConfirmations?: number;
  readonly federationFile?: string;
}

export interface DevnetNodes {
  readonly dir: string;
  readonly main: NodeProcess;
  readonly side: NodeProcess;
  readonly mainRpc: JsonRpcClient;
  readonly sideRpc: JsonRpcClient;
  /** The bitcoind adapter's options for each chain (profile, endpoint with cookie, websocket). */
  adapterOptions(role: 'main' | 'side'): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startDevnetNodes(options: DevnetNodesOptions = {}): Promise<DevnetNodes> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'utxo-relay-devnet-'));
  const fed = resolve(options.federationFile ?? DEVNET_FEDERATION);
  const mine = options.mineIntervalSeconds === undefined ? [] : ['--mine-interval', String(options.mineIntervalSeconds)];
  const main = await spawnDevnetNode(['--role', 'main', '--rpc-port', '0', '--ws-port', '0', '--datadir', join(dir, 'main'), ...mine]);
  let side: NodeProcess;
  try {
    side = await spawnDevnetNode([
      '--role', 'side', '--rpc-port', '0', '--ws-port', '0', '--datadir', join(dir, 'side'),
      '--federation', fed, '--main-rpc', main.line.rpc, '--main-rpc-cookie', main.line.cookie!,
      '--peg-confirmations', String(options.pegConfirmations ?? 1), ...mine,
    ]);
  } catch (e) {
    await stopNodeProcess(main.child);
    throw e;
  }
  const client = (n: NodeProcess): JsonRpcClient => new JsonRpcClient({ url: n.line.rpc, cookieFile: n.line.cookie! });
  return {
    dir,
    main,
    side,
    mainRpc: client(main),
    sideRpc: client(side),
    adapterOptions(role) {
      const n = role === 'main' ? main : side;
      return { profile: `devnet-${role}`, endpoints: [{ url: n.line.rpc, cookieFile: n.line.cookie! }], websocketUrl: n.line.ws, pollIntervalMs: 250, feeRate: { floor: 1, cap: 500 } };
    },
    async stop() {
      await Promise.all([stopNodeProcess(side.child), stopNodeProcess(main.child)]);
    },
  };
}

/**
 * The Redis a devnet run uses: REDIS_URL (or 127.0.0.1:6379) when it answers and passes the
 * relayer's start-up check (it never evicts keys, and is recent enough), else a private
 * `redis-server` on a free port; `unused` says why the one at REDIS_URL was not taken.
 */
export async function devnetRedis(env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; server?: RedisServer; unused?: string }> {
  const url = env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  let unused = 'none answered';
  if (await findRedis(url)) {
    const conn = createRedisConnection(url, 'command', 'devnet-probe');
    conn.on('error', () => {}); // the check's answer says what went wrong
    try {
      await checkRedis(conn);
      return { url };
    } catch (e) {
      if (!(e instanceof RelayerError)) throw e;
      unused = `${e.code}: ${e.message}`;
    } finally {
      await closeQuietly(conn);
    }
  }
  const server = await startRedisServer();
  return { url: server.url, server, unused };
}

export interface DevnetConfigOverrides {
  readonly deployment?: string;
  /** Replaces whole top-level sections of the YAML (e.g. limits, workers, rbf). */
  readonly sections?: Readonly<Record<string, unknown>>;
  readonly confirmations?: { main?: number; side?: number };
}

/**
 * Writes a relayer config for these nodes and Redis (config/devnet.yaml with the chains' options,
 * the Redis URL and the overrides replaced) to `path`, and returns it loaded and checked.
 */
export function writeDevnetConfig(path: string, nodes: DevnetNodes, redisUrl: string, overrides: DevnetConfigOverrides = {}): RelayerConfig {
  const base = loadConfig(DEVNET_CONFIG);
  const keyFile = resolve(DEVNET_CONFIG, '..', 'devnet-operator.key');
  const chain = (role: 'main' | 'side') => ({
    adapter: base.chains[role].adapter,
    options: nodes.adapterOptions(role),
    confirmations: overrides.confirmations?.[role] ?? base.chains[role].confirmations,
    startHeight: 0,
    pollIntervalMs: base.chains[role].pollIntervalMs,
  });
  const doc: Record<string, unknown> = {
    deployment: overrides.deployment ?? base.deployment,
    redis: { url: redisUrl, prefix: base.redis.prefix },
    chains: { main: chain('main'), side: chain('side') },
    federation: { file: base.federation.file },
    signing: { keyFile },
    fees: { mint: Number(base.fees.mint), releaseTargetBlocks: base.fees.releaseTargetBlocks },
    limits: {
      dust: Number(base.limits.dust),
      pegin: limitsDoc(base.limits.pegin),
      pegout: limitsDoc(base.limits.pegout),
    },
    log: { level: base.log.level, repeatEveryMs: base.log.repeatEveryMs },
    ...overrides.sections,
  };
  writeFileSync(path, stringify(doc));
  return loadConfig(path);
}

function limitsDoc(l: RelayerConfig['limits']['pegin']): Record<string, string> {
  return {
    ...(l.maxPerTransfer === undefined ? {} : { maxPerTransfer: l.maxPerTransfer.toString() }),
    ...(l.dailyCap === undefined ? {} : { dailyCap: l.dailyCap.toString() }),
  };
}
