import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { LEDGER_ADAPTER_METHODS } from '../adapter-members.js';
import { UNCLASSIFIED_FAILURE, withCounting } from './counting.js';
import { withCaching } from './caching.js';
import { KNOWN_HASH, scriptedAdapter } from './scripted-adapter.test-double.js';
import { DevnetChainDriver } from '../conformance/devnet-driver.js';
import { devnetBitcoindAdapter } from '../conformance/devnet-conformance-lib.js';

describe('withCounting', () => {
  test('counts calls, failures by code and latency per method, and keeps the answers', async () => {
    const inner = scriptedAdapter();
    const counted = withCounting(inner);
    assert.equal(counted.contractVersion, inner.contractVersion);
    assert.equal(counted.info, inner.info);
    assert.deepEqual(await counted.getTip(), { height: 10, hashLE: KNOWN_HASH });
    assert.equal(await counted.getBlockHash(11), undefined);
    assert.deepEqual(await counted.getMempoolSpends([{ txidLE: KNOWN_HASH, vout: 1 }]), [undefined]);
    inner.failWith.getHeader = 'NODE_UNREACHABLE';
    await assert.rejects(counted.getHeader(KNOWN_HASH), { name: 'LedgerError', code: 'NODE_UNREACHABLE' });
    await assert.rejects(counted.getHeader(KNOWN_HASH), { code: 'NODE_UNREACHABLE' });
    inner.failWith.getHeader = 'NODE_REFUSED';
    await assert.rejects(counted.getHeader(KNOWN_HASH), { code: 'NODE_REFUSED' });
    inner.failWith.finalizeSpend = 'BUG';
    assert.throws(() => counted.finalizeSpend({ spec: {} as never, unsignedTx: new Uint8Array(0), txidLE: new Uint8Array(32), sighashes: [], fee: 0n }, new Map()), TypeError);
    const sub = counted.subscribeBlocks(0, () => undefined);
    await sub.close();

    const stats = counted.callStats();
    assert.deepEqual(Object.keys(stats), [...LEDGER_ADAPTER_METHODS]);
    assert.equal(stats.getTip.calls, 1);
    assert.equal(stats.getTip.failures, 0);
    assert.equal(stats.getBlockHash.calls, 1);
    assert.equal(stats.getMempoolSpends.calls, 1);
    assert.equal(stats.getHeader.calls, 3);
    assert.equal(stats.getHeader.failures, 3);
    assert.deepEqual(stats.getHeader.failuresByCode, { NODE_UNREACHABLE: 2, NODE_REFUSED: 1 });
    assert.deepEqual(stats.finalizeSpend.failuresByCode, { [UNCLASSIFIED_FAILURE]: 1 });
    assert.equal(stats.subscribeBlocks.calls, 1);
    assert.equal(stats.scanBlock.calls, 0);
    for (const m of LEDGER_ADAPTER_METHODS) {
      assert.ok(stats[m].totalLatencyMs >= 0 && stats[m].maxLatencyMs <= stats[m].totalLatencyMs + 1e-9, m);
    }
    // a snapshot: later calls do not change it; a reset empties the counters
    await counted.getTip();
    assert.equal(stats.getTip.calls, 1);
    assert.equal(counted.callStats().getTip.calls, 2);
    counted.resetCallStats();
    assert.equal(counted.callStats().getTip.calls, 0);
    assert.equal(inner.reached.getTip, 2, 'every call reached the wrapped adapter');
  });
});

describe('decorators over the bitcoind adapter on a devnet node', () => {
  let driver: DevnetChainDriver | undefined;
  after(() => driver?.close());

  test('caching and counting: cached headers skip the node; a node away counts NODE_UNREACHABLE', async () => {
    driver = await DevnetChainDriver.startMain();
    const counted = withCounting(devnetBitcoindAdapter(driver));
    const adapter = withCaching(counted, { maxEntries: 10 });
    try {
      const tip = await adapter.getTip();
      const header = await adapter.getHeader(tip.hashLE);
      assert.equal(header?.length, 80);
      assert.deepEqual(await adapter.getHeader(tip.hashLE), header);
      const scan = await adapter.scanBlock(tip.hashLE, { scripts: [driver.wallet.script] });
      assert.deepEqual(await adapter.scanBlock(tip.hashLE, { scripts: [driver.wallet.script] }), scan);
      assert.equal(counted.callStats().getHeader.calls, 1, 'the second header came from the cache');
      assert.equal(counted.callStats().scanBlock.calls, 1, 'the second scan came from the cache');
      assert.deepEqual(adapter.cacheStats(), { hits: 2, misses: 2, size: 2, maxEntries: 10 });

      await driver.stopNode();
      await assert.rejects(adapter.getTip(), { code: 'NODE_UNREACHABLE' });
      assert.deepEqual(await adapter.getHeader(tip.hashLE), header, 'a cached header is served with the node away');
      await driver.startNode();
      assert.equal((await adapter.getTip()).height, tip.height);
      const stats = counted.callStats();
      assert.equal(stats.getTip.calls, 3);
      assert.deepEqual(stats.getTip.failuresByCode, { NODE_UNREACHABLE: 1 });
      assert.ok(stats.getTip.maxLatencyMs > 0);
    } finally {
      await adapter.close();
    }
    assert.equal(counted.callStats().close.calls, 1);
  });
});
