/**
 * Script disassembly exactly as Bitcoin Core's ScriptToAsmStr (src/core_write.cpp): pushes of up
 * to 4 bytes as script numbers, longer pushes as hex, opcodes by GetOpName, "[error]" where a push
 * runs past the end. In a scriptSig (`attemptSighashDecode`) a push that is a strictly encoded
 * signature is shown without its sighash byte and with the type in brackets, e.g. `...[ALL]`.
 */
import { isStrictDerSignature } from '../../bitcoin/signatures.js';

const NAMES = new Map<number, string>([
  [0x4c, 'OP_PUSHDATA1'], [0x4d, 'OP_PUSHDATA2'], [0x4e, 'OP_PUSHDATA4'], [0x4f, '-1'], [0x50, 'OP_RESERVED'],
  [0x61, 'OP_NOP'], [0x62, 'OP_VER'], [0x63, 'OP_IF'], [0x64, 'OP_NOTIF'], [0x65, 'OP_VERIF'], [0x66, 'OP_VERNOTIF'],
  [0x67, 'OP_ELSE'], [0x68, 'OP_ENDIF'], [0x69, 'OP_VERIFY'], [0x6a, 'OP_RETURN'],
  [0x6b, 'OP_TOALTSTACK'], [0x6c, 'OP_FROMALTSTACK'], [0x6d, 'OP_2DROP'], [0x6e, 'OP_2DUP'], [0x6f, 'OP_3DUP'],
  [0x70, 'OP_2OVER'], [0x71, 'OP_2ROT'], [0x72, 'OP_2SWAP'], [0x73, 'OP_IFDUP'], [0x74, 'OP_DEPTH'], [0x75, 'OP_DROP'],
  [0x76, 'OP_DUP'], [0x77, 'OP_NIP'], [0x78, 'OP_OVER'], [0x79, 'OP_PICK'], [0x7a, 'OP_ROLL'], [0x7b, 'OP_ROT'],
  [0x7c, 'OP_SWAP'], [0x7d, 'OP_TUCK'], [0x7e, 'OP_CAT'], [0x7f, 'OP_SUBSTR'], [0x80, 'OP_LEFT'], [0x81, 'OP_RIGHT'],
  [0x82, 'OP_SIZE'], [0x83, 'OP_INVERT'], [0x84, 'OP_AND'], [0x85, 'OP_OR'], [0x86, 'OP_XOR'], [0x87, 'OP_EQUAL'],
  [0x88, 'OP_EQUALVERIFY'], [0x89, 'OP_RESERVED1'], [0x8a, 'OP_RESERVED2'], [0x8b, 'OP_1ADD'], [0x8c, 'OP_1SUB'],
  [0x8d, 'OP_2MUL'], [0x8e, 'OP_2DIV'], [0x8f, 'OP_NEGATE'], [0x90, 'OP_ABS'], [0x91, 'OP_NOT'], [0x92, 'OP_0NOTEQUAL'],
  [0x93, 'OP_ADD'], [0x94, 'OP_SUB'], [0x95, 'OP_MUL'], [0x96, 'OP_DIV'], [0x97, 'OP_MOD'], [0x98, 'OP_LSHIFT'],
  [0x99, 'OP_RSHIFT'], [0x9a, 'OP_BOOLAND'], [0x9b, 'OP_BOOLOR'], [0x9c, 'OP_NUMEQUAL'], [0x9d, 'OP_NUMEQUALVERIFY'],
  [0x9e, 'OP_NUMNOTEQUAL'], [0x9f, 'OP_LESSTHAN'], [0xa0, 'OP_GREATERTHAN'], [0xa1, 'OP_LESSTHANOREQUAL'],
  [0xa2, 'OP_GREATERTHANOREQUAL'], [0xa3, 'OP_MIN'], [0xa4, 'OP_MAX'], [0xa5, 'OP_WITHIN'], [0xa6, 'OP_RIPEMD160'],
  [0xa7, 'OP_SHA1'], [0xa8, 'OP_SHA256'], [0xa9, 'OP_HASH160'], [0xaa, 'OP_HASH256'], [0xab, 'OP_CODESEPARATOR'],
  [0xac, 'OP_CHECKSIG'], [0xad, 'OP_CHECKSIGVERIFY'], [0xae, 'OP_CHECKMULTISIG'], [0xaf, 'OP_CHECKMULTISIGVERIFY'],
  [0xb0, 'OP_NOP1'], [0xb1, 'OP_CHECKLOCKTIMEVERIFY'], [0xb2, 'OP_CHECKSEQUENCEVERIFY'], [0xb3, 'OP_NOP4'],
  [0xb4, 'OP_NOP5'], [0xb5, 'OP_NOP6'], [0xb6, 'OP_NOP7'], [0xb7, 'OP_NOP8'], [0xb8, 'OP_NOP9'], [0xb9, 'OP_NOP10'],
  [0xba, 'OP_CHECKSIGADD'], [0xff, 'OP_INVALIDOPCODE'],
]);
for (let n = 1; n <= 16; n++) NAMES.set(0x50 + n, String(n));

const SIGHASH_NAMES = new Map<number, string>([
  [0x01, 'ALL'], [0x81, 'ALL|ANYONECANPAY'], [0x02, 'NONE'], [0x82, 'NONE|ANYONECANPAY'], [0x03, 'SINGLE'], [0x83, 'SINGLE|ANYONECANPAY'],
]);

/** Core's GetOpName: "OP_DUP", "1".."16", "-1", "OP_UNKNOWN" for an undefined opcode. */
export function opcodeName(opcode: number): string {
  if (opcode === 0) return '0';
  return NAMES.get(opcode) ?? 'OP_UNKNOWN';
}

export function scriptToAsm(script: Uint8Array, attemptSighashDecode = false): string {
  const parts: string[] = [];
  const unspendable = (script.length > 0 && script[0] === 0x6a) || script.length > 10_000;
  let pc = 0;
  while (pc < script.length) {
    const opcode = script[pc++]!;
    if (opcode > 0x4e) {
      parts.push(opcodeName(opcode));
      continue;
    }
    let length = opcode;
    if (opcode >= 0x4c) {
      const width = opcode === 0x4c ? 1 : opcode === 0x4d ? 2 : 4;
      if (script.length - pc < width) return [...parts, '[error]'].join(' ');
      length = 0;
      for (let i = width - 1; i >= 0; i--) length = length * 256 + script[pc + i]!;
      pc += width;
    }
    if (script.length - pc < length) return [...parts, '[error]'].join(' ');
    const data = script.subarray(pc, pc + length);
    pc += length;
    if (data.length <= 4) parts.push(String(scriptNum(data)));
    else if (attemptSighashDecode && !unspendable) parts.push(signatureAsm(data));
    else parts.push(Buffer.from(data).toString('hex'));
  }
  return parts.join(' ');
}

/** CScriptNum(vch, fRequireMinimal=false).getint(): little-endian sign-magnitude. */
function scriptNum(data: Uint8Array): number {
  if (data.length === 0) return 0;
  let value = 0;
  for (let i = 0; i < data.length; i++) value += data[i]! * 2 ** (8 * i);
  const last = data[data.length - 1]!;
  if (last & 0x80) return -(value - 0x80 * 2 ** (8 * (data.length - 1)));
  return value;
}

function signatureAsm(data: Uint8Array): string {
  const hashType = data[data.length - 1]!;
  const name = SIGHASH_NAMES.get(hashType);
  if (name !== undefined && isStrictDerSignature(data.subarray(0, -1))) {
    return `${Buffer.from(data.subarray(0, -1)).toString('hex')}[${name}]`;
  }
  return Buffer.from(data).toString('hex');
}
