/**
 * A metrics decorator (STYLE.md habit 9: cross-cutting concerns wrap, they do not widen the
 * contract): `withCounting(adapter)` returns an adapter with the same contract that counts, per
 * method, the calls, the failures by error code and the latency. Read them with `callStats()`.
 * `subscribeBlocks` counts the subscribe call itself (synchronous), not the events delivered.
 */
import type { LedgerAdapter } from '../adapter.js';
import { LEDGER_ADAPTER_METHODS, type LedgerAdapterMethod } from '../adapter-members.js';
import { UtxoRelayError } from '../../proofs/base-error.js';

/** The failure bucket of an error that is not a UtxoRelayError (a bug in the adapter, usually). */
export const UNCLASSIFIED_FAILURE = 'UNCLASSIFIED';

export interface MethodCallStats {
  readonly calls: number;
  /** Calls that threw or rejected. */
  readonly failures: number;
  /** Failures by error `code` (LedgerError codes such as NODE_UNREACHABLE; `UNCLASSIFIED` for other errors). */
  readonly failuresByCode: Readonly<Record<string, number>>;
  /** Sum and maximum of the call durations in milliseconds (success and failure alike). */
  readonly totalLatencyMs: number;
  readonly maxLatencyMs: number;
}

export type AdapterCallStats = Readonly<Record<LedgerAdapterMethod, MethodCallStats>>;

/** An adapter that also reports its call statistics. */
export interface CountingLedgerAdapter extends LedgerAdapter {
  /** A snapshot (a copy: later calls do not change it) of the counters since creation or the last reset. */
  callStats(): AdapterCallStats;
  resetCallStats(): void;
}

interface Counter {
  calls: number;
  failures: number;
  failuresByCode: Record<string, number>;
  totalLatencyMs: number;
  maxLatencyMs: number;
}

function emptyCounters(): Record<LedgerAdapterMethod, Counter> {
  const out = {} as Record<LedgerAdapterMethod, Counter>;
  for (const m of LEDGER_ADAPTER_METHODS) out[m] = { calls: 0, failures: 0, failuresByCode: {}, totalLatencyMs: 0, maxLatencyMs: 0 };
  return out;
}

export function withCounting(adapter: LedgerAdapter): CountingLedgerAdapter {
  let counters = emptyCounters();

  const settle = (method: LedgerAdapterMethod, started: number, error?: { e: unknown }): void => {
    const c = counters[method];
    const ms = performance.now() - started;
    c.totalLatencyMs += ms;
    if (ms > c.maxLatencyMs) c.maxLatencyMs = ms;
    if (error !== undefined) {
      c.failures += 1;
      const code = error.e instanceof UtxoRelayError ? error.e.code : UNCLASSIFIED_FAILURE;
      c.failuresByCode[code] = (c.failuresByCode[code] ?? 0) + 1;
    }
  };

  const timedAsync = async <T>(method: LedgerAdapterMethod, call: () => Promise<T>): Promise<T> => {
    counters[method].calls += 1;
    const started = performance.now();
    try {
      const value = await call();
      settle(method, started);
      return value;
    } catch (e) {
      settle(method, started, { e });
      throw e;
    }
  };

  const timedSync = <T>(method: LedgerAdapterMethod, call: () => T): T => {
    counters[method].calls += 1;
    const started = performance.now();
    try {
      const value = call();
      settle(method, started);
      return value;
    } catch (e) {
      settle(method, started, { e });
      throw e;
    }
  };

  return {
    contractVersion: adapter.contractVersion,
    info: adapter.info,
    getTip: () => timedAsync('getTip', () => adapter.getTip()),
    getBlockHash: (height) => timedAsync('getBlockHash', () => adapter.getBlockHash(height)),
    getHeader: (hashLE) => timedAsync('getHeader', () => adapter.getHeader(hashLE)),
    getHeaders: (fromHeight, count) => timedAsync('getHeaders', () => adapter.getHeaders(fromHeight, count)),
    subscribeBlocks: (fromHeight, listener) => timedSync('subscribeBlocks', () => adapter.subscribeBlocks(fromHeight, listener)),
    scanBlock: (hashLE, watch) => timedAsync('scanBlock', () => adapter.scanBlock(hashLE, watch)),
    getInclusionProof: (txidLE, blockHashLE) => timedAsync('getInclusionProof', () => adapter.getInclusionProof(txidLE, blockHashLE)),
    listUnspent: (script) => timedAsync('listUnspent', () => adapter.listUnspent(script)),
    estimateFeeRate: (target) => timedAsync('estimateFeeRate', () => adapter.estimateFeeRate(target)),
    buildSpend: (spec) => timedSync('buildSpend', () => adapter.buildSpend(spec)),
    finalizeSpend: (unsigned, signatures) => timedSync('finalizeSpend', () => adapter.finalizeSpend(unsigned, signatures)),
    broadcast: (rawTx) => timedAsync('broadcast', () => adapter.broadcast(rawTx)),
    getTransactionStatus: (txidLE, rawTx) => timedAsync('getTransactionStatus', () => adapter.getTransactionStatus(txidLE, rawTx)),
    getMempoolSpends: (outpoints) => timedAsync('getMempoolSpends', () => adapter.getMempoolSpends(outpoints)),
    getPegInClaim: (lockTxidLE, lockVout) => timedAsync('getPegInClaim', () => adapter.getPegInClaim(lockTxidLE, lockVout)),
    getUtxoSetTotal: () => timedAsync('getUtxoSetTotal', () => adapter.getUtxoSetTotal()),
    close: () => timedAsync('close', () => adapter.close()),
    callStats: () => {
      const out = {} as Record<LedgerAdapterMethod, MethodCallStats>;
      for (const m of LEDGER_ADAPTER_METHODS) {
        const c = counters[m];
        out[m] = { ...c, failuresByCode: { ...c.failuresByCode } };
      }
      return out;
    },
    resetCallStats: () => {
      counters = emptyCounters();
    },
  };
}
