import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hexToBytes } from '../../proofs/bytes.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { REJECT_CODES, REJECT_REASONS, destinationRejection, readMemo } from './reject-reasons.js';

void describe('REJECT_REASONS', () => {
  void test('the codes are stable: this list changes only with a migration of stored records', () => {
    assert.deepEqual(REJECT_CODES, [
      'MEMO_MISSING',
      'MEMO_MALFORMED',
      'MEMO_WRONG_KIND',
      'MEMO_AMBIGUOUS',
      'DESTINATION_UNSUPPORTED',
      'AMOUNT_DUST',
      'AMOUNT_BELOW_FEES',
      'COINBASE_LOCK',
    ]);
  });

  void test('each code has one sentence that says what to do', () => {
    for (const code of REJECT_CODES) {
      const text = REJECT_REASONS[code];
      assert.match(text, /^[A-Z].*\.$/, code);
      assert.equal(text.split(/\.\s+[A-Z]/).length, 1, `${code}: one sentence`);
      assert.match(text, /refund|must|spend/, `${code}: names the fix`);
    }
  });
});

void describe('shared checks', () => {
  void test('readMemo turns a malformed UBR1 memo into a value and leaves other scripts alone', () => {
    assert.equal(readMemo(hexToBytes('0014' + '11'.repeat(20))), null);
    assert.equal(readMemo(hexToBytes('6a0568656c6c6f')), null);
    assert.deepEqual(readMemo(encodeMemo({ kind: 'lock', destinationScript: Uint8Array.of(0x51) })), { memo: { kind: 'lock', destinationScript: Uint8Array.of(0x51) } });
    const bad = readMemo(hexToBytes('6a0655425231ff00'));
    assert.ok(bad !== null && 'malformed' in bad);
    assert.match(bad.malformed, /unknown kind 0xff/);
  });

  void test('destinationRejection names what the script is', () => {
    const lock = hexToBytes('5120' + '77'.repeat(32));
    assert.equal(destinationRejection(hexToBytes('0014' + '11'.repeat(20)), lock, 'x'), undefined);
    assert.match(destinationRejection(lock, lock, 'x')!.message, /^x: the destination is the federation's lock script$/);
    assert.match(destinationRejection(hexToBytes('5220' + '33'.repeat(32)), lock, 'x')!.message, /witness v2 program of 32 bytes/);
    assert.match(destinationRejection(hexToBytes('a914' + '22'.repeat(20) + '87'), lock, 'x')!.message, /p2sh/);
  });
});
