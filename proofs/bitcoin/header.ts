/** The 80-byte Bitcoin block header: decoding, encoding and its hash (the block id). */
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import { assertBytes, hashToDisplay, hexToBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import { sha256d } from '../hash.js';

export const HEADER_SIZE = 80;

export interface BlockHeader {
  readonly version: number;
  /** Hash of the previous header, internal byte order. */
  readonly prevHashLE: Uint8Array;
  /** Merkle root of the block's txids, internal byte order. */
  readonly merkleRootLE: Uint8Array;
  /** Seconds since the Unix epoch, as the miner claims. */
  readonly time: number;
  /** Compact target (nBits). */
  readonly bits: number;
  readonly nonce: number;
}

/** Decodes exactly 80 bytes; anything else is HEADER_MALFORMED. */
export function decodeHeader(bytes: Uint8Array): BlockHeader {
  assertBytes(bytes, undefined, 'header');
  if (bytes.length !== HEADER_SIZE) {
    throw new ProofError('HEADER_MALFORMED', `header: expected ${HEADER_SIZE} bytes, got ${bytes.length}`);
  }
  const r = new ByteReader(bytes, 'HEADER_MALFORMED', 'header');
  const header: BlockHeader = {
    version: r.i32('version'),
    prevHashLE: r.bytesCopy(32, 'prev hash'),
    merkleRootLE: r.bytesCopy(32, 'merkle root'),
    time: r.u32('time'),
    bits: r.u32('bits'),
    nonce: r.u32('nonce'),
  };
  r.end();
  return header;
}

export function encodeHeader(header: BlockHeader): Uint8Array {
  assertBytes(header.prevHashLE, 32, 'header.prevHashLE');
  assertBytes(header.merkleRootLE, 32, 'header.merkleRootLE');
  return new ByteWriter(HEADER_SIZE)
    .i32(header.version)
    .bytes(header.prevHashLE)
    .bytes(header.merkleRootLE)
    .u32(header.time)
    .u32(header.bits)
    .u32(header.nonce)
    .finish();
}

/** The block id: double-SHA256 of the 80 header bytes, internal byte order. */
export function headerHash(header80: Uint8Array): Uint8Array {
  assertBytes(header80, HEADER_SIZE, 'header');
  return sha256d(header80);
}

/** Parses one header given as 160 hex digits; HEADER_MALFORMED otherwise. */
export function headerFromHex(hex: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(hex.trim(), 'header');
  } catch (cause) {
    throw new ProofError('HEADER_MALFORMED', `header: not hex (${(cause as Error).message})`, { cause });
  }
  if (bytes.length !== HEADER_SIZE) {
    throw new ProofError('HEADER_MALFORMED', `header: expected ${HEADER_SIZE} bytes (160 hex digits), got ${bytes.length}`);
  }
  return bytes;
}

export function headerHashDisplay(header80: Uint8Array): string {
  return hashToDisplay(headerHash(header80));
}

// Fast field readers over the raw 80 bytes (no decoding, no allocation), for hot paths.

export function readHeaderVersion(header80: Uint8Array): number {
  return header80[0]! | (header80[1]! << 8) | (header80[2]! << 16) | (header80[3]! << 24);
}

export function readHeaderTime(header80: Uint8Array): number {
  return (header80[68]! | (header80[69]! << 8) | (header80[70]! << 16) | (header80[71]! << 24)) >>> 0;
}

export function readHeaderBits(header80: Uint8Array): number {
  return (header80[72]! | (header80[73]! << 8) | (header80[74]! << 16) | (header80[75]! << 24)) >>> 0;
}
