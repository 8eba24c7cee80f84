import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import { MAX_DESTINATION_SCRIPT, encodeMemo, parseMemo, type Memo } from './memo.js';
import { classifyScript } from './script.js';

const MAGIC = '55425231'; // "UBR1"
const P2WPKH = `0014${'ab'.repeat(20)}`;
const P2TR = `5120${'cd'.repeat(32)}`;
const HASH = 'ef'.repeat(32);

function hexMemo(memo: Memo | null): unknown {
  if (memo === null) return null;
  return memo.kind === 'release' ? { kind: 'release', burnsHashLE: bytesToHex(memo.burnsHashLE) } : { kind: memo.kind, destinationScript: bytesToHex(memo.destinationScript) };
}

void describe('encodeMemo / parseMemo', () => {
  /** [name, memo, exact script hex]. */
  const vectors: [string, Memo, string][] = [
    ['lock to a P2WPKH script', { kind: 'lock', destinationScript: hexToBytes(P2WPKH) }, `6a1c${MAGIC}0116${P2WPKH}`],
    ['burn to a P2TR script', { kind: 'burn', destinationScript: hexToBytes(P2TR) }, `6a28${MAGIC}0222${P2TR}`],
    ['release', { kind: 'release', burnsHashLE: hexToBytes(HASH) }, `6a25${MAGIC}03${HASH}`],
    ['lock with a 1-byte destination', { kind: 'lock', destinationScript: Uint8Array.of(0x51) }, `6a07${MAGIC}010151`],
    // 4 + 1 + 1 + 74 = 80 bytes of payload: above 75, so OP_PUSHDATA1.
    ['lock with a 74-byte destination', { kind: 'lock', destinationScript: new Uint8Array(74).fill(0x77) }, `6a4c50${MAGIC}014a${'77'.repeat(74)}`],
  ];
  for (const [name, memo, hex] of vectors) {
    void test(name, () => {
      assert.equal(bytesToHex(encodeMemo(memo)), hex);
      assert.deepEqual(hexMemo(parseMemo(hexToBytes(hex))), hexMemo(memo));
    });
  }

  void test('the destination can be classified by script.ts (the relayer decides the policy)', () => {
    const memo = parseMemo(hexToBytes(`6a1c${MAGIC}0116${P2WPKH}`));
    assert.ok(memo !== null && memo.kind === 'lock');
    assert.equal(classifyScript(memo.destinationScript).type, 'p2wpkh');
  });

  void test('accepts a non-minimal push of a well-formed payload', () => {
    assert.deepEqual(hexMemo(parseMemo(hexToBytes(`6a4c1c${MAGIC}0116${P2WPKH}`))), { kind: 'lock', destinationScript: P2WPKH });
  });

  void test('returns copies', () => {
    const script = hexToBytes(`6a1c${MAGIC}0116${P2WPKH}`);
    const memo = parseMemo(script);
    script.fill(0);
    assert.deepEqual(hexMemo(memo), { kind: 'lock', destinationScript: P2WPKH });
  });

  const badEncodes: [string, Memo][] = [
    ['an empty destination', { kind: 'lock', destinationScript: new Uint8Array(0) }],
    ['a 75-byte destination', { kind: 'burn', destinationScript: new Uint8Array(MAX_DESTINATION_SCRIPT + 1) }],
    ['a 31-byte release hash', { kind: 'release', burnsHashLE: new Uint8Array(31) }],
  ];
  for (const [name, memo] of badEncodes) {
    void test(`encodeMemo refuses ${name}`, () => assert.throws(() => encodeMemo(memo), RangeError));
  }
});

void describe('parseMemo: not a memo (null)', () => {
  const notMemos: [string, string][] = [
    ['a P2WPKH output', P2WPKH],
    ['an empty script', ''],
    ['OP_RETURN alone', '6a'],
    ['an ordinary OP_RETURN', '6a14edb1b5c2f39af0fec151732585b1049b07895211'],
    ['another magic ("UBR0")', `6a06554252300116`],
    ['a 3-byte push of "UBR"', '6a03554252'],
    ['a PUSHDATA1 declaring 3 bytes before the magic', `6a4c03${MAGIC}01`],
    ['OP_RETURN OP_1', '6a51'],
    ['the magic in a second push', `6a0100${'06'}${MAGIC}0101`],
    ['the magic without OP_RETURN', `06${MAGIC}0101`],
  ];
  for (const [name, hex] of notMemos) {
    void test(name, () => assert.equal(parseMemo(hexToBytes(hex)), null));
  }
});

void describe('parseMemo: MEMO_MALFORMED', () => {
  const bad: [string, string, RegExp][] = [
    ['unknown kind 0x04', `6a07${MAGIC}040151`, /^memo: unknown kind 0x04$/],
    ['kind 0x00', `6a07${MAGIC}000151`, /unknown kind 0x00/],
    ['the magic alone', `6a04${MAGIC}`, /no kind byte after the magic/],
    ['lock without a length byte', `6a05${MAGIC}01`, /lock: no destination length byte/],
    ['burn with length 0', `6a06${MAGIC}0200`, /burn: destination length 0 out of range \[1, 74\]/],
    ['lock with length 75', `6a4c51${MAGIC}014b${'00'.repeat(75)}`, /payload is 81 bytes, at most 80/],
    ['lock with length byte 75 and fewer bytes', `6a07${MAGIC}014b51`, /lock: destination length 75 out of range/],
    ['a length byte larger than the bytes that follow', `6a1b${MAGIC}0116${P2WPKH.slice(0, -2)}`, /lock: destination length byte says 22 bytes, only 21 follow/],
    ['trailing bytes after the destination', `6a1e${MAGIC}0116${P2WPKH}0000`, /lock: 2 trailing bytes after the 22-byte destination/],
    ['release with a 31-byte hash', `6a24${MAGIC}03${'ef'.repeat(31)}`, /release: expected a 32-byte hash, got 31 bytes/],
    ['release with a 33-byte hash', `6a26${MAGIC}03${'ef'.repeat(33)}`, /release: expected a 32-byte hash, got 33 bytes/],
    ['a second push after the memo', `6a1c${MAGIC}0116${P2WPKH}0100`, /expected one push after OP_RETURN, found 2/],
    ['a non-push opcode after the memo', `6a1c${MAGIC}0116${P2WPKH}ac`, /^memo: opcode 0xac at offset 29 is not a push$/],
    ['a truncated push', `6a1c${MAGIC}0116${'ab'.repeat(10)}`, /^memo: push at offset 0: needs 28 bytes, only 16 left$/],
    ['the kind in a separate push', `6a04${MAGIC}0101`, /expected one push after OP_RETURN, found 2/],
    ['OP_PUSHDATA2 with an 81-byte payload', `6a4d5100${MAGIC}014b${'00'.repeat(75)}`, /payload is 81 bytes/],
  ];
  for (const [name, hex, message] of bad) {
    void test(name, () => {
      assert.throws(() => parseMemo(hexToBytes(hex)), (e: unknown) => e instanceof ProofError && e.code === 'MEMO_MALFORMED' && message.test(e.message));
    });
  }
});

void describe('memo properties', () => {
  const memoArb: fc.Arbitrary<Memo> = fc.oneof(
    fc.record({ kind: fc.constantFrom('lock' as const, 'burn' as const), destinationScript: fc.uint8Array({ minLength: 1, maxLength: MAX_DESTINATION_SCRIPT }) }),
    fc.record({ kind: fc.constant('release' as const), burnsHashLE: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  );

  void test('parseMemo(encodeMemo(m)) is m', () => {
    fc.assert(fc.property(memoArb, (memo) => assert.deepEqual(hexMemo(parseMemo(encodeMemo(memo))), hexMemo(memo))), { numRuns: 1000 });
  });

  void test('anything after OP_RETURN + magic is a memo or MEMO_MALFORMED, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.constantFrom(0x4c, 0x4d, 0x4e, 0x04, 0x20, 0x4b), (tail, opcode) => {
        const head = opcode === 0x4c ? [0x6a, 0x4c, 4 + tail.length] : opcode === 0x4d ? [0x6a, 0x4d, 4 + tail.length, 0] : opcode === 0x4e ? [0x6a, 0x4e, 4 + tail.length, 0, 0, 0] : [0x6a, opcode];
        const script = Uint8Array.from([...head, ...hexToBytes(MAGIC), ...tail]);
        try {
          assert.notEqual(parseMemo(script), null);
        } catch (error) {
          if (!(error instanceof ProofError) || error.code !== 'MEMO_MALFORMED') throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });

  void test('random scripts give null, a memo or MEMO_MALFORMED', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 90 }), (bytes) => {
        try {
          parseMemo(Uint8Array.from([0x6a, ...bytes]));
          parseMemo(bytes);
        } catch (error) {
          if (!(error instanceof ProofError) || error.code !== 'MEMO_MALFORMED') throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
