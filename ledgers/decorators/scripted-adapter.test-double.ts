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
import { encodeHeader, headerHash } from '../../proofs/bitcoin/header.js';
import { computeMerkleRoot } from '../../proofs/bitcoin/merkle.js';
import { buildMerkleBlock } from '../../proofs/bitcoin/merkle-block.js';
import { decodeTransaction, encodeTransaction } from '../../proofs/bitcoin/transaction.js';

export interface ScriptedAdapter extends LedgerAdapter {
  readonly reached: Record<LedgerAdapterMethod, number>;
  /** The next calls of `method` fail with `code` until cleared. */
  failWith: Partial<Record<LedgerAdapterMethod, LedgerErrorCode | 'BUG'>>;
}

function tx(prevTxidLE: Uint8Array, prevVout: number): Uint8Array {
  const input = { prevTxidLE, prevVout, scriptSig: Uint8Array.of(1, 1), sequence: 0xffffffff, witness: [] };
  return encodeTransaction({ version: 1, inputs: [input], outputs: [{ value: 5_000n, scriptPubKey: Uint8Array.of(0x51) }], locktime: 0 }, { witness: false });
}
const COINBASE = tx(new Uint8Array(32), 0xffffffff);
const PAYMENT = tx(new Uint8Array(32).fill(5), 0);
const TXIDS = [decodeTransaction(COINBASE).txidLE, decodeTransaction(PAYMENT).txidLE];
const ROOT = computeMerkleRoot(TXIDS).rootLE;

/** Eight real headers (they hash to their keys), all over the same two transactions. */
export const KNOWN_HEADERS: readonly Uint8Array[] = Array.from({ length: 8 }, (_, nonce) =>
  encodeHeader({ version: 0x20000000, prevHashLE: new Uint8Array(32), merkleRootLE: ROOT, time: 1_700_000_000, bits: 0x207fffff, nonce }),
);
/** Their hashes, internal order. */
export const KNOWN_BLOCKS: readonly Uint8Array[] = KNOWN_HEADERS.map(headerHash);
export const KNOWN_HEADER = KNOWN_HEADERS[0]!;
export const KNOWN_HASH = KNOWN_BLOCKS[0]!;
/** A transaction of every known block, and its true proof in KNOWN_HASH. */
export const KNOWN_TXID = TXIDS[1]!;
export const KNOWN_PROOF = { kind: 'merkleblock', rawTx: PAYMENT, coinbaseTx: COINBASE, merkleBlock: buildMerkleBlock(KNOWN_HEADER, TXIDS, [0, 1]) } as const;

const headerOf = (hashLE: Uint8Array): Uint8Array | undefined => KNOWN_HEADERS[KNOWN_BLOCKS.findIndex((b) => equalBytes(b, hashLE))];

export function scriptedAdapter(): ScriptedAdapter {
  const reached = Object.fromEntries(LEDGER_ADAPTER_METHODS.map((m) => [m, 0])) as Record<LedgerAdapterMethod, number>;
  const self: ScriptedAdapter = {
    reached,
    failWith: {},
    contractVersion: ADAPTER_CONTRACT_VERSION,
    info: { chainId: 'scripted', family: 'bitcoin', params: DEVNET_MAIN, addressHrp: 'udm', capabilities: { segwit: true, taproot: true, rbf: true, blockStream: false, pegInMints: false } },
    getTip: () => step('getTip', () => ({ height: 10, hashLE: KNOWN_HASH })),
    getBlockHash: (height) => step('getBlockHash', () => (height <= 10 ? KNOWN_HASH : undefined)),
    getHeader: (hashLE) => step('getHeader', () => headerOf(hashLE)?.slice()),
    getHeaders: () => step('getHeaders', () => [KNOWN_HEADER.slice()]),
    subscribeBlocks: () => {
      reached.subscribeBlocks++;
      return { close: () => Promise.resolve() };
    },
    scanBlock: (hashLE) =>
      // an unknown block gets KNOWN_HEADER: an answer that does not hold up against its key
      step('scanBlock', (): ScannedBlock => ({ block: { height: 10, hashLE: hashLE.slice() }, header80: (headerOf(hashLE) ?? KNOWN_HEADER).slice(), transactions: [{ txidLE: KNOWN_TXID.slice(), index: 1, rawTx: PAYMENT.slice() }] })),
    // the true proof of KNOWN_TXID in KNOWN_HASH, whatever is asked (a lie for anything else)
    getInclusionProof: () => step('getInclusionProof', () => ({ kind: 'merkleblock' as const, rawTx: PAYMENT.slice(), coinbaseTx: COINBASE.slice(), merkleBlock: KNOWN_PROOF.merkleBlock.slice() })),
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
