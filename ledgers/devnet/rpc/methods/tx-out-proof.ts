/**
 * gettxoutproof ["txid",...] ( "blockhash" ) and verifytxoutproof "proof": Core's BIP37
 * merkleblock of transactions in one block, and its check against the best chain.
 */
import { bytesToHex, equalBytes, hashToDisplay } from '../../../../proofs/bytes.js';
import { decodeBlock } from '../../../../proofs/bitcoin/block.js';
import { buildMerkleBlock, decodeMerkleBlock, verifyMerkleBlock, type VerifiedMerkleBlock } from '../../../../proofs/bitcoin/merkle-block.js';
import { ProofError } from '../../../../proofs/errors.js';
import { hashArg, hexArg } from '../args.js';
import { rpcError } from '../errors.js';
import { rawBlockOrThrow } from './lookup.js';
import type { RpcMethod } from './method.js';

export const gettxoutproof: RpcMethod = {
  name: 'gettxoutproof',
  params: [
    { name: 'txids', type: 'array', required: true },
    { name: 'blockhash', type: 'string' },
  ],
  summary: 'a merkleblock proving transactions are in a block',
  run({ chain }, args) {
    const txids = (args[0] as unknown[]).map((t) => hashArg(typeof t === 'string' ? t : null, 'txid'));
    const seen = new Set<string>();
    for (const t of txids) {
      const display = hashToDisplay(t);
      if (seen.has(display)) throw rpcError('RPC_INVALID_PARAMETER', `Invalid parameter, duplicated txid: ${display}`);
      seen.add(display);
    }
    let blockHashLE: Uint8Array | undefined;
    if (args[1] !== null && args[1] !== undefined) {
      blockHashLE = hashArg(args[1], 'blockhash');
      if (chain.blockInfo(blockHashLE) === undefined) throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'Block not found');
    } else {
      for (const t of txids) {
        blockHashLE = chain.transaction(t)?.blockHashLE;
        if (blockHashLE !== undefined) break;
      }
      if (blockHashLE === undefined) throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'Transaction not yet in block');
    }
    const block = decodeBlock(rawBlockOrThrow(chain, blockHashLE));
    const blockTxids = block.transactions.map((t) => t.txidLE);
    const indexes = txids.map((t) => blockTxids.findIndex((b) => equalBytes(b, t)));
    if (txids.length === 0 || indexes.some((i) => i < 0)) throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'Not all transactions found in specified or retrieved block');
    return bytesToHex(buildMerkleBlock(block.header80, blockTxids, indexes));
  },
};

export const verifytxoutproof: RpcMethod = {
  name: 'verifytxoutproof',
  params: [{ name: 'proof', type: 'string', required: true }],
  summary: 'the txids a merkleblock proves, when its block is on the best chain',
  run({ chain }, args) {
    const bytes = hexArg(args[0], 'proof');
    let claimedCount: number;
    try {
      claimedCount = decodeMerkleBlock(bytes).txCount;
    } catch (cause) {
      throw rpcError('RPC_DESERIALIZATION_ERROR', `proof: ${(cause as Error).message}`, cause);
    }
    let verified: VerifiedMerkleBlock;
    try {
      verified = verifyMerkleBlock(bytes);
    } catch (e) {
      if (e instanceof ProofError) return [];
      throw e;
    }
    const info = chain.blockInfo(verified.blockHashLE);
    if (info === undefined || info.status !== 'active') throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'Block not found in chain');
    if (info.txCount !== claimedCount) return [];
    return verified.matched.map((m) => hashToDisplay(m.txidLE));
  },
};
