/**
 * Mining on demand: generatetoaddress nblocks "address" ( maxtries ), generatetodescriptor
 * num_blocks "descriptor" ( maxtries ), generateblock "output" ["rawtx or txid",...] ( submit ).
 * `maxtries` is accepted and ignored (at regtest difficulty the nonce search always succeeds).
 */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import type { ChainApi } from '../../chain-api.js';
import { DevnetRejectError } from '../../errors.js';
import { boolArg, hexArg, intArg, requiredString } from '../args.js';
import { rpcError } from '../errors.js';
import { addressScriptOrThrow, decodeTxOrThrow, descriptorScriptOrThrow } from './lookup.js';
import type { RpcMethod } from './method.js';

/** Most blocks one call mines (Core has no limit; this keeps one request from stalling the node). */
export const MAX_BLOCKS_PER_CALL = 10_000;

export const generatetoaddress: RpcMethod = {
  name: 'generatetoaddress',
  params: [
    { name: 'nblocks', type: 'number', required: true },
    { name: 'address', type: 'string', required: true },
    { name: 'maxtries', type: 'number' },
  ],
  summary: 'mine blocks paying the coinbase to an address',
  run({ chain }, args) {
    const count = intArg(args[0], 'nblocks', undefined, 0, MAX_BLOCKS_PER_CALL);
    const script = addressScriptOrThrow(chain, requiredString(args[1], 'address'));
    return chain.generate(count, script).map((h) => hashToDisplay(h));
  },
};

export const generatetodescriptor: RpcMethod = {
  name: 'generatetodescriptor',
  params: [
    { name: 'num_blocks', type: 'number', required: true },
    { name: 'descriptor', type: 'string', required: true },
    { name: 'maxtries', type: 'number' },
  ],
  summary: 'mine blocks paying the coinbase to a raw() / addr() descriptor',
  run({ chain }, args) {
    const count = intArg(args[0], 'num_blocks', undefined, 0, MAX_BLOCKS_PER_CALL);
    const script = descriptorScriptOrThrow(chain, requiredString(args[1], 'descriptor'));
    return chain.generate(count, script).map((h) => hashToDisplay(h));
  },
};

export const generateblock: RpcMethod = {
  name: 'generateblock',
  params: [
    { name: 'output', type: 'string', required: true },
    { name: 'transactions', type: 'array', required: true },
    { name: 'submit', type: 'boolean' },
  ],
  summary: 'mine one block with exactly these transactions (raw hex or mempool txids)',
  run({ chain }, args) {
    const script = outputScript(chain, requiredString(args[0], 'output'));
    const transactions = (args[1] as unknown[]).map((item): Uint8Array | { txidLE: Uint8Array } => {
      const text = requiredString(typeof item === 'string' ? item : null, 'transactions');
      if (/^[0-9a-fA-F]{64}$/.test(text)) {
        const txidLE = Uint8Array.from(Buffer.from(text, 'hex')).reverse();
        if (chain.mempoolEntry(txidLE) === undefined) throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', `Transaction ${text} not in mempool.`);
        return { txidLE };
      }
      const raw = hexArg(text, 'transactions');
      decodeTxOrThrow(raw);
      return raw;
    });
    if (!boolArg(args[2], true)) {
      throw rpcError('RPC_INVALID_PARAMETER', 'submit=false is not supported by the devnet: its miner always submits the block it builds');
    }
    let hashLE: Uint8Array;
    try {
      hashLE = chain.generateBlock(script, transactions);
    } catch (cause) {
      if (cause instanceof DevnetRejectError) throw rpcError('RPC_VERIFY_ERROR', `TestBlockValidity failed: ${cause.message}`, cause);
      throw cause;
    }
    return { hash: hashToDisplay(hashLE) };
  },
};

/** generateblock's `output`: an address, else a descriptor (Core tries them in that order). */
function outputScript(chain: ChainApi, output: string): Uint8Array {
  try {
    return addressScriptOrThrow(chain, output);
  } catch {
    try {
      return descriptorScriptOrThrow(chain, output);
    } catch {
      throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'Error: Invalid address or descriptor');
    }
  }
}

