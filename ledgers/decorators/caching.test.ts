import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withCaching } from './caching.js';
import { KNOWN_BLOCKS, KNOWN_HASH, KNOWN_HEADER, KNOWN_TXID, scriptedAdapter } from './scripted-adapter.test-double.js';

const other = new Uint8Array(32).fill(9);
const scriptA = Uint8Array.of(0, 20, 1);
const scriptB = Uint8Array.of(0, 20, 2);

describe('withCaching', () => {
  test('getHeader: a known header is cached, an unknown one is asked again', async () => {
    const inner = scriptedAdapter();
    const cached = withCaching(inner);
    assert.deepEqual(await cached.getHeader(KNOWN_HASH), KNOWN_HEADER);
    const again = await cached.getHeader(KNOWN_HASH);
    assert.deepEqual(again, KNOWN_HEADER);
    assert.equal(inner.reached.getHeader, 1);
    again!.fill(0);
    assert.deepEqual(await cached.getHeader(KNOWN_HASH), KNOWN_HEADER, 'mutating an answer does not corrupt the cache');
    assert.equal(await cached.getHeader(other), undefined);
    assert.equal(await cached.getHeader(other), undefined);
    assert.equal(inner.reached.getHeader, 3, 'undefined (unknown block) is not cached');
  });

  test('scanBlock is cached by block and watched scripts in any order; proofs by (txid, block)', async () => {
    const inner = scriptedAdapter();
    const cached = withCaching(inner);
    const first = await cached.scanBlock(KNOWN_HASH, { scripts: [scriptA, scriptB] });
    assert.deepEqual(await cached.scanBlock(KNOWN_HASH, { scripts: [scriptB, scriptA] }), first);
    assert.equal(inner.reached.scanBlock, 1);
    await cached.scanBlock(KNOWN_HASH, { scripts: [scriptA] });
    await cached.scanBlock(KNOWN_BLOCKS[1]!, { scripts: [scriptA, scriptB] });
    assert.equal(inner.reached.scanBlock, 3, 'another watch or another block is another entry');

    const proof = await cached.getInclusionProof(KNOWN_TXID, KNOWN_HASH);
    assert.deepEqual(await cached.getInclusionProof(KNOWN_TXID, KNOWN_HASH), proof);
    await cached.getInclusionProof(KNOWN_TXID, KNOWN_BLOCKS[1]!); // answered with block 0's proof: not kept
    assert.equal(inner.reached.getInclusionProof, 2);
    assert.deepEqual(cached.cacheStats(), { hits: 2, misses: 5, size: 4, maxEntries: 2000 });
  });

  test('an answer that does not hold up against its key is passed on but not kept: a node\'s lie is not served after the node is fixed', async () => {
    const inner = scriptedAdapter();
    const cached = withCaching(inner);
    // the double answers KNOWN_HASH's proof and header for anything else: each is asked again
    for (let i = 0; i < 2; i++) {
      await cached.getInclusionProof(other, KNOWN_HASH); // the proof is of another transaction
      await cached.getInclusionProof(KNOWN_TXID, other); // ...in another block
      await cached.scanBlock(other, { scripts: [] }); // a scan whose header is another block's
    }
    assert.equal(inner.reached.getInclusionProof, 4);
    assert.equal(inner.reached.scanBlock, 2);
    assert.equal(cached.cacheStats().size, 0);
    // a proof whose Merkle part does not hold under its header
    const forged = withCaching({ ...inner, getInclusionProof: async () => ({ ...(await inner.getInclusionProof(KNOWN_TXID, KNOWN_HASH)), merkleBlock: Uint8Array.of(...KNOWN_HEADER, 2, 0, 0, 0, 0) }) });
    await forged.getInclusionProof(KNOWN_TXID, KNOWN_HASH);
    assert.equal(forged.cacheStats().size, 0);
  });

  test('failures are not cached', async () => {
    const inner = scriptedAdapter();
    const cached = withCaching(inner);
    inner.failWith.scanBlock = 'NODE_UNREACHABLE';
    await assert.rejects(cached.scanBlock(KNOWN_HASH, { scripts: [] }), { code: 'NODE_UNREACHABLE' });
    delete inner.failWith.scanBlock;
    await cached.scanBlock(KNOWN_HASH, { scripts: [] });
    assert.equal(inner.reached.scanBlock, 2);
  });

  test('never caches the tip, hashes by height, header ranges, UTXOs, fee rates, status, mempool spends, broadcasts', async () => {
    const inner = scriptedAdapter();
    const cached = withCaching(inner);
    for (let i = 0; i < 2; i++) {
      await cached.getTip();
      await cached.getBlockHash(1);
      await cached.getHeaders(1, 1);
      await cached.listUnspent(scriptA);
      await cached.estimateFeeRate(2);
      await cached.getTransactionStatus(other);
      assert.deepEqual(await cached.getMempoolSpends([{ txidLE: other, vout: 0 }]), [undefined]);
      await cached.broadcast(Uint8Array.of(1));
    }
    for (const m of ['getTip', 'getBlockHash', 'getHeaders', 'listUnspent', 'estimateFeeRate', 'getTransactionStatus', 'getMempoolSpends', 'broadcast'] as const) {
      assert.equal(inner.reached[m], 2, m);
    }
    assert.equal(cached.cacheStats().size, 0);
  });

  test('the LRU keeps maxEntries, dropping the least recently used', async () => {
    const inner = scriptedAdapter();
    const cached = withCaching(inner, { maxEntries: 2 });
    const block = (n: number): Uint8Array => KNOWN_BLOCKS[n]!;
    await cached.scanBlock(block(1), { scripts: [] });
    await cached.scanBlock(block(2), { scripts: [] });
    await cached.scanBlock(block(1), { scripts: [] }); // 1 is now the most recent
    await cached.scanBlock(block(3), { scripts: [] }); // evicts 2
    assert.equal(inner.reached.scanBlock, 3);
    await cached.scanBlock(block(1), { scripts: [] });
    assert.equal(inner.reached.scanBlock, 3, 'block 1 stayed');
    await cached.scanBlock(block(2), { scripts: [] });
    assert.equal(inner.reached.scanBlock, 4, 'block 2 was evicted');
    assert.equal(cached.cacheStats().size, 2);
    cached.clearCache();
    assert.equal(cached.cacheStats().size, 0);
  });

  test('maxEntries must be a positive integer', () => {
    assert.throws(() => withCaching(scriptedAdapter(), { maxEntries: 0 }), /options\.maxEntries must be a positive integer, got 0/);
  });
});
