/**
 * readMempoolReleases on a scripted main node (the transactions are built here, unsigned: the
 * function reads bytes, the node checked the signatures) and a real redis-server for the alerts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import type { LedgerAdapter, MempoolSpend, OutpointRef, Utxo } from '../../ledgers/adapter.js';
import { bytesToHex, hashToDisplay } from '../../proofs/bytes.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { decodeTransaction, encodeTransaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { redisPerFile, uniquePrefix } from '../../test/redis.js';
import type { RelayerContext } from '../context.js';
import { Controls } from '../store/controls.js';
import { Keys } from '../store/keys.js';
import { readMempoolReleases } from './mempool-releases.js';

const { connect } = redisPerFile();

const LOCK_SCRIPT = Uint8Array.of(0x00, 0x20, ...new Uint8Array(32).fill(0xab));
const PAYEE = Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(0x11));
const TIP = { height: 500, hashLE: new Uint8Array(32).fill(9) };

function lockUtxo(n: number, value: bigint): Utxo {
  return { txidLE: new Uint8Array(32).fill(n), vout: n % 3, output: { value, scriptPubKey: LOCK_SCRIPT }, confirmations: 6 };
}

function spend(inputs: readonly OutpointRef[], outputs: readonly TxOutput[]): MempoolSpend {
  const tx = {
    version: 2,
    inputs: inputs.map((o) => ({ prevTxidLE: o.txidLE, prevVout: o.vout, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [new Uint8Array(64).fill(1)] })),
    outputs,
    locktime: 0,
  };
  const rawTx = encodeTransaction(tx, { witness: true });
  return { txidLE: decodeTransaction(rawTx).txidLE, rawTx };
}

const releaseMemo = (hashByte: number): TxOutput => ({ value: 0n, scriptPubKey: encodeMemo({ kind: 'release', burnsHashLE: new Uint8Array(32).fill(hashByte) }) });

/** A context with only what readMempoolReleases uses: the main node answering `spenders` by outpoint. */
function context(label: string, spenders: ReadonlyMap<string, MempoolSpend>): { ctx: RelayerContext; controls: Controls; asked: OutpointRef[][] } {
  const asked: OutpointRef[][] = [];
  const key = (o: OutpointRef): string => `${bytesToHex(o.txidLE)}:${o.vout}`;
  const main = {
    getMempoolSpends: (outpoints: readonly OutpointRef[]) => {
      asked.push([...outpoints]);
      return Promise.resolve(outpoints.map((o) => spenders.get(key(o))));
    },
    getTip: () => Promise.resolve(TIP),
  } as unknown as LedgerAdapter;
  const controls = new Controls(connect(), new Keys(uniquePrefix(label), 'dep'));
  const ctx = { adapters: { main }, lockScript: LOCK_SCRIPT, controls, log: pino({ level: 'silent' }) } as unknown as RelayerContext;
  return { ctx, controls, asked };
}

const keyOf = (u: Utxo): string => `${bytesToHex(u.txidLE)}:${u.vout}`;
const text = (u: Utxo): string => `${hashToDisplay(u.txidLE)}:${u.vout}`;

describe('readMempoolReleases', () => {
  test('a release spending two lock outputs is found by its burns hash, with its bytes, inputs, exact fee and fee rate; only spent outputs are listed spent', async () => {
    const [a, b, c] = [lockUtxo(1, 60_000n), lockUtxo(2, 50_000n), lockUtxo(3, 70_000n)];
    const release = spend([a, b], [{ value: 80_000n, scriptPubKey: PAYEE }, releaseMemo(0x42), { value: 29_000n, scriptPubKey: LOCK_SCRIPT }]);
    const { ctx, asked } = context('release', new Map([[keyOf(a), release], [keyOf(b), release]]));
    const found = await readMempoolReleases(ctx, [a, b, c]);
    assert.equal(asked.length, 1, 'one question for all lock outputs');
    assert.deepEqual(found.tip, TIP);
    assert.deepEqual([...found.spent].sort(), [text(a), text(b)].sort());
    assert.deepEqual([...found.releases.keys()], [bytesToHex(new Uint8Array(32).fill(0x42))]);
    const payout = found.releases.get(bytesToHex(new Uint8Array(32).fill(0x42)))!;
    assert.equal(payout.txid, hashToDisplay(release.txidLE));
    assert.equal(payout.rawTx, bytesToHex(release.rawTx));
    assert.deepEqual(payout.inputs, [text(a), text(b)]);
    assert.equal(payout.fee, 1_000n, '60,000 + 50,000 in, 80,000 + 29,000 out');
    assert.equal(payout.feeRate, 1_000 / Math.ceil(decodeTransaction(release.rawTx).weight / 4));
    assert.equal(payout.broadcastHeight, TIP.height);
  });

  test('a spender without a release memo is a spent output, not a release; an input the caller did not list leaves the fee unknown (0)', async () => {
    const [a, b] = [lockUtxo(4, 60_000n), lockUtxo(5, 50_000n)];
    const foreign = lockUtxo(6, 1_000_000n);
    const plain = spend([a], [{ value: 59_000n, scriptPubKey: PAYEE }]);
    const partly = spend([b, foreign], [{ value: 1_000_000n, scriptPubKey: PAYEE }, releaseMemo(0x43)]);
    const { ctx } = context('plain', new Map([[keyOf(a), plain], [keyOf(b), partly]]));
    const found = await readMempoolReleases(ctx, [a, b]);
    assert.deepEqual([...found.spent].sort(), [text(a), text(b)].sort());
    assert.equal(found.releases.size, 1);
    const payout = found.releases.get(bytesToHex(new Uint8Array(32).fill(0x43)))!;
    assert.deepEqual([payout.fee, payout.feeRate], [0n, 0]);
    assert.deepEqual(payout.inputs, [text(b), text(foreign)]);
  });

  test('two mempool releases of the same burns that do not conflict: RELEASE_DUPLICATED is raised and peg-outs are paused', async () => {
    const [a, b] = [lockUtxo(7, 60_000n), lockUtxo(8, 60_000n)];
    const first = spend([a], [{ value: 59_000n, scriptPubKey: PAYEE }, releaseMemo(0x44)]);
    const second = spend([b], [{ value: 59_000n, scriptPubKey: PAYEE }, releaseMemo(0x44)]);
    const { ctx, controls } = context('duplicate', new Map([[keyOf(a), first], [keyOf(b), second]]));
    const found = await readMempoolReleases(ctx, [a, b]);
    assert.equal(found.releases.size, 1, 'the first one is followed');
    const alerts = await controls.alerts();
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.kind, 'RELEASE_DUPLICATED');
    assert.match(alerts[0]!.message, new RegExp(`${hashToDisplay(first.txidLE)} and ${hashToDisplay(second.txidLE)}`));
    assert.equal((await controls.pausedReason('pegout'))?.by, 'mempool-releases');
    assert.equal(await controls.pausedReason('pegin'), undefined);
  });

  test('no lock outputs: nothing spent, nothing released', async () => {
    const { ctx } = context('empty', new Map());
    const found = await readMempoolReleases(ctx, []);
    assert.deepEqual([found.releases.size, found.spent.size], [0, 0]);
  });
});
