import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { equalBytes, hashToDisplay } from '../../../proofs/bytes.js';
import { headerHash } from '../../../proofs/bitcoin/header.js';
import type { BlockInfo } from '../chain-api.js';
import { TEST_NOW, Wallet, blockOn, buildMint, followMain, fundWallet, lockTransaction, proofOf, reasonOf, testFederation } from '../test-utils.js';
import { DevnetChain } from './devnet-chain.js';

const miner = Wallet.of('miner');

/** Records every event of a chain, in order. */
function recorder(chain: DevnetChain): { events: string[] } {
  const events: string[] = [];
  const short = (b: BlockInfo): string => `${b.height}:${hashToDisplay(b.hashLE).slice(0, 8)}`;
  chain.onTip((tip) => events.push(`tip ${short(tip)}`));
  chain.onReorg((r) => events.push(`reorg fork=${short(r.fork)} removed=${r.removed.map(short).join(',')} added=${r.added.map(short).join(',')}`));
  chain.onMempoolTx((txid) => events.push(`tx ${hashToDisplay(txid).slice(0, 8)}`));
  return { events };
}

const short = (chain: DevnetChain, hash: Uint8Array): string => `${chain.blockInfo(hash)!.height}:${hashToDisplay(hash).slice(0, 8)}`;

describe('reorganizations', () => {
  test('a longer branch from generateOn moves the UTXO set; the losing spend returns to the mempool', () => {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 5 });
    const alice = Wallet.of('alice');
    const bob = Wallet.of('bob');
    const [coin] = fundWallet(chain, alice, 1);
    const fork = chain.tip().hashLE;
    const spend = alice.pay(coin!, bob.script, 1_000_000n, 1_000n);
    assert.equal(chain.acceptToMempool(spend.bytes).allowed, true);
    const [a1] = chain.generate(1, miner.script);
    assert.equal(chain.utxo(spend.txidLE, 0, false)?.output.value, 1_000_000n);
    assert.equal(chain.mempool().length, 0);
    const { events } = recorder(chain);

    // a branch of equal work does not win (first seen)
    const [b1] = chain.generateOn(fork, 1, miner.script);
    assert.ok(equalBytes(chain.tip().hashLE, a1!));
    assert.equal(chain.blockInfo(b1!)!.status, 'valid-headers');
    assert.deepEqual(events, []);
    // one more block: the branch has more work and wins
    const [b2] = chain.generateOn(b1!, 1, miner.script);
    assert.ok(equalBytes(chain.tip().hashLE, b2!));
    assert.equal(chain.blockInfo(a1!)!.status, 'valid-fork');
    assert.equal(chain.utxo(spend.txidLE, 0, false), undefined, 'the spend left the UTXO set');
    assert.ok(chain.utxo(coin!.txidLE, coin!.vout, false) !== undefined, 'the spent coin is unspent again');
    assert.equal(chain.transaction(spend.txidLE)?.blockHashLE, undefined);
    assert.ok(chain.mempoolEntry(spend.txidLE) !== undefined, 'the spend is back in the mempool');
    assert.equal(chain.utxo(spend.txidLE, 0, true)?.output.value, 1_000_000n, 'seen through the mempool');
    assert.deepEqual(events, [
      `reorg fork=${short(chain, fork)} removed=${short(chain, a1!)} added=${short(chain, b1!)},${short(chain, b2!)}`,
      `tip ${short(chain, b2!)}`,
      `tx ${hashToDisplay(spend.txidLE).slice(0, 8)}`,
    ]);
    assert.deepEqual(
      chain.chainTips().map((t) => [t.height, t.status]).sort(),
      [
        [chain.blockInfo(a1!)!.height, 'valid-fork'],
        [chain.tip().height, 'active'],
      ].sort(),
    );
    // mined again on the new branch
    chain.generate(1, miner.script);
    assert.equal(chain.utxo(spend.txidLE, 0, false)?.output.value, 1_000_000n);
  });

  test('a spend that conflicts with the winning branch does not return to the mempool', () => {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 5 });
    const alice = Wallet.of('alice');
    const [coin] = fundWallet(chain, alice, 1);
    const fork = chain.tip().hashLE;
    const toBob = alice.pay(coin!, Wallet.of('bob').script, 1_000_000n, 1_000n);
    const toCarol = alice.pay(coin!, Wallet.of('carol').script, 1_000_000n, 1_000n);
    chain.generateBlock(miner.script, [toBob.bytes]);
    const branch = blockOn(chain, [toCarol], { parentHashLE: fork, fees: 1_000n });
    assert.equal(chain.submitBlock(branch).accepted, true);
    chain.generateOn(headerHash(branch.subarray(0, 80)), 1, miner.script);
    assert.ok(chain.transaction(toCarol.txidLE)?.blockHashLE !== undefined);
    assert.equal(chain.transaction(toBob.txidLE), undefined, 'neither confirmed nor in the mempool');
    assert.equal(chain.mempool().length, 0);
  });

  test('a block that fails to connect is marked invalid and the next best chain is kept', () => {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 5 });
    const alice = Wallet.of('alice');
    const [coin] = fundWallet(chain, alice, 1);
    const fork = chain.tip().hashLE;
    const [a1] = chain.generate(1, miner.script);
    const [b1] = chain.generateOn(fork, 1, miner.script);
    // b2 spends an output that does not exist on its branch: valid header, invalid at connect
    const ghost = alice.spend([{ ...coin!, vout: 7 }], [{ value: 1_000n, scriptPubKey: alice.script }]);
    const b2 = blockOn(chain, [ghost], { parentHashLE: b1! });
    const { events } = recorder(chain);
    const result = chain.submitBlock(b2);
    assert.equal(reasonOf(result), 'bad-txns-inputs-missingorspent');
    const b2Hash = headerHash(b2.subarray(0, 80));
    assert.equal(chain.blockInfo(b2Hash)!.status, 'invalid');
    assert.ok(equalBytes(chain.tip().hashLE, a1!), 'back on the first seen branch');
    assert.deepEqual(events, [], 'no net change, no event');
    // b1 itself connected fine: it is a valid fork; blocks on b2 are refused
    assert.equal(chain.blockInfo(b1!)!.status, 'valid-fork');
    assert.equal(reasonOf(chain.submitBlock(blockOn(chain, [], { parentHashLE: b2Hash }))), 'bad-prevblk');
    // b1's branch can still win with a valid block
    const [b2ok] = chain.generateOn(b1!, 1, miner.script);
    assert.ok(equalBytes(chain.tip().hashLE, b2ok!));
  });

  test('a block whose ancestor fails when its branch is tried is refused as bad-prevblk', () => {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 5 });
    const alice = Wallet.of('alice');
    const [coin] = fundWallet(chain, alice, 1);
    const fork = chain.tip().hashLE;
    const [a1] = chain.generate(1, miner.script);
    const ghost = alice.spend([{ ...coin!, vout: 9 }], [{ value: 1_000n, scriptPubKey: alice.script }]);
    const b1 = blockOn(chain, [ghost], { parentHashLE: fork });
    assert.equal(chain.submitBlock(b1).accepted, true, 'held on a side branch, not tried yet');
    const b1Hash = headerHash(b1.subarray(0, 80));
    assert.equal(chain.blockInfo(b1Hash)!.status, 'valid-headers');
    const b2 = blockOn(chain, [], { parentHashLE: b1Hash });
    assert.equal(reasonOf(chain.submitBlock(b2)), 'bad-prevblk');
    assert.equal(chain.blockInfo(b1Hash)!.status, 'invalid');
    assert.equal(chain.blockInfo(headerHash(b2.subarray(0, 80)))!.status, 'invalid');
    assert.ok(equalBytes(chain.tip().hashLE, a1!));
  });

  test('invalidateBlock and reconsiderBlock', () => {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 5 });
    const alice = Wallet.of('alice');
    const [coin] = fundWallet(chain, alice, 1);
    const base = chain.tip();
    const spend = alice.pay(coin!, Wallet.of('bob').script, 1_000_000n, 1_000n);
    chain.acceptToMempool(spend.bytes);
    const [a1, a2] = chain.generate(2, miner.script);
    const { events } = recorder(chain);

    chain.invalidateBlock(a1!);
    assert.ok(equalBytes(chain.tip().hashLE, base.hashLE));
    assert.equal(chain.blockInfo(a1!)!.status, 'invalid');
    assert.equal(chain.blockInfo(a2!)!.status, 'invalid');
    assert.ok(chain.mempoolEntry(spend.txidLE) !== undefined, "the invalidated block's transaction is back in the mempool");
    assert.equal(chain.utxo(spend.txidLE, 0, false), undefined);
    assert.deepEqual(events.slice(0, 2), [`reorg fork=${short(chain, base.hashLE)} removed=${short(chain, a2!)},${short(chain, a1!)} added=`, `tip ${short(chain, base.hashLE)}`]);
    // new blocks on an invalidated one are refused; mining goes on from the parent
    assert.equal(reasonOf(chain.submitBlock(blockOn(chain, [], { parentHashLE: a2! }))), 'bad-prevblk');
    const [c1] = chain.generate(1, miner.script);
    assert.ok(chain.transaction(spend.txidLE)?.blockHashLE !== undefined);
    assert.equal(chain.tip().height, base.height + 1);

    chain.reconsiderBlock(a1!);
    assert.ok(equalBytes(chain.tip().hashLE, a2!), 'the longer chain is back');
    assert.equal(chain.blockInfo(c1!)!.status, 'valid-fork');
    assert.ok(equalBytes(chain.transaction(spend.txidLE)!.blockHashLE!, a1!));
    assert.equal(chain.mempool().length, 0);
    assert.throws(() => chain.invalidateBlock(new Uint8Array(32)), RangeError);
    assert.throws(() => chain.invalidateBlock(chain.blockHashAtHeight(0)!), RangeError);
  });

  test('after invalidation and reconsideration, a tie goes to the first seen block', () => {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW });
    const base = chain.generate(1, miner.script)[0]!;
    const [a] = chain.generate(1, miner.script);
    const [b] = chain.generateOn(base, 1, miner.script);
    assert.ok(equalBytes(chain.tip().hashLE, a!));
    chain.invalidateBlock(a!);
    assert.ok(equalBytes(chain.tip().hashLE, b!), 'the other branch of equal work takes over');
    chain.reconsiderBlock(a!);
    assert.ok(equalBytes(chain.tip().hashLE, a!), 'first seen wins the tie again');
  });

  test('claims are undone when the block that made them is disconnected', () => {
    const { federation, privateKeys } = testFederation(1, 1);
    const main = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 5 });
    const user = Wallet.of('user');
    const dest = Wallet.of('dest');
    const [coin] = fundWallet(main, user, 1);
    const lock = lockTransaction(user, coin!, federation, 500_000n, dest.script);
    main.acceptToMempool(lock.bytes);
    main.generate(1, miner.script);
    const side = DevnetChain.create({ role: 'side', federation, mainChain: followMain(main), now: TEST_NOW });
    const mint = buildMint(federation, privateKeys, { lockTxidLE: lock.txidLE, lockVout: 0, outputs: [{ value: 499_000n, scriptPubKey: dest.script }], proof: proofOf(main, lock.txidLE) });
    assert.equal(side.acceptToMempool(mint.bytes).allowed, true);
    const fork = side.tip().hashLE;
    const [s1] = side.generate(1, miner.script);
    assert.ok(equalBytes(side.claimOf(lock.txidLE, 0)!.blockHashLE!, s1!));

    // a longer side branch without the mint: the claim is undone, the mint goes back to the mempool
    side.generateOn(fork, 2, miner.script);
    const claim = side.claimOf(lock.txidLE, 0);
    assert.ok(claim !== undefined && claim.blockHashLE === undefined, 'claimed by the mempool mint only');
    assert.equal(side.claimCount, 0);
    assert.equal(side.utxosByScript(dest.script).length, 0);
    side.generate(1, miner.script);
    assert.equal(side.claimCount, 1);

    // invalidating the block that holds it undoes the claim too
    const holder = side.transaction(mint.txidLE)!.blockHashLE!;
    side.invalidateBlock(holder);
    assert.equal(side.claimCount, 0);
    assert.equal(side.claimOf(lock.txidLE, 0)?.blockHashLE, undefined);
    side.reconsiderBlock(holder);
    assert.equal(side.claimCount, 1);
    assert.ok(equalBytes(side.claimOf(lock.txidLE, 0)!.blockHashLE!, holder));
  });

  test('a listener that throws does not stop the chain nor the other listeners', () => {
    const errors: string[] = [];
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, onListenerError: (error, event) => errors.push(`${event}: ${(error as Error).message}`) });
    const seen: number[] = [];
    chain.onTip(() => {
      throw new Error('boom');
    });
    const off = chain.onTip((tip) => seen.push(tip.height));
    chain.generate(2, miner.script);
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(errors, ['tip: boom', 'tip: boom']);
    off();
    chain.generate(1, miner.script);
    assert.deepEqual(seen, [1, 2]);
    assert.equal(chain.tip().height, 3);
  });
});
