/** getblockcount, getbestblockhash, getblockhash: the best chain by height. */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import { intArg } from '../args.js';
import { rpcError } from '../errors.js';
import type { RpcMethod } from './method.js';

export const getblockcount: RpcMethod = {
  name: 'getblockcount',
  params: [],
  summary: 'height of the best chain',
  run: ({ chain }) => chain.tip().height,
};

export const getbestblockhash: RpcMethod = {
  name: 'getbestblockhash',
  params: [],
  summary: 'hash of the best chain tip',
  run: ({ chain }) => hashToDisplay(chain.tip().hashLE),
};

export const getblockhash: RpcMethod = {
  name: 'getblockhash',
  params: [{ name: 'height', type: 'number', required: true }],
  summary: 'hash of the best-chain block at a height',
  run({ chain }, args) {
    const height = intArg(args[0], 'height', undefined, -Number.MAX_SAFE_INTEGER);
    const hash = height < 0 ? undefined : chain.blockHashAtHeight(height);
    if (hash === undefined) throw rpcError('RPC_INVALID_PARAMETER', 'Block height out of range');
    return hashToDisplay(hash);
  },
};
