import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { needsFixture, readFixture, readFixtureJson } from '../../test/fixtures.js';
import { bytesToHex, concatBytes, hashToDisplay, hexToBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import {
  coinbaseHeight,
  decodeBlock,
  encodeBlock,
  encodeCoinbaseHeight,
  findWitnessCommitment,
  verifyBlock,
  witnessCommitmentHash,
  type VerifyBlockOptions,
} from './block.js';
import { decodeHeader, encodeHeader, headerHash } from './header.js';
import { computeMerkleRoot } from './merkle.js';
import { bitsToTarget, hashMeetsTarget, targetToBits, targetToLE } from './pow.js';
import { MAX_MONEY, transactionTxid, type Transaction, type TxInput } from './transaction.js';
import { throwsProof } from '../../test/proof-assert.js';

const BLOCK_413567 = 'bitcoin/block413567.raw';
const BITCOINJS = 'bitcoin/bitcoinjs_block.json';
const MAINNET: VerifyBlockOptions = { powLimit: (1n << 224n) - 1n };
/** For blocks a test rebuilt: a PoW hash of zero meets any target, so the other rules are what is tested. */
const NO_POW: VerifyBlockOptions = { powLimit: (1n << 255n) - 1n, powHash: () => new Uint8Array(32) };

interface BitcoinjsVector {
  description: string;
  hex: string;
  id: string;
  hash: string;
  merkleRoot: string;
  prevHash: string;
  version: number;
  timestamp: number;
  bits: number;
  nonce: number;
  height?: number;
  witnessCommit?: string;
  valid: boolean;
}
interface BitcoinjsFixture {
  targets: { bits: string; expected: string }[];
  valid: BitcoinjsVector[];
  invalid: { exception: string; hex: string }[];
}

const raw413567 = needsFixture(BLOCK_413567).skip === undefined ? new Uint8Array(readFixture(BLOCK_413567)) : undefined;
const bitcoinjs = needsFixture(BITCOINJS).skip === undefined ? readFixtureJson<BitcoinjsFixture>(BITCOINJS) : undefined;
const segwitHex = bitcoinjs?.valid.find((v) => v.description === 'Block with witness commit')?.hex;

/** Re-encodes a block from (changed) transactions with a header committing to them. */
function rebuild(header80: Uint8Array, txs: readonly Transaction[]): Uint8Array {
  const header = decodeHeader(header80);
  const merkleRootLE = computeMerkleRoot(txs.map(transactionTxid)).rootLE;
  return encodeBlock(encodeHeader({ ...header, merkleRootLE }), txs);
}

function withInput(tx: Transaction, index: number, change: Partial<TxInput>): Transaction {
  return { ...tx, inputs: tx.inputs.map((input, i) => (i === index ? { ...input, ...change } : input)) };
}

void describe('verifyBlock on mainnet block 413567', () => {
  void test('decodes and verifies: id, 1557 transactions, BIP34 height 413567', needsFixture(BLOCK_413567), () => {
    assert.ok(raw413567);
    const result = verifyBlock(raw413567, MAINNET);
    assert.equal(hashToDisplay(result.hashLE), '0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069');
    assert.equal(result.txCount, 1557);
    assert.equal(result.height, 413567);
    assert.equal(bytesToHex(result.merkleRootLE), bytesToHex(result.header.merkleRootLE));
    assert.equal(result.transactions.length, 1557);
  });

  void test('the result does not alias the caller’s buffer', needsFixture(BLOCK_413567), () => {
    assert.ok(raw413567);
    const copy = raw413567.slice();
    const block = decodeBlock(copy);
    const first = bytesToHex(block.transactions[5]!.bytes);
    copy.fill(0);
    assert.equal(bytesToHex(block.transactions[5]!.bytes), first);
  });

  void test('a copy repeating the last transaction (1558, same root) is BLOCK_MUTATED', needsFixture(BLOCK_413567), () => {
    assert.ok(raw413567);
    const block = decodeBlock(raw413567);
    const txs = block.transactions.map((t) => t.tx);
    const mutated = encodeBlock(block.header80, [...txs, txs[1556]!]);
    // Same header, so real proof of work, and the same Merkle root: only the mutation check stops it.
    assert.equal(bytesToHex(computeMerkleRoot([...block.transactions, block.transactions[1556]!].map((t) => t.txidLE)).rootLE), bytesToHex(block.header.merkleRootLE));
    throwsProof(() => verifyBlock(mutated, MAINNET), 'BLOCK_MUTATED', /CVE-2012-2459/);
  });

  void test('a copy repeating the last transaction three more times (1560: a level-1 duplicate) is BLOCK_MUTATED', needsFixture(BLOCK_413567), () => {
    assert.ok(raw413567);
    const block = decodeBlock(raw413567);
    const txs = block.transactions.map((t) => t.tx);
    const last = txs[1556]!;
    throwsProof(() => verifyBlock(encodeBlock(block.header80, [...txs, last, last, last]), MAINNET), 'BLOCK_MUTATED');
  });

  void test('decodeBlock alone refuses that copy for its weight (the block is full); verifyBlock reports the mutation first, as Core', needsFixture(BLOCK_413567), () => {
    assert.ok(raw413567);
    const block = decodeBlock(raw413567);
    assert.equal(block.weight, 3_999_548);
    const txs = block.transactions.map((t) => t.tx);
    throwsProof(() => decodeBlock(encodeBlock(block.header80, [...txs, txs[1556]!])), 'BLOCK_MALFORMED', /weight \d+ exceeds 4000000/);
  });

  void test('changing one byte of a transaction is MERKLE_MISMATCH', needsFixture(BLOCK_413567), () => {
    assert.ok(raw413567);
    const block = decodeBlock(raw413567);
    const changed = raw413567.slice();
    // The last byte of transaction 5 is the top byte of its locktime.
    const offset = raw413567.length - block.transactions.slice(5).reduce((n, t) => n + t.size, 0) + block.transactions[5]!.size - 1;
    changed[offset] = changed[offset]! ^ 0x01;
    throwsProof(() => verifyBlock(changed, MAINNET), 'MERKLE_MISMATCH');
  });

  void test('a changed nonce is HEADER_BAD_POW', needsFixture(BLOCK_413567), () => {
    assert.ok(raw413567);
    const changed = raw413567.slice();
    changed[76] = changed[76]! ^ 0x01;
    throwsProof(() => verifyBlock(changed, MAINNET), 'HEADER_BAD_POW');
  });

  void test('a target easier than powLimit is BITS_INVALID', needsFixture(BLOCK_413567), () => {
    assert.ok(raw413567);
    throwsProof(() => verifyBlock(raw413567, { powLimit: 1n << 100n }), 'BITS_INVALID', /above the chain's powLimit/);
  });

  void test('powHash replaces the hash compared with the target (not the block id)', needsFixture(BLOCK_413567), () => {
    assert.ok(raw413567);
    throwsProof(() => verifyBlock(raw413567, { ...MAINNET, powHash: () => new Uint8Array(32).fill(0xff) }), 'HEADER_BAD_POW');
    const result = verifyBlock(raw413567, { ...MAINNET, powHash: () => new Uint8Array(32) });
    assert.equal(hashToDisplay(result.hashLE), '0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069');
  });
});

void describe('bitcoinjs block vectors', () => {
  if (bitcoinjs === undefined) {
    void test('fixture', needsFixture(BITCOINJS), () => undefined);
    return;
  }
  for (const v of bitcoinjs.valid) {
    const bytes = hexToBytes(v.hex);
    if (bytes.length === 80) {
      void test(`${v.description} ${v.id}: header fields and id${v.valid ? '' : ', proof of work fails'}`, () => {
        const header = decodeHeader(bytes);
        assert.equal(hashToDisplay(headerHash(bytes)), v.id);
        assert.equal(bytesToHex(header.merkleRootLE), v.merkleRoot);
        assert.equal(bytesToHex(header.prevHashLE), v.prevHash);
        assert.deepEqual([header.version, header.time, header.bits, header.nonce], [v.version, v.timestamp, v.bits, v.nonce]);
        assert.equal(hashMeetsTarget(headerHash(bytes), targetToLE(bitsToTarget(header.bits))), v.valid);
      });
      continue;
    }
    void test(`${v.description} ${v.id}: verifyBlock`, () => {
      const result = verifyBlock(bytes, MAINNET);
      assert.equal(hashToDisplay(result.hashLE), v.id);
      assert.equal(bytesToHex(result.merkleRootLE), v.merkleRoot);
      // BIP34 heights only from version-2 blocks (the genesis coinbase starts with a push of its bits).
      if (v.height !== undefined) assert.equal(result.height, v.version >= 2 ? v.height : undefined);
      if (v.witnessCommit !== undefined) {
        const commitment = findWitnessCommitment(result.transactions[0]!.tx);
        assert.equal(commitment && bytesToHex(commitment.commitmentLE), v.witnessCommit);
      }
    });
  }
  for (const v of bitcoinjs.invalid) {
    void test(`invalid: ${v.exception.replaceAll('\\', '')}`, () => {
      throwsProof(() => decodeBlock(hexToBytes(v.hex)), 'BLOCK_MALFORMED', /header: need 80 bytes/);
      throwsProof(() => decodeHeader(hexToBytes(v.hex)), 'HEADER_MALFORMED');
    });
  }
  for (const { bits, expected } of bitcoinjs.targets) {
    const value = Number.parseInt(bits, 16);
    if ((value & 0x00800000) !== 0 && (value & 0x007fffff) !== 0) {
      void test(`bits 0x${bits}: sign bit set, so a negative target for Core (bitcoinjs masks the bit and expects ${expected})`, () => {
        throwsProof(() => bitsToTarget(value), 'BITS_INVALID', /negative/);
      });
      continue;
    }
    void test(`bits 0x${bits} -> target ${expected}`, () => {
      const target = bitsToTarget(value);
      assert.equal(target.toString(16).padStart(64, '0'), expected);
      assert.equal(targetToBits(target), value);
    });
  }
});

void describe('BIP141 witness commitment (block 542213)', () => {
  if (segwitHex === undefined) {
    void test('fixture', needsFixture(BITCOINJS), () => undefined);
    return;
  }
  const bytes = hexToBytes(segwitHex);
  const block = decodeBlock(bytes);
  const txs = block.transactions.map((t) => t.tx);
  const coinbase = txs[0]!;
  const reserved = coinbase.inputs[0]!.witness[0]!;

  void test('the commitment is sha256d(witness root with a zero coinbase wtxid || reserved value)', () => {
    const commitment = findWitnessCommitment(coinbase);
    assert.ok(commitment);
    assert.equal(bytesToHex(witnessCommitmentHash(block.transactions.map((t) => t.wtxidLE), reserved)), bytesToHex(commitment.commitmentLE));
    verifyBlock(bytes, MAINNET);
  });

  // Witness data is outside the txids: these keep the header, the Merkle root and the real proof of work.
  void test('a changed reserved value is BLOCK_BAD_WITNESS_COMMITMENT', () => {
    const changed = [withInput(coinbase, 0, { witness: [new Uint8Array(32).fill(1)] }), ...txs.slice(1)];
    throwsProof(() => verifyBlock(encodeBlock(block.header80, changed), MAINNET), 'BLOCK_BAD_WITNESS_COMMITMENT', /does not match/);
  });

  void test('a changed witness item of another transaction is BLOCK_BAD_WITNESS_COMMITMENT', () => {
    const index = block.transactions.findIndex((t, i) => i > 0 && t.hasWitness);
    const tx = txs[index]!;
    const inputIndex = tx.inputs.findIndex((input) => input.witness.length > 0);
    const item = tx.inputs[inputIndex]!.witness[0]!.slice();
    item[item.length - 1] = item[item.length - 1]! ^ 1;
    const changed = txs.map((t, i) => (i === index ? withInput(t, inputIndex, { witness: [item, ...tx.inputs[inputIndex]!.witness.slice(1)] }) : t));
    throwsProof(() => verifyBlock(encodeBlock(block.header80, changed), MAINNET), 'BLOCK_BAD_WITNESS_COMMITMENT', /does not match/);
  });

  for (const [name, witness] of [
    ['two items', [reserved, reserved]],
    ['a 31-byte reserved value', [reserved.subarray(1)]],
    ['no item', []],
  ] as const) {
    void test(`a coinbase witness of ${name} is BLOCK_BAD_WITNESS_COMMITMENT`, () => {
      const changed = [withInput(coinbase, 0, { witness: [...witness] }), ...txs.slice(1)];
      throwsProof(() => verifyBlock(encodeBlock(block.header80, changed), MAINNET), 'BLOCK_BAD_WITNESS_COMMITMENT');
    });
  }

  const commitment = findWitnessCommitment(coinbase)!;
  const withOutputs = (outputs: Transaction['outputs']): Transaction[] => [{ ...coinbase, outputs }, ...txs.slice(1)];
  const commitmentScript = coinbase.outputs[commitment.outputIndex]!.scriptPubKey;
  const bogus = concatBytes(commitmentScript.subarray(0, 6), new Uint8Array(32).fill(7));

  void test('without a commitment output, witness data is BLOCK_BAD_WITNESS_COMMITMENT ("unexpected witness")', () => {
    const outputs = coinbase.outputs.filter((_, i) => i !== commitment.outputIndex);
    throwsProof(() => verifyBlock(rebuild(block.header80, withOutputs(outputs)), NO_POW), 'BLOCK_BAD_WITNESS_COMMITMENT', /unexpected witness in transaction 0/);
  });

  void test('the last commitment output counts: a bogus one after the real one is refused', () => {
    const outputs = [...coinbase.outputs, { value: 0n, scriptPubKey: bogus }];
    throwsProof(() => verifyBlock(rebuild(block.header80, withOutputs(outputs)), NO_POW), 'BLOCK_BAD_WITNESS_COMMITMENT');
  });

  void test('the last commitment output counts: a bogus one before the real one is ignored', () => {
    const outputs = [{ value: 0n, scriptPubKey: bogus }, ...coinbase.outputs];
    verifyBlock(rebuild(block.header80, withOutputs(outputs)), NO_POW);
  });

  void test('a script with the prefix but under 38 bytes is not a commitment', () => {
    const outputs = [...coinbase.outputs, { value: 0n, scriptPubKey: bogus.subarray(0, 37) }];
    verifyBlock(rebuild(block.header80, withOutputs(outputs)), NO_POW);
  });
});

void describe('verifyBlock coinbase and transaction rules', () => {
  if (segwitHex === undefined) {
    void test('fixture', needsFixture(BITCOINJS), () => undefined);
    return;
  }
  const block = decodeBlock(hexToBytes(segwitHex));
  const txs = block.transactions.map((t) => t.tx);

  void test('a first transaction that is not a coinbase is BLOCK_BAD_COINBASE', () => {
    throwsProof(() => verifyBlock(rebuild(block.header80, [txs[1]!, txs[0]!, ...txs.slice(2)]), NO_POW), 'BLOCK_BAD_COINBASE', /first transaction is not a coinbase/);
  });

  void test('a second coinbase is BLOCK_BAD_COINBASE', () => {
    const second = withInput(txs[0]!, 0, { scriptSig: Uint8Array.of(1, 2, 3), witness: [] });
    throwsProof(() => verifyBlock(rebuild(block.header80, [txs[0]!, second, ...txs.slice(1)]), NO_POW), 'BLOCK_BAD_COINBASE', /transaction 1 is a second coinbase/);
  });

  void test('a transaction failing CheckTransaction is TX_MALFORMED with its index', () => {
    const bad = { ...txs[2]!, outputs: [{ value: MAX_MONEY + 1n, scriptPubKey: new Uint8Array(0) }] };
    assert.throws(
      () => verifyBlock(rebuild(block.header80, [...txs.slice(0, 2), bad, ...txs.slice(3)]), NO_POW),
      (e: unknown) => e instanceof ProofError && e.code === 'TX_MALFORMED' && /^transaction 2: output 0 value/.test(e.message) && e.details['reason'] === 'bad-txns-vout-toolarge',
    );
  });

  void test('a coinbase scriptSig of 101 bytes is TX_MALFORMED (bad-cb-length)', () => {
    const coinbase = withInput(txs[0]!, 0, { scriptSig: new Uint8Array(101) });
    assert.throws(
      () => verifyBlock(rebuild(block.header80, [coinbase, ...txs.slice(1)]), NO_POW),
      (e: unknown) => e instanceof ProofError && e.details['reason'] === 'bad-cb-length',
    );
  });
});

void describe('decodeBlock structure', () => {
  if (bitcoinjs === undefined) {
    void test('fixture', needsFixture(BITCOINJS), () => undefined);
    return;
  }
  const small = hexToBytes(bitcoinjs.valid.find((v) => v.description === 'Headers + Coinbase')!.hex);
  const segwit = hexToBytes(segwitHex!);

  void test('refuses a trailing byte', () => throwsProof(() => decodeBlock(concatBytes(small, Uint8Array.of(0))), 'BLOCK_MALFORMED', /trailing/));
  void test('refuses zero transactions', () => throwsProof(() => decodeBlock(concatBytes(small.subarray(0, 80), Uint8Array.of(0))), 'BLOCK_MALFORMED', /no transactions/));
  void test('refuses every truncation of a segwit block', () => {
    for (let n = 0; n < segwit.length; n++) throwsProof(() => decodeBlock(segwit.subarray(0, n)), 'BLOCK_MALFORMED');
  });
  void test('names the transaction and the field', () => {
    throwsProof(() => decodeBlock(small.subarray(0, 140)), 'BLOCK_MALFORMED', /^block: transaction 0 input 0 scriptSig: need/);
  });
  void test('refuses a transaction count the bytes cannot hold', () => {
    throwsProof(() => decodeBlock(concatBytes(small.subarray(0, 80), hexToBytes('fdff00'), small.subarray(81))), 'BLOCK_MALFORMED', /transaction count: 255 items/);
  });
  void test('refuses more than 4,000,000 bytes before reading them', () => {
    throwsProof(() => decodeBlock(new Uint8Array(4_000_001)), 'BLOCK_MALFORMED', /4000001 bytes cannot fit the weight limit/);
  });
  void test('refuses a weight above 4,000,000 (a 1 MB stripped transaction, 1.0 MB of bytes)', () => {
    const block = decodeBlock(small);
    const big = { ...block.transactions[0]!.tx, outputs: [{ value: 0n, scriptPubKey: new Uint8Array(1_000_000) }] };
    throwsProof(() => decodeBlock(encodeBlock(block.header80, [big])), 'BLOCK_MALFORMED', /^block: weight 4000\d+ exceeds 4000000$/);
  });
  void test('verifyBlock refuses the same overweight block after its Merkle checks', () => {
    const block = decodeBlock(small);
    const big = { ...block.transactions[0]!.tx, outputs: [{ value: 0n, scriptPubKey: new Uint8Array(1_000_000) }] };
    throwsProof(() => verifyBlock(rebuild(block.header80, [big]), NO_POW), 'BLOCK_MALFORMED', /^block: weight \d+ exceeds 4000000$/);
  });
  void test('random bytes and random edits only ever give a ProofError', () => {
    const check = (bytes: Uint8Array): void => {
      try {
        decodeBlock(bytes);
      } catch (error) {
        if (!(error instanceof ProofError)) throw error;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), check), { numRuns: 1000 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (edits) => {
        const bytes = segwit.slice();
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        check(bytes);
      }),
      { numRuns: 1000 },
    );
  });
});

void describe('coinbaseHeight (BIP34)', () => {
  const coinbaseWith = (scriptSigHex: string): Transaction => ({
    version: 1,
    inputs: [{ prevTxidLE: new Uint8Array(32), prevVout: 0xffffffff, scriptSig: hexToBytes(scriptSigHex), sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: 0n, scriptPubKey: new Uint8Array(0) }],
    locktime: 0,
  });
  const vectors: [string, string, number | undefined][] = [
    ['OP_0', '00ff', 0],
    ['OP_1', '51ff', 1],
    ['OP_16', '60', 16],
    ['17 as one byte', '0111', 17],
    ['127', '017f', 127],
    ['128 needs a sign byte', '028000', 128],
    ['255', '02ff00', 255],
    ['413567', '037f4f06' + 'abcdef', 413567],
    ['8388608', '0400008000', 8388608],
    ['2^31 - 1', '04ffffff7f', 2 ** 31 - 1],
    ['the genesis coinbase (its bits, read as a number)', '04ffff001d0104', 486604799],
    ['5 pushed as data (Core writes OP_5)', '0105', undefined],
    ['a non-minimal 17', '021100', undefined],
    ['a negative number', '0181', undefined],
    ['OP_1NEGATE', '4f', undefined],
    ['a truncated push', '037f4f', undefined],
    ['a 5-byte push', '050000000001', undefined],
    ['a non-push first opcode', '6a', undefined],
    ['an empty scriptSig', '', undefined],
  ];
  for (const [name, hex, height] of vectors) {
    void test(`${name}: ${String(height)}`, () => assert.equal(coinbaseHeight(coinbaseWith(hex)), height));
  }

  void test('not a coinbase: undefined', () => {
    const tx = coinbaseWith('037f4f06');
    assert.equal(coinbaseHeight(withInput(tx, 0, { prevVout: 0 })), undefined);
  });

  void test('encodeCoinbaseHeight is what coinbaseHeight reads back', () => {
    for (const height of [0, 1, 16, 17, 127, 128, 255, 256, 32767, 32768, 65535, 8388607, 8388608, 2 ** 31 - 1]) {
      assert.equal(coinbaseHeight(coinbaseWith(bytesToHex(encodeCoinbaseHeight(height)) + 'ff')), height, `height ${height}`);
    }
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (h) => coinbaseHeight(coinbaseWith(bytesToHex(encodeCoinbaseHeight(h)))) === h));
    assert.throws(() => encodeCoinbaseHeight(-1), RangeError);
    assert.throws(() => encodeCoinbaseHeight(2 ** 31), RangeError);
  });
});
