import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { equalBytes, hashToDisplay } from '../../../proofs/bytes.js';
import { BlockStore } from '../block-store.js';
import { DevnetStoreError } from '../errors.js';
import { devnetNetwork } from '../params.js';
import { TEST_NOW, Wallet, buildMint, followMain, fundWallet, lockTransaction, proofOf, testFederation } from '../test-utils.js';
import { DevnetChain } from './devnet-chain.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'utxo-relay-devnet-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const miner = Wallet.of('miner');

/** Everything a restart must reproduce. */
function snapshot(chain: DevnetChain, scripts: readonly Uint8Array[]): unknown {
  return {
    tip: hashToDisplay(chain.tip().hashLE),
    height: chain.tip().height,
    utxoCount: chain.utxoCount,
    claims: chain.claimCount,
    byScript: scripts.map((s) => chain.utxosByScript(s).map((u) => `${hashToDisplay(u.txidLE)}:${u.vout}=${u.output.value}@${u.height}${u.coinbase ? 'c' : ''}`)),
    tips: chain
      .chainTips()
      // 'valid-fork' and 'valid-headers' differ by whether the block was ever connected: history, not state
      .map((t) => `${t.height}:${hashToDisplay(t.hashLE)}:${t.status === 'valid-headers' ? 'valid-fork' : t.status}`)
      .sort(),
  };
}

describe('persistence', () => {
  test('a main chain restarted on its datadir has the same tip, UTXO set, branches and invalidations', async () => {
    const datadir = tempDir();
    const alice = Wallet.of('alice');
    const bob = Wallet.of('bob');
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 5, datadir });
    const [coin1, coin2] = fundWallet(chain, alice, 2);
    chain.acceptToMempool(alice.pay(coin1!, bob.script, 1_000_000n, 1_000n).bytes);
    const fork = chain.tip().hashLE;
    chain.generate(1, miner.script);
    chain.generateOn(fork, 2, miner.script); // a reorg
    chain.generate(1, miner.script);
    chain.acceptToMempool(alice.pay(coin2!, bob.script, 2_000_000n, 1_000n).bytes);
    const [doomed] = chain.generate(1, miner.script);
    chain.invalidateBlock(doomed!);
    chain.generate(2, miner.script);
    const before = snapshot(chain, [alice.script, bob.script, miner.script]);
    await chain.close();
    assert.throws(() => chain.generate(1, miner.script), /closed/);

    const restarted = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 5, datadir });
    assert.deepEqual(snapshot(restarted, [alice.script, bob.script, miner.script]), before);
    assert.equal(restarted.blockInfo(doomed!)!.status, 'invalid');
    // and it goes on from there, appending
    restarted.reconsiderBlock(doomed!);
    restarted.generate(1, miner.script);
    const again = snapshot(restarted, [alice.script, bob.script]);
    await restarted.close();
    const third = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 5, datadir });
    assert.deepEqual(snapshot(third, [alice.script, bob.script]), again);
    assert.deepEqual(JSON.parse(readFileSync(join(datadir, 'invalidated.json'), 'utf8')), { invalidated: [] });
    await third.close();
  });

  test('a side chain restarted on its datadir has the same claims', async () => {
    const datadir = tempDir();
    const { federation, privateKeys } = testFederation(2, 2, 'p2wsh');
    const main = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 5 });
    const user = Wallet.of('user');
    const dest = Wallet.of('dest');
    const coins = fundWallet(main, user, 2);
    const locks = coins.map((c, i) => lockTransaction(user, c, federation, 100_000n * BigInt(i + 1), dest.script));
    for (const l of locks) main.acceptToMempool(l.bytes);
    main.generate(1, miner.script);
    const mainHeaders = followMain(main);
    const side = DevnetChain.create({ role: 'side', federation, mainChain: mainHeaders, now: TEST_NOW, datadir });
    for (const [i, lock] of locks.entries()) {
      const mint = buildMint(federation, privateKeys, {
        lockTxidLE: lock.txidLE,
        lockVout: 0,
        outputs: [{ value: 100_000n * BigInt(i + 1) - 1_000n, scriptPubKey: dest.script }],
        proof: proofOf(main, lock.txidLE),
      });
      assert.equal(side.acceptToMempool(mint.bytes).allowed, true);
      side.generate(1, miner.script);
    }
    assert.equal(side.claimCount, 2);
    const before = snapshot(side, [dest.script, miner.script]);
    const claim = side.claimOf(locks[1]!.txidLE, 0)!;
    await side.close();

    const restarted = DevnetChain.create({ role: 'side', federation, mainChain: mainHeaders, now: TEST_NOW, datadir });
    assert.deepEqual(snapshot(restarted, [dest.script, miner.script]), before);
    const replayed = restarted.claimOf(locks[1]!.txidLE, 0)!;
    assert.ok(equalBytes(replayed.mintTxidLE, claim.mintTxidLE));
    assert.ok(equalBytes(replayed.blockHashLE!, claim.blockHashLE!));
    await restarted.close();
  });

  test('a record cut short by a crash is dropped; a file of the other role is refused', async () => {
    const datadir = tempDir();
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, datadir });
    chain.generate(3, miner.script);
    const tip = chain.tip();
    await chain.close();
    const path = join(datadir, 'blocks.dat');
    const size = statSync(path).size;
    appendFileSync(path, Uint8Array.of(...devnetNetwork('main').storeMagic, 0xff, 0x00, 0x00, 0x00, 1, 2, 3));
    const restarted = DevnetChain.create({ role: 'main', now: TEST_NOW, datadir });
    assert.ok(equalBytes(restarted.tip().hashLE, tip.hashLE));
    assert.equal(statSync(path).size, size, 'truncated to the last whole record');
    restarted.generate(1, miner.script);
    await restarted.close();

    assert.throws(() => DevnetChain.create({ role: 'side', federation: testFederation(1, 1).federation, mainChain: followMain(restarted), now: TEST_NOW, datadir }), DevnetStoreError);
    writeFileSync(join(datadir, 'invalidated.json'), 'not json');
    assert.throws(() => BlockStore.open(datadir, devnetNetwork('main').storeMagic), DevnetStoreError);
  });
});
