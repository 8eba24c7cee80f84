/** getblockchaininfo: the state of the best chain (Core v28's fields). */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import { readHeaderBits, readHeaderTime } from '../../../../proofs/bitcoin/header.js';
import { bitsToTarget } from '../../../../proofs/bitcoin/pow.js';
import { doubleText } from '../json.js';
import { difficultyOf, uint256Hex } from '../render.js';
import type { RpcMethod } from './method.js';

export const getblockchaininfo: RpcMethod = {
  name: 'getblockchaininfo',
  params: [],
  summary: 'state of the best chain',
  run({ chain }) {
    const tip = chain.tip();
    const bits = readHeaderBits(tip.header80);
    const headers = chain.chainTips().reduce((max, t) => (t.status === 'invalid' ? max : Math.max(max, t.height)), tip.height);
    return {
      chain: chain.params.name,
      blocks: tip.height,
      headers,
      bestblockhash: hashToDisplay(tip.hashLE),
      bits: bits.toString(16).padStart(8, '0'),
      target: uint256Hex(bitsToTarget(bits)),
      difficulty: doubleText(difficultyOf(bits)),
      time: readHeaderTime(tip.header80),
      mediantime: tip.medianTime,
      verificationprogress: 1,
      initialblockdownload: false,
      chainwork: uint256Hex(tip.chainWork),
      size_on_disk: 0,
      pruned: false,
      warnings: [],
    };
  },
};
