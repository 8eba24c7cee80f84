/**
 * The devnet node's websocket notifier (docs/devnet.md, "Notifications"): on its own port it
 * pushes one JSON text message per chain event to every connected client:
 *
 *   {"type":"hashblock","hash","height"}                       every new best tip
 *   {"type":"reorg","fork":{"hash","height"},"removed":[...],"added":[...]}
 *                                                             before the hashblock of a reorg's tip
 *   {"type":"hashtx","txid"}                                   every transaction entering the mempool
 *
 * Hashes are display hex. Clients send nothing (anything larger than `maxPayload` closes the
 * connection with 1009); the server pings every 10 s and terminates a client that has not answered
 * the previous ping, and one that falls more than `maxBufferedBytes` behind. No authentication:
 * it publishes only what getbestblockhash and getrawmempool tell anyone with the RPC; bind it to
 * loopback (the default) unless that is acceptable on your network.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { hashToDisplay } from '../../../proofs/bytes.js';
import type { BlockInfo, ChainEvents } from '../chain-api.js';
import { silentLog, type DevnetLog } from '../log.js';

export interface NotifierOptions {
  /** [Default: 127.0.0.1] */
  readonly host?: string;
  /** 0 picks a free port. [Required] */
  readonly port: number;
  readonly events: ChainEvents;
  /** Largest message a client may send. [Default: 1024 bytes] */
  readonly maxPayload?: number;
  /** [Default: 10000 ms] */
  readonly pingIntervalMs?: number;
  /** A client with more than this queued is too slow and is terminated. [Default: 16 MiB] */
  readonly maxBufferedBytes?: number;
  readonly log?: DevnetLog;
}

export interface Notifier {
  /** `ws://host:port/` */
  readonly url: string;
  readonly port: number;
  readonly clientCount: () => number;
  close(): Promise<void>;
}

export type NotifierMessage =
  | { readonly type: 'hashblock'; readonly hash: string; readonly height: number }
  | { readonly type: 'hashtx'; readonly txid: string }
  | {
      readonly type: 'reorg';
      readonly fork: { readonly hash: string; readonly height: number };
      readonly removed: readonly { readonly hash: string; readonly height: number }[];
      readonly added: readonly { readonly hash: string; readonly height: number }[];
    };

export async function startNotifier(options: NotifierOptions): Promise<Notifier> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? silentLog;
  const maxBuffered = options.maxBufferedBytes ?? 16 * 1024 * 1024;
  const server = new WebSocketServer({ host, port: options.port, maxPayload: options.maxPayload ?? 1024, perMessageDeflate: false, clientTracking: true });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const alive = new WeakMap<WebSocket, boolean>();
  server.on('connection', (socket, req) => {
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
    socket.on('message', () => {
      // Clients have nothing to say; ignore anything within maxPayload.
    });
    socket.on('error', (e) => log('warn', 'ws.client-error', { message: e.message }));
    log('debug', 'ws.connected', { peer: req.socket.remoteAddress });
  });
  server.on('error', (e) => log('error', 'ws.server-error', { message: e.message }));

  const pinger = setInterval(() => {
    for (const socket of server.clients) {
      if (alive.get(socket) !== true) {
        log('info', 'ws.terminated', { reason: 'missed pong' });
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, options.pingIntervalMs ?? 10_000);
  pinger.unref();

  const broadcast = (message: NotifierMessage): void => {
    const text = JSON.stringify(message);
    for (const socket of server.clients) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      if (socket.bufferedAmount > maxBuffered) {
        log('warn', 'ws.terminated', { reason: 'too slow', bufferedAmount: socket.bufferedAmount });
        socket.terminate();
        continue;
      }
      socket.send(text);
    }
  };
  const ref = (b: BlockInfo): { hash: string; height: number } => ({ hash: hashToDisplay(b.hashLE), height: b.height });
  const unsubscribe = [
    options.events.onReorg((r) => broadcast({ type: 'reorg', fork: ref(r.fork), removed: r.removed.map(ref), added: r.added.map(ref) })),
    options.events.onTip((tip) => broadcast({ type: 'hashblock', ...ref(tip) })),
    options.events.onMempoolTx((txidLE) => broadcast({ type: 'hashtx', txid: hashToDisplay(txidLE) })),
  ];

  const port = (server.address() as AddressInfo).port;
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  log('info', 'ws.listening', { url });
  return {
    url,
    port,
    clientCount: () => server.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(pinger);
        for (const off of unsubscribe) off();
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  };
}
