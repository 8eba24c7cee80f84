/** getblockheader "blockhash" ( verbose ): the 80 bytes in hex, or Core's header object. */
import { bytesToHex } from '../../../../proofs/bytes.js';
import { boolArg, hashArg } from '../args.js';
import { renderBlockHeader } from '../render.js';
import { blockOrThrow } from './lookup.js';
import type { RpcMethod } from './method.js';

export const getblockheader: RpcMethod = {
  name: 'getblockheader',
  params: [
    { name: 'blockhash', type: 'string', required: true },
    { name: 'verbose', type: 'boolean' },
  ],
  summary: 'a block header, as an object or (verbose=false) hex',
  run({ chain }, args) {
    const info = blockOrThrow(chain, hashArg(args[0], 'blockhash'));
    if (!boolArg(args[1], true)) return bytesToHex(info.header80);
    return renderBlockHeader(info, chain.tip());
  },
};
