/**
 * Bitcoin transactions: the legacy and the segwit (BIP144) serialization, txid and wtxid, and
 * Bitcoin Core's context-free sanity rules (CheckTransaction). The decoder is as strict as Core's
 * deserializer and never allocates from a count the remaining bytes could not hold.
 */
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import { assertBytes, assertInteger, concatBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import { sha256d } from '../hash.js';

export interface TxInput {
  /** Txid of the transaction whose output this input spends, internal byte order. */
  readonly prevTxidLE: Uint8Array;
  /** Index of that output. */
  readonly prevVout: number;
  readonly scriptSig: Uint8Array;
  readonly sequence: number;
  /** Witness stack items (BIP141); empty for an input without witness. */
  readonly witness: readonly Uint8Array[];
}

export interface TxOutput {
  /** Satoshis. Decoded as Core's signed 64-bit CAmount; checkTransactionSanity enforces [0, MAX_MONEY]. */
  readonly value: bigint;
  readonly scriptPubKey: Uint8Array;
}

export interface Transaction {
  /** Read as an unsigned 32-bit number, as Core does since v28. */
  readonly version: number;
  readonly inputs: readonly TxInput[];
  readonly outputs: readonly TxOutput[];
  readonly locktime: number;
}

export interface DecodedTransaction {
  readonly tx: Transaction;
  /** sha256d of the stripped (non-witness) serialization, internal byte order. */
  readonly txidLE: Uint8Array;
  /** sha256d of the full serialization (equal to the txid when the transaction has no witness). */
  readonly wtxidLE: Uint8Array;
  readonly hasWitness: boolean;
  /** Bytes of the full serialization. */
  readonly size: number;
  /** Bytes of the stripped (non-witness) serialization. */
  readonly strippedSize: number;
  /** BIP141 weight: strippedSize * 3 + size. */
  readonly weight: number;
  /** The serialized transaction exactly as decoded. */
  readonly bytes: Uint8Array;
}

/** 21 million coins in satoshis (Core's MAX_MONEY). */
export const MAX_MONEY = 21_000_000n * 100_000_000n;
/** BIP141 block weight limit (Core's MAX_BLOCK_WEIGHT). */
export const MAX_BLOCK_WEIGHT = 4_000_000;
export const WITNESS_SCALE_FACTOR = 4;

/** Smallest encodings, used to bound counts by the bytes that remain. */
const MIN_INPUT_SIZE = 32 + 4 + 1 + 4;
const MIN_OUTPUT_SIZE = 8 + 1;
const MIN_WITNESS_ITEM_SIZE = 1;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Decodes exactly one serialized transaction (legacy or BIP144 segwit); trailing bytes, a witness
 * flag other than 0x01, a witness section whose stacks are all empty ("superfluous witness
 * record"), a transaction without inputs and non-canonical compact sizes are refused with
 * TX_MALFORMED. The result refers to a private copy of `bytes`.
 */
export function decodeTransaction(bytes: Uint8Array): DecodedTransaction {
  assertBytes(bytes, undefined, 'transaction');
  const reader = new ByteReader(new Uint8Array(bytes), 'TX_MALFORMED', 'transaction');
  const decoded = readTransaction(reader);
  reader.end();
  return decoded;
}

/**
 * Reads one transaction at the reader's position (for parsing blocks). Failures carry the reader's
 * error code; `label` (e.g. "transaction 5") prefixes every message. The scripts, witness items
 * and `bytes` of the result are views into the reader's buffer: the caller keeps it unchanged.
 */
export function readTransaction(reader: ByteReader, label?: string): DecodedTransaction {
  const at = (what: string): string => (label === undefined ? what : `${label} ${what}`);
  const start = reader.position;
  const version = reader.u32(at('version'));

  // BIP144: a zero input count is the segwit marker, followed by the flag.
  // The stripped serialization is version || body || locktime, body = inputs and outputs.
  let bodyStart = reader.position;
  let inputCount = readCount(reader, at('input count'), MIN_INPUT_SIZE);
  let segwit = false;
  if (inputCount === 0) {
    if (reader.remaining === 0) reader.fail(at('has no inputs (and no segwit flag)'));
    const flag = reader.u8(at('segwit flag'));
    if (flag !== 0x01) {
      reader.fail(flag === 0x00 ? at('has no inputs') : at(`unknown segwit flag 0x${flag.toString(16).padStart(2, '0')}`));
    }
    segwit = true;
    bodyStart = reader.position;
    inputCount = readCount(reader, at('input count'), MIN_INPUT_SIZE);
    if (inputCount === 0) reader.fail(at('has no inputs (superfluous witness record)'));
  }

  const partial: { prevTxidLE: Uint8Array; prevVout: number; scriptSig: Uint8Array; sequence: number }[] = [];
  for (let i = 0; i < inputCount; i++) {
    partial.push({
      prevTxidLE: reader.bytesView(32, at(`input ${i} prev txid`)),
      prevVout: reader.u32(at(`input ${i} prev vout`)),
      scriptSig: reader.varBytes(at(`input ${i} scriptSig`)),
      sequence: reader.u32(at(`input ${i} sequence`)),
    });
  }

  const outputCount = readCount(reader, at('output count'), MIN_OUTPUT_SIZE);
  const outputs: TxOutput[] = [];
  for (let i = 0; i < outputCount; i++) {
    outputs.push({
      value: BigInt.asIntN(64, reader.u64(at(`output ${i} value`))),
      scriptPubKey: reader.varBytes(at(`output ${i} scriptPubKey`)),
    });
  }
  const bodyEnd = reader.position;

  const witnesses: Uint8Array[][] = [];
  let hasWitness = false;
  if (segwit) {
    for (let i = 0; i < inputCount; i++) {
      const itemCount = readCount(reader, at(`input ${i} witness item count`), MIN_WITNESS_ITEM_SIZE);
      const stack: Uint8Array[] = [];
      for (let j = 0; j < itemCount; j++) stack.push(reader.varBytes(at(`input ${i} witness item ${j}`)));
      if (itemCount > 0) hasWitness = true;
      witnesses.push(stack);
    }
    if (!hasWitness) reader.fail(at('superfluous witness record: every witness stack is empty'));
  }

  const locktime = reader.u32(at('locktime'));
  const end = reader.position;
  const raw = reader.bytes.subarray(start, end);

  const inputs: TxInput[] = partial.map((p, i) => ({ ...p, witness: witnesses[i] ?? [] }));
  const tx: Transaction = { version, inputs, outputs, locktime };

  if (!segwit) {
    const txidLE = sha256d(raw);
    return { tx, txidLE, wtxidLE: txidLE, hasWitness: false, size: raw.length, strippedSize: raw.length, weight: raw.length * WITNESS_SCALE_FACTOR, bytes: raw };
  }
  // Without marker, flag and witness section.
  const stripped = concatBytes(
    reader.bytes.subarray(start, start + 4),
    reader.bytes.subarray(bodyStart, bodyEnd),
    reader.bytes.subarray(end - 4, end),
  );
  return {
    tx,
    txidLE: sha256d(stripped),
    wtxidLE: sha256d(raw),
    hasWitness: true,
    size: raw.length,
    strippedSize: stripped.length,
    weight: stripped.length * (WITNESS_SCALE_FACTOR - 1) + raw.length,
    bytes: raw,
  };
}

/**
 * Reads a count of items, each at least `minSize` bytes, and refuses one the remaining bytes could
 * not hold: nothing is ever allocated from a count an attacker wrote.
 */
export function readCount(reader: ByteReader, label: string, minSize: number): number {
  const count = reader.compactSize(label);
  if (count * minSize > reader.remaining) {
    reader.fail(`${label}: ${count} items of at least ${minSize} bytes cannot fit in the ${reader.remaining} bytes left`);
  }
  return count;
}

/**
 * Serializes a transaction. With `witness: true` the BIP144 form is used when at least one input
 * has a witness item, else the legacy form (as Core does: a segwit serialization without witness
 * data is invalid). Refuses a transaction without inputs (its encoding would read as a segwit
 * marker) and out-of-range fields, with TypeError/RangeError naming the field.
 */
export function encodeTransaction(tx: Transaction, options: { witness: boolean }): Uint8Array {
  assertTransactionShape(tx);
  const withWitness = options.witness && transactionHasWitness(tx);
  const w = new ByteWriter(strippedSizeOf(tx) + (withWitness ? 2 : 0));
  w.u32(tx.version);
  if (withWitness) w.u8(0x00).u8(0x01);
  w.compactSize(tx.inputs.length);
  for (const input of tx.inputs) {
    w.bytes(input.prevTxidLE).u32(input.prevVout).varBytes(input.scriptSig).u32(input.sequence);
  }
  w.compactSize(tx.outputs.length);
  for (const output of tx.outputs) w.u64(BigInt.asUintN(64, output.value)).varBytes(output.scriptPubKey);
  if (withWitness) {
    for (const input of tx.inputs) {
      w.compactSize(input.witness.length);
      for (const item of input.witness) w.varBytes(item);
    }
  }
  w.u32(tx.locktime);
  return w.finish();
}

/** sha256d of the stripped serialization, internal byte order. */
export function transactionTxid(tx: Transaction): Uint8Array {
  return sha256d(encodeTransaction(tx, { witness: false }));
}

/**
 * sha256d of the witness serialization (equal to the txid when no input has witness data).
 * This is the transaction's real wtxid, coinbase included: only inside the witness Merkle tree of a
 * block (BIP141) is the coinbase's wtxid replaced by 32 zero bytes (block.ts does that).
 */
export function transactionWtxid(tx: Transaction): Uint8Array {
  return sha256d(encodeTransaction(tx, { witness: true }));
}

/** True when any input carries at least one witness item. */
export function transactionHasWitness(tx: Transaction): boolean {
  return tx.inputs.some((input) => input.witness.length > 0);
}

/** A coinbase has exactly one input, whose prevout is null (32 zero bytes, index 0xffffffff). */
export function isCoinbase(tx: Transaction): boolean {
  return tx.inputs.length === 1 && isNullPrevout(tx.inputs[0]!);
}

function isNullPrevout(input: TxInput): boolean {
  if (input.prevVout !== 0xffffffff) return false;
  for (const byte of input.prevTxidLE) if (byte !== 0) return false;
  return true;
}

/**
 * Bitcoin Core's CheckTransaction: at least one input and one output; stripped size * 4 within
 * the block weight limit; every output value and their running total in [0, MAX_MONEY]; no input
 * spent twice; a coinbase's scriptSig of 2..100 bytes; no null prevout outside a coinbase.
 * Throws TX_MALFORMED with Core's reject reason in `details.reason` (and the input or output in
 * `details.index`); `label` starts the message.
 */
export function checkTransactionSanity(tx: Transaction, label = 'transaction'): void {
  const fail = (reason: string, message: string, details: Record<string, unknown> = {}): never => {
    throw new ProofError('TX_MALFORMED', `${label}: ${message}`, { details: { reason, ...details } });
  };
  if (tx.inputs.length === 0) fail('bad-txns-vin-empty', 'no inputs');
  if (tx.outputs.length === 0) fail('bad-txns-vout-empty', 'no outputs');
  const stripped = strippedSizeOf(tx);
  if (stripped * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
    fail('bad-txns-oversize', `stripped size ${stripped} bytes exceeds the block weight limit`);
  }
  let total = 0n;
  tx.outputs.forEach((output, index) => {
    if (output.value < 0n) fail('bad-txns-vout-negative', `output ${index} value ${output.value} is negative`, { index });
    if (output.value > MAX_MONEY) fail('bad-txns-vout-toolarge', `output ${index} value ${output.value} exceeds MAX_MONEY`, { index });
    total += output.value;
    if (total > MAX_MONEY) fail('bad-txns-txouttotal-toolarge', `output total ${total} exceeds MAX_MONEY at output ${index}`, { index });
  });
  if (tx.inputs.length > 1) {
    const seen = new Set<string>();
    tx.inputs.forEach((input, index) => {
      const txid = input.prevTxidLE;
      const key = `${Buffer.from(txid.buffer, txid.byteOffset, txid.length).toString('latin1')}:${input.prevVout}`;
      if (seen.has(key)) fail('bad-txns-inputs-duplicate', `input ${index} spends the same outpoint as an earlier input`, { index });
      seen.add(key);
    });
  }
  if (isCoinbase(tx)) {
    const length = tx.inputs[0]!.scriptSig.length;
    if (length < 2 || length > 100) fail('bad-cb-length', `coinbase scriptSig is ${length} bytes, expected 2..100`);
  } else {
    tx.inputs.forEach((input, index) => {
      if (isNullPrevout(input)) fail('bad-txns-prevout-null', `input ${index} has a null prevout outside a coinbase`, { index });
    });
  }
}

/** Size of the stripped serialization, computed without serializing. */
export function strippedSizeOf(tx: Transaction): number {
  let size = 4 + compactSizeLength(tx.inputs.length) + compactSizeLength(tx.outputs.length) + 4;
  for (const input of tx.inputs) size += 32 + 4 + compactSizeLength(input.scriptSig.length) + input.scriptSig.length + 4;
  for (const output of tx.outputs) size += 8 + compactSizeLength(output.scriptPubKey.length) + output.scriptPubKey.length;
  return size;
}

/** Bytes a compact size takes on the wire. */
export function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

function assertTransactionShape(tx: Transaction): void {
  assertInteger(tx.version, 0, 0xffffffff, 'transaction.version');
  assertInteger(tx.locktime, 0, 0xffffffff, 'transaction.locktime');
  if (!Array.isArray(tx.inputs as unknown) || tx.inputs.length === 0) {
    throw new RangeError('transaction.inputs: expected at least one input (a transaction without inputs has no unambiguous encoding)');
  }
  if (!Array.isArray(tx.outputs as unknown)) throw new TypeError('transaction.outputs: expected an array');
  tx.inputs.forEach((input, i) => {
    assertBytes(input.prevTxidLE, 32, `transaction.inputs[${i}].prevTxidLE`);
    assertInteger(input.prevVout, 0, 0xffffffff, `transaction.inputs[${i}].prevVout`);
    assertBytes(input.scriptSig, undefined, `transaction.inputs[${i}].scriptSig`);
    assertInteger(input.sequence, 0, 0xffffffff, `transaction.inputs[${i}].sequence`);
    if (!Array.isArray(input.witness as unknown)) throw new TypeError(`transaction.inputs[${i}].witness: expected an array`);
    input.witness.forEach((item, j) => assertBytes(item, undefined, `transaction.inputs[${i}].witness[${j}]`));
  });
  tx.outputs.forEach((output, i) => {
    if (typeof output.value !== 'bigint' || output.value < INT64_MIN || output.value > INT64_MAX) {
      throw new RangeError(`transaction.outputs[${i}].value: expected a bigint in the int64 range, got ${String(output.value)}`);
    }
    assertBytes(output.scriptPubKey, undefined, `transaction.outputs[${i}].scriptPubKey`);
  });
}
