/**
 * Test-only builders shared by the *.test.ts files of this folder: deterministic keys,
 * transactions to sign, and signature mutations. Not exported from index.ts.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { concatBytes } from '../../proofs/bytes.js';
import { sha256 } from '../../proofs/hash.js';
import type { Transaction, TxOutput } from '../../proofs/bitcoin/transaction.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { p2wpkhScriptPubKey } from './payments.js';
import { publicKeyCompressed } from './signatures.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A deterministic private key, different for each label. */
export function testKey(label: string | number): Uint8Array {
  return sha256(utf8(`utxo-relay test key ${label}`));
}

/** A deterministic 32-byte previous txid. */
export function testTxid(label: string | number): Uint8Array {
  return sha256(utf8(`utxo-relay test txid ${label}`));
}

/**
 * A version-2 transaction spending `inputCount` outpoints, paying 40,000 sat to a P2WPKH and
 * carrying a release memo; witnesses empty.
 */
export function unsignedTx(inputCount: number, extraOutputs: readonly TxOutput[] = []): Transaction {
  const inputs = Array.from({ length: inputCount }, (_, i) => ({
    prevTxidLE: testTxid(i),
    prevVout: i,
    scriptSig: new Uint8Array(0),
    sequence: 0xfffffffd,
    witness: [] as Uint8Array[],
  }));
  const outputs: TxOutput[] = [
    { value: 40_000n, scriptPubKey: p2wpkhScriptPubKey(publicKeyCompressed(testKey('payee'))) },
    { value: 0n, scriptPubKey: encodeMemo({ kind: 'release', burnsHashLE: testTxid('burns') }) },
    ...extraOutputs,
  ];
  return { version: 2, inputs, outputs, locktime: 0 };
}

/** The same ECDSA signature (DER || hashType) with S replaced by n - S (valid, but high-S). */
export function toHighS(sigWithHashType: Uint8Array): Uint8Array {
  const der = sigWithHashType.subarray(0, -1);
  const sig = secp256k1.Signature.fromBytes(der, 'der');
  const n = secp256k1.Point.Fn.ORDER;
  const high = new secp256k1.Signature(sig.r, n - sig.s).toBytes('der');
  return concatBytes(high, sigWithHashType.subarray(-1));
}

/** A copy of `tx` with output 0's value changed by one satoshi. */
export function tamperOutput(tx: Transaction): Transaction {
  const [first, ...rest] = tx.outputs;
  return { ...tx, outputs: [{ ...first!, value: first!.value + 1n }, ...rest] };
}

/** A copy of `tx` whose input `index` has the given scriptSig. */
export function withScriptSig(tx: Transaction, index: number, scriptSig: Uint8Array): Transaction {
  return { ...tx, inputs: tx.inputs.map((input, i) => (i === index ? { ...input, scriptSig } : input)) };
}

/** Every size-k subset of [0, n), in lexicographic order. */
export function combinations(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= n - k; first++) {
    for (const rest of combinations(n - first - 1, k - 1)) out.push([first, ...rest.map((r) => r + first + 1)]);
  }
  return out;
}
