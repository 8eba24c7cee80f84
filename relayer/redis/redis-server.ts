/**
 * A private `redis-server` child process, for the tests and for `npm start` when no Redis answers
 * at `REDIS_URL` (DESIGN §6, §7). It listens on 127.0.0.1 only, keeps its data in its own
 * directory (AOF with `appendfsync everysec` by default, no RDB snapshots), runs with
 * `maxmemory-policy noeviction` unless told otherwise, and never outlives the process that
 * started it (it is killed on `process.on('exit')`; a temp dir this module created is removed then).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export interface RedisServerOptions {
  /** TCP port on 127.0.0.1. [Default: 0 = a free port, chosen again if taken at start] */
  readonly port?: number;
  /** Working directory (the AOF lives here). [Default: a fresh temp dir, removed when this process exits] */
  readonly dir?: string;
  /** AOF persistence with `appendfsync everysec`. [Default: true] */
  readonly appendonly?: boolean;
  /** [Default: 'noeviction'] */
  readonly maxmemoryPolicy?: string;
  /**
   * More command-line config, appended as given, e.g. `['--rename-command', 'CONFIG', '']` to act
   * like a managed Redis without CONFIG. [Default: none]
   */
  readonly extraArgs?: readonly string[];
  /** How long to wait until it answers PING. [Default: 10000 ms] */
  readonly startTimeoutMs?: number;
}

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** The pid of the running process, `undefined` when it is not running. */
  pid(): number | undefined;
  /** SIGTERM (Redis fsyncs the AOF and exits), SIGKILL after 10 s; resolves once it exited. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: what was written to the AOF survives); resolves once it exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir (stopping it first if it runs) and waits for PING. */
  restart(): Promise<void>;
  /** FLUSHALL. */
  flushAll(): Promise<void>;
}

const OUTPUT_KEPT = 8_000;
const STOP_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 5;

/** Whether a Redis answers PING (with PONG) at `url` within `timeoutMs`. */
export async function findRedis(url: string, timeoutMs = 1000): Promise<boolean> {
  return (await probe(url, timeoutMs, async (client) => (await client.ping()) === 'PONG')) === true;
}

/** Runs `ask` on a one-off connection to `url`; undefined if no answer within `timeoutMs`. */
async function probe<T>(url: string, timeoutMs: number, ask: (client: Redis) => Promise<T>): Promise<T | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    disableClientInfo: true,
    // ioredis arms a 2 s timer on disconnect() that a failed socket never clears: it would hold
    // the process that long for nothing.
    disconnectTimeout: 50,
  });
  client.on('error', () => {}); // the answer is the result
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const asking = (async (): Promise<T> => {
    await client.connect();
    return ask(client);
  })().catch(() => undefined);
  try {
    return await Promise.race([asking, deadline]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** Starts a private `redis-server` and resolves once it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = redisServerBinary();
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'utxo-relay-redis-')));
  if (ownDir) tempDirs.add(dir);
  installExitHook();
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const argsFor = (port: number): string[] => [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', options.appendonly === false ? 'no' : 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    '--maxmemory-policy', options.maxmemoryPolicy ?? 'noeviction',
    '--daemonize', 'no',
    ...(options.extraArgs ?? []),
  ];

  let child: ChildProcess | undefined;
  let port = options.port ?? 0;
  for (let attempt = 1; ; attempt++) {
    const tryPort = port === 0 ? await freePort() : port;
    const launched = await launch(bin, argsFor(tryPort), tryPort, timeoutMs);
    if (launched.ok) {
      child = launched.child;
      port = tryPort;
      break;
    }
    // Another process took the free port between our probe and the start: take another one.
    if (launched.addressInUse && (options.port ?? 0) === 0 && attempt < PORT_ATTEMPTS) continue;
    throw launched.error;
  }

  const url = `redis://127.0.0.1:${port}`;
  const args = argsFor(port);
  const running = (): ChildProcess | undefined => (child !== undefined && isRunning(child) ? child : undefined);
  const server: RedisServer = {
    url,
    port,
    dir,
    pid: () => running()?.pid,
    stop: async () => {
      const c = running();
      if (c) await terminate(c, 'SIGTERM');
    },
    kill: async () => {
      const c = running();
      if (c) await terminate(c, 'SIGKILL');
    },
    restart: async () => {
      await server.stop();
      const launched = await launch(bin, args, port, timeoutMs);
      if (!launched.ok) throw launched.error;
      child = launched.child;
    },
    flushAll: async () => {
      const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, disableClientInfo: true, disconnectTimeout: 50 });
      client.on('error', () => {}); // a failure rejects flushall() below
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
    },
  };
  return server;
}

type Launched = { ok: true; child: ChildProcess } | { ok: false; addressInUse: boolean; error: Error };

/** Spawns redis-server and waits until it answers PING, dies, or the deadline passes. */
async function launch(bin: string, args: readonly string[], port: number, timeoutMs: number): Promise<Launched> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  // The child and its pipes do not keep this process alive; stop(), kill() and the exit hook end it.
  child.unref();
  (child.stdout as Socket).unref();
  (child.stderr as Socket).unref();

  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError !== undefined || !isRunning(child)) {
      if (isRunning(child)) child.kill('SIGKILL');
      const how = spawnError ? spawnError.message : `exited with ${String(child.exitCode ?? child.signalCode)}`;
      return {
        ok: false,
        addressInUse: /address already in use/i.test(output),
        error: new Error(`redis-server on port ${port} ${how} before answering PING; its output:\n${output}`, { cause: spawnError }),
      };
    }
    // The answer must come from this child, not from another server that holds the port.
    // PING fails while it still loads the AOF.
    const pid = await probe(url, 500, async (client) => {
      if ((await client.ping()) !== 'PONG') return undefined;
      return Number(/^process_id:(\d+)/m.exec(await client.info('server'))?.[1]);
    });
    if (pid !== undefined && pid === child.pid) return { ok: true, child };
    if (Date.now() >= deadline) {
      await terminate(child, 'SIGKILL');
      return {
        ok: false,
        addressInUse: false,
        error: new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms; its output:\n${output}`),
      };
    }
    await sleep(50);
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends `signal` and resolves once the child exited (SIGKILL if SIGTERM is not enough in 10 s). */
function terminate(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    // A ref'd timer keeps this process alive while it waits for the (unref'd) child to exit.
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** A port that was free on 127.0.0.1 a moment ago (nothing listens there, unless someone took it since). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

/** The `redis-server` on PATH, or an Error that says how to install it. */
function redisServerBinary(): string {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, 'redis-server');
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error('redis-server is not on PATH: install it (Debian/Ubuntu: `apt-get install redis-server`) or set REDIS_URL to a running Redis');
}

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

/** One `exit` listener for all servers: kill what still runs, remove the temp dirs we made. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}
