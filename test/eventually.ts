/**
 * Waiting for outcomes in tests (STYLE.md habit 11): `eventually(check)` retries `check` until it
 * returns without throwing (its value is returned) or the deadline passes (the last error is
 * rethrown, with how long it waited). Never a bare sleep-and-hope.
 *
 * Give every `assert.ok` inside `check` a message: without one, Node rebuilds the message from the
 * source file on each failure, which for a file loaded through tsx can take minutes (nodejs/node
 * issue 52962): a poll that fails a few times then looks like a hang.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  /** [Default: 10000 ms] */
  readonly timeoutMs?: number;
  /** Pause between two tries. [Default: 25 ms] */
  readonly intervalMs?: number;
  /** Names the awaited outcome in the timeout message. */
  readonly what?: string;
}

export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const timeout = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`eventually: ${options.what ?? 'condition'} not met within ${timeout} ms: ${reason}`, { cause: lastError });
    }
    await sleep(options.intervalMs ?? 25);
  }
}
