/**
 * Runs real devnet node processes for tests: `node bin/utxo-relay.js devnet node ...` on ports the
 * OS picks (`--rpc-port 0 --ws-port 0`), waits for its JSON line, and talks to it over HTTP with
 * the cookie (or the given credentials). Every process is stopped (SIGTERM, then SIGKILL) by
 * `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { concatBytes } from '../../proofs/bytes.js';
import { encodeTransaction, type Transaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { encodeSegwitAddress } from '../../ledgers/bitcoin/address.js';
import { p2wpkhScriptPubKey } from '../../ledgers/bitcoin/payments.js';
import { signP2wpkhInput, withInputWitness } from '../../ledgers/bitcoin/sign-input.js';
import { hash160, publicKeyCompressed } from '../../ledgers/bitcoin/signatures.js';
import { sha256 } from '../../proofs/hash.js';

export const BIN = fileURLToPath(new URL('../../bin/utxo-relay.js', import.meta.url));

export interface NodeLine {
  role: string;
  rpc: string;
  ws: string;
  cookie?: string;
}

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

  /** Starts a node and resolves once its JSON line is printed (rejects with its stderr if it exits first). */
  static async start(args: readonly string[], options: { credentials?: string; timeoutMs?: number } = {}): Promise<DevnetProcess> {
    const child = spawn(process.execPath, [BIN, 'devnet', 'node', '--rpc-port', '0', '--ws-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    // never outlive the test process, whatever happens to the test
    const reap = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const line = await new Promise<NodeLine>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`devnet node did not print its JSON line within ${options.timeoutMs ?? 30_000} ms; stderr:\n${stderr}`));
      }, options.timeoutMs ?? 30_000);
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString();
        const nl = stdout.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          resolve(JSON.parse(stdout.slice(0, nl)) as NodeLine);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`devnet node exited with ${code} before its JSON line; stderr:\n${stderr}`));
      });
    });
    const credentials = options.credentials ?? readFileSync(line.cookie!, 'utf8');
    return new DevnetProcess(child, line, `Basic ${Buffer.from(credentials).toString('base64')}`, () => stderr);
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
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      this.child.kill('SIGTERM');
    });
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
