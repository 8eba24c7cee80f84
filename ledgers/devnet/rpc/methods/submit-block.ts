/**
 * submitblock "hexdata" ( "dummy" ): null when the block is accepted, else Core's BIP22 answer:
 * "duplicate" (already held and valid), "duplicate-invalid", or the reject reason.
 */
import { headerHash } from '../../../../proofs/bitcoin/header.js';
import { decodeBlock } from '../../../../proofs/bitcoin/block.js';
import { isCoinbase } from '../../../../proofs/bitcoin/transaction.js';
import { hexArg } from '../args.js';
import { rpcError } from '../errors.js';
import type { RpcMethod } from './method.js';

export const submitblock: RpcMethod = {
  name: 'submitblock',
  params: [
    { name: 'hexdata', type: 'string', required: true },
    { name: 'dummy', type: 'string' },
  ],
  summary: 'submit a raw block',
  run({ chain }, args) {
    const raw = hexArg(args[0], 'hexdata');
    let first;
    try {
      first = decodeBlock(raw).transactions[0];
    } catch (cause) {
      throw rpcError('RPC_DESERIALIZATION_ERROR', 'Block decode failed', cause);
    }
    if (first === undefined || !isCoinbase(first.tx)) throw rpcError('RPC_DESERIALIZATION_ERROR', 'Block does not start with a coinbase');
    const before = chain.blockInfo(headerHash(raw.subarray(0, 80)));
    const result = chain.submitBlock(raw);
    if (before !== undefined && before.status !== 'headers-only') return before.status === 'invalid' ? 'duplicate-invalid' : 'duplicate';
    return result.accepted ? null : result.reason;
  },
};
