/**
 * The context-free header check (Core's CheckBlockHeader / CheckProofOfWork): the bits decode to
 * a valid target no easier than the network's limit, and the PoW hash is at or below it.
 */
import { hashToDisplay } from '../bytes.js';
import { ProofError, type ProofErrorCode } from '../errors.js';
import { sha256d } from '../hash.js';
import { readHeaderBits } from './header.js';
import { workToLimbs } from './header-store.js';
import type { NetworkParams } from './params.js';
import { bitsToTarget, hashMeetsTarget, targetToLE, workForTarget } from './pow.js';

export interface TargetInfo {
  readonly targetLE: Uint8Array;
  /** Work this target represents: 2^256 / (target + 1). */
  readonly work: bigint;
  /** The same work as the header store's limbs (see workToLimbs). */
  readonly workLimbs: Uint32Array;
}

/** Caches the target and work of each distinct bits value (a chain has few). */
export class TargetCache {
  private readonly entries = new Map<number, TargetInfo>();

  constructor(private readonly params: NetworkParams) {}

  /** Throws BITS_INVALID for bits that decode to no valid target or one above the PoW limit. */
  get(bits: number, hashLE: Uint8Array): TargetInfo {
    const cached = this.entries.get(bits);
    if (cached !== undefined) return cached;
    let target: bigint;
    try {
      target = bitsToTarget(bits);
    } catch (cause) {
      throw new ProofError('BITS_INVALID', `header ${hashToDisplay(hashLE)}: ${(cause as Error).message}`, { cause, details: { bits } });
    }
    if (target > this.params.powLimit) {
      throw new ProofError('BITS_INVALID', `header ${hashToDisplay(hashLE)}: bits 0x${hex32(bits)} is easier than the ${this.params.name} PoW limit`, {
        details: { bits },
      });
    }
    const work = workForTarget(target);
    const info = { targetLE: targetToLE(target), work, workLimbs: workToLimbs(work) };
    if (this.entries.size < 4096) this.entries.set(bits, info);
    return info;
  }
}

/**
 * Checks a header's proof of work against its own bits. `hashLE` is its block id (double-SHA256),
 * passed in because callers have it already. Returns the target's work.
 */
export function checkHeaderPow(
  params: NetworkParams,
  targets: TargetCache,
  header80: Uint8Array,
  hashLE: Uint8Array,
  code: ProofErrorCode = 'HEADER_BAD_POW',
): TargetInfo {
  const bits = readHeaderBits(header80);
  const info = targets.get(bits, hashLE);
  const powHash = params.powHash === sha256d ? hashLE : params.powHash(header80);
  if (!hashMeetsTarget(powHash, info.targetLE)) {
    throw new ProofError(code, `header ${hashToDisplay(hashLE)}: proof-of-work hash is above the target of bits 0x${hex32(bits)}`, {
      details: { hash: hashToDisplay(hashLE), bits },
    });
  }
  return info;
}

export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
