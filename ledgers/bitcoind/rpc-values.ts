/**
 * Reading Bitcoin Core's JSON answers at the edge: each helper checks the shape of one value and
 * throws LedgerError NODE_FAULTY naming the method and field when a node answers nonsense.
 */
import { hexToBytes } from '../../proofs/bytes.js';
import { formatCoins } from '../bitcoin/amount.js';
import { LedgerError } from '../errors.js';

/** A NODE_FAULTY error for an answer of the wrong shape. */
export function faulty(method: string, what: string, cause?: unknown): LedgerError {
  return new LedgerError('NODE_FAULTY', `${method}: ${what}`, cause === undefined ? { details: { method } } : { cause, details: { method } });
}

/** A JSON object, or NODE_FAULTY. */
export function asObject(value: unknown, method: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw faulty(method, 'expected a JSON object');
  return value as Record<string, unknown>;
}

/** A string field (or the value itself with `field` undefined). */
export function asString(value: unknown, method: string, field: string): string {
  if (typeof value !== 'string') throw faulty(method, `${field}: expected a string`);
  return value;
}

/** A non-negative safe integer. */
export function asHeight(value: unknown, method: string, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw faulty(method, `${field}: expected a non-negative integer`);
  return value;
}

/** A safe integer (may be negative, e.g. confirmations -1). */
export function asInteger(value: unknown, method: string, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw faulty(method, `${field}: expected an integer`);
  return value;
}

/** Hex bytes of an answer. */
export function asHexBytes(value: unknown, method: string, field: string): Uint8Array {
  const text = asString(value, method, field);
  try {
    return hexToBytes(text, field);
  } catch (cause) {
    throw faulty(method, `${field}: expected hex`, cause);
  }
}

/** A 64-digit display hash. */
export function asHashDisplay(value: unknown, method: string, field: string): string {
  const text = asString(value, method, field);
  if (!/^[0-9a-f]{64}$/.test(text)) throw faulty(method, `${field}: expected a 64-digit hex hash`);
  return text;
}

/**
 * An amount written by Core as a JSON number of coins with 8 decimals, in base units, exactly: the
 * amount whose decimal text (what the node wrote) parses to this very double, found from the
 * double's exact binary value (bigint arithmetic, no floating multiplication), and checked to be
 * the only one. NODE_FAULTY for a negative number, a number that is not a whole number of base
 * units, or one too large for a JSON number to name a single amount (from 2^26 coins, about 67
 * million, neighbouring amounts can parse to the same double; below, every amount is exact).
 */
export function asAmount(value: unknown, method: string, field: string): bigint {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw faulty(method, `${field}: expected a non-negative amount`);
  const units = nearestBaseUnits(value);
  if (coinsToDouble(units) !== value) throw faulty(method, `${field}: ${value} is not a whole number of base units`);
  if (coinsToDouble(units - 1n) === value || coinsToDouble(units + 1n) === value) {
    throw faulty(method, `${field}: amount ${value} is too large to be read exactly from a JSON number`);
  }
  return units;
}

/** The base units nearest to `coins` (a finite non-negative double), from its exact binary value. */
function nearestBaseUnits(coins: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, coins);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // coins = mantissa * 2^shift exactly (subnormals have no implicit bit)
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  const shift = (exponent === 0 ? 1 : exponent) - 1075;
  const scaled = mantissa * COIN;
  if (shift >= 0) return scaled << BigInt(shift);
  const denominator = 1n << BigInt(-shift);
  return (scaled + denominator / 2n) / denominator;
}

/** What JSON.parse gives for the decimal text Core writes for `units` (NaN below zero). */
function coinsToDouble(units: bigint): number {
  return units < 0n ? Number.NaN : Number(formatCoins(units));
}

const COIN = 100_000_000n;

/** True for a NODE_REFUSED error carrying one of these RPC codes. */
export function isRefusal(error: unknown, ...rpcCodes: number[]): error is LedgerError {
  return error instanceof LedgerError && error.code === 'NODE_REFUSED' && rpcCodes.includes(error.details['rpcCode'] as number);
}

/** The results of a batch, throwing the first LedgerError in it. */
export function unwrapBatch(results: readonly unknown[]): unknown[] {
  for (const r of results) if (r instanceof LedgerError) throw r;
  return [...results];
}

/** RPC codes of Bitcoin Core used by the adapter. */
export const RPC = {
  METHOD_NOT_FOUND: -32601,
  INVALID_ADDRESS_OR_KEY: -5,
  INVALID_PARAMETER: -8,
  VERIFY_ALREADY_IN_CHAIN: -27,
} as const;
