import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBitcoindAdapter } from './bitcoind-adapter.js';
import type { BitcoindAdapterConfig } from './config.js';
import { CHAIN_PROFILES } from './profiles.js';

const good: BitcoindAdapterConfig = { profile: CHAIN_PROFILES['bitcoin-regtest']!, endpoints: [{ url: 'http://127.0.0.1:18443/' }], feeRate: { floor: 1, cap: 50 } };

describe('createBitcoindAdapter config', () => {
  test('a good config gives an adapter of the profile, without connecting', async () => {
    const a = createBitcoindAdapter(good);
    assert.equal(a.contractVersion, 1);
    assert.equal(a.info.chainId, 'bitcoin-regtest');
    assert.equal(a.info.addressHrp, 'bcrt');
    assert.equal(a.info.capabilities.blockStream, false);
    assert.equal(createBitcoindAdapter({ ...good, websocketUrl: 'ws://127.0.0.1:1/' }).info.capabilities.blockStream, true);
    await a.close();
  });

  const bad: [string, unknown, RegExp][] = [
    ['no endpoints', { ...good, endpoints: [] }, /config\.endpoints/],
    ['an endpoint without a URL', { ...good, endpoints: [{ url: 'nope' }] }, /config\.endpoints\[0\]\.url/],
    ['no profile', { ...good, profile: undefined }, /config\.profile/],
    ['a cap below the floor', { ...good, feeRate: { floor: 5, cap: 1 } }, /config\.feeRate/],
    ['a negative floor', { ...good, feeRate: { floor: -1, cap: 1 } }, /config\.feeRate/],
    ['an http websocket URL', { ...good, websocketUrl: 'http://x/' }, /config\.websocketUrl/],
    ['a tiny poll interval', { ...good, pollIntervalMs: 1 }, /config\.pollIntervalMs/],
    ['a number dust limit', { ...good, dustLimit: 546 }, /config\.dustLimit/],
  ];
  for (const [name, config, message] of bad) {
    test(`refused: ${name}`, () => {
      assert.throws(() => createBitcoindAdapter(config as BitcoindAdapterConfig), (e: unknown) => (e instanceof TypeError || e instanceof RangeError) && message.test(e.message));
    });
  }
});
