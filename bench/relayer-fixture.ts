/**
 * Helpers of the relayer benchmark (bench/relayer.ts).
 *
 * BenchBase lives for the whole suite: the main devnet node (mining only on request), a private
 * redis-server, the funder's matured coinbases (one per measurement) and a pool of BullMQ no-op
 * worker child processes. Each measurement (BenchStack) gets a fresh side node (so its mempool
 * holds only this measurement's mints), a deployment name of its own (fresh Redis keys, queues,
 * cursors) whose main watcher starts above the blocks of earlier measurements, and fresh
 * `utxo-relay start` processes.
 *
 * Many locks are built cheaply: a fan-out of one coinbase, then lock transactions of up to 100
 * lock outputs and one UBR1 0x01 memo each (every lock output is its own transfer), sent with
 * sendrawtransaction and mined into one block.
 *
 * Run as a script (`node --import tsx bench/relayer-fixture.ts noop-worker <redis url> <prefix>`)
 * it is a no-op worker child, driven by lines on stdin: `prepare <queue> <concurrency>`, `go`,
 * `close`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { scriptPubKeyToAddress } from '../ledgers/bitcoin/address.js';
import { loadFederationFile } from '../ledgers/bitcoin/federation-file.js';
import { lockScriptPubKey } from '../ledgers/bitcoin/lock-script.js';
import { JsonRpcClient } from '../ledgers/rpc/json-rpc-client.js';
import { spawnDevnetNode, stopNodeProcess, type NodeProcess } from '../ledgers/devnet/node-process.js';
import { Wallet } from '../ledgers/devnet/test-utils.js';
import { bytesToHex, displayToHash } from '../proofs/bytes.js';
import { encodeMemo } from '../proofs/bitcoin/memo.js';
import type { TxOutput } from '../proofs/bitcoin/transaction.js';
import { loadConfig, type RelayerConfig } from '../config/index.js';
import { DEVNET_CONFIG, DEVNET_FEDERATION, writeDevnetConfig, type DevnetNodes } from '../relayer/devnet/devnet-stack.js';
import { spawnRelayer, type RelayerProcess } from '../relayer/devnet/relayer-process.js';
import { closeQuietly, createRedisConnection } from '../relayer/redis/connections.js';
import { startRedisServer, type RedisServer } from '../relayer/redis/redis-server.js';
import { Keys } from '../relayer/store/keys.js';
import { TransferStore } from '../relayer/store/transfer-store.js';
import { transferIdOf, type TransferId } from '../relayer/transfer.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const FIXTURE = fileURLToPath(import.meta.url);

/** Value of each lock output (base units). */
export const LOCK_VALUE = 100_000n;
/** Lock outputs per lock transaction (each its own transfer; the transaction has one memo). */
export const LOCKS_PER_TX = 100;
/**
 * The bridge's mint fee in the benchmark config: a mint carries its whole 100-output lock
 * transaction (about 1.3 kvB), so devnet.yaml's 1,000 would miss the side node's 1 unit/vB.
 */
export const MINT_FEE = 10_000n;
const TX_FEE = 10_000n;
const CLOCK_TICKS = 100;

/** Polls `check` every `intervalMs` until it returns a value other than undefined; throws `what()` at the deadline. */
export async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: () => string, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s: ${what()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** CPU seconds (user + system) a process used so far, from /proc (Linux); undefined elsewhere or when it is gone. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // after "pid (comm) ": field 3 (state) is index 0, so utime (14) is 11 and stime (15) is 12
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

export interface NoopResult {
  readonly jobsPerSec: number;
  /** CPU of the worker processes per job (ms; 0 where /proc is missing). */
  readonly workerCpuMsPerJob: number;
  readonly redisCpuMsPerJob: number;
}

/** One line-protocol child (a no-op worker). */
interface NoopChild {
  readonly child: ChildProcess;
  next(): Promise<string>;
  send(line: string): void;
}

/** What lives for the whole suite: the main node, Redis, the funds, the no-op worker pool. */
export class BenchBase {
  private readonly funder = Wallet.of('bench-relayer-funder');
  private nextCoinbase = 1;
  private readonly noop: NoopChild[] = [];
  private readonly stacks = new Set<BenchStack>();
  private keepDir = false;

  private constructor(
    readonly dir: string,
    readonly main: NodeProcess,
    readonly mainRpc: JsonRpcClient,
    readonly redisServer: RedisServer,
  ) {}

  /** Starts the main node and Redis and matures `coinbases` coinbases of 50 coins for the funder. */
  static async start(coinbases: number): Promise<BenchBase> {
    const dir = mkdtempSync(join(tmpdir(), 'utxo-relay-bench-'));
    const main = await spawnDevnetNode(['--role', 'main', '--rpc-port', '0', '--ws-port', '0', '--datadir', join(dir, 'main')]);
    mkdirSync(join(dir, 'redis'), { recursive: true });
    let redisServer: RedisServer;
    try {
      redisServer = await startRedisServer({ dir: join(dir, 'redis') });
    } catch (e) {
      await stopNodeProcess(main.child);
      throw e;
    }
    // every child process adds an exit listener (to reap it if this process dies)
    process.setMaxListeners(Math.max(process.getMaxListeners(), 50));
    const base = new BenchBase(dir, main, new JsonRpcClient({ url: main.line.rpc, cookieFile: main.line.cookie! }), redisServer);
    await base.mainRpc.call('generatetoaddress', [coinbases, scriptPubKeyToAddress('udm', base.funder.script)!]);
    await base.mineMain(100);
    return base;
  }

  /** Mines `blocks` main blocks (to a burner key); returns the new tip's hash. */
  async mineMain(blocks = 1): Promise<string> {
    const hashes = await this.mainRpc.call<string[]>('generatetoaddress', [blocks, scriptPubKeyToAddress('udm', Wallet.of('bench-relayer-burner').script)!]);
    return hashes[hashes.length - 1]!;
  }

  /** A fresh side node, a fresh deployment (its main watcher starting above the current tip), no relayer yet. */
  async stack(deployment: string, sections: Readonly<Record<string, unknown>>): Promise<BenchStack> {
    const dir = mkdtempSync(join(this.dir, `${deployment}-`));
    const side = await spawnDevnetNode([
      '--role', 'side', '--rpc-port', '0', '--ws-port', '0', '--datadir', join(dir, 'side'),
      '--federation', DEVNET_FEDERATION, '--main-rpc', this.main.line.rpc, '--main-rpc-cookie', this.main.line.cookie!,
      '--peg-confirmations', '1',
    ]);
    const main = this.main;
    try {
      const mainTip = await this.mainRpc.call<number>('getblockcount');
      const nodes: DevnetNodes = {
        dir,
        main,
        side,
        mainRpc: this.mainRpc,
        sideRpc: new JsonRpcClient({ url: side.line.rpc, cookieFile: side.line.cookie! }),
        adapterOptions(role) {
          const n = role === 'main' ? main : side;
          return { profile: `devnet-${role}`, endpoints: [{ url: n.line.rpc, cookieFile: n.line.cookie! }], websocketUrl: n.line.ws, pollIntervalMs: 250, feeRate: { floor: 1, cap: 500 } };
        },
        stop: () => stopNodeProcess(side.child).then(() => undefined),
      };
      const devnet = loadConfig(DEVNET_CONFIG);
      const chain = (role: 'main' | 'side', startHeight: number): Record<string, unknown> => ({
        adapter: devnet.chains[role].adapter,
        options: nodes.adapterOptions(role),
        confirmations: devnet.chains[role].confirmations,
        startHeight,
        pollIntervalMs: devnet.chains[role].pollIntervalMs,
      });
      const configPath = join(dir, 'relayer.yaml');
      const config = writeDevnetConfig(configPath, nodes, this.redisServer.url, {
        deployment,
        sections: { chains: { main: chain('main', mainTip + 1), side: chain('side', 0) }, ...sections },
      });
      const redis = createRedisConnection(this.redisServer.url, 'command', 'bench');
      const stack = new BenchStack(this, dir, nodes, redis, configPath, config, new TransferStore(redis, new Keys(config.redis.prefix, config.deployment)));
      this.stacks.add(stack);
      return stack;
    } catch (e) {
      await stopNodeProcess(side.child);
      throw e;
    }
  }

  /** A measurement is done with; `kept`: its folder (logs) must survive the suite. */
  forget(stack: BenchStack, kept: boolean): void {
    this.stacks.delete(stack);
    if (kept) this.keepDir = true;
  }

  /** The next unspent matured coinbase of the funder (block 1, 2, ...: one per measurement). */
  async takeCoinbase(): Promise<{ txidLE: Uint8Array; vout: number; output: TxOutput }> {
    const height = this.nextCoinbase++;
    const txid = (await this.mainRpc.call<{ tx: string[] }>('getblock', [await this.mainRpc.call<string>('getblockhash', [height]), 1])).tx[0]!;
    const out = await this.mainRpc.call<{ value: number; confirmations: number } | null>('gettxout', [txid, 0]);
    if (out === null || out.confirmations < 101) throw new Error(`the funder's coinbase of block ${height} is spent, missing or immature: start BenchBase with more coinbases`);
    return { txidLE: displayToHash(txid), vout: 0, output: { value: BigInt(Math.round(out.value * 1e8)), scriptPubKey: this.funder.script } };
  }

  fundingWallet(): Wallet {
    return this.funder;
  }

  /**
   * BullMQ's own rate on this Redis: `n` no-op jobs shaped like the relayer's (custom job id,
   * attempts, removeOnComplete by age) added with addBulk to a fresh queue; then `processes`
   * worker children (one Worker of `concurrency` each, already connected) are told to run
   * together; jobs/s from that signal until the queue's completed count is `n`, and the CPU the
   * workers and Redis used meanwhile.
   */
  async noopJobs(prefix: string, n: number, processes: number, concurrency: number): Promise<NoopResult> {
    while (this.noop.length < processes) this.noop.push(spawnNoopChild(this.redisServer.url, prefix));
    const children = this.noop.slice(0, processes);
    const queueName = `bench-noop-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const producer = createRedisConnection(this.redisServer.url, 'producer', 'bench-noop-producer');
    const queue = new Queue(queueName, { connection: producer, prefix });
    try {
      const opts = { attempts: 12, removeOnComplete: { age: 86_400 }, removeOnFail: false };
      for (let i = 0; i < n; i += 500) {
        await queue.addBulk(Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ name: 'noop', data: { id: `in-${String(i + j).padStart(64, '0')}-0`, generation: 0 }, opts: { ...opts, jobId: `noop-${i + j}-g0` } })));
      }
      for (const c of children) c.send(`prepare ${queueName} ${concurrency}`);
      for (const c of children) await expectLine(c, 'ready');
      const cpu = (): number => children.reduce((sum, c) => sum + (cpuSecondsOf(c.child.pid) ?? 0), 0);
      const workers0 = cpu();
      const redis0 = cpuSecondsOf(this.redisServer.pid()) ?? 0;
      const start = process.hrtime.bigint();
      for (const c of children) c.send('go');
      await until(async () => ((await queue.getCompletedCount()) >= n ? true : undefined), 120_000, () => `${n} no-op jobs not all completed`, 10);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const result = { jobsPerSec: n / seconds, workerCpuMsPerJob: ((cpu() - workers0) * 1000) / n, redisCpuMsPerJob: (((cpuSecondsOf(this.redisServer.pid()) ?? 0) - redis0) * 1000) / n };
      for (const c of children) c.send('close');
      for (const c of children) await expectLine(c, 'closed');
      return result;
    } finally {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await closeQuietly(producer);
    }
  }

  /** Stops everything started by the suite (measurements still running first). */
  async stop(): Promise<void> {
    for (const s of [...this.stacks]) await s.stop(true);
    await Promise.all(this.noop.map((c) => stopNodeProcess(c.child, 5_000)));
    await this.redisServer.kill();
    await stopNodeProcess(this.main.child);
    if (!this.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

function spawnNoopChild(redisUrl: string, prefix: string): NoopChild {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, 'noop-worker', redisUrl, prefix], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  const reap = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-4000);
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const w = waiting.shift();
    if (w !== undefined) w(line);
    else lines.push(line);
  });
  const exited = new Promise<string>((res) => child.once('exit', (code) => res(`no-op worker exited with ${String(code)}: ${err}`)));
  return {
    child,
    next: () => {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      return Promise.race([new Promise<string>((res) => waiting.push(res)), exited.then((m) => Promise.reject(new Error(m)))]);
    },
    send: (line) => {
      child.stdin!.write(`${line}\n`);
    },
  };
}

async function expectLine(c: NoopChild, want: string): Promise<void> {
  const line = await c.next();
  if (line !== want) throw new Error(`no-op worker said ${JSON.stringify(line)}, expected ${want}`);
}

/** One measurement's bridge: the shared main node and Redis, its own side node, deployment and relayers. */
export class BenchStack {
  readonly relayers: RelayerProcess[] = [];
  private stopped = false;

  constructor(
    readonly base: BenchBase,
    readonly dir: string,
    readonly nodes: DevnetNodes,
    readonly redis: Redis,
    readonly configPath: string,
    readonly config: RelayerConfig,
    readonly store: TransferStore,
  ) {}

  /**
   * Starts `utxo-relay start` (extra args: --no-watch) and resolves once it logged `relayer
   * started`. RELAYER_BENCH_PROFILE_DIR: each relayer writes a V8 CPU profile there at exit.
   */
  async startRelayer(args: readonly string[] = []): Promise<RelayerProcess> {
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
    const logFile = join(this.dir, 'logs', `relayer-${this.relayers.length}.log`);
    const profileDir = process.env['RELAYER_BENCH_PROFILE_DIR'];
    const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
    const proc = spawnRelayer(this.configPath, logFile, args, nodeArgs);
    const child = proc.child;
    this.relayers.push(proc);
    let seen = '';
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`relayer ${logFile} did not log "relayer started" within 120 s:\n${seen.slice(-4000)}`)), 120_000);
      const onData = (c: Buffer): void => {
        seen = (seen + c.toString()).slice(-20_000);
        if (seen.includes('"msg":"relayer started"')) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          res();
        }
      };
      child.stdout!.on('data', onData);
      void proc.exited.then((code) => {
        clearTimeout(timer);
        rej(new Error(`relayer exited with ${String(code)} before it started:\n${seen.slice(-4000)}`));
      });
    });
    return proc;
  }

  /**
   * Sends a fan-out of one coinbase and lock transactions holding `n` lock outputs in all (at
   * most LOCKS_PER_TX per transaction, one memo each); returns the transfer ids. Not mined.
   */
  async sendLocks(n: number): Promise<{ ids: TransferId[]; transactions: number }> {
    const funder = this.base.fundingWallet();
    const coinbase = await this.base.takeCoinbase();
    const lockScript = lockScriptPubKey(loadFederationFile(DEVNET_FEDERATION));
    const memo = encodeMemo({ kind: 'lock', destinationScript: Wallet.of('bench-relayer-destination').script });
    const sizes: number[] = [];
    for (let left = n; left > 0; left -= LOCKS_PER_TX) sizes.push(Math.min(LOCKS_PER_TX, left));
    const fanOutputs: TxOutput[] = sizes.map((k) => ({ value: BigInt(k) * LOCK_VALUE + TX_FEE, scriptPubKey: funder.script }));
    const spent = fanOutputs.reduce((s, o) => s + o.value, 0n) + TX_FEE;
    if (spent > coinbase.output.value) throw new Error(`${n} locks need ${spent} base units, a coinbase holds ${coinbase.output.value}`);
    if (coinbase.output.value - spent > 1_000n) fanOutputs.push({ value: coinbase.output.value - spent, scriptPubKey: funder.script });
    const fan = funder.spend([coinbase], fanOutputs);
    const raws = [bytesToHex(fan.bytes)];
    const ids: TransferId[] = [];
    sizes.forEach((k, i) => {
      const outputs: TxOutput[] = Array.from({ length: k }, () => ({ value: LOCK_VALUE, scriptPubKey: lockScript }));
      outputs.push({ value: 0n, scriptPubKey: memo });
      const lock = funder.spend([{ txidLE: fan.txidLE, vout: i, output: fan.tx.outputs[i]! }], outputs);
      for (let vout = 0; vout < k; vout++) ids.push(transferIdOf('pegin', lock.txidLE, vout));
      raws.push(bytesToHex(lock.bytes));
    });
    for (const raw of raws) await this.nodes.mainRpc.call('sendrawtransaction', [raw]);
    return { ids, transactions: raws.length };
  }

  /** CPU seconds used so far by each process of this bridge (Linux /proc; {} elsewhere). */
  cpuSeconds(): Record<string, number> {
    const pids: [string, number | undefined][] = [
      ['main node', this.nodes.main.child.pid],
      ['side node', this.nodes.side.child.pid],
      ['redis', this.base.redisServer.pid()],
      ...this.relayers.map((r, i): [string, number | undefined] => [`relayer ${i}`, r.child.pid]),
    ];
    const out: Record<string, number> = {};
    for (const [name, pid] of pids) {
      const v = cpuSecondsOf(pid);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  logs(): string {
    return this.relayers.map((r) => readFileSync(r.logFile, 'utf8')).join('\n');
  }

  /** Stops the relayers (while Redis and the nodes still answer), then the side node; removes the folder unless `keep`. */
  async stop(keep = false): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.base.forget(this, keep);
    await Promise.all(this.relayers.map((r) => stopNodeProcess(r.child, 20_000)));
    await closeQuietly(this.redis);
    await this.nodes.stop();
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The no-op worker child. */
async function noopWorkerMain(args: readonly string[]): Promise<void> {
  const [url, prefix] = args as [string, string];
  const connection = createRedisConnection(url, 'worker', 'bench-noop-worker');
  let worker: Worker | undefined;
  const say = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, queueName, concurrency] = line.split(' ');
    if (cmd === 'prepare') {
      worker = new Worker(queueName!, async () => 'done', { connection, prefix, concurrency: Number(concurrency), autorun: false });
      await worker.waitUntilReady();
      say('ready');
    } else if (cmd === 'go') {
      void worker?.run();
    } else if (cmd === 'close') {
      await worker?.close();
      worker = undefined;
      say('closed');
    }
  }
  await worker?.close(true);
  await closeQuietly(connection);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === FIXTURE && process.argv[2] === 'noop-worker') {
  process.once('SIGTERM', () => process.exit(0));
  await noopWorkerMain(process.argv.slice(3));
}
