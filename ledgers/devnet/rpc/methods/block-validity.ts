/** invalidateblock "blockhash" / reconsiderblock "blockhash": the operator's reorgs on demand. */
import { hashArg } from '../args.js';
import { blockOrThrow } from './lookup.js';
import type { RpcMethod } from './method.js';

export const invalidateblock: RpcMethod = {
  name: 'invalidateblock',
  params: [{ name: 'blockhash', type: 'string', required: true }],
  summary: 'mark a block and its descendants invalid (reorganizes)',
  run({ chain }, args) {
    const hashLE = hashArg(args[0], 'blockhash');
    blockOrThrow(chain, hashLE);
    chain.invalidateBlock(hashLE);
    return null;
  },
};

export const reconsiderblock: RpcMethod = {
  name: 'reconsiderblock',
  params: [{ name: 'blockhash', type: 'string', required: true }],
  summary: 'clear an invalidateblock mark (may reorganize back)',
  run({ chain }, args) {
    const hashLE = hashArg(args[0], 'blockhash');
    blockOrThrow(chain, hashLE);
    chain.reconsiderBlock(hashLE);
    return null;
  },
};
