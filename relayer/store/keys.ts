/**
 * The Redis key layout of one deployment (docs/redis.md, "Key layout"). Every key starts with
 * `<prefix>:<deployment>:` where prefix is the config's `redis.prefix` (default `{utxo-relay}`: the
 * braces make it a Redis Cluster hash tag, so that the Lua scripts touching several keys stay on
 * one slot).
 *
 * | key | type | holds |
 * |---|---|---|
 * | `t:<transfer id>` | hash | `json` (the Transfer, bigints as strings), `state`, `version` |
 * | `ev:<transfer id>` | list | the transfer's history, newest first, JSON lines (capped) |
 * | `all` | zset | every transfer id, scored by creation time (ms) |
 * | `state:<state>` | zset | ids in that state, scored by last update (ms) |
 * | `blk:<role>:<block hash>` | set | ids of transfers whose source output is in that block |
 * | `cursor:<role>` | hash | `height`, `hash`: the last block the watcher processed |
 * | `headers:<role>` | string | the light client's saved HeaderChain (binary, checksummed) |
 * | `paused` | hash | direction -> JSON {reason, by, at} |
 * | `alerts` | list | JSON alerts, newest first (capped) |
 * | `gov:<direction>` | zset | ids counted in the rolling 24 h window, scored by time (ms) |
 * | `gov:<direction>:amt` | hash | id -> amount (base units) of those ids |
 * | `releases` | hash | burns hash (hex) -> release txid seen on the main chain |
 * | `reserved` | hash | lock outpoint `txid:vout` -> the pegout transfer id whose release spends it |
 * | `lease:watcher:<role>` | string | the owner of the watcher lease of that chain |
 * | `lease:sweeper` | string | the owner of the sweeper lease |
 */
import type { Direction, TransferId, TransferState } from '../transfer.js';

export type ChainRole = 'main' | 'side';

export class Keys {
  readonly base: string;
  constructor(prefix: string, deployment: string) {
    this.base = `${prefix}:${deployment}:`;
  }
  transfer(id: TransferId): string {
    return `${this.base}t:${id}`;
  }
  events(id: TransferId): string {
    return `${this.base}ev:${id}`;
  }
  get all(): string {
    return `${this.base}all`;
  }
  state(state: TransferState): string {
    return `${this.base}state:${state}`;
  }
  block(role: ChainRole, blockHashDisplay: string): string {
    return `${this.base}blk:${role}:${blockHashDisplay}`;
  }
  cursor(role: ChainRole): string {
    return `${this.base}cursor:${role}`;
  }
  headers(role: ChainRole): string {
    return `${this.base}headers:${role}`;
  }
  get paused(): string {
    return `${this.base}paused`;
  }
  get alerts(): string {
    return `${this.base}alerts`;
  }
  governor(direction: Direction): string {
    return `${this.base}gov:${direction}`;
  }
  governorAmounts(direction: Direction): string {
    return `${this.base}gov:${direction}:amt`;
  }
  get releases(): string {
    return `${this.base}releases`;
  }
  get reserved(): string {
    return `${this.base}reserved`;
  }
  lease(role: ChainRole): string {
    return `${this.base}lease:watcher:${role}`;
  }
  get sweeperLease(): string {
    return `${this.base}lease:sweeper`;
  }
}
