/**
 * The adapter's block stream. The node's best chain is always read through RPC: a websocket
 * message (`hashblock`, `reorg`) only wakes the stream up, so a reconnected websocket is never
 * trusted before the RPC backfill, and the watchdog (a poll every `pollIntervalMs`, with or
 * without the websocket) fills any gap a quiet stream leaves.
 *
 * Reorgs: the stream remembers the hash it delivered at each height (the last `MEMORY` heights).
 * At each sync it compares the hash it delivered last with the node's; on a difference it walks
 * back to the highest height where they agree and emits `reorg` (fork = that block, removed = the
 * delivered blocks above it, lowest first) before the new branch's blocks.
 */
import WebSocket from 'ws';
import { equalBytes } from '../../proofs/bytes.js';
import type { BlockEvent, BlockRef, BlockSubscription } from '../adapter.js';

/** How the stream reads the node. */
export interface ChainReader {
  tipHeight(): Promise<number>;
  /** Best-chain hashes of consecutive heights (fewer if the chain is shorter). */
  hashesFrom(fromHeight: number, count: number): Promise<Uint8Array[]>;
}

/** How a stream follows the node: its poll period, an optional websocket, an error sink. */
export interface BlockStreamOptions {
  readonly pollIntervalMs: number;
  readonly websocketUrl?: string;
  /** Called with every failure the stream recovers from (it retries by itself). */
  readonly onError?: (error: unknown) => void;
}

/** Heights whose delivered hash the stream remembers (deeper reorgs are reported from there). */
const MEMORY = 2_000;
/** Hashes fetched per RPC batch while backfilling. */
const BATCH = 100;
/** Largest websocket message accepted (the devnet's are a few hundred bytes; reorgs list hashes). */
const MAX_WS_PAYLOAD = 1 << 20;
/** A websocket without a pong for this long is terminated. */
const PING_INTERVAL_MS = 10_000;

/** One subscription: starts following at construction, stops at `close()`. */
export class BlockStream implements BlockSubscription {
  private readonly delivered = new Map<number, Uint8Array>();
  private nextHeight: number;
  private closed = false;
  private running: Promise<void> | undefined;
  private again = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private ws: WebSocket | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = 250;

  constructor(
    private readonly reader: ChainReader,
    private readonly fromHeight: number,
    private readonly listener: (event: BlockEvent) => void | Promise<void>,
    private readonly options: BlockStreamOptions,
  ) {
    if (!Number.isSafeInteger(fromHeight) || fromHeight < 0) throw new RangeError(`fromHeight: expected a non-negative integer, got ${String(fromHeight)}`);
    this.nextHeight = fromHeight;
    this.wake();
    this.schedulePoll();
    if (options.websocketUrl !== undefined) this.connect(options.websocketUrl);
  }

  /** Stops polling, closes the websocket, and waits for a delivery in progress. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pollTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.reconnectTimer);
    this.ws?.terminate();
    this.ws = undefined;
    await this.running;
  }

  /** Runs a sync now, or once more after the one in progress. */
  private wake(): void {
    if (this.closed) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.sync();
        } catch (e) {
          this.options.onError?.(e);
        }
      } while (this.again && !this.closed);
      this.running = undefined;
    })();
  }

  private schedulePoll(): void {
    if (this.closed) return;
    this.pollTimer = setTimeout(() => {
      this.wake();
      this.schedulePoll();
    }, this.options.pollIntervalMs);
    this.pollTimer.unref?.();
  }

  private async emit(event: BlockEvent): Promise<void> {
    if (this.closed) return;
    await this.listener(event);
  }

  private async sync(): Promise<void> {
    const tip = await this.reader.tipHeight();
    await this.checkReorg(tip);
    while (!this.closed && this.nextHeight <= tip) {
      const hashes = await this.reader.hashesFrom(this.nextHeight, Math.min(BATCH, tip - this.nextHeight + 1));
      if (hashes.length === 0) return;
      // a reorg between two batches: the first new hash must build on what was delivered (checked at the next sync)
      for (const hashLE of hashes) {
        if (this.closed) return;
        const height = this.nextHeight;
        await this.emit({ type: 'block', block: { height, hashLE } });
        this.delivered.set(height, hashLE);
        this.delivered.delete(height - MEMORY);
        this.nextHeight = height + 1;
      }
      await this.checkReorg(await this.reader.tipHeight());
    }
  }

  private async checkReorg(tip: number): Promise<void> {
    const last = this.nextHeight - 1;
    if (last < this.fromHeight) return;
    const ours = this.delivered.get(last);
    if (ours === undefined) return;
    const [nodes] = last <= tip ? await this.reader.hashesFrom(last, 1) : [undefined];
    if (nodes !== undefined && equalBytes(nodes, ours)) return;
    // walk back to the fork
    let h = Math.min(last - 1, tip);
    const lowest = Math.max(this.fromHeight, last - MEMORY + 1);
    let fork: BlockRef | undefined;
    while (h >= lowest - 1 && h >= 0) {
      const [node] = await this.reader.hashesFrom(h, 1);
      if (node === undefined) throw new Error(`the node has no block at height ${h} below its tip ${tip}`);
      const mine = this.delivered.get(h);
      if (mine === undefined || equalBytes(mine, node)) {
        fork = { height: h, hashLE: node };
        break;
      }
      h--;
    }
    const forkHeight = fork?.height ?? lowest - 1;
    const removed: BlockRef[] = [];
    for (let r = forkHeight + 1; r <= last; r++) {
      const hashLE = this.delivered.get(r);
      if (hashLE !== undefined) removed.push({ height: r, hashLE });
    }
    if (removed.length === 0) return;
    await this.emit({ type: 'reorg', fork: fork ?? { height: forkHeight, hashLE: new Uint8Array(32) }, removed });
    for (const b of removed) this.delivered.delete(b.height);
    this.nextHeight = forkHeight + 1;
  }

  private connect(url: string): void {
    if (this.closed) return;
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: MAX_WS_PAYLOAD });
    this.ws = ws;
    let alive = true;
    ws.on('open', () => {
      this.reconnectDelayMs = 250;
      // backfill through RPC before relying on the stream again
      this.wake();
      this.pingTimer = setInterval(() => {
        if (!alive) {
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, PING_INTERVAL_MS);
      this.pingTimer.unref?.();
    });
    ws.on('pong', () => (alive = true));
    ws.on('ping', () => (alive = true));
    ws.on('message', (data: WebSocket.RawData) => {
      alive = true;
      let type: unknown;
      try {
        type = (JSON.parse(data.toString()) as { type?: unknown } | null)?.type;
      } catch (e) {
        this.options.onError?.(e);
        return;
      }
      if (type === 'hashblock' || type === 'reorg') this.wake();
    });
    ws.on('error', (e: Error) => this.options.onError?.(e));
    ws.on('close', () => {
      clearInterval(this.pingTimer);
      if (this.closed || this.ws !== ws) return;
      this.ws = undefined;
      this.reconnectTimer = setTimeout(() => this.connect(url), this.reconnectDelayMs);
      this.reconnectTimer.unref?.();
      this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 30_000);
    });
  }
}
