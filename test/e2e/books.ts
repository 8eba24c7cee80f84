/**
 * The bridge's books in the end-to-end tests: what the lock holds, the side chain's pegged supply,
 * and `checkBooks`, the check that ends a test with many transfers: one claim per lock outpoint,
 * one confirmed release per burn, each destination paid once the exact amount, the side supply
 * and the lock's value equal to what the locks and burns say.
 */
import assert from 'node:assert/strict';
import { parseCoins } from '../../ledgers/bitcoin/amount.js';
import type { JsonRpcClient } from '../../ledgers/rpc/json-rpc-client.js';
import { bytesToHex, displayToHash } from '../../proofs/bytes.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { burnsHash } from '../../relayer/detect/index.js';
import type { Transfer, TransferId } from '../../relayer/transfer.js';
import type { Bridge } from './bridge-harness.js';
import type { Sent } from './transfer-waves.js';

/** Base units of a node's amount in coins (a JSON number with at most 8 decimals). */
export function units(amount: number): bigint {
  return parseCoins(amount.toFixed(8));
}

/** What the lock holds: the main chain's unspent outputs to the federation's lock script. */
export async function lockedValue(bridge: Bridge): Promise<bigint> {
  const r = await bridge.nodes.mainRpc.call<{ unspents: { amount: number }[] }>('scantxoutset', ['start', [`raw(${bytesToHex(bridge.lockScript)})`]]);
  return r.unspents.reduce((s, u) => s + units(u.amount), 0n);
}

/** The pegged supply: the side chain's whole UTXO set (it has no block subsidy). */
export async function sideSupply(bridge: Bridge): Promise<bigint> {
  const r = await bridge.nodes.sideRpc.call<{ total_amount: number }>('gettxoutsetinfo', []);
  return units(r.total_amount);
}

interface RpcTx {
  txid: string;
  fee?: number;
  vout: { value: number; scriptPubKey: { hex: string } }[];
}

/**
 * The books, on both chains and in the store, once every transfer completed: nothing twice and
 * nothing lost. `otherLocks` are locks whose destination is not a fresh one (only their claim is
 * checked). A few more blocks are mined first so that a stray second payout would confirm.
 */
export async function checkBooks(bridge: Bridge, locks: readonly Sent[], burns: readonly Sent[], otherLocks: readonly Sent[]): Promise<void> {
  await bridge.mine('main', 3);
  await bridge.mine('side', 3);
  const { mainRpc, sideRpc } = bridge.nodes;
  const all = [...locks, ...burns, ...otherLocks];

  // the records: all completed, nothing held, rejected, reorged or on its way; no alarm
  const counts = await bridge.store.counts();
  assert.deepEqual(counts, { seen: 0, confirming: 0, verified: 0, signing: 0, broadcast: 0, completed: all.length, held: 0, rejected: 0, reorged: 0 });
  assert.deepEqual((await bridge.controls.alerts()).map((a) => `${a.kind}: ${a.message}`), []);
  assert.deepEqual(await bridge.controls.paused(), {});
  const records = new Map<TransferId, Transfer>();
  for (const s of all) records.set(s.id, await bridge.store.require(s.id));

  // peg-ins: each lock outpoint claimed once, by the mint on record, which paid its destination once
  const mintFee = bridge.config.fees.mint;
  for (const s of locks) {
    const claim = await sideRpc.call<{ claimed: boolean; mint_txid: string; confirmations: number }>('getpegclaim', [s.txid, s.vout]);
    assert.equal(claim.claimed, true, `${s.id} is claimed`);
    assert.equal(claim.mint_txid, records.get(s.id)!.payout?.txid, `${s.id}: the claim is the mint on record`);
    assert.ok(claim.confirmations >= bridge.config.chains.side.confirmations);
    const paid = await scan(sideRpc, s.destination);
    assert.deepEqual(paid.map((u) => [u.txid, units(u.amount)]), [[claim.mint_txid, s.amount - mintFee]], `${s.id}: its destination got amount - mint fee, once`);
  }
  for (const s of otherLocks) assert.equal((await sideRpc.call<{ claimed: boolean }>('getpegclaim', [s.txid, s.vout])).claimed, true);
  const sumLocks = [...locks, ...otherLocks].reduce((s, l) => s + l.amount, 0n);
  const sumBurns = burns.reduce((s, b) => s + b.amount, 0n);
  assert.equal(await sideSupply(bridge), sumLocks - sumBurns, 'side supply = sum of locks - sum of burns (mint fees and side fees stay in the supply, paid to side miners)');

  // peg-outs: exactly one confirmed transaction carries each burn's release memo
  const memoOf = new Map(burns.map((b) => [bytesToHex(encodeMemo({ kind: 'release', burnsHashLE: burnsHash([{ txidLE: displayToHash(b.txid), vout: b.vout }]) })), b]));
  const releases = new Map<TransferId, RpcTx[]>();
  const tip = await mainRpc.call<number>('getblockcount', []);
  for (let h = 1; h <= tip; h++) {
    const block = await mainRpc.call<{ tx: RpcTx[] }>('getblock', [await mainRpc.call<string>('getblockhash', [h]), 2]);
    for (const tx of block.tx) {
      for (const o of tx.vout) {
        const b = memoOf.get(o.scriptPubKey.hex);
        if (b !== undefined) releases.set(b.id, [...(releases.get(b.id) ?? []), tx]);
      }
    }
  }
  for (const b of burns) {
    const found = releases.get(b.id) ?? [];
    assert.equal(found.length, 1, `${b.id}: exactly one confirmed release (found ${found.map((x) => x.txid).join(', ') || 'none'})`);
    const release = found[0]!;
    assert.equal(release.txid, records.get(b.id)!.payout?.txid, `${b.id}: the release on chain is the one on record`);
    const fee = units(release.fee!);
    assert.ok(fee > 0n && fee < 100_000n, `${b.id}: release fee ${fee}`);
    const paid = await scan(mainRpc, b.destination);
    assert.deepEqual(paid.map((u) => [u.txid, units(u.amount)]), [[release.txid, b.amount - fee]], `${b.id}: its destination got amount - release fee, once`);
  }
  // no second release waiting in the mempool either
  for (const txid of await mainRpc.call<string[]>('getrawmempool', [])) {
    const tx = await mainRpc.call<RpcTx>('getrawtransaction', [txid, 1]);
    assert.ok(!tx.vout.some((o) => memoOf.has(o.scriptPubKey.hex)), `mempool transaction ${txid} carries a release memo`);
  }
  assert.equal(await lockedValue(bridge), sumLocks - sumBurns, 'the lock holds exactly what was locked minus what was burned');
}

/** The unspent outputs to `script` (`scantxoutset`). */
async function scan(rpc: JsonRpcClient, script: Uint8Array): Promise<{ txid: string; amount: number }[]> {
  const r = await rpc.call<{ unspents: { txid: string; amount: number }[] }>('scantxoutset', ['start', [`raw(${bytesToHex(script)})`]]);
  return r.unspents;
}
