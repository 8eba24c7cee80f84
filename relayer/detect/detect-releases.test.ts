import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, concatBytes, displayToHash } from '../../proofs/bytes.js';
import { sha256 } from '../../proofs/hash.js';
import { MEMO_MAGIC, encodeMemo } from '../../proofs/bitcoin/memo.js';
import { encodeDataPush } from '../../proofs/bitcoin/script.js';
import { decodeTransaction, encodeTransaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { lockScriptPubKey } from '../../ledgers/bitcoin/lock-script.js';
import { p2wpkhScriptPubKey } from '../../ledgers/bitcoin/payments.js';
import { publicKeyCompressed } from '../../ledgers/bitcoin/signatures.js';
import { devKey, testFederation } from '../../ledgers/devnet/test-utils.js';
import { BURNS_HASH_TAG, burnsHash, detectReleases, type Outpoint } from './detect-releases.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const LOCK = lockScriptPubKey(testFederation(2, 3).federation);
const PAYEE = p2wpkhScriptPubKey(publicKeyCompressed(devKey('payee')));
const CTX = { lockScript: LOCK };

const lockUtxo = (label: string, vout: number): Outpoint => ({ txidLE: sha256(utf8(label)), vout });
const releaseMemo = (hash: Uint8Array): TxOutput => ({ value: 0n, scriptPubKey: encodeMemo({ kind: 'release', burnsHashLE: hash }) });

/** A release-shaped transaction: spends `inputs` (witnesses as a signed release would carry), pays `outputs`. */
function txBytes(inputs: readonly Outpoint[], outputs: readonly TxOutput[]): Uint8Array {
  return encodeTransaction(
    {
      version: 2,
      inputs: inputs.map((o) => ({ prevTxidLE: o.txidLE, prevVout: o.vout, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [new Uint8Array(64), Uint8Array.of(0x51)] })),
      outputs,
      locktime: 0,
    },
    { witness: true },
  );
}

/** The pinned vector's two txids: their internal order and their display order disagree. */
const TXID_1 = displayToHash(`02${'00'.repeat(30)}01`); // internal 01 00..00 02
const TXID_2 = displayToHash(`01${'00'.repeat(30)}02`); // internal 02 00..00 01

void describe('detectReleases', () => {
  void test('a release: its burns hash, its inputs in order, its change to the lock', () => {
    const burns = [lockUtxo('burn', 2)];
    const hash = burnsHash(burns);
    const inputs = [lockUtxo('lock a', 0), lockUtxo('lock b', 3)];
    const bytes = txBytes(inputs, [{ value: 90_000n, scriptPubKey: PAYEE }, { value: 55_000n, scriptPubKey: LOCK }, releaseMemo(hash)]);
    const release = detectReleases(bytes, CTX);
    assert.ok(release !== null);
    assert.deepEqual(release, detectReleases(decodeTransaction(bytes), CTX));
    assert.equal(bytesToHex(release.txidLE), bytesToHex(decodeTransaction(bytes).txidLE));
    assert.equal(bytesToHex(release.burnsHashLE), bytesToHex(hash));
    assert.deepEqual(release.inputs.map((o) => [bytesToHex(o.txidLE), o.vout]), inputs.map((o) => [bytesToHex(o.txidLE), o.vout]));
    assert.deepEqual(release.lockOutputs, [{ vout: 1, amount: 55_000n }]);
  });

  void test('other UBR1 outputs beside the one release memo do not matter', () => {
    const hash = burnsHash([lockUtxo('burn', 0)]);
    const lockMemo: TxOutput = { value: 0n, scriptPubKey: encodeMemo({ kind: 'lock', destinationScript: PAYEE }) };
    const bad: TxOutput = { value: 0n, scriptPubKey: concatBytes(Uint8Array.of(0x6a), encodeDataPush(concatBytes(MEMO_MAGIC, Uint8Array.of(0x03, 0x01)))) };
    const release = detectReleases(txBytes([lockUtxo('lock', 0)], [lockMemo, releaseMemo(hash), bad]), CTX);
    assert.equal(bytesToHex(release!.burnsHashLE), bytesToHex(hash));
    assert.deepEqual(release!.lockOutputs, []);
  });

  void test('not a release: no memo, a malformed 0x03, two release memos, undecodable bytes', () => {
    const inputs = [lockUtxo('lock', 0)];
    const pay: TxOutput = { value: 1_000n, scriptPubKey: PAYEE };
    const malformed: TxOutput = { value: 0n, scriptPubKey: concatBytes(Uint8Array.of(0x6a), encodeDataPush(concatBytes(MEMO_MAGIC, Uint8Array.of(0x03), new Uint8Array(31)))) };
    assert.equal(detectReleases(txBytes(inputs, [pay]), CTX), null);
    assert.equal(detectReleases(txBytes(inputs, [pay, malformed]), CTX), null);
    const twice = txBytes(inputs, [pay, releaseMemo(sha256(utf8('a'))), releaseMemo(sha256(utf8('b')))]);
    assert.equal(detectReleases(twice, CTX), null);
    assert.equal(detectReleases(twice.subarray(0, 10), CTX), null);
    assert.throws(() => detectReleases(twice, { lockScript: new Uint8Array(0) }), RangeError);
  });
});

void describe('burnsHash', () => {
  void test('pinned vector, cross-checked with node:crypto', () => {
    const outpoints = [
      { txidLE: TXID_1, vout: 1 },
      { txidLE: TXID_2, vout: 5 },
      { txidLE: TXID_2, vout: 0 },
    ];
    // Expected value computed once, outside this code, with node:crypto:
    //   tag = sha256("UBR1/release"); sha256(tag || tag || data), where data is the outpoints
    //   sorted by (display txid, vout) -- TXID_2:0, TXID_2:5, TXID_1:1 -- each as 32-byte internal
    //   txid || 4-byte little-endian vout.
    const expected = '0c25dec787a7e00933f5d063f4eed92d91efb7ba087aaf60d288122b66fec188';
    assert.equal(bytesToHex(burnsHash(outpoints)), expected);

    const sha = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();
    const ser = (txid: Uint8Array, vout: number): Buffer => {
      const b = Buffer.alloc(36);
      b.set(txid, 0);
      b.writeUInt32LE(vout, 32);
      return b;
    };
    const tag = sha(Buffer.from(BURNS_HASH_TAG, 'utf8'));
    const independent = sha(Buffer.concat([tag, tag, ser(TXID_2, 0), ser(TXID_2, 5), ser(TXID_1, 1)]));
    assert.equal(independent.toString('hex'), expected);
    // Sorting by internal order instead would give another hash.
    const internalOrder = sha(Buffer.concat([tag, tag, ser(TXID_1, 1), ser(TXID_2, 0), ser(TXID_2, 5)]));
    assert.notEqual(internalOrder.toString('hex'), expected);
  });

  void test('one burn: a tagged hash of its 36-byte outpoint, not a plain sha256', () => {
    const o = lockUtxo('single burn', 7);
    const data = concatBytes(o.txidLE, Uint8Array.of(7, 0, 0, 0));
    const tag = sha256(utf8(BURNS_HASH_TAG));
    assert.equal(bytesToHex(burnsHash([o])), bytesToHex(sha256(concatBytes(tag, tag, data))));
    assert.notEqual(bytesToHex(burnsHash([o])), bytesToHex(sha256(data)));
  });

  void test('property: the order of the outpoints does not matter, their set does', () => {
    const outpoint = fc.record({ txidLE: fc.uint8Array({ minLength: 32, maxLength: 32 }), vout: fc.nat({ max: 0xffffffff }) });
    const distinct = fc.uniqueArray(outpoint, { minLength: 1, maxLength: 6, selector: (o) => `${bytesToHex(o.txidLE)}:${o.vout}` });
    fc.assert(
      fc.property(distinct, fc.func(fc.integer()), (outpoints, key) => {
        const shuffled = [...outpoints].sort((a, b) => key(a) - key(b));
        assert.equal(bytesToHex(burnsHash(shuffled)), bytesToHex(burnsHash(outpoints)));
        if (outpoints.length > 1) assert.notEqual(bytesToHex(burnsHash(outpoints.slice(1))), bytesToHex(burnsHash(outpoints)));
      }),
      { numRuns: 200 },
    );
  });

  void test('refuses an empty list, a duplicate and malformed outpoints', () => {
    const o = lockUtxo('burn', 0);
    assert.throws(() => burnsHash([]), RangeError);
    assert.throws(() => burnsHash([o, { txidLE: o.txidLE.slice(), vout: 0 }]), /listed twice/);
    assert.throws(() => burnsHash([{ txidLE: new Uint8Array(31), vout: 0 }]), RangeError);
    assert.throws(() => burnsHash([{ txidLE: o.txidLE, vout: -1 }]), RangeError);
    assert.throws(() => burnsHash([{ txidLE: o.txidLE, vout: 2 ** 32 }]), RangeError);
  });
});
