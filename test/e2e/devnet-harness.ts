/**
 * Runs real devnet node processes for tests: `node bin/utxo-relay.js devnet node ...` on ports the
 * OS picks (`--rpc-port 0 --ws-port 0`), waits for its JSON line, and talks to it over HTTP with
 * the cookie (or the given credentials). Every process is stopped (SIGTERM, then SIGKILL) by
 * `stop()`.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { UTXO_RELAY_BIN, spawnDevnetNode, stopNodeProcess, type NodeLine } from '../../ledgers/devnet/node-process.js';
import { concatBytes } from '../../proofs/bytes.js';
import { encodeTransaction, type Transaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { encodeSegwitAddress } from '../../ledgers/bitcoin/address.js';
import { p2wpkhScriptPubKey } from '../../ledgers/bitcoin/payments.js';
import { signP2wpkhInput, withInputWitness } from '../../ledgers/bitcoin/sign-input.js';
import { hash160, publicKeyCompressed } from '../../ledgers/bitcoin/signatures.js';
import { sha256 } from '../../proofs/hash.js';

export const BIN = UTXO_RELAY_BIN;


export interface RpcReply {
  status: number;
  body: unknown;
}

export class DevnetProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly line: NodeLine,
    private readonly auth: string,
    readonly stderr: () => string,
  ) {}

  /** Starts a node on ports the OS picks and resolves once its JSON line is printed. */
  static async start(args: readonly string[], options: { credentials?: string; timeoutMs?: number } = {}): Promise<DevnetProcess> {
    const { child, line, stderr } = await spawnDevnetNode(['--rpc-port', '0', '--ws-port', '0', ...args], options);
    const credentials = options.credentials ?? readFileSync(line.cookie!, 'utf8');
    return new DevnetProcess(child, line, `Basic ${Buffer.from(credentials).toString('base64')}`, stderr);
  }

  /** A raw HTTP exchange with the RPC endpoint. */
  async post(body: string, headers: Record<string, string> = { Authorization: this.auth }): Promise<RpcReply & { headers: Headers }> {
    const res = await fetch(this.line.rpc, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: res.headers };
  }

  /** Calls a method (1.0 style) and returns its result; throws an Error carrying `code` on an RPC error. */
  async call<T = unknown>(method: string, params: unknown[] | Record<string, unknown> = []): Promise<T> {
    const reply = await this.post(JSON.stringify({ id: 1, method, params }));
    const body = reply.body as { result: T; error: { code: number; message: string } | null };
    if (body.error !== null) throw Object.assign(new Error(`${method}: ${body.error.message}`), { code: body.error.code });
    return body.result;
  }

  /** Sends SIGTERM and resolves with the exit code (SIGKILL after `timeoutMs`). */
  stop(timeoutMs = 10_000): Promise<number | null> {
    return stopNodeProcess(this.child, timeoutMs);
  }

}

/** A deterministic test wallet key with its P2WPKH script and address on a devnet role. */
export function testWallet(label: string, hrp = 'udm'): { privKey: Uint8Array; script: Uint8Array; address: string } {
  const privKey = sha256(new TextEncoder().encode(`utxo-relay devnet e2e ${label}`));
  const pub = publicKeyCompressed(privKey);
  return { privKey, script: p2wpkhScriptPubKey(pub), address: encodeSegwitAddress(hrp, 0, hash160(pub)) };
}

/** A signed one-input P2WPKH spend paying `outputs`; returns the raw bytes in hex. */
export function signedSpend(prevTxidLE: Uint8Array, prevVout: number, spent: TxOutput, privKey: Uint8Array, outputs: readonly TxOutput[]): string {
  const tx: Transaction = {
    version: 2,
    inputs: [{ prevTxidLE, prevVout, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] }],
    outputs,
    locktime: 0,
  };
  const signed = withInputWitness(tx, 0, signP2wpkhInput(tx, 0, spent, privKey));
  return Buffer.from(encodeTransaction(signed, { witness: true })).toString('hex');
}

/** Display-hex txid -> internal order. */
export function txidLE(display: string): Uint8Array {
  return Uint8Array.from(Buffer.from(display, 'hex')).reverse();
}

/** `OP_RETURN <data>` */
export function opReturn(data: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(0x6a, data.length), data);
}
