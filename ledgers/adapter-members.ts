/**
 * The members of the ledger adapter contract (`adapter.ts`) as data: the loader checks an adapter
 * against them, the decorators forward them, the conformance suite names its tests after them.
 * The type checks below fail to compile when the contract gains or loses a method.
 */
import type { LedgerAdapter } from './adapter.js';

/** The method names of the contract, in the order of `adapter.ts`. */
export const LEDGER_ADAPTER_METHODS = [
  'getTip',
  'getBlockHash',
  'getHeader',
  'getHeaders',
  'subscribeBlocks',
  'scanBlock',
  'getInclusionProof',
  'listUnspent',
  'estimateFeeRate',
  'buildSpend',
  'finalizeSpend',
  'broadcast',
  'getTransactionStatus',
  'getMempoolSpends',
  'getPegInClaim',
  'getUtxoSetTotal',
  'close',
] as const satisfies readonly (keyof LedgerAdapter)[];

export type LedgerAdapterMethod = (typeof LEDGER_ADAPTER_METHODS)[number];

type MethodKeys = { [K in keyof LedgerAdapter]: LedgerAdapter[K] extends (...args: never[]) => unknown ? K : never }[keyof LedgerAdapter];
// Compile-time exhaustiveness: every method of the contract is listed above.
const everyMethodListed: Exclude<MethodKeys, LedgerAdapterMethod> extends never ? true : false = true;
void everyMethodListed;
