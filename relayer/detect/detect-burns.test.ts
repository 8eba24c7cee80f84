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
import { detectBurns, type BurnContext, type DetectedBurn } from './detect-burns.js';
import { readMemo } from './reject-reasons.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const LOCK = lockScriptPubKey(testFederation(2, 3).federation);
const P2WPKH = p2wpkhScriptPubKey(publicKeyCompressed(devKey('user')));
const P2TR = p2trKeyPathScriptPubKey(xOnlyPublicKey(devKey('user')));
const P2WSH = p2wshScriptPubKey(Uint8Array.of(0x51));
const DUST = 330n;
const CTX: BurnContext = { dust: DUST, lockScript: LOCK };

const burn = (value: bigint, destination: Uint8Array = P2WPKH): TxOutput => ({ value, scriptPubKey: encodeMemo({ kind: 'burn', destinationScript: destination }) });
const opReturn = (value: bigint, payload: Uint8Array): TxOutput => ({ value, scriptPubKey: concatBytes(Uint8Array.of(0x6a), encodeDataPush(payload)) });

function txBytes(outputs: readonly TxOutput[]): Uint8Array {
  const input = { prevTxidLE: sha256(utf8('pegged coin')), prevVout: 1, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] };
  return encodeTransaction({ version: 2, inputs: [input], outputs, locktime: 0 }, { witness: true });
}

function summary(burns: DetectedBurn[]): unknown[] {
  return burns.map((b) => [b.vout, b.amount, b.destination === undefined ? undefined : bytesToHex(b.destination), b.rejection?.code]);
}

void describe('detectBurns', () => {
  void test('a signed burn to a P2TR destination is one accepted candidate with a peg-out id', () => {
    const wallet = Wallet.of('burner-user');
    const coin = { txidLE: sha256(utf8('minted')), vout: 0, output: { value: 80_000n, scriptPubKey: wallet.script } };
    const tx = wallet.spend([coin], [{ value: 10_000n, scriptPubKey: wallet.script }, burn(69_000n, P2TR)]);
    const burns = detectBurns(tx.bytes, CTX);
    assert.deepEqual(burns, detectBurns(tx, CTX));
    assert.equal(burns.length, 1);
    const b = burns[0]!;
    assert.equal(b.id, transferIdOf('pegout', tx.txidLE, 1));
    assert.match(b.id, /^out-[0-9a-f]{64}-1$/);
    assert.equal(bytesToHex(b.txidLE), bytesToHex(tx.txidLE));
    assert.equal(b.amount, 69_000n);
    assert.equal(bytesToHex(b.destination!), bytesToHex(P2TR));
    assert.equal(b.rejection, undefined);
  });

  void test('several burns in one transaction are independent candidates; payments and plain OP_RETURN are not burns', () => {
    const bytes = txBytes([burn(5_000n, P2WPKH), { value: 7_000n, scriptPubKey: P2WPKH }, opReturn(0n, utf8('hi')), burn(6_000n, P2WSH), burn(DUST, P2TR)]);
    const txid = decodeTransaction(bytes).txidLE;
    const burns = detectBurns(bytes, CTX);
    assert.deepEqual(summary(burns), [
      [0, 5_000n, bytesToHex(P2WPKH), undefined],
      [3, 6_000n, bytesToHex(P2WSH), undefined],
      [4, DUST, bytesToHex(P2TR), 'AMOUNT_DUST'],
    ]);
    assert.deepEqual(burns.map((b) => b.id), [0, 3, 4].map((v) => transferIdOf('pegout', txid, v)));
    assert.deepEqual(detectBurns(txBytes([{ value: 7_000n, scriptPubKey: P2WPKH }]), CTX), []);
  });

  void test('MEMO_MALFORMED: a UBR1-prefixed malformed output is listed whatever its value', () => {
    const bytes = txBytes([
      opReturn(9_000n, concatBytes(MEMO_MAGIC, Uint8Array.of(0x02, 0x20), P2WPKH)), // length byte 32, 22 bytes follow
      opReturn(0n, concatBytes(MEMO_MAGIC, Uint8Array.of(0x04))), // unknown kind
      { value: 1n, scriptPubKey: concatBytes(Uint8Array.of(0x6a, 0x4c), Uint8Array.of(0x30), MEMO_MAGIC) }, // truncated PUSHDATA1
    ]);
    const burns = detectBurns(bytes, CTX);
    assert.deepEqual(summary(burns), [
      [0, 9_000n, undefined, 'MEMO_MALFORMED'],
      [1, 0n, undefined, 'MEMO_MALFORMED'],
      [2, 1n, undefined, 'MEMO_MALFORMED'],
    ]);
    assert.match(burns[0]!.rejection!.message, /burn output 0: memo: burn: destination length byte says 32 bytes, only 22 follow/);
  });

  void test('MEMO_WRONG_KIND: a lock or release memo holding value is listed, an empty one ignored', () => {
    const lockMemo = encodeMemo({ kind: 'lock', destinationScript: P2WPKH });
    const releaseMemo = encodeMemo({ kind: 'release', burnsHashLE: sha256(utf8('burns')) });
    const bytes = txBytes([
      { value: 4_000n, scriptPubKey: lockMemo },
      { value: 0n, scriptPubKey: lockMemo },
      { value: 1n, scriptPubKey: releaseMemo },
      { value: 0n, scriptPubKey: releaseMemo },
    ]);
    assert.deepEqual(summary(detectBurns(bytes, CTX)), [
      [0, 4_000n, undefined, 'MEMO_WRONG_KIND'],
      [2, 1n, undefined, 'MEMO_WRONG_KIND'],
    ]);
  });

  void test("DESTINATION_UNSUPPORTED: non-segwit scripts and the federation's lock script", () => {
    const refused = [LOCK, hexToBytes(`76a914${'11'.repeat(20)}88ac`), hexToBytes(`a914${'22'.repeat(20)}87`), hexToBytes('6a00'), hexToBytes(`5220${'33'.repeat(32)}`), hexToBytes('51024e73')];
    const burns = detectBurns(txBytes(refused.map((d) => burn(10_000n, d))), CTX);
    assert.equal(burns.length, refused.length);
    for (const b of burns) assert.equal(b.rejection?.code, 'DESTINATION_UNSUPPORTED', bytesToHex(b.destination!));
    assert.match(burns[0]!.rejection!.message, /lock script/);
  });

  void test('AMOUNT_DUST at 0 and at dust; dust + 1 accepted', () => {
    assert.deepEqual(summary(detectBurns(txBytes([burn(0n), burn(DUST), burn(DUST + 1n)]), CTX)).map((s) => (s as unknown[])[3]), ['AMOUNT_DUST', 'AMOUNT_DUST', undefined]);
  });

  void test('AMOUNT_BELOW_FEES only with a release fee reserve, up to dust + reserve', () => {
    const bytes = txBytes([burn(DUST + 1_000n), burn(DUST + 1_001n), burn(DUST)]);
    assert.deepEqual(detectBurns(bytes, { ...CTX, releaseFeeReserve: 1_000n }).map((b) => b.rejection?.code), ['AMOUNT_BELOW_FEES', undefined, 'AMOUNT_DUST']);
    assert.deepEqual(detectBurns(bytes, CTX).map((b) => b.rejection?.code), [undefined, undefined, 'AMOUNT_DUST']);
  });

  void test('bytes that do not decode give nothing; a bad context throws', () => {
    const good = txBytes([burn(10_000n)]);
    assert.deepEqual(detectBurns(good.subarray(1), CTX), []);
    assert.throws(() => detectBurns(good, { ...CTX, dust: -1n }), RangeError);
    assert.throws(() => detectBurns(good, { ...CTX, releaseFeeReserve: -1n }), RangeError);
    assert.throws(() => detectBurns(good, { dust: DUST } as BurnContext), TypeError);
  });

  void test('property: never throws, and lists every UBR1 output except empty memos of another kind', () => {
    const script = fc.oneof(
      fc.uint8Array({ maxLength: 60 }),
      fc.uint8Array({ maxLength: 80 }).map((b) => concatBytes(Uint8Array.of(0x6a), encodeDataPush(concatBytes(MEMO_MAGIC, b)))),
      fc.uint8Array({ minLength: 1, maxLength: 74 }).map((d) => encodeMemo({ kind: 'burn', destinationScript: d })),
    );
    const output = fc.record({ value: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), scriptPubKey: script });
    fc.assert(
      fc.property(fc.array(output, { maxLength: 8 }), fc.bigInt({ min: 0n, max: 10_000n }), (outputs, dust) => {
        const burns = detectBurns(txBytes(outputs), { dust, lockScript: LOCK });
        const listed = outputs.flatMap((o, vout) => {
          const reading = readMemo(o.scriptPubKey);
          if (reading === null || ('memo' in reading && reading.memo.kind !== 'burn' && o.value <= 0n)) return [];
          return [vout];
        });
        assert.deepEqual(burns.map((b) => b.vout), listed);
        for (const b of burns) {
          if (b.rejection === undefined) {
            assert.ok(b.amount > dust);
            assert.ok(b.destination !== undefined);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
