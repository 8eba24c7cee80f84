/**
 * The devnet node's JSON-RPC server over node:http, with Bitcoin Core's HTTP behaviour:
 *
 * - `POST /` only. Any other path answers 404 (Core built without a wallet has no `/wallet/`
 *   handler either); another HTTP method on `/` answers 405 "JSONRPC server handles only POST
 *   requests".
 * - HTTP basic auth: no `Authorization` header, or wrong credentials, answer 401 with
 *   `WWW-Authenticate: Basic realm="jsonrpc"`; a wrong password is answered after 250 ms (Core's
 *   brute-force deterrent).
 * - Bodies above `maxBodyBytes` (default 32 MiB, Core's MAX_SIZE) answer 413 and the connection is
 *   closed.
 * - Everything else is JSON-RPC framing (jsonrpc.ts): `Content-Type: application/json`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAuthorized, WWW_AUTHENTICATE, type RpcCredentials } from './auth.js';
import { handleJsonRpc, type Dispatch } from './jsonrpc.js';
import { silentLog, type DevnetLog } from '../log.js';

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const AUTH_FAILURE_DELAY_MS = 250;

export interface RpcServerOptions {
  /** Interface to listen on. [Default: 127.0.0.1] */
  readonly host?: string;
  /** Port; 0 picks a free one (read it back from `port`). [Required] */
  readonly port: number;
  readonly credentials: RpcCredentials;
  readonly dispatch: Dispatch;
  /** [Default: 32 MiB] */
  readonly maxBodyBytes?: number;
  /** Delay before a 401 for wrong credentials. [Default: 250 ms] */
  readonly authFailureDelayMs?: number;
  readonly log?: DevnetLog;
}

export interface RpcServer {
  /** `http://host:port/` */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes every connection (idle and active). */
  close(): Promise<void>;
}

export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const delay = options.authFailureDelayMs ?? AUTH_FAILURE_DELAY_MS;
  const log = options.log ?? silentLog;
  const pending = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log('error', 'rpc.internal-error', { message: e instanceof Error ? e.message : String(e) });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/') {
      drain(req);
      res.writeHead(404).end();
      return;
    }
    if (req.method !== 'POST') {
      drain(req);
      res.writeHead(405, { 'Content-Type': 'text/html; charset=ISO-8859-1' }).end('JSONRPC server handles only POST requests');
      return;
    }
    const authorization = req.headers.authorization;
    if (authorization === undefined || !isAuthorized(authorization, options.credentials)) {
      drain(req);
      if (authorization !== undefined) {
        log('warn', 'rpc.auth-failed', { peer: req.socket.remoteAddress });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            pending.delete(timer);
            resolve();
          }, delay);
          pending.add(timer);
        });
      }
      res.writeHead(401, { 'WWW-Authenticate': WWW_AUTHENTICATE }).end();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) {
      tooLarge(req, res);
      return;
    }
    const body = await readBody(req, maxBody);
    if (body === undefined) {
      tooLarge(req, res);
      return;
    }
    const answer = await handleJsonRpc(body, options.dispatch);
    if (answer.body === undefined) {
      res.writeHead(answer.status).end();
      return;
    }
    res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(answer.body) }).end(answer.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // keep idle connections longer than a busy client may go without reading (Node's default is
    // 5 s): a client whose event loop was blocked longer reused a socket the server had just
    // closed ("other side closed") under load
    server.keepAliveTimeout = 60_000;
    server.headersTimeout = 65_000;
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  log('info', 'rpc.listening', { url });

  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The body as UTF-8 text, or undefined once it exceeds `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(413, { Connection: 'close' }).end();
  res.on('finish', () => req.destroy());
}

/** Reads and discards a body we answer without looking at, so keep-alive connections stay usable. */
function drain(req: IncomingMessage): void {
  req.resume();
}
