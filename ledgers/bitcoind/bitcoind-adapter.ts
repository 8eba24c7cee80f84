/**
 * `createBitcoindAdapter`: the LedgerAdapter of the Bitcoin family over Bitcoin Core's JSON-RPC
 * (a real bitcoind or a fork such as Litecoin, and the devnet node). It fetches and sends; what
 * it returns is raw (headers, blocks, proofs) for `proofs/` to verify and the relayer to judge.
 *
 * RPC used: getblockcount, getbestblockhash, getblockhash, getblockheader, getblock (0 and 1),
 * gettxoutproof, getrawtransaction, scantxoutset, estimatesmartfee, sendrawtransaction,
 * getmempoolentry, gettxout, gettxspendingprevout (Bitcoin Core 24 or later), gettxoutsetinfo
 * "none", and the devnet's getpegclaim (side role).
 * Scans need no wallet; getTransactionStatus of a confirmed transaction needs `-txindex` on a real
 * bitcoind (else it falls back to gettxout of its outputs); getUtxoSetTotal reads the whole UTXO
 * set on a real bitcoind without `-coinstatsindex` (minutes on mainnet: raise the endpoint's
 * timeoutMs, or run the index); getMempoolSpends needs Bitcoin Core 24 or later (NODE_REFUSED
 * saying so on an older node).
 */
import { bytesToHex, equalBytes, hashToDisplay, displayToHash, assertBytes, assertInteger } from '../../proofs/bytes.js';
import { ProofError } from '../../proofs/errors.js';
import { decodeBlock } from '../../proofs/bitcoin/block.js';
import { HEADER_SIZE, headerHash } from '../../proofs/bitcoin/header.js';
import type { InclusionProof } from '../../proofs/bitcoin/inclusion.js';
import { parseMemo } from '../../proofs/bitcoin/memo.js';
import { decodeTransaction, type DecodedTransaction } from '../../proofs/bitcoin/transaction.js';
import {
  ADAPTER_CONTRACT_VERSION,
  type AdapterInfo,
  type BlockEvent,
  type BlockRef,
  type BlockSubscription,
  type LedgerAdapter,
  type MempoolSpend,
  type OutpointRef,
  type PegInClaim,
  type ScannedBlock,
  type ScannedTransaction,
  type SpendSpec,
  type TxStatus,
  type UnsignedSpend,
  type Utxo,
  type WatchSpec,
} from '../adapter.js';
import { LedgerError } from '../errors.js';
import { PEGIN_FLAG } from '../devnet/consensus/mint.js';
import { BlockStream } from './block-stream.js';
import { DEFAULT_DUST_LIMIT, buildSpend, finalizeSpend } from './build-spend.js';
import { assertBitcoindConfig, type BitcoindAdapterConfig } from './config.js';
import { EndpointPool } from './endpoint-pool.js';
import { RPC, asAmount, asHashDisplay, asHeight, asHexBytes, asInteger, asObject, faulty, isRefusal, unwrapBatch } from './rpc-values.js';

/** Default milliseconds between two polls of the block stream. */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** Largest `count` of one getHeaders call. */
export const MAX_HEADERS_PER_CALL = 2_000;
/** Most outpoints in one gettxspendingprevout call: getMempoolSpends asks longer lists in several calls. */
export const MAX_OUTPOINTS_PER_CALL = 1_000;
/** Most getrawtransaction calls in one JSON-RPC batch (getMempoolSpends' spenders). */
const MAX_TRANSACTIONS_PER_BATCH = 100;
/** The largest vout Bitcoin Core's gettxspendingprevout reads (an `int`); no transaction has more outputs. */
const MAX_CORE_VOUT = 0x7fffffff;

/** A mempool spender fetched by getMempoolSpends, with the outpoints its inputs spend (`txidDisplay:vout`). */
interface FetchedSpender {
  readonly spend: MempoolSpend;
  readonly spends: ReadonlySet<string>;
}

/** The bitcoind adapter, with its endpoint pool exposed for health reports. */
export interface BitcoindAdapter extends LedgerAdapter {
  readonly pool: EndpointPool;
}

/** Builds the adapter; refuses a bad config (TypeError/RangeError naming the key). Opens no connection until used. */
export function createBitcoindAdapter(config: BitcoindAdapterConfig): BitcoindAdapter {
  assertBitcoindConfig(config);
  const pool = new EndpointPool(config.endpoints);
  const profile = config.profile;
  const pollIntervalMs = config.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const dustLimit = config.dustLimit ?? DEFAULT_DUST_LIMIT;
  const info: AdapterInfo = Object.freeze({
    chainId: profile.chainId,
    family: 'bitcoin',
    params: profile.params,
    addressHrp: profile.addressHrp,
    capabilities: Object.freeze({ ...profile.capabilities, blockStream: config.websocketUrl !== undefined }),
  });
  const streams = new Set<BlockStream>();

  async function getTip(): Promise<BlockRef> {
    if (config.crossCheck === true) {
      const agreed = await pool.crossCheck();
      return { height: agreed.height, hashLE: displayToHash(agreed.hashDisplay) };
    }
    const hash = asHashDisplay(await pool.call('getbestblockhash'), 'getbestblockhash', 'result');
    const header = asObject(await pool.call('getblockheader', [hash, true]), 'getblockheader');
    return { height: asHeight(header['height'], 'getblockheader', 'height'), hashLE: displayToHash(hash) };
  }

  async function getBlockHash(height: number): Promise<Uint8Array | undefined> {
    assertInteger(height, 0, Number.MAX_SAFE_INTEGER, 'height');
    try {
      return displayToHash(asHashDisplay(await pool.call('getblockhash', [height]), 'getblockhash', 'result'));
    } catch (e) {
      if (isRefusal(e, RPC.INVALID_PARAMETER)) return undefined;
      throw e;
    }
  }

  async function getHeader(hashLE: Uint8Array): Promise<Uint8Array | undefined> {
    assertBytes(hashLE, 32, 'hashLE');
    let header80: Uint8Array;
    try {
      header80 = asHexBytes(await pool.call('getblockheader', [hashToDisplay(hashLE), false]), 'getblockheader', 'result');
    } catch (e) {
      if (isRefusal(e, RPC.INVALID_ADDRESS_OR_KEY)) return undefined;
      throw e;
    }
    checkHeader(header80, hashLE);
    return header80;
  }

  function checkHeader(header80: Uint8Array, hashLE: Uint8Array): void {
    if (header80.length !== HEADER_SIZE) throw faulty('getblockheader', `expected ${HEADER_SIZE} bytes, got ${header80.length}`);
    if (!equalBytes(headerHash(header80), hashLE)) throw faulty('getblockheader', `the header answered for ${hashToDisplay(hashLE)} has another hash`);
  }

  async function hashesFrom(fromHeight: number, count: number): Promise<Uint8Array[]> {
    const tip = asHeight(await pool.call('getblockcount'), 'getblockcount', 'result');
    const n = Math.max(0, Math.min(count, tip - fromHeight + 1));
    if (n === 0) return [];
    const answers = await pool.batch(Array.from({ length: n }, (_, i) => ({ method: 'getblockhash', params: [fromHeight + i] })));
    const hashes: Uint8Array[] = [];
    for (const a of answers) {
      // the chain got shorter while we asked: return what is consecutive
      if (isRefusal(a, RPC.INVALID_PARAMETER)) break;
      if (a instanceof LedgerError) throw a;
      hashes.push(displayToHash(asHashDisplay(a, 'getblockhash', 'result')));
    }
    return hashes;
  }

  async function getHeaders(fromHeight: number, count: number): Promise<Uint8Array[]> {
    assertInteger(fromHeight, 0, Number.MAX_SAFE_INTEGER, 'fromHeight');
    assertInteger(count, 0, MAX_HEADERS_PER_CALL, 'count');
    const hashes = await hashesFrom(fromHeight, count);
    if (hashes.length === 0) return [];
    const answers = unwrapBatch(await pool.batch(hashes.map((h) => ({ method: 'getblockheader', params: [hashToDisplay(h), false] }))));
    return answers.map((a, i) => {
      const header80 = asHexBytes(a, 'getblockheader', 'result');
      checkHeader(header80, hashes[i]!);
      return header80;
    });
  }

  async function scanBlock(hashLE: Uint8Array, watch: WatchSpec): Promise<ScannedBlock> {
    assertBytes(hashLE, 32, 'hashLE');
    if (typeof watch !== 'object' || watch === null || !Array.isArray(watch.scripts)) throw new TypeError('watch.scripts: expected an array of scripts');
    watch.scripts.forEach((s, i) => assertBytes(s, undefined, `watch.scripts[${i}]`));
    const display = hashToDisplay(hashLE);
    const [rawHex, headerInfo] = unwrapBatch(
      await pool.batch([
        { method: 'getblock', params: [display, 0] },
        { method: 'getblockheader', params: [display, true] },
      ]),
    );
    let block;
    try {
      block = decodeBlock(asHexBytes(rawHex, 'getblock', 'result'));
    } catch (cause) {
      throw faulty('getblock', `block ${display} does not decode`, cause);
    }
    if (!equalBytes(block.hashLE, hashLE)) throw faulty('getblock', `the block answered for ${display} has another hash`);
    const height = asHeight(asObject(headerInfo, 'getblockheader')['height'], 'getblockheader', 'height');
    const watched = new Set(watch.scripts.map((s) => bytesToHex(s)));
    const transactions: ScannedTransaction[] = [];
    block.transactions.forEach((t, index) => {
      if (isInteresting(t, watched)) transactions.push({ txidLE: t.txidLE, index, rawTx: t.bytes.slice() });
    });
    return { block: { height, hashLE: block.hashLE }, header80: block.header80, transactions };
  }

  async function getInclusionProof(txidLE: Uint8Array, blockHashLE: Uint8Array): Promise<InclusionProof> {
    assertBytes(txidLE, 32, 'txidLE');
    assertBytes(blockHashLE, 32, 'blockHashLE');
    const blockDisplay = hashToDisplay(blockHashLE);
    const txDisplay = hashToDisplay(txidLE);
    const summary = asObject(await pool.call('getblock', [blockDisplay, 1]), 'getblock');
    const txs = summary['tx'];
    if (!Array.isArray(txs) || txs.length === 0) throw faulty('getblock', 'tx: expected a non-empty array of txids');
    const coinbaseDisplay = asHashDisplay(txs[0], 'getblock', 'tx[0]');
    const proved = coinbaseDisplay === txDisplay ? [txDisplay] : [txDisplay, coinbaseDisplay];
    const [proofHex, rawHex, coinbaseHex] = unwrapBatch(
      await pool.batch([
        { method: 'gettxoutproof', params: [proved, blockDisplay] },
        { method: 'getrawtransaction', params: [txDisplay, 0, blockDisplay] },
        { method: 'getrawtransaction', params: [coinbaseDisplay, 0, blockDisplay] },
      ]),
    );
    return {
      kind: 'merkleblock',
      merkleBlock: asHexBytes(proofHex, 'gettxoutproof', 'result'),
      rawTx: asHexBytes(rawHex, 'getrawtransaction', 'result'),
      coinbaseTx: asHexBytes(coinbaseHex, 'getrawtransaction', 'result'),
    };
  }

  async function listUnspent(scriptPubKey: Uint8Array): Promise<Utxo[]> {
    assertBytes(scriptPubKey, undefined, 'scriptPubKey');
    const scan = asObject(await pool.call('scantxoutset', ['start', [`raw(${bytesToHex(scriptPubKey)})`]]), 'scantxoutset');
    const scanHeight = asHeight(scan['height'], 'scantxoutset', 'height');
    const unspents = scan['unspents'];
    if (!Array.isArray(unspents)) throw faulty('scantxoutset', 'unspents: expected an array');
    const utxos = unspents.map((u: unknown, i: number): Utxo => {
      const o = asObject(u, 'scantxoutset');
      const script = asHexBytes(o['scriptPubKey'], 'scantxoutset', `unspents[${i}].scriptPubKey`);
      if (!equalBytes(script, scriptPubKey)) throw faulty('scantxoutset', `unspents[${i}] pays another script`);
      const height = asHeight(o['height'], 'scantxoutset', `unspents[${i}].height`);
      return {
        txidLE: displayToHash(asHashDisplay(o['txid'], 'scantxoutset', `unspents[${i}].txid`)),
        vout: asHeight(o['vout'], 'scantxoutset', `unspents[${i}].vout`),
        output: { value: asAmount(o['amount'], 'scantxoutset', `unspents[${i}].amount`), scriptPubKey: script },
        confirmations: Math.max(0, scanHeight - height + 1),
      };
    });
    return utxos.sort((a, b) => cmpOutpoint(a, b));
  }

  async function estimateFeeRate(targetBlocks: number): Promise<number> {
    assertInteger(targetBlocks, 1, 1008, 'targetBlocks');
    const answer = asObject(await pool.call('estimatesmartfee', [targetBlocks]), 'estimatesmartfee');
    const feerate = answer['feerate'];
    // no estimate yet (Core answers `errors` without `feerate`): the floor
    const perVbyte = typeof feerate === 'number' && Number.isFinite(feerate) && feerate > 0 ? (feerate * 1e8) / 1000 : config.feeRate.floor;
    return Math.min(config.feeRate.cap, Math.max(config.feeRate.floor, perVbyte));
  }

  async function broadcast(rawTx: Uint8Array): Promise<{ txidLE: Uint8Array; alreadyKnown: boolean }> {
    assertBytes(rawTx, undefined, 'rawTx');
    let decoded: DecodedTransaction;
    try {
      decoded = decodeTransaction(rawTx);
    } catch (cause) {
      throw new TypeError('rawTx: not a transaction', { cause });
    }
    const txDisplay = hashToDisplay(decoded.txidLE);
    // Core answers a resend of a mempool transaction with its txid: ask first to report it as known
    try {
      await pool.call('getmempoolentry', [txDisplay]);
      return { txidLE: decoded.txidLE, alreadyKnown: true };
    } catch (e) {
      if (!isRefusal(e, RPC.INVALID_ADDRESS_OR_KEY)) throw e;
    }
    try {
      const answered = asHashDisplay(await pool.call('sendrawtransaction', [bytesToHex(rawTx)]), 'sendrawtransaction', 'result');
      if (answered !== txDisplay) throw faulty('sendrawtransaction', `answered txid ${answered} for ${txDisplay}`);
      return { txidLE: decoded.txidLE, alreadyKnown: false };
    } catch (e) {
      if (isRefusal(e, RPC.VERIFY_ALREADY_IN_CHAIN)) return { txidLE: decoded.txidLE, alreadyKnown: true };
      throw e;
    }
  }

  async function getTransactionStatus(txidLE: Uint8Array, rawTx?: Uint8Array): Promise<TxStatus> {
    assertBytes(txidLE, 32, 'txidLE');
    const txDisplay = hashToDisplay(txidLE);
    let tx: DecodedTransaction | undefined;
    if (rawTx !== undefined) {
      assertBytes(rawTx, undefined, 'rawTx');
      tx = decodeTransaction(rawTx);
      if (!equalBytes(tx.txidLE, txidLE)) throw new RangeError('rawTx: its txid is not txidLE');
    }
    try {
      const verbose = asObject(await pool.call('getrawtransaction', [txDisplay, 1]), 'getrawtransaction');
      const confirmations = verbose['confirmations'] === undefined ? 0 : asInteger(verbose['confirmations'], 'getrawtransaction', 'confirmations');
      if (verbose['blockhash'] !== undefined && confirmations > 0) {
        const blockDisplay = asHashDisplay(verbose['blockhash'], 'getrawtransaction', 'blockhash');
        const header = asObject(await pool.call('getblockheader', [blockDisplay, true]), 'getblockheader');
        const height = asHeight(header['height'], 'getblockheader', 'height');
        return { state: 'confirmed', block: { height, hashLE: displayToHash(blockDisplay) }, confirmations };
      }
    } catch (e) {
      if (!isRefusal(e, RPC.INVALID_ADDRESS_OR_KEY)) throw e;
    }
    try {
      await pool.call('getmempoolentry', [txDisplay]);
      return { state: 'mempool' };
    } catch (e) {
      if (!isRefusal(e, RPC.INVALID_ADDRESS_OR_KEY)) throw e;
    }
    if (tx === undefined) return { state: 'unknown' };
    // without a transaction index: an unspent output of its own says it is confirmed
    for (let vout = 0; vout < tx.tx.outputs.length; vout++) {
      const own = await pool.call<unknown>('gettxout', [txDisplay, vout, false]);
      if (own !== null) {
        const o = asObject(own, 'gettxout');
        const confirmations = asHeight(o['confirmations'], 'gettxout', 'confirmations');
        const best = asHashDisplay(o['bestblock'], 'gettxout', 'bestblock');
        const bestHeader = asObject(await pool.call('getblockheader', [best, true]), 'getblockheader');
        const height = asHeight(bestHeader['height'], 'getblockheader', 'height') - confirmations + 1;
        const hashLE = await getBlockHash(height);
        if (hashLE === undefined) break;
        return { state: 'confirmed', block: { height, hashLE }, confirmations };
      }
    }
    for (const input of tx.tx.inputs) {
      // a peg-in input names a lock outpoint of the other chain: not an output of this one
      if (profile.capabilities.pegInMints && (input.prevVout & PEGIN_FLAG) !== 0) continue;
      const out = await pool.call<unknown>('gettxout', [hashToDisplay(input.prevTxidLE), input.prevVout, false]);
      if (out === null) return { state: 'conflicted' };
    }
    return { state: 'unknown' };
  }

  /**
   * gettxspendingprevout (in calls of MAX_OUTPOINTS_PER_CALL), then one getrawtransaction of each
   * distinct spender (batched). Outpoints spent by the same transaction share one MempoolSpend
   * object. A spender gone between the two calls (-5: replaced, or mined on a node without
   * -txindex) is asked about again once; gone again, the call fails NODE_UNREACHABLE (transient)
   * rather than answer undefined, which means "no mempool transaction spends it".
   */
  async function getMempoolSpends(outpoints: readonly OutpointRef[]): Promise<(MempoolSpend | undefined)[]> {
    if (!Array.isArray(outpoints)) throw new TypeError('outpoints: expected an array of { txidLE, vout }');
    for (let i = 0; i < outpoints.length; i++) {
      const o: unknown = outpoints[i];
      if (typeof o !== 'object' || o === null) throw new TypeError(`outpoints[${i}]: expected { txidLE, vout }, got ${o === null ? 'null' : typeof o}`);
      const { txidLE, vout } = o as Partial<OutpointRef>;
      assertBytes(txidLE, 32, `outpoints[${i}].txidLE`);
      assertInteger(vout, 0, 0xffffffff, `outpoints[${i}].vout`);
    }
    const answers: (MempoolSpend | undefined)[] = outpoints.map(() => undefined);
    // an index above Core's int names no output of any transaction: nothing spends it, and Core would refuse it
    let asking = outpoints.flatMap((o, i) => (o.vout <= MAX_CORE_VOUT ? [i] : []));
    const fetched = new Map<string, FetchedSpender>(); // by display txid
    for (let round = 1; asking.length > 0; round++) {
      const spentBy = await mempoolSpenders(asking.map((i) => outpoints[i]!));
      const bySpender = new Map<string, number[]>();
      spentBy.forEach((txid, k) => {
        if (txid === undefined) return;
        const indexes = bySpender.get(txid);
        if (indexes === undefined) bySpender.set(txid, [asking[k]!]);
        else indexes.push(asking[k]!);
      });
      const gone = await fetchSpenders([...bySpender.keys()].filter((t) => !fetched.has(t)), fetched);
      const again: number[] = [];
      for (const [txid, indexes] of bySpender) {
        if (gone.has(txid)) {
          for (const i of indexes) again.push(i);
          continue;
        }
        const spender = fetched.get(txid)!;
        for (const i of indexes) {
          const asked = outpointText(outpoints[i]!.txidLE, outpoints[i]!.vout);
          if (!spender.spends.has(asked)) throw faulty('gettxspendingprevout', `names ${txid} as the spender of ${asked}, but getrawtransaction gives a transaction ${txid} with no input spending it`);
          answers[i] = spender.spend;
        }
      }
      if (again.length > 0 && round >= 2) {
        const racing = [...gone];
        throw new LedgerError(
          'NODE_UNREACHABLE',
          `getMempoolSpends: the mempool changed while it was read, twice in a row: gettxspendingprevout named ${racing.join(', ')} as spender${racing.length > 1 ? 's' : ''}, gone (-5) when getrawtransaction asked for ${racing.length > 1 ? 'them' : 'it'} (replaced, or mined on a node without -txindex); try again`,
          { details: { method: 'getMempoolSpends', reason: 'mempool changed between gettxspendingprevout and getrawtransaction', spendingTxids: racing } },
        );
      }
      asking = again;
    }
    return answers;
  }

  /** For each outpoint, in order, the display txid of the mempool transaction Core says spends it. */
  async function mempoolSpenders(asked: readonly OutpointRef[]): Promise<(string | undefined)[]> {
    const m = 'gettxspendingprevout';
    const spenders: (string | undefined)[] = [];
    for (let from = 0; from < asked.length; from += MAX_OUTPOINTS_PER_CALL) {
      const chunk = asked.slice(from, from + MAX_OUTPOINTS_PER_CALL);
      let answer: unknown;
      try {
        answer = await pool.call(m, [chunk.map((o) => ({ txid: hashToDisplay(o.txidLE), vout: o.vout }))]);
      } catch (e) {
        if (isRefusal(e, RPC.METHOD_NOT_FOUND)) {
          throw new LedgerError('NODE_REFUSED', `getMempoolSpends: the node has no ${m} (RPC error -32601): it needs Bitcoin Core 24 or later`, {
            cause: e,
            details: { method: m, rpcCode: RPC.METHOD_NOT_FOUND, reason: 'the node needs Bitcoin Core 24 or later' },
          });
        }
        throw e;
      }
      if (!Array.isArray(answer) || answer.length !== chunk.length) {
        throw faulty(m, `expected an array of ${chunk.length} entries (one per outpoint asked), got ${Array.isArray(answer) ? `${answer.length}` : 'no array'}`);
      }
      chunk.forEach((o, k) => {
        const entry = asObject(answer[k], m);
        const echoed = `${asHashDisplay(entry['txid'], m, `result[${k}].txid`)}:${asHeight(entry['vout'], m, `result[${k}].vout`)}`;
        const asked = outpointText(o.txidLE, o.vout);
        if (echoed !== asked) throw faulty(m, `result[${k}] is ${echoed} where ${asked} was asked: the answer must echo the outpoints in order`);
        const spending = entry['spendingtxid'] === undefined ? undefined : asHashDisplay(entry['spendingtxid'], m, `result[${k}].spendingtxid`);
        if (entry['blockhash'] !== undefined) {
          // a Core with -txospenderindex also names a spender in a block, with its blockhash: not a mempool spend
          asHashDisplay(entry['blockhash'], m, `result[${k}].blockhash`);
          spenders.push(undefined);
        } else {
          spenders.push(spending);
        }
      });
    }
    return spenders;
  }

  /** getrawtransaction of each txid into `into`; returns the txids the node does not have (-5). */
  async function fetchSpenders(txids: readonly string[], into: Map<string, FetchedSpender>): Promise<Set<string>> {
    const m = 'getrawtransaction';
    const gone = new Set<string>();
    for (let from = 0; from < txids.length; from += MAX_TRANSACTIONS_PER_BATCH) {
      const chunk = txids.slice(from, from + MAX_TRANSACTIONS_PER_BATCH);
      const answers = await pool.batch(chunk.map((t) => ({ method: m, params: [t, false] })));
      answers.forEach((a, k) => {
        const txid = chunk[k]!;
        if (isRefusal(a, RPC.INVALID_ADDRESS_OR_KEY)) {
          gone.add(txid);
          return;
        }
        if (a instanceof LedgerError) throw a;
        const rawTx = asHexBytes(a, m, 'result');
        let decoded: DecodedTransaction;
        try {
          decoded = decodeTransaction(rawTx);
        } catch (cause) {
          throw faulty(m, `the transaction answered for ${txid} does not decode`, cause);
        }
        if (hashToDisplay(decoded.txidLE) !== txid) throw faulty(m, `the transaction answered for ${txid} has another txid, ${hashToDisplay(decoded.txidLE)}`);
        into.set(txid, { spend: { txidLE: decoded.txidLE, rawTx }, spends: new Set(decoded.tx.inputs.map((input) => outpointText(input.prevTxidLE, input.prevVout))) });
      });
    }
    return gone;
  }

  async function getPegInClaim(lockTxidLE: Uint8Array, lockVout: number): Promise<PegInClaim> {
    assertBytes(lockTxidLE, 32, 'lockTxidLE');
    assertInteger(lockVout, 0, 0xffffffff, 'lockVout');
    if (!profile.capabilities.pegInMints) {
      throw new LedgerError('NODE_REFUSED', `getPegInClaim: chain ${info.chainId} does not accept peg-in mints (capabilities.pegInMints is false): only a side chain has peg-in claims`, {
        details: { method: 'getPegInClaim', chainId: info.chainId, reason: 'the chain does not accept mints' },
      });
    }
    const m = 'getpegclaim';
    const answer = asObject(await pool.call(m, [hashToDisplay(lockTxidLE), lockVout]), m);
    const claimed = answer['claimed'];
    if (typeof claimed !== 'boolean') throw faulty(m, 'claimed: expected a boolean');
    const absent = (...fields: string[]): void => {
      for (const f of fields) if (answer[f] !== undefined) throw faulty(m, `${f}: not expected ${claimed ? 'for a mint in the mempool' : 'with claimed: false'}`);
    };
    if (!claimed) {
      absent('mint_txid', 'in_mempool', 'blockhash', 'height', 'confirmations');
      return { claimed: false };
    }
    const mintTxidLE = displayToHash(asHashDisplay(answer['mint_txid'], m, 'mint_txid'));
    const inMempool = answer['in_mempool'];
    if (typeof inMempool !== 'boolean') throw faulty(m, 'in_mempool: expected a boolean');
    if (inMempool) {
      absent('blockhash', 'height', 'confirmations');
      return { claimed: true, mintTxidLE, confirmations: 0 };
    }
    const blockDisplay = asHashDisplay(answer['blockhash'], m, 'blockhash');
    const height = asHeight(answer['height'], m, 'height');
    const confirmations = asHeight(answer['confirmations'], m, 'confirmations');
    if (confirmations < 1) throw faulty(m, 'confirmations: expected at least 1 for a mined mint');
    return { claimed: true, mintTxidLE, block: { height, hashLE: displayToHash(blockDisplay) }, confirmations };
  }

  async function getUtxoSetTotal(): Promise<{ block: BlockRef; total: bigint }> {
    const m = 'gettxoutsetinfo';
    // "none": no UTXO set hash (the devnet computes none; Core skips the hashing)
    const answer = asObject(await pool.call(m, ['none']), m);
    const height = asHeight(answer['height'], m, 'height');
    const hashLE = displayToHash(asHashDisplay(answer['bestblock'], m, 'bestblock'));
    return { block: { height, hashLE }, total: asAmount(answer['total_amount'], m, 'total_amount') };
  }

  function subscribeBlocks(fromHeight: number, listener: (event: BlockEvent) => void | Promise<void>): BlockSubscription {
    if (typeof listener !== 'function') throw new TypeError('listener: expected a function');
    const stream = new BlockStream({ tipHeight: async () => asHeight(await pool.call('getblockcount'), 'getblockcount', 'result'), hashesFrom }, fromHeight, listener, {
      pollIntervalMs,
      ...(config.websocketUrl === undefined ? {} : { websocketUrl: config.websocketUrl }),
      ...(config.onStreamError === undefined ? {} : { onError: config.onStreamError }),
    });
    streams.add(stream);
    return {
      close: async () => {
        streams.delete(stream);
        await stream.close();
      },
    };
  }

  return {
    contractVersion: ADAPTER_CONTRACT_VERSION,
    info,
    pool,
    getTip,
    getBlockHash,
    getHeader,
    getHeaders,
    subscribeBlocks,
    scanBlock,
    getInclusionProof,
    listUnspent,
    estimateFeeRate,
    buildSpend: (spec: SpendSpec): UnsignedSpend => buildSpend(spec, dustLimit),
    finalizeSpend: (unsigned: UnsignedSpend, signatures: ReadonlyMap<number, readonly Uint8Array[]>): Uint8Array => finalizeSpend(unsigned, signatures, dustLimit),
    broadcast,
    getTransactionStatus,
    getMempoolSpends,
    getPegInClaim,
    getUtxoSetTotal,
    close: async () => {
      await Promise.all([...streams].map((s) => s.close()));
      streams.clear();
    },
  };
}

/** Pays a watched script, or carries a UBR1 memo (well-formed or not: a malformed one is reported for a rejection). */
function isInteresting(t: DecodedTransaction, watched: ReadonlySet<string>): boolean {
  return t.tx.outputs.some((o) => {
    if (watched.has(bytesToHex(o.scriptPubKey))) return true;
    try {
      return parseMemo(o.scriptPubKey) !== null;
    } catch (e) {
      if (e instanceof ProofError && e.code === 'MEMO_MALFORMED') return true;
      throw e;
    }
  });
}

/** An outpoint as `txidDisplay:vout`. */
function outpointText(txidLE: Uint8Array, vout: number): string {
  return `${hashToDisplay(txidLE)}:${vout}`;
}

function cmpOutpoint(a: Utxo, b: Utxo): number {
  const ka = hashToDisplay(a.txidLE);
  const kb = hashToDisplay(b.txidLE);
  return ka < kb ? -1 : ka > kb ? 1 : a.vout - b.vout;
}

