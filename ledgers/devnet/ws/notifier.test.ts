/** The notifier with stub chain events: message shapes and order, liveness pings, the payload limit. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { eventually } from '../../../test/eventually.js';
import type { BlockInfo, ChainEvents } from '../chain-api.js';
import { startNotifier } from './notifier.js';

class StubEvents implements ChainEvents {
  readonly tip = new Set<(tip: BlockInfo) => void>();
  readonly reorg = new Set<(r: { fork: BlockInfo; removed: BlockInfo[]; added: BlockInfo[] }) => void>();
  readonly tx = new Set<(txidLE: Uint8Array) => void>();
  onTip(l: (tip: BlockInfo) => void): () => void {
    this.tip.add(l);
    return () => this.tip.delete(l);
  }
  onReorg(l: (r: { fork: BlockInfo; removed: BlockInfo[]; added: BlockInfo[] }) => void): () => void {
    this.reorg.add(l);
    return () => this.reorg.delete(l);
  }
  onMempoolTx(l: (txidLE: Uint8Array) => void): () => void {
    this.tx.add(l);
    return () => this.tx.delete(l);
  }
}

function block(byte: number, height: number): BlockInfo {
  return {
    hashLE: new Uint8Array(32).fill(byte),
    height,
    header80: new Uint8Array(80),
    chainWork: 1n,
    prevHashLE: new Uint8Array(32),
    medianTime: 0,
    txCount: 1,
    size: 0,
    strippedSize: 0,
    weight: 0,
    status: 'active',
  };
}

async function connect(url: string, options: { autoPong?: boolean } = {}): Promise<{ socket: WebSocket; messages: unknown[]; closed: Promise<number> }> {
  const socket = new WebSocket(url, { perMessageDeflate: false, ...options });
  const messages: unknown[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString())));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages, closed };
}

describe('websocket notifier', () => {
  test('pushes hashblock, reorg and hashtx messages in event order', async () => {
    const events = new StubEvents();
    const notifier = await startNotifier({ port: 0, events });
    try {
      const client = await connect(notifier.url);
      await eventually(() => assert.equal(notifier.clientCount(), 1));
      for (const l of events.reorg) l({ fork: block(1, 1), removed: [block(2, 2)], added: [block(3, 2), block(4, 3)] });
      for (const l of events.tip) l(block(4, 3));
      for (const l of events.tx) l(new Uint8Array(32).fill(0xab));
      const h = (b: number): string => b.toString(16).padStart(2, '0').repeat(32);
      await eventually(() =>
        assert.deepEqual(client.messages, [
          { type: 'reorg', fork: { hash: h(1), height: 1 }, removed: [{ hash: h(2), height: 2 }], added: [{ hash: h(3), height: 2 }, { hash: h(4), height: 3 }] },
          { type: 'hashblock', hash: h(4), height: 3 },
          { type: 'hashtx', txid: 'ab'.repeat(32) },
        ]),
      );
      client.socket.close();
    } finally {
      await notifier.close();
    }
    assert.equal(events.tip.size + events.reorg.size + events.tx.size, 0, 'close() unsubscribes');
  });

  test('a client that does not answer pings is terminated; one that does stays', async () => {
    const notifier = await startNotifier({ port: 0, events: new StubEvents(), pingIntervalMs: 50 });
    try {
      const silent = await connect(notifier.url, { autoPong: false });
      const lively = await connect(notifier.url);
      assert.equal(await silent.closed, 1006);
      assert.equal(lively.socket.readyState, WebSocket.OPEN);
      lively.socket.close();
    } finally {
      await notifier.close();
    }
  });

  test('a message above maxPayload closes the connection with 1009', async () => {
    const notifier = await startNotifier({ port: 0, events: new StubEvents(), maxPayload: 100 });
    try {
      const client = await connect(notifier.url);
      client.socket.send('x'.repeat(1000));
      assert.equal(await client.closed, 1009);
    } finally {
      await notifier.close();
    }
  });
});
