import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { needsFixture, readFixture, readFixtureJson } from '../../test/fixtures.js';
import { bytesToHex, concatBytes, hexToBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import { decodeBlock } from './block.js';
import { throwsProof } from '../../test/proof-assert.js';
import {
  MAX_MONEY,
  checkTransactionSanity,
  decodeTransaction,
  encodeTransaction,
  isCoinbase,
  strippedSizeOf,
  transactionTxid,
  transactionWtxid,
  type Transaction,
  type TxInput,
} from './transaction.js';

const BLOCK_413567 = 'bitcoin/block413567.raw';
const BITCOINJS = 'bitcoin/bitcoinjs_block.json';

/** Compares bytes by content (hash outputs are Buffers, decoded fields plain Uint8Arrays). */
function sameBytes(actual: Uint8Array | undefined, expected: Uint8Array | undefined, message?: string): void {
  assert.ok(actual !== undefined && expected !== undefined, message);
  assert.equal(bytesToHex(actual), bytesToHex(expected), message);
}

function differentBytes(a: Uint8Array, b: Uint8Array): void {
  assert.notEqual(bytesToHex(a), bytesToHex(b));
}

function input(overrides: Partial<TxInput> = {}): TxInput {
  return { prevTxidLE: new Uint8Array(32).fill(0x11), prevVout: 1, scriptSig: Uint8Array.of(0x51), sequence: 0xfffffffe, witness: [], ...overrides };
}

function sampleTx(overrides: Partial<Transaction> = {}): Transaction {
  return {
    version: 2,
    inputs: [input()],
    outputs: [{ value: 50_000n, scriptPubKey: hexToBytes('0014' + '22'.repeat(20)) }],
    locktime: 0,
    ...overrides,
  };
}

const segwitTx = sampleTx({ inputs: [input({ scriptSig: new Uint8Array(0), witness: [Uint8Array.of(1, 2, 3), new Uint8Array(33).fill(2)] })] });

/** A decoded real segwit block (mainnet 542213), or undefined when the fixture is missing. */
function segwitBlock(): ReturnType<typeof decodeBlock> | undefined {
  if (needsFixture(BITCOINJS).skip !== undefined) return undefined;
  const { valid } = readFixtureJson<{ valid: { description: string; hex: string }[] }>(BITCOINJS);
  const block = valid.find((v) => v.description === 'Block with witness commit');
  return block === undefined ? undefined : decodeBlock(hexToBytes(block.hex));
}

void describe('decodeTransaction on real data', () => {
  void test('every transaction of block 413567 decodes, re-encodes byte for byte and keeps its txid', needsFixture(BLOCK_413567), () => {
    const block = decodeBlock(readFixture(BLOCK_413567));
    assert.equal(block.transactions.length, 1557);
    for (const [i, decoded] of block.transactions.entries()) {
      const again = decodeTransaction(decoded.bytes);
      sameBytes(again.txidLE, decoded.txidLE, `transaction ${i}`);
      assert.equal(bytesToHex(encodeTransaction(again.tx, { witness: true })), bytesToHex(decoded.bytes), `transaction ${i}`);
      sameBytes(transactionTxid(again.tx), decoded.txidLE, `transaction ${i}`);
      assert.equal(strippedSizeOf(again.tx), decoded.strippedSize);
      checkTransactionSanity(again.tx);
    }
  });

  void test('segwit transactions of block 542213: txid over the stripped form, wtxid over the full one, sizes and weight', needsFixture(BITCOINJS), () => {
    const block = segwitBlock();
    assert.ok(block);
    const withWitness = block.transactions.filter((t) => t.hasWitness);
    assert.ok(withWitness.length > 1);
    for (const t of withWitness) {
      const stripped = encodeTransaction(t.tx, { witness: false });
      assert.equal(stripped.length, t.strippedSize);
      assert.equal(t.size, t.bytes.length);
      assert.equal(t.weight, t.strippedSize * 3 + t.size);
      sameBytes(transactionTxid(t.tx), t.txidLE);
      sameBytes(transactionWtxid(t.tx), t.wtxidLE);
      differentBytes(t.txidLE, t.wtxidLE);
      assert.equal(bytesToHex(encodeTransaction(t.tx, { witness: true })), bytesToHex(t.bytes));
    }
    // The fixture gives the block's sizes: they are the sums of the transactions' sizes.
    const header = 80 + 1;
    assert.equal(header + block.transactions.reduce((n, t) => n + t.size, 0), 2355);
    assert.equal(header + block.transactions.reduce((n, t) => n + t.strippedSize, 0), 2209);
    assert.equal(block.weight, 8982);
  });

  void test('the coinbase wtxid is its real hash (zero only inside the witness tree)', needsFixture(BITCOINJS), () => {
    const block = segwitBlock();
    assert.ok(block);
    const coinbase = block.transactions[0]!;
    assert.ok(isCoinbase(coinbase.tx));
    assert.ok(coinbase.hasWitness);
    sameBytes(transactionWtxid(coinbase.tx), coinbase.wtxidLE);
    differentBytes(coinbase.wtxidLE, new Uint8Array(32));
  });
});

void describe('decodeTransaction strictness', () => {
  const legacy = encodeTransaction(sampleTx(), { witness: true });
  const segwit = encodeTransaction(segwitTx, { witness: true });

  void test('a legacy transaction round-trips; its wtxid is its txid', () => {
    const d = decodeTransaction(legacy);
    assert.equal(d.hasWitness, false);
    sameBytes(d.wtxidLE, d.txidLE);
    assert.equal(d.weight, legacy.length * 4);
    sameBytes(encodeTransaction(d.tx, { witness: true }), legacy);
  });

  void test('a segwit transaction round-trips with marker 0x00 and flag 0x01', () => {
    assert.equal(bytesToHex(segwit.subarray(4, 6)), '0001');
    const d = decodeTransaction(segwit);
    assert.equal(d.hasWitness, true);
    assert.equal(d.strippedSize, legacy.length - 1); // the same transaction with an empty scriptSig
    assert.deepEqual(d.tx.inputs[0]!.witness.map(bytesToHex), segwitTx.inputs[0]!.witness.map(bytesToHex));
    sameBytes(encodeTransaction(d.tx, { witness: true }), segwit);
  });

  void test('the result does not alias the caller’s buffer', () => {
    const bytes = legacy.slice();
    const d = decodeTransaction(bytes);
    bytes.fill(0);
    sameBytes(encodeTransaction(d.tx, { witness: false }), legacy);
  });

  void test('refuses a trailing byte', () => {
    throwsProof(() => decodeTransaction(concatBytes(legacy, Uint8Array.of(0))), 'TX_MALFORMED', /1 unexpected trailing bytes/);
  });

  void test('refuses every truncation of a legacy and of a segwit transaction', () => {
    for (const bytes of [legacy, segwit]) {
      for (let n = 0; n < bytes.length; n++) throwsProof(() => decodeTransaction(bytes.subarray(0, n)), 'TX_MALFORMED');
    }
  });

  void test('names what it was reading', () => {
    // version, 1 input, prev txid + vout, scriptSig length 5 but 4 bytes follow.
    const bytes = hexToBytes('02000000' + '01' + '11'.repeat(32) + '00000000' + '05' + 'abcdef01');
    throwsProof(() => decodeTransaction(bytes), 'TX_MALFORMED', /^transaction: input 0 scriptSig: need 5 bytes at offset 42, only 4 left$/);
  });

  void test('refuses a segwit flag other than 0x01', () => {
    for (const flag of [0x02, 0x03, 0x80, 0xff]) {
      const bytes = segwit.slice();
      bytes[5] = flag;
      throwsProof(() => decodeTransaction(bytes), 'TX_MALFORMED', /unknown segwit flag/);
    }
  });

  void test('refuses a transaction without inputs (marker then flag 0x00)', () => {
    // version, 0 inputs, 0 outputs, locktime: Core reads it, then CheckTransaction refuses it.
    throwsProof(() => decodeTransaction(hexToBytes('02000000' + '00' + '00' + '00000000')), 'TX_MALFORMED', /has no inputs/);
    throwsProof(() => decodeTransaction(hexToBytes('02000000' + '00')), 'TX_MALFORMED', /has no inputs/);
  });

  void test('refuses a segwit serialization with zero inputs', () => {
    throwsProof(() => decodeTransaction(hexToBytes('02000000' + '0001' + '00' + '00' + '00000000')), 'TX_MALFORMED', /superfluous witness record/);
  });

  void test('refuses a segwit serialization whose witness stacks are all empty (superfluous witness record)', () => {
    const empty = sampleTx({ inputs: [input(), input({ prevVout: 2 })] });
    const stripped = encodeTransaction(empty, { witness: false });
    // Insert marker and flag, then one empty stack per input before the locktime.
    const bytes = concatBytes(stripped.subarray(0, 4), Uint8Array.of(0, 1), stripped.subarray(4, stripped.length - 4), Uint8Array.of(0, 0), stripped.subarray(stripped.length - 4));
    throwsProof(() => decodeTransaction(bytes), 'TX_MALFORMED', /superfluous witness record/);
  });

  void test('refuses non-canonical compact sizes', () => {
    const body = legacy.subarray(5);
    throwsProof(() => decodeTransaction(concatBytes(legacy.subarray(0, 4), hexToBytes('fd0100'), body)), 'TX_MALFORMED', /non-canonical/);
    throwsProof(() => decodeTransaction(concatBytes(legacy.subarray(0, 4), hexToBytes('fe01000000'), body)), 'TX_MALFORMED', /non-canonical/);
  });

  void test('refuses counts the remaining bytes cannot hold, before allocating', () => {
    throwsProof(() => decodeTransaction(hexToBytes('02000000' + 'feffffff00' + '00'.repeat(100))), 'TX_MALFORMED', /^transaction: input count: 16777215 items of at least 41 bytes cannot fit in the 100 bytes left$/);
    // A segwit input whose witness item count is 2^25 with 40 bytes left.
    const prefix = encodeTransaction(sampleTx(), { witness: false });
    const bytes = concatBytes(prefix.subarray(0, 4), Uint8Array.of(0, 1), prefix.subarray(4, prefix.length - 4), hexToBytes('fe00000002'), new Uint8Array(40));
    throwsProof(() => decodeTransaction(bytes), 'TX_MALFORMED', /input 0 witness item count: 33554432 items of at least 1 bytes cannot fit in the 40 bytes left/);
  });

  void test('reads output values as signed 64-bit, as Core does', () => {
    const tx = decodeTransaction(encodeTransaction(sampleTx({ outputs: [{ value: -1n, scriptPubKey: new Uint8Array(0) }] }), { witness: false }));
    assert.equal(tx.tx.outputs[0]!.value, -1n);
    assert.equal(bytesToHex(tx.bytes.subarray(48, 56)), 'ffffffffffffffff');
  });

  void test('reads version as unsigned 32-bit', () => {
    const d = decodeTransaction(encodeTransaction(sampleTx({ version: 0xffffffff }), { witness: false }));
    assert.equal(d.tx.version, 0xffffffff);
  });
});

void describe('encodeTransaction', () => {
  void test('with witness: true and no witness data it writes the legacy form', () => {
    sameBytes(encodeTransaction(sampleTx(), { witness: true }), encodeTransaction(sampleTx(), { witness: false }));
  });

  void test('with witness: false it writes the stripped form of a segwit transaction', () => {
    const stripped = encodeTransaction(segwitTx, { witness: false });
    assert.equal(stripped.length, strippedSizeOf(segwitTx));
    assert.equal(decodeTransaction(stripped).hasWitness, false);
    sameBytes(transactionTxid(segwitTx), decodeTransaction(encodeTransaction(segwitTx, { witness: true })).txidLE);
  });

  const refusals: [string, Transaction, RegExp][] = [
    ['no inputs', sampleTx({ inputs: [] }), /at least one input/],
    ['a 31-byte prev txid', sampleTx({ inputs: [input({ prevTxidLE: new Uint8Array(31) })] }), /prevTxidLE: expected 32 bytes/],
    ['a prev vout above uint32', sampleTx({ inputs: [input({ prevVout: 2 ** 32 })] }), /prevVout/],
    ['a negative sequence', sampleTx({ inputs: [input({ sequence: -1 })] }), /sequence/],
    ['a value above int64', sampleTx({ outputs: [{ value: 1n << 63n, scriptPubKey: new Uint8Array(0) }] }), /value/],
    ['a fractional version', sampleTx({ version: 1.5 }), /version/],
    ['a locktime above uint32', sampleTx({ locktime: 2 ** 32 }), /locktime/],
  ];
  for (const [name, tx, message] of refusals) {
    void test(`refuses ${name}`, () => {
      assert.throws(() => encodeTransaction(tx, { witness: true }), (e: unknown) => (e instanceof RangeError || e instanceof TypeError) && message.test(e.message));
    });
  }
});

void describe('checkTransactionSanity (Core CheckTransaction)', () => {
  const coinbase = (scriptSig: Uint8Array): Transaction =>
    sampleTx({ inputs: [input({ prevTxidLE: new Uint8Array(32), prevVout: 0xffffffff, scriptSig })] });

  void test('accepts an ordinary transaction and a coinbase with 2 and 100 scriptSig bytes', () => {
    checkTransactionSanity(sampleTx());
    checkTransactionSanity(coinbase(new Uint8Array(2)));
    checkTransactionSanity(coinbase(new Uint8Array(100)));
    checkTransactionSanity(sampleTx({ outputs: [{ value: MAX_MONEY, scriptPubKey: new Uint8Array(0) }] }));
  });

  const cases: [string, Transaction, string][] = [
    ['no inputs', sampleTx({ inputs: [] }), 'bad-txns-vin-empty'],
    ['no outputs', sampleTx({ outputs: [] }), 'bad-txns-vout-empty'],
    ['a stripped size above 1,000,000 bytes', sampleTx({ outputs: [{ value: 0n, scriptPubKey: new Uint8Array(1_000_000) }] }), 'bad-txns-oversize'],
    ['a negative output', sampleTx({ outputs: [{ value: -1n, scriptPubKey: new Uint8Array(0) }] }), 'bad-txns-vout-negative'],
    ['an output above MAX_MONEY', sampleTx({ outputs: [{ value: MAX_MONEY + 1n, scriptPubKey: new Uint8Array(0) }] }), 'bad-txns-vout-toolarge'],
    [
      'outputs summing above MAX_MONEY',
      sampleTx({ outputs: [{ value: MAX_MONEY, scriptPubKey: new Uint8Array(0) }, { value: 1n, scriptPubKey: new Uint8Array(0) }] }),
      'bad-txns-txouttotal-toolarge',
    ],
    ['the same outpoint spent twice (CVE-2018-17144)', sampleTx({ inputs: [input(), input({ scriptSig: Uint8Array.of(0x52) })] }), 'bad-txns-inputs-duplicate'],
    ['a coinbase scriptSig of 1 byte', coinbase(new Uint8Array(1)), 'bad-cb-length'],
    ['a coinbase scriptSig of 101 bytes', coinbase(new Uint8Array(101)), 'bad-cb-length'],
    ['a null prevout outside a coinbase', sampleTx({ inputs: [input(), input({ prevTxidLE: new Uint8Array(32), prevVout: 0xffffffff })] }), 'bad-txns-prevout-null'],
  ];
  for (const [name, tx, reason] of cases) {
    void test(`refuses ${name} (${reason})`, () => {
      assert.throws(
        () => checkTransactionSanity(tx),
        (e: unknown) => e instanceof ProofError && e.code === 'TX_MALFORMED' && e.details['reason'] === reason,
      );
    });
  }

  void test('isCoinbase: one input with a null prevout', () => {
    assert.equal(isCoinbase(coinbase(new Uint8Array(2))), true);
    assert.equal(isCoinbase(sampleTx()), false);
    assert.equal(isCoinbase(sampleTx({ inputs: [input({ prevTxidLE: new Uint8Array(32), prevVout: 0 })] })), false);
    const two = coinbase(new Uint8Array(2));
    assert.equal(isCoinbase({ ...two, inputs: [two.inputs[0]!, input()] }), false);
  });
});

void describe('decodeTransaction properties', () => {
  const onlyProofErrors = (bytes: Uint8Array): void => {
    try {
      const d = decodeTransaction(bytes);
      // Whatever decodes re-encodes to the same bytes: the decoder accepts one encoding per transaction.
      sameBytes(encodeTransaction(d.tx, { witness: true }), bytes);
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
      assert.equal(error.code, 'TX_MALFORMED');
    }
  };

  void test('random bytes only ever give a ProofError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), onlyProofErrors), { numRuns: 3000 });
  });

  void test('random edits of real encodings only ever give a ProofError or a transaction that re-encodes exactly', () => {
    const seeds = [encodeTransaction(sampleTx(), { witness: true }), encodeTransaction(segwitTx, { witness: true })];
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (seed, edits) => {
        const bytes = seed.slice();
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        onlyProofErrors(bytes);
      }),
      { numRuns: 3000 },
    );
  });
});
