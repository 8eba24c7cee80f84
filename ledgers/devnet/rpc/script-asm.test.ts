import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { opcodeName, scriptToAsm } from './script-asm.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
// A real mainnet signature with SIGHASH_ALL (Core's rpc_decodescript.py uses it too).
const SIG = '304502207fa7a6d1e0ee81132a269ad84e68d695483745cde8b541e3bf630749894e342a022100c1f7ab20e13e22fb95281a870f3dcf38d782e53023ee313d741ad0cfbc0c5090';
const PUBKEY = '03b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2';

describe('script disassembly (Core ScriptToAsmStr)', () => {
  const cases: [string, string, string, boolean?][] = [
    ['P2PKH output', '76a91489abcdefabbaabbaabbaabbaabbaabbaabbaabba88ac', 'OP_DUP OP_HASH160 89abcdefabbaabbaabbaabbaabbaabbaabbaabba OP_EQUALVERIFY OP_CHECKSIG'],
    ['P2WPKH output', '0014751e76e8199196d454941c45d1b3a323f1433bd6', '0 751e76e8199196d454941c45d1b3a323f1433bd6'],
    ['small numbers', '00514f60', '0 1 -1 16'],
    ['pushes of up to 4 bytes are script numbers', '02e80301810480000000', '1000 -1 128'],
    ['negative 4-byte number', '04ffffffff', '-2147483647'],
    ['OP_RETURN data stays hex', '6a0401020304', 'OP_RETURN 67305985'],
    ['truncated push', '4c05aabb', '[error]'],
    ['unknown opcodes', 'bbfeff', 'OP_UNKNOWN OP_UNKNOWN OP_INVALIDOPCODE'],
    ['taproot multisig leaf', `20${'11'.repeat(32)}ac20${'22'.repeat(32)}ba529c`, `${'11'.repeat(32)} OP_CHECKSIG ${'22'.repeat(32)} OP_CHECKSIGADD 2 OP_NUMEQUAL`],
    ['scriptSig signature gets its sighash decoded', `48${SIG}0121${PUBKEY}`, `${SIG}[ALL] ${PUBKEY}`, true],
    ['outside a scriptSig the sighash byte stays', `48${SIG}01`, `${SIG}01`],
    ['ANYONECANPAY|SINGLE', `48${SIG}83`, `${SIG}[SINGLE|ANYONECANPAY]`, true],
    ['an undefined sighash byte stays hex', `48${SIG}04`, `${SIG}04`, true],
  ];
  for (const [name, script, asm, sighash] of cases) {
    test(name, () => assert.equal(scriptToAsm(hex(script), sighash === true), asm));
  }

  test('opcode names', () => {
    assert.equal(opcodeName(0xb1), 'OP_CHECKLOCKTIMEVERIFY');
    assert.equal(opcodeName(0xb2), 'OP_CHECKSEQUENCEVERIFY');
    assert.equal(opcodeName(0xba), 'OP_CHECKSIGADD');
    assert.equal(opcodeName(0x50), 'OP_RESERVED');
  });
});
