import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { equalBytes, hashToDisplay } from '../../proofs/bytes.js';
import { decodeBlock } from '../../proofs/bitcoin/block.js';
import type { DecodedTransaction, TxOutput } from '../../proofs/bitcoin/transaction.js';
import type { UtxoEntry } from './chain-api.js';
import { DevnetChain } from './chain/devnet-chain.js';
import { DUST_THRESHOLD } from './consensus/standard.js';
import { TEST_NOW, Wallet, fundWallet, reasonOf } from './test-utils.js';

const alice = Wallet.of('alice');
const bob = Wallet.of('bob');
const miner = Wallet.of('miner');

function setup(coins: number): { chain: DevnetChain; coins: UtxoEntry[] } {
  const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 3 });
  return { chain, coins: fundWallet(chain, alice, coins) };
}

const out = (tx: DecodedTransaction, vout: number): { txidLE: Uint8Array; vout: number; output: TxOutput } => ({ txidLE: tx.txidLE, vout, output: tx.tx.outputs[vout]! });
const ids = (txs: readonly DecodedTransaction[]): string[] => txs.map((t) => hashToDisplay(t.txidLE));

describe('mempool', () => {
  test('templates take transactions by fee rate, a low-fee parent with its high-fee child as one package', () => {
    const { chain, coins } = setup(4);
    const low = alice.pay(coins[0]!, bob.script, 1_000_000n, 200n); // ~1.4 sat/vB
    const mid = alice.pay(coins[1]!, bob.script, 1_000_000n, 1_410n); // ~10
    const high = alice.pay(coins[2]!, bob.script, 1_000_000n, 7_050n); // ~50
    const parent = alice.pay(coins[3]!, alice.script, 1_000_000n, 141n); // 1 sat/vB
    const child = alice.pay(out(parent, 0), bob.script, 500_000n, 4_000n); // the package: ~14.6
    for (const t of [low, mid, high, parent, child]) assert.equal(chain.acceptToMempool(t.bytes).allowed, true, hashToDisplay(t.txidLE));
    const entry = chain.mempoolEntry(child.txidLE)!;
    assert.equal(entry.ancestorFee, 4_141n);
    assert.equal(entry.ancestorVsize, entry.vsize + chain.mempoolEntry(parent.txidLE)!.vsize);
    assert.ok(equalBytes(entry.dependsLE[0]!, parent.txidLE));
    assert.ok(equalBytes(chain.mempoolEntry(parent.txidLE)!.spentByLE[0]!, child.txidLE));
    const [hash] = chain.generate(1, miner.script);
    const block = decodeBlock(chain.rawBlock(hash!)!);
    assert.deepEqual(ids(block.transactions.slice(1)), ids([high, parent, child, mid, low]));
    assert.equal(block.transactions[0]!.tx.outputs[0]!.value, 5_000_000_000n + 200n + 1_410n + 7_050n + 141n + 4_000n);
    assert.equal(chain.mempool().length, 0);
  });

  test('a conflicting transaction without enough fee is refused; one paying enough replaces it with its descendants', () => {
    const { chain, coins } = setup(1);
    const original = alice.pay(coins[0]!, alice.script, 1_000_000n, 1_410n); // 10 sat/vB
    const child = alice.pay(out(original, 0), bob.script, 500_000n, 1_000n);
    assert.equal(chain.acceptToMempool(original.bytes).allowed, true);
    assert.equal(chain.acceptToMempool(child.bytes).allowed, true);
    const mempoolSize = chain.mempool().length;

    // same fee rate: refused
    const same = alice.pay(coins[0]!, bob.script, 1_000_000n, 1_410n);
    let result = chain.acceptToMempool(same.bytes);
    assert.equal(reasonOf(result), 'insufficient fee');
    assert.equal(result.allowed === false && result.code, 'rejected');
    // higher fee rate but not enough to pay for the evicted child too (rule 3/4)
    const notEnough = alice.pay(coins[0]!, bob.script, 1_000_000n, 2_000n);
    result = chain.acceptToMempool(notEnough.bytes);
    assert.equal(reasonOf(result), 'insufficient fee');
    assert.match(result.allowed === false ? result.reason : '', /not enough additional fees/);
    assert.equal(chain.mempool().length, mempoolSize);

    // fee >= 1410 + 1000 + own vsize: replaces both
    const replacement = alice.pay(coins[0]!, bob.script, 1_000_000n, 2_600n);
    assert.equal(chain.testAccept(replacement.bytes).allowed, true);
    assert.equal(chain.mempool().length, mempoolSize, 'testAccept leaves the mempool unchanged');
    const txs: string[] = [];
    chain.onMempoolTx((txid) => txs.push(hashToDisplay(txid)));
    assert.equal(chain.acceptToMempool(replacement.bytes).allowed, true);
    assert.deepEqual(txs, ids([replacement]));
    assert.deepEqual(chain.mempool().map((e) => hashToDisplay(e.tx.txidLE)), ids([replacement]));
    assert.equal(chain.mempoolEntry(original.txidLE), undefined);
    assert.equal(chain.mempoolEntry(child.txidLE), undefined, 'the descendant is evicted too');
  });

  test('a replacement may not spend an output of a transaction it replaces', () => {
    const { chain, coins } = setup(2);
    const a = alice.pay(coins[0]!, alice.script, 1_000_000n, 500n);
    chain.acceptToMempool(a.bytes);
    // spends coins[0] again (conflict with a) and a's output 0
    const bad = alice.spend([coins[0]!, out(a, 0)], [{ value: 1_000_000n, scriptPubKey: bob.script }]);
    assert.equal(reasonOf(chain.acceptToMempool(bad.bytes)), 'bad-txns-spends-conflicting-tx');
  });

  test('testAccept runs every check and changes nothing', () => {
    const { chain, coins } = setup(1);
    const tx = alice.pay(coins[0]!, bob.script, 1_000_000n, 1_000n);
    const events: Uint8Array[] = [];
    chain.onMempoolTx((txid) => events.push(txid));
    const result = chain.testAccept(tx.bytes);
    assert.equal(result.allowed, true);
    assert.equal(result.allowed && result.fee, 1_000n);
    assert.equal(result.allowed && result.vsize, 141);
    assert.ok(equalBytes(result.txidLE, tx.txidLE));
    assert.equal(chain.mempool().length, 0);
    assert.equal(events.length, 0);
    assert.equal(chain.acceptToMempool(tx.bytes).allowed, true);
    assert.equal(chain.acceptToMempool(tx.bytes).allowed, true, 'sending it again is a no-op');
    assert.equal(reasonOf(chain.testAccept(tx.bytes)), 'txn-already-in-mempool');
    assert.equal(events.length, 1);
  });

  test('dust, a fee below 1 base unit per vbyte, a loose coinbase and undecodable bytes are refused', () => {
    const { chain, coins } = setup(2);
    const dust = alice.spend([coins[0]!], [{ value: DUST_THRESHOLD - 1n, scriptPubKey: bob.script }, { value: 1_000_000n, scriptPubKey: alice.script }]);
    assert.equal(reasonOf(chain.acceptToMempool(dust.bytes)), 'dust');
    const justEnough = alice.spend([coins[0]!], [{ value: DUST_THRESHOLD, scriptPubKey: bob.script }, { value: coins[0]!.output.value - DUST_THRESHOLD - 1_000n, scriptPubKey: alice.script }]);
    assert.equal(chain.testAccept(justEnough.bytes).allowed, true);
    const opReturn = alice.spend([coins[0]!], [{ value: 0n, scriptPubKey: Uint8Array.of(0x6a) }, { value: coins[0]!.output.value - 1_000n, scriptPubKey: alice.script }]);
    assert.equal(chain.testAccept(opReturn.bytes).allowed, true, 'OP_RETURN outputs are not dust');

    const cheap = alice.pay(coins[1]!, bob.script, 1_000_000n, 140n); // vsize 141
    const result = chain.acceptToMempool(cheap.bytes);
    assert.equal(reasonOf(result), 'min relay fee not met');
    assert.equal(chain.testAccept(alice.pay(coins[1]!, bob.script, 1_000_000n, 141n).bytes).allowed, true);

    const coinbase = decodeBlock(chain.rawBlock(chain.tip().hashLE)!).transactions[0]!;
    assert.equal(reasonOf(chain.acceptToMempool(coinbase.bytes)), 'coinbase');
    const garbage = chain.acceptToMempool(Uint8Array.of(1, 2, 3));
    assert.equal(garbage.allowed === false && garbage.code, 'malformed');
  });

  test('chains of unconfirmed transactions; mined and conflicted transactions leave the mempool', () => {
    const { chain, coins } = setup(2);
    const a = alice.pay(coins[0]!, alice.script, 2_000_000n, 500n);
    const b = alice.pay(out(a, 0), alice.script, 1_000_000n, 500n);
    const c = alice.pay(out(b, 0), bob.script, 500_000n, 500n);
    for (const t of [a, b, c]) assert.equal(chain.acceptToMempool(t.bytes).allowed, true);
    assert.equal(chain.mempoolEntry(c.txidLE)!.ancestorFee, 1_500n);
    assert.equal(chain.utxo(a.txidLE, 0, true), undefined, 'spent in the mempool');
    assert.equal(chain.utxo(c.txidLE, 0, true)?.output.value, 500_000n);
    assert.equal(chain.utxo(c.txidLE, 0, true)?.height, chain.tip().height + 1);
    assert.equal(chain.utxo(coins[0]!.txidLE, coins[0]!.vout, true), undefined);
    assert.ok(chain.utxo(coins[0]!.txidLE, coins[0]!.vout, false) !== undefined);

    // a block with `a` only: b and c stay, now spending a confirmed output
    chain.generateBlock(miner.script, [{ txidLE: a.txidLE }]);
    assert.deepEqual(chain.mempool().map((e) => hashToDisplay(e.tx.txidLE)), ids([b, c]));
    assert.equal(chain.mempoolEntry(b.txidLE)!.dependsLE.length, 0);

    // a block with a conflict of b: b and its child c leave
    const conflict = alice.pay(out(a, 0), bob.script, 1_500_000n, 500n);
    chain.generateBlock(miner.script, [conflict.bytes]);
    assert.equal(chain.mempool().length, 0);
  });

  test('estimateFeeRate: the minimum when everything fits', () => {
    const { chain, coins } = setup(1);
    assert.equal(chain.estimateFeeRate(1), 1);
    chain.acceptToMempool(alice.pay(coins[0]!, bob.script, 1_000_000n, 5_000n).bytes);
    assert.equal(chain.estimateFeeRate(2), 1);
    assert.throws(() => chain.estimateFeeRate(0), RangeError);
  });
});
