/**
 * The conformance suite of the ledger adapter contract, for adapter authors (`utxo-relay/conformance`):
 *
 *     import { runConformance } from 'utxo-relay/conformance';
 *     runConformance({ name: 'my-chain', createAdapter: async () => createAdapter(options), chain: myDriver });
 *
 * in a file run by `node --test`. See docs/adapters.md.
 */
export { runConformance, type ConformanceOptions } from './suite.js';
export type { TestChainDriver } from './driver.js';
