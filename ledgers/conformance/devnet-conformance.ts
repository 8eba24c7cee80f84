/**
 * The conformance suite against the built-in `bitcoind` adapter on devnet main and side node
 * processes. Importing this module starts the nodes (top-level await) and registers the suites;
 * `run.ts` runs it on its own, test/e2e/conformance.test.ts as part of `npm test`.
 */
import { after } from 'node:test';
import { FEE_RATE_BOUNDS, devnetBitcoindAdapter } from './devnet-conformance-lib.js';
import { DevnetChainDriver } from './devnet-driver.js';
import { runConformance } from './suite.js';

const main = await DevnetChainDriver.startMain();
const side = await DevnetChainDriver.startSide(main);
after(async () => {
  await side.close();
  await main.close();
});

runConformance({ name: 'bitcoind on devnet-main', createAdapter: () => Promise.resolve(devnetBitcoindAdapter(main)), chain: main, feeRateBounds: FEE_RATE_BOUNDS });
runConformance({ name: 'bitcoind on devnet-side', createAdapter: () => Promise.resolve(devnetBitcoindAdapter(side)), chain: side, feeRateBounds: FEE_RATE_BOUNDS });
