import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, concatBytes, hexToBytes } from '../../proofs/bytes.js';
import { sha256 } from '../../proofs/hash.js';
import { MEMO_MAGIC, encodeMemo } from '../../proofs/bitcoin/memo.js';
import { encodeDataPush } from '../../proofs/bitcoin/script.js';
import { decodeTransaction, encodeTransaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { lockScriptPubKey } from '../../ledgers/bitcoin/lock-script.js';
import { p2trKeyPathScriptPubKey, p2wpkhScriptPubKey, p2wshScriptPubKey } from '../../ledgers/bitcoin/payments.js';
import { publicKeyCompressed, xOnlyPublicKey } from '../../ledgers/bitcoin/signatures.js';
import { Wallet, devKey, testFederation } from '../../ledgers/devnet/test-utils.js';
import { transferIdOf } from '../transfer.js';
import { detectLocks, type DetectedLock, type LockContext } from './detect-locks.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const fed = testFederation(2, 3).federation;
const LOCK = lockScriptPubKey(fed);
const P2WPKH = p2wpkhScriptPubKey(publicKeyCompressed(devKey('user')));
const P2TR = p2trKeyPathScriptPubKey(xOnlyPublicKey(devKey('user')));
const P2WSH = p2wshScriptPubKey(Uint8Array.of(0x51));
const CHANGE = p2wpkhScriptPubKey(publicKeyCompressed(devKey('change')));
const DUST = 546n;
const FEE = 1_000n;
const CTX: LockContext = { lockScript: LOCK, dust: DUST, mintFee: FEE, isCoinbase: false };

const lockMemo = (destination: Uint8Array = P2WPKH): TxOutput => ({ value: 0n, scriptPubKey: encodeMemo({ kind: 'lock', destinationScript: destination }) });
const pay = (value: bigint, scriptPubKey: Uint8Array = LOCK): TxOutput => ({ value, scriptPubKey });
/** OP_RETURN with one push of `payload` (no checks: for malformed memos). */
const opReturn = (payload: Uint8Array): TxOutput => ({ value: 0n, scriptPubKey: concatBytes(Uint8Array.of(0x6a), encodeDataPush(payload)) });

/** The serialized transaction: one input spending a made-up outpoint (or a coinbase input), `outputs`. */
function txBytes(outputs: readonly TxOutput[], options: { coinbase?: boolean } = {}): Uint8Array {
  const input = options.coinbase
    ? { prevTxidLE: new Uint8Array(32), prevVout: 0xffffffff, scriptSig: Uint8Array.of(0x01, 0x65), sequence: 0xffffffff, witness: [] }
    : { prevTxidLE: sha256(utf8('funding')), prevVout: 0, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] };
  return encodeTransaction({ version: 2, inputs: [input], outputs, locktime: 0 }, { witness: true });
}

function only(candidates: DetectedLock[]): DetectedLock {
  assert.equal(candidates.length, 1);
  return candidates[0]!;
}

function codeOf(outputs: readonly TxOutput[], ctx: LockContext = CTX): string | undefined {
  return only(detectLocks(txBytes(outputs), ctx)).rejection?.code;
}

void describe('detectLocks', () => {
  void test('a signed lock with a P2WPKH destination is one accepted candidate, same from bytes or decoded', () => {
    const wallet = Wallet.of('depositor');
    const coin = { txidLE: sha256(utf8('coin')), vout: 3, output: { value: 100_000n, scriptPubKey: wallet.script } };
    const tx = wallet.spend([coin], [pay(50_000n), lockMemo(), pay(49_000n, wallet.script)]);
    assert.ok(tx.hasWitness);
    const fromDecoded = detectLocks(tx, CTX);
    const fromBytes = detectLocks(tx.bytes, CTX);
    assert.deepEqual(fromBytes, fromDecoded);
    const lock = only(fromDecoded);
    assert.equal(lock.id, transferIdOf('pegin', tx.txidLE, 0));
    assert.equal(bytesToHex(lock.txidLE), bytesToHex(tx.txidLE));
    assert.equal(lock.vout, 0);
    assert.equal(lock.amount, 50_000n);
    assert.equal(bytesToHex(lock.destination!), bytesToHex(P2WPKH));
    assert.equal(lock.payout, 49_000n);
    assert.equal(lock.rejection, undefined);
  });

  void test('P2WSH and P2TR destinations are accepted, and a P2WSH federation lock is found too', () => {
    for (const destination of [P2WSH, P2TR]) assert.equal(codeOf([pay(10_000n), lockMemo(destination)]), undefined);
    const p2wshLock = lockScriptPubKey(testFederation(2, 3, 'p2wsh').federation);
    const lock = only(detectLocks(txBytes([lockMemo(), pay(10_000n, p2wshLock)]), { ...CTX, lockScript: p2wshLock }));
    assert.equal(lock.vout, 1);
    assert.equal(lock.payout, 9_000n);
  });

  void test('a transaction that pays no lock output gives nothing, memo or not', () => {
    assert.deepEqual(detectLocks(txBytes([pay(10_000n, P2WPKH), lockMemo()]), CTX), []);
    assert.deepEqual(detectLocks(txBytes([pay(10_000n, P2WPKH)]), CTX), []);
    // Another federation's lock is not ours.
    const other = lockScriptPubKey(testFederation(1, 1).federation);
    assert.deepEqual(detectLocks(txBytes([pay(10_000n, other), lockMemo()]), CTX), []);
  });

  void test('several lock outputs in one transaction are several transfers sharing the memo', () => {
    const bytes = txBytes([pay(10_000n), pay(20_000n, CHANGE), lockMemo(P2TR), pay(30_000n), pay(DUST)]);
    const txid = decodeTransaction(bytes).txidLE;
    const locks = detectLocks(bytes, CTX);
    assert.deepEqual(locks.map((l) => [l.vout, l.id, l.amount, l.payout, l.rejection?.code]), [
      [0, transferIdOf('pegin', txid, 0), 10_000n, 9_000n, undefined],
      [3, transferIdOf('pegin', txid, 3), 30_000n, 29_000n, undefined],
      [4, transferIdOf('pegin', txid, 4), DUST, undefined, 'AMOUNT_DUST'],
    ]);
    assert.equal(new Set(locks.map((l) => l.id)).size, 3);
    for (const l of locks) assert.equal(bytesToHex(l.destination!), bytesToHex(P2TR));
  });

  void test('MEMO_MISSING: no UBR1 memo (an unrelated OP_RETURN does not count)', () => {
    assert.equal(codeOf([pay(10_000n)]), 'MEMO_MISSING');
    const lock = only(detectLocks(txBytes([pay(10_000n), opReturn(utf8('hello world'))]), CTX));
    assert.equal(lock.rejection?.code, 'MEMO_MISSING');
    assert.equal(lock.destination, undefined);
    assert.equal(lock.payout, undefined);
    assert.match(lock.rejection.message, /lock output 0/);
  });

  void test('MEMO_MALFORMED: a UBR1-prefixed memo with a bad body', () => {
    const malformed = [
      opReturn(concatBytes(MEMO_MAGIC, Uint8Array.of(0x01, 0x16), P2WPKH.subarray(0, 21))), // length byte says 22, 21 follow
      opReturn(concatBytes(MEMO_MAGIC, Uint8Array.of(0x01, 0x00))), // zero-length destination
      opReturn(concatBytes(MEMO_MAGIC, Uint8Array.of(0x09), P2WPKH)), // unknown kind
      opReturn(MEMO_MAGIC), // no kind byte
      { value: 0n, scriptPubKey: concatBytes(Uint8Array.of(0x6a, 0x20), MEMO_MAGIC, Uint8Array.of(0x01)) }, // truncated push
      { value: 0n, scriptPubKey: concatBytes(encodeMemo({ kind: 'lock', destinationScript: P2WPKH }), Uint8Array.of(0x51)) }, // a second push
    ];
    for (const memo of malformed) {
      const lock = only(detectLocks(txBytes([pay(10_000n), memo]), CTX));
      assert.equal(lock.rejection?.code, 'MEMO_MALFORMED', bytesToHex(memo.scriptPubKey));
      assert.match(lock.rejection.message, /memo:/);
      assert.equal(lock.destination, undefined);
    }
  });

  void test('MEMO_WRONG_KIND: a burn or release memo on a lock', () => {
    assert.equal(codeOf([pay(10_000n), { value: 0n, scriptPubKey: encodeMemo({ kind: 'burn', destinationScript: P2WPKH }) }]), 'MEMO_WRONG_KIND');
    assert.equal(codeOf([pay(10_000n), { value: 0n, scriptPubKey: encodeMemo({ kind: 'release', burnsHashLE: sha256(utf8('x')) }) }]), 'MEMO_WRONG_KIND');
  });

  void test('MEMO_AMBIGUOUS: two memos, even two identical ones or one malformed', () => {
    assert.equal(codeOf([pay(10_000n), lockMemo(), lockMemo()]), 'MEMO_AMBIGUOUS');
    assert.equal(codeOf([lockMemo(P2TR), pay(10_000n), lockMemo(P2WPKH)]), 'MEMO_AMBIGUOUS');
    assert.equal(codeOf([pay(10_000n), lockMemo(), opReturn(concatBytes(MEMO_MAGIC, Uint8Array.of(0x07)))]), 'MEMO_AMBIGUOUS');
    const lock = only(detectLocks(txBytes([pay(10_000n), lockMemo(), { value: 0n, scriptPubKey: encodeMemo({ kind: 'burn', destinationScript: P2WPKH }) }]), CTX));
    assert.equal(lock.rejection?.code, 'MEMO_AMBIGUOUS');
    assert.match(lock.rejection.message, /2 UBR1 memo outputs \(1, 2\)/);
  });

  void test('DESTINATION_UNSUPPORTED: anything but P2WPKH, P2WSH, P2TR, and never the lock script', () => {
    const refused: [string, Uint8Array][] = [
      ['the lock script itself', LOCK],
      ['P2PKH', hexToBytes(`76a914${'11'.repeat(20)}88ac`)],
      ['P2SH', hexToBytes(`a914${'22'.repeat(20)}87`)],
      ['OP_RETURN', hexToBytes('6a0401020304')],
      ['witness v2', hexToBytes(`5220${'33'.repeat(32)}`)],
      ['witness v0 of 25 bytes', hexToBytes(`0019${'44'.repeat(25)}`)],
      ['witness v1 of 20 bytes', hexToBytes(`5114${'55'.repeat(20)}`)],
      ['a P2A anchor', hexToBytes('51024e73')],
      ['bare multisig', hexToBytes(`5121${'02'.repeat(33)}51ae`)],
      ['OP_TRUE', Uint8Array.of(0x51)],
    ];
    for (const [name, destination] of refused) {
      const lock = only(detectLocks(txBytes([pay(10_000n), lockMemo(destination)]), CTX));
      assert.equal(lock.rejection?.code, 'DESTINATION_UNSUPPORTED', name);
      assert.equal(bytesToHex(lock.destination!), bytesToHex(destination), 'the destination is kept for the operator');
      assert.equal(lock.payout, undefined);
    }
  });

  void test('AMOUNT_DUST at 0 and at the dust limit; dust + 1 passes when there is no fee', () => {
    assert.equal(codeOf([pay(0n), lockMemo()]), 'AMOUNT_DUST');
    assert.equal(codeOf([pay(DUST), lockMemo()]), 'AMOUNT_DUST');
    assert.equal(codeOf([pay(DUST + 1n), lockMemo()]), 'AMOUNT_BELOW_FEES');
    const lock = only(detectLocks(txBytes([pay(DUST + 1n), lockMemo()]), { ...CTX, mintFee: 0n }));
    assert.equal(lock.rejection, undefined);
    assert.equal(lock.payout, DUST + 1n);
  });

  void test('AMOUNT_BELOW_FEES up to dust + mintFee; one satoshi more pays dust + 1', () => {
    const lock = only(detectLocks(txBytes([pay(DUST + FEE), lockMemo()]), CTX));
    assert.equal(lock.rejection?.code, 'AMOUNT_BELOW_FEES');
    assert.match(lock.rejection.message, /leaves 546/);
    const ok = only(detectLocks(txBytes([pay(DUST + FEE + 1n), lockMemo()]), CTX));
    assert.equal(ok.rejection, undefined);
    assert.equal(ok.payout, DUST + 1n);
  });

  void test('COINBASE_LOCK, whether the context or the bytes say coinbase, and before any other reason', () => {
    assert.equal(codeOf([pay(10_000n), lockMemo()], { ...CTX, isCoinbase: true }), 'COINBASE_LOCK');
    const bytes = txBytes([pay(10_000n), lockMemo()], { coinbase: true });
    assert.equal(only(detectLocks(bytes, CTX)).rejection?.code, 'COINBASE_LOCK');
    assert.equal(only(detectLocks(txBytes([pay(1n)], { coinbase: true }), CTX)).rejection?.code, 'COINBASE_LOCK');
  });

  void test('bytes that do not decode give nothing; a bad context or a wrong type throws', () => {
    const good = txBytes([pay(10_000n), lockMemo()]);
    assert.deepEqual(detectLocks(good.subarray(0, good.length - 1), CTX), []);
    assert.deepEqual(detectLocks(new Uint8Array(0), CTX), []);
    assert.throws(() => detectLocks(good, { ...CTX, dust: -1n }), RangeError);
    assert.throws(() => detectLocks(good, { ...CTX, mintFee: 5 as unknown as bigint }), RangeError);
    assert.throws(() => detectLocks(good, { ...CTX, lockScript: new Uint8Array(0) }), RangeError);
    assert.throws(() => detectLocks(good, { ...CTX, isCoinbase: 'no' as unknown as boolean }), TypeError);
    assert.throws(() => detectLocks('00' as unknown as Uint8Array, CTX), TypeError);
  });

  void test('property: never throws on random outputs, and every candidate is rejected or pays above dust + fee', () => {
    const script = fc.oneof(
      fc.constant(LOCK),
      fc.constant(P2WPKH),
      fc.uint8Array({ maxLength: 90 }),
      fc.uint8Array({ maxLength: 80 }).map((b) => concatBytes(Uint8Array.of(0x6a), encodeDataPush(concatBytes(MEMO_MAGIC, b)))),
      fc.constantFrom<'lock' | 'burn'>('lock', 'burn').chain((kind) =>
        fc.oneof(fc.constant(P2WPKH), fc.constant(LOCK), fc.uint8Array({ minLength: 1, maxLength: 74 })).map((d) => encodeMemo({ kind, destinationScript: d })),
      ),
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((h) => encodeMemo({ kind: 'release', burnsHashLE: h })),
    );
    const output = fc.record({ value: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), scriptPubKey: script });
    fc.assert(
      fc.property(
        fc.array(output, { maxLength: 8 }),
        fc.bigInt({ min: 0n, max: 100_000n }),
        fc.bigInt({ min: 0n, max: 100_000n }),
        fc.boolean(),
        fc.boolean(),
        (outputs, dust, mintFee, isCoinbase, truncate) => {
          const bytes = txBytes(outputs);
          const ctx = { lockScript: LOCK, dust, mintFee, isCoinbase };
          const found = detectLocks(truncate ? bytes.subarray(0, bytes.length - 1) : bytes, ctx);
          if (truncate) assert.deepEqual(found, []);
          else assert.equal(found.length, outputs.filter((o) => bytesToHex(o.scriptPubKey) === bytesToHex(LOCK)).length);
          for (const lock of found) {
            if (lock.rejection === undefined) {
              assert.ok(lock.amount > dust + mintFee);
              assert.equal(lock.payout, lock.amount - mintFee);
              assert.ok(!isCoinbase);
            } else {
              assert.equal(lock.payout, undefined);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
