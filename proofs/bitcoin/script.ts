/**
 * Bitcoin scripts, only as far as utxo-relay reads them: the pushes of a push-only script and the
 * type of an output script (scriptPubKey). Nothing here executes a script.
 */
import { assertBytes } from '../bytes.js';
import { ProofError, type ProofErrorCode } from '../errors.js';

export const OP_0 = 0x00;
export const OP_PUSHDATA1 = 0x4c;
export const OP_PUSHDATA2 = 0x4d;
export const OP_PUSHDATA4 = 0x4e;
export const OP_1NEGATE = 0x4f;
export const OP_1 = 0x51;
export const OP_16 = 0x60;
export const OP_RETURN = 0x6a;
export const OP_DUP = 0x76;
export const OP_EQUAL = 0x87;
export const OP_EQUALVERIFY = 0x88;
export const OP_HASH160 = 0xa9;
export const OP_CHECKSIG = 0xac;

/** One push of a push-only script. */
export interface ScriptPush {
  /** The opcode as written (OP_0, 0x01..0x4b, OP_PUSHDATA1/2/4, OP_1NEGATE, OP_1..OP_16). */
  readonly opcode: number;
  /**
   * The stack element it pushes (a view into the script): the data of a data push, `[]` for
   * OP_0, `[n]` for OP_n, `[0x81]` for OP_1NEGATE.
   */
  readonly data: Uint8Array;
  /** True when no shorter opcode pushes the same element (Core's CheckMinimalPush). */
  readonly minimal: boolean;
}

/**
 * The pushes of a push-only script. Refuses, with a ProofError of `code` whose message starts with
 * `label`, a push that runs past the end of the script and any opcode that is not a push.
 */
export function parseScriptPushes(script: Uint8Array, code: ProofErrorCode = 'PROOF_MALFORMED', label = 'script'): ScriptPush[] {
  assertBytes(script, undefined, label);
  const result = scanPushes(script);
  if (typeof result === 'string') throw new ProofError(code, `${label}: ${result}`);
  return result;
}

/** The pushes of `script`, or the reason it is not a well-formed push-only script. */
function scanPushes(script: Uint8Array): ScriptPush[] | string {
  const pushes: ScriptPush[] = [];
  let offset = 0;
  while (offset < script.length) {
    const at = offset;
    const opcode = script[offset++]!;
    if (opcode === OP_1NEGATE) {
      pushes.push({ opcode, data: Uint8Array.of(0x81), minimal: true });
      continue;
    }
    if (opcode >= OP_1 && opcode <= OP_16) {
      pushes.push({ opcode, data: Uint8Array.of(opcode - OP_1 + 1), minimal: true });
      continue;
    }
    if (opcode > OP_PUSHDATA4) return `opcode 0x${opcode.toString(16).padStart(2, '0')} at offset ${at} is not a push`;
    let length: number;
    if (opcode < OP_PUSHDATA1) {
      length = opcode;
    } else {
      const width = opcode === OP_PUSHDATA1 ? 1 : opcode === OP_PUSHDATA2 ? 2 : 4;
      if (script.length - offset < width) return `push at offset ${at}: truncated ${width}-byte length`;
      length = 0;
      for (let i = width - 1; i >= 0; i--) length = length * 256 + script[offset + i]!;
      offset += width;
    }
    if (script.length - offset < length) {
      return `push at offset ${at}: needs ${length} bytes, only ${script.length - offset} left`;
    }
    const data = script.subarray(offset, offset + length);
    offset += length;
    pushes.push({ opcode, data, minimal: isMinimalPush(data, opcode) });
  }
  return pushes;
}

/** Core's CheckMinimalPush: `opcode` is the shortest way to push `data`. */
export function isMinimalPush(data: Uint8Array, opcode: number): boolean {
  if (data.length === 0) return opcode === OP_0;
  if (data.length === 1 && data[0]! >= 1 && data[0]! <= 16) return opcode === OP_1 + data[0]! - 1;
  if (data.length === 1 && data[0] === 0x81) return opcode === OP_1NEGATE;
  if (data.length <= 75) return opcode === data.length;
  if (data.length <= 0xff) return opcode === OP_PUSHDATA1;
  if (data.length <= 0xffff) return opcode === OP_PUSHDATA2;
  return opcode === OP_PUSHDATA4;
}

/**
 * The shortest push of `data` as a data push (opcode 0x01..0x4b or OP_PUSHDATA1/2/4; OP_0 for no
 * bytes). Single bytes 1..16 and 0x81 are pushed as data, not as OP_n (use this for payloads,
 * not for numbers).
 */
export function encodeDataPush(data: Uint8Array): Uint8Array {
  assertBytes(data, undefined, 'push data');
  const n = data.length;
  let head: number[];
  if (n < OP_PUSHDATA1) head = [n];
  else if (n <= 0xff) head = [OP_PUSHDATA1, n];
  else if (n <= 0xffff) head = [OP_PUSHDATA2, n & 0xff, n >>> 8];
  else if (n <= 0xffffffff) head = [OP_PUSHDATA4, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
  else throw new RangeError(`push data: ${n} bytes is too long`);
  const out = new Uint8Array(head.length + n);
  out.set(head, 0);
  out.set(data, head.length);
  return out;
}

/** What an output script pays to, as Bitcoin Core's Solver sorts it (restricted to these types). */
export type ScriptType =
  | { readonly type: 'p2pkh'; readonly pubkeyHash: Uint8Array }
  | { readonly type: 'p2sh'; readonly scriptHash: Uint8Array }
  | { readonly type: 'p2wpkh'; readonly pubkeyHash: Uint8Array }
  | { readonly type: 'p2wsh'; readonly scriptHash: Uint8Array }
  /** Taproot: the 32-byte x-only output key. */
  | { readonly type: 'p2tr'; readonly outputKey: Uint8Array }
  /** A witness program of a version (or, for v1, a length) with no meaning yet (includes P2A anchors). */
  | { readonly type: 'witness_unknown'; readonly version: number; readonly program: Uint8Array }
  /** OP_RETURN followed only by pushes; `data` holds the pushed elements in order. */
  | { readonly type: 'op_return'; readonly data: Uint8Array[] }
  /** Anything else, including bare multisig, P2PK, witness v0 of a wrong length and OP_RETURN with non-push opcodes. */
  | { readonly type: 'nonstandard' };

/**
 * Sorts an output script. Exact templates only: a P2PKH script with one byte more or less is
 * nonstandard. Returned hashes and keys are copies.
 */
export function classifyScript(scriptPubKey: Uint8Array): ScriptType {
  assertBytes(scriptPubKey, undefined, 'scriptPubKey');
  const s = scriptPubKey;
  const n = s.length;
  if (n === 25 && s[0] === OP_DUP && s[1] === OP_HASH160 && s[2] === 20 && s[23] === OP_EQUALVERIFY && s[24] === OP_CHECKSIG) {
    return { type: 'p2pkh', pubkeyHash: new Uint8Array(s.subarray(3, 23)) };
  }
  if (n === 23 && s[0] === OP_HASH160 && s[1] === 20 && s[22] === OP_EQUAL) {
    return { type: 'p2sh', scriptHash: new Uint8Array(s.subarray(2, 22)) };
  }
  const witness = witnessProgram(s);
  if (witness !== undefined) {
    const { version, program } = witness;
    if (version === 0) {
      if (program.length === 20) return { type: 'p2wpkh', pubkeyHash: program };
      if (program.length === 32) return { type: 'p2wsh', scriptHash: program };
      return { type: 'nonstandard' };
    }
    if (version === 1 && program.length === 32) return { type: 'p2tr', outputKey: program };
    return { type: 'witness_unknown', version, program };
  }
  if (n >= 1 && s[0] === OP_RETURN) {
    const pushes = scanPushes(s.subarray(1));
    if (typeof pushes === 'string') return { type: 'nonstandard' };
    return { type: 'op_return', data: pushes.map((p) => new Uint8Array(p.data)) };
  }
  return { type: 'nonstandard' };
}

/** Core's IsWitnessProgram: a version opcode then one direct push of 2..40 bytes, nothing else. */
function witnessProgram(s: Uint8Array): { version: number; program: Uint8Array } | undefined {
  if (s.length < 4 || s.length > 42) return undefined;
  const op = s[0]!;
  if (op !== OP_0 && (op < OP_1 || op > OP_16)) return undefined;
  if (s[1]! + 2 !== s.length) return undefined;
  return { version: op === OP_0 ? 0 : op - OP_1 + 1, program: new Uint8Array(s.subarray(2)) };
}
