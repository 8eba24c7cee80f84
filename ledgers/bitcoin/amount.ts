/**
 * Amounts at the edges: coins as decimal text (what people type and RPCs print, 8 decimals) <->
 * bigint base units (what the code uses). Exact: never through floating point.
 */
const DECIMALS = 8;
const UNIT = 10n ** BigInt(DECIMALS);
export const MAX_AMOUNT = 21_000_000n * UNIT;

/** "1.5" -> 150000000n. RangeError naming `label` for anything but a non-negative decimal with <= 8 places. */
export function parseCoins(text: string, label = 'amount'): bigint {
  const match = /^(\d{1,8})(?:\.(\d{1,8}))?$/.exec(text.trim());
  if (match === null) throw new RangeError(`${label}: expected a number of coins with at most 8 decimals, got ${JSON.stringify(text)}`);
  const units = BigInt(match[1]!) * UNIT + BigInt((match[2] ?? '').padEnd(DECIMALS, '0'));
  if (units > MAX_AMOUNT) throw new RangeError(`${label}: ${text} is more than 21,000,000 coins`);
  return units;
}

/** 150000000n -> "1.50000000" (always 8 decimals, as Bitcoin Core prints amounts). */
export function formatCoins(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  return `${negative ? '-' : ''}${abs / UNIT}.${(abs % UNIT).toString().padStart(DECIMALS, '0')}`;
}
