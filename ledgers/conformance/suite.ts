/**
 * The ledger adapter conformance suite (STYLE.md habit 8): every member of the contract of
 * `ledgers/adapter.ts`, checked with real chain actions through a TestChainDriver, including the
 * error cases. It registers node:test suites and tests, so it runs under `node --test` (or any
 * script importing it) and reports like any other test file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ADAPTER_CONTRACT_VERSION,
  type BlockEvent,
  type BlockRef,
  type BlockSubscription,
  type LedgerAdapter,
  type MempoolSpend,
  type OutpointRef,
  type SpendSpec,
  type UnsignedSpend,
  type Utxo,
} from '../adapter.js';
import { assertLedgerAdapter } from '../load-adapter.js';
import type { LedgerErrorCode } from '../errors.js';
import { lockScriptPubKey } from '../bitcoin/lock-script.js';
import { p2wpkhScriptPubKey } from '../bitcoin/payments.js';
import { publicKeyCompressed, signEcdsa, signSchnorr } from '../bitcoin/signatures.js';
import { bytesToHex, concatBytes, equalBytes, hashToDisplay } from '../../proofs/bytes.js';
import { sha256, sha256d } from '../../proofs/hash.js';
import { HeaderChain } from '../../proofs/bitcoin/header-chain.js';
import { verifyInclusion, type InclusionProof } from '../../proofs/bitcoin/inclusion.js';
import { decodeMerkleBlock } from '../../proofs/bitcoin/merkle-block.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { decodeTransaction, encodeTransaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import type { TestChainDriver } from './driver.js';

export interface ConformanceOptions {
  /** Names the suite in the report, e.g. "bitcoind on devnet-main". */
  readonly name: string;
  /** A fresh adapter on the driver's chain; the suite closes it. */
  readonly createAdapter: () => Promise<LedgerAdapter>;
  readonly chain: TestChainDriver;
  /** When given, estimateFeeRate must answer within these bounds (the adapter's configured floor and cap). */
  readonly feeRateBounds?: { readonly floor: number; readonly cap: number };
  /** How long the suite waits for an awaited outcome (a block event, a reconnect). [Default: 20000 ms] */
  readonly waitMs?: number;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A watched P2WPKH script of a key only the suite uses. */
function suiteScript(label: string): Uint8Array {
  return p2wpkhScriptPubKey(publicKeyCompressed(sha256(utf8(`utxo-relay conformance ${label}`))));
}

/**
 * Polls `check` until it stops throwing. Give every `assert.ok` a message, here above all: a
 * failing `assert.ok` without one makes Node build the message from the source, which for a module
 * loaded through tsx's hooks takes minutes (nodejs/node#52962, #52677), and a poll fails often.
 */
async function until<T>(what: string, timeoutMs: number, check: () => T | Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      throw new Error(`conformance: ${what} not seen within ${timeoutMs} ms: ${last instanceof Error ? last.message : String(last)}`, { cause: last });
    }
    await sleep(50);
  }
}

/** Asserts that `promise` rejects with a LedgerError of `code` (by name and code: the adapter may carry its own copy of the class). */
async function rejectsWithLedgerError(promise: Promise<unknown>, code: LedgerErrorCode, what: string): Promise<Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `${what}: expected a LedgerError ${code}, the call succeeded`);
  assert.ok(caught instanceof Error, `${what}: expected a LedgerError ${code}, got ${String(caught)}`);
  assert.equal(caught.name, 'LedgerError', `${what}: expected a LedgerError ${code}, got ${caught.name}: ${caught.message}`);
  assert.equal((caught as Error & { code?: unknown }).code, code, `${what}: expected code ${code}: ${caught.message}`);
  return caught;
}

class EventLog {
  readonly events: BlockEvent[] = [];
  readonly listener = (event: BlockEvent): void => {
    this.events.push(event);
  };

  blockAt(hashLE: Uint8Array): BlockEvent | undefined {
    return this.events.find((e) => e.type === 'block' && equalBytes(e.block.hashLE, hashLE));
  }

  /** The heights of `block` events, with reorgs checked to be followed by the fork's next height. */
  assertContinuous(what: string): void {
    let last: number | undefined;
    for (const e of this.events) {
      if (e.type === 'reorg') {
        assert.ok(e.removed.length > 0, `${what}: a reorg event removes no block`);
        for (const r of e.removed) assert.ok(r.height > e.fork.height, `${what}: a removed block (${r.height}) is not above the fork (${e.fork.height})`);
        last = e.fork.height;
        continue;
      }
      if (last !== undefined) assert.equal(e.block.height, last + 1, `${what}: block events jump from height ${last} to ${e.block.height}`);
      last = e.block.height;
    }
  }
}

/** How many transactions the block of an inclusion proof holds (a merkleblock says; a branch of depth 0 is a block of one). */
function blockTxCount(proof: InclusionProof): number {
  return proof.kind === 'merkleblock' ? decodeMerkleBlock(proof.merkleBlock).txCount : proof.coinbaseBranchLE.length === 0 ? 1 : 2;
}

/** The value of the outputs that enter the UTXO set: all but the provably unspendable (OP_RETURN, or a script above 10,000 bytes). */
function spendableValue(outputs: readonly TxOutput[]): bigint {
  let total = 0n;
  for (const o of outputs) if (!(o.scriptPubKey[0] === 0x6a || o.scriptPubKey.length > 10_000)) total += o.value;
  return total;
}

/** The outpoints a raw transaction's inputs spend. */
function inputsOf(rawTx: Uint8Array): OutpointRef[] {
  return decodeTransaction(rawTx).tx.inputs.map((input) => ({ txidLE: input.prevTxidLE, vout: input.prevVout }));
}

/** A getMempoolSpends answer as display txids ('-' for undefined), for one assertion over the whole list. */
function spendersShown(answers: readonly (MempoolSpend | undefined)[]): string[] {
  return answers.map((s) => (s === undefined ? '-' : hashToDisplay(s.txidLE)));
}

/** Asserts that `call` rejects (or throws) a TypeError or RangeError: a bad argument. */
async function rejectsAsBadArgument(call: () => Promise<unknown>, what: string): Promise<void> {
  let caught: unknown;
  try {
    await call();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `${what}: expected a TypeError or RangeError, the call succeeded`);
  assert.ok(caught instanceof Error && (caught.name === 'TypeError' || caught.name === 'RangeError'), `${what}: expected a TypeError or RangeError, got ${String(caught)}`);
}

function assertSameBlock(actual: BlockRef, expected: BlockRef, what: string): void {
  assert.equal(actual.height, expected.height, `${what}: height`);
  assert.equal(hashToDisplay(actual.hashLE), hashToDisplay(expected.hashLE), `${what}: hash`);
}

/** Best-chain headers 1..tip through the adapter, validated by the relayer's own light client. */
async function headerChainOf(adapter: LedgerAdapter): Promise<HeaderChain> {
  const chain = HeaderChain.fromGenesis(adapter.info.params);
  const tip = await adapter.getTip();
  for (let from = 1; from <= tip.height; from += 500) {
    for (const header of await adapter.getHeaders(from, Math.min(500, tip.height - from + 1))) {
      const result = chain.add(header);
      assert.notEqual(result.status, 'invalid', `the light client refuses the header of height ${from}: ${JSON.stringify(result)}`);
    }
  }
  return chain;
}

/** Registers the conformance tests of one adapter on one test chain. */
export function runConformance(options: ConformanceOptions): void {
  const { chain } = options;
  const waitMs = options.waitMs ?? 20_000;
  let adapter: LedgerAdapter;
  const subscriptions: BlockSubscription[] = [];
  const watched = suiteScript('watched');
  const stranger = suiteScript('not watched');

  describe(`ledger adapter conformance: ${options.name}`, () => {
    before(async () => {
      adapter = await options.createAdapter();
    });
    after(async () => {
      for (const s of subscriptions) await s.close();
      await adapter?.close();
    });

    const subscribe = (fromHeight: number, log: EventLog): BlockSubscription => {
      const s = adapter.subscribeBlocks(fromHeight, log.listener);
      subscriptions.push(s);
      return s;
    };
    const mined = async (hashLE: Uint8Array): Promise<{ height: number; hashLE: Uint8Array }> => {
      const tip = await adapter.getTip();
      for (let h = tip.height; h >= 0 && h > tip.height - 50; h--) {
        const at = await adapter.getBlockHash(h);
        if (at !== undefined && equalBytes(at, hashLE)) return { height: h, hashLE };
      }
      throw new Error(`block ${hashToDisplay(hashLE)} is not among the last 50 of the best chain`);
    };

    describe('identity', () => {
      test('contractVersion and every member of the contract', () => {
        assert.equal(adapter.contractVersion, ADAPTER_CONTRACT_VERSION);
        assertLedgerAdapter(adapter, options.name);
      });

      test('info: the genesis of info.params is getBlockHash(0), and getHeader serves it', async () => {
        const genesisHash = sha256d(adapter.info.params.genesisHeader);
        const atZero = await adapter.getBlockHash(0);
        assert.ok(atZero !== undefined, 'getBlockHash(0) is undefined');
        assert.equal(hashToDisplay(atZero), hashToDisplay(genesisHash), 'info.params is not the chain the node serves');
        const header = await adapter.getHeader(genesisHash);
        assert.ok(header !== undefined && equalBytes(header, adapter.info.params.genesisHeader), 'getHeader(genesis) is not params.genesisHeader');
        assert.ok(adapter.info.chainId.length > 0, 'info.chainId is empty');
        assert.equal(adapter.info.family, 'bitcoin');
      });
    });

    describe('headers', () => {
      test('getTip follows mined blocks; getBlockHash(tip.height) is the tip', async () => {
        const before = await adapter.getTip();
        const hashes = await chain.mine(2);
        const tip = await until('the new tip', waitMs, async () => {
          const t = await adapter.getTip();
          assert.equal(t.height, before.height + 2);
          return t;
        });
        assert.equal(hashToDisplay(tip.hashLE), hashToDisplay(hashes[1]!));
        assert.equal(hashToDisplay((await adapter.getBlockHash(tip.height))!), hashToDisplay(tip.hashLE));
      });

      test('getBlockHash above the tip is undefined', async () => {
        const tip = await adapter.getTip();
        assert.equal(await adapter.getBlockHash(tip.height + 1), undefined);
        assert.equal(await adapter.getBlockHash(tip.height + 1000), undefined);
      });

      test('getHeader: 80 bytes hashing to the block hash, linked to its parent; undefined for an unknown block', async () => {
        const tip = await adapter.getTip();
        const header = await adapter.getHeader(tip.hashLE);
        assert.ok(header !== undefined, 'getHeader(tip) is undefined');
        assert.equal(header.length, 80);
        assert.equal(hashToDisplay(sha256d(header)), hashToDisplay(tip.hashLE));
        const parent = await adapter.getBlockHash(tip.height - 1);
        assert.equal(bytesToHex(header.subarray(4, 36)), bytesToHex(parent!));
        assert.equal(await adapter.getHeader(sha256(utf8('no such block'))), undefined);
      });

      test('getHeaders: consecutive best-chain headers, fewer at the tip, none above it', async () => {
        const tip = await adapter.getTip();
        const from = Math.max(1, tip.height - 3);
        const headers = await adapter.getHeaders(from, 10);
        assert.equal(headers.length, tip.height - from + 1, 'fewer headers at the tip: exactly up to the tip');
        for (const [i, h] of headers.entries()) {
          assert.equal(h.length, 80);
          assert.equal(hashToDisplay(sha256d(h)), hashToDisplay((await adapter.getBlockHash(from + i))!), `header ${from + i}`);
        }
        assert.deepEqual(await adapter.getHeaders(tip.height + 1, 5), []);
        const chainOfHeaders = await headerChainOf(adapter);
        assert.equal(hashToDisplay(chainOfHeaders.tip.hashLE), hashToDisplay(tip.hashLE), 'the light client built from getHeaders reaches the tip');
      });
    });

    describe('scanning and proofs', () => {
      let paymentTxid: Uint8Array;
      let memoTxid: Uint8Array;
      let strangerTxid: Uint8Array;
      let blockHash: Uint8Array;

      before(async () => {
        paymentTxid = (await chain.send([{ value: 50_000n, scriptPubKey: watched }])).txidLE;
        memoTxid = (await chain.send([{ value: 0n, scriptPubKey: encodeMemo({ kind: 'lock', destinationScript: stranger }) }])).txidLE;
        strangerTxid = (await chain.send([{ value: 40_000n, scriptPubKey: stranger }])).txidLE;
        [blockHash] = (await chain.mine(1)) as [Uint8Array];
      });

      test('scanBlock reports the payment to a watched script and the UBR1 memo, not the others', async () => {
        const scan = await adapter.scanBlock(blockHash, { scripts: [watched] });
        const at = await mined(blockHash);
        assert.equal(scan.block.height, at.height);
        assert.equal(hashToDisplay(scan.block.hashLE), hashToDisplay(blockHash));
        assert.equal(hashToDisplay(sha256d(scan.header80)), hashToDisplay(blockHash));
        const found = new Map(scan.transactions.map((t) => [hashToDisplay(t.txidLE), t]));
        assert.ok(found.has(hashToDisplay(paymentTxid)), 'the payment to the watched script is reported');
        assert.ok(found.has(hashToDisplay(memoTxid)), 'the UBR1 memo is reported without being watched');
        assert.ok(!found.has(hashToDisplay(strangerTxid)), 'a payment to an unwatched script is not reported');
        for (const t of scan.transactions) {
          assert.equal(hashToDisplay(decodeTransaction(t.rawTx).txidLE), hashToDisplay(t.txidLE), 'rawTx is the reported transaction');
          assert.ok(t.index > 0, 'a non-coinbase transaction has a positive position');
        }
        const none = await adapter.scanBlock(blockHash, { scripts: [] });
        assert.deepEqual(none.transactions.map((t) => hashToDisplay(t.txidLE)), [hashToDisplay(memoTxid)], 'with nothing watched only the memo is reported');
      });

      test('scanBlock of an unknown block is NODE_REFUSED', async () => {
        await rejectsWithLedgerError(adapter.scanBlock(sha256(utf8('no such block')), { scripts: [watched] }), 'NODE_REFUSED', 'scanBlock(unknown)');
      });

      test('getInclusionProof: proofs that verifyInclusion accepts, at the scanned position', async () => {
        const headers = await headerChainOf(adapter);
        const scan = await adapter.scanBlock(blockHash, { scripts: [watched] });
        for (const txid of [paymentTxid, memoTxid, strangerTxid]) {
          const proof = await adapter.getInclusionProof(txid, blockHash);
          const verified = verifyInclusion(proof, headers, { minConfirmations: 1 });
          assert.equal(hashToDisplay(verified.txidLE), hashToDisplay(txid));
          assert.equal(hashToDisplay(verified.blockHashLE), hashToDisplay(blockHash));
          const scanned = scan.transactions.find((t) => equalBytes(t.txidLE, txid));
          if (scanned !== undefined) assert.equal(verified.index, scanned.index);
        }
      });

      test('getInclusionProof of a transaction not in the block is NODE_REFUSED', async () => {
        const tip = await adapter.getTip();
        const other = equalBytes(tip.hashLE, blockHash) ? (await adapter.getBlockHash(tip.height - 1))! : tip.hashLE;
        await rejectsWithLedgerError(adapter.getInclusionProof(paymentTxid, other), 'NODE_REFUSED', 'getInclusionProof(wrong block)');
      });

      test('listUnspent lists a confirmed payment with its value and confirmations', async () => {
        const utxos = await adapter.listUnspent(watched);
        const mine = utxos.find((u) => equalBytes(u.txidLE, paymentTxid));
        assert.ok(mine !== undefined, 'the payment is listed');
        assert.equal(mine.output.value, 50_000n);
        assert.equal(bytesToHex(mine.output.scriptPubKey), bytesToHex(watched));
        assert.ok(mine.confirmations >= 1, `a confirmed payment listed with ${mine.confirmations} confirmations`);
        assert.deepEqual(await adapter.listUnspent(suiteScript('never paid')), []);
      });

      test('estimateFeeRate answers a finite rate within the configured bounds', async () => {
        for (const target of [1, 6, 144]) {
          const rate = await adapter.estimateFeeRate(target);
          assert.ok(Number.isFinite(rate) && rate >= 0, `estimateFeeRate(${target}) = ${rate}`);
          if (options.feeRateBounds !== undefined) {
            assert.ok(rate >= options.feeRateBounds.floor && rate <= options.feeRateBounds.cap, `estimateFeeRate(${target}) = ${rate} is outside [${options.feeRateBounds.floor}, ${options.feeRateBounds.cap}]`);
          }
        }
      });
    });

    describe('broadcast and transaction status', () => {
      test('broadcast of a transaction the node already has: alreadyKnown, no error (mempool and confirmed)', async () => {
        const sent = await chain.send([{ value: 30_000n, scriptPubKey: stranger }]);
        const again = await adapter.broadcast(sent.rawTx);
        assert.equal(hashToDisplay(again.txidLE), hashToDisplay(sent.txidLE));
        assert.equal(again.alreadyKnown, true);
        assert.deepEqual(await adapter.getTransactionStatus(sent.txidLE), { state: 'mempool' });
        await chain.mine(1);
        const confirmed = await adapter.broadcast(sent.rawTx);
        assert.equal(confirmed.alreadyKnown, true);
      });

      test('broadcast of an invalid transaction is NODE_REFUSED', async () => {
        const sent = await chain.send([{ value: 30_000n, scriptPubKey: stranger }]);
        const tx = decodeTransaction(sent.rawTx).tx;
        // the same transaction spending an output that does not exist
        const raw = encodeTransaction({ ...tx, inputs: tx.inputs.map((i) => ({ ...i, prevTxidLE: sha256(utf8('no such output')) })) }, { witness: true });
        await rejectsWithLedgerError(adapter.broadcast(raw), 'NODE_REFUSED', 'broadcast(missing inputs)');
      });

      test('getTransactionStatus of a transaction nobody has is unknown', async () => {
        assert.deepEqual(await adapter.getTransactionStatus(sha256(utf8('no such transaction'))), { state: 'unknown' });
      });
    });

    describe('mempool spends', () => {
      let unspent: OutpointRef;
      let first: { txidLE: Uint8Array; rawTx: Uint8Array };
      let second: { txidLE: Uint8Array; rawTx: Uint8Array };
      const unknown: OutpointRef = { txidLE: sha256(utf8('no such transaction')), vout: 1 };

      before(async () => {
        const paid = await chain.send([{ value: 60_000n, scriptPubKey: stranger }]);
        await chain.mine(1);
        unspent = { txidLE: paid.txidLE, vout: 0 }; // confirmed, paying a key only the suite has
        first = await chain.send([{ value: 30_000n, scriptPubKey: stranger }]);
        second = await chain.send([{ value: 20_000n, scriptPubKey: stranger }]);
      });

      test('getMempoolSpends of [] is []; a bad argument is a TypeError or RangeError', async () => {
        assert.deepEqual(await adapter.getMempoolSpends([]), []);
        await rejectsAsBadArgument(() => adapter.getMempoolSpends([unspent, { txidLE: new Uint8Array(31), vout: 0 }]), 'getMempoolSpends(a 31-byte txid)');
        await rejectsAsBadArgument(() => adapter.getMempoolSpends([{ txidLE: unspent.txidLE, vout: -1 }]), 'getMempoolSpends(vout -1)');
        await rejectsAsBadArgument(() => adapter.getMempoolSpends([null as unknown as OutpointRef]), 'getMempoolSpends([null])');
      });

      test('getMempoolSpends answers, in the order asked: undefined for an unspent or unknown outpoint, the mempool transaction (txid and raw bytes) that spends one', async () => {
        const spentByFirst = inputsOf(first.rawTx);
        const spentBySecond = inputsOf(second.rawTx);
        const asked = [...spentBySecond, unspent, ...spentByFirst, unknown, { txidLE: first.txidLE, vout: 0 }, unspent];
        const answers = await adapter.getMempoolSpends(asked);
        const [a, b] = [hashToDisplay(first.txidLE), hashToDisplay(second.txidLE)];
        assert.deepEqual(
          spendersShown(answers),
          [...spentBySecond.map(() => b), '-', ...spentByFirst.map(() => a), '-', '-', '-'],
          'one answer per outpoint, in order (the second send may spend the first one\'s change; the first one\'s payment is unspent)',
        );
        for (const [i, spend] of answers.entries()) {
          if (spend === undefined) continue;
          const sent = equalBytes(spend.txidLE, first.txidLE) ? first : second;
          assert.equal(bytesToHex(spend.rawTx), bytesToHex(sent.rawTx), `answer ${i}: rawTx is the transaction broadcast`);
          assert.equal(hashToDisplay(decodeTransaction(spend.rawTx).txidLE), hashToDisplay(spend.txidLE), `answer ${i}: rawTx hashes to txidLE`);
        }
      });

      test('getMempoolSpends once the spenders are mined: undefined (spent in a block, not in the mempool)', async () => {
        await chain.mine(1);
        for (const sent of [first, second]) {
          const status = await adapter.getTransactionStatus(sent.txidLE);
          assert.equal(status.state, 'confirmed', `the spender ${hashToDisplay(sent.txidLE)} is mined`);
        }
        const asked = [...inputsOf(first.rawTx), unspent, ...inputsOf(second.rawTx)];
        assert.deepEqual(spendersShown(await adapter.getMempoolSpends(asked)), asked.map(() => '-'));
      });
    });

    describe('UTXO set total', () => {
      test('getUtxoSetTotal is read at the tip; a block with only its coinbase adds exactly the coinbase\'s outputs (nothing on a side chain)', async () => {
        const coinbaseScript = suiteScript('coinbase');
        let before = await adapter.getUtxoSetTotal();
        assert.equal(typeof before.total, 'bigint');
        assert.ok(before.total >= 0n, `a negative total: ${before.total}`);
        assertSameBlock(before.block, await adapter.getTip(), 'getUtxoSetTotal().block is the tip');
        // the first block may take the mempool's transactions: mine until one holds only its coinbase
        for (let attempt = 1; ; attempt++) {
          const [hashLE] = (await chain.mine(1, coinbaseScript)) as [Uint8Array];
          const after = await adapter.getUtxoSetTotal();
          assertSameBlock(after.block, { height: before.block.height + 1, hashLE }, 'getUtxoSetTotal().block after mining one block');
          const coinbase = (await adapter.scanBlock(hashLE, { scripts: [coinbaseScript] })).transactions.find((t) => t.index === 0);
          assert.ok(coinbase !== undefined, 'scanBlock reports the coinbase paying the watched script');
          if (blockTxCount(await adapter.getInclusionProof(coinbase.txidLE, hashLE)) === 1) {
            const minted = spendableValue(decodeTransaction(coinbase.rawTx).tx.outputs);
            assert.equal(after.total - before.total, minted, `the total grows by the coinbase's outputs (${before.total} -> ${after.total})`);
            if (adapter.info.capabilities.pegInMints) assert.equal(minted, 0n, 'a side chain (pegInMints) has no block subsidy: the reserve check relies on it');
            return;
          }
          assert.ok(attempt < 4, 'no block with only its coinbase in 4 mined blocks: the mempool does not drain');
          before = after;
        }
      });
    });

    describe('spending (release)', () => {
      let lockUtxo: Utxo;
      let spec: SpendSpec;
      let unsigned: UnsignedSpend;
      const lockScript = (): Uint8Array => lockScriptPubKey(chain.federation);
      const releaseSkip = (): boolean => adapter.info.capabilities.pegInMints;

      const sign = (u: UnsignedSpend): Map<number, Uint8Array[]> => {
        assert.equal(u.sighashes.length, 1, 'one input, one sighash');
        const message = u.sighashes[0]!;
        const sigs = new Map<number, Uint8Array[]>();
        for (let i = 0; i < chain.federation.threshold; i++) {
          const key = chain.federationPrivateKeys[i]!;
          sigs.set(i, [chain.federation.lockType === 'taproot' ? signSchnorr(message, key, new Uint8Array(32)) : concatBytes(signEcdsa(message, key), Uint8Array.of(0x01))]);
        }
        return sigs;
      };
      const release = (payTo: Uint8Array, value: bigint): SpendSpec => ({
        kind: 'release',
        federation: chain.federation,
        inputs: [lockUtxo],
        payouts: [{ value, scriptPubKey: payTo }],
        burnsHashLE: sha256(utf8('conformance burns')),
        feeRate: 2,
      });

      before(async () => {
        if (releaseSkip()) return;
        const locked = await chain.send([{ value: 200_000n, scriptPubKey: lockScript() }]);
        await chain.mine(1);
        const found = (await adapter.listUnspent(lockScript())).find((u) => equalBytes(u.txidLE, locked.txidLE));
        assert.ok(found !== undefined, 'listUnspent(lock script) lists the lock');
        lockUtxo = found;
        spec = release(watched, 150_000n);
      });

      test('buildSpend is deterministic: the same spec twice gives the same bytes', (t) => {
        if (releaseSkip()) return t.skip('a side chain (pegInMints) builds mints, not releases');
        unsigned = adapter.buildSpend(spec);
        const twice = adapter.buildSpend(structuredClone(spec));
        assert.equal(bytesToHex(twice.unsignedTx), bytesToHex(unsigned.unsignedTx));
        assert.equal(bytesToHex(twice.txidLE), bytesToHex(unsigned.txidLE));
        assert.deepEqual(twice.sighashes.map(bytesToHex), unsigned.sighashes.map(bytesToHex));
        assert.equal(twice.fee, unsigned.fee);
        assert.ok(unsigned.fee > 0n, `fee ${unsigned.fee}`);
        assert.equal(unsigned.sighashes.length, 1);
        assert.equal(hashToDisplay(decodeTransaction(unsigned.unsignedTx).txidLE), hashToDisplay(unsigned.txidLE));
        return undefined;
      });

      test('finalizeSpend, broadcast, getTransactionStatus: unknown, mempool, confirmed', async (t) => {
        if (releaseSkip()) return t.skip('a side chain (pegInMints) builds mints, not releases');
        unsigned ??= adapter.buildSpend(spec);
        const raw = adapter.finalizeSpend(unsigned, sign(unsigned));
        assert.equal(hashToDisplay(decodeTransaction(raw).txidLE), hashToDisplay(unsigned.txidLE), 'signatures do not change the txid');
        assert.deepEqual(await adapter.getTransactionStatus(unsigned.txidLE), { state: 'unknown' });
        const sent = await adapter.broadcast(raw);
        assert.equal(hashToDisplay(sent.txidLE), hashToDisplay(unsigned.txidLE));
        assert.equal(sent.alreadyKnown, false);
        assert.equal((await adapter.broadcast(raw)).alreadyKnown, true);
        assert.deepEqual(await adapter.getTransactionStatus(unsigned.txidLE), { state: 'mempool' });
        const [blockHash] = (await chain.mine(1)) as [Uint8Array];
        const status = await adapter.getTransactionStatus(unsigned.txidLE);
        assert.equal(status.state, 'confirmed');
        if (status.state === 'confirmed') {
          assert.equal(hashToDisplay(status.block.hashLE), hashToDisplay(blockHash));
          assert.equal(status.confirmations, 1);
        }
        assert.ok(!(await adapter.listUnspent(lockScript())).some((u) => equalBytes(u.txidLE, lockUtxo.txidLE) && u.vout === lockUtxo.vout), 'the spent lock is no longer listed');
        return undefined;
      });

      test('getTransactionStatus of a transaction whose input is spent: conflicted with rawTx, unknown without', async (t) => {
        if (releaseSkip()) return t.skip('a side chain (pegInMints) builds mints, not releases');
        const rival = adapter.buildSpend(release(stranger, 100_000n));
        const raw = adapter.finalizeSpend(rival, sign(rival));
        const status = await adapter.getTransactionStatus(rival.txidLE, raw);
        assert.equal(status.state, 'conflicted');
        assert.deepEqual(await adapter.getTransactionStatus(rival.txidLE), { state: 'unknown' });
        await rejectsWithLedgerError(adapter.broadcast(raw), 'NODE_REFUSED', 'broadcast(double spend)');
        return undefined;
      });
    });

    describe('spending (mint)', () => {
      const mintSkip = (): string | undefined =>
        !adapter.info.capabilities.pegInMints ? 'a main chain builds releases, not mints' : chain.pegIn === undefined ? 'the TestChainDriver has no pegIn' : undefined;
      const lockValue = 300_000n;
      let mintSpec: Extract<SpendSpec, { kind: 'mint' }>;
      /** What the mint test saw, for the claim and supply tests after it. */
      let minted: { txidLE: Uint8Array; block: BlockRef; supplyBefore: { block: BlockRef; total: bigint }; supplyAfter: { block: BlockRef; total: bigint } } | undefined;

      before(async () => {
        if (mintSkip() !== undefined) return;
        const lock = await chain.pegIn!(lockValue, watched);
        mintSpec = { kind: 'mint', federation: chain.federation, lockTxidLE: lock.lockTxidLE, lockVout: lock.lockVout, destinationScript: watched, amount: 290_000n, proof: lock.proof };
      });

      test('getPegInClaim on a chain without pegInMints is NODE_REFUSED', async (t) => {
        if (adapter.info.capabilities.pegInMints) return t.skip('a side chain (pegInMints) answers peg-in claims');
        await rejectsWithLedgerError(adapter.getPegInClaim(sha256(utf8('a lock')), 0), 'NODE_REFUSED', 'getPegInClaim on a main chain');
        return undefined;
      });

      test('getPegInClaim of a lock outpoint no mint claimed: claimed false', async (t) => {
        const skip = mintSkip();
        if (skip !== undefined) return t.skip(skip);
        assert.deepEqual(await adapter.getPegInClaim(mintSpec.lockTxidLE, mintSpec.lockVout), { claimed: false }, 'the locked outpoint, before its mint');
        assert.deepEqual(await adapter.getPegInClaim(sha256(utf8('no such lock')), 1), { claimed: false }, 'an outpoint nobody locked');
        return undefined;
      });

      test('buildSpend of a mint is deterministic; finalizeSpend, broadcast and status take it to confirmed', async (t) => {
        const skip = mintSkip();
        if (skip !== undefined) return t.skip(skip);
        const unsigned = adapter.buildSpend(mintSpec);
        const twice = adapter.buildSpend(structuredClone(mintSpec));
        assert.equal(bytesToHex(twice.unsignedTx), bytesToHex(unsigned.unsignedTx));
        assert.deepEqual(twice.sighashes.map(bytesToHex), unsigned.sighashes.map(bytesToHex));
        assert.equal(unsigned.sighashes.length, 1, 'one message for the whole mint');
        const message = unsigned.sighashes[0]!;
        const sigs = new Map<number, Uint8Array[]>();
        for (let i = 0; i < chain.federation.threshold; i++) sigs.set(i, [signSchnorr(message, chain.federationPrivateKeys[i]!, new Uint8Array(32))]);
        const raw = adapter.finalizeSpend(unsigned, sigs);
        assert.equal(hashToDisplay(decodeTransaction(raw).txidLE), hashToDisplay(unsigned.txidLE));
        const supplyBefore = await adapter.getUtxoSetTotal();
        const sent = await adapter.broadcast(raw);
        assert.equal(sent.alreadyKnown, false);
        assert.equal((await adapter.broadcast(raw)).alreadyKnown, true);
        assert.deepEqual(await adapter.getTransactionStatus(unsigned.txidLE), { state: 'mempool' });
        const pending = await adapter.getPegInClaim(mintSpec.lockTxidLE, mintSpec.lockVout);
        assert.ok(pending.claimed, 'getPegInClaim: the mint in the mempool claims the lock');
        assert.equal(hashToDisplay(pending.mintTxidLE), hashToDisplay(unsigned.txidLE), 'getPegInClaim: the mint in the mempool');
        assert.equal(pending.block, undefined, 'getPegInClaim: no block while in the mempool');
        assert.equal(pending.confirmations, 0, 'getPegInClaim: 0 confirmations in the mempool');
        const [blockHash] = (await chain.mine(1)) as [Uint8Array];
        const status = await adapter.getTransactionStatus(unsigned.txidLE);
        assert.equal(status.state, 'confirmed');
        if (status.state === 'confirmed') assert.equal(hashToDisplay(status.block.hashLE), hashToDisplay(blockHash));
        const scan = await adapter.scanBlock(blockHash, { scripts: [watched] });
        assert.ok(scan.transactions.some((tx) => equalBytes(tx.txidLE, unsigned.txidLE)), 'the mint pays the watched destination');
        minted = { txidLE: unsigned.txidLE, block: scan.block, supplyBefore, supplyAfter: await adapter.getUtxoSetTotal() };
        return undefined;
      });

      test('getPegInClaim of the mined mint: its txid and block, confirmations counted from it as blocks come', async (t) => {
        const skip = mintSkip();
        if (skip !== undefined) return t.skip(skip);
        assert.ok(minted !== undefined, 'the mint test did not mine a mint');
        for (let extra = 0; extra < 2; extra++) {
          if (extra > 0) await chain.mine(1);
          const tip = await adapter.getTip();
          const claim = await adapter.getPegInClaim(mintSpec.lockTxidLE, mintSpec.lockVout);
          assert.ok(claim.claimed, 'the lock is claimed');
          assert.equal(hashToDisplay(claim.mintTxidLE), hashToDisplay(minted.txidLE), 'by the mint');
          assert.ok(claim.block !== undefined, 'a mined claim has its block');
          assertSameBlock(claim.block, minted.block, 'the claim\'s block is the mint\'s');
          assert.equal(claim.confirmations, tip.height - minted.block.height + 1, `confirmations with the tip at ${tip.height}`);
          assert.equal(claim.confirmations, extra + 1);
        }
        return undefined;
      });

      test('getUtxoSetTotal: the mint\'s block adds exactly the locked value to the pegged supply', (t) => {
        const skip = mintSkip();
        if (skip !== undefined) return t.skip(skip);
        assert.ok(minted !== undefined, 'the mint test did not mine a mint');
        const { supplyBefore, supplyAfter } = minted;
        assertSameBlock(supplyAfter.block, minted.block, 'the supply read after the mint\'s block');
        assert.equal(supplyAfter.block.height, supplyBefore.block.height + 1, 'one block between the two reads');
        // the mint creates its outputs (amount) and its fee goes to the block's coinbase: the lock's value in all
        assert.equal(supplyAfter.total - supplyBefore.total, lockValue, `pegged supply ${supplyBefore.total} -> ${supplyAfter.total}`);
        return undefined;
      });
    });

    describe('block stream', () => {
      test('subscribeBlocks backfills from a past height, then delivers new blocks', async () => {
        const tip = await adapter.getTip();
        const log = new EventLog();
        const sub = subscribe(tip.height - 2, log);
        await until('the backfill', waitMs, () => assert.ok(log.blockAt(tip.hashLE) !== undefined, 'the tip is not delivered yet'));
        const first = log.events[0];
        assert.ok(first?.type === 'block' && first.block.height === tip.height - 2, 'the backfill starts at fromHeight');
        const [next] = (await chain.mine(1)) as [Uint8Array];
        await until('the new block', waitMs, () => assert.ok(log.blockAt(next) !== undefined, 'the new block is not delivered yet'));
        log.assertContinuous('subscribeBlocks');
        await sub.close();
      });

      test('a reorg between scans is reported with the removed blocks; a removed block still scans or is refused cleanly', async () => {
        const tip = await adapter.getTip();
        const log = new EventLog();
        subscribe(tip.height, log);
        await until('the current tip', waitMs, () => assert.ok(log.blockAt(tip.hashLE) !== undefined, 'the tip is not delivered yet'));
        const parent = (await adapter.getBlockHash(tip.height - 1))!;
        const scannedBefore = await adapter.scanBlock(tip.hashLE, { scripts: [watched] });
        const branch = await chain.mineOn(parent, 2);
        await until('the new branch', waitMs, () => assert.ok(log.blockAt(branch[1]!) !== undefined, `events: ${JSON.stringify(log.events, (_k, v: unknown) => (v instanceof Uint8Array ? hashToDisplay(v) : v))}; branch ${branch.map(hashToDisplay).join(' ')}`));
        const reorg = log.events.find((e) => e.type === 'reorg' && e.removed.some((r) => equalBytes(r.hashLE, tip.hashLE)));
        assert.ok(reorg !== undefined && reorg.type === 'reorg', `a reorg event removes the old tip; events: ${JSON.stringify(log.events.map((e) => e.type))}`);
        assert.ok(reorg.fork.height <= tip.height - 1, `the fork (${reorg.fork.height}) is not below the old tip (${tip.height})`);
        log.assertContinuous('subscribeBlocks across a reorg');
        // the old tip is off the best chain now
        assert.equal(hashToDisplay((await adapter.getBlockHash(tip.height))!), hashToDisplay(branch[0]!));
        try {
          const again = await adapter.scanBlock(tip.hashLE, { scripts: [watched] });
          assert.equal(hashToDisplay(again.block.hashLE), hashToDisplay(scannedBefore.block.hashLE));
          assert.equal(bytesToHex(again.header80), bytesToHex(scannedBefore.header80));
        } catch (e) {
          assert.ok(e instanceof Error && e.name === 'LedgerError' && (e as Error & { code?: unknown }).code === 'NODE_REFUSED', `scanning a removed block: answer or NODE_REFUSED, got ${String(e)}`);
        }
      });
    });

    describe('a node that goes away and comes back', () => {
      test('calls fail NODE_UNREACHABLE (transient) while it is away, work again after, and the stream resumes with a backfill', async () => {
        const tip = await adapter.getTip();
        const log = new EventLog();
        subscribe(tip.height, log);
        await until('the current tip', waitMs, () => assert.ok(log.blockAt(tip.hashLE) !== undefined, 'the tip is not delivered yet'));
        await chain.stopNode();
        try {
          const error = await rejectsWithLedgerError(adapter.getTip(), 'NODE_UNREACHABLE', 'getTip with the node away');
          assert.equal((error as Error & { transient?: unknown }).transient, true, 'NODE_UNREACHABLE is transient');
          await rejectsWithLedgerError(adapter.getHeader(tip.hashLE), 'NODE_UNREACHABLE', 'getHeader with the node away');
        } finally {
          await chain.startNode();
        }
        await until('calls to work again', waitMs, async () => assert.equal((await adapter.getTip()).height, tip.height));
        const hashes = await chain.mine(3);
        await until('the blocks mined after the restart', waitMs, () => assert.ok(hashes.every((h) => log.blockAt(h) !== undefined), 'not every block is delivered yet'));
        log.assertContinuous('subscribeBlocks across a restart');
      });
    });
  });
}
