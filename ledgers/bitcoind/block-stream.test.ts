import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { bytesToHex } from '../../proofs/bytes.js';
import type { BlockEvent } from '../adapter.js';
import { eventually } from '../../test/eventually.js';
import { BlockStream, type ChainReader } from './block-stream.js';

/** A chain in memory: hashes are labels, e.g. "a3" for branch a at height 3. */
class FakeChain implements ChainReader {
  chain: string[] = ['g'];
  calls = 0;
  extend(branch: string, n: number): void {
    for (let i = 0; i < n; i++) this.chain.push(`${branch}${this.chain.length}`);
  }
  /** Replaces everything above `height` with `n` blocks of `branch`. */
  reorg(height: number, branch: string, n: number): void {
    this.chain = this.chain.slice(0, height + 1);
    this.extend(branch, n);
  }
  tipHeight(): Promise<number> {
    this.calls++;
    return Promise.resolve(this.chain.length - 1);
  }
  hashesFrom(from: number, count: number): Promise<Uint8Array[]> {
    return Promise.resolve(this.chain.slice(from, from + count).map((label) => new TextEncoder().encode(label.padEnd(32, '.'))));
  }
}

const label = (hashLE: Uint8Array): string => new TextDecoder().decode(hashLE).replace(/\.+$/, '');
function describeEvents(events: readonly BlockEvent[]): string[] {
  return events.map((e) =>
    e.type === 'block' ? `block ${e.block.height} ${label(e.block.hashLE)}` : `reorg fork ${e.fork.height} ${label(e.fork.hashLE)} removed ${e.removed.map((r) => label(r.hashLE)).join(',')}`,
  );
}

const streams: BlockStream[] = [];
after(async () => {
  await Promise.all(streams.map((s) => s.close()));
});

describe('BlockStream (polling, in memory)', () => {
  test('backfills from fromHeight, then follows', async () => {
    const chain = new FakeChain();
    chain.extend('a', 3);
    const events: BlockEvent[] = [];
    const s = new BlockStream(chain, 2, (e) => void events.push(e), { pollIntervalMs: 10 });
    streams.push(s);
    await eventually(() => assert.deepEqual(describeEvents(events), ['block 2 a2', 'block 3 a3']));
    chain.extend('a', 1);
    await eventually(() => assert.deepEqual(describeEvents(events).at(-1), 'block 4 a4'));
    await s.close();
  });

  test('a reorg (also to a shorter chain) is reported before the new branch, removed blocks lowest first', async () => {
    const chain = new FakeChain();
    chain.extend('a', 5);
    const events: BlockEvent[] = [];
    const s = new BlockStream(chain, 1, async (e) => void events.push(e), { pollIntervalMs: 10 });
    streams.push(s);
    await eventually(() => assert.equal(events.length, 5));
    chain.reorg(2, 'b', 1); // tip 3 < 5 delivered
    await eventually(() => assert.deepEqual(describeEvents(events).slice(5), ['reorg fork 2 a2 removed a3,a4,a5', 'block 3 b3']));
    chain.reorg(0, 'c', 2); // below fromHeight: fork at fromHeight - 1
    await eventually(() => assert.deepEqual(describeEvents(events).slice(7), ['reorg fork 0 g removed a1,a2,b3', 'block 1 c1', 'block 2 c2']));
    await s.close();
  });

  test('a listener that throws does not stop the stream; close() stops it', async () => {
    const chain = new FakeChain();
    let failures = 0;
    const seen: string[] = [];
    const errors: unknown[] = [];
    const s = new BlockStream(
      chain,
      0,
      (e) => {
        if (e.type === 'block' && failures++ === 0) throw new Error('listener hiccup');
        if (e.type === 'block') seen.push(label(e.block.hashLE));
      },
      { pollIntervalMs: 10, onError: (e) => errors.push(e) },
    );
    streams.push(s);
    await eventually(() => assert.deepEqual(seen, ['g']));
    assert.equal(errors.length, 1);
    await s.close();
    const calls = chain.calls;
    chain.extend('a', 1);
    await new Promise((r) => setImmediate(r));
    assert.equal(chain.calls, calls);
    assert.deepEqual(seen, ['g']);
  });
});

describe('BlockStream with a websocket', () => {
  test('a message wakes it up; the watchdog fills what a silent stream misses; it reconnects and backfills', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const port = (wss.address() as { port: number }).port;
    const sockets: WebSocket[] = [];
    wss.on('connection', (ws) => sockets.push(ws));
    try {
      const chain = new FakeChain();
      const events: BlockEvent[] = [];
      // a long poll interval: only the websocket wakes the stream in the first part
      const s = new BlockStream(chain, 0, (e) => void events.push(e), { pollIntervalMs: 600_000, websocketUrl: `ws://127.0.0.1:${port}/` });
      streams.push(s);
      await eventually(() => assert.equal(sockets.length, 1));
      await eventually(() => assert.equal(events.length, 1));
      chain.extend('a', 2);
      sockets[0]!.send(JSON.stringify({ type: 'hashblock', hash: bytesToHex(new Uint8Array(32)), height: 2 }));
      await eventually(() => assert.deepEqual(describeEvents(events).slice(1), ['block 1 a1', 'block 2 a2']));
      // the server drops the connection; blocks come while it is down; the reconnect backfills
      sockets[0]!.terminate();
      chain.extend('a', 1);
      await eventually(() => assert.equal(sockets.length, 2), { what: 'a reconnect' });
      await eventually(() => assert.deepEqual(describeEvents(events).at(-1), 'block 3 a3'));
      await s.close();

      // a silent websocket: the watchdog polls
      const quiet: BlockEvent[] = [];
      const w = new BlockStream(chain, 3, (e) => void quiet.push(e), { pollIntervalMs: 20, websocketUrl: `ws://127.0.0.1:${port}/` });
      streams.push(w);
      await eventually(() => assert.equal(quiet.length, 1));
      chain.extend('a', 1);
      await eventually(() => assert.deepEqual(describeEvents(quiet).at(-1), 'block 4 a4'), { what: 'the watchdog' });
      await w.close();
    } finally {
      for (const ws of sockets) ws.terminate();
      await new Promise((r) => wss.close(r));
    }
  });
});
