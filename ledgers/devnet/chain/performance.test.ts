import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { equalBytes } from '../../../proofs/bytes.js';
import { headerHash } from '../../../proofs/bitcoin/header.js';
import type { DecodedTransaction, TxOutput } from '../../../proofs/bitcoin/transaction.js';
import { TEST_NOW, Wallet, blockOn, fundWallet } from '../test-utils.js';
import { DevnetChain } from './devnet-chain.js';

const alice = Wallet.of('alice');
const bob = Wallet.of('bob');

/** A chain where alice holds `count` confirmed P2WPKH outputs of 100,000 base units. */
function manyCoins(count: number): { chain: DevnetChain; split: DecodedTransaction } {
  const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 1 });
  const [coin] = fundWallet(chain, alice, 1);
  const outputs: TxOutput[] = Array.from({ length: count }, () => ({ value: 100_000n, scriptPubKey: alice.script }));
  outputs.push({ value: coin!.output.value - BigInt(count) * 100_000n - 200_000n, scriptPubKey: alice.script });
  const split = alice.spend([coin!], outputs);
  chain.generateBlock(alice.script, [split.bytes]);
  return { chain, split };
}

function spends(split: DecodedTransaction, count: number): DecodedTransaction[] {
  return Array.from({ length: count }, (_, vout) => alice.spend([{ txidLE: split.txidLE, vout, output: split.tx.outputs[vout]! }], [{ value: 99_000n, scriptPubKey: bob.script }]));
}

describe('performance', () => {
  test('a block of 2,000 P2WPKH spends validates (every signature checked once)', (t) => {
    const { chain, split } = manyCoins(2_000);
    const txs = spends(split, 2_000);
    const raw = blockOn(chain, txs, { fees: 2_000n * 1_000n });
    const misses = chain.scriptCache.misses;
    const started = performance.now();
    const result = chain.submitBlock(raw);
    const elapsed = performance.now() - started;
    t.diagnostic(`2,000-spend block (${raw.length} bytes) validated in ${elapsed.toFixed(0)} ms`);
    assert.equal(result.accepted, true);
    assert.ok(equalBytes(chain.tip().hashLE, headerHash(raw.subarray(0, 80))));
    assert.equal(chain.scriptCache.misses - misses, 2_000);
    assert.equal(chain.utxosByScript(bob.script).length, 2_000);
  });

  test('mempool transactions are not verified again when they are mined, nor after a reorg', () => {
    const { chain, split } = manyCoins(50);
    const txs = spends(split, 50);
    const { hits, misses } = chain.scriptCache;
    for (const tx of txs) assert.equal(chain.acceptToMempool(tx.bytes).allowed, true);
    assert.equal(chain.scriptCache.misses - misses, 50);
    const fork = chain.tip().hashLE;
    chain.generate(1, alice.script);
    assert.equal(chain.scriptCache.misses - misses, 50, 'no new verification when mined');
    assert.ok(chain.scriptCache.hits - hits >= 50, 'answered from the cache (the template check and the connection)');
    chain.generateOn(fork, 2, alice.script);
    assert.equal(chain.mempool().length, 50, 'back in the mempool after the reorg');
    assert.equal(chain.scriptCache.misses - misses, 50, 'nor when they return to the mempool');
  });
});
