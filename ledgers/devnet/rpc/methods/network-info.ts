/**
 * getnetworkinfo: Core's fields for a node without peer-to-peer networking. `version` says which
 * Core RPC the devnet follows (28.0); `subversion` says what it really is.
 */
import { amountJson } from '../amount.js';
import type { RpcMethod } from './method.js';

/** The Core version whose RPC the devnet answers like. */
export const CORE_COMPATIBLE_VERSION = 280000;
/** 1 base unit per virtual byte, per 1000 virtual bytes. */
const RELAY_FEE_PER_KVB = 1000n;

export const getnetworkinfo: RpcMethod = {
  name: 'getnetworkinfo',
  params: [],
  summary: 'node version and (absent) peer-to-peer state',
  run() {
    return {
      version: CORE_COMPATIBLE_VERSION,
      subversion: '/utxo-relay-devnet:0.1.0/',
      protocolversion: 70016,
      localservices: '0000000000000000',
      localservicesnames: [],
      localrelay: true,
      timeoffset: 0,
      networkactive: false,
      connections: 0,
      connections_in: 0,
      connections_out: 0,
      networks: [],
      relayfee: amountJson(RELAY_FEE_PER_KVB),
      incrementalfee: amountJson(RELAY_FEE_PER_KVB),
      localaddresses: [],
      warnings: [],
    };
  },
};
