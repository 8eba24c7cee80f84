/**
 * Readers of one positional parameter, after params.ts checked its JSON type: hashes in display
 * hex, hex bytes, integers, booleans and verbosity levels, with Core's messages (ParseHashV,
 * ParseHexV, ParseVerbosity). Every refusal is an RpcError naming the parameter.
 */
import { displayToHash } from '../../../proofs/bytes.js';
import { rpcError } from './errors.js';
import type { ParamValue } from './params.js';

/** A 32-byte hash given in display hex (as RPCs print txids and block hashes) -> internal order. */
export function hashArg(value: ParamValue | undefined, name: string): Uint8Array {
  const text = requiredString(value, name);
  if (!/^[0-9a-fA-F]*$/.test(text)) throw rpcError('RPC_INVALID_PARAMETER', `${name} must be hexadecimal string (not '${clip(text)}')`);
  if (text.length !== 64) throw rpcError('RPC_INVALID_PARAMETER', `${name} must be of length 64 (not ${text.length}, for '${clip(text)}')`);
  return displayToHash(text, name);
}

/** Hex bytes (even length). */
export function hexArg(value: ParamValue | undefined, name: string): Uint8Array {
  const text = requiredString(value, name);
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw rpcError('RPC_INVALID_PARAMETER', `${name} must be hexadecimal string (not '${clip(text)}')`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

export function requiredString(value: ParamValue | undefined, name: string): string {
  if (typeof value !== 'string') throw rpcError('RPC_TYPE_ERROR', `${name}: JSON value of type ${value === null || value === undefined ? 'null' : typeof value} is not of expected type string`);
  return value;
}

/** An integer in [min, max]; `fallback` when the parameter is absent (undefined: it is required). */
export function intArg(value: ParamValue | undefined, name: string, fallback: number | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === null || value === undefined) {
    if (fallback === undefined) throw rpcError('RPC_TYPE_ERROR', `${name}: JSON value of type null is not of expected type number`);
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw rpcError('RPC_TYPE_ERROR', `${name}: JSON value is not an integer as expected`);
  if (value < min || value > max) throw rpcError('RPC_INVALID_PARAMETER', `${name} out of range: ${value}, expected ${min}..${max}`);
  return value;
}

export function boolArg(value: ParamValue | undefined, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

/**
 * A verbosity given as a number or a boolean (Core's ParseVerbosity: false -> 0, true -> 1), within
 * [0, max]; `fallback` when absent.
 */
export function verbosityArg(value: ParamValue | undefined, name: string, fallback: number, max: number): number {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const level = intArg(value, name, fallback, -Number.MAX_SAFE_INTEGER);
  if (level < 0 || level > max) throw rpcError('RPC_INVALID_PARAMETER', `Invalid verbosity value ${level}, expected 0..${max}`);
  return level;
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}
