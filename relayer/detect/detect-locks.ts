/**
 * Peg-in detection on the main chain (DESIGN.md §1): every output of a transaction that pays the
 * federation's lock script exactly is one transfer candidate, id `in-<txid>-<vout>`, accepted or
 * with the reason it moves no value. Pure: bytes in, candidates out, never a throw for bad data.
 */
import { equalBytes } from '../../proofs/bytes.js';
import { isCoinbase, type DecodedTransaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { transferIdOf, type TransferId } from '../transfer.js';
import { asDecoded, assertAmount, assertLockScript, destinationRejection, memoKindName, readMemo, rejection, type Rejection } from './reject-reasons.js';

export interface LockContext {
  /** The federation's lock scriptPubKey on the main chain. */
  readonly lockScript: Uint8Array;
  /** An amount at or below this is dust (AMOUNT_DUST). */
  readonly dust: bigint;
  /** The bridge's fee taken from a lock: the payout is `amount - mintFee`, which must stay above dust. */
  readonly mintFee: bigint;
  /** The transaction is its block's coinbase (also recognized from the bytes: a null prevout). */
  readonly isCoinbase: boolean;
}

export interface DetectedLock {
  readonly id: TransferId;
  readonly txidLE: Uint8Array;
  readonly vout: number;
  /** Value of the lock output, satoshis. */
  readonly amount: bigint;
  /** Side-chain destination scriptPubKey of the transaction's lock memo, when it has exactly one well-formed 0x01 memo. */
  readonly destination?: Uint8Array;
  /** `amount - mintFee`, present exactly when the candidate is accepted (no rejection). */
  readonly payout?: bigint;
  readonly rejection?: Rejection;
}

/**
 * The lock candidates of one main-chain transaction, in output order; [] when no output pays
 * `lockScript` (or raw bytes do not decode). All lock outputs of a transaction share its one memo.
 * The first check that fails gives the reason, in this order: COINBASE_LOCK; the memo
 * (MEMO_MISSING, MEMO_AMBIGUOUS when more than one output carries a UBR1 memo of any kind or
 * shape, MEMO_MALFORMED, MEMO_WRONG_KIND); DESTINATION_UNSUPPORTED; AMOUNT_DUST (`amount <= dust`);
 * AMOUNT_BELOW_FEES (`amount - mintFee <= dust`).
 *
 * A release pays its change to the lock script and carries a 0x03 memo: its lock outputs come back
 * here as MEMO_WRONG_KIND. The watcher runs detectReleases first and treats the lock outputs of a
 * transaction that spends the federation's own UTXOs as change, not as deposits.
 *
 * Throws (TypeError/RangeError) only on a malformed `ctx` or a `tx` of the wrong type.
 */
export function detectLocks(tx: DecodedTransaction | Uint8Array, ctx: LockContext): DetectedLock[] {
  assertLockContext(ctx);
  const decoded = asDecoded(tx);
  if (decoded === undefined) return [];
  const outputs = decoded.tx.outputs;
  const lockVouts: number[] = [];
  outputs.forEach((output, vout) => {
    if (equalBytes(output.scriptPubKey, ctx.lockScript)) lockVouts.push(vout);
  });
  if (lockVouts.length === 0) return [];

  const memo = lockMemo(outputs);
  const coinbase = ctx.isCoinbase || isCoinbase(decoded.tx);
  const destinationProblem = memo.destination === undefined ? undefined : destinationRejection(memo.destination, ctx.lockScript, 'lock memo');

  return lockVouts.map((vout) => {
    const amount = outputs[vout]!.value;
    const where = `lock output ${vout}`;
    let problem: Rejection | undefined;
    if (coinbase) problem = rejection('COINBASE_LOCK', `${where}: the transaction is a coinbase`);
    else if (memo.rejection !== undefined) problem = { code: memo.rejection.code, message: `${where}: ${memo.rejection.message}` };
    else if (destinationProblem !== undefined) problem = { code: destinationProblem.code, message: `${where}: ${destinationProblem.message}` };
    else if (amount <= ctx.dust) problem = rejection('AMOUNT_DUST', `${where}: amount ${amount} is at or below the dust limit ${ctx.dust}`);
    else if (amount - ctx.mintFee <= ctx.dust) {
      problem = rejection('AMOUNT_BELOW_FEES', `${where}: amount ${amount} minus the mint fee ${ctx.mintFee} leaves ${amount - ctx.mintFee}, at or below the dust limit ${ctx.dust}`);
    }
    return {
      id: transferIdOf('pegin', decoded.txidLE, vout),
      txidLE: decoded.txidLE.slice(),
      vout,
      amount,
      ...(memo.destination === undefined ? {} : { destination: memo.destination.slice() }),
      ...(problem === undefined ? { payout: amount - ctx.mintFee } : { rejection: problem }),
    };
  });
}

/** The transaction's one lock memo, or why it has none usable. */
function lockMemo(outputs: readonly TxOutput[]): { destination?: Uint8Array; rejection?: Rejection } {
  const found: { vout: number; reading: NonNullable<ReturnType<typeof readMemo>> }[] = [];
  outputs.forEach((output, vout) => {
    const reading = readMemo(output.scriptPubKey);
    if (reading !== null) found.push({ vout, reading });
  });
  if (found.length === 0) return { rejection: rejection('MEMO_MISSING', 'the transaction has no UBR1 memo output') };
  if (found.length > 1) {
    return { rejection: rejection('MEMO_AMBIGUOUS', `the transaction has ${found.length} UBR1 memo outputs (${found.map((f) => f.vout).join(', ')}), exactly one is allowed`) };
  }
  const { vout, reading } = found[0]!;
  if ('malformed' in reading) return { rejection: rejection('MEMO_MALFORMED', `output ${vout}: ${reading.malformed}`) };
  const memo = reading.memo;
  if (memo.kind !== 'lock') return { rejection: rejection('MEMO_WRONG_KIND', `output ${vout} carries ${memoKindName(memo)} memo, a lock needs a lock (0x01) memo`) };
  return { destination: memo.destinationScript };
}

function assertLockContext(ctx: LockContext): void {
  if (typeof ctx !== 'object' || ctx === null) throw new TypeError('ctx: expected { lockScript, dust, mintFee, isCoinbase }');
  assertLockScript(ctx.lockScript, 'ctx.lockScript');
  assertAmount(ctx.dust, 'ctx.dust');
  assertAmount(ctx.mintFee, 'ctx.mintFee');
  if (typeof ctx.isCoinbase !== 'boolean') throw new TypeError(`ctx.isCoinbase: expected a boolean, got ${typeof ctx.isCoinbase}`);
}
