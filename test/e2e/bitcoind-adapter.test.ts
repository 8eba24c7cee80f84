/**
 * The bitcoind adapter against real devnet node processes: headers, scans, proofs verified by
 * proofs/, UTXOs, releases (taproot and p2wsh federations) accepted by the main node, a mint
 * accepted by a side node, transaction status through mempool, confirmed and conflicted, block
 * streams (websocket and polling) with a reorg, failover and cross-checks between endpoints.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bytesToHex, equalBytes, hashToDisplay } from '../../proofs/bytes.js';
import { HeaderChain } from '../../proofs/bitcoin/header-chain.js';
import { verifyInclusion } from '../../proofs/bitcoin/inclusion.js';
import { decodeTransaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import type { BlockEvent, LedgerAdapter, UnsignedSpend, Utxo } from '../../ledgers/adapter.js';
import { federationToJson } from '../../ledgers/bitcoin/federation-file.js';
import { lockScriptPubKey, type Federation } from '../../ledgers/bitcoin/lock-script.js';
import { federationSignature } from '../../ledgers/bitcoin/sign-input.js';
import { signSchnorr } from '../../ledgers/bitcoin/signatures.js';
import { LedgerError } from '../../ledgers/errors.js';
import { DEVNET_MAIN } from '../../ledgers/devnet/params.js';
import { Wallet, lockTransaction, testFederation } from '../../ledgers/devnet/test-utils.js';
import { CHAIN_PROFILES, createBitcoindAdapter, type BitcoindAdapterConfig } from '../../ledgers/bitcoind/index.js';
import { eventually } from '../eventually.js';
import { DevnetProcess, opReturn, testWallet } from './devnet-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'utxo-relay-bitcoind-'));
const taproot = testFederation(2, 3, 'taproot');
const p2wsh = testFederation(2, 3, 'p2wsh');
const fedFile = join(dir, 'federation.json');
writeFileSync(fedFile, JSON.stringify(federationToJson(taproot.federation)));
const user = Wallet.of('bitcoind-adapter-user');
const sideDestination = testWallet('bitcoind-adapter-side', 'uds').script;
const miner = testWallet('bitcoind-adapter-miner');
const FEE = { floor: 1, cap: 100 };

let main: DevnetProcess;
let side: DevnetProcess;
let adapter: LedgerAdapter;
let sideAdapter: LedgerAdapter;
const opened: LedgerAdapter[] = [];

function config(node: DevnetProcess, chainId: 'devnet-main' | 'devnet-side', extra: Partial<BitcoindAdapterConfig> = {}): BitcoindAdapterConfig {
  return { profile: CHAIN_PROFILES[chainId]!, endpoints: [{ url: node.line.rpc, cookieFile: node.line.cookie! }], feeRate: FEE, pollIntervalMs: 50, ...extra };
}
function open(c: BitcoindAdapterConfig): LedgerAdapter {
  const a = createBitcoindAdapter(c);
  opened.push(a);
  return a;
}
async function mine(node: DevnetProcess, n = 1, script: Uint8Array = miner.script): Promise<string[]> {
  return node.call<string[]>('generatetodescriptor', [n, `raw(${bytesToHex(script)})`]);
}
/** Concatenates each key's signatures of every input (the adapter's multi-input format). */
function signRelease(fed: Federation, keys: readonly Uint8Array[], unsigned: UnsignedSpend, signers: readonly number[]): Map<number, Uint8Array[]> {
  const tx = decodeTransaction(unsigned.unsignedTx).tx;
  if (unsigned.spec.kind !== 'release') throw new Error('not a release');
  const spent = unsigned.spec.inputs.map((u) => u.output);
  return new Map(signers.map((k) => [k, tx.inputs.map((_, i) => federationSignature(fed, tx, i, spent, keys[k]!, { auxRand: new Uint8Array(32) }))]));
}

before(async () => {
  main = await DevnetProcess.start(['--role', 'main', '--coinbase-maturity', '1']);
  side = await DevnetProcess.start(['--role', 'side', '--coinbase-maturity', '1', '--federation', fedFile, '--main-rpc', main.line.rpc, '--main-rpc-cookie', main.line.cookie!]);
  adapter = open(config(main, 'devnet-main'));
  sideAdapter = open(config(side, 'devnet-side'));
  await mine(main, 4, user.script);
  await mine(main, 1);
});
after(async () => {
  await Promise.all(opened.map((a) => a.close()));
  await side?.stop();
  await main?.stop();
});

describe('bitcoind adapter on devnet nodes', () => {
  test('info comes from the profile', () => {
    assert.equal(adapter.info.chainId, 'devnet-main');
    assert.equal(adapter.info.addressHrp, 'udm');
    assert.equal(adapter.info.capabilities.blockStream, false);
    assert.equal(sideAdapter.info.capabilities.pegInMints, true);
  });

  test('headers: tip, hash by height, header by hash, ranges', async () => {
    const tip = await adapter.getTip();
    assert.equal(tip.height, await main.call<number>('getblockcount'));
    assert.equal(hashToDisplay(tip.hashLE), await main.call<string>('getbestblockhash'));
    assert.deepEqual(await adapter.getBlockHash(tip.height), tip.hashLE);
    assert.equal(await adapter.getBlockHash(tip.height + 1), undefined);
    const header = await adapter.getHeader(tip.hashLE);
    assert.equal(bytesToHex(header!), await main.call<string>('getblockheader', [hashToDisplay(tip.hashLE), false]));
    assert.equal(await adapter.getHeader(new Uint8Array(32).fill(7)), undefined);
    const all = await adapter.getHeaders(0, 1000);
    assert.equal(all.length, tip.height + 1);
    assert.deepEqual(all[0], DEVNET_MAIN.genesisHeader);
    assert.deepEqual((await adapter.getHeaders(2, 2)).map(bytesToHex), all.slice(2, 4).map(bytesToHex));
    assert.deepEqual(await adapter.getHeaders(tip.height + 5, 3), []);
    await assert.rejects(adapter.getHeaders(-1, 1), RangeError);
  });

  let taprootLock: Utxo;
  let p2wshLocks: Utxo[];
  let lockBlock: Uint8Array;

  test('locks with UBR1 memos: broadcast, scanBlock, inclusion proof, listUnspent', async () => {
    const coins = (await adapter.listUnspent(user.script)).filter((c) => c.confirmations >= 2);
    assert.ok(coins.length >= 3, `the user has ${coins.length} mature coins`);
    const lockA = lockTransaction(user, coins[0]!, taproot.federation, 10n * 100_000_000n, sideDestination);
    const lockB = lockTransaction(user, coins[1]!, p2wsh.federation, 3n * 100_000_000n, sideDestination);
    const lockC = lockTransaction(user, coins[2]!, p2wsh.federation, 2n * 100_000_000n, sideDestination);
    // a malformed memo (unknown kind 0x09): reported so that the relayer can record a rejection
    const malformedMemo = opReturn(new Uint8Array([0x55, 0x42, 0x52, 0x31, 0x09]));
    const coinsLeft = (await adapter.listUnspent(user.script)).filter((c) => c.confirmations >= 2).slice(3);
    const badMemo = user.spend([coinsLeft[0]!], [{ value: coinsLeft[0]!.output.value - 2_000n, scriptPubKey: user.script }, { value: 0n, scriptPubKey: malformedMemo }]);
    const plain = user.spend([coinsLeft[1] ?? coins[3]!], [{ value: 1_000_000n, scriptPubKey: miner.script }]);
    for (const t of [lockA, lockB, lockC, badMemo]) assert.deepEqual(await adapter.broadcast(t.bytes), { txidLE: t.txidLE, alreadyKnown: false });
    if (coinsLeft[1] !== undefined) await adapter.broadcast(plain.bytes);
    const [blockHash] = await mine(main);
    lockBlock = (await adapter.getTip()).hashLE;
    assert.equal(hashToDisplay(lockBlock), blockHash);

    const scanned = await adapter.scanBlock(lockBlock, { scripts: [lockScriptPubKey(taproot.federation), lockScriptPubKey(p2wsh.federation)] });
    assert.deepEqual(scanned.block.hashLE, lockBlock);
    const found = new Set(scanned.transactions.map((t) => hashToDisplay(t.txidLE)));
    for (const t of [lockA, lockB, lockC, badMemo]) assert.ok(found.has(hashToDisplay(t.txidLE)), `scan reports ${hashToDisplay(t.txidLE)}`);
    assert.ok(!found.has(hashToDisplay(plain.txidLE)), 'a plain payment is not reported');
    assert.equal(scanned.transactions.length, 4);
    for (const t of scanned.transactions) assert.deepEqual(decodeTransaction(t.rawTx).txidLE, t.txidLE);
    await assert.rejects(adapter.scanBlock(new Uint8Array(32).fill(1), { scripts: [] }), (e: unknown) => e instanceof LedgerError && e.code === 'NODE_REFUSED');

    const chain = HeaderChain.fromGenesis(DEVNET_MAIN);
    const tip = await adapter.getTip();
    for (const h of await adapter.getHeaders(1, tip.height)) chain.add(h);
    const proof = await adapter.getInclusionProof(lockA.txidLE, lockBlock);
    const verified = verifyInclusion(proof, chain, { minConfirmations: 1 });
    assert.deepEqual(verified.txidLE, lockA.txidLE);
    assert.equal(verified.height, tip.height);
    // the coinbase itself
    const coinbaseTxid = decodeTransaction(proof.coinbaseTx).txidLE;
    assert.equal(verifyInclusion(await adapter.getInclusionProof(coinbaseTxid, lockBlock), chain, { minConfirmations: 1 }).isCoinbase, true);

    const locked = await adapter.listUnspent(lockScriptPubKey(taproot.federation));
    assert.equal(locked.length, 1);
    assert.deepEqual(locked[0]!.txidLE, lockA.txidLE);
    assert.equal(locked[0]!.vout, 0);
    assert.equal(locked[0]!.confirmations, 1);
    assert.equal(locked[0]!.output.value, 10n * 100_000_000n);
    taprootLock = locked[0]!;
    p2wshLocks = await adapter.listUnspent(lockScriptPubKey(p2wsh.federation));
    assert.equal(p2wshLocks.length, 2);
  });

  test('estimateFeeRate is clamped to the configured floor and cap', async () => {
    const rate = await adapter.estimateFeeRate(6);
    assert.ok(rate >= FEE.floor && rate <= FEE.cap);
    const capped = open({ ...config(main, 'devnet-main'), feeRate: { floor: 0, cap: 0.5 } });
    assert.equal(await capped.estimateFeeRate(2), 0.5);
    const floored = open({ ...config(main, 'devnet-main'), feeRate: { floor: 50, cap: 60 } });
    assert.equal(await floored.estimateFeeRate(2), 50);
  });

  test('releases: p2wsh with two inputs mempool -> confirmed; taproot replaced by RBF -> conflicted', async () => {
    const payout: TxOutput = { value: 100_000_000n, scriptPubKey: user.script };
    const burnsHashLE = new Uint8Array(32).fill(0xab);
    const w = adapter.buildSpend({ kind: 'release', federation: p2wsh.federation, inputs: [...p2wshLocks].reverse(), payouts: [payout], burnsHashLE, feeRate: 2 });
    assert.deepEqual(w.unsignedTx, adapter.buildSpend({ kind: 'release', federation: p2wsh.federation, inputs: p2wshLocks, payouts: [payout], burnsHashLE, feeRate: 2 }).unsignedTx, 'input order does not matter');
    assert.equal(w.sighashes.length, 2);
    const tx = decodeTransaction(w.unsignedTx).tx;
    assert.equal(tx.outputs.length, 3, 'payout, change, memo');
    assert.deepEqual(tx.outputs[1]!.scriptPubKey, lockScriptPubKey(p2wsh.federation));
    assert.ok(tx.inputs.every((i) => i.sequence === 0xfffffffd));
    const rawW = adapter.finalizeSpend(w, signRelease(p2wsh.federation, p2wsh.privateKeys, w, [0, 2]));
    const accepted = await main.call<{ allowed: boolean; vsize: number; 'reject-reason'?: string }[]>('testmempoolaccept', [[bytesToHex(rawW)]]);
    assert.equal(accepted[0]!.allowed, true, accepted[0]!['reject-reason']);
    assert.ok(Number(w.fee) >= 2 * accepted[0]!.vsize, `fee ${w.fee} covers 2/vB of ${accepted[0]!.vsize} vB`);
    assert.deepEqual(await adapter.broadcast(rawW), { txidLE: w.txidLE, alreadyKnown: false });
    assert.deepEqual(await adapter.broadcast(rawW), { txidLE: w.txidLE, alreadyKnown: true });
    assert.deepEqual(await adapter.getTransactionStatus(w.txidLE), { state: 'mempool' });

    const t1 = adapter.buildSpend({ kind: 'release', federation: taproot.federation, inputs: [taprootLock], payouts: [payout], burnsHashLE, feeRate: 2 });
    const raw1 = adapter.finalizeSpend(t1, signRelease(taproot.federation, taproot.privateKeys, t1, [1, 2]));
    assert.equal((await main.call<{ allowed: boolean }[]>('testmempoolaccept', [[bytesToHex(raw1)]]))[0]!.allowed, true);
    assert.equal((await adapter.broadcast(raw1)).alreadyKnown, false);
    assert.deepEqual(await adapter.getTransactionStatus(t1.txidLE, raw1), { state: 'mempool' });
    const t2 = adapter.buildSpend({ kind: 'release', federation: taproot.federation, inputs: [taprootLock], payouts: [payout], burnsHashLE, feeRate: 10 });
    assert.ok(t2.fee > t1.fee);
    const raw2 = adapter.finalizeSpend(t2, signRelease(taproot.federation, taproot.privateKeys, t2, [0, 1]));
    assert.equal((await adapter.broadcast(raw2)).alreadyKnown, false);
    const [hash] = await mine(main);
    const tip = await adapter.getTip();
    for (const [t, raw] of [
      [w, rawW],
      [t2, raw2],
    ] as const) {
      assert.deepEqual(await adapter.getTransactionStatus(t.txidLE, raw), { state: 'confirmed', block: { height: tip.height, hashLE: tip.hashLE }, confirmations: 1 });
    }
    assert.equal(hashToDisplay(tip.hashLE), hash);
    assert.deepEqual(await adapter.getTransactionStatus(t1.txidLE, raw1), { state: 'conflicted' });
    assert.deepEqual(await adapter.getTransactionStatus(t1.txidLE), { state: 'unknown' });
    assert.deepEqual((await adapter.broadcast(raw2)).alreadyKnown, true, 'a mined transaction is already known');
    await assert.rejects(adapter.broadcast(raw1), (e: unknown) => e instanceof LedgerError && e.code === 'NODE_REFUSED');
  });

  test('a mint built by the adapter is accepted by the side node', async () => {
    const proof = await adapter.getInclusionProof(taprootLock.txidLE, lockBlock);
    assert.equal(proof.kind, 'merkleblock');
    if (proof.kind !== 'merkleblock') return;
    const unsigned = sideAdapter.buildSpend({
      kind: 'mint',
      federation: taproot.federation,
      lockTxidLE: taprootLock.txidLE,
      lockVout: taprootLock.vout,
      destinationScript: sideDestination,
      amount: taprootLock.output.value - 10_000n,
      proof,
    });
    assert.equal(unsigned.sighashes.length, 1);
    const sigs = new Map([0, 2].map((k) => [k, [signSchnorr(unsigned.sighashes[0]!, taproot.privateKeys[k]!, new Uint8Array(32))]]));
    const raw = sideAdapter.finalizeSpend(unsigned, sigs);
    await eventually(
      async () => {
        const [r] = await side.call<{ allowed: boolean; 'reject-reason'?: string }[]>('testmempoolaccept', [[bytesToHex(raw)]]);
        assert.equal(r!.allowed, true, r!['reject-reason']);
      },
      { what: 'the side node accepts the mint', timeoutMs: 15_000, intervalMs: 200 },
    );
    assert.deepEqual(await sideAdapter.broadcast(raw), { txidLE: unsigned.txidLE, alreadyKnown: false });
    assert.deepEqual(await sideAdapter.getTransactionStatus(unsigned.txidLE, raw), { state: 'mempool' });
    await mine(side, 1, sideDestination);
    const status = await sideAdapter.getTransactionStatus(unsigned.txidLE, raw);
    assert.equal(status.state, 'confirmed');
    const minted = await sideAdapter.listUnspent(sideDestination);
    assert.ok(minted.some((u) => equalBytes(u.txidLE, unsigned.txidLE) && u.output.value === taprootLock.output.value - 10_000n));
  });

  for (const mode of ['polling', 'websocket'] as const) {
    test(`subscribeBlocks (${mode}): backfill, new blocks, a reorg from generateblockon`, async () => {
      const a = open(mode === 'polling' ? config(main, 'devnet-main') : config(main, 'devnet-main', { websocketUrl: main.line.ws, pollIntervalMs: 600_000 }));
      assert.equal(a.info.capabilities.blockStream, mode === 'websocket');
      const start = await a.getTip();
      const events: BlockEvent[] = [];
      const sub = a.subscribeBlocks(start.height - 1, (e) => {
        events.push(e);
      });
      try {
        const delivered = (): string[] => {
          // the best chain as the listener sees it
          const chain = new Map<number, string>();
          for (const e of events) {
            if (e.type === 'block') chain.set(e.block.height, hashToDisplay(e.block.hashLE));
            else for (const r of e.removed) chain.delete(r.height);
          }
          return [...chain.entries()].sort((x, y) => x[0] - y[0]).map(([, h]) => h);
        };
        await eventually(() => assert.equal(delivered().length, 2), { what: 'the backfill' });
        const mined = await mine(main, 2);
        await eventually(() => assert.deepEqual(delivered().slice(-2), mined), { what: 'two new blocks' });
        // reorg: two blocks on the parent of the tip replace the tip
        const parent = await main.call<string>('getblockhash', [start.height + 1]);
        const branch = await main.call<string[]>('generateblockon', [parent, 2, miner.address]);
        await eventually(() => assert.deepEqual(delivered().slice(-3), [parent, ...branch]), { what: 'the new branch' });
        const reorg = events.find((e) => e.type === 'reorg');
        assert.ok(reorg !== undefined && reorg.type === 'reorg', 'no reorg event yet');
        assert.equal(hashToDisplay(reorg.fork.hashLE), parent);
        assert.deepEqual(reorg.removed.map((r) => hashToDisplay(r.hashLE)), [mined[1]]);
        const reorgAt = events.indexOf(reorg);
        assert.ok(events.slice(reorgAt + 1).every((e) => e.type === 'block'), 'the new blocks come after the reorg');
      } finally {
        await sub.close();
      }
    });
  }

  test('failover: a stopped endpoint is skipped', async () => {
    const dead = await DevnetProcess.start(['--role', 'main', '--rpc-user', 'u', '--rpc-password', 'p'], { credentials: 'u:p' });
    const deadUrl = dead.line.rpc;
    await dead.stop();
    const a = createBitcoindAdapter({ ...config(main, 'devnet-main'), endpoints: [{ url: deadUrl, user: 'u', password: 'p', timeoutMs: 2_000 }, { url: main.line.rpc, cookieFile: main.line.cookie! }] });
    opened.push(a);
    const tip = await a.getTip();
    assert.equal(hashToDisplay(tip.hashLE), await main.call<string>('getbestblockhash'));
    const health = a.pool.health();
    assert.equal(health[0]!.failures, 1);
    assert.ok(health[1]!.successes >= 1);
    // the healthy endpoint is now tried first
    await a.getBlockHash(0);
    assert.equal(a.pool.health()[0]!.failures, 1);
  });

  test('cross-check: agreeing endpoints give the tip; two different chains are NODE_FAULTY', async () => {
    const same = createBitcoindAdapter({ ...config(main, 'devnet-main'), crossCheck: true, endpoints: [{ url: main.line.rpc, cookieFile: main.line.cookie! }, { url: main.line.rpc, cookieFile: main.line.cookie! }] });
    opened.push(same);
    assert.equal(hashToDisplay((await same.getTip()).hashLE), await main.call<string>('getbestblockhash'));
    const other = await DevnetProcess.start(['--role', 'main']);
    try {
      await other.call('generatetodescriptor', [3, `raw(${bytesToHex(user.script)})`]);
      const a = createBitcoindAdapter({
        ...config(main, 'devnet-main'),
        crossCheck: true,
        endpoints: [
          { url: main.line.rpc, cookieFile: main.line.cookie! },
          { url: other.line.rpc, cookieFile: other.line.cookie! },
        ],
      });
      opened.push(a);
      await assert.rejects(a.getTip(), (e: unknown) => {
        assert.ok(e instanceof LedgerError);
        assert.equal(e.code, 'NODE_FAULTY');
        assert.ok(e.message.includes(main.line.rpc) && e.message.includes(other.line.rpc), e.message);
        return true;
      });
    } finally {
      await other.stop();
    }
  });
});
