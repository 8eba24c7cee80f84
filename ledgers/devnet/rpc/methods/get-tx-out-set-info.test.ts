/**
 * gettxoutsetinfo on an in-process devnet chain behind the RPC server (as main-follower.test.ts
 * drives one): Core's fields and amount text, the numbers across spends, OP_RETURN burns and a
 * reorg (the UTXO set keeps them incrementally), and Core's parameter handling and errors.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { hashToDisplay } from '../../../../proofs/bytes.js';
import { HeaderChain } from '../../../../proofs/bitcoin/header-chain.js';
import { JsonRpcClient } from '../../../rpc/json-rpc-client.js';
import { DevnetChain } from '../../chain/devnet-chain.js';
import { DEVNET_MAIN } from '../../params.js';
import { TEST_NOW, Wallet, testFederation } from '../../test-utils.js';
import { encodeJson, type JsonValue } from '../json.js';
import { createDispatch, methodsFor } from './index.js';
import { refusedWith, servedChain } from './rpc-method-test-server.js';

const COIN = 100_000_000n;
/** Core's bogosize of one P2WPKH output: 50 + its 22-byte script. */
const P2WPKH_BOGO = 72;

describe('gettxoutsetinfo', () => {
  const miner = Wallet.of('gettxoutsetinfo miner');
  const payee = Wallet.of('gettxoutsetinfo payee');
  const served = servedChain(() => DevnetChain.create({ role: 'main', coinbaseMaturity: 1, now: TEST_NOW }));
  let chain: DevnetChain;
  let client: JsonRpcClient;
  const info = (params: unknown[] | Record<string, unknown> = []): Promise<Record<string, unknown>> => client.call<Record<string, unknown>>('gettxoutsetinfo', params);

  before(() => {
    ({ chain, client } = served);
  });

  test('genesis only: an empty set (the genesis coinbase is not spendable, as in Core)', async () => {
    assert.deepEqual(await info(), { height: 0, bestblock: hashToDisplay(chain.tip().hashLE), txouts: 0, bogosize: 0, total_amount: 0, transactions: 0 });
  });

  test('Core\'s fields in Core\'s order, the amount written with 8 decimals; the same in the side role', () => {
    chain.generate(1, miner.script);
    const dispatch = createDispatch('main', () => ({ kind: 'ready', chain, startedAt: 0 }));
    assert.equal(
      encodeJson(dispatch('gettxoutsetinfo', ['none']) as JsonValue),
      `{"height":1,"bestblock":"${hashToDisplay(chain.tip().hashLE)}","txouts":1,"bogosize":${P2WPKH_BOGO},"total_amount":50.00000000,"transactions":1}`,
    );
    assert.ok(methodsFor('side').some((m) => m.name === 'gettxoutsetinfo'), 'a Core method: both roles have it');
  });

  test('spends, an OP_RETURN burn and a reorg: every number follows the best chain', async () => {
    chain.generate(1, miner.script); // height 2: two coinbases of 50
    const atTwo = await info();
    assert.deepEqual(atTwo, { height: 2, bestblock: hashToDisplay(chain.tip().hashLE), txouts: 2, bogosize: 2 * P2WPKH_BOGO, total_amount: 100, transactions: 2 });

    // spend the first coinbase: 10 to the payee, 1 burned in an OP_RETURN, the change back, fee 0.0001
    const [coin] = chain.utxosByScript(miner.script);
    const fee = 10_000n;
    const spend = miner.spend(
      [coin!],
      [
        { value: 10n * COIN, scriptPubKey: payee.script },
        { value: 1n * COIN, scriptPubKey: Uint8Array.of(0x6a, 0x04, 0x62, 0x75, 0x72, 0x6e) },
        { value: 39n * COIN - fee, scriptPubKey: miner.script },
      ],
    );
    const blockThree = chain.generateBlock(miner.script, [spend.bytes]);
    const atThree = await info([]);
    // coinbases of blocks 2 and 3 (50 + the fee), the payee's 10 and the change: 149 coins, the burned coin left the set
    assert.deepEqual(atThree, { height: 3, bestblock: hashToDisplay(blockThree), txouts: 4, bogosize: 4 * P2WPKH_BOGO, total_amount: 149, transactions: 3 });
    const byScripts = [...chain.utxosByScript(miner.script), ...chain.utxosByScript(payee.script)].reduce((sum, u) => sum + u.output.value, 0n);
    assert.equal(byScripts, 149n * COIN, 'the total is the sum of the outputs scantxoutset finds');

    // the spend's block leaves the best chain: the numbers of height 2 again; and back
    await client.call('invalidateblock', [hashToDisplay(blockThree)]);
    assert.deepEqual(await info(['none']), atTwo);
    await client.call('reconsiderblock', [hashToDisplay(blockThree)]);
    assert.deepEqual(await info({ hash_type: 'none', use_index: false }), atThree);
  });

  test('parameters as Core without a coin statistics index: hash_type only "none", no height or hash', async () => {
    await assert.rejects(info(['muhash']), refusedWith(-8, /hash_type 'muhash' is not supported by the devnet/));
    await assert.rejects(info(['hash_serialized_3']), refusedWith(-8, /not supported/));
    await assert.rejects(info(['sha256']), refusedWith(-8, /'sha256' is not a valid hash_type/));
    await assert.rejects(info(['none', 1]), refusedWith(-8, /Querying specific block heights requires coinstatsindex/));
    await assert.rejects(info({ hash_type: 'none', hash_or_height: hashToDisplay(chain.tip().hashLE) }), refusedWith(-8, /requires coinstatsindex/));
    await assert.rejects(info([3]), refusedWith(-3));
    await assert.rejects(info(['none', null, true, 'extra']), refusedWith(-1, /^gettxoutsetinfo: gettxoutsetinfo \( "hash_type" \) \( hash_or_height \) \( use_index \)/));
    assert.equal((await info(['none', null, true]))['height'], chain.tip().height);
  });

  test('the side role: no subsidy, so an empty chain of blocks holds nothing', () => {
    const { federation } = testFederation(2, 3);
    const side = DevnetChain.create({ role: 'side', federation, mainChain: HeaderChain.fromGenesis(DEVNET_MAIN, { now: TEST_NOW }), now: TEST_NOW });
    try {
      side.generate(3, miner.script);
      const dispatch = createDispatch('side', () => ({ kind: 'ready', chain: side, startedAt: 0 }));
      const answer = encodeJson(dispatch('gettxoutsetinfo', []) as JsonValue);
      assert.match(answer, /^\{"height":3,"bestblock":"[0-9a-f]{64}","txouts":3,"bogosize":216,"total_amount":0\.00000000,"transactions":3\}$/);
    } finally {
      void side.close();
    }
  });
});
