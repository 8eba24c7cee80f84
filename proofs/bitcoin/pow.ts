/**
 * Proof of work for the Bitcoin family: compact "nBits" <-> 256-bit targets exactly as Bitcoin
 * Core's arith_uint256 SetCompact/GetCompact, the work a target represents, and the
 * hash <= target comparison.
 */
import { ProofError } from '../errors.js';

const TWO_256 = 1n << 256n;

/**
 * Decodes compact bits to a target. Refuses, as Core's CheckProofOfWork does, a negative target
 * (sign bit set on a non-zero mantissa), one that overflows 256 bits, and zero.
 */
export function bitsToTarget(bits: number): bigint {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) {
    throw new ProofError('BITS_INVALID', `bits: expected a uint32, got ${bits}`);
  }
  const size = bits >>> 24;
  let word = bits & 0x007fffff;
  const hex = `0x${(bits >>> 0).toString(16).padStart(8, '0')}`;
  if (word !== 0 && (bits & 0x00800000) !== 0) {
    throw new ProofError('BITS_INVALID', `bits ${hex}: negative target (sign bit set)`, { details: { bits } });
  }
  if (word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))) {
    throw new ProofError('BITS_INVALID', `bits ${hex}: target overflows 256 bits`, { details: { bits } });
  }
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else {
    target = BigInt(word) << BigInt(8 * (size - 3));
  }
  if (target === 0n) throw new ProofError('BITS_INVALID', `bits ${hex}: zero target`, { details: { bits } });
  return target;
}

/** Encodes a target as compact bits (Core's GetCompact for a non-negative value). */
export function targetToBits(target: bigint): number {
  if (target < 0n || target >= TWO_256) throw new RangeError(`target: expected 0 <= target < 2^256, got ${target}`);
  let size = byteLength(target);
  let compact: number;
  if (size <= 3) {
    compact = Number(target) << (8 * (3 - size));
  } else {
    compact = Number(target >> BigInt(8 * (size - 3)));
  }
  // The 0x00800000 bit is the sign: if set, shift the mantissa and grow the exponent.
  if (compact & 0x00800000) {
    compact >>>= 8;
    size += 1;
  }
  return ((size << 24) | compact) >>> 0;
}

function byteLength(n: bigint): number {
  return n === 0n ? 0 : Math.ceil(n.toString(16).length / 2);
}

/** Expected number of hashes to find a header at this target: 2^256 / (target + 1). */
export function workForTarget(target: bigint): bigint {
  if (target <= 0n || target >= TWO_256) throw new RangeError(`target: expected 0 < target < 2^256, got ${target}`);
  return TWO_256 / (target + 1n);
}

export function workForBits(bits: number): bigint {
  return workForTarget(bitsToTarget(bits));
}

/** The target as 32 little-endian bytes, the layout of a hash in internal order. */
export function targetToLE(target: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let t = target;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  return out;
}

/** hash (internal order, i.e. little-endian number) <= target (little-endian bytes). No allocation. */
export function hashMeetsTarget(hashLE: Uint8Array, targetLE: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const h = hashLE[i]!;
    const t = targetLE[i]!;
    if (h !== t) return h < t;
  }
  return true;
}

/** The little-endian hash bytes read as a number (for messages and tests, not the hot path). */
export function hashToBigInt(hashLE: Uint8Array): bigint {
  let n = 0n;
  for (let i = hashLE.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(hashLE[i]!);
  return n;
}
