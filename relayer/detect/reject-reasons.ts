/**
 * Why a lock or a burn that the detectors found moves no value (DESIGN.md §1, "bad input gets a
 * clear recorded reason"). The codes are stable: they are stored in transfer records, shown to
 * operators and matched by tools. The sentence of each code tells the operator what happened and
 * what to do about it; the candidate's own `message` adds the specifics (output, amounts, bytes).
 *
 * Also the checks the three detectors share: reading a UBR1 memo without throwing, the destination
 * policy, and accepting a transaction as decoded or raw bytes. Only the table and the types are
 * re-exported by index.ts.
 */
import { assertBytes, equalBytes } from '../../proofs/bytes.js';
import { ProofError } from '../../proofs/errors.js';
import { parseMemo, type Memo } from '../../proofs/bitcoin/memo.js';
import { classifyScript } from '../../proofs/bitcoin/script.js';
import { decodeTransaction, type DecodedTransaction } from '../../proofs/bitcoin/transaction.js';

export const REJECT_REASONS = {
  MEMO_MISSING:
    'The transaction pays the lock but carries no UBR1 memo, so there is no destination to mint to: refund the amount to the sender (the user must send again with an `OP_RETURN "UBR1" 0x01` memo).',
  MEMO_MALFORMED:
    'The output starts with the UBR1 magic but the memo is malformed (truncated, bad length byte, unknown kind or extra data): refund the amount to the sender, who must build the memo with a conforming wallet.',
  MEMO_WRONG_KIND:
    "The UBR1 memo is of the wrong kind for this chain (e.g. a burn or release memo on a lock, a lock or release memo on the side chain), so the value cannot be settled: refund it to the sender, who must use 0x01 to lock on the main chain and 0x02 to burn on the side chain.",
  MEMO_AMBIGUOUS:
    'The transaction carries more than one UBR1 memo, so it is not clear where the lock should be minted: refund the amount to the sender, who must send again with exactly one 0x01 memo.',
  DESTINATION_UNSUPPORTED:
    "The memo's destination script is not a standard segwit output of the other chain (only P2WPKH, P2WSH and P2TR are accepted, and never the federation's lock script): refund the amount to the sender, who must give a P2WPKH, P2WSH or P2TR destination.",
  AMOUNT_DUST:
    'The amount is at or below the dust limit, so no payout of it could be relayed: refund it to the sender if it is worth the fee, or leave it; the user must send more than the dust limit.',
  AMOUNT_BELOW_FEES:
    'The amount does not cover the bridge fee plus the dust limit, so the payout would be worthless: refund it to the sender if it is worth the fee; the user must send more than fee + dust.',
  COINBASE_LOCK:
    'The lock output is in a coinbase transaction, which cannot be spent for 100 blocks and vanishes on a reorg, so it is refused: the miner can spend it back to themselves once it matures, or an operator refunds it.',
} as const satisfies Record<string, string>;

export type RejectCode = keyof typeof REJECT_REASONS;
export const REJECT_CODES: readonly RejectCode[] = Object.keys(REJECT_REASONS) as RejectCode[];

/** A stable code and a sentence with the specifics; assignable to `Reason` of relayer/transfer.ts. */
export interface Rejection {
  readonly code: RejectCode;
  readonly message: string;
}

export function rejection(code: RejectCode, message: string): Rejection {
  return { code, message };
}

/** What an output script holds: no UBR1 memo (null), a memo, or a UBR1 memo that is malformed. */
export type MemoReading = null | { readonly memo: Memo } | { readonly malformed: string };

/**
 * parseMemo without throwing on bad data: a malformed UBR1 memo becomes `{ malformed }`. Anything
 * but a MEMO_MALFORMED ProofError (a script that is not bytes: a programmer error) is rethrown.
 */
export function readMemo(scriptPubKey: Uint8Array): MemoReading {
  try {
    const memo = parseMemo(scriptPubKey);
    return memo === null ? null : { memo };
  } catch (error) {
    if (error instanceof ProofError && error.code === 'MEMO_MALFORMED') return { malformed: error.message };
    throw error;
  }
}

/** Memo kind byte as it is written, for messages. */
export function memoKindName(memo: Memo): string {
  return memo.kind === 'lock' ? 'a lock (0x01)' : memo.kind === 'burn' ? 'a burn (0x02)' : 'a release (0x03)';
}

/**
 * The destination policy, the same on both chains: the payout must go to a standard, spendable
 * segwit output (P2WPKH, P2WSH: witness v0 of 20/32 bytes; P2TR: v1 of 32 bytes), and never to the
 * federation's lock script (the coins would become federation funds no transfer accounts for).
 * OP_RETURN, P2PKH and P2SH (the devnet accepts segwit only), bare scripts and unknown witness
 * versions are refused. Returns the rejection, or undefined when the destination is acceptable.
 */
export function destinationRejection(destination: Uint8Array, lockScript: Uint8Array, where: string): Rejection | undefined {
  if (equalBytes(destination, lockScript)) {
    return rejection('DESTINATION_UNSUPPORTED', `${where}: the destination is the federation's lock script`);
  }
  const kind = classifyScript(destination);
  if (kind.type === 'p2wpkh' || kind.type === 'p2wsh' || kind.type === 'p2tr') return undefined;
  const described = kind.type === 'witness_unknown' ? `witness v${kind.version} program of ${kind.program.length} bytes` : kind.type;
  return rejection('DESTINATION_UNSUPPORTED', `${where}: the destination script is ${described}, not P2WPKH, P2WSH or P2TR`);
}

/**
 * The decoded form of a detector's input. Raw bytes that do not decode give undefined: a block's
 * transactions were decoded by the adapter and checked against the Merkle root, so such bytes name
 * no output that could hold value, and there is nothing to list.
 */
export function asDecoded(tx: DecodedTransaction | Uint8Array): DecodedTransaction | undefined {
  if (tx instanceof Uint8Array) {
    try {
      return decodeTransaction(tx);
    } catch (error) {
      if (error instanceof ProofError) return undefined;
      throw error;
    }
  }
  if (typeof tx !== 'object' || tx === null || !(tx.txidLE instanceof Uint8Array) || typeof tx.tx !== 'object' || !Array.isArray(tx.tx.outputs)) {
    throw new TypeError('tx: expected a DecodedTransaction or the raw transaction bytes');
  }
  assertBytes(tx.txidLE, 32, 'tx.txidLE');
  return tx;
}

/** Labelled check of a non-negative bigint amount in a detector's context. */
export function assertAmount(value: unknown, label: string): asserts value is bigint {
  if (typeof value !== 'bigint' || value < 0n) throw new RangeError(`${label}: expected a non-negative bigint, got ${typeof value === 'bigint' ? value : typeof value}`);
}

/** Labelled check of the lock script in a detector's context. */
export function assertLockScript(value: unknown, label: string): asserts value is Uint8Array {
  assertBytes(value, undefined, label);
  if (value.length === 0) throw new RangeError(`${label}: expected the federation's lock scriptPubKey, got an empty script`);
}
