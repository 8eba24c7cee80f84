/**
 * A proof-of-work light client for one Bitcoin-family network: a tree of validated headers from a
 * trusted anchor, with the best chain chosen by most cumulative work (first seen wins a tie, as in
 * Bitcoin Core). Every header is checked as Core's AcceptBlockHeader does: PoW against its own
 * bits, a known parent, the bits the difficulty rule requires, a timestamp above the median of
 * the previous 11 and at most 2 hours ahead of the (injectable) clock, the BIP94 timewarp rule
 * where enabled, and the minimum versions after BIP34/66/65.
 *
 * Hashes passed in and out are internal byte order (`...LE`); use bytes.ts to convert display hex.
 */
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import { bytesToHex, concatBytes, equalBytes, hashToDisplay } from '../bytes.js';
import { ProofError } from '../errors.js';
import { sha256, sha256d } from '../hash.js';
import { HEADER_SIZE, readHeaderBits, readHeaderTime, readHeaderVersion } from './header.js';
import { HeaderStore } from './header-store.js';
import { powLimitBits, type NetworkParams } from './params.js';
import { nextRetargetBits } from './difficulty.js';
import { checkHeaderPow, hex32, TargetCache } from './header-pow.js';
import { bitsToTarget, hashToBigInt, targetToLE, workForTarget } from './pow.js';

export interface BlockRef {
  readonly height: number;
  readonly hashLE: Uint8Array;
}

export interface Reorg {
  /** The last block both branches share. */
  readonly fork: BlockRef;
  /** Blocks that left the best chain, from the old tip down to just above the fork. */
  readonly removed: readonly BlockRef[];
  /** Blocks that joined the best chain, from just above the fork up to the new tip. */
  readonly added: readonly BlockRef[];
}

export type AddResult =
  /** Already held; nothing changed. */
  | { readonly status: 'duplicate'; readonly block: BlockRef }
  /** Extends the best chain: it is the new tip. */
  | { readonly status: 'extended'; readonly block: BlockRef }
  /** Valid, held on a side branch with no more work than the best chain. */
  | { readonly status: 'side'; readonly block: BlockRef }
  /** Its branch now has the most work: the best chain switched. */
  | { readonly status: 'reorg'; readonly block: BlockRef; readonly reorg: Reorg };

export interface Anchor {
  /** The trusted header's 80 bytes. */
  readonly header80: Uint8Array;
  readonly height: number;
  /**
   * Cumulative work up to and including the anchor (e.g. from a checkpoints file). Only
   * differences of work decide between branches, so any consistent value works for a fresh chain.
   */
  readonly chainWork: bigint;
}

export interface HeaderChainOptions {
  /** The clock, in Unix seconds, for the 2-hours-ahead rule. Default: the system clock. */
  readonly now?: () => number;
}

const MEDIAN_SPAN = 11;

export class HeaderChain {
  readonly params: NetworkParams;
  private readonly store: HeaderStore;
  /** Best chain: bestIndexes[h - anchorHeight] is the store index of the best block at height h. */
  private best: Int32Array;
  private bestLength = 0;
  private readonly anchorHeight: number;
  private readonly now: () => number;
  private readonly minBits: number;
  private readonly targets: TargetCache;
  private readonly timeScratch = new Array<number>(MEDIAN_SPAN);

  private constructor(params: NetworkParams, anchor: Anchor, options: HeaderChainOptions, capacity: number) {
    this.params = params;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.minBits = powLimitBits(params);
    this.targets = new TargetCache(params);
    this.anchorHeight = anchor.height;
    this.store = new HeaderStore(capacity);
    this.best = new Int32Array(Math.max(16, capacity));
    checkAnchor(params, anchor);
    const hashLE = sha256d(anchor.header80);
    checkHeaderPow(params, this.targets, anchor.header80, hashLE, 'ANCHOR_INVALID');
    this.store.addRoot(anchor.header80, hashLE, anchor.height, anchor.chainWork, readHeaderBits(anchor.header80));
    this.setBest(this.bestLength++, 0);
  }

  /** A chain that starts at the network's genesis block. */
  static fromGenesis(params: NetworkParams, options: HeaderChainOptions = {}): HeaderChain {
    const genesis = params.genesisHeader;
    return new HeaderChain(params, { header80: genesis, height: 0, chainWork: workForTarget(bitsToTarget(readHeaderBits(genesis))) }, options, 1024);
  }

  /** A chain that starts at a trusted header, e.g. a checkpoint at a retarget boundary. */
  static fromAnchor(params: NetworkParams, anchor: Anchor, options: HeaderChainOptions = {}): HeaderChain {
    return new HeaderChain(params, anchor, options, 1024);
  }

  // ---------------------------------------------------------------- queries

  get tip(): BlockRef & { readonly chainWork: bigint } {
    const i = this.best[this.bestLength - 1]!;
    return { height: this.store.height(i), hashLE: this.store.hash(i).slice(), chainWork: this.store.cumulativeWork(i) };
  }

  get tipHeight(): number {
    return this.anchorHeight + this.bestLength - 1;
  }

  get anchor(): BlockRef {
    return { height: this.anchorHeight, hashLE: this.store.hash(0).slice() };
  }

  /** Headers held, on every branch. */
  get size(): number {
    return this.store.count;
  }

  has(hashLE: Uint8Array): boolean {
    return this.store.indexOf(hashLE) >= 0;
  }

  /** Height of a held block on any branch, or undefined. */
  heightOf(hashLE: Uint8Array): number | undefined {
    const i = this.store.indexOf(hashLE);
    return i < 0 ? undefined : this.store.height(i);
  }

  /** The raw 80 bytes of a held header (a copy), or undefined. */
  header(hashLE: Uint8Array): Uint8Array | undefined {
    const i = this.store.indexOf(hashLE);
    return i < 0 ? undefined : this.store.header(i).slice();
  }

  /** Cumulative work up to a held block, or undefined. */
  chainWorkOf(hashLE: Uint8Array): bigint | undefined {
    const i = this.store.indexOf(hashLE);
    return i < 0 ? undefined : this.store.cumulativeWork(i);
  }

  /** The best chain's block hash at a height, or undefined outside [anchor, tip]. */
  hashAtHeight(height: number): Uint8Array | undefined {
    const k = height - this.anchorHeight;
    if (!Number.isInteger(k) || k < 0 || k >= this.bestLength) return undefined;
    return this.store.hash(this.best[k]!).slice();
  }

  isOnBestChain(hashLE: Uint8Array): boolean {
    const i = this.store.indexOf(hashLE);
    return i >= 0 && this.indexOnBest(i);
  }

  /**
   * Confirmations of a held block: tip height - height + 1 on the best chain, 0 on a side branch,
   * undefined when the block is not held at all.
   */
  confirmations(hashLE: Uint8Array): number | undefined {
    const i = this.store.indexOf(hashLE);
    if (i < 0) return undefined;
    return this.indexOnBest(i) ? this.tipHeight - this.store.height(i) + 1 : 0;
  }

  /** The ancestor at `height` of a held block (itself at its own height), or undefined. */
  ancestor(hashLE: Uint8Array, height: number): Uint8Array | undefined {
    const i = this.store.indexOf(hashLE);
    if (i < 0 || height < this.anchorHeight || height > this.store.height(i)) return undefined;
    return this.store.hash(this.ancestorIndex(i, height)).slice();
  }

  // ---------------------------------------------------------------- adding

  /**
   * Validates one header and adds it to the tree. Throws a ProofError naming the rule it broke
   * (HEADER_MALFORMED, BITS_INVALID, HEADER_BAD_POW, HEADER_BAD_PREV, HEADER_BAD_BITS,
   * HEADER_TIME_TOO_OLD, HEADER_TIME_TOO_NEW, HEADER_TIMEWARP, HEADER_BAD_VERSION); the chain is
   * unchanged after a refusal.
   */
  add(header80: Uint8Array): AddResult {
    if (!(header80 instanceof Uint8Array) || header80.length !== HEADER_SIZE) {
      throw new ProofError('HEADER_MALFORMED', `header: expected ${HEADER_SIZE} bytes, got ${header80 instanceof Uint8Array ? header80.length : typeof header80}`);
    }
    const hashLE = sha256d(header80);
    const known = this.store.indexOf(hashLE);
    if (known >= 0) return { status: 'duplicate', block: { height: this.store.height(known), hashLE } };

    const bits = readHeaderBits(header80);
    const { workLimbs } = checkHeaderPow(this.params, this.targets, header80, hashLE);

    const parent = this.store.indexOf(header80, 4);
    if (parent < 0) {
      throw new ProofError('HEADER_BAD_PREV', `header ${hashToDisplay(hashLE)}: previous block ${hashToDisplay(header80.slice(4, 36))} is not known`, {
        details: { hash: hashToDisplay(hashLE) },
      });
    }
    const height = this.store.height(parent) + 1;
    const time = readHeaderTime(header80);
    this.checkContext(header80, hashLE, parent, height, bits, time);

    const index = this.store.add(header80, hashLE, parent, height, workLimbs, this.lastRealBits(parent, height, bits));
    return this.updateBest(index, { height, hashLE });
  }

  // ---------------------------------------------------------------- rules

  private checkContext(header80: Uint8Array, hashLE: Uint8Array, parent: number, height: number, bits: number, time: number): void {
    const store = this.store;
    const rules = this.params.difficulty;

    const required = this.requiredBits(parent, height, time);
    if (bits !== required) {
      throw new ProofError('HEADER_BAD_BITS', `header ${hashToDisplay(hashLE)} at height ${height}: bits 0x${hex32(bits)}, the difficulty rule requires 0x${hex32(required)}`, {
        details: { hash: hashToDisplay(hashLE), height, bits, required },
      });
    }

    const median = this.medianTimePast(parent);
    if (time <= median) {
      throw new ProofError('HEADER_TIME_TOO_OLD', `header ${hashToDisplay(hashLE)} at height ${height}: time ${time} is not after the median time past ${median}`, {
        details: { hash: hashToDisplay(hashLE), height, time, medianTimePast: median },
      });
    }

    if (rules.enforceBip94 && height % rules.interval === 0 && time < store.time(parent) - this.params.maxTimewarp) {
      throw new ProofError('HEADER_TIMEWARP', `header ${hashToDisplay(hashLE)} at height ${height}: first of a period, time ${time} is more than ${this.params.maxTimewarp} s before its parent's ${store.time(parent)} (BIP94)`, {
        details: { hash: hashToDisplay(hashLE), height, time },
      });
    }

    const limit = this.now() + this.params.maxFutureBlockTime;
    if (time > limit) {
      throw new ProofError('HEADER_TIME_TOO_NEW', `header ${hashToDisplay(hashLE)} at height ${height}: time ${time} is more than ${this.params.maxFutureBlockTime} s ahead of the clock (limit ${limit})`, {
        details: { hash: hashToDisplay(hashLE), height, time, limit },
      });
    }

    const version = readHeaderVersion(header80);
    const v = this.params.versionHeights;
    const minimum = height >= v.bip65 ? 4 : height >= v.bip66 ? 3 : height >= v.bip34 ? 2 : -Infinity;
    if (version < minimum) {
      throw new ProofError('HEADER_BAD_VERSION', `header ${hashToDisplay(hashLE)} at height ${height}: version ${version} is below ${minimum}, required from this height on (BIP34/66/65)`, {
        details: { hash: hashToDisplay(hashLE), height, version, minimum },
      });
    }
  }

  /** Core's GetNextWorkRequired for a header at `height` whose parent is record `parent`. */
  private requiredBits(parent: number, height: number, time: number): number {
    const store = this.store;
    const rules = this.params.difficulty;
    if (height % rules.interval !== 0) {
      if (!rules.allowMinDifficultyBlocks) return store.bits(parent);
      if (time > store.time(parent) + rules.targetSpacing * 2) return this.minBits;
      // The last header that was not a min-difficulty exception (kept per record as `aux`).
      return store.auxValue(parent);
    }
    const first = this.ancestorIndex(parent, height - rules.interval);
    return nextRetargetBits(this.params, {
      lastBits: store.bits(parent),
      firstBits: store.bits(first),
      firstTime: store.time(first),
      lastTime: store.time(parent),
    });
  }

  /**
   * The store's per-record `aux` on min-difficulty networks: the bits of the last header at or
   * below this one that is not a min-difficulty exception (Core walks back to it every time).
   */
  private lastRealBits(parent: number, height: number, bits: number): number {
    const rules = this.params.difficulty;
    return rules.allowMinDifficultyBlocks && height % rules.interval !== 0 && bits === this.minBits ? this.store.auxValue(parent) : bits;
  }

  /** Median of the timestamps of `index` and up to 10 of its ancestors (fewer just after an anchor). */
  private medianTimePast(index: number): number {
    const times = this.timeScratch;
    let n = 0;
    for (let i = index; i >= 0 && n < MEDIAN_SPAN; i = this.store.parent(i)) {
      // insertion sort as we go: at most 11 elements
      const t = this.store.time(i);
      let k = n++;
      while (k > 0 && times[k - 1]! > t) {
        times[k] = times[k - 1]!;
        k--;
      }
      times[k] = t;
    }
    return times[n >> 1]!;
  }

  // ---------------------------------------------------------------- best chain

  private indexOnBest(i: number): boolean {
    const k = this.store.height(i) - this.anchorHeight;
    return k < this.bestLength && this.best[k] === i;
  }

  private ancestorIndex(index: number, height: number): number {
    if (this.indexOnBest(index)) return this.best[height - this.anchorHeight]!;
    let i = index;
    while (this.store.height(i) > height) i = this.store.parent(i);
    return i;
  }

  private setBest(k: number, index: number): void {
    if (k >= this.best.length) {
      const next = new Int32Array(this.best.length * 2);
      next.set(this.best);
      this.best = next;
    }
    this.best[k] = index;
  }

  private updateBest(index: number, block: BlockRef): AddResult {
    const tip = this.best[this.bestLength - 1]!;
    if (this.store.compareWork(index, tip) <= 0) return { status: 'side', block };
    const parent = this.store.parent(index);
    if (parent === tip) {
      this.setBest(this.bestLength++, index);
      return { status: 'extended', block };
    }
    // Walk the new branch down to the best chain, then rewrite the best chain above the fork.
    const addedIndexes: number[] = [];
    let i = index;
    while (!this.indexOnBest(i)) {
      addedIndexes.push(i);
      i = this.store.parent(i);
    }
    const forkK = this.store.height(i) - this.anchorHeight;
    const removed: BlockRef[] = [];
    for (let k = this.bestLength - 1; k > forkK; k--) removed.push(this.ref(this.best[k]!));
    addedIndexes.reverse();
    this.bestLength = forkK + 1;
    for (const a of addedIndexes) this.setBest(this.bestLength++, a);
    return { status: 'reorg', block, reorg: { fork: this.ref(i), removed, added: addedIndexes.map((a) => this.ref(a)) } };
  }

  private ref(i: number): BlockRef {
    return { height: this.store.height(i), hashLE: this.store.hash(i).slice() };
  }

  // ---------------------------------------------------------------- persistence

  /**
   * Serializes every held header (all branches) and the best tip, so that a restart restores the
   * chain without revalidating from the anchor. Format (little-endian):
   * "URHDRS01" | u32 format=1 | varbytes network name | genesis hash (32) | u32 anchor height |
   * anchor chain work (32, LE) | u32 count | u32 tip index | count x (header 80 | hash 32 | i32 parent) |
   * SHA-256 of everything before (32).
   */
  save(): Uint8Array {
    const store = this.store;
    const w = new ByteWriter(64 + store.count * RECORD_SIZE);
    w.bytes(SAVE_MAGIC).u32(SAVE_FORMAT).varBytes(new TextEncoder().encode(this.params.name));
    w.bytes(sha256d(this.params.genesisHeader)).u32(this.anchorHeight).bytes(targetToLE(store.cumulativeWork(0)));
    w.u32(store.count).u32(this.best[this.bestLength - 1]!);
    for (let i = 0; i < store.count; i++) w.bytes(store.header(i)).bytes(store.hash(i)).i32(store.parent(i));
    const body = w.finish();
    return concatBytes(body, sha256(body));
  }

  /**
   * Restores a chain saved by `save()`. Checks the checksum, the network, that every record links
   * to an earlier one by hash, and that the saved tip has the most work; it does not re-run PoW
   * and context rules (the file is this operator's own state). CHAIN_STATE_INVALID otherwise.
   */
  static restore(params: NetworkParams, bytes: Uint8Array, options: HeaderChainOptions = {}): HeaderChain {
    const bad = (message: string): never => {
      throw new ProofError('CHAIN_STATE_INVALID', `saved header chain: ${message}`);
    };
    if (bytes.length < 32 || !equalBytes(sha256(bytes.subarray(0, bytes.length - 32)), bytes.subarray(bytes.length - 32))) {
      bad('checksum mismatch (truncated or corrupted file)');
    }
    const r = new ByteReader(bytes.subarray(0, bytes.length - 32), 'CHAIN_STATE_INVALID', 'saved header chain');
    if (!equalBytes(r.bytesView(8, 'magic'), SAVE_MAGIC)) bad('not a header chain file');
    if (r.u32('format') !== SAVE_FORMAT) bad('unsupported format version');
    const name = new TextDecoder().decode(r.varBytes('network', 64));
    if (name !== params.name || !equalBytes(r.bytesView(32, 'genesis'), sha256d(params.genesisHeader))) {
      bad(`saved for network ${JSON.stringify(name)}, not ${params.name}`);
    }
    const anchorHeight = r.u32('anchor height');
    const anchorWork = hashToBigInt(r.bytesView(32, 'anchor work'));
    const count = r.u32('count');
    const tipIndex = r.u32('tip index');
    if (count < 1 || r.remaining !== count * RECORD_SIZE || tipIndex >= count) bad('record count does not match the file size');
    const first = r.bytesView(RECORD_SIZE, 'anchor record');
    const chain = new HeaderChain(params, { header80: first.slice(0, 80), height: anchorHeight, chainWork: anchorWork }, options, count);
    const store = chain.store;
    for (let i = 1; i < count; i++) {
      const record = r.bytesView(RECORD_SIZE, `record ${i}`);
      const header80 = record.subarray(0, 80);
      const hashLE = record.subarray(80, 112);
      const parent = new DataView(record.buffer, record.byteOffset + 112, 4).getInt32(0, true);
      if (parent < 0 || parent >= i || !equalBytes(header80.subarray(4, 36), store.hash(parent))) bad(`record ${i} does not link to an earlier record`);
      if (store.indexOf(hashLE) >= 0) bad(`record ${i} repeats a hash`);
      const bits = readHeaderBits(header80);
      const height = store.height(parent) + 1;
      let workLimbs: Uint32Array;
      try {
        workLimbs = chain.targets.get(bits, hashLE).workLimbs;
      } catch {
        return bad(`record ${i} has invalid bits`);
      }
      store.add(header80, hashLE, parent, height, workLimbs, chain.lastRealBits(parent, height, bits));
    }
    for (let i = 0; i < count; i++) if (store.compareWork(i, tipIndex) > 0) bad('the saved tip does not have the most work');
    const path: number[] = [];
    for (let i = tipIndex; i >= 0; i = store.parent(i)) path.push(i);
    path.reverse();
    chain.bestLength = 0;
    for (const i of path) chain.setBest(chain.bestLength++, i);
    return chain;
  }
}

const SAVE_MAGIC = new TextEncoder().encode('URHDRS01');
const SAVE_FORMAT = 1;
const RECORD_SIZE = HEADER_SIZE + 32 + 4;


function checkAnchor(params: NetworkParams, anchor: Anchor): void {
  if (!(anchor.header80 instanceof Uint8Array) || anchor.header80.length !== HEADER_SIZE) {
    throw new ProofError('ANCHOR_INVALID', `anchor: expected an 80-byte header`);
  }
  if (!Number.isSafeInteger(anchor.height) || anchor.height < 0) {
    throw new ProofError('ANCHOR_INVALID', `anchor: height must be a non-negative integer, got ${anchor.height}`);
  }
  const rules = params.difficulty;
  if (!rules.noRetargeting && anchor.height % rules.interval !== 0) {
    throw new ProofError('ANCHOR_INVALID', `anchor: height ${anchor.height} is not a retarget boundary (a multiple of ${rules.interval}) on ${params.name}; the next retarget could not be checked`, {
      details: { height: anchor.height },
    });
  }
  if (typeof anchor.chainWork !== 'bigint' || anchor.chainWork <= 0n || anchor.chainWork >= 1n << 256n) {
    throw new ProofError('ANCHOR_INVALID', `anchor: chainWork must be a positive bigint below 2^256`);
  }
  if (anchor.height === 0 && bytesToHex(anchor.header80) !== bytesToHex(params.genesisHeader)) {
    throw new ProofError('ANCHOR_INVALID', `anchor: height 0 must be the ${params.name} genesis header`);
  }
}
