/** decoderawtransaction "hexstring" ( iswitness ): a transaction's JSON without looking anything up. */
import { hexArg } from '../args.js';
import { renderTransaction } from '../render.js';
import { decodeTxOrThrow } from './lookup.js';
import type { RpcMethod } from './method.js';

export const decoderawtransaction: RpcMethod = {
  name: 'decoderawtransaction',
  params: [
    { name: 'hexstring', type: 'string', required: true },
    { name: 'iswitness', type: 'boolean' },
  ],
  summary: 'decode a raw transaction',
  run({ chain }, args) {
    return renderTransaction(decodeTxOrThrow(hexArg(args[0], 'hexstring')), chain.hrp, { includeHex: false });
  },
};
