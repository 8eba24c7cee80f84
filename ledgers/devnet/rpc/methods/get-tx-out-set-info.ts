/**
 * gettxoutsetinfo ( "hash_type" hash_or_height use_index ): the best chain's UTXO set in numbers,
 * with Core's field names and order for the fields the devnet computes exactly: height,
 * bestblock, txouts, bogosize, total_amount (coins, 8 decimals, from the bigint total), and
 * transactions (transactions with an unspent output). The counts are kept incrementally by the
 * UTXO set (chain/utxo-set.ts), so the call costs nothing whatever the size of the set.
 * Not computed: the UTXO set hash (`hash_type` may only be omitted or "none") and `disk_size`
 * (the devnet has no chainstate database). Without a coin statistics index, a block hash or
 * height is -8, as in Core without `-coinstatsindex`; `use_index` is accepted and ignored.
 */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import { amountJson } from '../amount.js';
import { rpcError } from '../errors.js';
import type { RpcMethod } from './method.js';

/** Core's hash types (ParseHashType); the devnet computes none of the hashes. */
const CORE_HASH_TYPES = ['hash_serialized_3', 'muhash', 'none'];

export const gettxoutsetinfo: RpcMethod = {
  name: 'gettxoutsetinfo',
  params: [
    { name: 'hash_type', type: 'string' },
    { name: 'hash_or_height', type: 'any' },
    { name: 'use_index', type: 'boolean' },
  ],
  summary: 'statistics of the UTXO set: height, bestblock, txouts, bogosize, total_amount, transactions',
  run({ chain }, args) {
    const hashType = args[0];
    if (typeof hashType === 'string' && hashType !== 'none') {
      if (!CORE_HASH_TYPES.includes(hashType)) throw rpcError('RPC_INVALID_PARAMETER', `'${hashType}' is not a valid hash_type`);
      throw rpcError('RPC_INVALID_PARAMETER', `hash_type '${hashType}' is not supported by the devnet (it computes no UTXO set hash); use 'none'`);
    }
    if (args[1] !== null && args[1] !== undefined) throw rpcError('RPC_INVALID_PARAMETER', 'Querying specific block heights requires coinstatsindex');
    // both read synchronously: the numbers are those of this tip
    const tip = chain.tip();
    const stats = chain.utxoSetStats();
    return {
      height: tip.height,
      bestblock: hashToDisplay(tip.hashLE),
      txouts: stats.txouts,
      bogosize: stats.bogoSize,
      total_amount: amountJson(stats.totalAmount),
      transactions: stats.transactions,
    };
  },
};
