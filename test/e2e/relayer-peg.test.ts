/**
 * End to end, test 1 of the relayer issue: a peg-in and a peg-out through real devnet nodes, a
 * real Redis and a real relayer process, checked on both chains' RPC: the side balance, the
 * claimed lock outpoint, the release's memo and payout, the lock's value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressToScriptPubKey } from '../../ledgers/bitcoin/address.js';
import { bytesToHex, displayToHash, hexToBytes } from '../../proofs/bytes.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';
import { burnsHash } from '../../relayer/detect/index.js';
import { transferIdOf } from '../../relayer/transfer.js';
import { lockedValue } from './books.js';
import { Bridge } from './bridge-harness.js';

test('a peg-in mints on the side chain and a peg-out releases on the main chain, once each', { timeout: 240_000 }, async (t) => {
  const bridge = await Bridge.start(t);
  const key = bridge.walletFile.primaryKey();
  const mainAddress = await bridge.mainWallet.address(key);
  const sideAddress = await bridge.sideWallet.address(key);
  await bridge.fundMain(2);

  const lockedBefore = await lockedValue(bridge);
  const lock = await bridge.mainWallet.lock(250_000_000n, sideAddress, bridge.federation);
  const lockVout = decodeTransaction(lock.raw).tx.outputs.findIndex((o) => o.value === 250_000_000n);
  const pegIn = transferIdOf('pegin', displayToHash(lock.txid), lockVout);
  const [minted] = await bridge.untilState([pegIn], 'completed');
  assert.equal(minted!.payoutAmount, 250_000_000n - bridge.config.fees.mint);

  // the side chain: the outpoint is claimed by the relayer's mint, which paid the destination
  const claim = await bridge.nodes.sideRpc.call<{ claimed: boolean; mint_txid: string; confirmations: number }>('getpegclaim', [lock.txid, lockVout]);
  assert.equal(claim.claimed, true);
  assert.equal(claim.mint_txid, minted!.payout!.txid);
  assert.ok(claim.confirmations >= bridge.config.chains.side.confirmations);
  assert.equal((await bridge.sideWallet.balance()).spendable, 250_000_000n - bridge.config.fees.mint);
  assert.equal(await lockedValue(bridge), lockedBefore + 250_000_000n);

  // peg-out
  const mainBefore = (await bridge.mainWallet.balance()).spendable;
  const burn = await bridge.sideWallet.burn(100_000_000n, mainAddress);
  const burnVout = decodeTransaction(burn.raw).tx.outputs.findIndex((o) => o.value === 100_000_000n);
  const pegOut = transferIdOf('pegout', displayToHash(burn.txid), burnVout);
  const [released] = await bridge.untilState([pegOut], 'completed');
  const release = released!.payout!;
  const raw = await bridge.nodes.mainRpc.call<string>('getrawtransaction', [release.txid]);
  const tx = decodeTransaction(hexToBytes(raw)).tx;
  const destination = addressToScriptPubKey('udm', mainAddress);
  const paid = tx.outputs.filter((o) => bytesToHex(o.scriptPubKey) === bytesToHex(destination)).reduce((s, o) => s + o.value, 0n);
  assert.equal(paid + release.fee, 100_000_000n, 'payout + fee = the amount burned');
  const memo = encodeMemo({ kind: 'release', burnsHashLE: burnsHash([{ txidLE: displayToHash(burn.txid), vout: burnVout }]) });
  assert.ok(tx.outputs.some((o) => bytesToHex(o.scriptPubKey) === bytesToHex(memo)), 'the release carries the burn reference');
  assert.equal(await lockedValue(bridge), lockedBefore + 150_000_000n, 'the lock lost exactly what was burned');
  await bridge.mineUntil(async () => assert.ok((await bridge.mainWallet.balance()).spendable >= mainBefore + paid, 'the release is not spendable yet'), { what: 'the release spendable' });

  // nothing twice: one mint claim, one release of this burn, and the records agree
  const counts = await bridge.store.counts();
  assert.equal(counts.completed, 2);
  assert.equal(counts.held + counts.rejected + counts.reorged, 0);
});
