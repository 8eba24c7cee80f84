/**
 * The devnet's output rules (docs/devnet.md): every output pays P2WPKH, P2WSH, P2TR or is an
 * `OP_RETURN` (consensus here, not only policy), and the mempool refuses dust.
 */
import { classifyScript } from '../../../proofs/bitcoin/script.js';
import type { Transaction, TxOutput } from '../../../proofs/bitcoin/transaction.js';
import { reject } from '../errors.js';

/** Outputs below this value are dust (OP_RETURN outputs excepted): 294 base units. */
export const DUST_THRESHOLD = 294n;

/** True for the output types the devnet accepts: P2WPKH, P2WSH, P2TR and OP_RETURN (pushes only). */
export function isStandardOutputScript(scriptPubKey: Uint8Array): boolean {
  const type = classifyScript(scriptPubKey).type;
  return type === 'p2wpkh' || type === 'p2wsh' || type === 'p2tr' || type === 'op_return';
}

/** True for an `OP_RETURN` output script (provably unspendable: never enters the UTXO set). */
export function isUnspendable(scriptPubKey: Uint8Array): boolean {
  return scriptPubKey.length > 0 && scriptPubKey[0] === 0x6a;
}

/** Refuses (TX_NONSTANDARD_OUTPUT, "scriptpubkey") a transaction with an output of another type. */
export function checkStandardOutputs(tx: Transaction): void {
  tx.outputs.forEach((output, outputIndex) => {
    if (!isStandardOutputScript(output.scriptPubKey)) {
      const type = classifyScript(output.scriptPubKey).type;
      reject('TX_NONSTANDARD_OUTPUT', 'scriptpubkey', `output ${outputIndex} is ${type}; only P2WPKH, P2WSH, P2TR and OP_RETURN outputs are accepted`, { outputIndex });
    }
  });
}

/** True when `output` is dust: below 294 base units and spendable. */
export function isDust(output: TxOutput): boolean {
  return !isUnspendable(output.scriptPubKey) && output.value < DUST_THRESHOLD;
}

/** Refuses (TX_DUST, "dust") a transaction with a spendable output below the dust threshold. */
export function checkDust(tx: Transaction): void {
  tx.outputs.forEach((output, outputIndex) => {
    if (isDust(output)) reject('TX_DUST', 'dust', `output ${outputIndex} pays ${output.value}, below the dust threshold of ${DUST_THRESHOLD}`, { outputIndex });
  });
}
