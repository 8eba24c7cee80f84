/**
 * The bitcoind adapter's getMempoolSpends against an in-process devnet node (a DevnetChain behind
 * the RPC server, as the devnet's RPC tests run one), with a dispatch that can intercept a method:
 * answers in order, one getrawtransaction per distinct spender, calls of at most
 * MAX_OUTPOINTS_PER_CALL outpoints, a spender replaced or mined between the two calls (asked again
 * once, then NODE_UNREACHABLE), a node without the method (older than Core 24), and every lie it
 * must refuse as NODE_FAULTY.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { bytesToHex, displayToHash, hashToDisplay } from '../../proofs/bytes.js';
import { sha256 } from '../../proofs/hash.js';
import type { DecodedTransaction } from '../../proofs/bitcoin/transaction.js';
import type { LedgerAdapter, OutpointRef } from '../adapter.js';
import { LedgerError, type LedgerErrorCode } from '../errors.js';
import type { UtxoEntry } from '../devnet/chain-api.js';
import { DevnetChain } from '../devnet/chain/devnet-chain.js';
import { rpcError } from '../devnet/rpc/errors.js';
import type { JsonValue } from '../devnet/rpc/json.js';
import type { Dispatch } from '../devnet/rpc/jsonrpc.js';
import { createDispatch } from '../devnet/rpc/methods/index.js';
import type { ParamValue } from '../devnet/rpc/params.js';
import { startRpcServer, type RpcServer } from '../devnet/rpc/server.js';
import { TEST_NOW, Wallet, fundWallet } from '../devnet/test-utils.js';
import { MAX_OUTPOINTS_PER_CALL, createBitcoindAdapter } from './bitcoind-adapter.js';
import { CHAIN_PROFILES } from './profiles.js';

const credentials = { user: 'u', password: 'p' };
type Params = ParamValue[] | { [key: string]: ParamValue };
/** Answers a call instead of the node; `real()` is the node's own answer. */
type Hook = (params: Params, real: () => Promise<JsonValue>) => Promise<JsonValue> | JsonValue;

const outpoint = (tx: DecodedTransaction | UtxoEntry, vout = 'vout' in tx ? tx.vout : 0): OutpointRef => ({ txidLE: tx.txidLE, vout });
/** An outpoint of a transaction nobody made. */
const nowhere = (n: number): OutpointRef => ({ txidLE: sha256(new TextEncoder().encode(`no such transaction ${n}`)), vout: n % 7 });

function rejectsWith(code: LedgerErrorCode, message: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof LedgerError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  };
}

describe('bitcoind adapter: getMempoolSpends', () => {
  const alice = Wallet.of('getMempoolSpends alice');
  const bob = Wallet.of('getMempoolSpends bob');
  let chain: DevnetChain;
  let server: RpcServer;
  let adapter: LedgerAdapter;
  let coins: UtxoEntry[];
  let next = 0;
  /** Methods the node was asked, in order. */
  const calls: string[] = [];
  const hooks = new Map<string, Hook>();
  const count = (method: string): number => calls.filter((c) => c === method).length;
  /** A confirmed coin of alice's no test used yet. */
  const coin = (): UtxoEntry => coins[next++]!;
  const pay = (c: UtxoEntry, fee = 1_000n): DecodedTransaction => {
    const tx = alice.pay(c, bob.script, 1_000_000n, fee);
    assert.equal(chain.acceptToMempool(tx.bytes).allowed, true, 'the payment enters the mempool');
    return tx;
  };

  before(async () => {
    chain = DevnetChain.create({ role: 'main', coinbaseMaturity: 1, now: TEST_NOW });
    coins = fundWallet(chain, alice, 24);
    const real = createDispatch('main', () => ({ kind: 'ready', chain, startedAt: 0 }));
    const dispatch: Dispatch = (method, params) => {
      calls.push(method);
      const hook = hooks.get(method);
      return hook === undefined ? real(method, params) : hook(params, () => Promise.resolve(real(method, params)));
    };
    server = await startRpcServer({ port: 0, credentials, dispatch });
    adapter = createBitcoindAdapter({ profile: CHAIN_PROFILES['devnet-main']!, endpoints: [{ url: server.url, ...credentials }], feeRate: { floor: 1, cap: 100 } });
  });
  beforeEach(() => {
    hooks.clear();
    calls.length = 0;
  });
  after(async () => {
    await adapter?.close();
    await server?.close();
    await chain?.close();
  });

  test('bad arguments: TypeError/RangeError naming the index; [] answers [] without a call', async () => {
    const good = outpoint(coins[0]!);
    await assert.rejects(adapter.getMempoolSpends('x' as never), { name: 'TypeError', message: /^outpoints: expected an array/ });
    await assert.rejects(adapter.getMempoolSpends([good, null] as never), { name: 'TypeError', message: /^outpoints\[1\]: expected \{ txidLE, vout \}, got null/ });
    await assert.rejects(adapter.getMempoolSpends([good, { txidLE: 'ab'.repeat(32), vout: 0 }] as never), { name: 'TypeError', message: /^outpoints\[1\]\.txidLE: expected Uint8Array/ });
    await assert.rejects(adapter.getMempoolSpends([good, good, { txidLE: new Uint8Array(31), vout: 0 }]), { name: 'RangeError', message: /^outpoints\[2\]\.txidLE: expected 32 bytes, got 31/ });
    for (const vout of [-1, 1.5, 2 ** 32, Number.NaN]) {
      await assert.rejects(adapter.getMempoolSpends([{ txidLE: good.txidLE, vout }]), { name: 'RangeError', message: /^outpoints\[0\]\.vout: expected an integer in \[0, 4294967295\]/ }, String(vout));
    }
    await assert.rejects(adapter.getMempoolSpends([{ txidLE: good.txidLE } as never]), { name: 'RangeError', message: /^outpoints\[0\]\.vout/ });
    assert.deepEqual(await adapter.getMempoolSpends([]), []);
    assert.deepEqual(calls, [], 'neither bad arguments nor [] reach the node');
  });

  test('mixed answers in order: unspent, spent by a mempool transaction (txid and raw bytes), unknown; one getrawtransaction per spender', async () => {
    const [a, b1, b2, unspent] = [coin(), coin(), coin(), coin()];
    const txA = pay(a);
    // one transaction spending two of the outpoints asked
    const txB = alice.spend([b1, b2], [{ value: b1.output.value + b2.output.value - 2_000n, scriptPubKey: bob.script }]);
    assert.equal(chain.acceptToMempool(txB.bytes).allowed, true);
    const unknown = nowhere(1);
    const asked = [outpoint(unspent), outpoint(b2), outpoint(a), unknown, outpoint(txA, 0), outpoint(b1), { txidLE: a.txidLE, vout: 0x80000000 }, outpoint(a)];
    const answers = await adapter.getMempoolSpends(asked);
    assert.equal(answers.length, asked.length);
    const shown = answers.map((s) => (s === undefined ? undefined : hashToDisplay(s.txidLE)));
    const [A, B] = [hashToDisplay(txA.txidLE), hashToDisplay(txB.txidLE)];
    assert.deepEqual(shown, [undefined, B, A, undefined, undefined, B, undefined, A]);
    assert.equal(bytesToHex(answers[2]!.rawTx), bytesToHex(txA.bytes), 'the raw bytes of the mempool transaction');
    assert.equal(bytesToHex(answers[1]!.rawTx), bytesToHex(txB.bytes));
    assert.equal(answers[1], answers[5], 'one object for one spender');
    assert.equal(count('gettxspendingprevout'), 1);
    assert.equal(count('getrawtransaction'), 2, 'each distinct spender is fetched once');

    // mined: spent in a block, so no mempool transaction spends them any more
    chain.generate(1, bob.script);
    assert.deepEqual(await adapter.getMempoolSpends(asked), asked.map(() => undefined));
  });

  test(`long lists are asked ${MAX_OUTPOINTS_PER_CALL} outpoints a call, answers in order`, async () => {
    const total = 2 * MAX_OUTPOINTS_PER_CALL + 500;
    const asked = Array.from({ length: total }, (_, i) => nowhere(i));
    const spent = new Map<number, DecodedTransaction>();
    for (const position of [0, MAX_OUTPOINTS_PER_CALL - 1, MAX_OUTPOINTS_PER_CALL, total - 1]) {
      const c = coin();
      spent.set(position, pay(c));
      asked[position] = outpoint(c);
    }
    const answers = await adapter.getMempoolSpends(asked);
    assert.equal(answers.length, total);
    answers.forEach((s, i) => {
      const expected = spent.get(i);
      assert.equal(s === undefined ? undefined : hashToDisplay(s.txidLE), expected === undefined ? undefined : hashToDisplay(expected.txidLE), `answer ${i}`);
    });
    assert.equal(count('gettxspendingprevout'), 3);
    assert.equal(count('getrawtransaction'), 4);
    chain.generate(1, bob.script);
  });

  test('a spender replaced between the two calls: asked again once, the replacement is answered', async () => {
    const c = coin();
    const first = pay(c, 1_000n);
    const replacement = alice.pay(c, alice.script, 1_000_000n, 10_000n);
    hooks.set('getrawtransaction', (_params, real) => {
      hooks.delete('getrawtransaction');
      assert.equal(chain.acceptToMempool(replacement.bytes).allowed, true, 'the replacement evicts the first spender');
      return real();
    });
    const [answer] = await adapter.getMempoolSpends([outpoint(c)]);
    assert.equal(hashToDisplay(answer!.txidLE), hashToDisplay(replacement.txidLE));
    assert.equal(bytesToHex(answer!.rawTx), bytesToHex(replacement.bytes));
    assert.notEqual(hashToDisplay(first.txidLE), hashToDisplay(replacement.txidLE));
    assert.deepEqual(calls, ['gettxspendingprevout', 'getrawtransaction', 'gettxspendingprevout', 'getrawtransaction']);
  });

  test('a spender mined between the two calls on a node without -txindex (-5): asked again, undefined', async () => {
    const c = coin();
    const other = coin();
    const spender = pay(c);
    const otherSpender = pay(other);
    let mined = false;
    hooks.set('getrawtransaction', (params, real) => {
      if (!mined) chain.generate(1, bob.script);
      mined = true;
      // a node without -txindex finds mempool transactions only
      const txid = displayToHash((params as ParamValue[])[0] as string);
      if (chain.transaction(txid)?.blockHashLE !== undefined) throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries.');
      return real();
    });
    assert.deepEqual(await adapter.getMempoolSpends([outpoint(c), outpoint(other)]), [undefined, undefined]);
    assert.equal(count('gettxspendingprevout'), 2);
    assert.equal(chain.transaction(spender.txidLE)?.blockHashLE !== undefined, true, 'the spender was mined');
    assert.equal(chain.transaction(otherSpender.txidLE)?.blockHashLE !== undefined, true);
  });

  test('a spender gone twice in a row: NODE_UNREACHABLE (transient), never undefined', async () => {
    const c = coin();
    const spender = pay(c);
    hooks.set('getrawtransaction', () => {
      throw rpcError('RPC_INVALID_ADDRESS_OR_KEY', 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.');
    });
    await assert.rejects(adapter.getMempoolSpends([nowhere(2), outpoint(c)]), (e: unknown) => {
      assert.ok(e instanceof LedgerError && e.code === 'NODE_UNREACHABLE', String(e));
      assert.equal(e.transient, true);
      assert.match(e.message, /the mempool changed while it was read, twice in a row/);
      assert.match(e.message, new RegExp(hashToDisplay(spender.txidLE)));
      assert.deepEqual(e.details['spendingTxids'], [hashToDisplay(spender.txidLE)]);
      return true;
    });
    assert.equal(count('gettxspendingprevout'), 2, 'asked again once, not more');
    chain.generate(1, bob.script);
  });

  test('a node without gettxspendingprevout (-32601, older than Core 24): NODE_REFUSED saying so', async () => {
    hooks.set('gettxspendingprevout', () => {
      throw rpcError('RPC_METHOD_NOT_FOUND', 'Method not found');
    });
    await assert.rejects(adapter.getMempoolSpends([nowhere(3)]), (e: unknown) => {
      assert.ok(e instanceof LedgerError && e.code === 'NODE_REFUSED', String(e));
      assert.match(e.message, /needs Bitcoin Core 24 or later/);
      assert.equal(e.details['rpcCode'], -32601);
      assert.equal(e.transient, false);
      return true;
    });
  });

  test('other refusals pass through as NODE_REFUSED with the node\'s code', async () => {
    hooks.set('getrawtransaction', () => {
      throw rpcError('RPC_MISC_ERROR', 'something else');
    });
    const c = coin();
    pay(c);
    await assert.rejects(adapter.getMempoolSpends([outpoint(c)]), (e: unknown) => e instanceof LedgerError && e.code === 'NODE_REFUSED' && e.details['rpcCode'] === -1);
    chain.generate(1, bob.script);
  });

  test('a spender in a block (a Core with -txospenderindex names it with its blockhash) is not a mempool spend', async () => {
    const c = coin();
    const spender = pay(c);
    chain.generate(1, bob.script);
    hooks.set('gettxspendingprevout', async (_params, real) => {
      const answer = (await real()) as Record<string, JsonValue>[];
      return answer.map((entry) => ({ ...entry, spendingtxid: hashToDisplay(spender.txidLE), blockhash: hashToDisplay(chain.tip().hashLE) }));
    });
    assert.deepEqual(await adapter.getMempoolSpends([outpoint(c)]), [undefined]);
    assert.equal(count('getrawtransaction'), 0);
  });

  describe('answers that make no sense are NODE_FAULTY', () => {
    let spentCoin: UtxoEntry;
    let spender: DecodedTransaction;
    let stranger: DecodedTransaction;
    const lie = (method: string, answer: (real: JsonValue) => JsonValue): void => {
      hooks.set(method, async (_params, real) => answer(await real()));
    };
    const entries = (real: JsonValue): Record<string, JsonValue>[] => real as Record<string, JsonValue>[];
    const asked = (): OutpointRef[] => [nowhere(4), outpoint(spentCoin)];

    before(() => {
      spentCoin = coin();
      spender = pay(spentCoin);
      stranger = pay(coin());
    });

    const cases: [string, () => void, RegExp][] = [
      ['gettxspendingprevout: fewer entries than outpoints', () => lie('gettxspendingprevout', (r) => entries(r).slice(0, 1)), /gettxspendingprevout: expected an array of 2 entries \(one per outpoint asked\), got 1/],
      ['gettxspendingprevout: not an array', () => lie('gettxspendingprevout', () => ({ txid: 'x' })), /gettxspendingprevout: expected an array of 2 entries/],
      ['gettxspendingprevout: the outpoints in another order', () => lie('gettxspendingprevout', (r) => [...entries(r)].reverse()), /result\[0\] is [0-9a-f]{64}:\d+ where [0-9a-f]{64}:\d+ was asked/],
      ['gettxspendingprevout: another vout echoed', () => lie('gettxspendingprevout', (r) => entries(r).map((e) => ({ ...e, vout: 99 }))), /result\[0\] is [0-9a-f]{64}:99 where/],
      ['gettxspendingprevout: an entry that is not an object', () => lie('gettxspendingprevout', (r) => [entries(r)[0]!, 'x']), /gettxspendingprevout: expected a JSON object/],
      ['gettxspendingprevout: a spendingtxid that is not a hash', () => lie('gettxspendingprevout', (r) => entries(r).map((e) => ({ ...e, spendingtxid: 'xyz' }))), /result\[0\]\.spendingtxid: expected a 64-digit hex hash/],
      ['gettxspendingprevout: a spender that spends none of the outpoint', () => lie('gettxspendingprevout', (r) => entries(r).map((e) => ({ ...e, spendingtxid: hashToDisplay(stranger.txidLE) }))), /names [0-9a-f]{64} as the spender of [0-9a-f]{64}:\d+, but getrawtransaction gives a transaction [0-9a-f]{64} with no input spending it/],
      ['getrawtransaction: another transaction', () => lie('getrawtransaction', () => bytesToHex(stranger.bytes)), /getrawtransaction: the transaction answered for [0-9a-f]{64} has another txid/],
      ['getrawtransaction: bytes that do not decode', () => lie('getrawtransaction', () => '0200'), /getrawtransaction: the transaction answered for [0-9a-f]{64} does not decode/],
      ['getrawtransaction: not hex', () => lie('getrawtransaction', () => 'not hex'), /getrawtransaction: result: expected hex/],
    ];
    for (const [name, setUp, message] of cases) {
      test(name, async () => {
        setUp();
        await assert.rejects(adapter.getMempoolSpends(asked()), rejectsWith('NODE_FAULTY', message));
      });
    }

    test('the honest node again: the spender', async () => {
      const answers = await adapter.getMempoolSpends(asked());
      assert.deepEqual(answers.map((s) => s && hashToDisplay(s.txidLE)), [undefined, hashToDisplay(spender.txidLE)]);
    });
  });
});
