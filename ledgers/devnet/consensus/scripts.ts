/**
 * Script verification of a transaction's inputs with `verifyTransactionScripts` from
 * ledgers/bitcoin, and a cache of successes so that a mempool transaction is not verified again
 * when it is mined (or re-accepted after a reorg). A success is reused only for the same wtxid
 * (which commits to the witnesses) spending outputs with the same values and scripts.
 */
import type { DecodedTransaction, TxOutput } from '../../../proofs/bitcoin/transaction.js';
import { ScriptError } from '../../bitcoin/errors.js';
import { verifyTransactionScripts } from '../../bitcoin/script-verify.js';
import { DevnetRejectError } from '../errors.js';
import { hashKey, scriptKey } from '../outpoint.js';

/** Most successes remembered; the oldest are forgotten first. */
export const DEFAULT_SCRIPT_CACHE_SIZE = 100_000;

/** Verified (wtxid, spent outputs) pairs, bounded, oldest evicted first. */
export class ScriptCache {
  private readonly entries = new Map<string, string>();
  /** Verifications answered from the cache, and run for real (for tests and metrics). */
  hits = 0;
  misses = 0;

  constructor(private readonly capacity: number = DEFAULT_SCRIPT_CACHE_SIZE) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw new RangeError(`capacity: expected a non-negative integer, got ${String(capacity)}`);
  }

  /** True when this exact transaction was verified against exactly these spent outputs. */
  has(wtxidLE: Uint8Array, spentOutputs: readonly TxOutput[]): boolean {
    return this.entries.get(hashKey(wtxidLE)) === fingerprint(spentOutputs);
  }

  add(wtxidLE: Uint8Array, spentOutputs: readonly TxOutput[]): void {
    if (this.capacity === 0) return;
    const key = hashKey(wtxidLE);
    this.entries.delete(key);
    this.entries.set(key, fingerprint(spentOutputs));
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

function fingerprint(spentOutputs: readonly TxOutput[]): string {
  let out = '';
  for (const o of spentOutputs) out += `${o.value.toString(36)}|${scriptKey(o.scriptPubKey)}|`;
  return out;
}

/**
 * Verifies every input's script (P2WPKH, P2TR key and script path, P2WSH multisig). Throws
 * DevnetRejectError TX_SCRIPT_FAILED "mandatory-script-verify-flag-failed (<what failed>)" with
 * the ScriptError as cause and its `inputIndex`.
 */
export function verifyScripts(decoded: DecodedTransaction, spentOutputs: readonly TxOutput[], cache?: ScriptCache): void {
  if (cache?.has(decoded.wtxidLE, spentOutputs) === true) {
    cache.hits++;
    return;
  }
  if (cache !== undefined) cache.misses++;
  try {
    verifyTransactionScripts(decoded.tx, spentOutputs);
  } catch (error) {
    if (error instanceof ScriptError) {
      throw new DevnetRejectError('TX_SCRIPT_FAILED', 'mandatory-script-verify-flag-failed', {
        detail: error.message,
        cause: error,
        details: { scriptError: error.code, ...error.details },
      });
    }
    throw error;
  }
  cache?.add(decoded.wtxidLE, spentOutputs);
}
