/**
 * getblock "blockhash" ( verbosity ): 0 the raw block in hex, 1 the header fields with txids,
 * 2 with decoded transactions (and `fee` where the spent outputs are known), 3 with each input's
 * `prevout` too.
 */
import { bytesToHex, hashToDisplay } from '../../../../proofs/bytes.js';
import { decodeBlock } from '../../../../proofs/bitcoin/block.js';
import type { DecodedTransaction } from '../../../../proofs/bitcoin/transaction.js';
import { hashArg, verbosityArg } from '../args.js';
import { renderBlock } from '../render.js';
import { blockOrThrow, prevoutsOf, rawBlockOrThrow } from './lookup.js';
import type { RpcMethod } from './method.js';

export const getblock: RpcMethod = {
  name: 'getblock',
  params: [
    { name: 'blockhash', type: 'string', required: true },
    { name: 'verbosity', alias: 'verbose', type: 'number|boolean' },
  ],
  summary: 'a block: hex (0), with txids (1), with transactions (2), with prevouts (3)',
  run({ chain }, args) {
    const hashLE = hashArg(args[0], 'blockhash');
    const verbosity = verbosityArg(args[1], 'verbosity', 1, 3);
    const info = blockOrThrow(chain, hashLE);
    const raw = rawBlockOrThrow(chain, hashLE);
    if (verbosity === 0) return bytesToHex(raw);
    const block = decodeBlock(raw);
    const sameBlock = new Map<string, { tx: DecodedTransaction; height: number }>();
    const prevouts = (tx: DecodedTransaction): ReturnType<typeof prevoutsOf> => {
      // Spent outputs are only known for a block connected to the best chain (Core: undo data).
      const result = info.status === 'active' ? prevoutsOf(chain, tx, sameBlock) : undefined;
      sameBlock.set(hashToDisplay(tx.txidLE), { tx, height: info.height });
      return result;
    };
    return renderBlock(info, chain.tip(), block.transactions, verbosity as 1 | 2 | 3, chain.hrp, prevouts);
  },
};
