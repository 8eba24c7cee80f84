/**
 * DevnetChain: one devnet node's chain, the implementation of ChainApi (chain-api.ts) that the
 * RPC server, the websocket notifier and the miner loop use. It holds every block it accepted
 * (all branches) in a BlockIndex, keeps the best chain's state (UTXO set, claims, transaction
 * index) in a ChainState, a Mempool on top of it, and optionally persists blocks in a BlockStore.
 *
 * Accepting a block (submitBlock, and the miner's blocks, which go the same way):
 * 1. `verifyBlock` (context-free rules; proof of work);
 * 2. the parent is held and not invalid ("prev-blk-not-found", "bad-prevblk");
 * 3. the header passes the node's HeaderChain (bits, median time past, 2-hour rule, versions);
 * 4. BIP34 height, finality and standard outputs (consensus/block-context.ts);
 * 5. the block is stored (appended to blocks.dat) and the best chain is activated: the valid
 *    chain of most work (first seen on a tie) is connected, a block that fails to connect is
 *    marked invalid with its descendants and the next best is tried.
 * Everything runs synchronously; events fire after the state changed.
 */
import { randomBytes } from 'node:crypto';
import { assertBytes, assertInteger, hashToDisplay } from '../../../proofs/bytes.js';
import { ProofError } from '../../../proofs/errors.js';
import { verifyBlock } from '../../../proofs/bitcoin/block.js';
import { HeaderChain } from '../../../proofs/bitcoin/header-chain.js';
import { HEADER_SIZE } from '../../../proofs/bitcoin/header.js';
import type { NetworkParams } from '../../../proofs/bitcoin/params.js';
import { compactSizeLength, decodeTransaction, WITNESS_SCALE_FACTOR, type DecodedTransaction } from '../../../proofs/bitcoin/transaction.js';
import { assertFederation, lockScriptPubKey, type Federation } from '../../bitcoin/lock-script.js';
import { BlockStore } from '../block-store.js';
import type { AcceptResult, BlockInfo, ChainApi, DevnetRole, MempoolEntry, RejectCode, UtxoEntry, UtxoSetStats } from '../chain-api.js';
import { checkBlockContext } from '../consensus/block-context.js';
import { claimKey as makeClaimKey, hasPegInInput, verifyMint, type MintRules, type VerifiedMint } from '../consensus/mint.js';
import { DEFAULT_SCRIPT_CACHE_SIZE, ScriptCache } from '../consensus/scripts.js';
import { isStandardOutputScript, isUnspendable } from '../consensus/standard.js';
import { DevnetRejectError, blockRejectFromProofError, reject } from '../errors.js';
import { Mempool } from '../mempool.js';
import { assembleBlock } from '../miner.js';
import { hashKey, outpointKey } from '../outpoint.js';
import { DEFAULT_COINBASE_MATURITY, devnetNetwork, type DevnetNetwork } from '../params.js';
import { BlockIndex, findFork, type BlockEntry } from './block-index.js';
import { ChainState } from './chain-state.js';
import { EventList, warnListenerError } from './events.js';

/** Options of DevnetChain.create. */
export interface DevnetChainOptions {
  /** 'main' (block subsidy, locks) or 'side' (no subsidy, mints). [Required] */
  readonly role: DevnetRole;
  /** The bridge federation. [Required in the side role] */
  readonly federation?: Federation;
  /** The side node's own header chain of the main chain, kept up to date by its owner. [Required in the side role] */
  readonly mainChain?: HeaderChain;
  /** Confirmations a lock's block needs on the main chain before a mint of it is valid. [Default: 1] */
  readonly pegConfirmations?: number;
  /** Blocks before a coinbase output can be spent. [Default: 100] */
  readonly coinbaseMaturity?: number;
  /** Folder of blocks.dat and invalidated.json; memory only without it. [Default: none] */
  readonly datadir?: string;
  /** The clock, Unix seconds (block times, the 2-hour rule, mempool times). [Default: the system clock] */
  readonly now?: () => number;
  /** Receives the error of an event listener that throws. [Default: a process warning] */
  readonly onListenerError?: (error: unknown, event: string) => void;
  /** Script verifications remembered. [Default: 100,000] */
  readonly scriptCacheSize?: number;
}

type SubmitOutcome = { accepted: true; hashLE: Uint8Array } | { accepted: false; reason: string; code: RejectCode };

/** A devnet node's chain (see the file comment); build it with DevnetChain.create. */
export class DevnetChain implements ChainApi {
  readonly role: DevnetRole;
  readonly params: NetworkParams;
  readonly hrp: string;
  readonly network: DevnetNetwork;
  readonly coinbaseMaturity: number;
  readonly pegConfirmations: number;
  readonly federation: Federation | undefined;
  /** The node's own header validator: every accepted block's header went through its `add`. */
  readonly headers: HeaderChain;
  /** Script verifications done and answered from the cache. */
  readonly scriptCache: ScriptCache;

  private readonly index = new BlockIndex();
  private readonly state: ChainState;
  private readonly pool: Mempool;
  private readonly mintRules: MintRules | undefined;
  private readonly now: () => number;
  private readonly active: BlockEntry[] = [];
  private store: BlockStore | undefined;
  private extraNonce: bigint;
  /** What the start replayed from blocks.dat: blocks accepted again, and refused (they never counted). */
  readonly replayed = { blocks: 0, refused: 0 };
  private closed = false;
  private readonly tipEvents: EventList<BlockInfo>;
  private readonly reorgEvents: EventList<{ fork: BlockInfo; removed: BlockInfo[]; added: BlockInfo[] }>;
  private readonly mempoolEvents: EventList<Uint8Array>;

  private constructor(options: DevnetChainOptions) {
    const role = options.role;
    this.network = devnetNetwork(role);
    this.role = role;
    this.params = this.network.params;
    this.hrp = this.network.hrp;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    if (typeof this.now !== 'function') throw new TypeError('now: expected a function returning Unix seconds');
    this.coinbaseMaturity = options.coinbaseMaturity ?? DEFAULT_COINBASE_MATURITY;
    assertInteger(this.coinbaseMaturity, 0, 1_000_000, 'coinbaseMaturity');
    this.pegConfirmations = options.pegConfirmations ?? 1;
    assertInteger(this.pegConfirmations, 1, 1_000_000, 'pegConfirmations');
    this.federation = options.federation;
    if (this.federation !== undefined) assertFederation(this.federation);
    this.scriptCache = new ScriptCache(options.scriptCacheSize ?? DEFAULT_SCRIPT_CACHE_SIZE);
    if (role === 'side') {
      if (this.federation === undefined) throw new TypeError('federation: required in the side role (mints are signed by it)');
      if (!(options.mainChain instanceof HeaderChain)) throw new TypeError('mainChain: required in the side role (a HeaderChain of the main chain, to verify mint proofs)');
      this.mintRules = {
        federation: this.federation,
        lockScriptPubKey: lockScriptPubKey(this.federation),
        mainChain: options.mainChain,
        pegConfirmations: this.pegConfirmations,
        signatureCache: this.scriptCache,
      };
    }
    const onError = options.onListenerError ?? warnListenerError;
    this.tipEvents = new EventList('tip', onError);
    this.reorgEvents = new EventList('reorg', onError);
    this.mempoolEvents = new EventList('mempool transaction', onError);
    this.extraNonce = new DataView(randomBytes(8).buffer).getBigUint64(0, true) >> 1n;

    this.headers = HeaderChain.fromGenesis(this.params, { now: this.now });
    this.state = new ChainState({ network: this.network, coinbaseMaturity: this.coinbaseMaturity, scriptCache: this.scriptCache, mint: this.mintRules });
    this.pool = new Mempool({
      role,
      coinbaseMaturity: this.coinbaseMaturity,
      scriptCache: this.scriptCache,
      tipHeight: () => this.tipEntry.height,
      tipMedianTime: () => this.tipEntry.medianTime,
      confirmedCoin: (key) => this.state.utxos.get(key),
      isClaimed: (key) => this.state.claims.has(key),
      isConfirmed: (txidLE) => this.state.txIndex.has(hashKey(txidLE)),
      verifyMint: (decoded) => this.verifyMintNow(decoded),
      now: () => this.now(),
    });

    const genesis = verifyBlock(this.network.genesisBlock, { powLimit: this.params.powLimit });
    const entry = this.index.add(
      { hashLE: genesis.hashLE, header80: this.params.genesisHeader, raw: this.network.genesisBlock, transactions: genesis.transactions, weight: weightOf(genesis.transactions) },
      undefined,
    );
    entry.connectedOnce = true;
    entry.undo = { txs: [], claims: [], fees: 0n };
    this.active.push(entry);
  }

  /**
   * A node's chain. With `datadir`, the blocks stored there are replayed (each revalidated; in the
   * side role `mainChain` must already hold the main chain's headers, or mints fail again) and
   * new blocks are appended. TypeError/RangeError for bad options.
   */
  static create(options: DevnetChainOptions): DevnetChain {
    if (options === null || typeof options !== 'object') throw new TypeError('options: expected an object');
    const chain = new DevnetChain(options);
    if (options.datadir !== undefined) chain.openStore(options.datadir);
    return chain;
  }

  private openStore(datadir: string): void {
    const { store, blocks, invalidated } = BlockStore.open(datadir, this.network.storeMagic);
    const marks = new Set(invalidated.map(hashKey));
    for (const raw of blocks) {
      let entry: BlockEntry | undefined;
      try {
        entry = this.acceptBlock(raw, true).entry;
        this.replayed.blocks++;
      } catch (error) {
        if (!(error instanceof DevnetRejectError)) throw error;
        this.replayed.refused++; // refused again: it never counted
        continue;
      }
      if (marks.has(entry.key) && !entry.invalidated) {
        this.index.markInvalidated(entry);
        if (this.active[entry.height] === entry) this.disconnectTo(entry.prev!);
        this.index.resetCandidates();
      }
      this.activateBestChain(this.tipEntry, false);
    }
    this.store = store;
  }

  // ---------------------------------------------------------------- events

  onTip(listener: (tip: BlockInfo) => void): () => void {
    return this.tipEvents.on(listener);
  }

  onReorg(listener: (reorg: { fork: BlockInfo; removed: BlockInfo[]; added: BlockInfo[] }) => void): () => void {
    return this.reorgEvents.on(listener);
  }

  onMempoolTx(listener: (txidLE: Uint8Array) => void): () => void {
    return this.mempoolEvents.on(listener);
  }

  // ---------------------------------------------------------------- chain queries

  tip(): BlockInfo {
    return this.info(this.tipEntry);
  }

  blockInfo(hashLE: Uint8Array): BlockInfo | undefined {
    assertBytes(hashLE, 32, 'hashLE');
    const entry = this.index.get(hashLE);
    return entry === undefined ? undefined : this.info(entry);
  }

  blockHashAtHeight(height: number): Uint8Array | undefined {
    if (!Number.isSafeInteger(height) || height < 0) return undefined;
    return this.active[height]?.hashLE.slice();
  }

  rawBlock(hashLE: Uint8Array): Uint8Array | undefined {
    assertBytes(hashLE, 32, 'hashLE');
    return this.index.get(hashLE)?.raw.slice();
  }

  chainTips(): BlockInfo[] {
    const tips = [...this.index.values()].filter((e) => e.children.length === 0);
    if (!tips.includes(this.tipEntry)) tips.push(this.tipEntry);
    return tips.map((e) => this.info(e));
  }

  /** Median time past of the tip (what the next block's time must exceed). */
  medianTimePast(): number {
    return this.tipEntry.medianTime;
  }

  // ---------------------------------------------------------------- blocks

  submitBlock(raw: Uint8Array): SubmitOutcome {
    this.assertOpen();
    assertBytes(raw, undefined, 'raw block');
    try {
      return { accepted: true, hashLE: this.processBlock(raw).hashLE.slice() };
    } catch (error) {
      if (error instanceof DevnetRejectError) return { accepted: false, reason: error.message, code: error.rejectCode };
      throw error;
    }
  }

  invalidateBlock(hashLE: Uint8Array): void {
    this.assertOpen();
    const entry = this.requireBlock(hashLE);
    if (entry.height === 0) throw new RangeError('hashLE: the genesis block cannot be invalidated');
    const before = this.tipEntry;
    this.index.markInvalidated(entry);
    if (this.active[entry.height] === entry) this.disconnectTo(entry.prev!);
    this.index.resetCandidates();
    this.saveInvalidated();
    this.activateBestChain(before, true);
  }

  reconsiderBlock(hashLE: Uint8Array): void {
    this.assertOpen();
    const entry = this.requireBlock(hashLE);
    this.index.clearFailures(entry);
    this.saveInvalidated();
    this.activateBestChain(this.tipEntry, true);
  }

  // ---------------------------------------------------------------- transactions

  transaction(txidLE: Uint8Array): { tx: DecodedTransaction; blockHashLE?: Uint8Array; blockHeight?: number } | undefined {
    assertBytes(txidLE, 32, 'txidLE');
    const at = this.state.txIndex.get(hashKey(txidLE));
    if (at !== undefined) return { tx: at.block.transactions[at.index]!, blockHashLE: at.block.hashLE.slice(), blockHeight: at.block.height };
    const pooled = this.pool.get(txidLE);
    return pooled === undefined ? undefined : { tx: pooled.decoded };
  }

  /**
   * An unspent output of the best chain; with `includeMempool`, none that a mempool transaction
   * spends, and the outputs of mempool transactions too (their `height` is the next block's).
   */
  utxo(txidLE: Uint8Array, vout: number, includeMempool: boolean): UtxoEntry | undefined {
    assertBytes(txidLE, 32, 'txidLE');
    assertInteger(vout, 0, 0xffffffff, 'vout');
    const key = outpointKey(txidLE, vout);
    if (includeMempool && this.pool.spenderOf(key) !== undefined) return undefined;
    const coin = this.state.utxos.get(key);
    if (coin !== undefined) return toUtxoEntry(coin);
    if (!includeMempool) return undefined;
    const pooled = this.pool.get(txidLE);
    const output = pooled?.decoded.tx.outputs[vout];
    if (pooled === undefined || output === undefined || isUnspendable(output.scriptPubKey)) return undefined;
    return { txidLE: pooled.decoded.txidLE.slice(), vout, output, height: this.tipEntry.height + 1, coinbase: false };
  }

  utxosByScript(scriptPubKey: Uint8Array): UtxoEntry[] {
    assertBytes(scriptPubKey, undefined, 'scriptPubKey');
    return this.state.utxos.byScriptPubKey(scriptPubKey).map(toUtxoEntry);
  }

  utxoSetStats(): UtxoSetStats {
    return this.state.utxos.stats();
  }

  /** Unspent outputs on the best this. */
  get utxoCount(): number {
    return this.state.utxos.size;
  }

  // ---------------------------------------------------------------- mempool

  testAccept(raw: Uint8Array): AcceptResult {
    this.assertOpen();
    return this.acceptRaw(raw, true);
  }

  acceptToMempool(raw: Uint8Array): AcceptResult {
    this.assertOpen();
    return this.acceptRaw(raw, false);
  }

  mempool(): MempoolEntry[] {
    return this.pool.transactions().map((t) => this.pool.toEntry(t));
  }

  mempoolEntry(txidLE: Uint8Array): MempoolEntry | undefined {
    assertBytes(txidLE, 32, 'txidLE');
    const pooled = this.pool.get(txidLE);
    return pooled === undefined ? undefined : this.pool.toEntry(pooled);
  }

  mempoolSpenderOf(txidLE: Uint8Array, vout: number): Uint8Array | undefined {
    assertBytes(txidLE, 32, 'txidLE');
    assertInteger(vout, 0, 0xffffffff, 'vout');
    return this.pool.spenderOf(outpointKey(txidLE, vout))?.decoded.txidLE.slice();
  }

  estimateFeeRate(blocks: number): number {
    assertInteger(blocks, 1, 1008, 'blocks');
    return this.pool.estimateFeeRate(blocks);
  }

  // ---------------------------------------------------------------- mining

  generate(count: number, scriptPubKey: Uint8Array): Uint8Array[] {
    this.assertOpen();
    assertInteger(count, 0, 100_000, 'count');
    assertPayout(scriptPubKey);
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < count; i++) hashes.push(this.processBlock(this.mineTemplate(scriptPubKey)).hashLE.slice());
    return hashes;
  }

  /**
   * A solved block on the tip with the mempool's best transactions, checked with
   * testBlockValidity: a transaction that would make it invalid (the mempool should never hold
   * one) leaves the mempool with its descendants and the template is built again.
   */
  private mineTemplate(scriptPubKey: Uint8Array): Uint8Array {
    if (this.role === 'side') this.dropStaleMints();
    for (;;) {
      const txs = this.pool.select().flatMap((p) => p.txs);
      let fees = 0n;
      for (const t of txs) fees += t.fee;
      const parent = this.tipEntry;
      const raw = this.mineOn(parent, txs.map((t) => t.decoded), scriptPubKey, fees);
      try {
        this.testBlockValidity(raw, parent);
        return raw;
      } catch (error) {
        const txIndex = error instanceof DevnetRejectError ? error.details['txIndex'] : undefined;
        const culprit = typeof txIndex === 'number' && txIndex >= 1 ? txs[txIndex - 1] : undefined;
        if (culprit === undefined) throw error;
        this.pool.remove(culprit);
      }
    }
  }

  generateBlock(scriptPubKey: Uint8Array, transactions: readonly (Uint8Array | { txidLE: Uint8Array })[]): Uint8Array {
    this.assertOpen();
    assertPayout(scriptPubKey);
    if (!Array.isArray(transactions)) throw new TypeError('transactions: expected an array of raw transactions or { txidLE }');
    const decoded = transactions.map((t, i): DecodedTransaction => {
      if (t instanceof Uint8Array) {
        try {
          return decodeTransaction(t);
        } catch (error) {
          if (error instanceof ProofError) throw new DevnetRejectError('TX_MALFORMED', 'TX decode failed', { detail: `transactions[${i}]: ${error.message}`, cause: error });
          throw error;
        }
      }
      assertBytes(t?.txidLE, 32, `transactions[${i}].txidLE`);
      const pooled = this.pool.get(t.txidLE);
      if (pooled === undefined) throw new RangeError(`transactions[${i}]: transaction ${hashToDisplay(t.txidLE)} is not in the mempool`);
      return pooled.decoded;
    });
    const parent = this.tipEntry;
    const raw = this.mineOn(parent, decoded, scriptPubKey, this.feesOf(decoded));
    this.testBlockValidity(raw, parent);
    return this.processBlock(raw).hashLE.slice();
  }

  generateOn(parentHashLE: Uint8Array, count: number, scriptPubKey: Uint8Array): Uint8Array[] {
    this.assertOpen();
    let parent = this.requireBlock(parentHashLE);
    assertInteger(count, 0, 100_000, 'count');
    assertPayout(scriptPubKey);
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const entry = this.processBlock(this.mineOn(parent, [], scriptPubKey, 0n));
      hashes.push(entry.hashLE.slice());
      parent = entry;
    }
    return hashes;
  }

  // ---------------------------------------------------------------- side role

  claimOf(lockTxidLE: Uint8Array, lockVout: number): { mintTxidLE: Uint8Array; blockHashLE?: Uint8Array; height?: number } | undefined {
    assertBytes(lockTxidLE, 32, 'lockTxidLE');
    assertInteger(lockVout, 0, 0xffffffff, 'lockVout');
    const key = makeClaimKey(lockTxidLE, lockVout);
    const claim = this.state.claims.get(key);
    if (claim !== undefined) return { mintTxidLE: claim.mintTxidLE.slice(), blockHashLE: claim.blockHashLE.slice(), height: claim.height };
    const pooled = this.pool.claimantOf(key);
    return pooled === undefined ? undefined : { mintTxidLE: pooled.decoded.txidLE.slice() };
  }

  /** Lock outpoints claimed on the best chain (side role). */
  get claimCount(): number {
    return this.state.claims.size;
  }

  close(): Promise<void> {
    this.closed = true;
    this.store?.close();
    this.store = undefined;
    return Promise.resolve();
  }

  // ---------------------------------------------------------------- internals

  private get tipEntry(): BlockEntry {
    return this.active[this.active.length - 1]!;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('devnet chain: closed');
  }

  private requireBlock(hashLE: Uint8Array): BlockEntry {
    assertBytes(hashLE, 32, 'hashLE');
    const entry = this.index.get(hashLE);
    if (entry === undefined) throw new RangeError(`hashLE: block ${hashToDisplay(hashLE)} not found`);
    return entry;
  }

  /** Accepts a block and activates the best chain; throws the refusal, or the block's own connect failure. */
  private processBlock(raw: Uint8Array): BlockEntry {
    const { entry, isNew } = this.acceptBlock(raw, false);
    if (isNew) this.activateBestChain(this.tipEntry, true);
    if (entry.failure !== undefined) throw entry.failure;
    // an ancestor failed while this block's branch was being connected
    if (entry.invalid) reject('BLOCK_PREV_INVALID', 'bad-prevblk', 'an ancestor of the block failed to connect');
    return entry;
  }

  /**
   * Steps 1 to 4 of the class comment and storage. `replay`: the block comes from blocks.dat (not
   * written again; a block on an invalid parent is kept as a failed child, as it was).
   */
  private acceptBlock(raw: Uint8Array, replay: boolean): { entry: BlockEntry; isNew: boolean } {
    let verified;
    try {
      verified = verifyBlock(raw, { powLimit: this.params.powLimit });
    } catch (error) {
      throw blockRejectFromProofError(error);
    }
    const known = this.index.get(verified.hashLE);
    if (known !== undefined) {
      if (known.invalid) reject('BLOCK_DUPLICATE_INVALID', 'duplicate-invalid', known.failure?.message ?? 'the block is marked invalid');
      return { entry: known, isNew: false };
    }
    const prev = this.index.get(verified.header.prevHashLE);
    if (prev === undefined) reject('BLOCK_PREV_UNKNOWN', 'prev-blk-not-found', `previous block ${hashToDisplay(verified.header.prevHashLE)} is not known`);
    if (prev.invalid && !replay) reject('BLOCK_PREV_INVALID', 'bad-prevblk', `previous block ${hashToDisplay(prev.hashLE)} is invalid`);
    const height = prev.height + 1;
    const header80 = raw.slice(0, HEADER_SIZE);
    try {
      this.headers.add(header80);
    } catch (error) {
      throw blockRejectFromProofError(error);
    }
    checkBlockContext(verified.transactions, height, prev.medianTime);
    const copy = raw.slice();
    const entry = this.index.add(
      { hashLE: verified.hashLE, header80, raw: copy, transactions: verified.transactions, weight: weightOf(verified.transactions) },
      prev,
    );
    if (!replay) this.store?.append(copy);
    return { entry, isNew: true };
  }

  /**
   * Connects the best valid chain (Core's ActivateBestChain), then updates the mempool and emits
   * the events of the change from `before` (the tip when the operation started).
   */
  private activateBestChain(before: BlockEntry, emit: boolean): void {
    for (;;) {
      const tip = this.tipEntry;
      const best = this.index.bestCandidate(tip);
      if (best === tip) break;
      const fork = findFork(tip, best);
      this.disconnectTo(fork);
      const path: BlockEntry[] = [];
      for (let e: BlockEntry = best; e !== fork; e = e.prev!) path.push(e);
      path.reverse();
      for (const e of path) {
        try {
          this.connectTip(e);
        } catch (error) {
          if (!(error instanceof DevnetRejectError)) throw error;
          this.index.markFailed(e, error);
          this.index.resetCandidates();
          break;
        }
      }
    }
    const after = this.tipEntry;
    if (after === before) return;
    const fork = findFork(before, after);
    const removed: BlockEntry[] = [];
    for (let e = before; e !== fork; e = e.prev!) removed.push(e);
    const added: BlockEntry[] = [];
    for (let e = after; e !== fork; e = e.prev!) added.push(e);
    added.reverse();
    const entering = this.updateMempool(removed, added);
    if (!emit) return;
    if (removed.length === 0) {
      for (const e of added) this.tipEvents.emit(this.info(e));
    } else {
      this.reorgEvents.emit({ fork: this.info(fork), removed: removed.map((e) => this.info(e)), added: added.map((e) => this.info(e)) });
      this.tipEvents.emit(this.info(after));
    }
    for (const txidLE of entering) this.mempoolEvents.emit(txidLE.slice());
  }

  private connectTip(entry: BlockEntry): void {
    if (entry.prev !== this.tipEntry) throw new Error('connectTip: the block does not extend the tip');
    entry.undo = this.state.connect(entry);
    this.state.indexBlock(entry);
    entry.connectedOnce = true;
    this.active.push(entry);
  }

  /** Disconnects blocks until `target` is the tip. */
  private disconnectTo(target: BlockEntry): void {
    while (this.tipEntry !== target) {
      const entry = this.tipEntry;
      this.state.disconnect(entry.undo!);
      this.state.unindexBlock(entry);
      entry.undo = undefined;
      this.active.pop();
    }
  }

  /**
   * The mempool after the best chain moved: for a plain extension, the mined and conflicting
   * transactions leave; after a reorg, the transactions of the disconnected blocks (oldest first)
   * and then the old mempool are accepted again on the new tip, without replacements (those no
   * longer valid are dropped). Returns the txids that entered the mempool.
   */
  private updateMempool(removed: readonly BlockEntry[], added: readonly BlockEntry[]): Uint8Array[] {
    if (removed.length === 0) {
      for (const e of added) this.pool.removeForBlock(e.transactions, e.undo?.claims ?? []);
      return [];
    }
    const before = new Set(this.pool.transactions().map((t) => t.key));
    const resubmit: DecodedTransaction[] = [];
    for (let i = removed.length - 1; i >= 0; i--) resubmit.push(...removed[i]!.transactions.slice(1));
    resubmit.push(...this.pool.drain());
    const entering: Uint8Array[] = [];
    for (const decoded of resubmit) {
      try {
        this.pool.accept(decoded, { dryRun: false, allowReplacement: false });
        if (!before.has(hashKey(decoded.txidLE))) entering.push(decoded.txidLE);
      } catch (error) {
        if (!(error instanceof DevnetRejectError)) throw error;
      }
    }
    return entering;
  }

  private acceptRaw(raw: Uint8Array, dryRun: boolean): AcceptResult {
    assertBytes(raw, undefined, 'raw transaction');
    let decoded: DecodedTransaction;
    try {
      decoded = decodeTransaction(raw);
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
      // no txid without a decoding: zero hashes (the RPC answers -22 "TX decode failed")
      return { allowed: false, txidLE: new Uint8Array(32), wtxidLE: new Uint8Array(32), reason: `TX decode failed (${error.message})`, code: 'malformed' };
    }
    const ids = { txidLE: decoded.txidLE.slice(), wtxidLE: decoded.wtxidLE.slice() };
    const held = this.pool.get(decoded.txidLE);
    if (!dryRun && held !== undefined && hashKey(held.decoded.wtxidLE) === hashKey(decoded.wtxidLE)) {
      return { allowed: true, ...ids, fee: held.fee, vsize: held.vsize };
    }
    try {
      const accepted = this.pool.accept(decoded, { dryRun, allowReplacement: true });
      if (!dryRun) this.mempoolEvents.emit(decoded.txidLE.slice());
      return { allowed: true, ...ids, fee: accepted.fee, vsize: accepted.vsize };
    } catch (error) {
      if (error instanceof DevnetRejectError) return { allowed: false, ...ids, reason: error.message, code: error.rejectCode };
      throw error;
    }
  }

  private verifyMintNow(decoded: DecodedTransaction): VerifiedMint {
    if (this.mintRules === undefined) throw new Error('verifyMint: not a side-role chain');
    return verifyMint(decoded, this.mintRules);
  }

  /** Side role: mempool mints whose proof no longer holds (the main chain moved) leave before mining. */
  private dropStaleMints(): void {
    for (const t of this.pool.transactions()) {
      if (t.claim === undefined || this.pool.get(t.decoded.txidLE) === undefined) continue;
      try {
        this.verifyMintNow(t.decoded);
      } catch (error) {
        if (!(error instanceof DevnetRejectError)) throw error;
        this.pool.remove(t);
      }
    }
  }

  /** A solved block on `parent` with these transactions, paying subsidy + `fees` to `scriptPubKey`. */
  private mineOn(parent: BlockEntry, transactions: readonly DecodedTransaction[], scriptPubKey: Uint8Array, fees: bigint): Uint8Array {
    const height = parent.height + 1;
    this.extraNonce = (this.extraNonce + 1n) & ((1n << 64n) - 1n);
    return assembleBlock({
      prevHashLE: parent.hashLE,
      height,
      time: Math.max(this.now(), parent.medianTime + 1),
      transactions,
      coinbaseOutputs: [{ value: this.network.subsidy(height) + fees, scriptPubKey }],
      extraNonce: this.extraNonce,
    });
  }

  /**
   * Fees of transactions mined in this order on the tip: inputs from the UTXO set and earlier
   * transactions of the list, mints from their proofs. An input that cannot be found counts 0
   * (the block's validation then names the problem).
   */
  private feesOf(transactions: readonly DecodedTransaction[]): bigint {
    const created = new Map<string, bigint>();
    let fees = 0n;
    for (const t of transactions) {
      let inputs = 0n;
      if (this.mintRules !== undefined && hasPegInInput(t.tx)) {
        try {
          inputs = this.verifyMintNow(t).lockedAmount;
        } catch (error) {
          if (!(error instanceof DevnetRejectError)) throw error;
        }
      } else {
        for (const input of t.tx.inputs) {
          const key = outpointKey(input.prevTxidLE, input.prevVout);
          inputs += created.get(key) ?? this.state.utxos.get(key)?.output.value ?? 0n;
        }
      }
      let outputs = 0n;
      t.tx.outputs.forEach((o, vout) => {
        outputs += o.value;
        created.set(outpointKey(t.txidLE, vout), o.value);
      });
      if (inputs > outputs) fees += inputs - outputs;
    }
    return fees;
  }

  /** Core's TestBlockValidity: the block would connect on `parent` (the tip); nothing is kept. */
  private testBlockValidity(raw: Uint8Array, parent: BlockEntry): void {
    let verified;
    try {
      verified = verifyBlock(raw, { powLimit: this.params.powLimit });
    } catch (error) {
      throw blockRejectFromProofError(error);
    }
    checkBlockContext(verified.transactions, parent.height + 1, parent.medianTime);
    const undo = this.state.connect({ hashLE: verified.hashLE, height: parent.height + 1, transactions: verified.transactions });
    this.state.disconnect(undo);
  }

  private saveInvalidated(): void {
    if (this.store === undefined) return;
    const marked = [...this.index.values()].filter((e) => e.invalidated).map((e) => e.hashLE);
    this.store.writeInvalidated(marked);
  }

  private info(entry: BlockEntry): BlockInfo {
    const onActive = this.active[entry.height] === entry;
    const next = onActive ? this.active[entry.height + 1] : undefined;
    const status: BlockInfo['status'] = onActive ? 'active' : entry.invalid ? 'invalid' : entry.connectedOnce ? 'valid-fork' : 'valid-headers';
    return {
      hashLE: entry.hashLE.slice(),
      height: entry.height,
      header80: entry.header80.slice(),
      chainWork: entry.chainWork,
      prevHashLE: entry.header80.slice(4, 36),
      ...(next === undefined ? {} : { nextHashLE: next.hashLE.slice() }),
      medianTime: entry.medianTime,
      txCount: entry.transactions.length,
      size: entry.raw.length,
      strippedSize: entry.strippedSize,
      weight: entry.weight,
      status,
    };
  }
}

function toUtxoEntry(coin: { txidLE: Uint8Array; vout: number; output: UtxoEntry['output']; height: number; coinbase: boolean }): UtxoEntry {
  return { txidLE: coin.txidLE.slice(), vout: coin.vout, output: coin.output, height: coin.height, coinbase: coin.coinbase };
}

/** BIP141 weight of a block with these transactions. */
function weightOf(transactions: readonly DecodedTransaction[]): number {
  let weight = (HEADER_SIZE + compactSizeLength(transactions.length)) * WITNESS_SCALE_FACTOR;
  for (const t of transactions) weight += t.weight;
  return weight;
}

/** A coinbase payout must be a standard output script other than OP_RETURN. */
function assertPayout(scriptPubKey: Uint8Array): void {
  assertBytes(scriptPubKey, undefined, 'scriptPubKey');
  if (!isStandardOutputScript(scriptPubKey) || isUnspendable(scriptPubKey)) {
    throw new RangeError('scriptPubKey: expected a P2WPKH, P2WSH or P2TR output script for the coinbase');
  }
}
