/**
 * The retry schedule of a job that failed transiently: exponential, capped, with full jitter
 * (a uniformly random delay up to the exponential bound, so that jobs that failed together do not
 * retry together). Pure: the random source is a parameter, so a test pins the exact sequence.
 */
export interface BackoffOptions {
  readonly delayMs: number;
  readonly maxDelayMs: number;
}

/** The delay before try `attempt + 1`, for `attempt` >= 1 failures so far. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(options.maxDelayMs, options.delayMs * 2 ** Math.max(0, attempt - 1));
  // never less than half the bound: full jitter with a floor keeps a minimum spacing
  return Math.round(exp / 2 + random() * (exp / 2));
}
