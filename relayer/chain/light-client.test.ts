/**
 * The light client fed with REAL headers by a header-serving test double (only the four header
 * members; everything else throws): mainnet headers 80641..100000 from an anchor at the retarget
 * boundary 80640, testnet3 with its low-work fork, lying nodes (a changed nonce, a gap, a chain
 * without the anchor), and the chain saved to and restored from a real redis-server.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import type { AdapterInfo, BlockRef, LedgerAdapter } from '../../ledgers/adapter.js';
import { ADAPTER_CONTRACT_VERSION } from '../../ledgers/adapter.js';
import { equalBytes, hashToDisplay, hexToBytes } from '../../proofs/bytes.js';
import { headerHash } from '../../proofs/bitcoin/header.js';
import { MAINNET, TESTNET3, type NetworkParams } from '../../proofs/bitcoin/params.js';
import { ProofError } from '../../proofs/errors.js';
import { needsFixture, readFixtureText } from '../../test/fixtures.js';
import { uniquePrefix, withRedis } from '../../test/redis.js';
import { RelayerError } from '../errors.js';
import { LightClient } from './light-client.js';

const MAINNET_RUN = 'bitcoin/btcrelay_mainnet_headers_bh80_100k.txt';
const TESTNET3_RUN = 'bitcoin/blockheader_testnet3.hex';
/** Height of the first header of the mainnet run. */
const RUN_BASE = 80_001;
const ANCHOR_HEIGHT = 80_640; // 40 x 2016: a retarget boundary

/**
 * A node that serves headers of one best chain: `chain[i]` is at height `base + i`. Tests change
 * `chain` to make the node grow, reorg or lie. At most `maxBatch` headers per getHeaders answer.
 */
class HeaderNode implements LedgerAdapter {
  readonly contractVersion = ADAPTER_CONTRACT_VERSION;
  readonly info: AdapterInfo;
  readonly getHeadersCalls: [number, number][] = [];

  constructor(
    params: NetworkParams,
    public chain: Uint8Array[],
    public base: number,
    private readonly maxBatch = 2_000,
  ) {
    this.info = {
      chainId: `test-${params.name}`,
      family: 'bitcoin',
      params,
      addressHrp: 'tb',
      capabilities: { segwit: true, taproot: true, rbf: true, blockStream: false, pegInMints: false },
    };
  }

  async getTip(): Promise<BlockRef> {
    const height = this.base + this.chain.length - 1;
    return { height, hashLE: headerHash(this.chain.at(-1)!) };
  }
  async getBlockHash(height: number): Promise<Uint8Array | undefined> {
    const h = this.chain[height - this.base];
    return h === undefined ? undefined : headerHash(h);
  }
  async getHeader(hashLE: Uint8Array): Promise<Uint8Array | undefined> {
    return this.chain.find((h) => equalBytes(headerHash(h), hashLE))?.slice();
  }
  async getHeaders(fromHeight: number, count: number): Promise<Uint8Array[]> {
    this.getHeadersCalls.push([fromHeight, count]);
    const i = fromHeight - this.base;
    if (i < 0) throw new Error(`test node: no headers below ${this.base}`);
    return this.chain.slice(i, i + Math.min(count, this.maxBatch)).map((h) => h.slice());
  }

  subscribeBlocks(): never {
    throw new Error('test node: subscribeBlocks is not served');
  }
  scanBlock(): never {
    throw new Error('test node: scanBlock is not served');
  }
  getInclusionProof(): never {
    throw new Error('test node: getInclusionProof is not served');
  }
  listUnspent(): never {
    throw new Error('test node: listUnspent is not served');
  }
  estimateFeeRate(): never {
    throw new Error('test node: estimateFeeRate is not served');
  }
  buildSpend(): never {
    throw new Error('test node: buildSpend is not served');
  }
  finalizeSpend(): never {
    throw new Error('test node: finalizeSpend is not served');
  }
  broadcast(): never {
    throw new Error('test node: broadcast is not served');
  }
  getTransactionStatus(): never {
    throw new Error('test node: getTransactionStatus is not served');
  }
  getPegInClaim(): never {
    throw new Error('test node: getPegInClaim is not served');
  }
  getUtxoSetTotal(): never {
    throw new Error('test node: getUtxoSetTotal is not served');
  }
  getMempoolSpends(): never {
    throw new Error('test node: getMempoolSpends is not served');
  }
  async close(): Promise<void> {}
}

let mainnetCache: Uint8Array[] | undefined;
/** Mainnet headers 80001..100000 (index i is height 80001 + i). */
function mainnetRun(): Uint8Array[] {
  mainnetCache ??= readFixtureText(MAINNET_RUN).trim().split('\n').map((l) => hexToBytes(l.trim()));
  return mainnetCache;
}
const at = (height: number): Uint8Array => mainnetRun()[height - RUN_BASE]!;
/** A node serving mainnet from 80001 up to `tip`. */
const mainnetNode = (tip: number, maxBatch?: number): HeaderNode => new HeaderNode(MAINNET, mainnetRun().slice(0, tip - RUN_BASE + 1), RUN_BASE, maxBatch);
/** Read when a test runs, not at load: without the fixture the file's tests are skipped, not crashed. */
const mainnetAnchor = (): { height: number; header: Uint8Array } => ({ height: ANCHOR_HEIGHT, header: at(ANCHOR_HEIGHT) });

/** The testnet3 fixture: the main run (heights 1..546) and the 2-header fork off genesis. */
function testnet3(): { main: Uint8Array[]; fork: Uint8Array[] } {
  const lines = readFixtureText(TESTNET3_RUN).trim().split('\n').map((l) => l.trim());
  return {
    main: lines.filter((l) => !l.startsWith('fork:')).map((l) => hexToBytes(l)),
    fork: lines.filter((l) => l.startsWith('fork:')).map((l) => hexToBytes(l.slice('fork:'.length))),
  };
}

const display = (b: { hashLE: Uint8Array }): string => hashToDisplay(b.hashLE);
const refOf = (header: Uint8Array, height: number): { height: number; hash: string } => ({ height, hash: hashToDisplay(headerHash(header)) });
const refs = (blocks: readonly BlockRef[]): { height: number; hash: string }[] => blocks.map((b) => ({ height: b.height, hash: display(b) }));

/** The same header with its nonce changed: no longer enough work for its bits. */
function withOtherNonce(header: Uint8Array): Uint8Array {
  const h = header.slice();
  h[76] = h[76]! ^ 0x01;
  return h;
}

describe('mainnet from an anchor at 80640', needsFixture(MAINNET_RUN), () => {
  test('syncs to the tip in batches, then adds only the new headers when the node grows', async () => {
    const node = mainnetNode(95_000, 1_500);
    const lc = await LightClient.open(node, { anchor: mainnetAnchor() });
    assert.equal(lc.chain.tipHeight, ANCHOR_HEIGHT);
    const first = await lc.sync();
    assert.equal(first.tip.height, 95_000);
    assert.equal(display(first.tip), hashToDisplay(headerHash(at(95_000))));
    assert.equal(first.added, 95_000 - ANCHOR_HEIGHT);
    assert.deepEqual(first.reorgs, []);
    // batches: contiguous, none above the node's answer size, covering 80641..95000
    assert.ok(node.getHeadersCalls.length >= Math.ceil((95_000 - ANCHOR_HEIGHT) / 1_500));
    assert.equal(node.getHeadersCalls[0]![0], ANCHOR_HEIGHT + 1);
    assert.ok(node.getHeadersCalls.every(([, count]) => count <= 2_000));

    node.chain = mainnetRun().slice(0, 100_000 - RUN_BASE + 1);
    node.getHeadersCalls.length = 0;
    const second = await lc.sync();
    assert.equal(second.added, 5_000);
    assert.equal(second.tip.height, 100_000);
    assert.equal(display(second.tip), '000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506');
    assert.equal(node.getHeadersCalls[0]![0], 95_001, 'asks only for what it does not hold');
    assert.equal(lc.confirmations(headerHash(at(99_991))), 10);
    assert.ok(lc.holdsOnBest({ height: 90_000, hashLE: headerHash(at(90_000)) }));
    assert.equal(lc.holdsOnBest({ height: 90_001, hashLE: headerHash(at(90_000)) }), false);

    node.getHeadersCalls.length = 0;
    const third = await lc.sync();
    assert.equal(third.added, 0);
    assert.equal(third.tip.height, 100_000);
    assert.deepEqual(node.getHeadersCalls, [], 'nothing fetched when the node tip is held');
  });

  test('two syncs at once share one run', async () => {
    const node = mainnetNode(83_000);
    const lc = await LightClient.open(node, { anchor: mainnetAnchor() });
    const [a, b] = await Promise.all([lc.sync(), lc.sync()]);
    assert.equal(a, b);
    assert.equal(a.added, 83_000 - ANCHOR_HEIGHT);
  });

  describe('a lying node cannot move the chain', () => {
    test('a header with its nonce changed (too little work): ProofError, the old tip is kept', async () => {
      const node = mainnetNode(90_000);
      const lc = await LightClient.open(node, { anchor: mainnetAnchor() });
      await lc.sync();
      const size = lc.chain.size;
      const bad = withOtherNonce(at(90_001));
      node.chain = [...mainnetRun().slice(0, 90_000 - RUN_BASE + 1), bad, ...mainnetRun().slice(90_001 - RUN_BASE + 1, 91_000 - RUN_BASE + 1)];
      await assert.rejects(lc.sync(), (e: unknown) => e instanceof ProofError && e.code === 'HEADER_BAD_POW');
      assert.equal(lc.chain.tipHeight, 90_000);
      assert.equal(display(lc.chain.tip), hashToDisplay(headerHash(at(90_000))));
      assert.equal(lc.chain.size, size);
      assert.equal(lc.chain.has(headerHash(bad)), false);
      // it keeps refusing, and an honest node afterwards is followed again
      await assert.rejects(lc.sync(), ProofError);
      node.chain = mainnetRun().slice(0, 91_000 - RUN_BASE + 1);
      assert.equal((await lc.sync()).tip.height, 91_000);
    });

    test('a bad header in the middle of a batch: ProofError; nothing at or above it is held', async () => {
      const node = mainnetNode(90_000);
      const lc = await LightClient.open(node, { anchor: mainnetAnchor() });
      await lc.sync();
      const bad = withOtherNonce(at(90_500));
      node.chain = [...mainnetRun().slice(0, 90_500 - RUN_BASE), bad, ...mainnetRun().slice(90_501 - RUN_BASE, 91_000 - RUN_BASE + 1)];
      await assert.rejects(lc.sync(), (e: unknown) => e instanceof ProofError && e.code === 'HEADER_BAD_POW');
      assert.equal(lc.chain.has(headerHash(bad)), false);
      assert.equal(lc.chain.has(headerHash(at(90_501))), false);
      assert.ok(lc.chain.tipHeight < 90_500, 'the tip never passes the bad header');
      assert.ok(lc.chain.tipHeight >= 90_000, 'the tip never goes back');
    });

    test('a node that skips a header: ProofError (HEADER_BAD_PREV), the old tip is kept', async () => {
      const node = mainnetNode(90_000);
      const lc = await LightClient.open(node, { anchor: mainnetAnchor() });
      await lc.sync();
      node.chain = [...mainnetRun().slice(0, 90_000 - RUN_BASE + 1), ...mainnetRun().slice(90_002 - RUN_BASE, 91_000 - RUN_BASE + 1)];
      await assert.rejects(lc.sync(), (e: unknown) => e instanceof ProofError && e.code === 'HEADER_BAD_PREV');
      assert.equal(lc.chain.tipHeight, 90_000);
    });

    test('a node behind the anchor: LIGHT_CLIENT_BEHIND', async () => {
      const lc = await LightClient.open(mainnetNode(80_500), { anchor: mainnetAnchor() });
      await assert.rejects(lc.sync(), (e: unknown) => e instanceof RelayerError && e.code === 'LIGHT_CLIENT_BEHIND' && e.details['chainId'] === 'test-mainnet');
      assert.equal(lc.chain.tipHeight, ANCHOR_HEIGHT);
    });

    test('a node whose best chain has another block at the anchor height: LIGHT_CLIENT_BEHIND', async () => {
      // every header one height lower than it is: the anchor's height holds block 80641
      const node = new HeaderNode(MAINNET, mainnetRun().slice(1), RUN_BASE);
      const lc = await LightClient.open(node, { anchor: mainnetAnchor() });
      await assert.rejects(lc.sync(), (e: unknown) => e instanceof RelayerError && e.code === 'LIGHT_CLIENT_BEHIND');
      assert.equal(lc.chain.tipHeight, ANCHOR_HEIGHT);
      assert.equal(lc.chain.size, 1);
    });
  });
});

describe('testnet3 with its fork', needsFixture(TESTNET3_RUN), () => {
  test('the node switches to the heavier branch: sync reports the reorg with the right removed and added blocks', async () => {
    const { main, fork } = testnet3();
    assert.equal(fork.length, 2);
    const node = new HeaderNode(TESTNET3, [TESTNET3.genesisHeader, ...fork], 0);
    const lc = await LightClient.open(node);
    const onFork = await lc.sync();
    assert.equal(onFork.tip.height, 2);
    assert.equal(display(onFork.tip), hashToDisplay(headerHash(fork[1]!)));
    assert.deepEqual(onFork.reorgs, []);

    node.chain = [TESTNET3.genesisHeader, ...main];
    const switched = await lc.sync();
    assert.equal(switched.tip.height, 546);
    assert.equal(display(switched.tip), hashToDisplay(headerHash(main[545]!)));
    assert.equal(switched.added, 546);
    assert.equal(switched.reorgs.length, 1);
    const reorg = switched.reorgs[0]!;
    assert.deepEqual(refs([reorg.fork]), [refOf(TESTNET3.genesisHeader, 0)]);
    // removed from the old tip down; added from above the fork up to the block that tipped the work
    assert.deepEqual(refs(reorg.removed), [refOf(fork[1]!, 2), refOf(fork[0]!, 1)]);
    assert.deepEqual(refs(reorg.added), [refOf(main[0]!, 1), refOf(main[1]!, 2), refOf(main[2]!, 3)]);
    assert.equal(lc.isOnBestChain(headerHash(fork[1]!)), false);
    assert.equal(lc.confirmations(headerHash(fork[1]!)), 0);
    assert.equal(lc.confirmations(headerHash(main[0]!)), 546);

    // the node goes back to the lighter branch: the operator's best chain does not follow it
    node.chain = [TESTNET3.genesisHeader, ...fork];
    const back = await lc.sync();
    assert.equal(back.tip.height, 546);
    assert.deepEqual(back.reorgs, []);
    assert.equal(back.added, 0);
  });

  test('a node on a lighter branch this client never saw: its headers are kept on the side, the tip stays', async () => {
    const { main, fork } = testnet3();
    const node = new HeaderNode(TESTNET3, [TESTNET3.genesisHeader, ...main], 0);
    const lc = await LightClient.open(node);
    await lc.sync();
    node.chain = [TESTNET3.genesisHeader, ...fork];
    const r = await lc.sync();
    assert.equal(r.tip.height, 546);
    assert.equal(display(r.tip), hashToDisplay(headerHash(main[545]!)));
    assert.deepEqual(r.reorgs, []);
    assert.equal(lc.chain.has(headerHash(fork[1]!)), true);
    assert.equal(lc.isOnBestChain(headerHash(fork[1]!)), false);
  });

  test('a changed nonce in the testnet3 run is refused too', async () => {
    const { main } = testnet3();
    const node = new HeaderNode(TESTNET3, [TESTNET3.genesisHeader, ...main.slice(0, 100)], 0);
    const lc = await LightClient.open(node);
    await lc.sync();
    node.chain = [TESTNET3.genesisHeader, ...main.slice(0, 100), withOtherNonce(main[100]!), ...main.slice(101)];
    await assert.rejects(lc.sync(), ProofError);
    assert.equal(lc.chain.tipHeight, 100);
  });
});

describe('persistence in Redis', needsFixture(MAINNET_RUN), () => {
  async function redisFor(t: TestContext): Promise<Redis> {
    const server = await withRedis(t, { appendonly: false });
    const redis = new Redis(server.url, { maxRetriesPerRequest: null });
    t.after(() => redis.disconnect());
    return redis;
  }

  test('save, then open restores the same tip; a sync from there adds only the new headers', async (t) => {
    const redis = await redisFor(t);
    const key = `${uniquePrefix('lc')}:headers:main`;
    const node = mainnetNode(95_000);
    const lc = await LightClient.open(node, { anchor: mainnetAnchor(), redis, redisKey: key });
    await lc.sync();
    await lc.save(redis, key);

    node.chain = mainnetRun().slice(0, 100_000 - RUN_BASE + 1);
    const restored = await LightClient.open(node, { anchor: mainnetAnchor(), redis, redisKey: key });
    assert.equal(restored.chain.tipHeight, 95_000);
    assert.equal(display(restored.chain.tip), display(lc.chain.tip));
    assert.equal(restored.chain.tip.chainWork, lc.chain.tip.chainWork);
    assert.equal(restored.chain.size, lc.chain.size);
    assert.ok(Buffer.from(restored.chain.save()).equals(Buffer.from(lc.chain.save())), 'the same headers on every branch');
    const r = await restored.sync();
    assert.equal(r.added, 5_000);
    assert.equal(r.tip.height, 100_000);
  });

  test('a changed anchor config ignores the saved chain', async (t) => {
    const redis = await redisFor(t);
    const key = `${uniquePrefix('lc')}:headers:main`;
    const node = mainnetNode(90_000);
    const lc = await LightClient.open(node, { anchor: mainnetAnchor(), redis, redisKey: key });
    await lc.sync();
    await lc.save(redis, key);

    // another height (the next retarget boundary)
    const later = { height: 82_656, header: at(82_656) };
    const moved = await LightClient.open(node, { anchor: later, redis, redisKey: key });
    assert.equal(moved.chain.tipHeight, 82_656);
    assert.equal(display(moved.chain.anchor), hashToDisplay(headerHash(at(82_656))));
    assert.equal((await moved.sync()).tip.height, 90_000);

    // no anchor: the network's genesis
    const fromGenesis = await LightClient.open(node, { redis, redisKey: key });
    assert.equal(fromGenesis.chain.tipHeight, 0);
    assert.equal(display(fromGenesis.chain.anchor), '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');

    // the same height with another header: the saved chain hangs off a block the config no longer trusts
    const otherHeader = { height: ANCHOR_HEIGHT, header: at(82_656) };
    const replaced = await LightClient.open(node, { anchor: otherHeader, redis, redisKey: key });
    assert.equal(display(replaced.chain.anchor), hashToDisplay(headerHash(at(82_656))));
    assert.equal(replaced.chain.size, 1);

    // the same anchor again: the saved chain is used
    const same = await LightClient.open(node, { anchor: mainnetAnchor(), redis, redisKey: key });
    assert.equal(same.chain.tipHeight, 90_000);
  });

  test('nothing saved under the key: starts from the anchor', async (t) => {
    const redis = await redisFor(t);
    const lc = await LightClient.open(mainnetNode(81_000), { anchor: mainnetAnchor(), redis, redisKey: `${uniquePrefix('lc')}:none` });
    assert.equal(lc.chain.tipHeight, ANCHOR_HEIGHT);
  });
});
