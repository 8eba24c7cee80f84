/**
 * The UTXO set of the best chain: a Map keyed by outpoint (O(1) lookups), with a second index by
 * output script for `scantxoutset`. OP_RETURN outputs never enter it (provably unspendable).
 * `stats()` (for `gettxoutsetinfo`) is kept up to date by `add` and `remove`, so reading it costs
 * nothing whatever the size of the set.
 */
import type { UtxoSetStats } from '../chain-api.js';
import type { Coin } from '../consensus/coin.js';
import { outpointKey, scriptKey } from '../outpoint.js';

/** Core's GetBogoSize: txid 32 + vout 4 + height and coinbase flag 4 + amount 8 + script length 2, plus the script. */
const BOGO_OVERHEAD = 50;

/** Unspent outputs by outpoint key, indexed by script too. */
export class UtxoSet {
  private readonly coins = new Map<string, Coin>();
  private readonly byScript = new Map<string, Set<string>>();
  /** Unspent outputs per transaction (key: the 32-character hash key prefix of the outpoint key). */
  private readonly perTx = new Map<string, number>();
  private totalAmount = 0n;
  private bogoSize = 0;

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
    const tx = txKeyOf(key);
    this.perTx.set(tx, (this.perTx.get(tx) ?? 0) + 1);
    this.totalAmount += coin.output.value;
    this.bogoSize += BOGO_OVERHEAD + coin.output.scriptPubKey.length;
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
    const tx = txKeyOf(key);
    const left = (this.perTx.get(tx) ?? 1) - 1;
    if (left === 0) this.perTx.delete(tx);
    else this.perTx.set(tx, left);
    this.totalAmount -= coin.output.value;
    this.bogoSize -= BOGO_OVERHEAD + coin.output.scriptPubKey.length;
    return coin;
  }

  /** The set's counts and total value, kept by add/remove (O(1)). */
  stats(): UtxoSetStats {
    return { txouts: this.coins.size, transactions: this.perTx.size, bogoSize: this.bogoSize, totalAmount: this.totalAmount };
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

/** The transaction part of an outpoint key (outpoint.ts: 32 latin1 characters of the txid, ':', the index). */
function txKeyOf(outpointKey: string): string {
  return outpointKey.slice(0, 32);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
