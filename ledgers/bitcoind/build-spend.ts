/**
 * The pure half of the adapter: building the deterministic unsigned release and mint
 * transactions, their sighashes, and attaching signatures. Every operator building the same spec
 * gets the same bytes (inputs sorted by txid:vout, outputs in the spec's order).
 *
 * Signatures (`finalizeSpend`): per federation key index, one signature for each entry of
 * `UnsignedSpend.sighashes` in order: 64-byte Schnorr signatures for a mint and a taproot lock, DER
 * signatures followed by their hash-type byte for a p2wsh lock.
 */
import { assertBytes, bytesToHex, equalBytes, hashToDisplay } from '../../proofs/bytes.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { compactSizeLength, decodeTransaction, encodeTransaction, strippedSizeOf, transactionTxid, type Transaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import type { SpendSpec, UnsignedSpend, Utxo } from '../adapter.js';
import { ScriptError } from '../bitcoin/errors.js';
import { lockScriptPubKey, lockSpendWitness, type Federation } from '../bitcoin/lock-script.js';
import { federationSighash, finalizeFederationSpend, withInputWitness } from '../bitcoin/sign-input.js';
import { verifySchnorr, xOnlyFromCompressed } from '../bitcoin/signatures.js';
import { encodeMintWitness, mintSignatureMessage, pegInVout } from '../devnet/consensus/mint.js';

/** Signals replace-by-fee (BIP125) on every release input. */
export const RBF_SEQUENCE = 0xfffffffd;
/** Default dust limit of change outputs, base units. */
export const DEFAULT_DUST_LIMIT = 546n;

type ReleaseSpec = Extract<SpendSpec, { kind: 'release' }>;
type MintSpec = Extract<SpendSpec, { kind: 'mint' }>;

/** The unsigned transaction of a spec, with its sighashes and fee. */
export function buildSpend(spec: SpendSpec, dustLimit: bigint = DEFAULT_DUST_LIMIT): UnsignedSpend {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('spec: expected a SpendSpec');
  if (spec.kind === 'release') return buildRelease(spec, dustLimit);
  if (spec.kind === 'mint') return buildMint(spec);
  throw new TypeError(`spec.kind: expected 'release' or 'mint', got ${JSON.stringify((spec as { kind?: unknown }).kind)}`);
}

function sortInputs(inputs: readonly Utxo[]): Utxo[] {
  const key = (u: Utxo): string => `${hashToDisplay(u.txidLE)}:${u.vout.toString().padStart(10, '0')}`;
  return [...inputs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Virtual size of the release once its witnesses are in (largest signature sizes assumed). */
function finalizedVsize(fed: Federation, tx: Transaction): number {
  const sigSize = fed.lockType === 'taproot' ? 64 : 73;
  const dummy = fed.publicKeys.map((_, i) => (i < fed.threshold ? new Uint8Array(sigSize) : undefined));
  const witness = lockSpendWitness(fed, dummy);
  const witnessBytes = compactSizeLength(witness.length) + witness.reduce((s, item) => s + compactSizeLength(item.length) + item.length, 0);
  const stripped = strippedSizeOf(tx);
  const weight = stripped * 4 + 2 + witnessBytes * tx.inputs.length;
  return Math.ceil(weight / 4);
}

function buildRelease(spec: ReleaseSpec, dustLimit: bigint): UnsignedSpend {
  const fed = spec.federation;
  const lockScript = lockScriptPubKey(fed);
  if (!Array.isArray(spec.inputs) || spec.inputs.length === 0) throw new RangeError('spec.inputs: a release spends at least one lock UTXO');
  if (!Array.isArray(spec.payouts)) throw new TypeError('spec.payouts: expected an array of outputs');
  assertBytes(spec.burnsHashLE, 32, 'spec.burnsHashLE');
  if (!Number.isFinite(spec.feeRate) || spec.feeRate < 0) throw new RangeError(`spec.feeRate: expected a non-negative number, got ${String(spec.feeRate)}`);
  const inputs = sortInputs(spec.inputs);
  inputs.forEach((u, i) => {
    assertBytes(u.txidLE, 32, `spec.inputs[${i}].txidLE`);
    if (!equalBytes(u.output.scriptPubKey, lockScript)) throw new RangeError(`spec.inputs: ${hashToDisplay(u.txidLE)}:${u.vout} does not pay the federation's lock script`);
  });
  const seen = new Set(inputs.map((u) => `${bytesToHex(u.txidLE)}:${u.vout}`));
  if (seen.size !== inputs.length) throw new RangeError('spec.inputs: the same outpoint is listed twice');
  const total = inputs.reduce((s, u) => s + u.output.value, 0n);
  const paid = spec.payouts.reduce((s, o, i) => {
    if (typeof o.value !== 'bigint' || o.value <= 0n) throw new RangeError(`spec.payouts[${i}].value: expected a positive bigint`);
    return s + o.value;
  }, 0n);
  const memo: TxOutput = { value: 0n, scriptPubKey: encodeMemo({ kind: 'release', burnsHashLE: spec.burnsHashLE }) };
  const txWith = (change: bigint | undefined): Transaction => ({
    version: 2,
    inputs: inputs.map((u) => ({ prevTxidLE: u.txidLE.slice(), prevVout: u.vout, scriptSig: new Uint8Array(0), sequence: RBF_SEQUENCE, witness: [] })),
    outputs: [...spec.payouts.map((o) => ({ value: o.value, scriptPubKey: o.scriptPubKey.slice() })), ...(change === undefined ? [] : [{ value: change, scriptPubKey: lockScript }]), memo],
    locktime: 0,
  });
  const feeOf = (tx: Transaction): bigint => BigInt(Math.ceil(spec.feeRate * finalizedVsize(fed, tx)));
  let tx = txWith(0n);
  let fee = feeOf(tx);
  const change = total - paid - fee;
  if (change >= dustLimit) {
    tx = txWith(change);
  } else {
    tx = txWith(undefined);
    fee = total - paid;
    if (fee < feeOf(tx)) {
      throw new RangeError(`spec: the inputs (${total}) do not cover the payouts (${paid}) and a fee of ${feeOf(tx)} at ${spec.feeRate}/vB`);
    }
  }
  const spent = inputs.map((u) => u.output);
  return {
    spec: { ...spec, inputs },
    unsignedTx: encodeTransaction(tx, { witness: false }),
    txidLE: transactionTxid(tx),
    sighashes: inputs.map((_, i) => federationSighash(fed, tx, i, spent)),
    fee,
  };
}

function mintTx(spec: MintSpec): Transaction {
  return {
    version: 2,
    inputs: [{ prevTxidLE: spec.lockTxidLE.slice(), prevVout: pegInVout(spec.lockVout), scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: spec.amount, scriptPubKey: spec.destinationScript.slice() }],
    locktime: 0,
  };
}

function buildMint(spec: MintSpec): UnsignedSpend {
  assertBytes(spec.lockTxidLE, 32, 'spec.lockTxidLE');
  assertBytes(spec.destinationScript, undefined, 'spec.destinationScript');
  if (typeof spec.amount !== 'bigint' || spec.amount <= 0n) throw new RangeError('spec.amount: expected a positive bigint');
  if (spec.proof?.kind !== 'merkleblock') throw new TypeError("spec.proof: expected a 'merkleblock' inclusion proof");
  const tx = mintTx(spec);
  const txidLE = transactionTxid(tx);
  return { spec, unsignedTx: encodeTransaction(tx, { witness: false }), txidLE, sighashes: [mintSignatureMessage(txidLE)], fee: 0n };
}

/** A key's signatures: an array with one signature per sighash. */
function keySignatures(sigs: readonly Uint8Array[], count: number, keyIndex: number): readonly Uint8Array[] {
  if (!Array.isArray(sigs) || sigs.length !== count) {
    throw new RangeError(`signatures[${keyIndex}]: expected an array of ${count} signature(s), one per sighash`);
  }
  sigs.forEach((sig, i) => assertBytes(sig, undefined, `signatures[${keyIndex}][${i}]`));
  return sigs;
}

/** The raw signed transaction. ScriptError SCRIPT_BAD_SIGNATURE / SCRIPT_SIG_COUNT as finalizeFederationSpend. */
export function finalizeSpend(unsigned: UnsignedSpend, signatures: ReadonlyMap<number, readonly Uint8Array[]>, dustLimit: bigint = DEFAULT_DUST_LIMIT): Uint8Array {
  if (!(signatures instanceof Map)) throw new TypeError('signatures: expected a Map from federation key index to signature');
  const spec = unsigned.spec;
  const rebuilt = buildSpend(spec, dustLimit);
  if (!equalBytes(rebuilt.txidLE, unsigned.txidLE)) throw new RangeError('unsigned: its transaction is not the one its spec builds');
  const fed = spec.federation;
  if (spec.kind === 'mint') {
    const message = rebuilt.sighashes[0]!;
    const slots: (Uint8Array | undefined)[] = fed.publicKeys.map(() => undefined);
    for (const [keyIndex, sigs] of signatures) {
      if (!Number.isInteger(keyIndex) || keyIndex < 0 || keyIndex >= fed.publicKeys.length) throw new RangeError(`signatures: key index ${keyIndex} is not in the federation`);
      const sig = keySignatures(sigs, 1, keyIndex)[0]!;
      assertBytes(sig, 64, `signatures[${keyIndex}][0]`);
      if (!verifySchnorr(sig, message, xOnlyFromCompressed(fed.publicKeys[keyIndex]!))) {
        throw new ScriptError('SCRIPT_BAD_SIGNATURE', `mint: the signature of federation key ${keyIndex} does not verify`, { details: { keyIndex } });
      }
      slots[keyIndex] = sig;
    }
    if (signatures.size < fed.threshold) {
      throw new ScriptError('SCRIPT_SIG_COUNT', `mint: ${signatures.size} signatures collected, the federation needs ${fed.threshold}`, {
        details: { have: signatures.size, need: fed.threshold },
      });
    }
    const witness = encodeMintWitness(fed, { signatures: slots, lockTx: spec.proof.rawTx, lockBlockCoinbase: spec.proof.coinbaseTx, merkleBlock: spec.proof.merkleBlock });
    return encodeTransaction(withInputWitness(mintTx(spec), 0, witness), { witness: true });
  }
  const inputs = spec.inputs;
  const spent = inputs.map((u) => u.output);
  const perKey = new Map<number, readonly Uint8Array[]>();
  for (const [keyIndex, sigs] of signatures) perKey.set(keyIndex, keySignatures(sigs, inputs.length, keyIndex));
  let tx = decodeTransaction(rebuilt.unsignedTx).tx;
  inputs.forEach((_, i) => {
    const forInput = new Map<number, Uint8Array>([...perKey].map(([k, sigs]) => [k, sigs[i]!]));
    tx = withInputWitness(tx, i, finalizeFederationSpend(fed, tx, i, forInput, spent));
  });
  return encodeTransaction(tx, { witness: true });
}
