/**
 * sendrawtransaction "hexstring" ( maxfeerate maxburnamount ): adds a transaction to the mempool
 * and returns its txid. As Core: refuses a fee rate above `maxfeerate` (BTC/kvB, default 0.10, 0 =
 * no limit) and any provably unspendable output (OP_RETURN) carrying more than `maxburnamount`
 * (default 0: a side-chain burn must pass its amount here).
 */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import { hexArg } from '../args.js';
import { COIN, parseAmount } from '../amount.js';
import { rpcError } from '../errors.js';
import { decodeTxOrThrow, rejectionError } from './lookup.js';
import type { RpcMethod } from './method.js';

/** Core's DEFAULT_MAX_RAW_TX_FEE_RATE: 0.10 BTC/kvB. */
export const DEFAULT_MAX_FEE_RATE = COIN / 10n;

export const sendrawtransaction: RpcMethod = {
  name: 'sendrawtransaction',
  params: [
    { name: 'hexstring', type: 'string', required: true },
    { name: 'maxfeerate', type: 'amount' },
    { name: 'maxburnamount', type: 'amount' },
  ],
  summary: 'submit a raw transaction to the mempool',
  run({ chain }, args) {
    const raw = hexArg(args[0], 'hexstring');
    const maxFeeRate = amountArg(args[1], 'maxfeerate', DEFAULT_MAX_FEE_RATE);
    const maxBurn = amountArg(args[2], 'maxburnamount', 0n);
    const decoded = decodeTxOrThrow(raw);
    for (const output of decoded.tx.outputs) {
      const unspendable = (output.scriptPubKey.length > 0 && output.scriptPubKey[0] === 0x6a) || output.scriptPubKey.length > 10_000;
      if (unspendable && output.value > maxBurn) throw rpcError('RPC_VERIFY_ERROR', 'Unspendable output exceeds maximum configured by user (maxburnamount)');
    }
    if (maxFeeRate > 0n && chain.mempoolEntry(decoded.txidLE) === undefined) {
      const test = chain.testAccept(raw);
      if (test.allowed && test.fee > (maxFeeRate * BigInt(test.vsize)) / 1000n) {
        throw rpcError('RPC_VERIFY_ERROR', 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)');
      }
    }
    const result = chain.acceptToMempool(raw);
    if (!result.allowed) throw rejectionError(result.code, result.reason);
    return hashToDisplay(result.txidLE);
  },
};

/** An amount parameter, `fallback` when absent; RPC_TYPE_ERROR / RPC_INVALID_PARAMETER as Core. */
export function amountArg(value: unknown, name: string, fallback: bigint): bigint {
  if (value === null || value === undefined) return fallback;
  try {
    return parseAmount(value, name);
  } catch (cause) {
    throw rpcError(cause instanceof TypeError ? 'RPC_TYPE_ERROR' : 'RPC_INVALID_PARAMETER', (cause as Error).message, cause);
  }
}
