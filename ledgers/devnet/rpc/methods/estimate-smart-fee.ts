/**
 * estimatesmartfee conf_target ( "estimate_mode" ): the chain's fee-rate estimate in BTC/kvB,
 * never below the minimum relay fee (1 base unit per virtual byte).
 */
import { amountJson } from '../amount.js';
import { intArg } from '../args.js';
import { rpcError } from '../errors.js';
import type { RpcMethod } from './method.js';

const MAX_TARGET = 1008;
const MODES = ['unset', 'economical', 'conservative'];

export const estimatesmartfee: RpcMethod = {
  name: 'estimatesmartfee',
  params: [
    { name: 'conf_target', type: 'number', required: true },
    { name: 'estimate_mode', type: 'string' },
  ],
  summary: 'fee rate (BTC/kvB) to confirm within conf_target blocks',
  run({ chain }, args) {
    const target = intArg(args[0], 'conf_target', undefined, -Number.MAX_SAFE_INTEGER);
    if (target < 1 || target > MAX_TARGET) throw rpcError('RPC_INVALID_PARAMETER', `Invalid conf_target, must be between 1 and ${MAX_TARGET}`);
    const mode = args[1];
    if (typeof mode === 'string' && !MODES.includes(mode.toLowerCase())) {
      throw rpcError('RPC_INVALID_PARAMETER', 'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"');
    }
    const perVbyte = chain.estimateFeeRate(target);
    const perKvB = Number.isFinite(perVbyte) ? Math.max(1000, Math.ceil(perVbyte * 1000)) : 1000;
    return { feerate: amountJson(BigInt(perKvB)), blocks: target };
  },
};
