/**
 * getrawtransaction "txid" ( verbosity "blockhash" ): a best-chain or mempool transaction (the
 * devnet always has a transaction index), or one inside the given block. Verbosity 0 (or false):
 * hex; 1 (or true): decoded with `hex`, `blockhash`, `confirmations`, `time`, `blocktime`;
 * 2: also `fee` and each input's `prevout` for a confirmed transaction.
 */
import { bytesToHex, equalBytes, hashToDisplay } from '../../../../proofs/bytes.js';
import { decodeBlock } from '../../../../proofs/bitcoin/block.js';
import { readHeaderTime } from '../../../../proofs/bitcoin/header.js';
import type { DecodedTransaction } from '../../../../proofs/bitcoin/transaction.js';
import type { BlockInfo } from '../../chain-api.js';
import { hashArg, verbosityArg } from '../args.js';
import { rpcError } from '../errors.js';
import { blockConfirmations, renderTransaction } from '../render.js';
import { prevoutsOf, rawBlockOrThrow } from './lookup.js';
import type { RpcMethod } from './method.js';

export const getrawtransaction: RpcMethod = {
  name: 'getrawtransaction',
  params: [
    { name: 'txid', type: 'string', required: true },
    { name: 'verbosity', alias: 'verbose', type: 'number|boolean' },
    { name: 'blockhash', type: 'string' },
  ],
  summary: 'a transaction: hex (0), decoded (1), with fee and prevouts (2)',
  run({ chain }, args) {
    const txidLE = hashArg(args[0], 'txid');
    const verbosity = verbosityArg(args[1], 'verbosity', 0, 2);
    let tx: DecodedTransaction;
    let block: BlockInfo | undefined;
    const givenBlock = args[2] !== null && args[2] !== undefined;
    if (givenBlock) {
      const blockHashLE = hashArg(args[2], 'blockhash');
      block = chain.blockInfo(blockHashLE);
      if (block === undefined) throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'Block hash not found');
      const found = decodeBlock(rawBlockOrThrow(chain, blockHashLE)).transactions.find((t) => equalBytes(t.txidLE, txidLE));
      if (found === undefined) throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'No such transaction found in the provided block. Use gettransaction for wallet transactions.');
      tx = found;
    } else {
      const found = chain.transaction(txidLE);
      if (found === undefined) throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.');
      tx = found.tx;
      block = found.blockHashLE === undefined ? undefined : chain.blockInfo(found.blockHashLE);
    }
    if (verbosity === 0) return bytesToHex(tx.bytes);
    const connected = block?.status === 'active';
    const blockTime = connected && block !== undefined ? readHeaderTime(block.header80) : undefined;
    const prevouts = verbosity === 2 && connected ? prevoutsOf(chain, tx) : undefined;
    const rendered = renderTransaction(tx, chain.hrp, { includeHex: true, prevouts, withPrevouts: true });
    const tip = chain.tip();
    return {
      in_active_chain: givenBlock ? connected : undefined,
      ...rendered,
      blockhash: block === undefined ? undefined : hashToDisplay(block.hashLE),
      confirmations: block === undefined ? undefined : connected ? blockConfirmations(block, tip) : 0,
      time: blockTime,
      blocktime: blockTime,
    };
  },
};
