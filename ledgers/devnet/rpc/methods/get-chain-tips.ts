/** getchaintips: every known tip with its branch length from the best chain and Core's status. */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import type { RpcMethod } from './method.js';

export const getchaintips: RpcMethod = {
  name: 'getchaintips',
  params: [],
  summary: 'every known chain tip',
  run({ chain }) {
    const tips = [...chain.chainTips()].sort((a, b) => b.height - a.height);
    return tips.map((tip) => {
      let branchlen = 0;
      if (tip.status !== 'active') {
        let block = tip;
        while (block.status !== 'active') {
          const parent = chain.blockInfo(block.prevHashLE);
          if (parent === undefined) break;
          block = parent;
        }
        branchlen = tip.height - block.height;
      }
      return { height: tip.height, hash: hashToDisplay(tip.hashLE), branchlen, status: tip.status };
    });
  },
};
