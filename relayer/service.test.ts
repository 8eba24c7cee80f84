/**
 * startRelayer against a real redis-server and real (in-process) devnet nodes, where Redis or a
 * node is not there: Redis down from the start, or killed between the start-up check and the
 * light clients' first read (REDIS_UNREACHABLE, everything closed), `utxo-relay start` printing
 * the code without a stack trace, a running relayer whose Redis is killed and restarted (warnings
 * in the JSON logs, nothing from ioredis on stderr), and a chain node that goes away under a
 * running relayer (its block stream errors logged at warn, throttled).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { parse, stringify } from 'yaml';
import type { LedgerAdapter } from '../ledgers/adapter.js';
import { loadFederationFile } from '../ledgers/bitcoin/federation-file.js';
import { chainProfile, createBitcoindAdapter } from '../ledgers/bitcoind/index.js';
import { UTXO_RELAY_BIN } from '../ledgers/devnet/node-process.js';
import { startDevnetNode, type DevnetNodeHandle } from '../ledgers/devnet/node.js';
import { loadConfig, type RelayerConfig } from '../config/index.js';
import { eventually } from '../test/eventually.js';
import { onCleanup, uniquePrefix, withRedis } from '../test/redis.js';
import { RelayerError } from './errors.js';
import { createLogger } from './log.js';
import { freePort } from './redis/redis-server.js';
import { startRelayer } from './service.js';

const configDir = fileURLToPath(new URL('../config/', import.meta.url));
const devnetYaml = readFileSync(join(configDir, 'devnet.yaml'), 'utf8');

/** Bitcoind adapter options of a devnet node, or of a node nobody runs at `port`. */
type ChainOptions = Record<string, unknown>;
function nodeOptions(role: 'main' | 'side', node: DevnetNodeHandle): ChainOptions {
  return { profile: `devnet-${role}`, endpoints: [{ url: node.rpcUrl, ...RPC_CREDENTIALS }], websocketUrl: node.wsUrl, pollIntervalMs: 100, feeRate: { floor: 1, cap: 500 } };
}
function nobodyAt(role: 'main' | 'side', port: number): ChainOptions {
  return { profile: `devnet-${role}`, endpoints: [{ url: `http://127.0.0.1:${port}/`, user: 'u', password: 'p', timeoutMs: 500 }], feeRate: { floor: 1, cap: 500 } };
}

/** config/devnet.yaml with its own deployment, this Redis and these chains, written to a file of its own. */
function writeConfig(redisUrl: string, chains: { main: ChainOptions; side: ChainOptions }): { file: string; config: RelayerConfig } {
  const doc = parse(devnetYaml) as Record<string, unknown>;
  const devnetChains = doc['chains'] as Record<'main' | 'side', Record<string, unknown>>;
  doc['deployment'] = `svc-${uniquePrefix('x').slice(-8)}`;
  doc['redis'] = { url: redisUrl, prefix: '{utxo-relay}' };
  doc['chains'] = { main: { ...devnetChains.main, options: chains.main }, side: { ...devnetChains.side, options: chains.side } };
  doc['federation'] = { file: join(configDir, 'devnet-federation.json') };
  doc['signing'] = { keyFile: join(configDir, 'devnet-operator.key') };
  const file = join(mkdtempSync(join(tmpdir(), 'utxo-relay-service-test-')), 'relayer.yaml');
  writeFileSync(file, stringify(doc));
  return { file, config: loadConfig(file, {}) };
}
/** A pino logger whose JSON lines land in `lines`. */
function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) if (p.trim() !== '') lines.push(JSON.parse(p) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('debug', { test: true }, sink), lines };
}

/** What this process writes to stderr (console.error included) until `stop()`. */
function captureStderr(): { text(): string; stop(): void } {
  const original = process.stderr.write.bind(process.stderr);
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  return { text: () => text, stop: () => void (process.stderr.write = original) };
}

function isUnreachable(where: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof RelayerError, `expected a RelayerError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.equal(e.code, 'REDIS_UNREACHABLE', e.message);
    assert.match(e.message, where);
    return true;
  };
}

/** Both devnet nodes in this process (memory only, RPC_CREDENTIALS), closed when the test ends. */
const RPC_CREDENTIALS = { user: 'relayer', password: 'devnet' } as const;
async function devnetNodes(t: TestContext): Promise<{ main: DevnetNodeHandle; side: DevnetNodeHandle }> {
  const main = await startDevnetNode({ role: 'main', rpcPort: 0, wsPort: 0, rpcCredentials: RPC_CREDENTIALS });
  onCleanup(t, () => main.close());
  const federation = loadFederationFile(join(configDir, 'devnet-federation.json'));
  const side = await startDevnetNode({ role: 'side', rpcPort: 0, wsPort: 0, rpcCredentials: RPC_CREDENTIALS, federation, mainRpc: { url: main.rpcUrl, ...RPC_CREDENTIALS }, mainPollIntervalMs: 200 });
  onCleanup(t, () => side.close());
  return { main, side };
}

describe('start-up with Redis away', () => {
  test('Redis down from the start: REDIS_UNREACHABLE naming the URL without its password and the cause; ioredis prints nothing', async () => {
    const port = await freePort();
    const [mainPort, sidePort] = [await freePort(), await freePort()];
    const { config } = writeConfig(`redis://relayer:s3cret@127.0.0.1:${port}/2`, { main: nobodyAt('main', mainPort), side: nobodyAt('side', sidePort) });
    const { logger } = capturedLogger();
    const stderr = captureStderr();
    try {
      await assert.rejects(startRelayer(config, { logger }), (e) => {
        isUnreachable(new RegExp(`redis://relayer:\\*\\*\\*@127\\.0\\.0\\.1:${port}/2`))(e);
        assert.doesNotMatch((e as Error).message, /s3cret/, 'the password is not in the message');
        assert.doesNotMatch(JSON.stringify((e as RelayerError).details), /s3cret/, 'nor in the details');
        assert.match((e as Error).message, /ECONNREFUSED/, 'the cause: the last connection error');
        return true;
      });
    } finally {
      stderr.stop();
    }
    assert.doesNotMatch(stderr.text(), /Unhandled error event/);
  });

  test('Redis killed after the start-up check, while the light clients read it: REDIS_UNREACHABLE, connections closed', async (t) => {
    const server = await withRedis(t);
    const [mainPort, sidePort] = [await freePort(), await freePort()];
    const { config } = writeConfig(server.url, { main: nobodyAt('main', mainPort), side: nobodyAt('side', sidePort) });
    // The main adapter is given; the side one is loaded from the config (the relayer owns it).
    // Nothing reads the main adapter's info before LightClient.open: that is when Redis dies.
    const main = createBitcoindAdapter({ profile: chainProfile('devnet-main'), endpoints: [{ url: `http://127.0.0.1:${mainPort}/`, user: 'u', password: 'p' }], feeRate: { floor: 1, cap: 500 } });
    let killed = false;
    const killer = new Proxy(main, {
      get(target, prop, receiver) {
        if (prop === 'info' && !killed) {
          killed = true;
          process.kill(server.pid()!, 'SIGKILL');
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    }) as LedgerAdapter;
    const { logger, lines } = capturedLogger();
    const stderr = captureStderr();
    try {
      await assert.rejects(startRelayer(config, { logger, adapters: { main: killer } }), (e) => {
        isUnreachable(new RegExp(`Redis at redis://127\\.0\\.0\\.1:${server.port} `))(e);
        assert.match((e as Error).message, /header chain of main/, 'says what it was doing');
        return true;
      });
    } finally {
      stderr.stop();
    }
    assert.ok(killed, 'Redis was killed by the read of the adapter info');
    assert.doesNotMatch(stderr.text(), /Unhandled error event/);
    assert.ok(lines.some((l) => l['msg'] === 'Redis connection lost; reconnecting'), 'the loss is logged');

    // The relayer's connections were closed: once Redis is back, none of them reconnects.
    await server.restart();
    const probe = new Redis(server.url, { maxRetriesPerRequest: 0 });
    probe.on('error', () => {});
    onCleanup(t, () => void probe.disconnect());
    const deadline = Date.now() + 4_000; // longer than the reconnection delays after ~1 s of outage
    while (Date.now() < deadline) {
      const names = String(await probe.client('LIST')).match(/name=\S+/g) ?? [];
      assert.deepEqual(names.filter((n) => n.includes(config.deployment)), [], 'no connection of the failed relayer came back');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  test('utxo-relay start with Redis down: the code and message on stderr, no stack trace, exit code 1', async () => {
    const [port, mainPort, sidePort] = [await freePort(), await freePort(), await freePort()];
    const { file } = writeConfig(`redis://127.0.0.1:${port}`, { main: nobodyAt('main', mainPort), side: nobodyAt('side', sidePort) });
    const child = spawn(process.execPath, [UTXO_RELAY_BIN, 'start', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = collect(child);
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1, `stderr: ${out.stderr()}`);
    assert.match(out.stderr(), new RegExp(`^utxo-relay: REDIS_UNREACHABLE: Redis at redis://127\\.0\\.0\\.1:${port} does not answer`));
    assert.match(out.stderr(), /\(see docs\/relayer-errors\.md#redis-unreachable\)\n$/);
    assert.doesNotMatch(out.stderr(), /^\s+at /m, 'no stack trace');
    assert.doesNotMatch(out.stderr(), /Unhandled error event/);
  });
});

function collect(child: ChildProcess): { stdout(): string; stderr(): string; lines(): Record<string, unknown>[] } {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    lines: () =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('a running relayer', () => {
  test('Redis killed and restarted under `utxo-relay start`: one warning per connection, then ready again; nothing on stderr', async (t) => {
    const { main, side } = await devnetNodes(t);
    const server = await withRedis(t);
    const { file, config } = writeConfig(server.url, { main: nodeOptions('main', main), side: nodeOptions('side', side) });
    const child = spawn(process.execPath, [UTXO_RELAY_BIN, 'start', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(child, 'exit') as Promise<[number | null]>;
    onCleanup(t, async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    const out = collect(child);
    const logged = (msg: string): Record<string, unknown>[] => out.lines().filter((l) => l['msg'] === msg);
    const timeoutMs = 20_000;
    await eventually(() => assert.equal(logged('watcher started').length, 2, `both watchers started; stderr: ${out.stderr()}`), { timeoutMs, what: 'the relayer to run' });

    const names = ['command', 'producer', 'worker'].map((role) => `utxo-relay:${config.deployment}:${role}`);
    const byConnection = (msg: string): string[] => logged(msg).map((l) => String(l['connection'])).sort();
    await server.kill();
    await eventually(() => assert.deepEqual(byConnection('Redis connection lost; reconnecting'), names, 'each connection says it lost Redis, once'), { timeoutMs, what: 'the loss to be logged' });
    const lost = logged('Redis connection lost; reconnecting')[0]!;
    assert.equal(lost['level'], 40, 'at warn');
    assert.equal(lost['url'], server.url);
    // the first error of an outage is whichever the socket met first: a write to the closed
    // socket (EPIPE), a reset, or the refused reconnection
    assert.match(JSON.stringify(lost['err']), /ECONNREFUSED|ECONNRESET|EPIPE|Connection is closed/);

    await server.restart();
    await eventually(() => assert.deepEqual(byConnection('Redis connection ready again'), names, 'each connection says it is back'), { timeoutMs, what: 'the recovery to be logged' });
    assert.deepEqual(byConnection('Redis connection lost; reconnecting'), names, 'still one warning per connection and outage');

    child.kill('SIGTERM');
    const [code] = await exited;

    assert.equal(code, 0, `stderr: ${out.stderr()}`);
    assert.doesNotMatch(out.stderr(), /Unhandled error event/);
    assert.equal(out.stderr(), '', 'nothing on stderr: everything is in the JSON logs');
  });

  test('a chain node that goes away: its block stream errors are logged at warn with the chain role, at most one per warnEveryMs', async (t) => {
    const { main, side } = await devnetNodes(t);
    const server = await withRedis(t);
    const { config } = writeConfig(server.url, { main: nodeOptions('main', main), side: nodeOptions('side', side) });
    const { logger, lines } = capturedLogger();
    const relayer = await startRelayer(config, { logger, work: false, warnEveryMs: 1_000 });
    onCleanup(t, () => relayer.stop());
    const timeoutMs = 20_000;
    await eventually(() => assert.equal(lines.filter((l) => l['msg'] === 'watcher started').length, 2, 'both watchers started'), { timeoutMs });

    await main.close();
    const streamWarnings = (chain: string): Record<string, unknown>[] => lines.filter((l) => l['msg'] === 'block stream error; the adapter retries by itself' && l['chain'] === chain);
    await eventually(() => assert.ok(streamWarnings('main').length >= 2, `a second warning after warnEveryMs (so far ${streamWarnings('main').length})`), { timeoutMs, what: 'two stream warnings' });
    const [first, second] = streamWarnings('main');
    for (const w of [first!, second!]) {
      assert.equal(w['level'], 40, 'at warn');
      assert.equal((w['err'] as { code?: unknown }).code, 'NODE_UNREACHABLE', JSON.stringify(w['err']));
    }
    assert.ok(Number(second!['skipped']) > 0, `the errors in between were counted, not logged: ${JSON.stringify(second)}`);
    const gap = Date.parse(String(second!['time'])) - Date.parse(String(first!['time']));
    assert.ok(gap >= 1_000, `at most one a second (gap ${gap} ms)`);
    // (the side's stream reports errors too: its listener, the side watcher, reads the main chain)
  });
});
