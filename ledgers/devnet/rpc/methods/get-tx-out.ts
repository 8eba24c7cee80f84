/** gettxout "txid" n ( include_mempool ): an unspent output, or null when spent or unknown. */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import { amountJson } from '../amount.js';
import { boolArg, hashArg, intArg } from '../args.js';
import { renderScriptPubKey } from '../render.js';
import type { RpcMethod } from './method.js';

export const gettxout: RpcMethod = {
  name: 'gettxout',
  params: [
    { name: 'txid', type: 'string', required: true },
    { name: 'n', type: 'number', required: true },
    { name: 'include_mempool', type: 'boolean' },
  ],
  summary: 'an unspent transaction output',
  run({ chain }, args) {
    const txidLE = hashArg(args[0], 'txid');
    const n = intArg(args[1], 'n', undefined, 0, 0xffffffff);
    const utxo = chain.utxo(txidLE, n, boolArg(args[2], true));
    if (utxo === undefined) return null;
    const tip = chain.tip();
    const inMempool = chain.mempoolEntry(txidLE) !== undefined;
    return {
      bestblock: hashToDisplay(tip.hashLE),
      confirmations: inMempool ? 0 : tip.height - utxo.height + 1,
      value: amountJson(utxo.output.value),
      scriptPubKey: renderScriptPubKey(utxo.output.scriptPubKey, chain.hrp),
      coinbase: utxo.coinbase,
    };
  },
};
