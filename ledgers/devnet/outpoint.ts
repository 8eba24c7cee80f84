/**
 * Map keys for hashes and outpoints: a 32-byte hash as a 32-character latin1 string (one
 * character a byte, built natively), an outpoint as that string, ':' and the output index. Keys
 * are internal to the chain's maps: they never leave the process.
 */
import { assertBytes } from '../../proofs/bytes.js';

/** The map key of a 32-byte hash (txid, wtxid, block hash), internal byte order. */
export function hashKey(hashLE: Uint8Array): string {
  assertBytes(hashLE, 32, 'hashLE');
  return Buffer.from(hashLE.buffer, hashLE.byteOffset, 32).toString('latin1');
}

/** The map key of an outpoint `txid:vout`. */
export function outpointKey(txidLE: Uint8Array, vout: number): string {
  return `${hashKey(txidLE)}:${vout}`;
}

/** The hash back from its key (a fresh copy). */
export function hashFromKey(key: string): Uint8Array {
  return new Uint8Array(Buffer.from(key.slice(0, 32), 'latin1'));
}

/** The map key of an output script (any length). */
export function scriptKey(scriptPubKey: Uint8Array): string {
  return Buffer.from(scriptPubKey.buffer, scriptPubKey.byteOffset, scriptPubKey.length).toString('latin1');
}
