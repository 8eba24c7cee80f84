/**
 * A lying main-chain node for the end-to-end tests: a real adapter module (loaded by the relayer
 * from its config, `chains.main.adapter: <this file>`) that wraps the real bitcoind adapter and
 * lies about the deposits it is told to lie about. Everything else it answers truthfully.
 *
 * Options: `{ inner, lockScript, lies }`
 * - `inner`: the bitcoind adapter's options, as in a config (the profile by name);
 * - `lockScript`: the federation's lock scriptPubKey (hex), to recognise deposits;
 * - `lies`: lock output value (base units, as a string) -> the lie told about the transaction that
 *   pays that value to the lock:
 *   - `forged-proof`: its inclusion proof comes with one hash of the merkleblock's partial tree
 *     flipped (a forged Merkle branch);
 *   - `low-work-header`: the header of its block (getHeaders, getHeader, getBlockHash, getTip) has
 *     another nonce, so that its hash is above the target (a header without the work it claims);
 *   - `wrong-amount`: scanBlock and getInclusionProof report the transaction with the lock output
 *     worth twice as much (the txid changes with it: the merkleblock cannot prove it).
 */
import { ADAPTER_CONTRACT_VERSION, type BlockRef, type LedgerAdapter, type ScannedBlock, type ScannedTransaction, type WatchSpec } from '../../ledgers/adapter.js';
import { chainProfile, createBitcoindAdapter, type BitcoindAdapterConfig } from '../../ledgers/bitcoind/index.js';
import type { InclusionProof } from '../../proofs/bitcoin/inclusion.js';
import { headerHash, readHeaderBits } from '../../proofs/bitcoin/header.js';
import { bitsToTarget, hashMeetsTarget, targetToLE } from '../../proofs/bitcoin/pow.js';
import { decodeTransaction, encodeTransaction, type DecodedTransaction } from '../../proofs/bitcoin/transaction.js';
import { bytesToHex, equalBytes, hexToBytes } from '../../proofs/bytes.js';

export type Lie = 'forged-proof' | 'low-work-header' | 'wrong-amount';
const LIES: readonly Lie[] = ['forged-proof', 'low-work-header', 'wrong-amount'];

export interface LyingAdapterOptions {
  readonly inner: Record<string, unknown>;
  readonly lockScript: string;
  readonly lies: Readonly<Record<string, Lie>>;
}

function assertOptions(options: unknown): asserts options is LyingAdapterOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('lying adapter options: expected { inner, lockScript, lies }');
  const o = options as Record<string, unknown>;
  if (typeof o['inner'] !== 'object' || o['inner'] === null) throw new TypeError('lying adapter options.inner: expected the bitcoind adapter options');
  if (typeof (o['inner'] as Record<string, unknown>)['profile'] !== 'string') throw new TypeError('lying adapter options.inner.profile: expected a profile name');
  if (typeof o['lockScript'] !== 'string' || !/^([0-9a-f]{2})+$/.test(o['lockScript'])) throw new TypeError('lying adapter options.lockScript: expected hex');
  if (typeof o['lies'] !== 'object' || o['lies'] === null) throw new TypeError('lying adapter options.lies: expected { "<value>": lie }');
  for (const [value, lie] of Object.entries(o['lies'] as Record<string, unknown>)) {
    if (!/^\d+$/.test(value) || !LIES.includes(lie as Lie)) throw new TypeError(`lying adapter options.lies.${value}: expected one of ${LIES.join(', ')}`);
  }
}

export function createAdapter(options: unknown): LedgerAdapter {
  assertOptions(options);
  const inner = createBitcoindAdapter({ ...options.inner, profile: chainProfile(options.inner['profile'] as string) } as BitcoindAdapterConfig);
  const lockScript = hexToBytes(options.lockScript);
  const lies = new Map(Object.entries(options.lies).map(([value, lie]) => [BigInt(value), lie]));

  /** The lie to tell about a transaction: the one of the first lock output value that has one. */
  function lieAbout(tx: DecodedTransaction): Lie | undefined {
    for (const o of tx.tx.outputs) {
      const lie = equalBytes(o.scriptPubKey, lockScript) ? lies.get(o.value) : undefined;
      if (lie !== undefined) return lie;
    }
    return undefined;
  }

  // ---- low-work-header: the header of a block holding a lock we lie about, with a bad nonce
  const blockLies = new Map<string, Uint8Array | null>(); // real hash -> forged header, or null (honest)
  const forgedByHash = new Map<string, Uint8Array>(); // forged hash -> forged header

  async function forgedHeaderOf(hashLE: Uint8Array, header80?: Uint8Array): Promise<Uint8Array | undefined> {
    const key = bytesToHex(hashLE);
    let forged = blockLies.get(key);
    if (forged === undefined) {
      const scan = await inner.scanBlock(hashLE, { scripts: [lockScript] });
      const lying = scan.transactions.some((t) => lieAbout(decodeTransaction(t.rawTx)) === 'low-work-header');
      forged = lying ? withoutWork(header80 ?? scan.header80) : null;
      blockLies.set(key, forged);
      if (forged !== null) forgedByHash.set(bytesToHex(headerHash(forged)), forged);
    }
    return forged ?? undefined;
  }

  async function headerOf(header80: Uint8Array): Promise<Uint8Array> {
    return (await forgedHeaderOf(headerHash(header80), header80)) ?? header80;
  }

  async function hashOf(hashLE: Uint8Array): Promise<Uint8Array> {
    const forged = await forgedHeaderOf(hashLE);
    return forged === undefined ? hashLE : headerHash(forged);
  }

  // ---- wrong-amount: lock outputs worth twice as much
  function liedScanned(t: ScannedTransaction): ScannedTransaction {
    const lie = lieAbout(decodeTransaction(t.rawTx));
    if (lie !== 'wrong-amount') return t;
    const fake = inflateLocks(t.rawTx, lockScript);
    return { ...t, txidLE: fake.txidLE, rawTx: encodeTransaction(fake.tx, { witness: true }) };
  }

  // ---- forged-proof: one hash of the partial Merkle tree flipped
  function forgeMerkleBlock(merkleBlock: Uint8Array): Uint8Array {
    const forged = merkleBlock.slice();
    const hashes = forged[84]!; // compact size, below 0xfd for the blocks of the tests
    const lastHash = 85 + (hashes - 1) * 32;
    forged[lastHash] = forged[lastHash]! ^ 0x01;
    return forged;
  }

  async function getInclusionProof(txidLE: Uint8Array, blockHashLE: Uint8Array): Promise<InclusionProof> {
    if ([...lies.values()].includes('wrong-amount')) {
      // the txid may be one this liar made up: prove the real transaction, show the inflated bytes
      const scan = await inner.scanBlock(blockHashLE, { scripts: [lockScript] });
      for (const t of scan.transactions) {
        const lied = liedScanned(t);
        if (lied !== t && equalBytes(lied.txidLE, txidLE)) {
          const proof = await inner.getInclusionProof(t.txidLE, blockHashLE);
          return { ...proof, rawTx: lied.rawTx };
        }
      }
    }
    const proof = await inner.getInclusionProof(txidLE, blockHashLE);
    if (proof.kind === 'merkleblock' && lieAbout(decodeTransaction(proof.rawTx)) === 'forged-proof') {
      return { ...proof, merkleBlock: forgeMerkleBlock(proof.merkleBlock) };
    }
    return proof;
  }

  return {
    contractVersion: ADAPTER_CONTRACT_VERSION,
    info: inner.info,
    getTip: async (): Promise<BlockRef> => {
      const tip = await inner.getTip();
      return { height: tip.height, hashLE: await hashOf(tip.hashLE) };
    },
    getBlockHash: async (height) => {
      const hash = await inner.getBlockHash(height);
      return hash === undefined ? undefined : hashOf(hash);
    },
    getHeader: async (hashLE) => {
      const forged = forgedByHash.get(bytesToHex(hashLE));
      if (forged !== undefined) return forged;
      const header = await inner.getHeader(hashLE);
      return header === undefined ? undefined : headerOf(header);
    },
    getHeaders: async (fromHeight, count) => {
      const headers = await inner.getHeaders(fromHeight, count);
      const out: Uint8Array[] = [];
      for (const h of headers) out.push(await headerOf(h));
      return out;
    },
    subscribeBlocks: (fromHeight, listener) => inner.subscribeBlocks(fromHeight, listener),
    scanBlock: async (hashLE: Uint8Array, watch: WatchSpec): Promise<ScannedBlock> => {
      const scan = await inner.scanBlock(hashLE, watch);
      return { ...scan, transactions: scan.transactions.map(liedScanned) };
    },
    getInclusionProof,
    listUnspent: (script) => inner.listUnspent(script),
    estimateFeeRate: (target) => inner.estimateFeeRate(target),
    buildSpend: (spec) => inner.buildSpend(spec),
    finalizeSpend: (unsigned, signatures) => inner.finalizeSpend(unsigned, signatures),
    broadcast: (rawTx) => inner.broadcast(rawTx),
    getTransactionStatus: (txidLE, rawTx) => inner.getTransactionStatus(txidLE, rawTx),
    getMempoolSpends: (outpoints) => inner.getMempoolSpends(outpoints),
    getPegInClaim: (lockTxidLE, lockVout) => inner.getPegInClaim(lockTxidLE, lockVout),
    getUtxoSetTotal: () => inner.getUtxoSetTotal(),
    close: () => inner.close(),
  };
}

/** The same header with the first nonce after its own whose hash is above the target of its bits. */
export function withoutWork(header80: Uint8Array): Uint8Array {
  const target = targetToLE(bitsToTarget(readHeaderBits(header80)));
  const forged = header80.slice();
  const view = new DataView(forged.buffer, forged.byteOffset, 80);
  for (let nonce = view.getUint32(76, true) + 1; ; nonce = (nonce + 1) >>> 0) {
    view.setUint32(76, nonce, true);
    if (!hashMeetsTarget(headerHash(forged), target)) return forged;
  }
}

/** The transaction as the `wrong-amount` lie shows it: every output paying `lockScript` worth twice as much. */
export function inflateLocks(raw: Uint8Array, lockScript: Uint8Array): DecodedTransaction {
  const d = decodeTransaction(raw);
  const outputs = d.tx.outputs.map((o) => (equalBytes(o.scriptPubKey, lockScript) ? { ...o, value: o.value * 2n } : o));
  return decodeTransaction(encodeTransaction({ ...d.tx, outputs }, { witness: true }));
}
