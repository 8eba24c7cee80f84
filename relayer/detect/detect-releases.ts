/**
 * Release detection on the main chain (DESIGN.md §1, peg-out step 3): a release carries
 * `OP_RETURN "UBR1" 0x03 <burnsHash>`, the commitment to the burn outpoints it settles, so that
 * a release is found on chain even when Redis is lost. Pure: bytes in, facts out.
 *
 * Anyone can write a 0x03 memo: what makes a transaction a release is that it spends the
 * federation's lock UTXOs, which only M operators can sign. The prevouts' scripts are not in the
 * transaction's bytes, so this returns the inputs and the relayer checks them against the lock
 * UTXOs it knows (or their funding transactions) before it believes a burn is settled.
 */
import { assertBytes, concatBytes, equalBytes, reversed } from '../../proofs/bytes.js';
import type { DecodedTransaction } from '../../proofs/bitcoin/transaction.js';
import { taggedHash } from '../../ledgers/bitcoin/signatures.js';
import { asDecoded, assertLockScript, readMemo } from './reject-reasons.js';

/** An output reference, txid in internal byte order. */
export interface Outpoint {
  readonly txidLE: Uint8Array;
  readonly vout: number;
}

export interface DetectedRelease {
  readonly txidLE: Uint8Array;
  /** The memo's commitment: compare with burnsHash(burn outpoints). */
  readonly burnsHashLE: Uint8Array;
  /** What the transaction spends, in input order: a release spends lock UTXOs only. */
  readonly inputs: readonly Outpoint[];
  /** Outputs paying the lock script: the release's change, new lock UTXOs (not deposits). */
  readonly lockOutputs: readonly { readonly vout: number; readonly amount: bigint }[];
}

export interface ReleaseContext {
  /** The federation's lock scriptPubKey on the main chain. */
  readonly lockScript: Uint8Array;
}

/** The BIP340-style tag of burnsHash. */
export const BURNS_HASH_TAG = 'UBR1/release';

/**
 * The release facts of one main-chain transaction when exactly one of its outputs is a well-formed
 * 0x03 memo (other UBR1 outputs do not matter: the inputs decide); null otherwise, and for raw
 * bytes that do not decode. Throws (TypeError/RangeError) only on a malformed `ctx` or a `tx` of
 * the wrong type.
 */
export function detectReleases(tx: DecodedTransaction | Uint8Array, ctx: ReleaseContext): DetectedRelease | null {
  if (typeof ctx !== 'object' || ctx === null) throw new TypeError('ctx: expected { lockScript }');
  assertLockScript(ctx.lockScript, 'ctx.lockScript');
  const decoded = asDecoded(tx);
  if (decoded === undefined) return null;
  const hashes: Uint8Array[] = [];
  const lockOutputs: { vout: number; amount: bigint }[] = [];
  decoded.tx.outputs.forEach((output, vout) => {
    if (equalBytes(output.scriptPubKey, ctx.lockScript)) lockOutputs.push({ vout, amount: output.value });
    const reading = readMemo(output.scriptPubKey);
    if (reading !== null && 'memo' in reading && reading.memo.kind === 'release') hashes.push(reading.memo.burnsHashLE);
  });
  if (hashes.length !== 1) return null;
  return {
    txidLE: decoded.txidLE.slice(),
    burnsHashLE: hashes[0]!,
    inputs: decoded.tx.inputs.map((input) => ({ txidLE: input.prevTxidLE.slice(), vout: input.prevVout })),
    lockOutputs,
  };
}

/**
 * The commitment a release memo carries for the burns it settles:
 *   taggedHash("UBR1/release", outpoint_1 || ... || outpoint_n)
 *   = sha256(sha256(tag) || sha256(tag) || data)
 * with each outpoint serialized as its 32-byte txid (internal order) and 4-byte little-endian
 * vout, sorted by (display txid, vout) so that the order the burns are listed in does not matter.
 * The tag keeps the hash apart from every other sha256 use. Refuses an empty list, a duplicate
 * outpoint and malformed outpoints (programmer errors) with RangeError/TypeError.
 */
export function burnsHash(burnOutpoints: readonly Outpoint[]): Uint8Array {
  if (!Array.isArray(burnOutpoints)) throw new TypeError('burnOutpoints: expected an array of { txidLE, vout }');
  if (burnOutpoints.length === 0) throw new RangeError('burnOutpoints: a release settles at least one burn');
  burnOutpoints.forEach((o, i) => {
    assertBytes(o.txidLE, 32, `burnOutpoints[${i}].txidLE`);
    if (!Number.isInteger(o.vout) || o.vout < 0 || o.vout > 0xffffffff) throw new RangeError(`burnOutpoints[${i}].vout: expected an output index, got ${String(o.vout)}`);
  });
  const sorted = [...burnOutpoints].sort(compareOutpoints);
  for (let i = 1; i < sorted.length; i++) {
    if (compareOutpoints(sorted[i - 1]!, sorted[i]!) === 0) throw new RangeError('burnOutpoints: the same outpoint is listed twice');
  }
  return taggedHash(BURNS_HASH_TAG, concatBytes(...sorted.map(serializeOutpoint)));
}

function serializeOutpoint(o: Outpoint): Uint8Array {
  const out = new Uint8Array(36);
  out.set(o.txidLE, 0);
  new DataView(out.buffer).setUint32(32, o.vout, true);
  return out;
}

/** By display txid (the internal bytes read from the last one), then by vout. */
function compareOutpoints(a: Outpoint, b: Outpoint): number {
  const x = reversed(a.txidLE);
  const y = reversed(b.txidLE);
  for (let i = 0; i < 32; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return a.vout - b.vout;
}
