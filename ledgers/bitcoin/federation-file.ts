/**
 * The federation file every part of a deployment reads (the devnet nodes, the wallet's `lock`,
 * later the relayer's config): `{"threshold": M, "publicKeys": ["<33-byte compressed key, hex>", ...],
 * "lockType": "taproot" | "p2wsh"}`. Parsing errors name the key and the fix.
 */
import { readFileSync } from 'node:fs';
import { UtxoRelayError } from '../../proofs/base-error.js';
import { bytesToHex, hexToBytes } from '../../proofs/bytes.js';
import { federation, type Federation } from './lock-script.js';

/** A federation file or object that cannot be used; the message names the key and the fix. */
export class FederationFileError extends UtxoRelayError<'FEDERATION_FILE_INVALID'> {
  static override readonly docsFile = 'docs/ledger-errors.md';

  constructor(message: string) {
    super('FEDERATION_FILE_INVALID', message);
  }
}

export function parseFederation(json: unknown, source = 'federation'): Federation {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FederationFileError(`${source}: expected an object {"threshold", "publicKeys", "lockType"}`);
  }
  const { threshold, publicKeys, lockType } = json as Record<string, unknown>;
  if (!Array.isArray(publicKeys) || publicKeys.some((k) => typeof k !== 'string' || !/^(02|03)[0-9a-fA-F]{64}$/.test(k))) {
    throw new FederationFileError(`${source}: "publicKeys" must be an array of 33-byte compressed public keys in hex (66 digits starting 02 or 03)`);
  }
  if (lockType !== 'taproot' && lockType !== 'p2wsh') {
    throw new FederationFileError(`${source}: "lockType" must be "taproot" or "p2wsh", got ${JSON.stringify(lockType)}`);
  }
  if (typeof threshold !== 'number') throw new FederationFileError(`${source}: "threshold" must be a number (M of the M-of-N)`);
  try {
    return federation(threshold, (publicKeys as string[]).map((k) => hexToBytes(k)), lockType);
  } catch (e) {
    throw new FederationFileError(`${source}: ${(e as Error).message}`);
  }
}

export function loadFederationFile(path: string): Federation {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FederationFileError(`${path}: cannot read the federation file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FederationFileError(`${path}: not JSON`);
  }
  return parseFederation(json, path);
}

export function federationToJson(fed: Federation): { threshold: number; publicKeys: string[]; lockType: string } {
  return { threshold: fed.threshold, publicKeys: fed.publicKeys.map(bytesToHex), lockType: fed.lockType };
}
