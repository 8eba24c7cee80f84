/**
 * scantxoutset "action" ( [scanobjects,...] ): the unspent outputs of the best chain paying the
 * scripts of `raw(<hex>)` / `addr(<address>)` descriptors (a string, or `{"desc": ..., "range": ...}`
 * whose range is ignored: these descriptors have no keys to derive). The lookup is by script and
 * synchronous, so "status" answers null (no scan in progress) and "abort" false (nothing to abort).
 */
import { bytesToHex, hashToDisplay } from '../../../../proofs/bytes.js';
import { amountJson } from '../amount.js';
import { requiredString } from '../args.js';
import { inferDescriptor } from '../descriptor.js';
import { rpcError } from '../errors.js';
import type { JsonValue } from '../json.js';
import type { ParamValue } from '../params.js';
import { descriptorScriptOrThrow } from './lookup.js';
import type { RpcMethod } from './method.js';

export const scantxoutset: RpcMethod = {
  name: 'scantxoutset',
  params: [
    { name: 'action', type: 'string', required: true },
    { name: 'scanobjects', type: 'array' },
  ],
  summary: 'unspent outputs paying raw() / addr() descriptors',
  run({ chain }, args) {
    const action = requiredString(args[0], 'action');
    if (action === 'status') return null;
    if (action === 'abort') return false;
    if (action !== 'start') throw rpcError('RPC_INVALID_PARAMETER', `Invalid action '${action}'`);
    if (!Array.isArray(args[1])) throw rpcError('RPC_INVALID_PARAMETER', 'scanobjects argument is required for the start action');
    const scripts = new Map<string, Uint8Array>();
    for (const object of args[1]) {
      const script = descriptorScriptOrThrow(chain, descriptorOf(object));
      scripts.set(bytesToHex(script), script);
    }
    const tip = chain.tip();
    const unspents: JsonValue[] = [];
    let total = 0n;
    for (const script of scripts.values()) {
      // every output found pays this one script: infer its descriptor once, not per output
      const desc = inferDescriptor(script, chain.hrp);
      for (const utxo of chain.utxosByScript(script)) {
        total += utxo.output.value;
        const blockHashLE = chain.blockHashAtHeight(utxo.height);
        unspents.push({
          txid: hashToDisplay(utxo.txidLE),
          vout: utxo.vout,
          scriptPubKey: bytesToHex(utxo.output.scriptPubKey),
          desc,
          amount: amountJson(utxo.output.value),
          coinbase: utxo.coinbase,
          height: utxo.height,
          blockhash: blockHashLE === undefined ? undefined : hashToDisplay(blockHashLE),
        });
      }
    }
    return { success: true, txouts: unspents.length, height: tip.height, bestblock: hashToDisplay(tip.hashLE), unspents, total_amount: amountJson(total) };
  },
};

function descriptorOf(object: ParamValue): string {
  if (typeof object === 'string') return object;
  if (object !== null && typeof object === 'object' && !Array.isArray(object) && typeof object['desc'] === 'string') return object['desc'];
  throw rpcError('RPC_INVALID_PARAMETER', 'Scan object needs to be either a string or an object');
}
