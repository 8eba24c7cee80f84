/**
 * Several JSON-RPC endpoints of one chain behind one caller: each endpoint keeps a health score
 * (successes, failures, latency); a call goes to the healthiest, and a NODE_UNREACHABLE fails
 * over to the next one. `crossCheck()` asks every endpoint for its tip and refuses (NODE_FAULTY,
 * naming the endpoints) when they disagree: the pool never silently picks one side.
 */
import { LedgerError } from '../errors.js';
import { JsonRpcClient, type RpcEndpoint, type RpcRequest } from '../rpc/json-rpc-client.js';

/** What the pool knows of one endpoint. */
export interface EndpointHealth {
  /** The endpoint's URL without credentials. */
  readonly url: string;
  readonly successes: number;
  readonly failures: number;
  /** Failures since the last success. */
  readonly consecutiveFailures: number;
  /** Moving average of the answer time, milliseconds. */
  readonly latencyMs: number;
}

interface Entry {
  readonly client: JsonRpcClient;
  readonly order: number;
  successes: number;
  failures: number;
  consecutiveFailures: number;
  latencyMs: number;
}

/** A tip every answering endpoint agrees on. */
export interface AgreedTip {
  readonly height: number;
  readonly hashDisplay: string;
}

/** The endpoints of one chain with their health: calls with failover, and cross-checks of the tip. */
export class EndpointPool {
  private readonly entries: Entry[];

  /** RangeError for an empty list. */
  constructor(endpoints: readonly RpcEndpoint[]) {
    if (endpoints.length === 0) throw new RangeError('endpoints: expected at least one RPC endpoint');
    this.entries = endpoints.map((e, order) => ({ client: new JsonRpcClient(e), order, successes: 0, failures: 0, consecutiveFailures: 0, latencyMs: 0 }));
  }

  /** The health of every endpoint, in configuration order. */
  health(): EndpointHealth[] {
    return this.entries.map((e) => ({
      url: e.client.displayUrl,
      successes: e.successes,
      failures: e.failures,
      consecutiveFailures: e.consecutiveFailures,
      latencyMs: e.latencyMs,
    }));
  }

  /** Calls one method on the healthiest endpoint, failing over on NODE_UNREACHABLE. */
  call<T = unknown>(method: string, params: RpcRequest['params'] = []): Promise<T> {
    return this.withFailover((client) => client.call<T>(method, params));
  }

  /** A batch on the healthiest endpoint (one endpoint answers the whole batch), failing over on NODE_UNREACHABLE. */
  batch(requests: readonly RpcRequest[]): Promise<(unknown | LedgerError)[]> {
    return this.withFailover((client) => client.batch(requests));
  }

  /**
   * Asks every endpoint for its best block. When the best hashes differ, compares the hashes at
   * the lower of the tips: equal means some endpoints lag (the common, lower tip is returned),
   * different means they follow different chains: LedgerError NODE_FAULTY naming the endpoints
   * and their hashes. Unreachable endpoints are left out (NODE_UNREACHABLE when none answers).
   */
  async crossCheck(): Promise<AgreedTip> {
    const answers = await Promise.all(
      this.entries.map(async (entry) => {
        try {
          const [hashDisplay, count] = await this.timed(entry, () => bestOf(entry.client));
          return { entry, hashDisplay, height: count };
        } catch (e) {
          if (e instanceof LedgerError && e.code === 'NODE_UNREACHABLE') return undefined;
          throw e;
        }
      }),
    );
    const up = answers.filter((a): a is NonNullable<typeof a> => a !== undefined);
    if (up.length === 0) throw new LedgerError('NODE_UNREACHABLE', `crossCheck: none of the ${this.entries.length} endpoints answered`);
    if (up.every((a) => a.hashDisplay === up[0]!.hashDisplay)) return { height: up[0]!.height, hashDisplay: up[0]!.hashDisplay };
    const lower = Math.min(...up.map((a) => a.height));
    const atLower = await Promise.all(up.map(async (a) => ({ url: a.entry.client.displayUrl, hash: await a.entry.client.call<string>('getblockhash', [lower]) })));
    const distinct = new Set(atLower.map((a) => a.hash));
    if (distinct.size > 1) {
      const described = atLower.map((a) => `${a.url} has ${a.hash}`).join('; ');
      throw new LedgerError('NODE_FAULTY', `crossCheck: the endpoints disagree on the block at height ${lower}: ${described}`, {
        details: { height: lower, endpoints: atLower.map((a) => a.url), hashes: atLower.map((a) => a.hash) },
      });
    }
    return { height: lower, hashDisplay: atLower[0]!.hash };
  }

  private ranked(): Entry[] {
    const score = (e: Entry): number => e.consecutiveFailures * 10_000 + e.latencyMs;
    return [...this.entries].sort((a, b) => score(a) - score(b) || a.order - b.order);
  }

  private async withFailover<T>(run: (client: JsonRpcClient) => Promise<T>): Promise<T> {
    let last: LedgerError | undefined;
    for (const entry of this.ranked()) {
      try {
        return await this.timed(entry, () => run(entry.client));
      } catch (e) {
        if (e instanceof LedgerError && e.code === 'NODE_UNREACHABLE') {
          last = e;
          continue;
        }
        throw e;
      }
    }
    throw last ?? new LedgerError('NODE_UNREACHABLE', 'no endpoint answered');
  }

  private async timed<T>(entry: Entry, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      this.record(entry, true, performance.now() - started);
      return result;
    } catch (e) {
      // a node that answered "no" (NODE_REFUSED) is healthy; anything else counts against it
      const answered = e instanceof LedgerError && e.code === 'NODE_REFUSED';
      this.record(entry, answered, performance.now() - started);
      throw e;
    }
  }

  private record(entry: Entry, ok: boolean, ms: number): void {
    entry.latencyMs = entry.successes + entry.failures === 0 ? ms : entry.latencyMs * 0.8 + ms * 0.2;
    if (ok) {
      entry.successes++;
      entry.consecutiveFailures = 0;
    } else {
      entry.failures++;
      entry.consecutiveFailures++;
    }
  }
}

/** The best hash and its height, from one endpoint, consistent with each other. */
async function bestOf(client: JsonRpcClient): Promise<[string, number]> {
  const hash = await client.call<unknown>('getbestblockhash');
  if (typeof hash !== 'string') throw new LedgerError('NODE_FAULTY', `${client.displayUrl}: getbestblockhash: expected a hash string`);
  const header = await client.call<unknown>('getblockheader', [hash, true]);
  const height = (header as { height?: unknown } | null)?.height;
  if (typeof height !== 'number' || !Number.isSafeInteger(height) || height < 0) {
    throw new LedgerError('NODE_FAULTY', `${client.displayUrl}: getblockheader: expected a non-negative integer height`);
  }
  return [hash, height];
}
