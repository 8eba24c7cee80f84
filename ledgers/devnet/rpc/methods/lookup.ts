/**
 * Lookups shared by several methods, each failing with Core's error for the case: a block by hash,
 * a raw transaction to decode, an address or descriptor to pay, the outputs a transaction spends,
 * and the mapping of a chain's refusal to Core's RPC error codes.
 */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import { decodeTransaction, isCoinbase, type DecodedTransaction } from '../../../../proofs/bitcoin/transaction.js';
import { addressToScriptPubKey } from '../../../bitcoin/address.js';
import type { BlockInfo, ChainApi, RejectCode } from '../../chain-api.js';
import { descriptorScript } from '../descriptor.js';
import { rpcError, type RpcError } from '../errors.js';
import type { Prevout } from '../render.js';

export function blockOrThrow(chain: ChainApi, hashLE: Uint8Array): BlockInfo {
  const info = chain.blockInfo(hashLE);
  if (info === undefined) throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'Block not found');
  return info;
}

export function rawBlockOrThrow(chain: ChainApi, hashLE: Uint8Array): Uint8Array {
  const raw = chain.rawBlock(hashLE);
  if (raw === undefined) throw rpcError('RPC_MISC_ERROR', 'Block not found on disk');
  return raw;
}

/** Decodes a raw transaction parameter (RPC_DESERIALIZATION_ERROR as Core's DecodeHexTx failure). */
export function decodeTxOrThrow(raw: Uint8Array): DecodedTransaction {
  try {
    return decodeTransaction(raw);
  } catch (cause) {
    throw rpcError('RPC_DESERIALIZATION_ERROR', `TX decode failed: ${(cause as Error).message}. Make sure the tx has at least one input.`, cause);
  }
}

/** The script an address pays on this chain (RPC_INVALID_ADDRESS_OR_KEY "Error: Invalid address"). */
export function addressScriptOrThrow(chain: ChainApi, address: string): Uint8Array {
  try {
    return addressToScriptPubKey(chain.hrp, address);
  } catch (cause) {
    throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', `Error: Invalid address: ${(cause as Error).message}`, cause);
  }
}

export function descriptorScriptOrThrow(chain: ChainApi, descriptor: string): Uint8Array {
  try {
    return descriptorScript(descriptor, chain.hrp);
  } catch (cause) {
    throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', (cause as Error).message, cause);
  }
}

/**
 * The outputs a confirmed transaction spends, with their heights, or undefined when any is
 * unknown (a coinbase, a peg-in input, a parent off the best chain). `sameBlock` holds the
 * transactions of the block being rendered, for parents confirmed in that same block.
 */
export function prevoutsOf(chain: ChainApi, decoded: DecodedTransaction, sameBlock?: ReadonlyMap<string, { tx: DecodedTransaction; height: number }>): Prevout[] | undefined {
  if (isCoinbase(decoded.tx)) return undefined;
  const prevouts: Prevout[] = [];
  for (const input of decoded.tx.inputs) {
    const key = hashToDisplay(input.prevTxidLE);
    const local = sameBlock?.get(key);
    const confirmed = local === undefined ? chain.transaction(input.prevTxidLE) : undefined;
    const found = local ?? confirmed;
    const height = local?.height ?? confirmed?.blockHeight;
    const output = found?.tx.tx.outputs[input.prevVout];
    if (found === undefined || height === undefined || output === undefined) return undefined;
    prevouts.push({ output, height, coinbase: isCoinbase(found.tx.tx) });
  }
  return prevouts;
}

/** A chain's refusal as Core's RPC error: -25 missing inputs, -26 rejected, -27 already in chain, -22 malformed. */
export function rejectionError(code: RejectCode, reason: string): RpcError {
  switch (code) {
    case 'missing-inputs':
      return rpcError('RPC_VERIFY_ERROR', reason === '' ? 'Inputs missing or spent' : reason);
    case 'already-in-chain':
      return rpcError('RPC_VERIFY_ALREADY_IN_CHAIN', 'Transaction outputs already in utxo set');
    case 'malformed':
      return rpcError('RPC_DESERIALIZATION_ERROR', reason);
    default:
      return rpcError('RPC_VERIFY_REJECTED', reason);
  }
}
