/**
 * Transfers to and from the JSON stored in Redis: bigints as decimal strings, everything else as
 * is. Decoding checks the shape, so that a damaged record is an error naming the field, not a
 * wrong amount.
 */
import { parseTransferId, TRANSFER_STATES, type PayoutTx, type Transfer, type TransferState } from '../transfer.js';

type Json = Record<string, unknown>;

function payoutToJson(p: PayoutTx): Json {
  return { ...p, fee: p.fee.toString() };
}

export function encodeTransfer(t: Transfer): string {
  const out: Json = { ...t, amount: t.amount.toString() };
  if (t.payoutAmount !== undefined) out['payoutAmount'] = t.payoutAmount.toString();
  if (t.payout !== undefined) out['payout'] = payoutToJson(t.payout);
  if (t.payoutHistory !== undefined) out['payoutHistory'] = t.payoutHistory.map(payoutToJson);
  return JSON.stringify(out);
}

function big(v: unknown, field: string): bigint {
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw new TypeError(`transfer record: ${field}: expected a decimal string, got ${JSON.stringify(v)}`);
  return BigInt(v);
}

function payoutFromJson(v: unknown, field: string): PayoutTx {
  if (typeof v !== 'object' || v === null) throw new TypeError(`transfer record: ${field}: expected an object`);
  const p = v as Json;
  if (typeof p['txid'] !== 'string' || typeof p['rawTx'] !== 'string' || !Array.isArray(p['inputs'])) throw new TypeError(`transfer record: ${field}: missing txid, rawTx or inputs`);
  return { txid: p['txid'], rawTx: p['rawTx'], inputs: p['inputs'] as string[], fee: big(p['fee'], `${field}.fee`), feeRate: Number(p['feeRate']), ...(p['broadcastHeight'] === undefined ? {} : { broadcastHeight: Number(p['broadcastHeight']) }) };
}

export function decodeTransfer(text: string): Transfer {
  const j = JSON.parse(text) as Json;
  const { id, direction } = parseTransferId(String(j['id']));
  if (!TRANSFER_STATES.includes(j['state'] as TransferState)) throw new TypeError(`transfer record ${id}: state: unknown state ${JSON.stringify(j['state'])}`);
  if (j['direction'] !== direction) throw new TypeError(`transfer record ${id}: direction: expected ${JSON.stringify(direction)} (from the id), got ${JSON.stringify(j['direction'])}`);
  if (!Number.isSafeInteger(j['generation'])) throw new TypeError(`transfer record ${id}: generation: expected an integer, got ${JSON.stringify(j['generation'])}`);
  const s = j['source'] as Json | undefined;
  if (typeof s !== 'object' || s === null || typeof s['txid'] !== 'string' || typeof s['blockHash'] !== 'string' || !Number.isSafeInteger(s['vout']) || !Number.isSafeInteger(s['height'])) {
    throw new TypeError(`transfer record ${id}: source: expected {txid, vout, blockHash, height}, got ${JSON.stringify(s)}`);
  }
  const t: Record<string, unknown> = { ...j, id, amount: big(j['amount'], 'amount') };
  if (j['payoutAmount'] !== undefined) t['payoutAmount'] = big(j['payoutAmount'], 'payoutAmount');
  if (j['payout'] !== undefined) t['payout'] = payoutFromJson(j['payout'], 'payout');
  if (j['payoutHistory'] !== undefined) {
    if (!Array.isArray(j['payoutHistory'])) throw new TypeError(`transfer record ${id}: payoutHistory: expected an array`);
    t['payoutHistory'] = (j['payoutHistory'] as unknown[]).map((p, i) => payoutFromJson(p, `payoutHistory[${i}]`));
  }
  return t as unknown as Transfer;
}
