import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { ByteWriter } from '../../proofs/byte-writer.js';
import { bytesToHex, concatBytes, hexToBytes } from '../../proofs/bytes.js';
import { decodeTransaction, type Transaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { needsFixture, readFixtureJson } from '../../test/fixtures.js';
import { SIGHASH_ALL, SIGHASH_DEFAULT, SIGHASH_SINGLE, sighashSegwitV0, sighashTaproot } from './sighash.js';
import { publicKeyCompressed, signEcdsa, taggedHash, verifyEcdsa } from './signatures.js';
import { tapLeafHash } from './taproot.js';
import { BIP143_CASES } from './bip143-examples.js';
import { testKey, unsignedTx } from './test-utils.js';

describe('BIP143 examples (segwit v0 sighash)', () => {
  for (const c of BIP143_CASES) {
    test(c.name, () => {
      const { tx } = decodeTransaction(hexToBytes(c.tx));
      const digest = sighashSegwitV0(tx, c.input, hexToBytes(c.scriptCode), c.amount, c.hashType);
      assert.equal(bytesToHex(digest), c.sigHash);
      // The published signature verifies, and our deterministic (RFC 6979) signer reproduces it.
      assert.equal(bytesToHex(publicKeyCompressed(hexToBytes(c.privKey))), c.pubKey);
      assert.ok(verifyEcdsa(hexToBytes(c.signature), digest, hexToBytes(c.pubKey)));
      assert.equal(bytesToHex(signEcdsa(digest, hexToBytes(c.privKey))), c.signature);
    });
  }
});

interface Bip341KeyPath {
  readonly given: { rawUnsignedTx: string; utxosSpent: { scriptPubKey: string; amountSats: number }[] };
  readonly inputSpending: {
    given: { txinIndex: number; internalPrivkey: string; merkleRoot: string | null; hashType: number };
    intermediary: { sigMsg: string; sigHash: string; tweakedPrivkey: string };
    expected: { witness: string[] };
  }[];
}
const BIP341 = 'bitcoin/bip341_wallet-test-vectors.json';

function keyPathVectors(): { tx: Transaction; spent: TxOutput[]; vector: Bip341KeyPath } | undefined {
  if (needsFixture(BIP341).skip !== undefined) return undefined;
  const vector = readFixtureJson<{ keyPathSpending: Bip341KeyPath[] }>(BIP341).keyPathSpending[0]!;
  const { tx } = decodeTransaction(hexToBytes(vector.given.rawUnsignedTx));
  const spent = vector.given.utxosSpent.map((u) => ({ value: BigInt(u.amountSats), scriptPubKey: hexToBytes(u.scriptPubKey) }));
  return { tx, spent, vector };
}

/**
 * An independent BIP341 signature message (epoch byte 0x00 then SigMsg, and BIP342's extension
 * for a script path; written from the BIPs' text, with node:crypto's SHA-256), to cross-check the
 * script-path sighash, which the BIP's vectors do not cover: it is first checked against the
 * vectors' sigMsg for the key path.
 */
function referenceSigMsg(tx: Transaction, index: number, spent: readonly TxOutput[], hashType: number, leafHash?: Uint8Array): Uint8Array {
  const sha = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());
  const w = new ByteWriter();
  const anyoneCanPay = (hashType & 0x80) !== 0;
  const outputType = hashType & 0x03;
  w.u8(0x00).u8(hashType).u32(tx.version).u32(tx.locktime); // epoch 0, then SigMsg
  if (!anyoneCanPay) {
    const prevouts = new ByteWriter();
    const amounts = new ByteWriter();
    const scripts = new ByteWriter();
    const sequences = new ByteWriter();
    tx.inputs.forEach((input, i) => {
      prevouts.bytes(input.prevTxidLE).u32(input.prevVout);
      amounts.u64(spent[i]!.value);
      scripts.varBytes(spent[i]!.scriptPubKey);
      sequences.u32(input.sequence);
    });
    w.bytes(sha(prevouts.finish())).bytes(sha(amounts.finish())).bytes(sha(scripts.finish())).bytes(sha(sequences.finish()));
  }
  if (outputType !== 2 && outputType !== 3) {
    const outputs = new ByteWriter();
    for (const o of tx.outputs) outputs.u64(o.value).varBytes(o.scriptPubKey);
    w.bytes(sha(outputs.finish()));
  }
  w.u8(leafHash === undefined ? 0 : 2);
  if (anyoneCanPay) {
    const input = tx.inputs[index]!;
    w.bytes(input.prevTxidLE).u32(input.prevVout).u64(spent[index]!.value).varBytes(spent[index]!.scriptPubKey).u32(input.sequence);
  } else {
    w.u32(index);
  }
  if (outputType === 3) {
    const o = tx.outputs[index]!;
    w.bytes(sha(new ByteWriter().u64(o.value).varBytes(o.scriptPubKey).finish()));
  }
  if (leafHash !== undefined) w.bytes(leafHash).u8(0x00).u32(0xffffffff);
  return w.finish();
}

describe('BIP341 key-path vectors (taproot sighash)', () => {
  const loaded = keyPathVectors();
  if (loaded === undefined) {
    test('BIP341 wallet vectors', needsFixture(BIP341), () => {});
    return;
  }
  const { tx, spent, vector } = loaded;
  for (const input of vector.inputSpending) {
    const { txinIndex, hashType } = input.given;
    test(`input ${txinIndex}, hash type 0x${hashType.toString(16).padStart(2, '0')}: sigHash`, () => {
      assert.equal(bytesToHex(sighashTaproot(tx, txinIndex, spent, hashType)), input.intermediary.sigHash);
    });
    test(`input ${txinIndex}: the reference SigMsg used to cross-check script paths matches the vector's sigMsg`, () => {
      const sigMsg = referenceSigMsg(tx, txinIndex, spent, hashType);
      assert.equal(bytesToHex(sigMsg), input.intermediary.sigMsg);
      assert.equal(bytesToHex(taggedHash('TapSighash', sigMsg)), input.intermediary.sigHash);
    });
  }

  const leafScript = hexToBytes('20d85a959b0290bf19bb89ed43c916be835475d013da4b362117393e25a48229b8ac');
  for (const hashType of [0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83]) {
    test(`script path, hash type 0x${hashType.toString(16).padStart(2, '0')}: equals the reference SigMsg with the BIP342 extension`, () => {
      for (const index of [0, 1, 8]) {
        if ((hashType & 3) === 3 && index >= tx.outputs.length) continue;
        const expected = taggedHash('TapSighash', referenceSigMsg(tx, index, spent, hashType, tapLeafHash(leafScript)));
        assert.equal(bytesToHex(sighashTaproot(tx, index, spent, hashType, { script: leafScript })), bytesToHex(expected), `input ${index}`);
      }
    });
  }
});

describe('sighash argument checks', () => {
  const tx = unsignedTx(3);
  const spent: TxOutput[] = [0, 1, 2].map((i) => ({ value: 10_000n + BigInt(i), scriptPubKey: concatBytes(Uint8Array.of(0x51, 0x20), testKey(i)) }));

  test('taproot: SIGHASH_SINGLE without an output at the input index is a RangeError (BIP341 defines no digest)', () => {
    assert.throws(() => sighashTaproot(tx, 2, spent, SIGHASH_SINGLE), RangeError);
    assert.throws(() => sighashTaproot(tx, 2, spent, SIGHASH_SINGLE | 0x80), RangeError);
    assert.doesNotThrow(() => sighashTaproot(tx, 1, spent, SIGHASH_SINGLE));
  });

  test('taproot: hash types BIP341 does not define are refused', () => {
    for (const hashType of [0x04, 0x80, 0x84, 0xff, 0x100, -1, 1.5]) assert.throws(() => sighashTaproot(tx, 0, spent, hashType), RangeError, String(hashType));
  });

  test('taproot: spentOutputs must have one entry per input, with bigint values', () => {
    assert.throws(() => sighashTaproot(tx, 0, spent.slice(1), SIGHASH_DEFAULT), /spentOutputs: expected one per input/);
    assert.throws(() => sighashTaproot(tx, 0, [{ ...spent[0]!, value: -1n }, spent[1]!, spent[2]!], SIGHASH_DEFAULT), /spentOutputs\[0\]\.value/);
  });

  test('the input index must exist', () => {
    assert.throws(() => sighashTaproot(tx, 3, spent, SIGHASH_DEFAULT), /inputIndex/);
    assert.throws(() => sighashSegwitV0(tx, -1, new Uint8Array(0), 1n, SIGHASH_ALL), /inputIndex/);
  });

  test('segwit v0: hash type is one byte, amount a non-negative bigint', () => {
    assert.throws(() => sighashSegwitV0(tx, 0, new Uint8Array(0), 1n, 0x100), /hashType/);
    assert.throws(() => sighashSegwitV0(tx, 0, new Uint8Array(0), -1n, SIGHASH_ALL), /amount/);
    assert.throws(() => sighashSegwitV0(tx, 0, new Uint8Array(0), 1 as unknown as bigint, SIGHASH_ALL), /amount/);
  });

  test('digests change with the amount, the script code, the input and the hash type', () => {
    const script = Uint8Array.of(0x51);
    const base = bytesToHex(sighashSegwitV0(tx, 0, script, 1000n, SIGHASH_ALL));
    assert.notEqual(bytesToHex(sighashSegwitV0(tx, 0, script, 1001n, SIGHASH_ALL)), base);
    assert.notEqual(bytesToHex(sighashSegwitV0(tx, 0, Uint8Array.of(0x52), 1000n, SIGHASH_ALL)), base);
    assert.notEqual(bytesToHex(sighashSegwitV0(tx, 1, script, 1000n, SIGHASH_ALL)), base);
    assert.notEqual(bytesToHex(sighashSegwitV0(tx, 0, script, 1000n, 0x81)), base);
  });

  test('taproot script-path digest depends on the leaf version', () => {
    const script = Uint8Array.of(0x51);
    const a = sighashTaproot(tx, 0, spent, SIGHASH_DEFAULT, { script });
    const b = sighashTaproot(tx, 0, spent, SIGHASH_DEFAULT, { script, leafVersion: 0xc2 });
    assert.notEqual(bytesToHex(a), bytesToHex(b));
    assert.throws(() => sighashTaproot(tx, 0, spent, SIGHASH_DEFAULT, { script, leafVersion: 0xc1 }), /leafVersion/);
  });
});
