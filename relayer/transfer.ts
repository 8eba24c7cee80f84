/**
 * A transfer: one lock output (peg-in) or one burn output (peg-out), from the block that holds it
 * to the payout that settles it. The transfer id is the source outpoint, so that one outpoint can
 * never become two transfers (DESIGN.md §1):
 *   peg-in   `in-<lock txid>-<vout>`   (txid in display order, lowercase hex)
 *   peg-out  `out-<burn txid>-<vout>`
 * (`-`, not `:`: BullMQ refuses `:` in custom job ids, and job ids are built from transfer ids.)
 *
 * States (docs/relayer.md has the diagram):
 *   seen -> confirming -> verified -> signing -> broadcast -> completed
 *   held      waits for an operator's approval or for room under a cap
 *   rejected  bad input; `reason` says why; never moves value (listed for refund)
 *   reorged   its block left the best chain before completion; it goes back to `confirming` when
 *             the outpoint shows up again, and stays `reorged` (visible) when it does not
 */
import { hashToDisplay } from '../proofs/bytes.js';

export type Direction = 'pegin' | 'pegout';
export const DIRECTIONS: readonly Direction[] = ['pegin', 'pegout'];

export type TransferState = 'seen' | 'confirming' | 'verified' | 'signing' | 'broadcast' | 'completed' | 'held' | 'rejected' | 'reorged';
export const TRANSFER_STATES: readonly TransferState[] = ['seen', 'confirming', 'verified', 'signing', 'broadcast', 'completed', 'held', 'rejected', 'reorged'];
/** States a transfer never leaves by itself. */
export const FINAL_STATES: ReadonlySet<TransferState> = new Set(['completed', 'rejected']);

declare const transferIdBrand: unique symbol;
export type TransferId = string & { readonly [transferIdBrand]: true };

const ID_PATTERN = /^(in|out)-([0-9a-f]{64})-(\d{1,10})$/;

/** The id of the transfer of source outpoint `txidLE:vout`. */
export function transferIdOf(direction: Direction, txidLE: Uint8Array, vout: number): TransferId {
  if (!Number.isInteger(vout) || vout < 0 || vout > 0xffffffff) throw new RangeError(`vout: expected an output index, got ${String(vout)}`);
  return `${direction === 'pegin' ? 'in' : 'out'}-${hashToDisplay(txidLE)}-${vout}` as TransferId;
}

/** Parses and checks a transfer id typed by an operator or read back from Redis. */
export function parseTransferId(text: string): { id: TransferId; direction: Direction; txidDisplay: string; vout: number } {
  const m = ID_PATTERN.exec(text);
  if (m === null) throw new RangeError(`transfer id: expected "in-<txid>-<vout>" or "out-<txid>-<vout>", got ${JSON.stringify(text)}`);
  const vout = Number(m[3]);
  if (vout > 0xffffffff) throw new RangeError(`transfer id: output index ${m[3]} is out of range`);
  return { id: text as TransferId, direction: m[1] === 'in' ? 'pegin' : 'pegout', txidDisplay: m[2]!, vout };
}

/** Where the source output was seen (display-order hashes). */
export interface SourceRef {
  readonly txid: string;
  readonly vout: number;
  readonly blockHash: string;
  readonly height: number;
}

/** Why a transfer is rejected or held: a stable code (docs/relayer.md#reasons) and a sentence. */
export interface Reason {
  readonly code: string;
  readonly message: string;
}

/** `txid:vout` in display order: how payouts and reservations name an outpoint. */
export function outpointText(o: { readonly txidLE: Uint8Array; readonly vout: number }): string {
  return `${hashToDisplay(o.txidLE)}:${o.vout}`;
}

/** The payout transaction (a mint or a release), stored before it is broadcast. */
export interface PayoutTx {
  readonly txid: string;
  readonly rawTx: string;
  /** Outpoints it spends (`txid:vout`, display order); a release is tracked by these, not by txid. */
  readonly inputs: readonly string[];
  readonly fee: bigint;
  readonly feeRate: number;
  /** Height of the destination chain's tip when it was first broadcast (fee bumps count from it). */
  readonly broadcastHeight?: number;
}

export interface Transfer {
  readonly id: TransferId;
  readonly direction: Direction;
  readonly state: TransferState;
  /** Bumped each time the transfer re-enters the pipeline (reorg, retry, approval): part of job ids. */
  readonly generation: number;
  readonly source: SourceRef;
  /** Value of the source output as seen by the watcher; re-derived from proven bytes at `verify`. */
  readonly amount: bigint;
  /** Destination scriptPubKey (hex) from the memo. */
  readonly destination: string;
  /** Amount paid to the destination once fees are taken; set at `verify`. */
  readonly payoutAmount?: bigint;
  readonly reason?: Reason;
  /** The proof this operator checked: block, height and confirmations at the time. */
  readonly proof?: { readonly blockHash: string; readonly height: number; readonly confirmations: number; readonly checkedAt: number };
  /** The current payout transaction; earlier versions (fee bumps) are in `payoutHistory`. */
  readonly payout?: PayoutTx;
  readonly payoutHistory?: readonly PayoutTx[];
  /** Signatures collected, by federation key index: hex, one per sighash. */
  readonly signatures?: Readonly<Record<string, readonly string[]>>;
  /** An operator approved it past a cap. */
  readonly approved?: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}
