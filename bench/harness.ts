/**
 * Benchmark plumbing: run a measurement several times, keep the median, and print/write the
 * results. Every suite reports rates next to a baseline measured in the same process and run,
 * so that ratios stay meaningful on a noisy shared machine.
 */
export interface Measurement {
  readonly name: string;
  /** Operations per second (median of the runs). */
  readonly opsPerSec: number;
  readonly runs: readonly number[];
  readonly unit: string;
}

export interface Candidate {
  readonly name: string;
  /** Performs `ops` operations. */
  readonly fn: () => void;
  readonly ops: number;
  readonly unit?: string;
}

/**
 * Times each candidate `runs` times, interleaved (A B C, A B C, ...) so that every candidate
 * sees the same load on a shared machine, after one warm-up round; returns the median rates.
 */
export function measureInterleaved(candidates: readonly Candidate[], runs = 5): Measurement[] {
  for (const c of candidates) c.fn(); // warm-up: JIT and caches
  const rates = candidates.map((): number[] => []);
  for (let r = 0; r < runs; r++) {
    candidates.forEach((c, i) => {
      const start = process.hrtime.bigint();
      c.fn();
      rates[i]!.push(c.ops / (Number(process.hrtime.bigint() - start) / 1e9));
    });
  }
  return candidates.map((c, i) => ({ name: c.name, opsPerSec: median(rates[i]!), runs: rates[i]!.map(Math.round), unit: c.unit ?? 'ops/s' }));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function formatRate(m: Measurement): string {
  return `${m.name.padEnd(58)} ${Math.round(m.opsPerSec).toLocaleString('en-US').padStart(12)} ${m.unit}`;
}

/** A suite's result: its measurements, derived ratios and any other figures worth keeping. */
export interface SuiteResult {
  readonly suite: string;
  readonly measurements: readonly Measurement[];
  readonly ratios: Readonly<Record<string, number>>;
  readonly figures: Readonly<Record<string, number | string>>;
  readonly targets: readonly { readonly name: string; readonly value: number; readonly atLeast: number; readonly met: boolean }[];
}

export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error('run the benchmarks with node --expose-gc (npm run bench does)');
  g();
  g();
}
