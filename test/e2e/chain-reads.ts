/**
 * Small reads of the devnet chains for the end-to-end tests: which node serves a chain, where a
 * transaction was mined, which output of a transaction pays a value, which coins it spends.
 */
import assert from 'node:assert/strict';
import type { SpendableCoin } from '../../ledgers/devnet/wallet/build-payment.js';
import type { JsonRpcClient } from '../../ledgers/rpc/json-rpc-client.js';
import { hashToDisplay } from '../../proofs/bytes.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';
import type { Bridge } from './bridge-harness.js';

/** The RPC client of the `role` chain's node. */
export function rpcOf(bridge: Bridge, role: 'main' | 'side'): JsonRpcClient {
  return role === 'main' ? bridge.nodes.mainRpc : bridge.nodes.sideRpc;
}

/** The hash of the block holding `txid`; undefined while it waits in the mempool. */
export async function blockOf(rpc: JsonRpcClient, txid: string): Promise<string | undefined> {
  return (await rpc.call<{ blockhash?: string }>('getrawtransaction', [txid, 1])).blockhash;
}

/** The index of the first output of `raw` paying exactly `value`. */
export function voutOf(raw: Uint8Array, value: bigint): number {
  const vout = decodeTransaction(raw).tx.outputs.findIndex((o) => o.value === value);
  assert.ok(vout >= 0, `no output of ${value}`);
  return vout;
}

/** A coin's outpoint as `txid:vout` (display order), as `inputsOf` lists them. */
export function outpoint(c: Pick<SpendableCoin, 'txidLE' | 'vout'>): string {
  return `${hashToDisplay(c.txidLE)}:${c.vout}`;
}

/** The outpoints (`txid:vout`, display order) that the transaction `raw` spends. */
export function inputsOf(raw: Uint8Array): Set<string> {
  return new Set(decodeTransaction(raw).tx.inputs.map((i) => `${hashToDisplay(i.prevTxidLE)}:${i.prevVout}`));
}
