/**
 * End to end, test 5 of the relayer issue: main-chain reorgs around a peg-in, with real devnet
 * nodes (invalidateblock, generateblock, generatetoaddress), a real Redis and a real relayer.
 *
 * 1. A reorg before the mint: two locks in one block; the block is replaced by a longer branch in
 *    which the first lock's input is double-spent (that lock is gone for good) and the second lock
 *    is mined again. The first ends `reorged` (SOURCE_REORGED) and is never minted; the second
 *    comes back at its new block and is minted exactly once.
 * 2. A reorg after a mint: the minted lock's block is replaced by a longer branch that double-spends
 *    it. The relayer pauses peg-ins and raises MINTED_LOCK_REORGED and RESERVE_CHECK_FAILED; a new
 *    lock waits `verified` while paused and is minted once after `utxo-relay resume`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { addressToScriptPubKey } from '../../ledgers/bitcoin/address.js';
import { lockScriptPubKey } from '../../ledgers/bitcoin/lock-script.js';
import { UTXO_RELAY_BIN } from '../../ledgers/devnet/node-process.js';
import { buildMint } from '../../ledgers/devnet/test-utils.js';
import { buildSignedPayment, type SpendableCoin } from '../../ledgers/devnet/wallet/build-payment.js';
import type { JsonRpcClient } from '../../ledgers/rpc/json-rpc-client.js';
import { bytesToHex, displayToHash, hashToDisplay, hexToBytes } from '../../proofs/bytes.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { transferIdOf } from '../../relayer/transfer.js';
import { eventually } from '../eventually.js';
import { lockedValue, sideSupply } from './books.js';
import type { Bridge } from './bridge-harness.js';
import { blockOf, inputsOf, outpoint, voutOf } from './chain-reads.js';
import { fundedBridge } from './funded-bridge.js';
import { settledChains } from './watcher-mining.js';

const COIN = 100_000_000n;

test('a lock reorged away before its mint is never minted; a lock mined again in the new branch is minted once', { timeout: 300_000 }, async (t) => {
  // 3 confirmations on main: one block is far below them when the reorg comes; debug logs tell
  // when the watcher skips a block
  const bridge = await fundedBridge(t, { confirmations: { main: 3 }, sections: { log: { level: 'debug' } } }, 3);
  const main = bridge.nodes.mainRpc;
  const key = bridge.walletFile.primaryKey();
  const mainAddress = await bridge.mainWallet.address(key);
  const sideAddress = await bridge.sideWallet.address(key);
  const lockedBefore = await lockedValue(bridge);
  const supplyBefore = await sideSupply(bridge);

  // two locks from two different coins, in the same block B1
  const coins = await bridge.mainWallet.coins();
  const lockA = await bridge.mainWallet.lock(100_000_000n, sideAddress, bridge.federation);
  const spentByA = inputsOf(lockA.raw);
  const lockB = await sendLock(bridge, coins.filter((c) => !spentByA.has(outpoint(c))), 150_000_000n, sideAddress);
  const pegA = transferIdOf('pegin', displayToHash(lockA.txid), voutOf(lockA.raw, 100_000_000n));
  const pegB = transferIdOf('pegin', displayToHash(lockB.txid), voutOf(lockB.raw, 150_000_000n));
  await bridge.mine('main', 1);
  const b1 = await blockOf(main, lockA.txid);
  assert.ok(b1 !== undefined && b1 === (await blockOf(main, lockB.txid)), 'both locks are in one block');
  const parent = (await main.call<{ previousblockhash: string; height: number }>('getblockheader', [b1])).previousblockhash;

  // the relayer records both at B1 and waits for confirmations (1 of 3)
  await eventually(async () => {
    for (const id of [pegA, pegB]) {
      const tr = await bridge.transfer(id);
      assert.ok(tr !== undefined && (tr.state === 'seen' || tr.state === 'confirming'), `${id}: ${tr?.state ?? 'not seen'}`);
      assert.equal(tr.source.blockHash, b1);
    }
  }, { timeoutMs: 60_000, what: 'both locks recorded at B1' });

  // B1 leaves the best chain: both locks go back to the mempool
  await main.call('invalidateblock', [b1]);
  assert.equal(await main.call<string>('getbestblockhash', []), parent);
  const pool = await main.call<string[]>('getrawmempool', []);
  assert.ok(pool.includes(lockA.txid) && pool.includes(lockB.txid), 'the locks are back in the mempool');

  // C1 on the parent: A's coin is spent by a plain payment (A can never come back), B is mined again
  const conflict = conflictingSpend(coins.filter((c) => spentByA.has(outpoint(c))), key.scriptPubKey);
  const c1 = (await main.call<{ hash: string }>('generateblock', [mainAddress, [bytesToHex(conflict.raw), lockB.txid]])).hash;
  assert.equal(await blockOf(main, lockB.txid), c1);
  assert.ok(!(await main.call<string[]>('getrawmempool', [])).includes(lockA.txid), 'the double-spent lock left the mempool');

  // C1 has as much work as B1: the relayer's light client keeps B1 (first seen), so the watcher
  // skips C1 when the stream delivers it. Wait for that, so that C1 must be scanned later, when
  // the branch becomes the best chain (a block skipped then is not lost)
  const c1Height = (await main.call<{ height: number }>('getblockheader', [c1])).height;
  await eventually(() => assert.ok(skippedInLog(bridge, 'main', c1Height), 'the relayer logs that it skipped C1'), { timeoutMs: 60_000, what: 'C1 delivered and skipped' });
  // C2: the branch has more work. A leaves for good; B is back at C1 (2 of 3 confirmations)
  await main.call('generatetoaddress', [1, mainAddress]);
  await eventually(async () => {
    assert.equal((await bridge.transfer(pegA))?.state, 'reorged');
    const b = await bridge.transfer(pegB);
    assert.ok(b !== undefined && b.source.blockHash === c1 && b.generation >= 1 && (b.state === 'seen' || b.state === 'confirming'), `B: ${b?.state} at ${b?.source.blockHash}`);
  }, { timeoutMs: 60_000, what: 'lock A reorged, lock B back at C1' });
  // the side node checks a mint against its own view of main, polled every second: let it follow
  // the reorg before B can reach its confirmations, by asking it whether it would take a mint of B
  // now (else the relayer's mint may be refused, and the relayer holds the transfer with
  // BROADCAST_REFUSED for an operator's retry: a lagging side node is not told from a bad mint)
  await eventually(async () => assert.equal(await sideAcceptsMint(bridge, lockB.txid, voutOf(lockB.raw, 150_000_000n), 150_000_000n, sideAddress), true), { timeoutMs: 60_000, what: 'the side node following the main reorg' });

  const [mintedB] = await bridge.untilState([pegB], 'completed');
  assert.equal(mintedB!.source.blockHash, c1, 'B is minted from its new block');
  assert.ok(mintedB!.generation >= 1, 'B re-entered the pipeline after the reorg');
  assert.equal(mintedB!.payoutAmount, 150_000_000n - bridge.config.fees.mint);
  assert.ok((await bridge.store.events(pegB)).some((e) => JSON.stringify(e).includes('after a reorg')), 'B\'s history tells the reorg');

  // keep both chains moving until the relayer has processed every block: A stays reorged, unminted
  await settledChains(bridge, 4);
  const a = await bridge.transfer(pegA);
  assert.equal(a?.state, 'reorged');
  assert.equal(a.reason?.code, 'SOURCE_REORGED');
  assert.equal(a.payout, undefined, 'nothing was built for A');
  assert.equal(a.source.blockHash, b1);

  // the chains: A's lock transaction is gone, its coin spent by the conflict; B claimed once
  await assert.rejects(main.call('getrawtransaction', [lockA.txid]), /RPC error -5/);
  assert.ok((await blockOf(main, hashToDisplay(conflict.txidLE))) !== undefined, 'the conflicting spend is confirmed');
  assert.deepEqual(await bridge.nodes.sideRpc.call('getpegclaim', [lockA.txid, voutOf(lockA.raw, 100_000_000n)]), { claimed: false });
  const claimB = await bridge.nodes.sideRpc.call<{ claimed: boolean; mint_txid: string; in_mempool: boolean }>('getpegclaim', [lockB.txid, voutOf(lockB.raw, 150_000_000n)]);
  assert.equal(claimB.claimed, true);
  assert.equal(claimB.mint_txid, mintedB!.payout!.txid);
  assert.equal(claimB.in_mempool, false);
  assert.equal(await lockedValue(bridge), lockedBefore + 150_000_000n, 'only B is locked');
  // nothing twice: the side supply grew by B's lock exactly (mint + mint fee), nothing for A
  assert.equal(await sideSupply(bridge), supplyBefore + 150_000_000n);
  assert.equal(await paidTo(bridge.nodes.sideRpc, claimB.mint_txid, sideAddress), 150_000_000n - bridge.config.fees.mint);
  const counts = await bridge.store.counts();
  assert.equal(counts.completed, 1);
  assert.equal(counts.reorged, 1);
  assert.equal(counts.held + counts.rejected, 0);
  assert.equal(await bridge.controls.pausedReason('pegin'), undefined, 'a reorg before any payout pauses nothing');
});

test('a lock reorged away after its mint pauses peg-ins with alerts; a new lock waits and is minted once after resume', { timeout: 300_000 }, async (t) => {
  const bridge = await fundedBridge(t, {}, 3);
  const main = bridge.nodes.mainRpc;
  const side = bridge.nodes.sideRpc;
  const key = bridge.walletFile.primaryKey();
  const mainAddress = await bridge.mainWallet.address(key);
  const sideAddress = await bridge.sideWallet.address(key);
  const lockedBefore = await lockedValue(bridge);

  const coins = await bridge.mainWallet.coins();
  const lock1 = await bridge.mainWallet.lock(COIN, sideAddress, bridge.federation);
  const vout1 = voutOf(lock1.raw, COIN);
  const peg1 = transferIdOf('pegin', displayToHash(lock1.txid), vout1);
  const [minted1] = await bridge.untilState([peg1], 'completed');
  const claim1 = await side.call<{ claimed: boolean; mint_txid: string }>('getpegclaim', [lock1.txid, vout1]);
  assert.equal(claim1.mint_txid, minted1!.payout!.txid);
  assert.equal(await sideSupply(bridge), COIN);

  // replace the lock's block (and all above it) with a longer branch that double-spends the lock
  const lockBlock = minted1!.source.blockHash;
  const oldTip = await main.call<number>('getblockcount', []);
  await main.call('invalidateblock', [lockBlock]);
  const spent = inputsOf(lock1.raw);
  const conflict = conflictingSpend(coins.filter((c) => spent.has(outpoint(c))), key.scriptPubKey);
  await main.call('generateblock', [mainAddress, [bytesToHex(conflict.raw)]]);
  const forkTip = await main.call<number>('getblockcount', []);
  await main.call('generatetoaddress', [oldTip - forkTip + 1, mainAddress]);
  assert.equal(await main.call<number>('getblockcount', []), oldTip + 1);
  await assert.rejects(main.call('getrawtransaction', [lock1.txid]), /RPC error -5/, 'the lock is gone from the main chain');
  assert.equal(await lockedValue(bridge), lockedBefore, 'nothing is locked any more');

  // the relayer sees it: peg-ins paused, both alerts raised
  const alerts = await eventually(async () => {
    const paused = await bridge.controls.pausedReason('pegin');
    assert.ok(paused !== undefined && (paused.by === 'reorg' || paused.by === 'reserve-check'), `pegin paused: ${JSON.stringify(paused)}`);
    const list = await bridge.controls.alerts();
    assert.ok(list.some((a) => a.kind === 'MINTED_LOCK_REORGED' && a.details?.['transferId'] === peg1), 'MINTED_LOCK_REORGED');
    assert.ok(list.some((a) => a.kind === 'RESERVE_CHECK_FAILED'), 'RESERVE_CHECK_FAILED');
    return list;
  }, { timeoutMs: 60_000, what: 'the pause and the alerts' });
  const reserveAlert = alerts.find((a) => a.kind === 'RESERVE_CHECK_FAILED')!;
  assert.equal(reserveAlert.details?.['supply'], COIN.toString());
  assert.equal(reserveAlert.details?.['locked'], lockedBefore.toString());
  assert.equal((await bridge.transfer(peg1))?.state, 'completed', 'the record keeps its payout: value did move');

  // a new lock (large enough to cover the side supply again) is verified but not minted while paused
  const lock2Amount = 3n * COIN;
  const lock2 = await bridge.mainWallet.lock(lock2Amount, sideAddress, bridge.federation);
  const vout2 = voutOf(lock2.raw, lock2Amount);
  const peg2 = transferIdOf('pegin', displayToHash(lock2.txid), vout2);
  await bridge.untilState([peg2], 'verified', { failOn: ['rejected', 'held', 'signing', 'broadcast', 'completed'] });
  await settledChains(bridge, 4);
  const waiting = await bridge.transfer(peg2);
  assert.equal(waiting?.state, 'verified', 'a paused direction signs nothing');
  assert.equal(waiting.payout, undefined);
  assert.deepEqual(await side.call('getpegclaim', [lock2.txid, vout2]), { claimed: false });
  assert.notEqual(await bridge.controls.pausedReason('pegin'), undefined, 'still paused');
  assert.equal(await sideSupply(bridge), COIN);

  // the operator resumes: the lock is minted, once
  const { stdout } = await promisify(execFile)(process.execPath, [UTXO_RELAY_BIN, 'resume', 'all', '--config', bridge.configPath]);
  assert.match(stdout, /pegin resumed/);
  assert.equal(await bridge.controls.pausedReason('pegin'), undefined);
  const [minted2] = await bridge.untilState([peg2], 'completed');
  const claim2 = await side.call<{ claimed: boolean; mint_txid: string; in_mempool: boolean }>('getpegclaim', [lock2.txid, vout2]);
  assert.equal(claim2.claimed, true);
  assert.equal(claim2.mint_txid, minted2!.payout!.txid);
  assert.equal(minted2!.payoutAmount, lock2Amount - bridge.config.fees.mint);
  // nothing twice: the side supply is the first (orphaned) mint plus this one, exactly
  assert.equal(await sideSupply(bridge), COIN + lock2Amount);
  assert.equal(await lockedValue(bridge), lockedBefore + lock2Amount);
  assert.equal(await paidTo(side, claim2.mint_txid, sideAddress), lock2Amount - bridge.config.fees.mint);
  const counts = await bridge.store.counts();
  assert.equal(counts.completed, 2);
  assert.equal(counts.held + counts.rejected + counts.reorged, 0);

  // the side chain still holds the first lock's mint: the bridge is short by it, and the reserve
  // check (after every block) pauses again
  await bridge.mineUntil(async () => assert.equal((await bridge.controls.pausedReason('pegin'))?.by, 'reserve-check'), { what: 'the reserve check pausing again' });
});

// ---------------------------------------------------------------------------------------------

/**
 * Whether the side node would accept a mint of this lock now (`testmempoolaccept` of a mint signed
 * here with the devnet federation's public dev key, never broadcast): it does once its own view of
 * the main chain holds the lock's block on its best chain.
 */
async function sideAcceptsMint(bridge: Bridge, lockTxid: string, vout: number, amount: bigint, sideAddress: string): Promise<boolean | string> {
  const main = bridge.nodes.mainRpc;
  const tx = await main.call<{ hex: string; blockhash: string }>('getrawtransaction', [lockTxid, 1]);
  const block = await main.call<{ tx: { txid: string; hex: string }[] }>('getblock', [tx.blockhash, 2]);
  const merkleBlock = await main.call<string>('gettxoutproof', [[block.tx[0]!.txid, lockTxid], tx.blockhash]);
  const mint = buildMint(bridge.federation, [bridge.config.signing.privateKey], {
    lockTxidLE: displayToHash(lockTxid),
    lockVout: vout,
    outputs: [{ value: amount - bridge.config.fees.mint, scriptPubKey: addressToScriptPubKey('uds', sideAddress) }],
    proof: { lockTx: hexToBytes(tx.hex), coinbase: hexToBytes(block.tx[0]!.hex), merkleBlock: hexToBytes(merkleBlock) },
  });
  const [r] = await bridge.nodes.sideRpc.call<{ allowed: boolean; 'reject-reason'?: string }[]>('testmempoolaccept', [[bytesToHex(mint.bytes)]]);
  return r!.allowed || (r!['reject-reason'] ?? 'refused');
}

/** Whether a relayer's log (debug level) says it skipped the `role` block at `height` as off its best chain. */
function skippedInLog(bridge: Bridge, role: 'main' | 'side', height: number): boolean {
  return bridge.relayers.some((r) =>
    readFileSync(r.logFile, 'utf8').split('\n').some((line) => {
      if (!line.startsWith('{')) return false;
      const j = JSON.parse(line) as { msg?: string; chain?: string; height?: number };
      return j.chain === role && j.height === height && j.msg?.includes('skipped') === true;
    }),
  );
}

/** A plain payment of `coins` back to the wallet: spends what a lock spent, so the lock can never confirm. */
function conflictingSpend(coins: readonly SpendableCoin[], changeScript: Uint8Array): ReturnType<typeof buildSignedPayment> {
  assert.ok(coins.length > 0, 'the coins the lock spent');
  return buildSignedPayment({ coins, outputs: [], feeRate: 3, changeScript });
}

/** A lock from chosen coins (the wallet's `lock` picks coins itself: two in one block would collide). */
async function sendLock(bridge: Bridge, coins: readonly SpendableCoin[], amount: bigint, sideAddress: string): Promise<{ txid: string; raw: Uint8Array }> {
  const payment = buildSignedPayment({
    coins,
    outputs: [
      { value: amount, scriptPubKey: lockScriptPubKey(bridge.federation) },
      { value: 0n, scriptPubKey: encodeMemo({ kind: 'lock', destinationScript: addressToScriptPubKey('uds', sideAddress) }) },
    ],
    feeRate: 2,
    changeScript: bridge.walletFile.primaryKey().scriptPubKey,
  });
  const txid = await bridge.nodes.mainRpc.call<string>('sendrawtransaction', [bytesToHex(payment.raw)]);
  return { txid, raw: payment.raw };
}

/** What transaction `txid` pays to `address`. */
async function paidTo(rpc: JsonRpcClient, txid: string, address: string): Promise<bigint> {
  const tx = await rpc.call<{ vout: { value: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', [txid, 1]);
  return tx.vout.filter((o) => o.scriptPubKey.address === address).reduce((s, o) => s + BigInt(Math.round(o.value * 1e8)), 0n);
}

