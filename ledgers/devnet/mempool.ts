/**
 * The devnet's mempool (docs/devnet.md, "Mempool"): transactions valid on top of the tip
 * (spending confirmed outputs or outputs of other mempool transactions) that pay at least
 * 1 base unit per virtual byte, have no dust output and are not 64 bytes stripped.
 *
 * Replacement is full RBF (Core since v28) with Core's rules 3, 4 and 6 simplified: a transaction
 * that spends an output some mempool transactions spend replaces them when its fee rate is higher
 * than each of theirs and its fee is at least their fees together (their descendants included)
 * plus 1 base unit per virtual byte of its own; the replaced transactions and their descendants
 * leave. A mint whose lock outpoint is claimed by a mempool mint is refused (no replacement of
 * claims). Block templates take packages (a transaction and its unselected ancestors) by
 * ancestor fee rate within the weight limit.
 */
import { hashToDisplay } from '../../proofs/bytes.js';
import { ProofError } from '../../proofs/errors.js';
import { MAX_BLOCK_WEIGHT, checkTransactionSanity, isCoinbase, type DecodedTransaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import type { DevnetRole, MempoolEntry } from './chain-api.js';
import type { Coin } from './consensus/coin.js';
import { checkFinal } from './consensus/finality.js';
import { hasPegInInput, type VerifiedMint } from './consensus/mint.js';
import { verifyScripts, type ScriptCache } from './consensus/scripts.js';
import { checkDust, checkStandardOutputs, isUnspendable } from './consensus/standard.js';
import { checkTxInputs } from './consensus/tx-inputs.js';
import { DevnetRejectError, reject } from './errors.js';
import { hashKey, outpointKey } from './outpoint.js';

/** The minimum relay fee rate: 1 base unit per virtual byte. */
export const MIN_RELAY_FEE_RATE = 1;
/** Weight a block template leaves for the header and the coinbase (as Core's default). */
export const COINBASE_WEIGHT_RESERVE = 8_000;
/** Weight available to a template's transactions. */
export const MAX_TEMPLATE_WEIGHT = MAX_BLOCK_WEIGHT - COINBASE_WEIGHT_RESERVE;

/** What the mempool needs to know of the chain's tip. */
export interface MempoolChainView {
  readonly role: DevnetRole;
  readonly coinbaseMaturity: number;
  readonly scriptCache: ScriptCache;
  tipHeight(): number;
  /** Median time past of the tip (the lock-time cut-off of the next block). */
  tipMedianTime(): number;
  /** A confirmed unspent output by outpoint key. */
  confirmedCoin(key: string): Coin | undefined;
  /** Whether a lock outpoint (claim key) is claimed on the best chain. */
  isClaimed(claimKey: string): boolean;
  /** Whether a transaction is confirmed on the best chain. */
  isConfirmed(txidLE: Uint8Array): boolean;
  /** Side role: verifies a mint against the main header chain (throws DevnetRejectError). */
  verifyMint(decoded: DecodedTransaction): VerifiedMint;
  /** Unix seconds. */
  now(): number;
}

/** A transaction held in the mempool. */
export interface PoolTx {
  readonly decoded: DecodedTransaction;
  readonly key: string;
  readonly fee: bigint;
  readonly vsize: number;
  readonly weight: number;
  readonly time: number;
  readonly height: number;
  /** Outpoint keys it spends (confirmed or mempool outputs). */
  readonly spends: readonly string[];
  /** Side role: the lock outpoint it claims. */
  readonly claim: string | undefined;
  readonly parents: Set<PoolTx>;
  readonly children: Set<PoolTx>;
  /** Insertion order (parents always before children). */
  readonly order: number;
}

/** The answer of a successful check. */
export interface Accepted {
  readonly fee: bigint;
  readonly vsize: number;
  /** The transactions it replaced (and their descendants), when added. */
  readonly replaced: readonly PoolTx[];
  readonly entry: PoolTx | undefined;
}

/** A selected package of a block template, in selection order. */
export interface SelectedPackage {
  readonly txs: readonly PoolTx[];
  readonly feeRate: number;
  readonly weight: number;
}

/** The transactions waiting for a block, with their fees, dependencies, spent outpoints and claims. */
export class Mempool {
  private readonly byTxid = new Map<string, PoolTx>();
  private readonly spentBy = new Map<string, PoolTx>();
  private readonly claims = new Map<string, PoolTx>();
  private nextOrder = 0;

  constructor(private readonly chain: MempoolChainView) {}

  get size(): number {
    return this.byTxid.size;
  }

  get(txidLE: Uint8Array): PoolTx | undefined {
    return this.byTxid.get(hashKey(txidLE));
  }

  /** Every transaction, in insertion order (parents before children). */
  transactions(): PoolTx[] {
    return [...this.byTxid.values()].sort((a, b) => a.order - b.order);
  }

  /** The mempool transaction spending an outpoint, if any. */
  spenderOf(key: string): PoolTx | undefined {
    return this.spentBy.get(key);
  }

  /** The mempool mint claiming a lock outpoint, if any. */
  claimantOf(claimKey: string): PoolTx | undefined {
    return this.claims.get(claimKey);
  }

  /**
   * Checks a transaction against the tip and the mempool and, unless `dryRun`, adds it (replacing
   * what it conflicts with when `allowReplacement`). Throws DevnetRejectError with the reason.
   */
  accept(decoded: DecodedTransaction, options: { dryRun: boolean; allowReplacement: boolean }): Accepted {
    const tx = decoded.tx;
    const key = hashKey(decoded.txidLE);
    const held = this.byTxid.get(key);
    if (held !== undefined) {
      if (hashKey(held.decoded.wtxidLE) === hashKey(decoded.wtxidLE)) reject('TX_ALREADY_IN_MEMPOOL', 'txn-already-in-mempool');
      reject('TX_ALREADY_IN_MEMPOOL', 'txn-same-nonwitness-data-in-mempool', 'a transaction with the same txid and another witness is in the mempool');
    }
    if (isCoinbase(tx)) reject('TX_COINBASE', 'coinbase', 'a coinbase is only valid as the first transaction of a block');
    try {
      checkTransactionSanity(tx);
    } catch (error) {
      if (error instanceof ProofError) {
        const reason = error.details['reason'];
        throw new DevnetRejectError('TX_INVALID', typeof reason === 'string' ? reason : 'bad-txns', { detail: error.message, cause: error, details: { ...error.details } });
      }
      throw error;
    }
    if (this.chain.isConfirmed(decoded.txidLE)) reject('TX_ALREADY_IN_CHAIN', 'txn-already-known', 'the transaction is confirmed on the best chain');
    if (decoded.strippedSize === 64) reject('TX_TOO_SMALL', 'tx-size-small', 'a 64-byte transaction (without witness) could pose as a Merkle inner node');
    checkStandardOutputs(tx);
    checkDust(tx);
    const spendHeight = this.chain.tipHeight() + 1;
    checkFinal(tx, spendHeight, this.chain.tipMedianTime(), 'non-final');

    const conflicts = new Set<PoolTx>();
    const parents = new Set<PoolTx>();
    const spends: string[] = [];
    let fee: bigint;
    let spentOutputs: readonly TxOutput[] | undefined;
    let claim: string | undefined;
    if (this.chain.role === 'side' && hasPegInInput(tx)) {
      const mint = this.chain.verifyMint(decoded);
      if (this.chain.isClaimed(mint.claimKey)) reject('MINT_ALREADY_CLAIMED', 'mint-already-claimed', 'the lock outpoint is claimed on the best chain');
      const claimant = this.claims.get(mint.claimKey);
      if (claimant !== undefined) {
        reject('MINT_ALREADY_CLAIMED', 'mint-already-claimed', `the lock outpoint is claimed by mempool transaction ${hashToDisplay(claimant.decoded.txidLE)}`);
      }
      claim = mint.claimKey;
      fee = mint.fee;
    } else {
      const coins: (Coin | undefined)[] = [];
      for (const input of tx.inputs) {
        const k = outpointKey(input.prevTxidLE, input.prevVout);
        spends.push(k);
        const spender = this.spentBy.get(k);
        if (spender !== undefined) conflicts.add(spender);
        const parent = this.byTxid.get(hashKey(input.prevTxidLE));
        if (parent !== undefined) {
          parents.add(parent);
          const output = parent.decoded.tx.outputs[input.prevVout];
          coins.push(
            output === undefined || isUnspendable(output.scriptPubKey)
              ? undefined
              : { txidLE: parent.decoded.txidLE, vout: input.prevVout, output, height: spendHeight, coinbase: false },
          );
        } else {
          coins.push(this.chain.confirmedCoin(k));
        }
      }
      const checked = checkTxInputs(tx, coins, spendHeight, this.chain.coinbaseMaturity);
      fee = checked.fee;
      spentOutputs = checked.spentOutputs;
    }

    const vsize = Math.ceil(decoded.weight / 4);
    if (fee < BigInt(vsize * MIN_RELAY_FEE_RATE)) reject('TX_FEE_TOO_LOW', 'min relay fee not met', `${fee} < ${vsize * MIN_RELAY_FEE_RATE}`);

    let replaced: PoolTx[] = [];
    if (conflicts.size > 0) {
      if (!options.allowReplacement) reject('TX_MEMPOOL_CONFLICT', 'txn-mempool-conflict', 'an input is spent by a mempool transaction');
      replaced = this.withDescendants(conflicts);
      const replacedSet = new Set(replaced);
      for (const p of parents) {
        if (replacedSet.has(p)) {
          reject('TX_REPLACEMENT_REFUSED', 'bad-txns-spends-conflicting-tx', `it spends an output of ${hashToDisplay(p.decoded.txidLE)}, which it would replace`);
        }
      }
      for (const c of conflicts) {
        // fee / vsize > c.fee / c.vsize, without division
        if (fee * BigInt(c.vsize) <= c.fee * BigInt(vsize)) {
          reject(
            'TX_REPLACEMENT_REFUSED',
            'insufficient fee',
            `rejecting replacement ${hashToDisplay(decoded.txidLE)}; new feerate ${rate(fee, vsize)} <= old feerate ${rate(c.fee, c.vsize)} of ${hashToDisplay(c.decoded.txidLE)}`,
          );
        }
      }
      let replacedFees = 0n;
      for (const r of replaced) replacedFees += r.fee;
      if (fee < replacedFees + BigInt(vsize * MIN_RELAY_FEE_RATE)) {
        reject(
          'TX_REPLACEMENT_REFUSED',
          'insufficient fee',
          `rejecting replacement ${hashToDisplay(decoded.txidLE)}, not enough additional fees to relay; ${fee - replacedFees} < ${vsize * MIN_RELAY_FEE_RATE}`,
        );
      }
    }

    if (spentOutputs !== undefined) verifyScripts(decoded, spentOutputs, this.chain.scriptCache);
    if (options.dryRun) return { fee, vsize, replaced, entry: undefined };

    for (const r of replaced) this.removeOne(r);
    const entry: PoolTx = {
      decoded,
      key,
      fee,
      vsize,
      weight: decoded.weight,
      time: this.chain.now(),
      height: spendHeight - 1,
      spends,
      claim,
      parents,
      children: new Set(),
      order: this.nextOrder++,
    };
    this.byTxid.set(key, entry);
    for (const p of parents) p.children.add(entry);
    for (const k of spends) this.spentBy.set(k, entry);
    if (claim !== undefined) this.claims.set(claim, entry);
    return { fee, vsize, replaced, entry };
  }

  /**
   * Updates the mempool for a block connected on the tip: its transactions leave (their
   * children stay, now spending confirmed outputs); mempool transactions that spend the same
   * outputs or claim the same lock outpoints leave with their descendants.
   */
  removeForBlock(transactions: readonly DecodedTransaction[], claimKeys: readonly string[]): void {
    for (const t of transactions) {
      const mined = this.byTxid.get(hashKey(t.txidLE));
      if (mined !== undefined) {
        for (const child of mined.children) child.parents.delete(mined);
        mined.children.clear();
        this.removeOne(mined);
      }
    }
    for (let i = 1; i < transactions.length; i++) {
      for (const input of transactions[i]!.tx.inputs) {
        const spender = this.spentBy.get(outpointKey(input.prevTxidLE, input.prevVout));
        if (spender !== undefined) this.remove(spender);
      }
    }
    for (const k of claimKeys) {
      const claimant = this.claims.get(k);
      if (claimant !== undefined) this.remove(claimant);
    }
  }

  /** Removes a transaction and its descendants; returns them. */
  remove(tx: PoolTx): PoolTx[] {
    const all = this.withDescendants([tx]);
    for (const t of all) this.removeOne(t);
    return all;
  }

  /** Empties the mempool; returns its transactions in insertion order. */
  drain(): DecodedTransaction[] {
    const all = this.transactions().map((t) => t.decoded);
    this.byTxid.clear();
    this.spentBy.clear();
    this.claims.clear();
    return all;
  }

  /** A transaction with its in-mempool ancestors (not itself). */
  ancestors(tx: PoolTx): Set<PoolTx> {
    const out = new Set<PoolTx>();
    const stack = [...tx.parents];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (out.has(p)) continue;
      out.add(p);
      stack.push(...p.parents);
    }
    return out;
  }

  /** The chain API's view of a mempool transaction. */
  toEntry(tx: PoolTx): MempoolEntry {
    let ancestorFee = tx.fee;
    let ancestorVsize = tx.vsize;
    for (const a of this.ancestors(tx)) {
      ancestorFee += a.fee;
      ancestorVsize += a.vsize;
    }
    return {
      tx: tx.decoded,
      fee: tx.fee,
      vsize: tx.vsize,
      time: tx.time,
      height: tx.height,
      dependsLE: [...tx.parents].map((p) => p.decoded.txidLE),
      spentByLE: [...tx.children].map((c) => c.decoded.txidLE),
      ancestorFee,
      ancestorVsize,
    };
  }

  /**
   * Chooses transactions for a block: repeatedly the package (a transaction and its ancestors not
   * yet chosen) of the highest fee rate (the earliest first among equals) that fits the weight
   * left; returns the packages in order (each package's transactions parents first).
   */
  select(maxWeight: number = MAX_TEMPLATE_WEIGHT): SelectedPackage[] {
    const remaining = new Set(this.byTxid.values());
    const chosen = new Set<PoolTx>();
    const packages = new Map<PoolTx, { fee: number; vsize: number; weight: number; txs: PoolTx[] }>();
    const compute = (tx: PoolTx): void => {
      const txs = [tx, ...[...this.ancestors(tx)].filter((a) => !chosen.has(a))].sort((a, b) => a.order - b.order);
      let fee = 0;
      let vsize = 0;
      let weight = 0;
      for (const t of txs) {
        fee += Number(t.fee);
        vsize += t.vsize;
        weight += t.weight;
      }
      packages.set(tx, { fee, vsize, weight, txs });
    };
    for (const tx of remaining) compute(tx);
    const out: SelectedPackage[] = [];
    let used = 0;
    while (remaining.size > 0) {
      let best: PoolTx | undefined;
      let bestRate = -1;
      for (const tx of remaining) {
        const p = packages.get(tx)!;
        const r = p.fee / p.vsize;
        if (r > bestRate || (r === bestRate && best !== undefined && tx.order < best.order)) {
          best = tx;
          bestRate = r;
        }
      }
      const pkg = packages.get(best!)!;
      if (used + pkg.weight > maxWeight) {
        remaining.delete(best!);
        continue;
      }
      used += pkg.weight;
      for (const t of pkg.txs) {
        chosen.add(t);
        remaining.delete(t);
      }
      out.push({ txs: pkg.txs, feeRate: bestRate, weight: pkg.weight });
      for (const d of this.withDescendants(pkg.txs)) if (remaining.has(d)) compute(d);
    }
    return out;
  }

  /**
   * A fee rate (base units per virtual byte) likely to confirm within `blocks` blocks: 1 when the
   * whole mempool fits in that many templates, else 1 more than the rate of the first package
   * that would not fit.
   */
  estimateFeeRate(blocks: number): number {
    const budget = blocks * MAX_TEMPLATE_WEIGHT;
    let used = 0;
    for (const p of this.select(Number.POSITIVE_INFINITY)) {
      used += p.weight;
      if (used > budget) return Math.max(MIN_RELAY_FEE_RATE, Math.floor(p.feeRate) + 1);
    }
    return MIN_RELAY_FEE_RATE;
  }

  /** The given transactions and all their descendants, each once, parents before children. */
  private withDescendants(txs: Iterable<PoolTx>): PoolTx[] {
    const out = new Set<PoolTx>();
    const stack = [...txs];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (out.has(t)) continue;
      out.add(t);
      stack.push(...t.children);
    }
    return [...out].sort((a, b) => a.order - b.order);
  }

  private removeOne(tx: PoolTx): void {
    if (this.byTxid.get(tx.key) !== tx) return;
    this.byTxid.delete(tx.key);
    for (const k of tx.spends) if (this.spentBy.get(k) === tx) this.spentBy.delete(k);
    if (tx.claim !== undefined && this.claims.get(tx.claim) === tx) this.claims.delete(tx.claim);
    for (const p of tx.parents) p.children.delete(tx);
    for (const c of tx.children) c.parents.delete(tx);
  }
}

function rate(fee: bigint, vsize: number): string {
  return (Number(fee) / vsize).toFixed(3);
}
