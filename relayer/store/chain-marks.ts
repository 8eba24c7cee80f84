/**
 * What the relayer remembers about each chain besides transfers: the watcher's cursor, the
 * releases seen on the main chain (by the burns hash their `UBR1 0x03` memo carries), and the lock
 * outputs an in-flight release spends (so that two releases never pick the same input).
 */
import type { Redis } from 'ioredis';
import type { TransferId } from '../transfer.js';
import type { ChainRole, Keys } from './keys.js';

export interface Cursor {
  readonly height: number;
  /** Display order. */
  readonly hash: string;
}

/**
 * RESERVE
 * KEYS: 1 reserved
 * ARGV: 1 transfer id, 2.. outpoints `txid:vout`
 * Result: 1 when every outpoint is now reserved by this transfer (already being its own is fine);
 * 0 when one is reserved by another transfer (nothing changed).
 */
const RESERVE_LUA = `
for i = 2, #ARGV do
  local owner = redis.call('HGET', KEYS[1], ARGV[i])
  if owner and owner ~= ARGV[1] then return 0 end
end
for i = 2, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], ARGV[1]) end
return 1
`;

/**
 * UNRESERVE
 * KEYS: 1 reserved
 * ARGV: 1 transfer id, 2.. outpoints
 * Result: how many were removed (only those this transfer holds).
 */
const UNRESERVE_LUA = `
local n = 0
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[1] then redis.call('HDEL', KEYS[1], ARGV[i]); n = n + 1 end
end
return n
`;

type ScriptFn = (...args: (string | number)[]) => Promise<number>;

export class ChainMarks {
  private readonly reserve_: ScriptFn;
  private readonly unreserve_: ScriptFn;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    redis.defineCommand('utxoRelayReserve', { numberOfKeys: 1, lua: RESERVE_LUA });
    redis.defineCommand('utxoRelayUnreserve', { numberOfKeys: 1, lua: UNRESERVE_LUA });
    const r = redis as unknown as Record<string, ScriptFn>;
    this.reserve_ = r['utxoRelayReserve']!.bind(redis);
    this.unreserve_ = r['utxoRelayUnreserve']!.bind(redis);
  }

  async cursor(role: ChainRole): Promise<Cursor | undefined> {
    const [height, hash] = await this.redis.hmget(this.keys.cursor(role), 'height', 'hash');
    if (height === null || height === undefined || hash === null || hash === undefined) return undefined;
    return { height: Number(height), hash };
  }

  async setCursor(role: ChainRole, cursor: Cursor): Promise<void> {
    await this.redis.hset(this.keys.cursor(role), 'height', cursor.height, 'hash', cursor.hash);
  }

  /** Records a release seen on the main chain (or found by rescan). */
  async recordRelease(burnsHashHex: string, releaseTxid: string): Promise<void> {
    await this.redis.hset(this.keys.releases, burnsHashHex, releaseTxid);
  }

  async releaseFor(burnsHashHex: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.releases, burnsHashHex)) ?? undefined;
  }

  async forgetRelease(burnsHashHex: string, releaseTxid: string): Promise<void> {
    const v = await this.redis.hget(this.keys.releases, burnsHashHex);
    if (v === releaseTxid) await this.redis.hdel(this.keys.releases, burnsHashHex);
  }

  async reserve(id: TransferId, outpoints: readonly string[]): Promise<boolean> {
    if (outpoints.length === 0) return true;
    return (await this.reserve_(this.keys.reserved, id, ...outpoints)) === 1;
  }

  async unreserve(id: TransferId, outpoints: readonly string[]): Promise<number> {
    if (outpoints.length === 0) return 0;
    return this.unreserve_(this.keys.reserved, id, ...outpoints);
  }

  /** Every reserved outpoint and who holds it. */
  async reservations(): Promise<Map<string, TransferId>> {
    return new Map(Object.entries(await this.redis.hgetall(this.keys.reserved)) as [string, TransferId][]);
  }
}
