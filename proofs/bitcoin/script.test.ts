import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { needsFixture, readFixture } from '../../test/fixtures.js';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import { decodeBlock } from './block.js';
import { classifyScript, encodeDataPush, isMinimalPush, parseScriptPushes, type ScriptType } from './script.js';

const H20 = '11'.repeat(20);
const H32 = '22'.repeat(32);

/** Compares bytes by content (hash outputs are Buffers, decoded fields plain Uint8Arrays). */
function sameBytes(actual: Uint8Array | undefined, expected: Uint8Array | undefined, message?: string): void {
  assert.ok(actual !== undefined && expected !== undefined, message);
  assert.equal(bytesToHex(actual), bytesToHex(expected), message);
}

/** [name, scriptPubKey hex, expected classification with hex fields]. */
const CLASSIFY: [string, string, Record<string, unknown>][] = [
  ['p2pkh', `76a914${H20}88ac`, { type: 'p2pkh', pubkeyHash: H20 }],
  ['p2sh', `a914${H20}87`, { type: 'p2sh', scriptHash: H20 }],
  ['p2wpkh', `0014${H20}`, { type: 'p2wpkh', pubkeyHash: H20 }],
  ['p2wsh', `0020${H32}`, { type: 'p2wsh', scriptHash: H32 }],
  ['p2tr', `5120${H32}`, { type: 'p2tr', outputKey: H32 }],
  ['witness v1 with a 20-byte program', `5114${H20}`, { type: 'witness_unknown', version: 1, program: H20 }],
  ['witness v16 with a 2-byte program', '6002abcd', { type: 'witness_unknown', version: 16, program: 'abcd' }],
  ['P2A anchor (witness v1, 4e73)', '51024e73', { type: 'witness_unknown', version: 1, program: '4e73' }],
  ['witness v2 with a 40-byte program', `5228${'33'.repeat(40)}`, { type: 'witness_unknown', version: 2, program: '33'.repeat(40) }],
  ['OP_RETURN alone', '6a', { type: 'op_return', data: [] }],
  ['OP_RETURN with one push', '6a03abcdef', { type: 'op_return', data: ['abcdef'] }],
  ['OP_RETURN with OP_0, OP_1NEGATE, OP_16 and a PUSHDATA1', '6a004f604c02abcd', { type: 'op_return', data: ['', '81', '10', 'abcd'] }],
  ['witness v0 with a 25-byte program', `0019${'44'.repeat(25)}`, { type: 'nonstandard' }],
  ['witness program with a 41-byte push', `5129${'44'.repeat(41)}`, { type: 'nonstandard' }],
  ['witness program whose push length disagrees', `0015${H20}`, { type: 'nonstandard' }],
  ['p2pkh with OP_CHECKSIGVERIFY', `76a914${H20}88ad`, { type: 'nonstandard' }],
  ['p2pkh with a trailing byte', `76a914${H20}88ac00`, { type: 'nonstandard' }],
  ['p2sh with OP_EQUALVERIFY', `a914${H20}88`, { type: 'nonstandard' }],
  ['OP_RETURN followed by OP_CHECKSIG', '6a01ffac', { type: 'nonstandard' }],
  ['OP_RETURN with a truncated push', '6a05abcd', { type: 'nonstandard' }],
  ['OP_RETURN with a truncated PUSHDATA2 length', '6a4d01', { type: 'nonstandard' }],
  ['P2PK', `21${'02'.repeat(33)}ac`, { type: 'nonstandard' }],
  ['empty script', '', { type: 'nonstandard' }],
];

function hexView(t: ScriptType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(t)) {
    if (value instanceof Uint8Array) out[key] = bytesToHex(value);
    else if (Array.isArray(value)) out[key] = value.map((v: Uint8Array) => bytesToHex(v));
    else out[key] = value;
  }
  return out;
}

void describe('classifyScript', () => {
  for (const [name, hex, expected] of CLASSIFY) {
    void test(name, () => assert.deepEqual(hexView(classifyScript(hexToBytes(hex))), expected));
  }

  void test('returns copies, not views of the script', () => {
    const script = hexToBytes(`0014${H20}`);
    const t = classifyScript(script);
    script.fill(0);
    assert.equal(t.type === 'p2wpkh' && bytesToHex(t.pubkeyHash), H20);
  });

  void test('sorts every output of block 413567', needsFixture('bitcoin/block413567.raw'), () => {
    const counts = new Map<string, number>();
    for (const t of decodeBlock(readFixture('bitcoin/block413567.raw')).transactions) {
      for (const o of t.tx.outputs) {
        const type = classifyScript(o.scriptPubKey).type;
        counts.set(type, (counts.get(type) ?? 0) + 1);
      }
    }
    assert.ok((counts.get('p2pkh') ?? 0) > 1000, JSON.stringify([...counts]));
    assert.ok((counts.get('p2sh') ?? 0) > 100, JSON.stringify([...counts]));
    assert.ok((counts.get('op_return') ?? 0) >= 1, JSON.stringify([...counts]));
  });

  void test('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => void classifyScript(bytes)), { numRuns: 3000 });
  });
});

void describe('parseScriptPushes', () => {
  void test('reads each kind of push with its minimality', () => {
    const script = hexToBytes('00' + '0105' + '55' + '4f' + '03abcdef' + '4c03abcdef' + '4d0300abcdef' + '4e03000000abcdef' + '4c00');
    const pushes = parseScriptPushes(script);
    assert.deepEqual(
      pushes.map((p) => [p.opcode, bytesToHex(p.data), p.minimal]),
      [
        [0x00, '', true],
        [0x01, '05', false],
        [0x55, '05', true],
        [0x4f, '81', true],
        [0x03, 'abcdef', true],
        [0x4c, 'abcdef', false],
        [0x4d, 'abcdef', false],
        [0x4e, 'abcdef', false],
        [0x4c, '', false],
      ],
    );
  });

  const refusals: [string, string, RegExp][] = [
    ['a direct push past the end', '03abcd', /^script: push at offset 0: needs 3 bytes, only 2 left$/],
    ['a PUSHDATA1 past the end', '00' + '4c05abcd', /push at offset 1: needs 5 bytes, only 2 left/],
    ['a PUSHDATA2 without its length', '4d01', /push at offset 0: truncated 2-byte length/],
    ['a PUSHDATA4 without its length', '4e010000', /push at offset 0: truncated 4-byte length/],
    ['a non-push opcode', '01aa' + 'ac', /opcode 0xac at offset 2 is not a push/],
    ['OP_RESERVED', '50', /opcode 0x50 at offset 0 is not a push/],
  ];
  for (const [name, hex, message] of refusals) {
    void test(`refuses ${name}`, () => {
      assert.throws(() => parseScriptPushes(hexToBytes(hex)), (e: unknown) => e instanceof ProofError && e.code === 'PROOF_MALFORMED' && message.test(e.message));
    });
  }

  void test('uses the caller’s error code and label', () => {
    assert.throws(() => parseScriptPushes(hexToBytes('02ff'), 'MEMO_MALFORMED', 'memo'), { name: 'ProofError', code: 'MEMO_MALFORMED', message: /^memo: push at offset 0/ });
  });

  void test('random bytes give pushes or a ProofError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          parseScriptPushes(bytes);
        } catch (error) {
          if (!(error instanceof ProofError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });
});

void describe('encodeDataPush', () => {
  for (const [length, head] of [
    [0, '00'],
    [1, '01'],
    [75, '4b'],
    [76, '4c4c'],
    [255, '4cff'],
    [256, '4d0001'],
    [65535, '4dffff'],
    [65536, '4e00000100'],
  ] as const) {
    void test(`${length} bytes: ${head}`, () => {
      const data = new Uint8Array(length).fill(0xee);
      const script = encodeDataPush(data);
      assert.equal(bytesToHex(script.subarray(0, head.length / 2)), head);
      const [push, ...rest] = parseScriptPushes(script);
      assert.equal(rest.length, 0);
      sameBytes(push!.data, data);
      assert.equal(push!.minimal, isMinimalPush(data, push!.opcode));
      assert.equal(push!.minimal, true);
    });
  }

  void test('a single byte 1..16 is pushed as data, which Core calls non-minimal (OP_n exists)', () => {
    const [push] = parseScriptPushes(encodeDataPush(Uint8Array.of(7)));
    assert.equal(push!.opcode, 1);
    assert.equal(push!.minimal, false);
  });
});
