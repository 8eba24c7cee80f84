/**
 * gettxspendingprevout [{"txid": "hex", "vout": n}, ...]: for each outpoint, in the order asked,
 * `{txid, vout}` with `spendingtxid` when a mempool transaction spends it (Core v24+, without the
 * `options` argument later versions added: the devnet has no spender index, so it only ever looks
 * in the mempool, which is Core's default without `-txospenderindex`). An outpoint that is
 * unspent, spent in a block or unknown answers without `spendingtxid`; duplicates are answered
 * each time they are asked.
 *
 * Refusals are Core's (src/rpc/mempool.cpp, RPCTypeCheckObj, ParseHashO, UniValue::getInt<int>),
 * checked entry by entry before the mempool is read:
 * - an empty array: -8 `Invalid parameter, outputs are missing`;
 * - an entry that is not an object: -3 `JSON value of type <t> is not of expected type object`;
 * - `txid`, then `vout`, missing or null: -3 `Missing txid` / `Missing vout`; of another JSON type:
 *   -3 `JSON value of type <t> for field <f> is not of expected type <string|number>`;
 * - any other key: -3 `Unexpected key <k>`;
 * - a txid that is not 64 hex digits: -8, as every hash parameter (args.ts `hashArg`);
 * - a vout that is not an integer or is above 2^31 - 1 (Core reads it as an `int`): -1
 *   `JSON integer out of range`; a negative one: -8 `Invalid parameter, vout cannot be negative`.
 */
import { hashToDisplay } from '../../../../proofs/bytes.js';
import { hashArg } from '../args.js';
import { rpcError } from '../errors.js';
import type { JsonValue } from '../json.js';
import type { ParamValue } from '../params.js';
import type { RpcMethod } from './method.js';

/** The largest vout Core reads (`getInt<int>`: INT_MAX). */
const MAX_VOUT = 0x7fffffff;
/** The fields of an entry, in the order Core checks them (RPCTypeCheckObj walks a std::map). */
const FIELDS = [
  ['txid', 'string'],
  ['vout', 'number'],
] as const;

interface Outpoint {
  readonly txidLE: Uint8Array;
  readonly vout: number;
}

export const gettxspendingprevout: RpcMethod = {
  name: 'gettxspendingprevout',
  params: [{ name: 'outputs', type: 'array', required: true }],
  summary: 'for each outpoint {txid, vout}, the mempool transaction spending it (spendingtxid), if any',
  run({ chain }, args) {
    const outputs = args[0];
    if (!Array.isArray(outputs)) throw rpcError('RPC_TYPE_ERROR', `JSON value of type ${jsonType(outputs ?? null)} is not of expected type array`);
    if (outputs.length === 0) throw rpcError('RPC_INVALID_PARAMETER', 'Invalid parameter, outputs are missing');
    const outpoints = outputs.map(readOutpoint);
    // read synchronously after every entry was checked: one mempool state answers them all
    return outpoints.map((o): JsonValue => {
      const spender = chain.mempoolSpenderOf(o.txidLE, o.vout);
      return { txid: hashToDisplay(o.txidLE), vout: o.vout, spendingtxid: spender === undefined ? undefined : hashToDisplay(spender) };
    });
  },
};

function readOutpoint(entry: ParamValue): Outpoint {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw rpcError('RPC_TYPE_ERROR', `JSON value of type ${jsonType(entry)} is not of expected type object`);
  }
  for (const [field, type] of FIELDS) {
    const value = entry[field];
    if (value === undefined || value === null) throw rpcError('RPC_TYPE_ERROR', `Missing ${field}`);
    if (jsonType(value) !== type) throw rpcError('RPC_TYPE_ERROR', `JSON value of type ${jsonType(value)} for field ${field} is not of expected type ${type}`);
  }
  for (const key of Object.keys(entry)) {
    if (!FIELDS.some(([field]) => field === key)) throw rpcError('RPC_TYPE_ERROR', `Unexpected key ${key}`);
  }
  const txidLE = hashArg(entry['txid'], 'txid');
  const vout = entry['vout'] as number;
  if (!Number.isInteger(vout) || vout > MAX_VOUT || vout < -MAX_VOUT - 1) throw rpcError('RPC_MISC_ERROR', 'JSON integer out of range');
  if (vout < 0) throw rpcError('RPC_INVALID_PARAMETER', 'Invalid parameter, vout cannot be negative');
  return { txidLE, vout };
}

/** Core's uvTypeName. */
function jsonType(value: ParamValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}
