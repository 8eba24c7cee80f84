/**
 * Builds and signs a payment from P2WPKH coins: largest coins first until the outputs and the fee
 * at the requested rate are covered, change back to the wallet when it is above dust, every input
 * signaling replace-by-fee. Pure: the caller fetched the coins and will broadcast the result.
 */
import { assertInteger } from '../../../proofs/bytes.js';
import { decodeTransaction, encodeTransaction, type Transaction, type TxOutput } from '../../../proofs/bitcoin/transaction.js';
import { formatCoins } from '../../bitcoin/amount.js';
import { signP2wpkhInput, withInputWitness } from '../../bitcoin/sign-input.js';
import { WalletError } from './wallet-error.js';

export interface SpendableCoin {
  readonly txidLE: Uint8Array;
  readonly vout: number;
  readonly output: TxOutput;
  /** The key whose P2WPKH output this is. */
  readonly privateKey: Uint8Array;
}

export interface PaymentRequest {
  readonly coins: readonly SpendableCoin[];
  readonly outputs: readonly TxOutput[];
  /** Base units per virtual byte. */
  readonly feeRate: number;
  readonly changeScript: Uint8Array;
}

export interface SignedPayment {
  readonly raw: Uint8Array;
  readonly txidLE: Uint8Array;
  readonly fee: bigint;
  readonly vsize: number;
  readonly spent: readonly SpendableCoin[];
  /** Change paid back to the wallet (0 when it was dust and went to the fee). */
  readonly change: bigint;
}

/** Outputs below this are dust (Core's threshold for a P2WPKH output at the default relay fee). */
export const DUST = 294n;
/** RBF-signaling sequence (BIP125). */
export const SEQUENCE_RBF = 0xfffffffd;

// Virtual sizes for the estimate: a P2WPKH input with a 72-byte signature, the fixed part of a
// segwit transaction (version, marker and flag, counts, locktime).
const INPUT_VSIZE = 68;
const FIXED_VSIZE = 11;

function outputVsize(output: TxOutput): number {
  return 8 + 1 + output.scriptPubKey.length;
}

export function buildSignedPayment(request: PaymentRequest): SignedPayment {
  assertInteger(request.feeRate, 1, 100_000, 'feeRate');
  const paid = request.outputs.reduce((sum, o) => sum + o.value, 0n);
  for (const [i, o] of request.outputs.entries()) {
    if (o.value < DUST && !(o.scriptPubKey[0] === 0x6a)) {
      throw new WalletError('AMOUNT_TOO_SMALL', `output ${i}: ${formatCoins(o.value)} is below the dust threshold ${formatCoins(DUST)}`);
    }
  }
  const change = { value: 0n, scriptPubKey: request.changeScript };
  const baseVsize = FIXED_VSIZE + request.outputs.reduce((n, o) => n + outputVsize(o), 0) + outputVsize(change);
  const coins = [...request.coins].sort((a, b) => (a.output.value === b.output.value ? 0 : a.output.value > b.output.value ? -1 : 1));

  const chosen: SpendableCoin[] = [];
  let total = 0n;
  let fee = 0n;
  for (const coin of coins) {
    chosen.push(coin);
    total += coin.output.value;
    fee = BigInt(Math.ceil((baseVsize + chosen.length * INPUT_VSIZE) * request.feeRate));
    if (total >= paid + fee) break;
  }
  if (total < paid + fee || chosen.length === 0) {
    throw new WalletError('INSUFFICIENT_FUNDS', `need ${formatCoins(paid + fee)} (${formatCoins(paid)} plus about ${formatCoins(fee)} fee), the wallet has ${formatCoins(total)} spendable`);
  }
  const changeValue = total - paid - fee;
  const outputs = changeValue >= DUST ? [...request.outputs, { ...change, value: changeValue }] : [...request.outputs];

  let tx: Transaction = {
    version: 2,
    inputs: chosen.map((c) => ({ prevTxidLE: c.txidLE, prevVout: c.vout, scriptSig: new Uint8Array(0), sequence: SEQUENCE_RBF, witness: [] })),
    outputs,
    locktime: 0,
  };
  const unsigned = tx;
  chosen.forEach((coin, i) => {
    tx = withInputWitness(tx, i, signP2wpkhInput(unsigned, i, coin.output, coin.privateKey));
  });
  const raw = encodeTransaction(tx, { witness: true });
  const decoded = decodeTransaction(raw);
  return {
    raw,
    txidLE: decoded.txidLE,
    fee: total - outputs.reduce((sum, o) => sum + o.value, 0n),
    vsize: Math.ceil(decoded.weight / 4),
    spent: chosen,
    change: changeValue >= DUST ? changeValue : 0n,
  };
}
