/**
 * The method table of a devnet node and the dispatcher the JSON-RPC layer calls: Core's checks in
 * Core's order (warm-up, method lookup, parameters), then the method.
 */
import type { ChainApi, DevnetRole } from '../../chain-api.js';
import { rpcError } from '../errors.js';
import type { Dispatch } from '../jsonrpc.js';
import { positionalParams } from '../params.js';
import { getblockchaininfo } from './blockchain-info.js';
import { invalidateblock, reconsiderblock } from './block-validity.js';
import { getbestblockhash, getblockcount, getblockhash } from './chain-tip.js';
import { help, uptime } from './control.js';
import { decoderawtransaction } from './decode-raw-transaction.js';
import { generateblockon, getpegclaim } from './devnet-only.js';
import { estimatesmartfee } from './estimate-smart-fee.js';
import { generateblock, generatetoaddress, generatetodescriptor } from './generate.js';
import { getblock } from './get-block.js';
import { getblockheader } from './get-block-header.js';
import { getchaintips } from './get-chain-tips.js';
import { getrawtransaction } from './get-raw-transaction.js';
import { gettxout } from './get-tx-out.js';
import { gettxoutsetinfo } from './get-tx-out-set-info.js';
import { gettxspendingprevout } from './get-tx-spending-prevout.js';
import { getmempoolentry, getmempoolinfo, getrawmempool } from './mempool.js';
import type { MethodContext, RpcMethod } from './method.js';
import { getnetworkinfo } from './network-info.js';
import { scantxoutset } from './scan-tx-out-set.js';
import { sendrawtransaction } from './send-raw-transaction.js';
import { submitblock } from './submit-block.js';
import { testmempoolaccept } from './test-mempool-accept.js';
import { gettxoutproof, verifytxoutproof } from './tx-out-proof.js';

export type { MethodContext, RpcMethod } from './method.js';

/** Every method, Core's and the devnet's own. */
export const ALL_METHODS: readonly RpcMethod[] = [
  getblockchaininfo,
  getnetworkinfo,
  getblockcount,
  getbestblockhash,
  getblockhash,
  getblockheader,
  getblock,
  getchaintips,
  getrawtransaction,
  decoderawtransaction,
  sendrawtransaction,
  testmempoolaccept,
  getrawmempool,
  getmempoolentry,
  getmempoolinfo,
  gettxspendingprevout,
  gettxout,
  gettxoutsetinfo,
  gettxoutproof,
  verifytxoutproof,
  scantxoutset,
  estimatesmartfee,
  generatetoaddress,
  generatetodescriptor,
  generateblock,
  invalidateblock,
  reconsiderblock,
  submitblock,
  getpegclaim,
  generateblockon,
  help,
  uptime,
];

/** The methods a node of `role` serves. */
export function methodsFor(role: DevnetRole): RpcMethod[] {
  return ALL_METHODS.filter((m) => m.roles === undefined || m.roles.includes(role));
}

/** The node's state as the dispatcher sees it: still loading (RPC_IN_WARMUP), or serving a chain. */
export type NodeState = { readonly kind: 'warmup'; readonly message: string } | { readonly kind: 'ready'; readonly chain: ChainApi; readonly startedAt: number };

/** A Dispatch over `methodsFor(role)`, reading the state at each call. */
export function createDispatch(role: DevnetRole, state: () => NodeState): Dispatch {
  const methods = methodsFor(role);
  const byName = new Map(methods.map((m) => [m.name, m]));
  return (name, params) => {
    const current = state();
    if (current.kind === 'warmup') throw rpcError('RPC_IN_WARMUP', current.message);
    const method = byName.get(name);
    if (method === undefined) throw rpcError('RPC_METHOD_NOT_FOUND', 'Method not found');
    const args = positionalParams(name, method.params, params);
    const ctx: MethodContext = { chain: current.chain, startedAt: current.startedAt, methods };
    return method.run(ctx, args);
  };
}
