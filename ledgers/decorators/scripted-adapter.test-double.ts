/**
 * A tiny scripted LedgerAdapter for the decorator tests: the WRAPPED side (the decorators are the
 * subject). It answers from fixed values, counts how often each method reached it, and fails a
 * method with a LedgerError when told to.
 */
import { ADAPTER_CONTRACT_VERSION, type LedgerAdapter, type ScannedBlock } from '../adapter.js';
import { LEDGER_ADAPTER_METHODS, type LedgerAdapterMethod } from '../adapter-members.js';
import { LedgerError, type LedgerErrorCode } from '../errors.js';
import { DEVNET_MAIN } from '../devnet/params.js';
import { equalBytes } from '../../proofs/bytes.js';

export interface ScriptedAdapter extends LedgerAdapter {
  readonly reached: Record<LedgerAdapterMethod, number>;
  /** The next calls of `method` fail with `code` until cleared. */
  failWith: Partial<Record<LedgerAdapterMethod, LedgerErrorCode | 'BUG'>>;
}

export const KNOWN_HASH = new Uint8Array(32).fill(7);
export const KNOWN_HEADER = new Uint8Array(80).fill(1);

export function scriptedAdapter(): ScriptedAdapter {
  const reached = Object.fromEntries(LEDGER_ADAPTER_METHODS.map((m) => [m, 0])) as Record<LedgerAdapterMethod, number>;
  const self: ScriptedAdapter = {
    reached,
    failWith: {},
    contractVersion: ADAPTER_CONTRACT_VERSION,
    info: { chainId: 'scripted', family: 'bitcoin', params: DEVNET_MAIN, addressHrp: 'udm', capabilities: { segwit: true, taproot: true, rbf: true, blockStream: false, pegInMints: false } },
    getTip: () => step('getTip', () => ({ height: 10, hashLE: KNOWN_HASH })),
    getBlockHash: (height) => step('getBlockHash', () => (height <= 10 ? KNOWN_HASH : undefined)),
    getHeader: (hashLE) => step('getHeader', () => (equalBytes(hashLE, KNOWN_HASH) ? KNOWN_HEADER.slice() : undefined)),
    getHeaders: () => step('getHeaders', () => [KNOWN_HEADER.slice()]),
    subscribeBlocks: () => {
      reached.subscribeBlocks++;
      return { close: () => Promise.resolve() };
    },
    scanBlock: (hashLE) =>
      step('scanBlock', (): ScannedBlock => ({ block: { height: 10, hashLE: hashLE.slice() }, header80: KNOWN_HEADER.slice(), transactions: [{ txidLE: new Uint8Array(32).fill(3), index: 1, rawTx: Uint8Array.of(1, 2, 3) }] })),
    getInclusionProof: () => step('getInclusionProof', () => ({ kind: 'merkleblock' as const, rawTx: Uint8Array.of(1), coinbaseTx: Uint8Array.of(2), merkleBlock: Uint8Array.of(3) })),
    listUnspent: () => step('listUnspent', () => []),
    estimateFeeRate: () => step('estimateFeeRate', () => 5),
    buildSpend: (spec) => {
      reached.buildSpend++;
      fail('buildSpend');
      return { spec, unsignedTx: Uint8Array.of(1), txidLE: new Uint8Array(32), sighashes: [], fee: 1n };
    },
    finalizeSpend: () => {
      reached.finalizeSpend++;
      fail('finalizeSpend');
      return Uint8Array.of(1);
    },
    broadcast: () => step('broadcast', () => ({ txidLE: new Uint8Array(32), alreadyKnown: false })),
    getTransactionStatus: () => step('getTransactionStatus', () => ({ state: 'unknown' as const })),
    getMempoolSpends: (outpoints) => step('getMempoolSpends', () => outpoints.map(() => undefined)),
    getPegInClaim: () => step('getPegInClaim', () => ({ claimed: false as const })),
    getUtxoSetTotal: () => step('getUtxoSetTotal', () => ({ block: { height: 10, hashLE: KNOWN_HASH }, total: 21n })),
    close: () => step('close', () => undefined),
  };
  function fail(method: LedgerAdapterMethod): void {
    const code = self.failWith[method];
    if (code === 'BUG') throw new TypeError(`${method}: a bug`);
    if (code !== undefined) throw new LedgerError(code, `${method}: scripted ${code}`);
  }
  function step<T>(method: LedgerAdapterMethod, answer: () => T): Promise<T> {
    reached[method]++;
    try {
      fail(method);
      return Promise.resolve(answer());
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
  return self;
}
