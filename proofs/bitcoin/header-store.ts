/**
 * Compact, append-only storage for a header tree: every header of every branch, in typed arrays
 * so that a million headers cost under 200 bytes each (docs/proofs.md has the measured figure).
 *
 * Per header: the 80 raw bytes, the 32-byte hash, the parent's index, the height, the cumulative
 * work (256 bits as eight 32-bit limbs, added with carries in plain numbers: no BigInt on the hot
 * path), one 32-bit slot for the difficulty rule's use, and two slots of an open-addressing hash
 * index. Records are never removed; indexes are stable.
 * This module only stores: it validates nothing (header-chain.ts does).
 */
import { HEADER_SIZE } from './header.js';

const HASH_SIZE = 32;
const WORK_LIMBS = 8;
const EMPTY = -1;

export class HeaderStore {
  private capacity: number;
  private size = 0;
  private headers: Uint8Array;
  private headerView: DataView;
  private hashes: Uint8Array;
  private hashView: DataView;
  private parents: Int32Array;
  private heights: Int32Array;
  private works: Uint32Array;
  private aux: Uint32Array;
  private slots: Int32Array;
  private slotMask: number;

  constructor(initialCapacity = 1024) {
    this.capacity = nextPowerOfTwo(Math.max(16, initialCapacity));
    this.headers = new Uint8Array(this.capacity * HEADER_SIZE);
    this.headerView = new DataView(this.headers.buffer);
    this.hashes = new Uint8Array(this.capacity * HASH_SIZE);
    this.hashView = new DataView(this.hashes.buffer);
    this.parents = new Int32Array(this.capacity);
    this.heights = new Int32Array(this.capacity);
    this.works = new Uint32Array(this.capacity * WORK_LIMBS);
    this.aux = new Uint32Array(this.capacity);
    this.slots = new Int32Array(this.capacity * 2).fill(EMPTY);
    this.slotMask = this.slots.length - 1;
  }

  get count(): number {
    return this.size;
  }

  /** Bytes held by the typed arrays (what the memory budget counts). */
  get allocatedBytes(): number {
    return (
      this.headers.byteLength + this.hashes.byteLength + this.parents.byteLength + this.heights.byteLength +
      this.works.byteLength + this.aux.byteLength + this.slots.byteLength
    );
  }

  /**
   * Appends a record whose cumulative work is its parent's plus `workLimbs` (see workToLimbs) and
   * returns its index. The caller guarantees the hash is not yet stored and the parent exists.
   */
  add(header80: Uint8Array, hashLE: Uint8Array, parent: number, height: number, workLimbs: Uint32Array, aux: number): number {
    const i = this.append(header80, hashLE, parent, height, aux);
    const works = this.works;
    const base = i * WORK_LIMBS;
    const from = parent * WORK_LIMBS;
    let carry = 0;
    for (let k = 0; k < WORK_LIMBS; k++) {
      const sum = works[from + k]! + workLimbs[k]! + carry;
      works[base + k] = sum >>> 0;
      carry = sum > 0xffffffff ? 1 : 0;
    }
    if (carry !== 0) throw new RangeError('header store: cumulative work overflows 256 bits');
    return i;
  }

  /** Appends a record with no parent (the anchor) and the given cumulative work. */
  addRoot(header80: Uint8Array, hashLE: Uint8Array, height: number, cumulativeWork: bigint, aux: number): number {
    const i = this.append(header80, hashLE, -1, height, aux);
    this.works.set(workToLimbs(cumulativeWork), i * WORK_LIMBS);
    return i;
  }

  private append(header80: Uint8Array, hashLE: Uint8Array, parent: number, height: number, aux: number): number {
    if (this.size === this.capacity) this.grow();
    const i = this.size++;
    this.headers.set(header80, i * HEADER_SIZE);
    this.hashes.set(hashLE, i * HASH_SIZE);
    this.parents[i] = parent;
    this.heights[i] = height;
    this.aux[i] = aux;
    this.insertSlot(i);
    return i;
  }

  /** The index of the header with this hash (internal order), or -1. */
  indexOf(hashLE: Uint8Array, offset = 0): number {
    let slot = this.slotKey(hashLE, offset) & this.slotMask;
    for (;;) {
      const i = this.slots[slot]!;
      if (i === EMPTY) return -1;
      if (this.hashEquals(i, hashLE, offset)) return i;
      slot = (slot + 1) & this.slotMask;
    }
  }

  /** A view of the 80 header bytes of record i (valid until the store grows; copy to keep). */
  header(i: number): Uint8Array {
    return this.headers.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE);
  }

  /** A view of the hash of record i (valid until the store grows; copy to keep). */
  hash(i: number): Uint8Array {
    return this.hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  }

  parent(i: number): number {
    return this.parents[i]!;
  }

  height(i: number): number {
    return this.heights[i]!;
  }

  auxValue(i: number): number {
    return this.aux[i]!;
  }

  version(i: number): number {
    return this.headerView.getInt32(i * HEADER_SIZE, true);
  }

  time(i: number): number {
    return this.headerView.getUint32(i * HEADER_SIZE + 68, true);
  }

  bits(i: number): number {
    return this.headerView.getUint32(i * HEADER_SIZE + 72, true);
  }

  cumulativeWork(i: number): bigint {
    let n = 0n;
    for (let k = WORK_LIMBS - 1; k >= 0; k--) n = (n << 32n) | BigInt(this.works[i * WORK_LIMBS + k]!);
    return n;
  }

  /** -1, 0 or 1 as record a's cumulative work is less than, equal to or more than record b's. */
  compareWork(a: number, b: number): number {
    for (let k = WORK_LIMBS - 1; k >= 0; k--) {
      const x = this.works[a * WORK_LIMBS + k]!;
      const y = this.works[b * WORK_LIMBS + k]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  }

  private slotKey(hash: Uint8Array, offset: number): number {
    // Hash bytes are uniformly distributed at the start (the zeros PoW demands are at the end in
    // internal order), so the first four bytes are a good key.
    return (hash[offset]! | (hash[offset + 1]! << 8) | (hash[offset + 2]! << 16) | (hash[offset + 3]! << 24)) >>> 0;
  }

  private hashEquals(i: number, hash: Uint8Array, offset: number): boolean {
    const base = i * HASH_SIZE;
    for (let k = 0; k < HASH_SIZE; k++) if (this.hashes[base + k] !== hash[offset + k]) return false;
    return true;
  }

  private insertSlot(i: number): void {
    const key = this.hashView.getUint32(i * HASH_SIZE, true);
    let slot = key & this.slotMask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.slotMask;
    this.slots[slot] = i;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.headers = resized(this.headers, capacity * HEADER_SIZE);
    this.headerView = new DataView(this.headers.buffer);
    this.hashes = resized(this.hashes, capacity * HASH_SIZE);
    this.hashView = new DataView(this.hashes.buffer);
    this.parents = resized(this.parents, capacity);
    this.heights = resized(this.heights, capacity);
    this.works = resized(this.works, capacity * WORK_LIMBS);
    this.aux = resized(this.aux, capacity);
    this.capacity = capacity;
    this.slots = new Int32Array(capacity * 2).fill(EMPTY);
    this.slotMask = this.slots.length - 1;
    for (let i = 0; i < this.size; i++) this.insertSlot(i);
  }
}

type TypedArray = Uint8Array | Int32Array | Uint32Array;

function resized<T extends TypedArray>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array as never);
  return next;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** A work value (0 <= work < 2^256) as eight little-endian 32-bit limbs, the store's layout. */
export function workToLimbs(work: bigint): Uint32Array {
  if (work < 0n || work >= 1n << 256n) throw new RangeError(`work: expected 0 <= work < 2^256, got ${work}`);
  const limbs = new Uint32Array(WORK_LIMBS);
  let w = work;
  for (let k = 0; k < WORK_LIMBS; k++) {
    limbs[k] = Number(w & 0xffffffffn);
    w >>= 32n;
  }
  return limbs;
}
