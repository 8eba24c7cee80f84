/**
 * The side node's view of the main chain: it polls a main node's RPC (getbestblockhash, then
 * getblockheader <hash> false walking back until a header it already holds, the fork point) and
 * feeds the headers, oldest first, to a HeaderChain of the main network. The HeaderChain checks
 * every header itself (PoW, bits, times, versions) and picks the branch of most work, so a node
 * that lies can stall the follower but never put a header in it that the rules refuse; the side
 * chain verifies peg-in mints against it. A header whose hash is not the one asked for is refused.
 */
import { displayToHash, equalBytes, hashToDisplay } from '../../../proofs/bytes.js';
import { headerFromHex, headerHash } from '../../../proofs/bitcoin/header.js';
import type { HeaderChain } from '../../../proofs/bitcoin/header-chain.js';
import { silentLog, type DevnetLog } from '../log.js';
import { LedgerError } from '../../errors.js';
import type { JsonRpcClient } from '../../rpc/json-rpc-client.js';

export interface MainFollowerOptions {
  readonly client: JsonRpcClient;
  readonly headers: HeaderChain;
  /** Between two polls. [Default: 1000 ms] */
  readonly intervalMs?: number;
  /** Most headers one sync walks back before giving up. [Default: 100000] */
  readonly maxWalkBack?: number;
  /** Called after a sync that added headers (e.g. to save them). */
  readonly onHeaders?: (added: number) => void;
  readonly log?: DevnetLog;
}

export class MainChainFollower {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private lastError: string | undefined;

  constructor(private readonly options: MainFollowerOptions) {}

  /** One sync: the number of headers added. Concurrent calls share one sync. */
  sync(): Promise<number> {
    this.running ??= this.syncOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Polls every `intervalMs` until stop(); failures are logged (once per distinct message) and retried. */
  start(): void {
    this.stopped = false;
    const tick = (): void => {
      this.sync()
        .then(() => {
          if (this.lastError !== undefined) this.log('info', 'main-follower.recovered', {});
          this.lastError = undefined;
        })
        .catch((e: unknown) => {
          const message = e instanceof Error ? e.message : String(e);
          if (message !== this.lastError) this.log('warn', 'main-follower.sync-failed', { message, code: e instanceof LedgerError ? e.code : undefined });
          this.lastError = message;
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs ?? 1000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async syncOnce(): Promise<number> {
    const { client, headers } = this.options;
    const best = await client.call('getbestblockhash');
    let hashLE = this.hashOf(best, 'getbestblockhash');
    const pending: Uint8Array[] = [];
    const limit = this.options.maxWalkBack ?? 100_000;
    while (!headers.has(hashLE)) {
      if (pending.length >= limit) throw new RangeError(`main chain: no known ancestor within ${limit} headers of ${hashToDisplay(hashLE)}`);
      const hex = await client.call('getblockheader', [hashToDisplay(hashLE), false]);
      if (typeof hex !== 'string') throw new LedgerError('NODE_FAULTY', 'getblockheader: expected a hex string');
      const header80 = headerFromHex(hex);
      if (!equalBytes(headerHash(header80), hashLE)) {
        throw new LedgerError('NODE_FAULTY', `getblockheader ${hashToDisplay(hashLE)}: the node answered a header with another hash`);
      }
      pending.push(header80);
      hashLE = header80.slice(4, 36);
    }
    pending.reverse();
    for (const header80 of pending) headers.add(header80);
    if (pending.length > 0) {
      this.log('info', 'main-follower.headers', { added: pending.length, tipHeight: headers.tipHeight, tip: hashToDisplay(headers.tip.hashLE) });
      this.options.onHeaders?.(pending.length);
    }
    return pending.length;
  }

  private hashOf(value: unknown, what: string): Uint8Array {
    if (typeof value !== 'string') throw new LedgerError('NODE_FAULTY', `${what}: expected a hash string`);
    try {
      return displayToHash(value, what);
    } catch (cause) {
      throw new LedgerError('NODE_FAULTY', `${what}: ${(cause as Error).message}`, { cause });
    }
  }

  private log(level: 'info' | 'warn', event: string, fields: Record<string, unknown>): void {
    (this.options.log ?? silentLog)(level, event, fields);
  }
}
