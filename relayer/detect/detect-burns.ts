/**
 * Peg-out detection on the side chain (DESIGN.md §1): every `OP_RETURN "UBR1" 0x02` output is a
 * burn of its value, one transfer candidate with id `out-<txid>-<vout>`, accepted or with the
 * reason it moves no value. Pure: bytes in, candidates out, never a throw for bad data.
 */
import type { DecodedTransaction } from '../../proofs/bitcoin/transaction.js';
import { transferIdOf, type TransferId } from '../transfer.js';
import { asDecoded, assertAmount, assertLockScript, destinationRejection, memoKindName, readMemo, rejection, type Rejection } from './reject-reasons.js';

export interface BurnContext {
  /** An amount at or below this is dust (AMOUNT_DUST). */
  readonly dust: bigint;
  /**
   * Optional: the release fee set aside per burn. When given, a burn whose `amount - reserve` is at
   * or below dust is AMOUNT_BELOW_FEES. The real fee is decided when the release is built.
   */
  readonly releaseFeeReserve?: bigint;
  /** The federation's lock scriptPubKey on the MAIN chain: refused as a release destination. */
  readonly lockScript: Uint8Array;
}

export interface DetectedBurn {
  readonly id: TransferId;
  readonly txidLE: Uint8Array;
  readonly vout: number;
  /** Value of the memo output: the amount burned (and, when rejected, destroyed). */
  readonly amount: bigint;
  /** Main-chain destination scriptPubKey from a well-formed 0x02 memo. */
  readonly destination?: Uint8Array;
  readonly rejection?: Rejection;
}

/**
 * The burn candidates of one side-chain transaction, in output order ([] when none, or when raw
 * bytes do not decode):
 * - a well-formed 0x02 memo: DESTINATION_UNSUPPORTED, then AMOUNT_DUST (`amount <= dust`), then
 *   AMOUNT_BELOW_FEES (only with `releaseFeeReserve`), else accepted;
 * - a UBR1-prefixed malformed memo: always a MEMO_MALFORMED candidate (whatever its value);
 * - a 0x01 or 0x03 memo: a MEMO_WRONG_KIND candidate when its value is above 0 (that value is
 *   destroyed and must be listed for a refund), else not listed.
 * Several burns in one transaction are independent candidates. Throws (TypeError/RangeError) only
 * on a malformed `ctx` or a `tx` of the wrong type.
 */
export function detectBurns(tx: DecodedTransaction | Uint8Array, ctx: BurnContext): DetectedBurn[] {
  assertBurnContext(ctx);
  const decoded = asDecoded(tx);
  if (decoded === undefined) return [];
  const burns: DetectedBurn[] = [];
  decoded.tx.outputs.forEach((output, vout) => {
    const reading = readMemo(output.scriptPubKey);
    if (reading === null) return;
    const amount = output.value;
    const where = `burn output ${vout}`;
    const base = { id: transferIdOf('pegout', decoded.txidLE, vout), txidLE: decoded.txidLE.slice(), vout, amount };
    if ('malformed' in reading) {
      burns.push({ ...base, rejection: rejection('MEMO_MALFORMED', `${where}: ${reading.malformed}`) });
      return;
    }
    const memo = reading.memo;
    if (memo.kind !== 'burn') {
      if (amount > 0n) burns.push({ ...base, rejection: rejection('MEMO_WRONG_KIND', `${where}: ${amount} sent to ${memoKindName(memo)} memo, a burn needs a burn (0x02) memo`) });
      return;
    }
    const destination = memo.destinationScript;
    let problem = destinationRejection(destination, ctx.lockScript, where);
    if (problem === undefined && amount <= ctx.dust) problem = rejection('AMOUNT_DUST', `${where}: amount ${amount} is at or below the dust limit ${ctx.dust}`);
    if (problem === undefined && ctx.releaseFeeReserve !== undefined && amount - ctx.releaseFeeReserve <= ctx.dust) {
      problem = rejection(
        'AMOUNT_BELOW_FEES',
        `${where}: amount ${amount} minus the release fee reserve ${ctx.releaseFeeReserve} leaves ${amount - ctx.releaseFeeReserve}, at or below the dust limit ${ctx.dust}`,
      );
    }
    burns.push({ ...base, destination, ...(problem === undefined ? {} : { rejection: problem }) });
  });
  return burns;
}

function assertBurnContext(ctx: BurnContext): void {
  if (typeof ctx !== 'object' || ctx === null) throw new TypeError('ctx: expected { dust, lockScript, releaseFeeReserve? }');
  assertAmount(ctx.dust, 'ctx.dust');
  if (ctx.releaseFeeReserve !== undefined) assertAmount(ctx.releaseFeeReserve, 'ctx.releaseFeeReserve');
  assertLockScript(ctx.lockScript, 'ctx.lockScript');
}
