/**
 * The out-of-tree example adapter (examples/adapter-plugin/) loaded the way the config names it,
 * through loadAdapter, and run through the conformance suite on a devnet main node; and a plugin
 * built for another contract version, refused.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadAdapter } from '../../ledgers/load-adapter.js';
import { AdapterLoadError } from '../../ledgers/errors.js';
import { DevnetChainDriver } from '../../ledgers/conformance/devnet-driver.js';
import { runConformance } from '../../ledgers/conformance/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const main = await DevnetChainDriver.startMain();
after(() => main.close());

const options = { rpcUrl: main.endpoint.url, user: main.endpoint.user, password: main.endpoint.password, websocketUrl: main.wsUrl, chainId: 'example-devnet' };

describe('the example adapter plugin', () => {
  test('loads through loadAdapter with its own chain id', async () => {
    const adapter = await loadAdapter({ module: './examples/adapter-plugin/index.ts', options }, { baseDir: root });
    try {
      assert.equal(adapter.info.chainId, 'example-devnet');
      assert.ok((await adapter.getTip()).height >= 3);
    } finally {
      await adapter.close();
    }
  });

  test('a plugin with another contractVersion is refused with ADAPTER_CONTRACT_MISMATCH', async () => {
    await assert.rejects(loadAdapter({ module: './test/adapter-plugins/wrong-version.ts', options: {} }, { baseDir: root }), (e: unknown) => {
      assert.ok(e instanceof AdapterLoadError);
      assert.equal(e.code, 'ADAPTER_CONTRACT_MISMATCH');
      assert.match(e.message, /version 2.*expects version 1/);
      return true;
    });
  });
});

runConformance({
  name: 'examples/adapter-plugin (loaded by loadAdapter) on devnet-main',
  createAdapter: () => loadAdapter({ module: './examples/adapter-plugin/index.ts', options }, { baseDir: root }),
  chain: main,
  feeRateBounds: { floor: 1, cap: 500 },
});
