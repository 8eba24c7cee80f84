/**
 * Segwit addresses (BIP173, amended by BIP350): bech32 for witness version 0, bech32m for versions
 * 1..16. The checksums are @scure/base's; this file adds the segwit rules on top (HRP, version,
 * program length, which checksum for which version) and sorts every refusal into an
 * AddressError code. Legacy base58 addresses are out of scope: the bridge pays and is paid by
 * witness outputs only.
 */
import { bech32, bech32m } from '@scure/base';
import { assertBytes, assertInteger, concatBytes } from '../../proofs/bytes.js';
import { classifyScript } from '../../proofs/bitcoin/script.js';
import { AddressError, type AddressErrorCode } from './errors.js';

/** A decoded segwit address: the witness version and program of the output it pays. */
export interface SegwitAddress {
  readonly version: number;
  readonly program: Uint8Array;
}

/** BIP173's overall length limit. */
const MAX_ADDRESS_LENGTH = 90;
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/**
 * Encodes a witness program as an address in lowercase. RangeError for a version outside 0..16,
 * a program outside 2..40 bytes, a v0 program that is not 20 or 32 bytes, or an invalid HRP.
 */
export function encodeSegwitAddress(hrp: string, version: number, program: Uint8Array): string {
  assertHrp(hrp);
  assertInteger(version, 0, 16, 'version');
  assertBytes(program, undefined, 'program');
  const problem = programProblem(version, program.length);
  if (problem !== undefined) throw new RangeError(`program: ${problem}`);
  const words = [version, ...bech32.toWords(program)];
  return version === 0 ? bech32.encode(hrp.toLowerCase(), words) : bech32m.encode(hrp.toLowerCase(), words);
}

/**
 * Decodes a segwit address for the network whose HRP is `hrp` (e.g. 'bc', 'tb', 'bcrt'), with
 * every BIP173/BIP350 rule. An AddressError names the reason: ADDRESS_MALFORMED (length,
 * characters, separator, empty data, bad padding), ADDRESS_MIXED_CASE, ADDRESS_BAD_CHECKSUM,
 * ADDRESS_WRONG_HRP, ADDRESS_BAD_VERSION (above 16), ADDRESS_BAD_PROGRAM (length), and
 * ADDRESS_WRONG_ENCODING (bech32m for v0 or bech32 for v1+). Upper-case addresses are accepted.
 */
export function decodeSegwitAddress(hrp: string, address: string): SegwitAddress {
  assertHrp(hrp);
  if (typeof address !== 'string') throw new TypeError(`address: expected a string, got ${typeof address}`);
  const fail = (code: AddressErrorCode, message: string): never => {
    throw new AddressError(code, `address ${JSON.stringify(address.length > 100 ? `${address.slice(0, 100)}...` : address)}: ${message}`, { details: { address } });
  };
  if (address.length > MAX_ADDRESS_LENGTH) fail('ADDRESS_MALFORMED', `${address.length} characters, at most ${MAX_ADDRESS_LENGTH}`);
  for (const ch of address) {
    const code = ch.charCodeAt(0);
    if (ch.length !== 1 || code < 33 || code > 126) fail('ADDRESS_MALFORMED', 'contains a character outside US-ASCII 33..126');
  }
  const lower = address.toLowerCase();
  if (address !== lower && address !== address.toUpperCase()) fail('ADDRESS_MIXED_CASE', 'mixes upper and lower case');
  const separator = lower.lastIndexOf('1');
  if (separator < 1) fail('ADDRESS_MALFORMED', 'no human-readable part before the separator "1"');
  const data = lower.slice(separator + 1);
  if (data.length < 6) fail('ADDRESS_MALFORMED', 'shorter than a checksum after the separator');
  for (const ch of data) if (!CHARSET.includes(ch)) fail('ADDRESS_MALFORMED', `invalid data character ${JSON.stringify(ch)}`);

  const asBech32 = bech32.decodeUnsafe(lower, MAX_ADDRESS_LENGTH);
  const asBech32m = asBech32 ? undefined : bech32m.decodeUnsafe(lower, MAX_ADDRESS_LENGTH);
  const decoded = asBech32 ?? asBech32m;
  if (!decoded) return fail('ADDRESS_BAD_CHECKSUM', 'checksum is neither bech32 nor bech32m');
  if (decoded.prefix !== hrp.toLowerCase()) fail('ADDRESS_WRONG_HRP', `human-readable part is ${JSON.stringify(decoded.prefix)}, expected ${JSON.stringify(hrp.toLowerCase())}`);
  const [version, ...programWords] = decoded.words;
  if (version === undefined) return fail('ADDRESS_MALFORMED', 'empty data section (no witness version)');
  if (version > 16) fail('ADDRESS_BAD_VERSION', `witness version ${version}, at most 16`);
  const program = bech32.fromWordsUnsafe(programWords);
  if (!program) return fail('ADDRESS_MALFORMED', 'invalid padding in the 5-to-8-bit conversion');
  const problem = programProblem(version, program.length);
  if (problem !== undefined) fail('ADDRESS_BAD_PROGRAM', problem);
  if (version === 0 && !asBech32) fail('ADDRESS_WRONG_ENCODING', 'witness version 0 must use bech32, not bech32m');
  if (version !== 0 && asBech32) fail('ADDRESS_WRONG_ENCODING', `witness version ${version} must use bech32m, not bech32 (BIP350)`);
  return { version, program };
}

/** The output script an address pays: `OP_version <program>`. Same refusals as decodeSegwitAddress. */
export function addressToScriptPubKey(hrp: string, address: string): Uint8Array {
  const { version, program } = decodeSegwitAddress(hrp, address);
  return concatBytes(Uint8Array.of(version === 0 ? 0x00 : 0x50 + version, program.length), program);
}

/**
 * The address of an output script, or undefined when the script is not a witness program an
 * address can express (legacy, OP_RETURN, v0 of a length other than 20 or 32, anything else).
 */
export function scriptPubKeyToAddress(hrp: string, scriptPubKey: Uint8Array): string | undefined {
  assertHrp(hrp);
  const s = classifyScript(scriptPubKey);
  switch (s.type) {
    case 'p2wpkh':
      return encodeSegwitAddress(hrp, 0, s.pubkeyHash);
    case 'p2wsh':
      return encodeSegwitAddress(hrp, 0, s.scriptHash);
    case 'p2tr':
      return encodeSegwitAddress(hrp, 1, s.outputKey);
    case 'witness_unknown':
      return encodeSegwitAddress(hrp, s.version, s.program);
    default:
      return undefined;
  }
}

/** Why a program of `length` bytes cannot follow witness `version`, or undefined when it can. */
function programProblem(version: number, length: number): string | undefined {
  if (length < 2 || length > 40) return `witness program of ${length} bytes, expected 2..40`;
  if (version === 0 && length !== 20 && length !== 32) return `witness v0 program of ${length} bytes, expected 20 or 32 (BIP141)`;
  return undefined;
}

function assertHrp(hrp: unknown): asserts hrp is string {
  if (typeof hrp !== 'string' || hrp.length < 1 || hrp.length > 83 || ![...hrp].every((c) => c.charCodeAt(0) >= 33 && c.charCodeAt(0) <= 126 && c.length === 1)) {
    throw new TypeError(`hrp: expected 1..83 US-ASCII characters 33..126, got ${JSON.stringify(hrp)}`);
  }
  if (hrp !== hrp.toLowerCase() && hrp !== hrp.toUpperCase()) throw new TypeError(`hrp: mixed case ${JSON.stringify(hrp)}`);
}
