/**
 * Every block the node holds (all branches), with its status, cumulative work and first-seen
 * order, and the choice of the best chain: the valid block with the most work, the first seen
 * winning a tie. As in Bitcoin Core, a block is "invalid" when it failed to connect, when the
 * operator invalidated it, or when one of its ancestors is either (a "failed child").
 */
import type { DecodedTransaction } from '../../../proofs/bitcoin/transaction.js';
import { readHeaderBits, readHeaderTime } from '../../../proofs/bitcoin/header.js';
import { workForBits } from '../../../proofs/bitcoin/pow.js';
import type { DevnetRejectError } from '../errors.js';
import { hashKey } from '../outpoint.js';
import type { BlockUndo } from './chain-state.js';

const MEDIAN_SPAN = 11;

/** One held block. Mutable status fields are owned by BlockIndex and the chain. */
export class BlockEntry {
  readonly key: string;
  readonly children: BlockEntry[] = [];
  /** Passed ConnectBlock at least once. */
  connectedOnce = false;
  /** ConnectBlock refused it: the refusal. */
  failure: DevnetRejectError | undefined;
  /** The operator's invalidateblock. */
  invalidated = false;
  /** An ancestor failed or was invalidated. */
  failedChild = false;
  /** Undo data while the block is connected. */
  undo: BlockUndo | undefined;

  constructor(
    readonly hashLE: Uint8Array,
    readonly header80: Uint8Array,
    readonly raw: Uint8Array,
    readonly transactions: readonly DecodedTransaction[],
    readonly weight: number,
    readonly prev: BlockEntry | undefined,
    readonly height: number,
    readonly chainWork: bigint,
    readonly medianTime: number,
    /** First-seen order: the lower wins a tie of work. */
    readonly sequence: number,
  ) {
    this.key = hashKey(hashLE);
  }

  get time(): number {
    return readHeaderTime(this.header80);
  }

  get invalid(): boolean {
    return this.failure !== undefined || this.invalidated || this.failedChild;
  }

  get strippedSize(): number {
    let size = this.raw.length;
    for (const t of this.transactions) size -= t.size - t.strippedSize;
    return size;
  }
}

/** Every held block by hash, and the candidates for the best chain. */
export class BlockIndex {
  private readonly byKey = new Map<string, BlockEntry>();
  private readonly candidates = new Set<BlockEntry>();
  private nextSequence = 0;

  get size(): number {
    return this.byKey.size;
  }

  get(hashLE: Uint8Array): BlockEntry | undefined {
    return this.byKey.get(hashKey(hashLE));
  }

  values(): IterableIterator<BlockEntry> {
    return this.byKey.values();
  }

  /**
   * Adds a block whose parent is held (or the genesis, without parent). Its work, median time
   * past and first-seen order are computed here; a block on an invalid parent is a failed child.
   */
  add(block: { hashLE: Uint8Array; header80: Uint8Array; raw: Uint8Array; transactions: readonly DecodedTransaction[]; weight: number }, prev: BlockEntry | undefined): BlockEntry {
    const height = prev === undefined ? 0 : prev.height + 1;
    const chainWork = (prev?.chainWork ?? 0n) + workForBits(readHeaderBits(block.header80));
    const entry = new BlockEntry(
      block.hashLE,
      block.header80,
      block.raw,
      block.transactions,
      block.weight,
      prev,
      height,
      chainWork,
      medianTimeOf(readHeaderTime(block.header80), prev),
      this.nextSequence++,
    );
    if (this.byKey.has(entry.key)) throw new Error('block index: block already held');
    this.byKey.set(entry.key, entry);
    if (prev !== undefined) {
      prev.children.push(entry);
      if (prev.invalid) entry.failedChild = true;
    }
    if (!entry.invalid) this.candidates.add(entry);
    return entry;
  }

  /**
   * The valid block with the most work (the lowest first-seen order among equals); `tip` when
   * nothing beats it. Candidates with less work than the tip are dropped: they cannot win until
   * an invalidation, after which `resetCandidates` runs.
   */
  bestCandidate(tip: BlockEntry): BlockEntry {
    let best = tip;
    for (const c of this.candidates) {
      if (c.invalid || c.chainWork < tip.chainWork) {
        this.candidates.delete(c);
        continue;
      }
      if (c.chainWork > best.chainWork || (c.chainWork === best.chainWork && c.sequence < best.sequence)) best = c;
    }
    return best;
  }

  /** Every valid block becomes a candidate again (after an invalidation or a reconsideration). */
  resetCandidates(): void {
    this.candidates.clear();
    for (const e of this.byKey.values()) if (!e.invalid) this.candidates.add(e);
  }

  /** Marks a block that failed to connect, and its descendants as failed children. */
  markFailed(entry: BlockEntry, failure: DevnetRejectError): void {
    entry.failure = failure;
    this.markDescendantsFailed(entry);
  }

  /** The operator's invalidateblock: the block, and its descendants as failed children. */
  markInvalidated(entry: BlockEntry): void {
    entry.invalidated = true;
    this.markDescendantsFailed(entry);
  }

  /**
   * Core's ResetBlockFailureFlags: clears every failure mark of the block, its descendants and its
   * ancestors; returns the blocks whose operator mark was cleared. Descendants that still fail
   * are found again when the chain tries them.
   */
  clearFailures(entry: BlockEntry): BlockEntry[] {
    const cleared: BlockEntry[] = [];
    const clear = (e: BlockEntry): void => {
      if (e.invalidated) cleared.push(e);
      e.failure = undefined;
      e.invalidated = false;
      e.failedChild = false;
    };
    for (const d of this.descendants(entry)) clear(d);
    for (let a: BlockEntry | undefined = entry; a !== undefined; a = a.prev) clear(a);
    // a descendant may still sit above another invalid block that was not cleared: recompute
    for (const d of this.descendants(entry)) d.failedChild = d.prev !== undefined && d.prev.invalid;
    this.resetCandidates();
    return cleared;
  }

  /** Every descendant of `entry` (not itself), parents before children. */
  descendants(entry: BlockEntry): BlockEntry[] {
    const out: BlockEntry[] = [...entry.children];
    for (let i = 0; i < out.length; i++) out.push(...out[i]!.children);
    return out;
  }

  private markDescendantsFailed(entry: BlockEntry): void {
    this.candidates.delete(entry);
    for (const d of this.descendants(entry)) {
      d.failedChild = true;
      this.candidates.delete(d);
    }
  }
}

/** Median of the timestamps of a block (given by its time) and up to 10 ancestors. */
function medianTimeOf(time: number, prev: BlockEntry | undefined): number {
  const times = [time];
  for (let e = prev; e !== undefined && times.length < MEDIAN_SPAN; e = e.prev) times.push(e.time);
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

/** The last common ancestor of two held blocks. */
export function findFork(a: BlockEntry, b: BlockEntry): BlockEntry {
  let x: BlockEntry = a;
  let y: BlockEntry = b;
  while (x.height > y.height) x = x.prev!;
  while (y.height > x.height) y = y.prev!;
  while (x !== y) {
    x = x.prev!;
    y = y.prev!;
  }
  return x;
}
