/**
 * The hash functions of the Bitcoin family. SHA-256 comes from Node's OpenSSL binding
 * (`crypto.hash`, the fastest audited implementation on this runtime; the benchmark compares it
 * with @noble/hashes on every run); nothing here implements a hash itself. Results are plain
 * Uint8Array (not Buffer, whose `slice` shares memory).
 */
import { hash } from 'node:crypto';

function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export function sha256(data: Uint8Array): Uint8Array {
  return plain(hash('sha256', data, 'buffer'));
}

/** Bitcoin's hash256: SHA-256 applied twice. Block hashes, txids and Merkle nodes use it. */
export function sha256d(data: Uint8Array): Uint8Array {
  return plain(hash('sha256', hash('sha256', data, 'buffer'), 'buffer'));
}
