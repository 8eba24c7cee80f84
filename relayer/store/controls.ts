/**
 * The operator's switches and the relayer's alarms, in Redis so that every process of a deployment
 * sees them: a pause per direction (set by an operator, by a failed reserve check or by a reorg of
 * a lock that was already minted) and a capped list of alerts.
 */
import type { Redis } from 'ioredis';
import type { Direction } from '../transfer.js';
import type { Keys } from './keys.js';

export interface PauseReason {
  readonly reason: string;
  /** `operator`, `reserve-check`, `reorg`... */
  readonly by: string;
  readonly at: number;
}

export interface Alert {
  readonly at: number;
  /** A stable kind: RESERVE_CHECK_FAILED, MINTED_LOCK_REORGED, RELEASED_BURN_REORGED, PAYOUT_CONFLICT, NODE_FAULTY. */
  readonly kind: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

const ALERTS_KEPT = 1000;

export class Controls {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly now: () => number = Date.now,
  ) {}

  async pause(direction: Direction, reason: string, by: string): Promise<void> {
    const value: PauseReason = { reason, by, at: this.now() };
    await this.redis.hset(this.keys.paused, direction, JSON.stringify(value));
  }

  async resume(direction: Direction): Promise<boolean> {
    return (await this.redis.hdel(this.keys.paused, direction)) === 1;
  }

  async pausedReason(direction: Direction): Promise<PauseReason | undefined> {
    const v = await this.redis.hget(this.keys.paused, direction);
    return v === null ? undefined : (JSON.parse(v) as PauseReason);
  }

  async paused(): Promise<Partial<Record<Direction, PauseReason>>> {
    const all = await this.redis.hgetall(this.keys.paused);
    return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, JSON.parse(v) as PauseReason]));
  }

  async alert(kind: string, message: string, details?: Record<string, unknown>): Promise<Alert> {
    const a: Alert = { at: this.now(), kind, message, ...(details === undefined ? {} : { details }) };
    await this.redis.multi().lpush(this.keys.alerts, JSON.stringify(a)).ltrim(this.keys.alerts, 0, ALERTS_KEPT - 1).exec();
    return a;
  }

  /** Newest first. */
  async alerts(limit = 100): Promise<Alert[]> {
    return (await this.redis.lrange(this.keys.alerts, 0, limit - 1)).map((l) => JSON.parse(l) as Alert);
  }
}
