import { ProofError, type ProofErrorCode } from './errors.js';

/** Bitcoin Core refuses any compact size above this (MAX_SIZE in serialize.h). */
export const MAX_COMPACT_SIZE = 0x02000000;

/**
 * A cursor over bytes that refuses to read past the end, names what it was reading when it fails,
 * and decodes compact sizes canonically (as Core's ReadCompactSize with range checks).
 * Every failure is a ProofError with the reader's `code` (e.g. TX_MALFORMED).
 */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    private readonly code: ProofErrorCode,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  fail(message: string): never {
    throw new ProofError(this.code, `${this.what}: ${message}`, { details: { offset: this.offset } });
  }

  private need(n: number, label: string): void {
    if (n > this.remaining) this.fail(`${label}: need ${n} bytes at offset ${this.offset}, only ${this.remaining} left`);
  }

  /** A view (not a copy) of the next `n` bytes. */
  bytesView(n: number, label: string): Uint8Array {
    this.need(n, label);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** A copy of the next `n` bytes (use for values kept after the input buffer may be reused). */
  bytesCopy(n: number, label: string): Uint8Array {
    return this.bytesView(n, label).slice();
  }

  u8(label: string): number {
    this.need(1, label);
    return this.bytes[this.offset++]!;
  }

  u32(label: string): number {
    this.need(4, label);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  i32(label: string): number {
    this.need(4, label);
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }

  u64(label: string): bigint {
    this.need(8, label);
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v;
  }

  /** A canonical compact size no larger than `max` (MAX_COMPACT_SIZE unless a tighter bound is known). */
  compactSize(label: string, max = MAX_COMPACT_SIZE): number {
    const first = this.u8(label);
    let value: number;
    if (first < 0xfd) {
      value = first;
    } else if (first === 0xfd) {
      this.need(2, label);
      value = this.view.getUint16(this.offset, true);
      this.offset += 2;
      if (value < 0xfd) this.fail(`${label}: non-canonical compact size ${value}`);
    } else if (first === 0xfe) {
      value = this.u32(label);
      if (value < 0x10000) this.fail(`${label}: non-canonical compact size ${value}`);
    } else {
      const big = this.u64(label);
      if (big < 0x100000000n) this.fail(`${label}: non-canonical compact size ${big}`);
      this.fail(`${label}: compact size ${big} exceeds ${max}`);
    }
    if (value > max) this.fail(`${label}: compact size ${value} exceeds ${max}`);
    return value;
  }

  /** A compact-size-prefixed byte string (a view). */
  varBytes(label: string, max = MAX_COMPACT_SIZE): Uint8Array {
    const n = this.compactSize(`${label} length`, max);
    return this.bytesView(n, label);
  }

  /** Refuses trailing bytes: every decoder consumes its input exactly. */
  end(): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} unexpected trailing bytes at offset ${this.offset}`);
  }
}
