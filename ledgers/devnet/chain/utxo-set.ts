/**
 * The UTXO set of the best chain: a Map keyed by outpoint (O(1) lookups), with a second index by
 * output script for `scantxoutset`. OP_RETURN outputs never enter it (provably unspendable).
 */
import type { Coin } from '../consensus/coin.js';
import { outpointKey, scriptKey } from '../outpoint.js';

/** Unspent outputs by outpoint key, indexed by script too. */
export class UtxoSet {
  private readonly coins = new Map<string, Coin>();
  private readonly byScript = new Map<string, Set<string>>();

  get size(): number {
    return this.coins.size;
  }

  /** The coin at an outpoint key (see outpointKey), or undefined. */
  get(key: string): Coin | undefined {
    return this.coins.get(key);
  }

  has(key: string): boolean {
    return this.coins.has(key);
  }

  /** Adds a coin; returns its key. Throws when the outpoint is already unspent (a BIP30 duplicate). */
  add(coin: Coin): string {
    const key = outpointKey(coin.txidLE, coin.vout);
    if (this.coins.has(key)) throw new Error(`utxo set: outpoint ${key} is already unspent (duplicate transaction)`);
    this.coins.set(key, coin);
    const s = scriptKey(coin.output.scriptPubKey);
    let set = this.byScript.get(s);
    if (set === undefined) this.byScript.set(s, (set = new Set()));
    set.add(key);
    return key;
  }

  /** Removes and returns the coin at `key` (undefined when absent). */
  remove(key: string): Coin | undefined {
    const coin = this.coins.get(key);
    if (coin === undefined) return undefined;
    this.coins.delete(key);
    const s = scriptKey(coin.output.scriptPubKey);
    const set = this.byScript.get(s);
    if (set !== undefined) {
      set.delete(key);
      if (set.size === 0) this.byScript.delete(s);
    }
    return coin;
  }

  /** Every coin paying exactly `scriptPubKey`, by height, then txid bytes, then index. */
  byScriptPubKey(scriptPubKey: Uint8Array): Coin[] {
    const keys = this.byScript.get(scriptKey(scriptPubKey));
    if (keys === undefined) return [];
    const coins = [...keys].map((k) => this.coins.get(k)!);
    return coins.sort((a, b) => a.height - b.height || compareBytes(a.txidLE, b.txidLE) || a.vout - b.vout);
  }

  /** Every coin (unordered). */
  values(): IterableIterator<Coin> {
    return this.coins.values();
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
