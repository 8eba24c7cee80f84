/**
 * The transfer store: every transfer's record in Redis (key layout in keys.ts and docs/redis.md).
 * Each change is one Lua script, so a record, its state index and its history move together; and
 * each change is a compare-and-set on the record's `version`, so two workers that read the same
 * record cannot both move it (the loser re-reads: `mutate`). The chains stay the ground truth;
 * `rescan` rebuilds these records from them.
 */
import type { Redis } from 'ioredis';
import { RelayerError } from '../errors.js';
import { TRANSFER_STATES, type Direction, type Transfer, type TransferId, type TransferState } from '../transfer.js';
import type { ChainRole, Keys } from './keys.js';
import { decodeTransfer, encodeTransfer } from './transfer-codec.js';

/** Kept per transfer in its history list. */
const EVENTS_KEPT = 200;

/**
 * CREATE
 * KEYS: 1 t:<id>, 2 all, 3 state:<state>, 4 blk:<role>:<hash>, 5 ev:<id>
 * ARGV: 1 record JSON, 2 state, 3 now (ms), 4 id, 5 event JSON
 * Result: 1 when created, 0 when a record with this id already exists (nothing changed).
 */
const CREATE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'json', ARGV[1], 'state', ARGV[2], 'version', 1)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
redis.call('SADD', KEYS[4], ARGV[4])
redis.call('LPUSH', KEYS[5], ARGV[5])
return 1
`;

/**
 * UPDATE (compare-and-set on version)
 * KEYS: 1 t:<id>, 2 state:<stored state>, 3 state:<new state>, 4 ev:<id>, 5 blk:<role>:<hash> or ''
 * ARGV: 1 expected version, 2 record JSON, 3 new state, 4 now (ms), 5 id, 6 event JSON, 7 events kept
 * Result: 1 when written; 0 when the stored version differs (someone else moved it) or the
 * record is gone.
 */
const UPDATE_LUA = `
local v = redis.call('HGET', KEYS[1], 'version')
if (not v) or v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'state', ARGV[3], 'version', tonumber(v) + 1)
if KEYS[2] ~= KEYS[3] then redis.call('ZREM', KEYS[2], ARGV[5]) end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
redis.call('LPUSH', KEYS[4], ARGV[6])
redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[7]) - 1)
if KEYS[5] ~= '' then redis.call('SADD', KEYS[5], ARGV[5]) end
return 1
`;

export interface VersionedTransfer {
  readonly transfer: Transfer;
  readonly version: number;
}

export interface TransferEvent {
  readonly at: number;
  readonly from?: TransferState;
  readonly to: TransferState;
  readonly note: string;
}

/** What `mutate` is told to do: the new record and a note for the history; or nothing. */
export type Mutation = { readonly next: Transfer; readonly note: string; readonly addToBlock?: { role: ChainRole; blockHash: string } } | undefined;

type ScriptFn = (...args: (string | number)[]) => Promise<number>;

export class TransferStore {
  private readonly create_: ScriptFn;
  private readonly update_: ScriptFn;

  constructor(
    private readonly redis: Redis,
    readonly keys: Keys,
    private readonly now: () => number = Date.now,
  ) {
    // defineCommand caches the script by SHA (EVALSHA, falling back to EVAL after a restart)
    redis.defineCommand('utxoRelayCreateTransfer', { numberOfKeys: 5, lua: CREATE_LUA });
    redis.defineCommand('utxoRelayUpdateTransfer', { numberOfKeys: 5, lua: UPDATE_LUA });
    const r = redis as unknown as Record<string, ScriptFn>;
    this.create_ = r['utxoRelayCreateTransfer']!.bind(redis);
    this.update_ = r['utxoRelayUpdateTransfer']!.bind(redis);
  }

  /** Records a new transfer found in block `blockHash` of `role`; false when the id is already recorded. */
  async create(transfer: Transfer, role: ChainRole, note: string): Promise<boolean> {
    const at = this.now();
    const event: TransferEvent = { at, to: transfer.state, note };
    const created = await this.create_(
      this.keys.transfer(transfer.id),
      this.keys.all,
      this.keys.state(transfer.state),
      this.keys.block(role, transfer.source.blockHash),
      this.keys.events(transfer.id),
      encodeTransfer({ ...transfer, createdAt: at, updatedAt: at }),
      transfer.state,
      at,
      transfer.id,
      JSON.stringify(event),
    );
    return created === 1;
  }

  async getVersioned(id: TransferId): Promise<VersionedTransfer | undefined> {
    const [json, version] = await this.redis.hmget(this.keys.transfer(id), 'json', 'version');
    if (json === null || json === undefined || version === null || version === undefined) return undefined;
    return { transfer: decodeTransfer(json), version: Number(version) };
  }

  async get(id: TransferId): Promise<Transfer | undefined> {
    return (await this.getVersioned(id))?.transfer;
  }

  /** Many records in one round trip (missing ids are left out). */
  async getMany(ids: readonly TransferId[]): Promise<Transfer[]> {
    const out: Transfer[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const pipeline = this.redis.pipeline();
      for (const id of ids.slice(i, i + 1000)) pipeline.hget(this.keys.transfer(id), 'json');
      for (const [err, json] of (await pipeline.exec()) ?? []) if (err === null && typeof json === 'string') out.push(decodeTransfer(json));
    }
    return out;
  }

  /** The transfer, or TRANSFER_NOT_FOUND. */
  async require(id: TransferId): Promise<Transfer> {
    const t = await this.get(id);
    if (t === undefined) throw new RelayerError('TRANSFER_NOT_FOUND', `no transfer ${id} in this deployment's store`, { details: { id } });
    return t;
  }

  /**
   * Reads the record, asks `decide` what to do with it, and writes the answer if nobody changed
   * the record in between (else reads again, up to `tries` times). Returns the record as stored
   * afterwards. `decide` may throw to refuse; it must not have side effects (it may run again).
   */
  async mutate(id: TransferId, decide: (t: Transfer) => Mutation, tries = 10): Promise<Transfer> {
    for (let i = 0; i < tries; i++) {
      const current = await this.getVersioned(id);
      if (current === undefined) throw new RelayerError('TRANSFER_NOT_FOUND', `no transfer ${id} in this deployment's store`, { details: { id } });
      const m = decide(current.transfer);
      if (m === undefined) return current.transfer;
      const at = this.now();
      const next: Transfer = { ...m.next, id, updatedAt: at };
      const event: TransferEvent = { at, from: current.transfer.state, to: next.state, note: m.note };
      const written = await this.update_(
        this.keys.transfer(id),
        this.keys.state(current.transfer.state),
        this.keys.state(next.state),
        this.keys.events(id),
        m.addToBlock === undefined ? '' : this.keys.block(m.addToBlock.role, m.addToBlock.blockHash),
        String(current.version),
        encodeTransfer(next),
        next.state,
        at,
        id,
        JSON.stringify(event),
        EVENTS_KEPT,
      );
      if (written === 1) return next;
    }
    throw new RelayerError('TRANSFER_STATE_CONFLICT', `transfer ${id} kept changing under ${tries} attempts to update it`, { details: { id } });
  }

  /** The history of a transfer, oldest first. */
  async events(id: TransferId): Promise<TransferEvent[]> {
    const lines = await this.redis.lrange(this.keys.events(id), 0, -1);
    return lines.reverse().map((l) => JSON.parse(l) as TransferEvent);
  }

  /** Ids in `state`, oldest update first; with `updatedBefore` (ms), only those not updated since. */
  async idsInState(state: TransferState, options: { limit?: number; updatedBefore?: number } = {}): Promise<TransferId[]> {
    const max = options.updatedBefore === undefined ? '+inf' : `(${options.updatedBefore}`;
    return (await this.redis.zrangebyscore(this.keys.state(state), '-inf', max, 'LIMIT', 0, options.limit ?? 10_000)) as TransferId[];
  }

  /** Ids of transfers whose source output is in block `blockHash` of `role`. */
  async idsInBlock(role: ChainRole, blockHash: string): Promise<TransferId[]> {
    return (await this.redis.smembers(this.keys.block(role, blockHash))) as TransferId[];
  }

  /** Transfers, newest first, optionally of one state and/or direction. */
  async list(options: { state?: TransferState; direction?: Direction; limit?: number } = {}): Promise<Transfer[]> {
    const limit = options.limit ?? 100;
    const key = options.state === undefined ? this.keys.all : this.keys.state(options.state);
    const out: Transfer[] = [];
    let offset = 0;
    const page = 500;
    while (out.length < limit) {
      const ids = (await this.redis.zrevrange(key, offset, offset + page - 1)) as TransferId[];
      if (ids.length === 0) break;
      offset += ids.length;
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hget(this.keys.transfer(id), 'json');
      const rows = (await pipeline.exec()) ?? [];
      for (const [err, json] of rows) {
        if (err !== null || typeof json !== 'string') continue;
        const t = decodeTransfer(json);
        if (options.direction !== undefined && t.direction !== options.direction) continue;
        out.push(t);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /** How many transfers are in each state. */
  async counts(): Promise<Record<TransferState, number>> {
    const pipeline = this.redis.pipeline();
    for (const s of TRANSFER_STATES) pipeline.zcard(this.keys.state(s));
    const rows = (await pipeline.exec()) ?? [];
    return Object.fromEntries(TRANSFER_STATES.map((s, i) => [s, Number(rows[i]?.[1] ?? 0)])) as Record<TransferState, number>;
  }
}
