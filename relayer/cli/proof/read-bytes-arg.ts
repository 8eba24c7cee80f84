import { existsSync, readFileSync } from 'node:fs';
import { hexToBytes } from '../../../proofs/bytes.js';
import { UsageError } from '../usage-error.js';

const HEX_TEXT = /^[0-9a-fA-F\s]*$/;

/**
 * An argument that is a file (raw bytes, or hex text) or the hex itself. Returns the bytes, or
 * throws a UsageError naming the argument when it is neither.
 */
export function readBytesArg(name: string, value: string, allowFile: boolean): Uint8Array {
  if (allowFile && existsSync(value)) {
    const content = readFileSync(value);
    const text = content.toString('latin1');
    if (content.length > 0 && HEX_TEXT.test(text)) return hexArg(name, text.replace(/\s+/g, ''));
    return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
  }
  if (!HEX_TEXT.test(value) || value.trim() === '') {
    throw new UsageError(`${name}: ${allowFile ? 'not an existing file, and ' : ''}not hex: ${value.length > 40 ? `${value.slice(0, 40)}...` : value}`);
  }
  return hexArg(name, value.replace(/\s+/g, ''));
}

function hexArg(name: string, hex: string): Uint8Array {
  try {
    return hexToBytes(hex, name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
