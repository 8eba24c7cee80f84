/**
 * The governor (DESIGN.md §1, "Caps"): a per-transfer maximum and a rolling 24-hour total per
 * direction. `admit` is one Lua script, so that two workers admitting at once cannot both take the
 * last room under the cap. A transfer over a cap is not refused: it waits in `held` until an
 * operator approves it (`approved`: the caps are not applied, but it still counts in the window)
 * or until the window has room again (the sweeper asks again).
 *
 * Amounts are counted in Lua numbers (doubles): exact below 2^53 base units, far above any
 * Bitcoin-family supply (2.1e15). `admit` refuses larger amounts rather than count them wrong.
 */
import type { Redis } from 'ioredis';
import type { Direction, TransferId } from '../transfer.js';
import type { Keys } from '../store/keys.js';

export const WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_EXACT = 2n ** 53n - 1n;

export interface Limits {
  readonly maxPerTransfer?: bigint;
  readonly dailyCap?: bigint;
}

export type Admission = { readonly admitted: true } | { readonly admitted: false; readonly code: 'OVER_TRANSFER_CAP' | 'OVER_DAILY_CAP'; readonly message: string };

/**
 * ADMIT
 * KEYS: 1 gov:<direction> (zset id -> time), 2 gov:<direction>:amt (hash id -> amount)
 * ARGV: 1 id, 2 amount, 3 now (ms), 4 window (ms), 5 max per transfer or '', 6 daily cap or '',
 *       7 '1' when an operator approved it
 * Result: {'ok', used} when admitted (or already admitted: idempotent), {code, used} when not;
 *         used = the window's total before this transfer.
 */
const ADMIT_LUA = `
local id, amount, now, window = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - window)
for _, old in ipairs(expired) do redis.call('HDEL', KEYS[2], old) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do used = used + tonumber(v) end
-- '%.0f', not tostring: Lua 5.1 prints 14 significant digits (2.1e+15), which BigInt refuses
local usedText = string.format('%.0f', used)
if redis.call('ZSCORE', KEYS[1], id) then return {'ok', usedText} end
if ARGV[7] ~= '1' then
  if ARGV[5] ~= '' and amount > tonumber(ARGV[5]) then return {'OVER_TRANSFER_CAP', usedText} end
  if ARGV[6] ~= '' and used + amount > tonumber(ARGV[6]) then return {'OVER_DAILY_CAP', usedText} end
end
redis.call('ZADD', KEYS[1], now, id)
redis.call('HSET', KEYS[2], id, ARGV[2])
return {'ok', usedText}
`;

type AdmitFn = (...args: (string | number)[]) => Promise<[string, string]>;

export class Governor {
  private readonly admit_: AdmitFn;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly limits: Readonly<Record<Direction, Limits>>,
    private readonly now: () => number = Date.now,
  ) {
    redis.defineCommand('utxoRelayGovernorAdmit', { numberOfKeys: 2, lua: ADMIT_LUA });
    this.admit_ = (redis as unknown as Record<string, AdmitFn>)['utxoRelayGovernorAdmit']!.bind(redis);
  }

  /** Counts `amount` for transfer `id` in its direction's window, unless a cap forbids it. */
  async admit(direction: Direction, id: TransferId, amount: bigint, approved: boolean): Promise<Admission> {
    if (amount < 0n || amount > MAX_EXACT) throw new RangeError(`amount: ${amount} is outside the governor's exact range (0..2^53-1)`);
    const lim = this.limits[direction];
    const [code, used] = await this.admit_(
      this.keys.governor(direction),
      this.keys.governorAmounts(direction),
      id,
      amount.toString(),
      this.now(),
      WINDOW_MS,
      lim.maxPerTransfer?.toString() ?? '',
      lim.dailyCap?.toString() ?? '',
      approved ? '1' : '0',
    );
    if (code === 'ok') return { admitted: true };
    if (code === 'OVER_TRANSFER_CAP') {
      return { admitted: false, code, message: `${amount} is over the ${direction} per-transfer maximum of ${lim.maxPerTransfer} (an operator may approve it)` };
    }
    return {
      admitted: false,
      code: 'OVER_DAILY_CAP',
      message: `${amount} would bring the ${direction} 24-hour total to ${BigInt(used) + amount}, over the cap of ${lim.dailyCap} (it waits for room, or an operator's approval)`,
    };
  }

  /**
   * Counts a transfer that already paid at time `at` (ms) — found on chain by `rescan` after Redis
   * was lost — so that the window is what it was: nothing when `at` is outside the window, and an
   * entry that is already there is kept as it is.
   */
  async restore(direction: Direction, id: TransferId, amount: bigint, at: number): Promise<boolean> {
    if (amount < 0n || amount > MAX_EXACT) throw new RangeError(`amount: ${amount} is outside the governor's exact range (0..2^53-1)`);
    if (at <= this.now() - WINDOW_MS) return false;
    const [[, added]] = (await this.redis.multi().zadd(this.keys.governor(direction), 'NX', at, id).hsetnx(this.keys.governorAmounts(direction), id, amount.toString()).exec()) as [[Error | null, number]];
    return added === 1;
  }

  /** Takes a transfer out of the window (it was rejected or reorged before it paid anything). */
  async forget(direction: Direction, id: TransferId): Promise<void> {
    await this.redis.multi().zrem(this.keys.governor(direction), id).hdel(this.keys.governorAmounts(direction), id).exec();
  }

  /** The total counted in the window now. */
  async used(direction: Direction): Promise<bigint> {
    const cutoff = this.now() - WINDOW_MS;
    const ids = await this.redis.zrangebyscore(this.keys.governor(direction), cutoff + 1, '+inf');
    if (ids.length === 0) return 0n;
    const amounts = await this.redis.hmget(this.keys.governorAmounts(direction), ...ids);
    return amounts.reduce((s, a) => s + BigInt(a ?? '0'), 0n);
  }
}
