/**
 * The state of the best chain and the two operations that move it (Core's ConnectBlock and
 * DisconnectBlock): the UTXO set, the claims (side role) and the transaction index, with the undo
 * data of each connected block (the coins it spent, the outputs it created, the claims it made).
 */
import { hashToDisplay } from '../../../proofs/bytes.js';
import type { DecodedTransaction } from '../../../proofs/bitcoin/transaction.js';
import { checkCoinbaseAmount } from '../consensus/block-context.js';
import type { Coin } from '../consensus/coin.js';
import { hasPegInInput, verifyMint, type MintRules } from '../consensus/mint.js';
import { verifyScripts, type ScriptCache } from '../consensus/scripts.js';
import { isUnspendable } from '../consensus/standard.js';
import { checkTxInputs } from '../consensus/tx-inputs.js';
import { DevnetRejectError, reject } from '../errors.js';
import { hashKey, outpointKey } from '../outpoint.js';
import type { DevnetNetwork } from '../params.js';
import type { BlockEntry } from './block-index.js';
import { ClaimSet } from './claims.js';
import { UtxoSet } from './utxo-set.js';

/** What one transaction changed: the outputs it created (keys) and the coins it spent. */
export interface TxUndo {
  readonly created: string[];
  readonly spent: Coin[];
}

/** What a connected block changed, to put the state back when it is disconnected. */
export interface BlockUndo {
  readonly txs: TxUndo[];
  /** Claim keys the block's mints made. */
  readonly claims: string[];
  /** Fees of the block's transactions. */
  fees: bigint;
}

/** Where a best-chain transaction is. */
export interface TxLocation {
  readonly block: BlockEntry;
  readonly index: number;
}

/** The rules ConnectBlock applies. */
export interface ConnectRules {
  readonly network: DevnetNetwork;
  readonly coinbaseMaturity: number;
  readonly scriptCache: ScriptCache;
  /** Side role: the mint rules. Main role: undefined (a peg-in input is a missing input). */
  readonly mint: MintRules | undefined;
}

/** The block being connected, as ConnectBlock needs it. */
export interface ConnectTarget {
  readonly hashLE: Uint8Array;
  readonly height: number;
  readonly transactions: readonly DecodedTransaction[];
}

/** The best chain's UTXO set, claims and transaction index, moved block by block. */
export class ChainState {
  readonly utxos = new UtxoSet();
  readonly claims = new ClaimSet();
  readonly txIndex = new Map<string, TxLocation>();

  constructor(private readonly rules: ConnectRules) {}

  /**
   * Applies a block on top of the current state (its parent must be the state's tip): every
   * transaction against the UTXO view at that point of the block, the mints' claims, the
   * coinbase's amount. Returns the undo data. Throws DevnetRejectError (with `details.txIndex`)
   * and leaves the state unchanged when the block is invalid.
   */
  connect(block: ConnectTarget): BlockUndo {
    const undo: BlockUndo = { txs: [], claims: [], fees: 0n };
    try {
      block.transactions.forEach((t, txIndex) => {
        try {
          undo.fees += this.connectTransaction(t, txIndex, block, undo);
        } catch (error) {
          throw error instanceof DevnetRejectError ? error.withDetails({ txIndex }) : error;
        }
      });
      checkCoinbaseAmount(block.transactions[0]!.tx, this.rules.network.subsidy(block.height), undo.fees);
    } catch (error) {
      this.applyUndo(undo);
      throw error;
    }
    return undo;
  }

  /** Puts back what `connect` of this block changed (the block must be the state's tip). */
  disconnect(undo: BlockUndo): void {
    this.applyUndo(undo);
  }

  /** Records a connected block's transactions in the transaction index. */
  indexBlock(entry: BlockEntry): void {
    entry.transactions.forEach((t, index) => this.txIndex.set(hashKey(t.txidLE), { block: entry, index }));
  }

  /** Removes a disconnected block's transactions from the transaction index. */
  unindexBlock(entry: BlockEntry): void {
    for (const t of entry.transactions) {
      const key = hashKey(t.txidLE);
      if (this.txIndex.get(key)?.block === entry) this.txIndex.delete(key);
    }
  }

  /** Connects one transaction; returns its fee. */
  private connectTransaction(t: DecodedTransaction, txIndex: number, block: ConnectTarget, undo: BlockUndo): bigint {
    const txUndo: TxUndo = { created: [], spent: [] };
    undo.txs.push(txUndo);
    const tx = t.tx;
    let fee = 0n;
    if (txIndex > 0) {
      const mintRules = this.rules.mint;
      if (mintRules !== undefined && hasPegInInput(tx)) {
        const mint = verifyMint(t, mintRules);
        const existing = this.claims.get(mint.claimKey);
        if (existing !== undefined) {
          reject('MINT_ALREADY_CLAIMED', 'mint-already-claimed', `lock outpoint already claimed by mint ${hashToDisplay(existing.mintTxidLE)}`);
        }
        this.claims.add(mint.claimKey, { mintTxidLE: t.txidLE, blockHashLE: block.hashLE, height: block.height });
        undo.claims.push(mint.claimKey);
        fee = mint.fee;
      } else {
        const keys = tx.inputs.map((input) => outpointKey(input.prevTxidLE, input.prevVout));
        const coins = keys.map((k) => this.utxos.get(k));
        const checked = checkTxInputs(tx, coins, block.height, this.rules.coinbaseMaturity);
        verifyScripts(t, checked.spentOutputs, this.rules.scriptCache);
        for (const k of keys) txUndo.spent.push(this.utxos.remove(k)!);
        fee = checked.fee;
      }
    }
    tx.outputs.forEach((output, vout) => {
      if (isUnspendable(output.scriptPubKey)) return;
      const coin: Coin = { txidLE: t.txidLE, vout, output, height: block.height, coinbase: txIndex === 0 };
      if (this.utxos.has(outpointKey(t.txidLE, vout))) reject('TX_INVALID', 'bad-txns-BIP30', `output ${vout} of this transaction is already unspent`);
      txUndo.created.push(this.utxos.add(coin));
    });
    return fee;
  }

  private applyUndo(undo: BlockUndo): void {
    for (const key of undo.claims) this.claims.remove(key);
    for (let i = undo.txs.length - 1; i >= 0; i--) {
      const txUndo = undo.txs[i]!;
      for (const key of txUndo.created) this.utxos.remove(key);
      for (const coin of txUndo.spent) this.utxos.add(coin);
    }
  }
}
