/**
 * The mempool: getrawmempool ( verbose mempool_sequence ), getmempoolentry "txid" and
 * getmempoolinfo, with Core's entry object (sizes, fees, ancestors and descendants in the
 * mempool, BIP125 signalling).
 */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import type { MempoolEntry } from '../../chain-api.js';
import { amountJson } from '../amount.js';
import { boolArg, hashArg } from '../args.js';
import { rpcError } from '../errors.js';
import type { JsonValue } from '../json.js';
import type { RpcMethod } from './method.js';

/** Core's DEFAULT_MAX_MEMPOOL_SIZE_MB, reported as `maxmempool`. */
const MAX_MEMPOOL_BYTES = 300_000_000;
const MIN_RELAY_FEE_PER_KVB = 1000n;

export const getrawmempool: RpcMethod = {
  name: 'getrawmempool',
  params: [
    { name: 'verbose', type: 'boolean' },
    { name: 'mempool_sequence', type: 'boolean' },
  ],
  summary: 'txids in the mempool, or (verbose) their entries',
  run({ chain }, args) {
    const verbose = boolArg(args[0], false);
    const sequence = boolArg(args[1], false);
    if (verbose && sequence) throw rpcError('RPC_INVALID_PARAMETER', 'Verbose results cannot contain mempool sequence values.');
    if (sequence) throw rpcError('RPC_INVALID_PARAMETER', 'mempool_sequence is not supported by the devnet (it has no mempool sequence counter)');
    const entries = chain.mempool();
    if (!verbose) return entries.map((e) => hashToDisplay(e.tx.txidLE));
    const index = mempoolIndex(entries);
    const out: { [txid: string]: JsonValue } = {};
    for (const entry of entries) out[hashToDisplay(entry.tx.txidLE)] = renderMempoolEntry(entry, index);
    return out;
  },
};

export const getmempoolentry: RpcMethod = {
  name: 'getmempoolentry',
  params: [{ name: 'txid', type: 'string', required: true }],
  summary: 'one mempool entry',
  run({ chain }, args) {
    const txidLE = hashArg(args[0], 'txid');
    const entry = chain.mempoolEntry(txidLE);
    if (entry === undefined) throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'Transaction not in mempool');
    return renderMempoolEntry(entry, mempoolIndex(chain.mempool()));
  },
};

export const getmempoolinfo: RpcMethod = {
  name: 'getmempoolinfo',
  params: [],
  summary: 'mempool size and policy',
  run({ chain }) {
    const entries = chain.mempool();
    return {
      loaded: true,
      size: entries.length,
      bytes: entries.reduce((sum, e) => sum + e.vsize, 0),
      usage: entries.reduce((sum, e) => sum + e.tx.size, 0),
      total_fee: amountJson(entries.reduce((sum, e) => sum + e.fee, 0n)),
      maxmempool: MAX_MEMPOOL_BYTES,
      mempoolminfee: amountJson(MIN_RELAY_FEE_PER_KVB),
      minrelaytxfee: amountJson(MIN_RELAY_FEE_PER_KVB),
      incrementalrelayfee: amountJson(MIN_RELAY_FEE_PER_KVB),
      unbroadcastcount: 0,
      fullrbf: true,
    };
  },
};

type MempoolIndex = ReadonlyMap<string, MempoolEntry>;

function mempoolIndex(entries: readonly MempoolEntry[]): MempoolIndex {
  return new Map(entries.map((e) => [hashToDisplay(e.tx.txidLE), e]));
}

/** The entry and every in-mempool entry reachable through `next` (ancestors or descendants). */
function closure(start: MempoolEntry, index: MempoolIndex, next: (e: MempoolEntry) => readonly Uint8Array[]): MempoolEntry[] {
  const seen = new Map<string, MempoolEntry>([[hashToDisplay(start.tx.txidLE), start]]);
  const stack = [start];
  while (stack.length > 0) {
    for (const txidLE of next(stack.pop()!)) {
      const key = hashToDisplay(txidLE);
      const entry = index.get(key);
      if (entry !== undefined && !seen.has(key)) {
        seen.set(key, entry);
        stack.push(entry);
      }
    }
  }
  return [...seen.values()];
}

/** Core's entryToJSON (v28 fields). */
export function renderMempoolEntry(entry: MempoolEntry, index: MempoolIndex): JsonValue {
  const ancestors = closure(entry, index, (e) => e.dependsLE);
  const descendants = closure(entry, index, (e) => e.spentByLE);
  // BIP125: replaceable when it or an unconfirmed ancestor signals (a sequence below 0xfffffffe).
  const signals = ancestors.some((a) => a.tx.tx.inputs.some((input) => input.sequence < 0xfffffffe));
  return {
    vsize: entry.vsize,
    weight: entry.tx.weight,
    time: entry.time,
    height: entry.height,
    descendantcount: descendants.length,
    descendantsize: descendants.reduce((sum, e) => sum + e.vsize, 0),
    ancestorcount: ancestors.length,
    ancestorsize: ancestors.reduce((sum, e) => sum + e.vsize, 0),
    wtxid: hashToDisplay(entry.tx.wtxidLE),
    fees: {
      base: amountJson(entry.fee),
      modified: amountJson(entry.fee),
      ancestor: amountJson(ancestors.reduce((sum, e) => sum + e.fee, 0n)),
      descendant: amountJson(descendants.reduce((sum, e) => sum + e.fee, 0n)),
    },
    depends: entry.dependsLE.map((t) => hashToDisplay(t)),
    spentby: entry.spentByLE.map((t) => hashToDisplay(t)),
    'bip125-replaceable': signals,
    unbroadcast: false,
  };
}

