/**
 * The whole bridge for end-to-end tests: two devnet node processes (mining only when the test
 * says), a private redis-server, and the relayer as real `utxo-relay start` child processes (so a
 * test can SIGKILL one), plus the user's wallets and a read view of the transfer store.
 *
 * Tests advance the chains with `mine` / `mineUntil` and wait for outcomes (never for time).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Redis } from 'ioredis';
import { parse, stringify } from 'yaml';
import { loadFederationFile } from '../../ledgers/bitcoin/federation-file.js';
import { lockScriptPubKey, type Federation } from '../../ledgers/bitcoin/lock-script.js';
import { stopNodeProcess } from '../../ledgers/devnet/node-process.js';
import { DevnetWallet } from '../../ledgers/devnet/wallet/devnet-wallet.js';
import { WalletFile } from '../../ledgers/devnet/wallet/wallet-file.js';
import { loadConfig, type RelayerConfig } from '../../config/index.js';
import { DEVNET_FEDERATION, startDevnetNodes, writeDevnetConfig, type DevnetConfigOverrides, type DevnetNodes } from '../../relayer/devnet/devnet-stack.js';
import { spawnRelayer, type RelayerProcess } from '../../relayer/devnet/relayer-process.js';
import { closeQuietly, createRedisConnection } from '../../relayer/redis/connections.js';
import { startRedisServer, type RedisServer } from '../../relayer/redis/redis-server.js';
import { Controls } from '../../relayer/store/controls.js';
import { Keys } from '../../relayer/store/keys.js';
import { TransferStore } from '../../relayer/store/transfer-store.js';
import type { Transfer, TransferId, TransferState } from '../../relayer/transfer.js';
import { eventually } from '../eventually.js';

export interface BridgeOptions extends DevnetConfigOverrides {
  /** Relayer processes to start at once. [Default: 1] */
  readonly relayers?: number;
  /** Confirmations the side node wants for a mint's lock. [Default: 1] */
  readonly pegConfirmations?: number;
  /**
   * Replaces a chain's adapter in the relayer's config (e.g. a lying node wrapping the bitcoind
   * adapter): given the chain's bitcoind adapter options, the module (an absolute path) and its options.
   */
  readonly adapters?: Partial<Record<'main' | 'side', (bitcoindOptions: Record<string, unknown>) => { module: string; options: unknown }>>;
}

export type { RelayerProcess };

export class Bridge {
  readonly relayers: RelayerProcess[] = [];
  private started = 0;

  private constructor(
    readonly nodes: DevnetNodes,
    readonly redisServer: RedisServer,
    readonly redis: Redis,
    readonly configPath: string,
    readonly config: RelayerConfig,
    readonly store: TransferStore,
    readonly controls: Controls,
    readonly federation: Federation,
    readonly mainWallet: DevnetWallet,
    readonly sideWallet: DevnetWallet,
    readonly walletFile: WalletFile,
  ) {}

  static async start(t: TestContext, options: BridgeOptions = {}): Promise<Bridge> {
    const nodes = await startDevnetNodes({ pegConfirmations: options.pegConfirmations ?? 1 });
    mkdirSync(join(nodes.dir, 'redis'), { recursive: true });
    const redisServer = await startRedisServer({ dir: join(nodes.dir, 'redis') }).catch(async (e: unknown) => {
      await nodes.stop();
      throw e;
    });
    const configPath = join(nodes.dir, 'relayer.yaml');
    const config = withAdapters(configPath, writeDevnetConfig(configPath, nodes, redisServer.url, options), nodes, options.adapters);
    const redis = createRedisConnection(redisServer.url, 'command', 'e2e-test');
    const keys = new Keys(config.redis.prefix, config.deployment);
    const walletFile = WalletFile.open(join(nodes.dir, 'wallet.json'));
    const bridge = new Bridge(
      nodes,
      redisServer,
      redis,
      configPath,
      config,
      new TransferStore(redis, keys),
      new Controls(redis, keys),
      loadFederationFile(DEVNET_FEDERATION),
      new DevnetWallet(walletFile, nodes.mainRpc, { feeRate: 2 }),
      new DevnetWallet(walletFile, nodes.sideRpc, { feeRate: 2 }),
      walletFile,
    );
    // one hook, in order: the relayers stop while Redis and the nodes still answer
    t.after(async () => {
      await bridge.stopRelayers();
      await closeQuietly(redis);
      await redisServer.kill();
      await nodes.stop();
    });
    for (let i = 0; i < (options.relayers ?? 1); i++) bridge.startRelayer();
    return bridge;
  }

  get lockScript(): Uint8Array {
    return lockScriptPubKey(this.federation);
  }

  /** Starts one more `utxo-relay start` process (extra args: e.g. --no-watch). */
  startRelayer(args: readonly string[] = []): RelayerProcess {
    mkdirSync(join(this.nodes.dir, 'logs'), { recursive: true });
    const logFile = join(this.nodes.dir, 'logs', `relayer-${this.started++}.log`);
    const r = spawnRelayer(this.configPath, logFile, args);
    this.relayers.push(r);
    return r;
  }

  /** SIGKILL (a crash: nothing is cleaned up). */
  async killRelayer(r: RelayerProcess): Promise<void> {
    r.child.kill('SIGKILL');
    await r.exited;
    this.relayers.splice(this.relayers.indexOf(r), 1);
  }

  async stopRelayers(): Promise<void> {
    await Promise.all(this.relayers.map((r) => stopNodeProcess(r.child, 20_000)));
    this.relayers.length = 0;
  }

  /** The relayers' logs so far (for a failing assertion's message). */
  logs(): string {
    return this.relayers.map((r) => readFileSync(r.logFile, 'utf8')).join('\n').slice(-20_000);
  }

  async mine(role: 'main' | 'side', blocks = 1): Promise<void> {
    const rpc = role === 'main' ? this.nodes.mainRpc : this.nodes.sideRpc;
    const address = await (role === 'main' ? this.mainWallet : this.sideWallet).address(this.walletFile.primaryKey());
    await rpc.call('generatetoaddress', [blocks, address]);
  }

  /** Mines a block on each chain every `intervalMs` until `check` passes (returns its value). */
  async mineUntil<T>(check: () => T | Promise<T>, options: { timeoutMs?: number; intervalMs?: number; what?: string; roles?: readonly ('main' | 'side')[] } = {}): Promise<T> {
    const roles = options.roles ?? ['main', 'side'];
    let last = 0;
    return eventually(
      async () => {
        if (Date.now() - last >= (options.intervalMs ?? 400)) {
          last = Date.now();
          for (const r of roles) await this.mine(r);
        }
        return check();
      },
      { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 100, what: options.what ?? 'bridge outcome' },
    );
  }

  /** Funds the main wallet with `blocks` mature coinbases (101 blocks per coinbase spendable). */
  async fundMain(blocks = 1): Promise<void> {
    await this.mine('main', 100 + blocks);
  }

  async transfer(id: TransferId): Promise<Transfer | undefined> {
    return this.store.get(id);
  }

  /** Mines until every id is in `state`; fails early when one reaches a state in `failOn`. */
  async untilState(ids: readonly TransferId[], state: TransferState, options: { timeoutMs?: number; failOn?: readonly TransferState[] } = {}): Promise<Transfer[]> {
    const failOn = options.failOn ?? (state === 'completed' ? ['rejected', 'held'] : []);
    return this.mineUntil(
      async () => {
        const all = await Promise.all(ids.map((id) => this.store.get(id)));
        const bad = all.find((t) => t !== undefined && failOn.includes(t.state));
        if (bad !== undefined) throw Object.assign(new Error(`${bad.id} is ${bad.state}: ${bad.reason?.code} ${bad.reason?.message}`), { fatal: true });
        const waiting = all.filter((t) => t?.state !== state);
        if (waiting.length > 0) throw new Error(`${waiting.length} of ${ids.length} not ${state} (e.g. ${waiting[0]?.id ?? 'unseen'}: ${waiting[0]?.state ?? 'not seen'})`);
        return all as Transfer[];
      },
      { timeoutMs: options.timeoutMs ?? 90_000, what: `${ids.length} transfer(s) ${state}` },
    );
  }
}

/** The config at `path` with the adapters of BridgeOptions.adapters in place of the bitcoind adapter. */
function withAdapters(path: string, config: RelayerConfig, nodes: DevnetNodes, adapters: BridgeOptions['adapters']): RelayerConfig {
  if (adapters === undefined) return config;
  const doc = parse(readFileSync(path, 'utf8')) as { chains: Record<'main' | 'side', Record<string, unknown>> };
  for (const role of ['main', 'side'] as const) {
    const make = adapters[role];
    if (make === undefined) continue;
    const { module, options } = make(nodes.adapterOptions(role));
    doc.chains[role] = { ...doc.chains[role], adapter: module, options };
  }
  writeFileSync(path, stringify(doc));
  return loadConfig(path);
}
