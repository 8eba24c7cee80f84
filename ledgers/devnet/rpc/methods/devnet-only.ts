/**
 * Devnet-only methods (not in Bitcoin Core):
 * - getpegclaim "locktxid" vout (side role): whether a main-chain lock outpoint has been claimed by
 *   a peg-in mint, by which mint and in which block (or still in the mempool).
 * - generateblockon "parenthash" count "address": mines `count` blocks on top of any held block, a
 *   competing branch for reorg tests (it becomes the best chain once it has more work).
 */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import { hashArg, intArg, requiredString } from '../args.js';
import { addressScriptOrThrow, blockOrThrow } from './lookup.js';
import type { RpcMethod } from './method.js';
import { MAX_BLOCKS_PER_CALL } from './generate.js';

export const getpegclaim: RpcMethod = {
  name: 'getpegclaim',
  roles: ['side'],
  params: [
    { name: 'locktxid', type: 'string', required: true },
    { name: 'vout', type: 'number', required: true },
  ],
  summary: '(devnet, side role) the mint that claimed a main-chain lock outpoint, if any',
  run({ chain }, args) {
    const lockTxidLE = hashArg(args[0], 'locktxid');
    const vout = intArg(args[1], 'vout', undefined, 0, 0x3fffffff);
    const claim = chain.claimOf(lockTxidLE, vout);
    if (claim === undefined) return { claimed: false };
    const confirmed = claim.blockHashLE !== undefined && claim.height !== undefined;
    return {
      claimed: true,
      mint_txid: hashToDisplay(claim.mintTxidLE),
      in_mempool: !confirmed,
      blockhash: claim.blockHashLE === undefined ? undefined : hashToDisplay(claim.blockHashLE),
      height: claim.height,
      confirmations: claim.height === undefined ? undefined : chain.tip().height - claim.height + 1,
    };
  },
};

export const generateblockon: RpcMethod = {
  name: 'generateblockon',
  params: [
    { name: 'parenthash', type: 'string', required: true },
    { name: 'count', type: 'number', required: true },
    { name: 'address', type: 'string', required: true },
  ],
  summary: '(devnet) mine blocks on any held block: a competing branch',
  run({ chain }, args) {
    const parentLE = hashArg(args[0], 'parenthash');
    const count = intArg(args[1], 'count', undefined, 1, MAX_BLOCKS_PER_CALL);
    const script = addressScriptOrThrow(chain, requiredString(args[2], 'address'));
    blockOrThrow(chain, parentLE);
    return chain.generateOn(parentLE, count, script).map((h) => hashToDisplay(h));
  },
};
