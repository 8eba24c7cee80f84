/**
 * A small client for Bitcoin Core–style JSON-RPC over HTTP: basic auth (user/password, or Core's
 * cookie file), a timeout on every call, batches, and every failure sorted into a LedgerError
 * (refused / unreachable / auth / faulty). It only fetches: it decides nothing about the answers.
 */
import { readFileSync } from 'node:fs';
import { LedgerError } from '../errors.js';

export interface RpcEndpoint {
  /** e.g. http://127.0.0.1:18443/ (credentials in the URL are accepted too). */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  /** Path of a Core-style `.cookie` file (`user:password`), read at every call (the node rewrites it on restart). */
  readonly cookieFile?: string;
  /** Milliseconds per call. Default 10,000. */
  readonly timeoutMs?: number;
}

export interface RpcRequest {
  readonly method: string;
  readonly params?: readonly unknown[] | Readonly<Record<string, unknown>>;
}

interface RpcResponse {
  result?: unknown;
  error?: { code?: unknown; message?: unknown } | null;
  id?: unknown;
}

export class JsonRpcClient {
  private nextId = 1;
  private readonly url: string;
  private readonly urlCredentials: string | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly endpoint: RpcEndpoint) {
    const parsed = new URL(endpoint.url);
    this.url = `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search}`;
    this.urlCredentials = parsed.username === '' ? undefined : `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    this.timeoutMs = endpoint.timeoutMs ?? 10_000;
  }

  /** The endpoint without credentials, for logs and messages. */
  get displayUrl(): string {
    return this.url;
  }

  /** Calls one method; returns its `result`, or throws a LedgerError. */
  async call<T = unknown>(method: string, params: RpcRequest['params'] = []): Promise<T> {
    const id = this.nextId++;
    const body = await this.post({ jsonrpc: '1.0', id, method, params });
    return this.unwrap(body, id, method) as T;
  }

  /**
   * Calls several methods in one HTTP request. Returns, in order, each result or the LedgerError
   * of that call (a refused call does not fail the others); transport failures throw.
   */
  async batch(requests: readonly RpcRequest[]): Promise<(unknown | LedgerError)[]> {
    if (requests.length === 0) return [];
    const first = this.nextId;
    this.nextId += requests.length;
    const payload = requests.map((r, i) => ({ jsonrpc: '1.0', id: first + i, method: r.method, params: r.params ?? [] }));
    const body = await this.post(payload);
    if (!Array.isArray(body) || body.length !== requests.length) {
      throw this.faulty(`batch of ${requests.length}: expected an array of ${requests.length} answers`);
    }
    const byId = new Map<unknown, unknown>(body.map((b: unknown) => [(b as RpcResponse | null)?.id, b]));
    return requests.map((r, i) => {
      try {
        return this.unwrap(byId.get(first + i), first + i, r.method);
      } catch (e) {
        if (e instanceof LedgerError && e.code === 'NODE_REFUSED') return e;
        throw e;
      }
    });
  }

  private credentials(): string | undefined {
    if (this.endpoint.user !== undefined) return `${this.endpoint.user}:${this.endpoint.password ?? ''}`;
    if (this.endpoint.cookieFile !== undefined) {
      try {
        return readFileSync(this.endpoint.cookieFile, 'utf8').trim();
      } catch (cause) {
        throw new LedgerError('NODE_AUTH', `${this.url}: cannot read the cookie file ${this.endpoint.cookieFile}`, { cause });
      }
    }
    return this.urlCredentials;
  }

  private async post(payload: unknown): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const credentials = this.credentials();
    if (credentials !== undefined) headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify(payload), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (cause) {
      const reason = cause instanceof Error && cause.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : 'connection failed';
      throw new LedgerError('NODE_UNREACHABLE', `${this.url}: ${reason}`, { cause });
    }
    const text = await response.text().catch((cause: unknown) => {
      throw new LedgerError('NODE_UNREACHABLE', `${this.url}: the answer was cut off`, { cause });
    });
    if (response.status === 401 || response.status === 403) {
      throw new LedgerError('NODE_AUTH', `${this.url}: HTTP ${response.status}: the node refused the credentials`, { details: { status: response.status } });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      if (response.status >= 500) {
        throw new LedgerError('NODE_UNREACHABLE', `${this.url}: HTTP ${response.status} without a JSON-RPC answer`, { cause, details: { status: response.status } });
      }
      throw this.faulty(`HTTP ${response.status}: the answer is not JSON`, cause);
    }
    return body;
  }

  private unwrap(body: unknown, id: number, method: string): unknown {
    if (typeof body !== 'object' || body === null) throw this.faulty(`${method}: the answer is not a JSON-RPC object`);
    const { result, error, id: answeredId } = body as RpcResponse;
    if (answeredId !== id) throw this.faulty(`${method}: the answer's id ${JSON.stringify(answeredId)} is not the request's ${id}`);
    if (error !== undefined && error !== null) {
      const rpcCode = typeof error.code === 'number' ? error.code : undefined;
      const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
      throw new LedgerError('NODE_REFUSED', `${method}: ${message}${rpcCode === undefined ? '' : ` (RPC error ${rpcCode})`}`, {
        details: { method, rpcCode, rpcMessage: message },
      });
    }
    if (result === undefined) throw this.faulty(`${method}: the answer has neither result nor error`);
    return result;
  }

  private faulty(message: string, cause?: unknown): LedgerError {
    return new LedgerError('NODE_FAULTY', `${this.url}: ${message}`, cause === undefined ? {} : { cause });
  }
}
