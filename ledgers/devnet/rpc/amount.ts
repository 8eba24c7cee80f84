/**
 * Amounts as Bitcoin Core's RPC writes and reads them: coins with exactly 8 decimals of the base
 * unit, as a JSON number (5000000000 base units -> `50.00000000`). Exact both ways: the text comes
 * from ledgers/bitcoin/amount.ts (bigint <-> decimal text), never from a float.
 */
import { formatCoins, parseCoins } from '../../bitcoin/amount.js';
import { JsonNumberText } from './json.js';

export const COIN = 100_000_000n;

/** `5000000000n` -> `"50.00000000"` (Core's ValueFromAmount). */
export function formatAmount(baseUnits: bigint): string {
  if (typeof baseUnits !== 'bigint') throw new TypeError(`amount: expected a bigint of base units, got ${typeof baseUnits}`);
  return formatCoins(baseUnits);
}

/** The amount as a JSON number with 8 decimals. */
export function amountJson(baseUnits: bigint): JsonNumberText {
  return new JsonNumberText(formatAmount(baseUnits));
}

/**
 * Reads an amount parameter (Core's AmountFromValue): a JSON number or a numeric string in coins,
 * at most 8 decimals, within [0, 21 million coins]. A number is read through its shortest
 * round-trip decimal text (what the client wrote, for any amount of at most 15 significant
 * digits), then as exact decimal. TypeError for another type; RangeError "Invalid amount" or
 * "Amount out of range" (Core's messages) prefixed by `label`.
 */
export function parseAmount(value: unknown, label = 'amount'): bigint {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${label}: Invalid amount`);
    text = numberToPlainText(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    throw new TypeError(`${label}: Amount is not a number or string`);
  }
  if (/^-\d+(\.\d+)?$/.test(text)) throw new RangeError(`${label}: Amount out of range`);
  if (!/^\d+(\.\d*)?$/.test(text)) throw new RangeError(`${label}: Invalid amount`);
  const [whole, fraction = ''] = text.split('.') as [string, string?];
  if (fraction.length > 8) throw new RangeError(`${label}: Invalid amount`);
  const normalized = `${whole.replace(/^0+(?=\d)/, '')}${fraction === '' ? '' : `.${fraction}`}`;
  try {
    return parseCoins(normalized, label);
  } catch (cause) {
    throw new RangeError(`${label}: Amount out of range`, { cause });
  }
}

/** A finite number as plain decimal text (no exponent): 1e-8 -> "0.00000001". */
function numberToPlainText(value: number): string {
  const text = String(value);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const digits = m[2]! + (m[3] ?? '');
  const point = m[2]!.length + Number(m[4]);
  if (point <= 0) return `${m[1]}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${m[1]}${digits}${'0'.repeat(point - digits.length)}`;
  return `${m[1]}${digits.slice(0, point)}.${digits.slice(point)}`;
}
