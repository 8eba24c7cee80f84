/**
 * Bitcoin Core's Consensus::CheckTxInputs for the devnet: every input spends an existing unspent
 * output, coinbase outputs are mature, no value is created. The caller resolves the spent outputs
 * (from its UTXO view: the chain, the block so far, or the mempool) and passes them in input order.
 */
import { hashToDisplay } from '../../../proofs/bytes.js';
import { MAX_MONEY, type Transaction, type TxOutput } from '../../../proofs/bitcoin/transaction.js';
import { reject } from '../errors.js';
import type { Coin } from './coin.js';

/** What checkTxInputs found. */
export interface CheckedInputs {
  /** Inputs minus outputs. */
  readonly fee: bigint;
  readonly inputValue: bigint;
  /** The outputs spent, in input order (what the script verifier needs). */
  readonly spentOutputs: readonly TxOutput[];
}

/**
 * Checks a non-coinbase transaction against the coins its inputs spend (`coins[i]` for input i,
 * undefined when missing or spent) for a block at `spendHeight`. Throws DevnetRejectError:
 * TX_MISSING_INPUTS "bad-txns-inputs-missingorspent", TX_PREMATURE_COINBASE_SPEND
 * "bad-txns-premature-spend-of-coinbase", TX_VALUE_CREATED "bad-txns-inputvalues-outofrange" /
 * "bad-txns-in-belowout".
 */
export function checkTxInputs(tx: Transaction, coins: readonly (Coin | undefined)[], spendHeight: number, coinbaseMaturity: number): CheckedInputs {
  if (coins.length !== tx.inputs.length) throw new RangeError(`coins: expected one per input (${tx.inputs.length}), got ${coins.length}`);
  let inputValue = 0n;
  const spentOutputs: TxOutput[] = [];
  for (let inputIndex = 0; inputIndex < coins.length; inputIndex++) {
    const coin = coins[inputIndex];
    const input = tx.inputs[inputIndex]!;
    if (coin === undefined) {
      reject('TX_MISSING_INPUTS', 'bad-txns-inputs-missingorspent', `input ${inputIndex} spends ${hashToDisplay(input.prevTxidLE)}:${input.prevVout}, which is missing or spent`, {
        inputIndex,
      });
    }
    if (coin.coinbase && spendHeight - coin.height < coinbaseMaturity) {
      reject(
        'TX_PREMATURE_COINBASE_SPEND',
        'bad-txns-premature-spend-of-coinbase',
        `input ${inputIndex} spends a coinbase output of height ${coin.height} at height ${spendHeight}, ${spendHeight - coin.height} confirmations of ${coinbaseMaturity}`,
        { inputIndex },
      );
    }
    inputValue += coin.output.value;
    if (coin.output.value < 0n || coin.output.value > MAX_MONEY || inputValue > MAX_MONEY) {
      reject('TX_VALUE_CREATED', 'bad-txns-inputvalues-outofrange', `input values exceed MAX_MONEY at input ${inputIndex}`, { inputIndex });
    }
    spentOutputs.push(coin.output);
  }
  let outputValue = 0n;
  for (const output of tx.outputs) outputValue += output.value;
  if (inputValue < outputValue) {
    reject('TX_VALUE_CREATED', 'bad-txns-in-belowout', `value in ${inputValue} < value out ${outputValue}`);
  }
  return { fee: inputValue - outputValue, inputValue, spentOutputs };
}
