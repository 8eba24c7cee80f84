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

/**
 * One LogThrottle per key (an error's message, say), so that an error that recurs does not hide
 * another one. At most `maxKeys` keys are followed; past that the oldest is dropped (an error
 * that names a txid or a height makes a new key each time).
 */
export class KeyedLogThrottle {
  readonly #byKey = new Map<string, LogThrottle>();

  constructor(
    readonly intervalMs: number,
    private readonly maxKeys = 100,
    private readonly now: () => number = Date.now,
  ) {
    new LogThrottle(intervalMs); // checks intervalMs
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new RangeError(`maxKeys: expected a positive integer, got ${String(maxKeys)}`);
  }

  /** As LogThrottle.hit, for the occurrences of `key`. */
  hit(key: string): number | undefined {
    let throttle = this.#byKey.get(key);
    if (throttle === undefined) {
      if (this.#byKey.size >= this.maxKeys) this.#byKey.delete(this.#byKey.keys().next().value!);
      throttle = new LogThrottle(this.intervalMs, this.now);
      this.#byKey.set(key, throttle);
    }
    return throttle.hit();
  }
}
