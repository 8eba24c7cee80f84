/**
 * The bridge memo: an output `OP_RETURN <one push>` whose payload is ASCII "UBR1", a kind byte and
 * the kind's body:
 * - 0x01 lock (peg-in) and 0x02 burn (peg-out): one length byte L (1..74) and exactly L bytes of
 *   destination scriptPubKey on the other chain;
 * - 0x03 release: exactly 32 bytes, the hash of the burn outpoints the release settles (internal
 *   order).
 * The payload is at most 80 bytes. This module decides the memo's shape only; whether a
 * destination script is acceptable is the relayer's policy (see classifyScript in script.ts).
 */
import { assertBytes, concatBytes, equalBytes } from '../bytes.js';
import { ProofError } from '../errors.js';
import { OP_PUSHDATA1, OP_PUSHDATA2, OP_PUSHDATA4, OP_RETURN, encodeDataPush, parseScriptPushes } from './script.js';

/** "UBR1" in ASCII. */
export const MEMO_MAGIC = Uint8Array.of(0x55, 0x42, 0x52, 0x31);
export const MEMO_KIND_LOCK = 0x01;
export const MEMO_KIND_BURN = 0x02;
export const MEMO_KIND_RELEASE = 0x03;
/** Largest memo payload (magic, kind and body), the standard OP_RETURN data limit. */
export const MAX_MEMO_PAYLOAD = 80;
/** Largest destination script: 80 - 4 (magic) - 1 (kind) - 1 (length byte). */
export const MAX_DESTINATION_SCRIPT = MAX_MEMO_PAYLOAD - 6;

export type Memo =
  /** Peg-in: mint to `destinationScript` on the side chain. */
  | { readonly kind: 'lock'; readonly destinationScript: Uint8Array }
  /** Peg-out: release to `destinationScript` on the main chain. */
  | { readonly kind: 'burn'; readonly destinationScript: Uint8Array }
  /** A release transaction's marker: the hash of the burn outpoints it settles, internal order. */
  | { readonly kind: 'release'; readonly burnsHashLE: Uint8Array };

/**
 * Reads the memo of an output script. Returns null when the script is not an OP_RETURN whose first
 * push starts with "UBR1" (ordinary OP_RETURN outputs and payments are not memos). When it does
 * start with the magic, anything else wrong is a ProofError MEMO_MALFORMED naming it: a truncated
 * push, a non-push opcode or a second push after it, an unknown kind, a length byte out of range
 * or disagreeing with the bytes that follow, a release hash of the wrong size. A non-minimal push
 * opcode is accepted: the payload it carries is unambiguous. Returned bytes are copies.
 */
export function parseMemo(scriptPubKey: Uint8Array): Memo | null {
  assertBytes(scriptPubKey, undefined, 'scriptPubKey');
  if (!startsWithMagic(scriptPubKey)) return null;
  const pushes = parseScriptPushes(scriptPubKey.subarray(1), 'MEMO_MALFORMED', 'memo');
  if (pushes.length !== 1) throw malformed(`expected one push after OP_RETURN, found ${pushes.length}`);
  const payload = pushes[0]!.data;
  if (payload.length > MAX_MEMO_PAYLOAD) throw malformed(`payload is ${payload.length} bytes, at most ${MAX_MEMO_PAYLOAD}`);
  if (payload.length < MEMO_MAGIC.length + 1) throw malformed('no kind byte after the magic');
  const kind = payload[4]!;
  const body = payload.subarray(5);
  switch (kind) {
    case MEMO_KIND_LOCK:
    case MEMO_KIND_BURN: {
      const name = kind === MEMO_KIND_LOCK ? 'lock' : 'burn';
      if (body.length === 0) throw malformed(`${name}: no destination length byte`);
      const length = body[0]!;
      if (length < 1 || length > MAX_DESTINATION_SCRIPT) {
        throw malformed(`${name}: destination length ${length} out of range [1, ${MAX_DESTINATION_SCRIPT}]`);
      }
      const actual = body.length - 1;
      if (actual < length) throw malformed(`${name}: destination length byte says ${length} bytes, only ${actual} follow`);
      if (actual > length) throw malformed(`${name}: ${actual - length} trailing bytes after the ${length}-byte destination`);
      return { kind: name, destinationScript: new Uint8Array(body.subarray(1)) };
    }
    case MEMO_KIND_RELEASE:
      if (body.length !== 32) throw malformed(`release: expected a 32-byte hash, got ${body.length} bytes`);
      return { kind: 'release', burnsHashLE: new Uint8Array(body) };
    default:
      throw malformed(`unknown kind 0x${kind.toString(16).padStart(2, '0')}`);
  }
}

/** Builds the memo's output script with the minimal push. Refuses an out-of-range memo with RangeError. */
export function encodeMemo(memo: Memo): Uint8Array {
  let body: Uint8Array;
  if (memo.kind === 'lock' || memo.kind === 'burn') {
    assertBytes(memo.destinationScript, undefined, `${memo.kind} memo destinationScript`);
    const length = memo.destinationScript.length;
    if (length < 1 || length > MAX_DESTINATION_SCRIPT) {
      throw new RangeError(`${memo.kind} memo destinationScript: expected 1..${MAX_DESTINATION_SCRIPT} bytes, got ${length}`);
    }
    const kind = memo.kind === 'lock' ? MEMO_KIND_LOCK : MEMO_KIND_BURN;
    body = concatBytes(Uint8Array.of(kind, length), memo.destinationScript);
  } else if (memo.kind === 'release') {
    assertBytes(memo.burnsHashLE, 32, 'release memo burnsHashLE');
    body = concatBytes(Uint8Array.of(MEMO_KIND_RELEASE), memo.burnsHashLE);
  } else {
    throw new TypeError(`memo.kind: expected 'lock', 'burn' or 'release', got ${String((memo as { kind: unknown }).kind)}`);
  }
  return concatBytes(Uint8Array.of(OP_RETURN), encodeDataPush(concatBytes(MEMO_MAGIC, body)));
}

/**
 * OP_RETURN, then a push opcode whose payload (as far as the script has bytes) starts with the
 * magic. A push that claims more bytes than the script holds still counts, so that a truncated
 * memo is reported as malformed rather than ignored.
 */
function startsWithMagic(script: Uint8Array): boolean {
  if (script.length < 2 || script[0] !== OP_RETURN) return false;
  const opcode = script[1]!;
  const width = opcode === OP_PUSHDATA1 ? 1 : opcode === OP_PUSHDATA2 ? 2 : opcode === OP_PUSHDATA4 ? 4 : 0;
  if (width === 0 && opcode >= OP_PUSHDATA1) return false;
  const start = 2 + width;
  if (script.length < start + MEMO_MAGIC.length) return false;
  let declared = width === 0 ? opcode : 0;
  for (let i = width - 1; i >= 0; i--) declared = declared * 256 + script[2 + i]!;
  return declared >= MEMO_MAGIC.length && equalBytes(script.subarray(start, start + MEMO_MAGIC.length), MEMO_MAGIC);
}

function malformed(message: string): ProofError {
  return new ProofError('MEMO_MALFORMED', `memo: ${message}`);
}
