/**
 * LogThrottle: at most one log line per `intervalMs` for an event that recurs while a cause lasts
 * (a Redis connection retrying every 100 ms, a block stream polling a node that is down), so that
 * an outage of minutes is a few lines, not thousands. The first occurrence is logged at once; the
 * next ones are counted, and one is logged again once `intervalMs` has passed since the last
 * logged one, carrying how many were skipped in between.
 */
export class LogThrottle {
  #lastAt: number | undefined;
  #skipped = 0;

  /** `intervalMs`: the least time between two logged occurrences (a positive integer). */
  constructor(
    readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) throw new RangeError(`intervalMs: expected a positive integer, got ${String(intervalMs)}`);
  }

  /**
   * Call at each occurrence: `undefined` when this one is not to be logged (it is counted), else
   * the number of occurrences skipped since the last logged one (0 for the first).
   */
  hit(): number | undefined {
    const t = this.now();
    if (this.#lastAt !== undefined && t - this.#lastAt < this.intervalMs) {
      this.#skipped++;
      return undefined;
    }
    const skipped = this.#skipped;
    this.#lastAt = t;
    this.#skipped = 0;
    return skipped;
  }

  /** Starts again (the next occurrence is logged at once); returns the count skipped since the last logged one. */
  reset(): number {
    const skipped = this.#skipped;
    this.#lastAt = undefined;
    this.#skipped = 0;
    return skipped;
  }
}
