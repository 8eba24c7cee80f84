/**
 * The JSON shapes of transactions, output scripts, block headers and blocks, as Bitcoin Core's
 * core_write.cpp (TxToUniv, ScriptToUniv) and rpc/blockchain.cpp (blockheaderToJSON,
 * blockToJSON) build them, field for field and in Core's order. One renderer for every method.
 */
import { bytesToHex, hashToDisplay } from '../../../proofs/bytes.js';
import { decodeHeader } from '../../../proofs/bitcoin/header.js';
import { bitsToTarget } from '../../../proofs/bitcoin/pow.js';
import { classifyScript } from '../../../proofs/bitcoin/script.js';
import { isCoinbase, type DecodedTransaction, type TxOutput } from '../../../proofs/bitcoin/transaction.js';
import { scriptPubKeyToAddress } from '../../bitcoin/address.js';
import type { BlockInfo } from '../chain-api.js';
import { amountJson } from './amount.js';
import { bareKeyScript, inferDescriptor } from './descriptor.js';
import { doubleText, type JsonValue } from './json.js';
import { scriptToAsm } from './script-asm.js';

/** The output an input spends, when known (getblock verbosity 2/3, getrawtransaction verbosity 2). */
export interface Prevout {
  readonly output: TxOutput;
  readonly height: number;
  readonly coinbase: boolean;
}

export type JsonObject = { readonly [key: string]: JsonValue | undefined };

/** Core's output type names (GetTxnOutputType). */
export function scriptType(scriptPubKey: Uint8Array): string {
  const s = classifyScript(scriptPubKey);
  switch (s.type) {
    case 'p2pkh':
      return 'pubkeyhash';
    case 'p2sh':
      return 'scripthash';
    case 'p2wpkh':
      return 'witness_v0_keyhash';
    case 'p2wsh':
      return 'witness_v0_scripthash';
    case 'p2tr':
      return 'witness_v1_taproot';
    case 'witness_unknown':
      // Pay-to-anchor (BIP 433 style): OP_1 <0x4e73>.
      return s.version === 1 && s.program.length === 2 && s.program[0] === 0x4e && s.program[1] === 0x73 ? 'anchor' : 'witness_unknown';
    case 'op_return':
      return 'nulldata';
    default: {
      const bare = bareKeyScript(scriptPubKey);
      return bare?.kind === 'pubkey' ? 'pubkey' : bare?.kind === 'multisig' ? 'multisig' : 'nonstandard';
    }
  }
}

/** `{asm, desc, hex, address?, type}` (Core's ScriptToUniv with hex and address). */
export function renderScriptPubKey(scriptPubKey: Uint8Array, hrp: string): JsonObject {
  return {
    asm: scriptToAsm(scriptPubKey),
    desc: inferDescriptor(scriptPubKey, hrp),
    hex: bytesToHex(scriptPubKey),
    address: scriptPubKeyToAddress(hrp, scriptPubKey),
    type: scriptType(scriptPubKey),
  };
}

export interface RenderTxOptions {
  /** Append `hex` (the serialized transaction). */
  readonly includeHex: boolean;
  /** One entry per input when every spent output is known: adds `fee` (and `prevout` with `withPrevouts`). */
  readonly prevouts?: readonly Prevout[] | undefined;
  readonly withPrevouts?: boolean;
}

/** A transaction as decoderawtransaction / getrawtransaction verbose / getblock verbosity 2 show it. */
export function renderTransaction(decoded: DecodedTransaction, hrp: string, options: RenderTxOptions): JsonObject {
  const { tx } = decoded;
  const coinbase = isCoinbase(tx);
  const prevouts = !coinbase && options.prevouts !== undefined && options.prevouts.length === tx.inputs.length ? options.prevouts : undefined;
  const vin = tx.inputs.map((input, i): JsonObject => {
    const witness = input.witness.length > 0 ? input.witness.map((w) => bytesToHex(w)) : undefined;
    if (coinbase) return { coinbase: bytesToHex(input.scriptSig), txinwitness: witness, sequence: input.sequence };
    const prev = prevouts?.[i];
    return {
      txid: hashToDisplay(input.prevTxidLE),
      vout: input.prevVout,
      scriptSig: { asm: scriptToAsm(input.scriptSig, true), hex: bytesToHex(input.scriptSig) },
      txinwitness: witness,
      prevout:
        options.withPrevouts === true && prev !== undefined
          ? { generated: prev.coinbase, height: prev.height, value: amountJson(prev.output.value), scriptPubKey: renderScriptPubKey(prev.output.scriptPubKey, hrp) }
          : undefined,
      sequence: input.sequence,
    };
  });
  const vout = tx.outputs.map((output, n): JsonObject => ({ value: amountJson(output.value), n, scriptPubKey: renderScriptPubKey(output.scriptPubKey, hrp) }));
  let fee: JsonValue | undefined;
  if (prevouts !== undefined) {
    const inTotal = prevouts.reduce((sum, p) => sum + p.output.value, 0n);
    const outTotal = tx.outputs.reduce((sum, o) => sum + o.value, 0n);
    fee = amountJson(inTotal - outTotal);
  }
  return {
    txid: hashToDisplay(decoded.txidLE),
    hash: hashToDisplay(decoded.wtxidLE),
    version: tx.version,
    size: decoded.size,
    vsize: vsizeOf(decoded.weight),
    weight: decoded.weight,
    locktime: tx.locktime,
    vin,
    vout,
    fee,
    hex: options.includeHex ? bytesToHex(decoded.bytes) : undefined,
  };
}

/** BIP141 virtual size: weight / 4 rounded up. */
export function vsizeOf(weight: number): number {
  return Math.ceil(weight / 4);
}

/** Core's GetDifficulty: the PoW limit of mainnet's genesis over the target, as a double. */
export function difficultyOf(bits: number): number {
  let shift = (bits >>> 24) & 0xff;
  let diff = 0x0000ffff / (bits & 0x00ffffff);
  while (shift < 29) {
    diff *= 256;
    shift++;
  }
  while (shift > 29) {
    diff /= 256;
    shift--;
  }
  return diff;
}

/** A 256-bit number as 64 hex digits (chainwork, target). */
export function uint256Hex(value: bigint): string {
  return value.toString(16).padStart(64, '0');
}

/** `confirmations` of a block: depth on the best chain, -1 when it is not on it (Core). */
export function blockConfirmations(info: BlockInfo, tip: BlockInfo): number {
  return info.status === 'active' ? tip.height - info.height + 1 : -1;
}

/** getblockheader's verbose object (Core's blockheaderToJSON). */
export function renderBlockHeader(info: BlockInfo, tip: BlockInfo): JsonObject {
  const header = decodeHeader(info.header80);
  return {
    hash: hashToDisplay(info.hashLE),
    confirmations: blockConfirmations(info, tip),
    height: info.height,
    version: header.version,
    versionHex: (header.version >>> 0).toString(16).padStart(8, '0'),
    merkleroot: hashToDisplay(header.merkleRootLE),
    time: header.time,
    mediantime: info.medianTime,
    nonce: header.nonce,
    bits: header.bits.toString(16).padStart(8, '0'),
    target: uint256Hex(bitsToTarget(header.bits)),
    difficulty: doubleText(difficultyOf(header.bits)),
    chainwork: uint256Hex(info.chainWork),
    nTx: info.txCount,
    previousblockhash: info.height > 0 ? hashToDisplay(info.prevHashLE) : undefined,
    nextblockhash: info.nextHashLE === undefined ? undefined : hashToDisplay(info.nextHashLE),
  };
}

/**
 * getblock's verbose object (Core's blockToJSON): the header fields, sizes, and `tx` as txids
 * (verbosity 1) or transaction objects (2; 3 adds each input's `prevout`). `prevoutsOf` answers the
 * spent outputs of a transaction, or undefined when they are not known (no fee is shown then).
 */
export function renderBlock(
  info: BlockInfo,
  tip: BlockInfo,
  transactions: readonly DecodedTransaction[],
  verbosity: 1 | 2 | 3,
  hrp: string,
  prevoutsOf: (tx: DecodedTransaction) => readonly Prevout[] | undefined,
): JsonObject {
  const tx: JsonValue[] =
    verbosity === 1
      ? transactions.map((t) => hashToDisplay(t.txidLE))
      : transactions.map((t) => renderTransaction(t, hrp, { includeHex: true, prevouts: prevoutsOf(t), withPrevouts: verbosity === 3 }));
  return { ...renderBlockHeader(info, tip), strippedsize: info.strippedSize, size: info.size, weight: info.weight, tx };
}
