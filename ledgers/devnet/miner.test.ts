import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { equalBytes } from '../../proofs/bytes.js';
import { coinbaseHeight, findWitnessCommitment, verifyBlock } from '../../proofs/bitcoin/block.js';
import { HeaderChain } from '../../proofs/bitcoin/header-chain.js';
import { DevnetChain } from './chain/devnet-chain.js';
import { DEVNET_MAIN } from './params.js';
import { TEST_NOW, Wallet, fundWallet } from './test-utils.js';

describe('mining', () => {
  test('mined blocks pass verifyBlock and a fresh HeaderChain, with BIP34 heights and the subsidy', () => {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW });
    const miner = Wallet.of('miner');
    const hashes = chain.generate(20, miner.script);
    assert.equal(chain.tip().height, 20);
    const headers = HeaderChain.fromGenesis(DEVNET_MAIN, { now: TEST_NOW });
    hashes.forEach((hash, i) => {
      const raw = chain.rawBlock(hash)!;
      const block = verifyBlock(raw, { powLimit: DEVNET_MAIN.powLimit });
      assert.equal(block.height, i + 1);
      assert.equal(coinbaseHeight(block.transactions[0]!.tx), i + 1);
      assert.equal(block.transactions[0]!.tx.outputs[0]!.value, 5_000_000_000n);
      assert.ok(block.header.version >= 4);
      assert.equal(headers.add(raw.subarray(0, 80)).status, 'extended');
      assert.ok(equalBytes(chain.blockHashAtHeight(i + 1)!, hash));
    });
    assert.ok(equalBytes(headers.tip.hashLE, chain.tip().hashLE));
    assert.equal(headers.tip.chainWork, chain.tip().chainWork);
    assert.equal(chain.utxosByScript(miner.script).length, 20);
  });

  test('a block with a witness transaction commits to it; the coinbase carries the 32-byte reserved value', () => {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 1 });
    const alice = Wallet.of('alice');
    const [coin] = fundWallet(chain, alice, 1);
    const spend = alice.pay(coin!, Wallet.of('bob').script, 100_000n, 1_000n);
    assert.equal(chain.acceptToMempool(spend.bytes).allowed, true);
    const [hash] = chain.generate(1, alice.script);
    const block = verifyBlock(chain.rawBlock(hash!)!, { powLimit: DEVNET_MAIN.powLimit });
    assert.equal(block.txCount, 2);
    const coinbase = block.transactions[0]!.tx;
    assert.ok(findWitnessCommitment(coinbase) !== undefined);
    assert.deepEqual(coinbase.inputs[0]!.witness.map((w) => w.length), [32]);
    assert.equal(coinbase.outputs[0]!.value, 5_000_000_000n + 1_000n);
    // an empty block has no commitment
    const [empty] = chain.generate(1, alice.script);
    assert.equal(findWitnessCommitment(verifyBlock(chain.rawBlock(empty!)!, { powLimit: DEVNET_MAIN.powLimit }).transactions[0]!.tx), undefined);
  });

  test('coinbases differ: blocks at the same height on the same parent are different blocks', () => {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW });
    const miner = Wallet.of('miner');
    const genesis = chain.tip().hashLE;
    const [a] = chain.generate(1, miner.script);
    const [b] = chain.generateOn(genesis, 1, miner.script);
    assert.ok(!equalBytes(a!, b!));
    assert.equal(chain.blockInfo(b!)!.status, 'valid-headers');
    assert.ok(equalBytes(chain.tip().hashLE, a!), 'a tie keeps the first seen');
  });

  test('refuses a coinbase payout that is not a standard spendable script', () => {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW });
    assert.throws(() => chain.generate(1, Uint8Array.of(0x6a)), RangeError);
    assert.throws(() => chain.generate(1, Uint8Array.of(0x51)), RangeError);
    assert.throws(() => chain.generate(-1, Wallet.of('x').script), RangeError);
  });
});
