/**
 * Output descriptors (BIP380), as far as the devnet needs them: the checksum, reading the
 * `raw(<hex>)` and `addr(<address>)` forms (generatetodescriptor, generateblock, scantxoutset),
 * and inferring the descriptor Core shows as a scriptPubKey's `desc` (InferDescriptor without
 * keys: `addr(...)`, `rawtr(...)`, `pk(...)`, `multi(...)`, `raw(...)`).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { classifyScript } from '../../../proofs/bitcoin/script.js';
import { addressToScriptPubKey, scriptPubKeyToAddress } from '../../bitcoin/address.js';
import { isValidXOnlyPublicKey } from '../../bitcoin/signatures.js';

const INPUT_CHARSET = '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

/** The 8-character BIP380 checksum of a descriptor (without `#`); undefined for a character outside its set. */
export function descriptorChecksum(descriptor: string): string | undefined {
  let c = 1n;
  let cls = 0;
  let clsCount = 0;
  const step = (value: number): void => {
    const top = c >> 35n;
    c = ((c & 0x7ffffffffn) << 5n) ^ BigInt(value);
    for (let i = 0; i < 5; i++) if ((top >> BigInt(i)) & 1n) c ^= GENERATOR[i]!;
  };
  for (const ch of descriptor) {
    const pos = INPUT_CHARSET.indexOf(ch);
    if (pos < 0 || ch.length !== 1) return undefined;
    step(pos & 31);
    cls = cls * 3 + (pos >> 5);
    if (++clsCount === 3) {
      step(cls);
      cls = 0;
      clsCount = 0;
    }
  }
  if (clsCount > 0) step(cls);
  for (let i = 0; i < 8; i++) step(0);
  c ^= 1n;
  let out = '';
  for (let j = 0; j < 8; j++) out += CHECKSUM_CHARSET[Number((c >> BigInt(5 * (7 - j))) & 31n)];
  return out;
}

/** `descriptor#checksum`. */
export function withChecksum(descriptor: string): string {
  const sum = descriptorChecksum(descriptor);
  if (sum === undefined) throw new RangeError(`descriptor: character outside the descriptor character set in ${JSON.stringify(descriptor)}`);
  return `${descriptor}#${sum}`;
}

/**
 * The output script of a `raw(<hex>)` or `addr(<address>)` descriptor, checksum optional (checked
 * when present). Throws a RangeError whose message is Core's (the RPC answers it as
 * RPC_INVALID_ADDRESS_OR_KEY) for anything else.
 */
export function descriptorScript(descriptor: string, hrp: string): Uint8Array {
  let body = descriptor;
  const hash = descriptor.indexOf('#');
  if (hash >= 0) {
    body = descriptor.slice(0, hash);
    const given = descriptor.slice(hash + 1);
    if (given.length !== 8) throw new RangeError(`Expected 8 character checksum, not ${given.length} characters`);
    const computed = descriptorChecksum(body);
    if (computed === undefined) throw new RangeError('Invalid characters in payload');
    if (given !== computed) throw new RangeError(`Provided checksum '${given}' does not match computed checksum '${computed}'`);
  }
  const m = /^(raw|addr)\((.*)\)$/.exec(body);
  if (!m) {
    const name = /^([a-z]+)\(/.exec(body)?.[1];
    throw new RangeError(name === undefined ? `'${body}' is not a valid descriptor function` : `${name}(): the devnet reads only raw(<hex>) and addr(<address>) descriptors`);
  }
  const arg = m[2]!;
  if (m[1] === 'raw') {
    if (arg.length === 0 || arg.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(arg)) throw new RangeError('Raw script is not hex');
    return Uint8Array.from(Buffer.from(arg, 'hex'));
  }
  try {
    return addressToScriptPubKey(hrp, arg);
  } catch (cause) {
    throw new RangeError(`Address is not valid: ${(cause as Error).message}`, { cause });
  }
}

/**
 * The descriptor (with checksum) Core's InferDescriptor gives an output script when it knows no
 * keys, or undefined for legacy P2PKH/P2SH (the devnet has no base58 addresses to show).
 */
export function inferDescriptor(scriptPubKey: Uint8Array, hrp: string): string | undefined {
  const s = classifyScript(scriptPubKey);
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  switch (s.type) {
    case 'p2pkh':
    case 'p2sh':
      return undefined;
    case 'p2tr':
      if (isValidXOnlyPublicKey(s.outputKey)) return withChecksum(`rawtr(${hex(s.outputKey)})`);
      return withChecksum(`addr(${scriptPubKeyToAddress(hrp, scriptPubKey)!})`);
    case 'p2wpkh':
    case 'p2wsh':
    case 'witness_unknown':
      return withChecksum(`addr(${scriptPubKeyToAddress(hrp, scriptPubKey)!})`);
    default: {
      const bare = bareKeyScript(scriptPubKey);
      if (bare?.kind === 'pubkey') return withChecksum(`pk(${hex(bare.keys[0]!)})`);
      if (bare?.kind === 'multisig') return withChecksum(`multi(${bare.required},${bare.keys.map(hex).join(',')})`);
      return withChecksum(`raw(${hex(scriptPubKey)})`);
    }
  }
}

/**
 * Core's Solver for the two bare-key templates: P2PK (`<pubkey> OP_CHECKSIG`) and bare multisig
 * (`OP_m <pubkey>... OP_n OP_CHECKMULTISIG`), with keys that are valid points.
 */
export function bareKeyScript(script: Uint8Array): { kind: 'pubkey' | 'multisig'; required: number; keys: Uint8Array[] } | undefined {
  const n = script.length;
  if ((n === 35 || n === 67) && script[0] === n - 2 && script[n - 1] === 0xac) {
    const key = script.subarray(1, n - 1);
    return validKey(key) ? { kind: 'pubkey', required: 1, keys: [key] } : undefined;
  }
  if (n < 37 || script[n - 1] !== 0xae) return undefined;
  const m = script[0]! - 0x50;
  const total = script[n - 2]! - 0x50;
  if (m < 1 || m > 16 || total < 1 || total > 16 || m > total) return undefined;
  const keys: Uint8Array[] = [];
  let pc = 1;
  while (pc < n - 2) {
    const len = script[pc]!;
    if ((len !== 33 && len !== 65) || pc + 1 + len > n - 2) return undefined;
    const key = script.subarray(pc + 1, pc + 1 + len);
    if (!validKey(key)) return undefined;
    keys.push(key);
    pc += 1 + len;
  }
  return keys.length === total ? { kind: 'multisig', required: m, keys } : undefined;
}

function validKey(key: Uint8Array): boolean {
  const prefix = key[0];
  if (!((key.length === 33 && (prefix === 2 || prefix === 3)) || (key.length === 65 && prefix === 4))) return false;
  try {
    secp256k1.Point.fromBytes(key);
    return true;
  } catch {
    return false;
  }
}
