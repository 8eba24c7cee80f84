/**
 * A devnet node process's parts, wired: the chain (DevnetChain), the JSON-RPC server, the websocket
 * notifier, the optional mining timer and, in the side role, the follower of the main chain whose
 * HeaderChain the side chain verifies mints against. `startDevnetNode` starts them in this order:
 *
 * 1. RPC credentials (the operator's, or a fresh `.cookie` in the data directory, or in a private
 *    temporary directory without one) and the RPC server, answering RPC_IN_WARMUP (-28) until the
 *    chain is ready;
 * 2. side role: the main chain's headers (restored from `<datadir>/main-headers.dat`, then synced
 *    from `--main-rpc`; replaying stored mints needs them);
 * 3. the chain (replaying `<datadir>/blocks.dat`), then the RPC serves it;
 * 4. the notifier, the follower's polling, the mining timer.
 *
 * `close()` stops them in reverse and removes the cookie it wrote.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeaderChain } from '../../proofs/bitcoin/header-chain.js';
import { addressToScriptPubKey, encodeSegwitAddress } from '../bitcoin/address.js';
import type { Federation } from '../bitcoin/lock-script.js';
import { generatePrivateKey, hash160, publicKeyCompressed } from '../bitcoin/signatures.js';
import { hashToDisplay } from '../../proofs/bytes.js';
import { DevnetChain } from './chain/devnet-chain.js';
import type { ChainApi, DevnetRole } from './chain-api.js';
import { MainChainFollower } from './follower/main-follower.js';
import { JsonRpcClient, type RpcEndpoint } from '../rpc/json-rpc-client.js';
import { silentLog, type DevnetLog } from './log.js';
import { DEVNET_MAIN, devnetNetwork } from './params.js';
import { removeCookie, writeCookie, type RpcCredentials } from './rpc/auth.js';
import { createDispatch, type NodeState } from './rpc/methods/index.js';
import { startRpcServer, type RpcServer } from './rpc/server.js';
import { startNotifier, type Notifier } from './ws/notifier.js';

/** The file in the data directory where a side node keeps the main chain's headers. */
export const MAIN_HEADERS_FILE = 'main-headers.dat';

export interface DevnetNodeOptions {
  /** [Required] */
  readonly role: DevnetRole;
  /** 0 picks a free port. [Required] */
  readonly rpcPort: number;
  /** 0 picks a free port. [Required] */
  readonly wsPort: number;
  /** Interface both servers listen on. [Default: 127.0.0.1] */
  readonly host?: string;
  /** blocks.dat, invalidated.json, main-headers.dat and the cookie; memory only without it. [Default: none] */
  readonly datadir?: string;
  /** Basic-auth credentials; a cookie file is written when absent. [Default: cookie] */
  readonly rpcCredentials?: RpcCredentials;
  /** [Required in the side role] */
  readonly federation?: Federation;
  /** The main node to follow. [Required in the side role] */
  readonly mainRpc?: RpcEndpoint;
  /** Between two polls of the main node. [Default: 1000 ms] */
  readonly mainPollIntervalMs?: number;
  /** How long the start waits for the main node to answer before going on with the headers it has. [Default: 30000 ms] */
  readonly mainSyncTimeoutMs?: number;
  /** Mine one block every this many seconds. [Default: no timer] */
  readonly mineIntervalSeconds?: number;
  /** Coinbase address of the timer's blocks. [Default: a fresh key's P2WPKH whose key is not kept] */
  readonly mineAddress?: string;
  /** [Default: 100] */
  readonly coinbaseMaturity?: number;
  /** [Default: 1] */
  readonly pegConfirmations?: number;
  readonly log?: DevnetLog;
}

export interface DevnetNodeHandle {
  readonly role: DevnetRole;
  /** `http://127.0.0.1:<port>/` */
  readonly rpcUrl: string;
  /** `ws://127.0.0.1:<port>/` */
  readonly wsUrl: string;
  /** The cookie file, when the RPC uses cookie authentication. */
  readonly cookieFile: string | undefined;
  /** The timer's coinbase address, when mining on a timer. */
  readonly mineAddress: string | undefined;
  readonly chain: ChainApi;
  /** The side node's HeaderChain of the main chain. */
  readonly mainHeaders: HeaderChain | undefined;
  /** Stops everything; idempotent. */
  close(): Promise<void>;
}

export async function startDevnetNode(options: DevnetNodeOptions): Promise<DevnetNodeHandle> {
  const log = options.log ?? silentLog;
  const role = options.role;
  if (role !== 'main' && role !== 'side') throw new TypeError(`role: expected 'main' or 'side', got ${JSON.stringify(role)}`);
  if (role === 'side' && (options.federation === undefined || options.mainRpc === undefined)) {
    throw new TypeError('side role: federation and mainRpc are required');
  }
  const hrp = devnetNetwork(role).hrp;
  const mineScript = options.mineAddress === undefined ? undefined : addressToScriptPubKey(hrp, options.mineAddress);
  if (options.datadir !== undefined) mkdirSync(options.datadir, { recursive: true });

  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (e) {
        log('error', 'node.close-failed', { message: e instanceof Error ? e.message : String(e) });
      }
    }
  };

  try {
    // 1. credentials and the RPC server (warming up)
    let credentials = options.rpcCredentials;
    let cookieFile: string | undefined;
    if (credentials === undefined) {
      let dir = options.datadir;
      if (dir === undefined) {
        const tmp = await mkdtemp(join(tmpdir(), 'utxo-relay-devnet-'));
        cleanups.push(() => rm(tmp, { recursive: true, force: true }));
        dir = tmp;
      }
      const cookie = await writeCookie(dir);
      cleanups.push(() => removeCookie(cookie.path));
      credentials = cookie.credentials;
      cookieFile = cookie.path;
      log('info', 'rpc.cookie', { path: cookie.path });
    }
    let state: NodeState = { kind: 'warmup', message: 'Loading block index...' };
    const rpc: RpcServer = await startRpcServer({
      ...(options.host === undefined ? {} : { host: options.host }),
      port: options.rpcPort,
      credentials,
      dispatch: createDispatch(role, () => state),
      log,
    });
    cleanups.push(() => rpc.close());

    // 2. side role: the main chain's headers
    let mainHeaders: HeaderChain | undefined;
    let follower: MainChainFollower | undefined;
    if (role === 'side') {
      const headersFile = options.datadir === undefined ? undefined : join(options.datadir, MAIN_HEADERS_FILE);
      mainHeaders = loadMainHeaders(headersFile, log);
      const client = new JsonRpcClient(options.mainRpc!);
      const headers = mainHeaders;
      follower = new MainChainFollower({
        client,
        headers,
        ...(options.mainPollIntervalMs === undefined ? {} : { intervalMs: options.mainPollIntervalMs }),
        log,
        onHeaders: () => {
          if (headersFile !== undefined) saveMainHeaders(headersFile, headers);
        },
      });
      state = { kind: 'warmup', message: `Following the main chain at ${client.displayUrl}...` };
      await firstSync(follower, options.mainSyncTimeoutMs ?? 30_000, log);
    }

    // 3. the chain
    state = { kind: 'warmup', message: 'Loading block index...' };
    const chain = DevnetChain.create({
      role,
      ...(options.federation === undefined ? {} : { federation: options.federation }),
      ...(mainHeaders === undefined ? {} : { mainChain: mainHeaders }),
      ...(options.pegConfirmations === undefined ? {} : { pegConfirmations: options.pegConfirmations }),
      ...(options.coinbaseMaturity === undefined ? {} : { coinbaseMaturity: options.coinbaseMaturity }),
      ...(options.datadir === undefined ? {} : { datadir: options.datadir }),
      onListenerError: (error, event) => log('error', 'chain.listener-failed', { event, message: error instanceof Error ? error.message : String(error) }),
    });
    cleanups.push(() => chain.close());
    state = { kind: 'ready', chain, startedAt: Math.floor(Date.now() / 1000) };
    log('info', 'chain.ready', { role, height: chain.tip().height, tip: hashToDisplay(chain.tip().hashLE) });

    // 4. notifier, follower polling, mining timer
    const notifier: Notifier = await startNotifier({ ...(options.host === undefined ? {} : { host: options.host }), port: options.wsPort, events: chain, log });
    cleanups.push(() => notifier.close());
    if (follower !== undefined) {
      const f = follower;
      f.start();
      cleanups.push(() => f.stop());
    }
    let mineAddress: string | undefined;
    if (options.mineIntervalSeconds !== undefined) {
      let script = mineScript;
      mineAddress = options.mineAddress;
      if (script === undefined) {
        const pubkeyHash = hash160(publicKeyCompressed(generatePrivateKey()));
        mineAddress = encodeSegwitAddress(hrp, 0, pubkeyHash);
        script = addressToScriptPubKey(hrp, mineAddress);
        log('info', 'miner.burn-address', { address: mineAddress, note: 'fresh key, not kept: coins mined here are burned' });
      }
      const coinbaseScript = script;
      const timer = setInterval(() => {
        try {
          const [hash] = chain.generate(1, coinbaseScript);
          log('debug', 'miner.block', { hash: hash === undefined ? undefined : hashToDisplay(hash), height: chain.tip().height });
        } catch (e) {
          log('error', 'miner.failed', { message: e instanceof Error ? e.message : String(e) });
        }
      }, options.mineIntervalSeconds * 1000);
      cleanups.push(() => clearInterval(timer));
      log('info', 'miner.timer', { intervalSeconds: options.mineIntervalSeconds, address: mineAddress });
    }

    let closing: Promise<void> | undefined;
    return {
      role,
      rpcUrl: rpc.url,
      wsUrl: notifier.url,
      cookieFile,
      mineAddress,
      chain,
      mainHeaders,
      close: () => (closing ??= runCleanups()),
    };
  } catch (e) {
    await runCleanups();
    throw e;
  }
}

function loadMainHeaders(path: string | undefined, log: DevnetLog): HeaderChain {
  if (path !== undefined && existsSync(path)) {
    try {
      const chain = HeaderChain.restore(DEVNET_MAIN, readFileSync(path));
      log('info', 'main-follower.restored', { path, tipHeight: chain.tipHeight });
      return chain;
    } catch (e) {
      log('warn', 'main-follower.restore-failed', { path, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return HeaderChain.fromGenesis(DEVNET_MAIN);
}

function saveMainHeaders(path: string, headers: HeaderChain): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, headers.save());
  renameSync(tmp, path);
}

/** Retries the first sync until it succeeds or `timeoutMs` passes (then goes on, with a warning). */
async function firstSync(follower: MainChainFollower, timeoutMs: number, log: DevnetLog): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await follower.sync();
      return;
    } catch (e) {
      if (Date.now() >= deadline) {
        log('warn', 'main-follower.unreachable', { message: e instanceof Error ? e.message : String(e), note: 'starting with the main-chain headers held; mints that need newer ones are refused until the main node answers' });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
