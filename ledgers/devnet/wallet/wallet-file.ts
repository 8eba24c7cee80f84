/**
 * The devnet wallet's keys: a JSON file `{"version": 1, "keys": [{"privateKey": "<hex>", "created": "<ISO time>"}]}`
 * written with mode 0600. Devnet only: the keys are in clear, as befits test coins.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { bytesToHex, hexToBytes } from '../../../proofs/bytes.js';
import { p2wpkhScriptPubKey } from '../../bitcoin/payments.js';
import { generatePrivateKey, isValidPrivateKey, publicKeyCompressed } from '../../bitcoin/signatures.js';
import { WalletError } from './wallet-error.js';

export interface WalletKey {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** The key's P2WPKH output script, the wallet's only kind of address. */
  readonly scriptPubKey: Uint8Array;
}

/** Default: $UTXO_RELAY_HOME/devnet-wallet.json, UTXO_RELAY_HOME defaulting to ~/.utxo-relay. */
export function defaultWalletPath(): string {
  return join(process.env['UTXO_RELAY_HOME'] ?? join(homedir(), '.utxo-relay'), 'devnet-wallet.json');
}

export class WalletFile {
  private constructor(
    readonly path: string,
    private readonly entries: { privateKey: string; created: string }[],
  ) {}

  /** Opens the wallet at `path`; a missing file is an empty wallet (created on the first key). */
  static open(path: string): WalletFile {
    if (!existsSync(path)) return new WalletFile(path, []);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (cause) {
      throw new WalletError('WALLET_FILE_INVALID', `${path}: not a wallet file (not JSON)`, { cause });
    }
    const keys = (parsed as { version?: unknown; keys?: unknown }).keys;
    if ((parsed as { version?: unknown }).version !== 1 || !Array.isArray(keys)) {
      throw new WalletError('WALLET_FILE_INVALID', `${path}: expected {"version": 1, "keys": [...]}`);
    }
    for (const [i, k] of keys.entries()) {
      const hex = (k as { privateKey?: unknown }).privateKey;
      if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex) || !isValidPrivateKey(hexToBytes(hex))) {
        throw new WalletError('WALLET_FILE_INVALID', `${path}: keys[${i}].privateKey is not a valid 32-byte secp256k1 key in hex`);
      }
    }
    return new WalletFile(path, keys as { privateKey: string; created: string }[]);
  }

  keys(): WalletKey[] {
    return this.entries.map((e) => walletKey(hexToBytes(e.privateKey)));
  }

  /** Generates a key, saves the file, and returns the key. */
  newKey(): WalletKey {
    const privateKey = generatePrivateKey();
    this.entries.push({ privateKey: bytesToHex(privateKey), created: new Date().toISOString() });
    this.save();
    return walletKey(privateKey);
  }

  /** The first key, created when the wallet has none (the default receiving and change address). */
  primaryKey(): WalletKey {
    return this.keys()[0] ?? this.newKey();
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, keys: this.entries }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}

function walletKey(privateKey: Uint8Array): WalletKey {
  const publicKey = publicKeyCompressed(privateKey);
  return { privateKey, publicKey, scriptPubKey: p2wpkhScriptPubKey(publicKey) };
}
