/**
 * End to end, test 6 of the relayer issue: the relayer's main-chain node lies (test/e2e/lying-adapter.ts,
 * loaded by the relayer process from its config like any adapter module). It lies about three
 * deposits, each told apart by its amount: a forged Merkle branch in the inclusion proof, a
 * lock output reported at twice its value, and a header of the lock's block without the work it
 * claims. An honest lock through the same node mints first, so that everything else works.
 *
 * None of the lies makes the relayer sign: no claim on the side chain, the side supply is the
 * honest lock's exactly, and the record (or an alert, when no record can exist) says why.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { addressToScriptPubKey } from '../../ledgers/bitcoin/address.js';
import { loadFederationFile } from '../../ledgers/bitcoin/federation-file.js';
import { lockScriptPubKey } from '../../ledgers/bitcoin/lock-script.js';
import { devnetNetwork } from '../../ledgers/devnet/params.js';
import { bytesToHex, displayToHash, hashToDisplay } from '../../proofs/bytes.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';
import { DEVNET_FEDERATION } from '../../relayer/devnet/devnet-stack.js';
import { ChainMarks } from '../../relayer/store/chain-marks.js';
import { Keys } from '../../relayer/store/keys.js';
import { transferIdOf, type Transfer, type TransferId } from '../../relayer/transfer.js';
import { eventually } from '../eventually.js';
import { Bridge } from './bridge-harness.js';
import { inflateLocks, type Lie } from './lying-adapter.js';
import { call } from './raw-deposits.js';
import { lockedValue, sideSupply as sideSupplyOf } from './books.js';

const LYING_ADAPTER = fileURLToPath(new URL('./lying-adapter.ts', import.meta.url));

const HONEST = 100_000_000n;
const AMOUNTS: Readonly<Record<Lie, bigint>> = {
  'forged-proof': 111_000_000n,
  'wrong-amount': 122_000_000n,
  'low-work-header': 133_000_000n,
};

interface Lock {
  readonly txid: string;
  readonly vout: number;
  readonly raw: Uint8Array;
  readonly id: TransferId;
}

test('a lying main-chain node cannot make the relayer mint: forged proof, wrong amount, header without work', { timeout: 300_000 }, async (t) => {
  const lockScript = lockScriptPubKey(loadFederationFile(DEVNET_FEDERATION));
  const lies = Object.fromEntries(Object.entries(AMOUNTS).map(([lie, value]) => [value.toString(), lie]));
  const bridge = await Bridge.start(t, {
    adapters: { main: (inner) => ({ module: LYING_ADAPTER, options: { inner, lockScript: bytesToHex(lockScript), lies } }) },
    // each refusal of the lying header is logged (it is counted below), not one a minute
    sections: { log: { level: 'info', repeatEveryMs: 1 } },
  });
  assert.equal(bridge.config.chains.main.adapter, LYING_ADAPTER, 'the relayer loads the lying adapter for the main chain');
  const sideAddress = await bridge.sideWallet.address(bridge.walletFile.primaryKey());
  const destination = bytesToHex(addressToScriptPubKey(devnetNetwork('side').hrp, sideAddress));
  const mainRpc = bridge.nodes.mainRpc;
  const sideRpc = bridge.nodes.sideRpc;
  const lockedBefore = await lockedValue(bridge);
  await bridge.fundMain(3);

  const lock = async (amount: bigint): Promise<Lock> => {
    const sent = await bridge.mainWallet.lock(amount, sideAddress, bridge.federation);
    const vout = decodeTransaction(sent.raw).tx.outputs.findIndex((o) => o.value === amount);
    return { txid: sent.txid, vout, raw: sent.raw, id: transferIdOf('pegin', displayToHash(sent.txid), vout) };
  };
  const claimOf = (l: { txid: string; vout: number }): Promise<{ claimed: boolean }> => call(sideRpc, 'getpegclaim', [l.txid, l.vout]);
  const sideSupply = (): Promise<bigint> => sideSupplyOf(bridge);

  // the control: an honest lock through the same lying node mints
  const honest = await lock(HONEST);
  const [minted] = await bridge.untilState([honest.id], 'completed');
  assert.equal((await claimOf(honest)).claimed, true);
  assert.equal(await sideSupply(), HONEST, 'the side supply is the honest lock');
  assert.equal(minted!.payoutAmount, HONEST - bridge.config.fees.mint);

  // a forged Merkle branch and a doubled amount (the wallet spends confirmed coins: a block between)
  const forged = await lock(AMOUNTS['forged-proof']);
  await bridge.mine('main');
  const inflated = await lock(AMOUNTS['wrong-amount']);
  const fake = inflateLocks(inflated.raw, lockScript);
  const fakeId = transferIdOf('pegin', fake.txidLE, inflated.vout);
  const [forgedT, fakeT] = await bridge.untilState([forged.id, fakeId], 'held', { failOn: ['completed', 'rejected', 'signing', 'broadcast'] });

  assert.equal(forgedT!.reason?.code, 'PROOF_MERKLE_MISMATCH', JSON.stringify(forgedT!.reason));
  assert.match(forgedT!.reason!.message, /inclusion proof does not verify.*root/);
  assert.equal(forgedT!.amount, AMOUNTS['forged-proof']);

  // the relayer saw the lie (the node's scan), recorded it under the made-up txid, and the proof
  // could not back it: the real outpoint was never reported, so it has no record
  assert.equal(fakeT!.amount, AMOUNTS['wrong-amount'] * 2n, 'the record shows what the node claimed');
  assert.equal(fakeT!.source.txid, hashToDisplay(fake.txidLE));
  assert.equal(fakeT!.reason?.code, 'PROOF_MERKLE_TX_NOT_MATCHED', JSON.stringify(fakeT!.reason));
  assert.match(fakeT!.reason!.message, new RegExp(`does not prove transaction ${hashToDisplay(fake.txidLE)}`));
  assert.equal(await bridge.transfer(inflated.id), undefined);

  // a few more blocks: they stay held, nothing was signed, nothing minted
  await bridge.mine('main', 3);
  await bridge.mine('side', 3);
  for (const held of [forgedT!, fakeT!]) await assertNothingMoved(bridge, held.id, held.reason!.code);
  for (const l of [forged, inflated, { txid: hashToDisplay(fake.txidLE), vout: inflated.vout }]) assert.equal((await claimOf(l)).claimed, false, `${l.txid}:${l.vout} is not claimed`);
  assert.equal(await sideSupply(), HONEST, 'no mint but the honest one');
  assert.deepEqual(await call(sideRpc, 'getrawmempool'), []);

  // a header without the work it claims, for the lock's block
  const lowWork = await lock(AMOUNTS['low-work-header']);
  await bridge.mine('main');
  const lockHeight = (await call<{ height: number }>(mainRpc, 'getblockheader', [(await call<{ blockhash: string }>(mainRpc, 'getrawtransaction', [lowWork.txid, true])).blockhash])).height;
  const keys = new Keys(bridge.config.redis.prefix, bridge.config.deployment);
  const marks = new ChainMarks(bridge.redis, keys);
  // the relayer retries the block by itself (no mining here: each retry asks for every header above)
  const alert = await eventually(
    async () => {
      const found = (await bridge.controls.alerts(50)).find((a) => a.kind === 'NODE_FAULTY');
      assert.ok(found !== undefined, 'a NODE_FAULTY alert');
      return found;
    },
    { what: 'the operator alerted to the lying node', timeoutMs: 90_000, intervalMs: 200 },
  );
  assert.match(alert.message, /HEADER_BAD_POW/);
  assert.equal(alert.details?.['chain'], 'main');
  assert.equal(alert.details?.['code'], 'HEADER_BAD_POW');
  assert.equal((await bridge.controls.alerts(50)).filter((a) => a.kind === 'NODE_FAULTY').length, 1, 'one alert, not one per retry');
  // the lock gets its confirmations and more: the relayer keeps refusing the header, and goes on
  // with the side chain
  const refusals = (): number => readFileSync(bridge.relayers[0]!.logFile, 'utf8').split('HEADER_BAD_POW').length - 1;
  const refusedBefore = refusals();
  await bridge.mine('main', bridge.config.chains.main.confirmations + 2);
  await bridge.mine('side', 2);
  const sideTip = await call<number>(sideRpc, 'getblockcount');
  await eventually(
    async () => {
      assert.ok(((await marks.cursor('side'))?.height ?? 0) >= sideTip, 'the side watcher goes on');
      assert.ok(refusals() >= refusedBefore + 3, 'the main watcher keeps refusing the header');
    },
    { what: 'the relayer going on without the lying block', timeoutMs: 60_000, intervalMs: 200 },
  );
  const cursor = await marks.cursor('main');
  assert.ok(cursor !== undefined && cursor.height < lockHeight, `the main watcher stopped below the block it cannot validate (cursor ${cursor?.height}, lock at ${lockHeight})`);
  assert.equal(await bridge.transfer(lowWork.id), undefined, 'a lock in a block this operator cannot validate is never accepted');
  assert.equal((await claimOf(lowWork)).claimed, false);

  // both chains: only the honest lock minted; every lock is still on the main chain
  assert.equal(await sideSupply(), HONEST);
  assert.equal((await bridge.sideWallet.balance()).spendable >= HONEST - bridge.config.fees.mint, true);
  assert.equal(await lockedValue(bridge), lockedBefore + HONEST + AMOUNTS['forged-proof'] + AMOUNTS['wrong-amount'] + AMOUNTS['low-work-header']);
  const counts = await bridge.store.counts();
  assert.deepEqual({ completed: counts.completed, held: counts.held, rejected: counts.rejected, signing: counts.signing, broadcast: counts.broadcast }, { completed: 1, held: 2, rejected: 0, signing: 0, broadcast: 0 });
  for (const held of [forgedT!, fakeT!]) await assertNothingMoved(bridge, held.id, held.reason!.code);
  assert.equal(destination, minted!.destination);
});

/** Still held with `code`, no payout, no signature; its history says why. */
async function assertNothingMoved(bridge: Bridge, id: TransferId, code: string): Promise<void> {
  const t: Transfer | undefined = await bridge.transfer(id);
  assert.ok(t !== undefined);
  assert.equal(t.state, 'held', `${id} is ${t.state}`);
  assert.equal(t.reason?.code, code);
  assert.equal(t.payout, undefined, `${id}: no payout built`);
  assert.equal(t.signatures, undefined, `${id}: nothing signed`);
  assert.equal(t.payoutAmount, undefined, `${id}: never verified`);
  const events = await bridge.store.events(id);
  assert.ok(events.some((e) => JSON.stringify(e).includes(`held: ${code}`)), `${id}: its history records the hold: ${JSON.stringify(events)}`);
}
