/**
 * End to end, test 2 of the relayer issue: 500 lock outputs in 150 raw transactions mined in five
 * blocks, with two relayer processes at once, one of them SIGKILLed half way, the same signed
 * transactions announced twice, and after everything settled the relayers restarted with the main
 * chain's cursor wound back so that the lock blocks are processed a second time.
 *
 * 460 valid locks (transactions with eight, four or one lock outputs, some with a valid and a dust output),
 * 20 with a malformed memo (bad length byte, unknown kind), 10 dust and 10 below fees. Exactly the
 * valid ones mint, once each, and the side chain holds exactly their value.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { addressToScriptPubKey } from '../../ledgers/bitcoin/address.js';
import { devnetNetwork } from '../../ledgers/devnet/params.js';
import { bytesToHex, hashToDisplay } from '../../proofs/bytes.js';
import type { SignedPayment } from '../../ledgers/devnet/wallet/build-payment.js';
import { ChainMarks } from '../../relayer/store/chain-marks.js';
import { Keys } from '../../relayer/store/keys.js';
import { transferIdOf, type TransferId } from '../../relayer/transfer.js';
import { eventually } from '../eventually.js';
import { Bridge } from './bridge-harness.js';
import { badKindMemo, badLengthMemo, call, depositTx, lockMemo, send, sendAgain, splitCoins } from './raw-deposits.js';
import { lockedValue, units } from './books.js';

interface Expected {
  readonly id: TransferId;
  readonly txid: string;
  readonly vout: number;
  readonly amount: bigint;
  /** undefined: valid (mints); else the rejection code. */
  readonly code?: 'MEMO_MALFORMED' | 'AMOUNT_DUST' | 'AMOUNT_BELOW_FEES';
}

interface Plan {
  readonly lockValues: readonly bigint[];
  readonly codes: readonly (Expected['code'] | undefined)[];
  readonly memo: 'good' | 'bad-length' | 'bad-kind';
}

const LOCK_BLOCKS = 5;

test('500 locks in five blocks: exactly the valid ones mint, once each, the rest are rejected with their reason', { timeout: 600_000 }, async (t) => {
  const bridge = await Bridge.start(t, {
    relayers: 0,
    sections: {
      limits: { dust: 546, pegin: {}, pegout: {} },
      workers: { concurrency: { confirm: 16, verify: 4, sign: 4, broadcast: 4, settle: 8 } },
    },
  });
  const dust = bridge.config.limits.dust;
  const fee = bridge.config.fees.mint;
  assert.equal(dust, 546n);
  assert.equal(fee, 1000n);
  const destination = addressToScriptPubKey(devnetNetwork('side').hrp, await bridge.sideWallet.address(bridge.walletFile.primaryKey()));

  // the deposits: 460 valid outputs, 40 refused
  let n = 0;
  const valid = (): bigint => 2_000n + BigInt(n++) * 37n;
  const plans: Plan[] = [];
  for (let i = 0; i < 40; i++) plans.push({ lockValues: Array.from({ length: 8 }, valid), codes: Array<undefined>(8).fill(undefined), memo: 'good' });
  for (let i = 0; i < 20; i++) plans.push({ lockValues: Array.from({ length: 4 }, valid), codes: Array<undefined>(4).fill(undefined), memo: 'good' });
  for (let i = 0; i < 49; i++) plans.push({ lockValues: [valid()], codes: [undefined], memo: 'good' });
  plans.push({ lockValues: [dust + fee + 1n], codes: [undefined], memo: 'good' }); // the smallest that mints
  const dustValues = [294n, 300n, 350n, 400n, 450n, 500n, 520n, 540n, 545n, dust];
  for (const d of dustValues) plans.push({ lockValues: [valid(), d], codes: [undefined, 'AMOUNT_DUST'], memo: 'good' });
  const belowFees = [dust + 1n, 600n, 800n, 1_000n, 1_200n, 1_400n, 1_500n, 1_540n, 1_545n, dust + fee];
  for (const b of belowFees) plans.push({ lockValues: [b], codes: ['AMOUNT_BELOW_FEES'], memo: 'good' });
  for (let i = 0; i < 10; i++) plans.push({ lockValues: [valid()], codes: ['MEMO_MALFORMED'], memo: 'bad-length' });
  for (let i = 0; i < 10; i++) plans.push({ lockValues: [valid()], codes: ['MEMO_MALFORMED'], memo: 'bad-kind' });

  const coins = await splitCoins(bridge, plans.length, 200_000n);
  const memos = { good: lockMemo(destination), 'bad-length': badLengthMemo(destination), 'bad-kind': badKindMemo(destination) };
  const txs: SignedPayment[] = [];
  for (const [i, p] of plans.entries()) {
    txs.push(depositTx(coins[i]!, bridge.lockScript, p.lockValues, memos[p.memo]));
    // signing is CPU work: let the event loop see the RPC connections (keep-alive) in between
    await new Promise((resolve) => setImmediate(resolve));
  }
  const expected: Expected[] = txs.flatMap((tx, i) =>
    plans[i]!.lockValues.map((amount, vout) => {
      const code = plans[i]!.codes[vout];
      return { id: transferIdOf('pegin', tx.txidLE, vout), txid: hashToDisplay(tx.txidLE), vout, amount, ...(code === undefined ? {} : { code }) };
    }),
  );
  assert.equal(expected.length, 500);
  const validLocks = expected.filter((e) => e.code === undefined);
  const refused = expected.filter((e) => e.code !== undefined);
  assert.equal(validLocks.length, 460);
  assert.equal(refused.length, 40);
  // two relayer processes of the deployment at once, from before the first lock
  bridge.startRelayer();
  bridge.startRelayer();
  const validTotal = validLocks.reduce((s, e) => s + e.amount, 0n);
  const lockedBefore = await lockedValue(bridge);

  const mainRpc = bridge.nodes.mainRpc;
  const keys = new Keys(bridge.config.redis.prefix, bridge.config.deployment);
  const marks = new ChainMarks(bridge.redis, keys);
  const firstLockHeight = (await call<number>(mainRpc, 'getblockcount')) + 1;
  // every kind in every block: transaction i goes into lock block i % LOCK_BLOCKS
  const groups = Array.from({ length: LOCK_BLOCKS }, (_, b) => txs.filter((_tx, i) => i % LOCK_BLOCKS === b));
  for (let b = 0; b < LOCK_BLOCKS; b++) {
    const group = groups[b]!;
    for (const tx of group) assert.equal(await send(mainRpc, tx.raw), hashToDisplay(tx.txidLE));
    // the same signed deposits announced twice: the same transaction, nothing new for anyone
    for (const tx of group.slice(0, 5)) assert.deepEqual(await sendAgain(mainRpc, tx), { txid: hashToDisplay(tx.txidLE) });
    assert.equal((await call<string[]>(mainRpc, 'getrawmempool')).length, group.length);
    await bridge.mine('main');
    for (const tx of [...group.slice(0, 5), ...(b > 0 ? groups[b - 1]!.slice(0, 5) : [])]) {
      const again = await sendAgain(mainRpc, tx);
      assert.ok('refused' in again && /already|known/i.test(again.refused), `a mined deposit sent again is refused: ${JSON.stringify(again)}`);
    }
    if (b === 1) {
      // a crash half way: the relayer running the main watcher dies without cleaning up (its lease
      // stays until it expires), another process starts
      const holder = await eventually(async () => {
        const owner = await bridge.redis.get(keys.lease('main'));
        const r = bridge.relayers.find((p) => owner?.split(':')[1] === String(p.child.pid));
        assert.ok(r !== undefined, `the main watcher lease is held by one of the relayers (${owner})`);
        return r;
      }, { timeoutMs: 60_000, what: 'the main watcher running' });
      await bridge.killRelayer(holder);
      bridge.startRelayer();
    }
  }
  assert.deepEqual(await call<string[]>(mainRpc, 'getrawmempool'), [], 'every deposit is mined');

  // confirmations.main is 2: one more main block; then a side block now and then while mints wait
  // for their confirmations (every block makes each watcher run the reserve check: no idle blocks)
  await bridge.mine('main');
  let lastMined = 0;
  let stuck: string | undefined;
  const counts = await eventually(
    async () => {
      const c = await bridge.store.counts();
      if (c.held > 0 || c.reorged > 0) {
        stuck = `held ${c.held}, reorged ${c.reorged}`;
        return c;
      }
      if (c.broadcast > 0 && Date.now() - lastMined >= 1_500) {
        lastMined = Date.now();
        await bridge.mine('side');
      }
      if (c.completed < validLocks.length || c.rejected < refused.length) throw new Error(`completed ${c.completed}/${validLocks.length}, rejected ${c.rejected}/${refused.length}`);
      return c;
    },
    { intervalMs: 250, timeoutMs: 480_000, what: '460 mints completed and 40 deposits rejected' },
  ).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${bridge.logs().slice(-4_000)}`);
  });
  assert.equal(stuck, undefined, `no transfer may be held or reorged:\n${bridge.logs().slice(-4_000)}`);
  assert.deepEqual(counts, { seen: 0, confirming: 0, verified: 0, signing: 0, broadcast: 0, completed: 460, held: 0, rejected: 40, reorged: 0 });

  const before = await snapshot(bridge, expected);
  checkSnapshot(before, validLocks, refused, validTotal, fee);
  assert.equal(await lockedValue(bridge), lockedBefore + expected.reduce((s, e) => s + e.amount, 0n), 'every lock output is still locked (nothing released)');

  // the same blocks processed a second time: the relayers restart with the main cursor wound back
  // below the first lock block (as after a lost cursor), two processes at once again
  await bridge.stopRelayers();
  const rewind = firstLockHeight - 1;
  await marks.setCursor('main', { height: rewind, hash: await call<string>(mainRpc, 'getblockhash', [rewind]) });
  const again = [bridge.startRelayer(), bridge.startRelayer()];
  await bridge.mine('main');
  const tip = await call<number>(mainRpc, 'getblockcount');
  await bridge.mineUntil(async () => assert.ok(((await marks.cursor('main'))?.height ?? 0) >= tip, 'the watcher went over the lock blocks again'), {
    roles: ['side'],
    timeoutMs: 120_000,
    what: 'the main watcher back at the tip',
  });
  const started = again
    .flatMap((r) => readFileSync(r.logFile, 'utf8').split('\n'))
    .filter((l) => l.includes('"watcher started"'))
    .map((l) => JSON.parse(l) as { chain: string; from: number });
  assert.ok(started.some((l) => l.chain === 'main' && l.from === rewind + 1), `the main watcher resumed below the lock blocks: ${JSON.stringify(started)}`);
  // a few side blocks for anything a second pass might have sent
  await bridge.mine('side', 3);
  const after = await snapshot(bridge, expected);
  assert.deepEqual(after.counts, before.counts);
  assert.deepEqual(after.mints, before.mints, 'the same mint for each lock, nothing new');
  assert.equal(after.sideTotal, before.sideTotal);
  assert.deepEqual(await call<string[]>(bridge.nodes.sideRpc, 'getrawmempool'), []);
  checkSnapshot(after, validLocks, refused, validTotal, fee);
});

interface Snapshot {
  readonly counts: Record<string, number>;
  /** Lock id -> the mint txid that claimed it on the side chain (valid locks), or null. */
  readonly mints: Record<string, string | null>;
  readonly records: Map<TransferId, { state: string; code?: string; amount: bigint; payoutAmount?: bigint; payoutTxid?: string }>;
  readonly sideTotal: bigint;
  readonly minted: bigint;
  readonly coinbase: bigint;
}

async function snapshot(bridge: Bridge, expected: readonly Expected[]): Promise<Snapshot> {
  const side = bridge.nodes.sideRpc;
  const mints: Record<string, string | null> = {};
  for (const e of expected) {
    const claim = await call<{ claimed: boolean; mint_txid?: string; in_mempool?: boolean }>(side, 'getpegclaim', [e.txid, e.vout]);
    if (claim.claimed) assert.equal(claim.in_mempool, false, `${e.id}: its mint is mined`);
    mints[e.id] = claim.claimed ? claim.mint_txid! : null;
  }
  const records: Snapshot['records'] = new Map();
  for (const e of expected) {
    const r = await bridge.store.get(e.id);
    assert.ok(r !== undefined, `${e.id} is recorded`);
    records.set(e.id, {
      state: r.state,
      amount: r.amount,
      ...(r.reason === undefined ? {} : { code: r.reason.code }),
      ...(r.payoutAmount === undefined ? {} : { payoutAmount: r.payoutAmount }),
      ...(r.payout === undefined ? {} : { payoutTxid: r.payout.txid }),
    });
  }
  const info = await call<{ total_amount: number }>(side, 'gettxoutsetinfo');
  const key = bridge.walletFile.primaryKey();
  const scan = await call<{ unspents: { amount: number; coinbase?: boolean }[] }>(side, 'scantxoutset', ['start', [`raw(${bytesToHex(key.scriptPubKey)})`]]);
  return {
    counts: await bridge.store.counts(),
    mints,
    records,
    sideTotal: units(info.total_amount),
    minted: scan.unspents.filter((u) => u.coinbase !== true).reduce((s, u) => s + units(u.amount), 0n),
    coinbase: scan.unspents.filter((u) => u.coinbase === true).reduce((s, u) => s + units(u.amount), 0n),
  };
}

function checkSnapshot(s: Snapshot, validLocks: readonly Expected[], refused: readonly Expected[], validTotal: bigint, fee: bigint): void {
  // records: every valid lock completed with its amount, every refused one rejected with its code
  for (const e of validLocks) {
    const r = s.records.get(e.id)!;
    assert.equal(r.state, 'completed', `${e.id}: ${r.state} ${r.code ?? ''}`);
    assert.equal(r.amount, e.amount, `${e.id}: amount`);
    assert.equal(r.payoutAmount, e.amount - fee, `${e.id}: payout = amount - fees.mint`);
    assert.equal(s.mints[e.id], r.payoutTxid, `${e.id}: claimed on the side chain by the recorded mint`);
  }
  for (const e of refused) {
    const r = s.records.get(e.id)!;
    assert.equal(r.state, 'rejected', `${e.id}: expected rejected (${e.code}), is ${r.state}`);
    assert.equal(r.code, e.code, `${e.id}: reason`);
    assert.equal(r.payoutTxid, undefined, `${e.id}: no payout built`);
    assert.equal(s.mints[e.id], null, `${e.id}: never claimed on the side chain`);
  }
  const codes = refused.reduce<Record<string, number>>((m, e) => ({ ...m, [e.code!]: (m[e.code!] ?? 0) + 1 }), {});
  assert.deepEqual(codes, { AMOUNT_DUST: 10, AMOUNT_BELOW_FEES: 10, MEMO_MALFORMED: 20 });
  // one mint per lock, no mint shared by two locks
  const mintTxids = validLocks.map((e) => s.mints[e.id]);
  assert.equal(new Set(mintTxids).size, validLocks.length, 'each valid lock has its own mint');
  // value: the side chain holds exactly the valid locks: the mints pay amount - fee to the
  // destination, the fee went to the side miners (coinbases, the same wallet key here)
  assert.equal(s.sideTotal, validTotal, 'side UTXO total = sum of the valid locks');
  assert.equal(s.minted, validTotal - BigInt(validLocks.length) * fee, 'the destination got every valid lock minus fees.mint');
  assert.equal(s.coinbase, BigInt(validLocks.length) * fee, 'the side miners got fees.mint per mint');
}
