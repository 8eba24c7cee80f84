/**
 * gettxspendingprevout on an in-process devnet chain behind the RPC server (as
 * get-tx-out-set-info.test.ts drives one): Core's answer shape and order, the spender through a
 * chain of mempool transactions, a replacement and a block, and Core's refusals of malformed
 * entries (codes and messages as Bitcoin Core's rpc_mempool_info.py pins them).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { hashToDisplay } from '../../../../proofs/bytes.js';
import type { DecodedTransaction } from '../../../../proofs/bitcoin/transaction.js';
import { JsonRpcClient } from '../../../rpc/json-rpc-client.js';
import type { UtxoEntry } from '../../chain-api.js';
import { DevnetChain } from '../../chain/devnet-chain.js';
import { TEST_NOW, Wallet, fundWallet } from '../../test-utils.js';
import { encodeJson, type JsonValue } from '../json.js';
import { createDispatch, methodsFor } from './index.js';
import { refusedWith, servedChain } from './rpc-method-test-server.js';

const NO_SUCH_TXID = 'ab'.repeat(32);

/** The outpoint `tx:vout` as gettxspendingprevout takes it. */
function at(tx: DecodedTransaction | UtxoEntry, vout = 'vout' in tx ? tx.vout : 0): { txid: string; vout: number } {
  return { txid: hashToDisplay(tx.txidLE), vout };
}

describe('gettxspendingprevout', () => {
  const alice = Wallet.of('gettxspendingprevout alice');
  const bob = Wallet.of('gettxspendingprevout bob');
  const served = servedChain(() => DevnetChain.create({ role: 'main', coinbaseMaturity: 1, now: TEST_NOW }));
  let chain: DevnetChain;
  let client: JsonRpcClient;
  let coins: UtxoEntry[];
  const spending = (params: unknown[] | Record<string, unknown>): Promise<Record<string, unknown>[]> => client.call<Record<string, unknown>[]>('gettxspendingprevout', params);

  before(() => {
    ({ chain, client } = served);
    coins = fundWallet(chain, alice, 4);
  });

  test('Core\'s shape in the order asked: spendingtxid only for an outpoint a mempool transaction spends', async () => {
    const pay = alice.pay(coins[0]!, bob.script, 1_000_000n, 1_000n);
    assert.equal(chain.acceptToMempool(pay.bytes).allowed, true);
    const unknown = { txid: NO_SUCH_TXID, vout: 3 };
    const answer = await spending([[at(coins[1]!), at(coins[0]!), unknown, at(pay, 0), at(coins[0]!)]]);
    assert.deepEqual(answer, [
      at(coins[1]!), // confirmed and unspent
      { ...at(coins[0]!), spendingtxid: hashToDisplay(pay.txidLE) },
      unknown,
      at(pay, 0), // an output of a mempool transaction, unspent
      { ...at(coins[0]!), spendingtxid: hashToDisplay(pay.txidLE) }, // asked twice, answered twice
    ]);
    // Core's field order, and the txid echoed in lowercase whatever case it was asked in
    const dispatch = createDispatch('main', () => ({ kind: 'ready', chain, startedAt: 0 }));
    const upper = { txid: hashToDisplay(coins[0]!.txidLE).toUpperCase(), vout: coins[0]!.vout };
    assert.equal(
      encodeJson(dispatch('gettxspendingprevout', [[upper, at(coins[1]!)]]) as JsonValue),
      `[{"txid":"${hashToDisplay(coins[0]!.txidLE)}","vout":${coins[0]!.vout},"spendingtxid":"${hashToDisplay(pay.txidLE)}"},{"txid":"${hashToDisplay(coins[1]!.txidLE)}","vout":${coins[1]!.vout}}]`,
    );
    assert.deepEqual(await spending({ outputs: [at(coins[0]!)] }), [{ ...at(coins[0]!), spendingtxid: hashToDisplay(pay.txidLE) }], 'the parameter by name');
    assert.ok(methodsFor('side').some((m) => m.name === 'gettxspendingprevout'), 'a Core method: both roles have it');
  });

  test('the spender follows the mempool: a child of a mempool transaction, a replacement, a block', async () => {
    const first = alice.pay(coins[2]!, alice.script, 2_000_000n, 1_000n);
    assert.equal(chain.acceptToMempool(first.bytes).allowed, true);
    const child = alice.pay({ txidLE: first.txidLE, vout: 0, output: first.tx.outputs[0]! }, bob.script, 1_000_000n, 1_000n);
    assert.equal(chain.acceptToMempool(child.bytes).allowed, true);
    assert.deepEqual(await spending([[at(coins[2]!), at(first, 0), at(first, 1)]]), [
      { ...at(coins[2]!), spendingtxid: hashToDisplay(first.txidLE) },
      { ...at(first, 0), spendingtxid: hashToDisplay(child.txidLE) },
      at(first, 1),
    ]);

    // a replacement (full RBF) of `first` evicts it and its child
    const replacement = alice.pay(coins[2]!, bob.script, 2_000_000n, 10_000n);
    assert.equal(chain.acceptToMempool(replacement.bytes).allowed, true);
    assert.deepEqual(await spending([[at(coins[2]!), at(first, 0)]]), [{ ...at(coins[2]!), spendingtxid: hashToDisplay(replacement.txidLE) }, at(first, 0)]);

    // mined: spent in a block, not in the mempool
    chain.generate(1, bob.script);
    assert.deepEqual(await spending([[at(coins[2]!), at(coins[0]!), at(replacement, 0)]]), [at(coins[2]!), at(coins[0]!), at(replacement, 0)]);
    assert.equal(chain.mempool().length, 0);
  });

  test('the largest vout Core reads (2^31 - 1) is answered', async () => {
    const largest = { txid: NO_SUCH_TXID, vout: 0x7fffffff };
    assert.deepEqual(await spending([[largest]]), [largest]);
  });

  test('refusals as Core\'s: codes and messages', async () => {
    const ok = { txid: NO_SUCH_TXID, vout: 0 };
    await assert.rejects(spending([[]]), refusedWith(-8, /^gettxspendingprevout: Invalid parameter, outputs are missing \(RPC error -8\)$/));
    await assert.rejects(spending([]), refusedWith(-1, /^gettxspendingprevout: gettxspendingprevout outputs \(RPC error -1\)$/));
    await assert.rejects(spending([[ok], {}]), refusedWith(-1, /gettxspendingprevout outputs/));
    await assert.rejects(spending([ok]), refusedWith(-3, /Position 1 \(outputs\)": "JSON value of type object is not of expected type array/));
    await assert.rejects(spending([null]), refusedWith(-3, /JSON value of type null is not of expected type array/));
    const cases: [unknown, number, RegExp][] = [
      [5, -3, /: JSON value of type number is not of expected type object \(/],
      [[ok], -3, /: JSON value of type array is not of expected type object \(/],
      [{ txid: NO_SUCH_TXID }, -3, /: Missing vout \(/],
      [{ vout: 1 }, -3, /: Missing txid \(/],
      [{ txid: null, vout: 1 }, -3, /: Missing txid \(/],
      [{ txid: 42, vout: 0 }, -3, /: JSON value of type number for field txid is not of expected type string \(/],
      [{ txid: NO_SUCH_TXID, vout: '1' }, -3, /: JSON value of type string for field vout is not of expected type number \(/],
      [{ txid: NO_SUCH_TXID, vout: true }, -3, /: JSON value of type bool for field vout is not of expected type number \(/],
      [{ ...ok, unknown: 42 }, -3, /: Unexpected key unknown \(/],
      [{ txid: 'aa', vout: 1 }, -8, /: txid must be of length 64 \(not 2, for 'aa'\) \(/],
      [{ txid: 'zz'.repeat(32), vout: 1 }, -8, /: txid must be hexadecimal string \(not 'z{64}'\) \(/],
      [{ txid: NO_SUCH_TXID, vout: -1 }, -8, /: Invalid parameter, vout cannot be negative \(/],
      [{ txid: NO_SUCH_TXID, vout: 1.5 }, -1, /: JSON integer out of range \(/],
      [{ txid: NO_SUCH_TXID, vout: 2 ** 31 }, -1, /: JSON integer out of range \(/],
    ];
    for (const [entry, code, message] of cases) {
      // a bad entry after a good one: each entry is checked, and nothing is answered
      await assert.rejects(spending([[ok, entry]]), refusedWith(code, message), JSON.stringify(entry));
    }
  });
});
