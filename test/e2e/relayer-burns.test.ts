/**
 * End to end, test 7 of the relayer issue: peg-outs under stress, with real devnet nodes, a real
 * Redis and a real relayer process.
 *
 * 1. A burn in a side block that is reorged away (its coin double-spent in the longer branch, so
 *    it never comes back) releases nothing: no main-chain transaction carries its `UBR1 0x03`
 *    memo, the lock keeps its value, the transfer ends `reorged`.
 * 2. A release kept out of blocks (the main chain mines only empty blocks with
 *    `generateblock <address> []`) is fee-bumped after `rbf.afterBlocks` blocks, twice; exactly one
 *    version confirms, the destination is paid once (amount - that version's fee), the lock loses
 *    exactly the burned amount, and the record is `completed` with the confirmed version.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scriptPubKeyToAddress } from '../../ledgers/bitcoin/address.js';
import { buildSignedPayment } from '../../ledgers/devnet/wallet/build-payment.js';
import type { JsonRpcClient } from '../../ledgers/rpc/json-rpc-client.js';
import { bytesToHex, displayToHash, hashToDisplay } from '../../proofs/bytes.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { burnsHash } from '../../relayer/detect/index.js';
import { ChainMarks } from '../../relayer/store/chain-marks.js';
import { transferIdOf, type Transfer } from '../../relayer/transfer.js';
import { eventually } from '../eventually.js';
import { lockedValue, sideSupply } from './books.js';
import type { Bridge } from './bridge-harness.js';
import { blockOf, inputsOf, outpoint, voutOf } from './chain-reads.js';
import { fundedBridge } from './funded-bridge.js';
import { settledChains } from './watcher-mining.js';

const COIN = 100_000_000n;

test('a burn whose side block is reorged away (its coin double-spent) releases nothing', { timeout: 300_000 }, async (t) => {
  // 3 confirmations on the side chain: one block is far below them when the reorg comes
  const bridge = await fundedBridge(t, { confirmations: { side: 3 } }, 2);
  const side = bridge.nodes.sideRpc;
  const main = bridge.nodes.mainRpc;
  const key = bridge.walletFile.primaryKey();
  const mainAddress = await bridge.mainWallet.address(key);
  const sideAddress = await bridge.sideWallet.address(key);

  const lock = await bridge.mainWallet.lock(2n * COIN, sideAddress, bridge.federation);
  const pegIn = transferIdOf('pegin', displayToHash(lock.txid), voutOf(lock.raw, 2n * COIN));
  await bridge.untilState([pegIn], 'completed', { timeoutMs: 180_000 });
  const lockedBefore = await lockedValue(bridge);
  const supplyBefore = await sideSupply(bridge);
  assert.equal(supplyBefore, 2n * COIN);

  // burn, mined in one side block S1
  const sideCoins = await bridge.sideWallet.coins();
  const burn = await bridge.sideWallet.burn(COIN, mainAddress);
  const burnVout = voutOf(burn.raw, COIN);
  const pegOut = transferIdOf('pegout', displayToHash(burn.txid), burnVout);
  const mainHeightAtBurn = await main.call<number>('getblockcount', []);
  await bridge.mine('side', 1);
  const s1 = await blockOf(side, burn.txid);
  assert.ok(s1 !== undefined, 'the burn is in a block');
  await eventually(async () => {
    const tr = await bridge.transfer(pegOut);
    assert.ok(tr !== undefined && (tr.state === 'seen' || tr.state === 'confirming'), `${pegOut}: ${tr?.state ?? 'not seen'}`);
    assert.equal(tr.source.blockHash, s1);
  }, { timeoutMs: 60_000, what: 'the burn recorded at S1' });

  // S1 leaves the side chain; the burn's coin is spent by a plain payment in a longer branch
  const parent = (await side.call<{ previousblockhash: string }>('getblockheader', [s1])).previousblockhash;
  await side.call('invalidateblock', [s1]);
  assert.equal(await side.call<string>('getbestblockhash', []), parent);
  const spent = inputsOf(burn.raw);
  const conflict = buildSignedPayment({ coins: sideCoins.filter((c) => spent.has(outpoint(c))), outputs: [], feeRate: 3, changeScript: key.scriptPubKey });
  await side.call('generateblock', [sideAddress, [bytesToHex(conflict.raw)]]);
  await side.call('generatetoaddress', [2, sideAddress]);
  assert.ok(!(await side.call<string[]>('getrawmempool', [])).includes(burn.txid), 'the burn is not in the side mempool');
  await assert.rejects(side.call('getrawtransaction', [burn.txid]), /RPC error -5/, 'the burn is gone from the side chain');

  await eventually(async () => assert.equal((await bridge.transfer(pegOut))?.state, 'reorged'), { timeoutMs: 60_000, what: 'the burn reorged' });
  // both chains move on and the relayer processes every block: nothing is released
  await settledChains(bridge, 5);
  const out = await bridge.transfer(pegOut);
  assert.equal(out?.state, 'reorged');
  assert.equal(out.reason?.code, 'SOURCE_REORGED');
  assert.equal(out.payout, undefined, 'no release was built');

  // the main chain: no transaction carries this burn's memo, the lock kept its value
  const memo = bytesToHex(encodeMemo({ kind: 'release', burnsHashLE: burnsHash([{ txidLE: displayToHash(burn.txid), vout: burnVout }]) }));
  assert.deepEqual(await transactionsPaying(main, memo, mainHeightAtBurn), [], 'no release of the burn on the main chain or in its mempool');
  assert.equal(await lockedValue(bridge), lockedBefore);
  assert.equal(await new ChainMarks(bridge.redis, bridge.store.keys).releaseFor(bytesToHex(burnsHash([{ txidLE: displayToHash(burn.txid), vout: burnVout }]))), undefined);
  assert.deepEqual(await bridge.controls.paused(), {}, 'a burn reorged before any release pauses nothing');
  // the side chain: the coin went to the conflicting payment, the pegged supply is whole
  assert.ok((await blockOf(side, hashToDisplay(conflict.txidLE))) !== undefined);
  assert.equal(await sideSupply(bridge), supplyBefore);
  const counts = await bridge.store.counts();
  assert.equal(counts.completed, 1);
  assert.equal(counts.reorged, 1);
  assert.equal(counts.held + counts.rejected, 0);
});

test('a release kept out of blocks is fee-bumped, and exactly one version pays the destination once', { timeout: 300_000 }, async (t) => {
  const bridge = await fundedBridge(t, {}, 2);
  const main = bridge.nodes.mainRpc;
  const key = bridge.walletFile.primaryKey();
  const sideAddress = await bridge.sideWallet.address(key);

  const lock = await bridge.mainWallet.lock(2n * COIN, sideAddress, bridge.federation);
  const pegIn = transferIdOf('pegin', displayToHash(lock.txid), voutOf(lock.raw, 2n * COIN));
  await bridge.untilState([pegIn], 'completed', { timeoutMs: 180_000 });
  const lockedBefore = await lockedValue(bridge);

  // a destination that holds nothing yet, so that every coin it gets is from the release
  const destinationKey = bridge.walletFile.newKey();
  const destination = scriptPubKeyToAddress('udm', destinationKey.scriptPubKey)!;
  const burn = await bridge.sideWallet.burn(COIN, destination);
  const burnVout = voutOf(burn.raw, COIN);
  const pegOut = transferIdOf('pegout', displayToHash(burn.txid), burnVout);
  const mainHeightAtBurn = await main.call<number>('getblockcount', []);

  // only the side chain moves: the release is signed and broadcast, and sits in the main mempool
  const first = await bridge.mineUntil(async () => {
    const tr = await bridge.transfer(pegOut);
    if (tr?.state === 'held' || tr?.state === 'rejected') throw Object.assign(new Error(`${pegOut} ${tr.state}: ${tr.reason?.code}`), { fatal: true });
    assert.equal(tr?.state, 'broadcast', `${pegOut}: ${tr?.state ?? 'not seen'}`);
    return tr.payout!;
  }, { roles: ['side'], timeoutMs: 120_000, what: 'the release broadcast' });
  assert.equal(first.broadcastHeight, mainHeightAtBurn);
  assert.ok((await main.call<string[]>('getrawmempool', [])).includes(first.txid), 'the release is in the main mempool');

  // empty main blocks: the release waits; after rbf.afterBlocks it is bumped, then bumped again
  const { afterBlocks } = bridge.config.rbf;
  const bumped = await mineEmptyUntil(bridge, async () => {
    const tr = await bridge.transfer(pegOut);
    assert.equal(tr?.state, 'broadcast');
    assert.ok((tr.payoutHistory?.length ?? 0) >= 2, `${tr.payoutHistory?.length ?? 0} of 2 fee bumps`);
    return tr;
  });
  const tip = await main.call<number>('getblockcount', []);
  assert.ok(tip - mainHeightAtBurn >= 2 * afterBlocks, `two bumps need ${2 * afterBlocks} blocks, ${tip - mainHeightAtBurn} were mined`);
  const versions = [bumped.payout!, ...bumped.payoutHistory!];
  assert.equal(new Set(versions.map((v) => v.txid)).size, versions.length, 'each version is a new transaction');
  for (const v of versions) assert.deepEqual([...v.inputs].sort(), [...first.inputs].sort(), 'every version spends the same lock outputs');
  for (let i = 0; i + 1 < versions.length; i++) {
    assert.ok(versions[i]!.feeRate > versions[i + 1]!.feeRate && versions[i]!.fee > versions[i + 1]!.fee, 'each bump pays more');
  }
  assert.ok(versions.some((v) => v.txid === first.txid));
  // none of them was mined in the empty blocks
  for (const v of versions) assert.equal(await blockOf(main, v.txid).catch(() => undefined), undefined, `${v.txid} unconfirmed`);

  // normal blocks again: one version confirms and the transfer completes
  const [done] = await bridge.untilState([pegOut], 'completed', { timeoutMs: 120_000 });
  const payout = done!.payout!;
  const all = [payout, ...(done!.payoutHistory ?? [])];
  assert.ok(all.length >= versions.length, 'the record keeps every version');
  for (const v of versions) assert.ok(all.some((a) => a.txid === v.txid), `version ${v.txid} kept in the record`);
  const confirmed: string[] = [];
  for (const v of all) {
    const block = await blockOf(main, v.txid).catch(() => undefined);
    if (block !== undefined) confirmed.push(v.txid);
  }
  assert.deepEqual(confirmed, [payout.txid], 'exactly one version confirmed: the record\'s payout');
  const mempool = await main.call<string[]>('getrawmempool', []);
  assert.ok(all.every((v) => !mempool.includes(v.txid)), 'no other version lingers in the mempool');

  // the destination is paid once, the burned amount less the confirmed version's fee
  const dest = await main.call<{ unspents: { txid: string; amount: number }[] }>('scantxoutset', ['start', [`raw(${bytesToHex(destinationKey.scriptPubKey)})`]]);
  assert.equal(dest.unspents.length, 1, 'one payment to the destination');
  assert.equal(dest.unspents[0]!.txid, payout.txid);
  assert.equal(BigInt(Math.round(dest.unspents[0]!.amount * 1e8)), COIN - payout.fee);
  assert.ok(payout.fee > 0n);
  assert.equal(await lockedValue(bridge), lockedBefore - COIN, 'the lock lost exactly the burned amount');
  // one transaction on the main chain carries this burn's memo
  const memo = bytesToHex(encodeMemo({ kind: 'release', burnsHashLE: burnsHash([{ txidLE: displayToHash(burn.txid), vout: burnVout }]) }));
  assert.deepEqual(await transactionsPaying(main, memo, mainHeightAtBurn), [payout.txid]);
  const counts = await bridge.store.counts();
  assert.equal(counts.completed, 2);
  assert.equal(counts.held + counts.rejected + counts.reorged, 0);
});

// ---------------------------------------------------------------------------------------------

/** Mines empty main blocks (`generateblock <address> []`) every 400 ms until `check` passes. */
async function mineEmptyUntil(bridge: Bridge, check: () => Promise<Transfer>): Promise<Transfer> {
  const address = await bridge.mainWallet.address(bridge.walletFile.primaryKey());
  let last = 0;
  return eventually(async () => {
    if (Date.now() - last >= 400) {
      last = Date.now();
      await bridge.nodes.mainRpc.call('generateblock', [address, []]);
    }
    return check();
  }, { timeoutMs: 120_000, intervalMs: 100, what: 'fee bumps while the main chain mines empty blocks' });
}

/** Txids of the main-chain transactions (blocks above `fromHeight`, and the mempool) with an output of script `scriptHex`. */
async function transactionsPaying(rpc: JsonRpcClient, scriptHex: string, fromHeight: number): Promise<string[]> {
  type Tx = { txid: string; vout: { scriptPubKey: { hex: string } }[] };
  const found: string[] = [];
  const tip = await rpc.call<number>('getblockcount', []);
  for (let h = fromHeight + 1; h <= tip; h++) {
    const block = await rpc.call<{ tx: Tx[] }>('getblock', [await rpc.call<string>('getblockhash', [h]), 2]);
    for (const tx of block.tx) if (tx.vout.some((o) => o.scriptPubKey.hex === scriptHex)) found.push(tx.txid);
  }
  for (const txid of await rpc.call<string[]>('getrawmempool', [])) {
    const tx = await rpc.call<Tx>('getrawtransaction', [txid, 1]);
    if (tx.vout.some((o) => o.scriptPubKey.hex === scriptHex)) found.push(tx.txid);
  }
  return found;
}

