/**
 * Byte helpers. Inside the project bytes are Uint8Array; hex appears only at the edges, and a name
 * says the byte order where it matters: `...LE` is the internal (wire) order of a hash,
 * `...Display` is the reversed order that RPCs and explorers print.
 */
import { bytesToHex as nobleBytesToHex, hexToBytes as nobleHexToBytes } from '@noble/hashes/utils.js';

export function bytesToHex(bytes: Uint8Array): string {
  return nobleBytesToHex(bytes);
}

/** Parses hex; throws TypeError naming `label` when it is not an even-length hex string. */
export function hexToBytes(hex: string, label = 'hex'): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new TypeError(`${label}: expected an even-length hex string, got ${describe(hex)}`);
  }
  return nobleHexToBytes(hex);
}

/** A reversed copy. */
export function reversed(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[bytes.length - 1 - i]!;
  return out;
}

/** Internal-order 32-byte hash -> display hex (as RPCs print block hashes and txids). */
export function hashToDisplay(hashLE: Uint8Array): string {
  assertBytes(hashLE, 32, 'hash');
  return bytesToHex(reversed(hashLE));
}

/** Display hex (as RPCs print it) -> internal-order 32-byte hash. */
export function displayToHash(display: string, label = 'hash'): Uint8Array {
  const bytes = hexToBytes(display, label);
  if (bytes.length !== 32) throw new RangeError(`${label}: expected 32 bytes (64 hex digits), got ${bytes.length} bytes`);
  return reversed(bytes);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Labelled boundary check: `value` is a Uint8Array (of exactly `length` bytes when given). */
export function assertBytes(value: unknown, length: number | undefined, label: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${label}: expected Uint8Array, got ${describe(value)}`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${label}: expected ${length} bytes, got ${value.length}`);
  }
}

/** Labelled boundary check for integers in [min, max]. */
export function assertInteger(value: unknown, min: number, max: number, label: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${label}: expected an integer in [${min}, ${max}], got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return value === null ? 'null' : typeof value;
}
