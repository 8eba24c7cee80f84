/** The retarget arithmetic of Bitcoin Core's CalculateNextWorkRequired, as a pure function. */
import type { NetworkParams } from './params.js';
import { bitsToTarget, targetToBits } from './pow.js';

export interface RetargetInput {
  /** Bits of the period's last header (the new header's parent). */
  readonly lastBits: number;
  /** Bits of the period's first header (used instead of lastBits under BIP94). */
  readonly firstBits: number;
  readonly firstTime: number;
  readonly lastTime: number;
}

/**
 * Bits required of the first header of a new period: the previous target scaled by how long the
 * period took (clamped to 1/4..4x of the target timespan), capped at the PoW limit.
 */
export function nextRetargetBits(params: NetworkParams, input: RetargetInput): number {
  const rules = params.difficulty;
  if (rules.noRetargeting) return input.lastBits;
  const span = input.lastTime - input.firstTime;
  const timespan = Math.min(Math.max(span, Math.floor(rules.targetTimespan / 4)), rules.targetTimespan * 4);
  const base = bitsToTarget(rules.enforceBip94 ? input.firstBits : input.lastBits);
  let target = (base * BigInt(timespan)) / BigInt(rules.targetTimespan);
  if (target > params.powLimit) target = params.powLimit;
  return targetToBits(target);
}
