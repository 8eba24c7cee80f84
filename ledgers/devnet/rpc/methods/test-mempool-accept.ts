/**
 * testmempoolaccept ["rawtx",...] ( maxfeerate ): whether each transaction would enter the mempool
 * now, without adding it. Each is tested on its own against the current mempool (Core tests
 * several as one package, so a child of another listed transaction fails here with its inputs
 * missing).
 */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import { hexArg } from '../args.js';
import { amountJson } from '../amount.js';
import { rpcError } from '../errors.js';
import type { JsonValue } from '../json.js';
import { decodeTxOrThrow } from './lookup.js';
import type { RpcMethod } from './method.js';
import { DEFAULT_MAX_FEE_RATE, amountArg } from './send-raw-transaction.js';

/** Core's MAX_PACKAGE_COUNT. */
const MAX_TRANSACTIONS = 25;

export const testmempoolaccept: RpcMethod = {
  name: 'testmempoolaccept',
  params: [
    { name: 'rawtxs', type: 'array', required: true },
    { name: 'maxfeerate', type: 'amount' },
  ],
  summary: 'would these transactions be accepted to the mempool',
  run({ chain }, args) {
    const rawtxs = args[0] as unknown[];
    if (rawtxs.length < 1 || rawtxs.length > MAX_TRANSACTIONS) throw rpcError('RPC_INVALID_PARAMETER', `Array must contain between 1 and ${MAX_TRANSACTIONS} transactions.`);
    const maxFeeRate = amountArg(args[1], 'maxfeerate', DEFAULT_MAX_FEE_RATE);
    const raws = rawtxs.map((value, i) => {
      const raw = hexArg(typeof value === 'string' ? value : null, `rawtxs[${i}]`);
      decodeTxOrThrow(raw);
      return raw;
    });
    return raws.map((raw): JsonValue => {
      const r = chain.testAccept(raw);
      const ids = { txid: hashToDisplay(r.txidLE), wtxid: hashToDisplay(r.wtxidLE) };
      if (!r.allowed) return { ...ids, allowed: false, 'reject-reason': r.reason };
      const feePerKvB = (r.fee * 1000n) / BigInt(r.vsize);
      if (maxFeeRate > 0n && r.fee > (maxFeeRate * BigInt(r.vsize)) / 1000n) return { ...ids, allowed: false, 'reject-reason': 'max-fee-exceeded' };
      return {
        ...ids,
        allowed: true,
        vsize: r.vsize,
        fees: { base: amountJson(r.fee), 'effective-feerate': amountJson(feePerKvB), 'effective-includes': [ids.wtxid] },
      };
    });
  },
};
